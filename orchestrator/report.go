package orchestrator

import (
	"sync"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/transfer"
)

// VM statuses in a report.
const (
	StatusPlanned = "planned" // dry run, or not reached
	StatusRunning = "running"
	StatusOK      = "ok"
	StatusFailed  = "failed"
)

// Report is what a run did. Package render shows it (table, JSON, Prometheus
// textfile); the orchestrator only fills it.
type Report struct {
	RunID       string          `json:"run"`
	Start       time.Time       `json:"start"`
	Duration    time.Duration   `json:"duration_ns"`
	DryRun      bool            `json:"dry_run"`
	Interrupted bool            `json:"interrupted,omitempty"`
	Target      string          `json:"target"`
	Steps       []Step          `json:"steps"`
	Recovered   *Recovery       `json:"recovered,omitempty"`
	Plan        *Plan           `json:"plan,omitempty"`
	VMs         []*VMResult     `json:"vms"`
	Paths       []*PathResult   `json:"paths,omitempty"`
	Pruned      []PrunedDataset `json:"pruned,omitempty"`
	Errors      []string        `json:"errors,omitempty"` // run-level problems besides VM failures
	mu          sync.Mutex
}

// Step is one step of a run and how long it took.
type Step struct {
	Name     string        `json:"name"`
	Duration time.Duration `json:"duration_ns"`
}

// VMResult is one VM's backup in a run.
type VMResult struct {
	Name         string          `json:"name"`
	Dataset      string          `json:"dataset"`
	Status       string          `json:"status"`
	Quiesce      hypervisor.Mode `json:"quiesce"`
	Pause        time.Duration   `json:"pause_window_ns"`
	Read         int64           `json:"bytes_read"`
	Written      int64           `json:"bytes_written"`
	Duration     time.Duration   `json:"duration_ns"`
	Snapshot     string          `json:"snapshot,omitempty"`
	Error        string          `json:"error,omitempty"`
	Note         string          `json:"note,omitempty"`
	RolledBackTo string          `json:"rolled_back_to,omitempty"`
	LastSuccess  time.Time       `json:"last_success,omitempty"` // its newest dated snapshot
	Disks        []DiskResult    `json:"disks,omitempty"`
}

// DiskResult is one disk's copy.
type DiskResult struct {
	Disk   string         `json:"disk"`
	Volume string         `json:"volume"`
	Mode   string         `json:"mode"`
	Image  string         `json:"image"`
	Stats  transfer.Stats `json:"stats"`
	Error  string         `json:"error,omitempty"`
}

// OK: every VM and path backed up, nothing left to undo, prune clean.
func (r *Report) OK() bool {
	for _, v := range r.VMs {
		if v.Status != StatusOK && !(r.DryRun && v.Status == StatusPlanned) {
			return false
		}
	}
	for _, p := range r.Paths {
		if p.Status != StatusOK && !(r.DryRun && p.Status == StatusPlanned) {
			return false
		}
	}
	return len(r.Errors) == 0
}

// FailedPaths counts the paths: entries that were not backed up.
func (r *Report) FailedPaths() int {
	n := 0
	for _, p := range r.Paths {
		if p.Status == StatusFailed {
			n++
		}
	}
	return n
}

// Failed counts the VMs that were not backed up.
func (r *Report) Failed() int {
	n := 0
	for _, v := range r.VMs {
		if v.Status == StatusFailed {
			n++
		}
	}
	return n
}

func (r *Report) addError(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Errors = append(r.Errors, s)
}
