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

// Result is what a run did with one backup unit: the part every kind of unit has
// (VMResult and PathResult add their own).
type Result struct {
	Name         string        `json:"name"`
	Dataset      string        `json:"dataset"`
	Status       string        `json:"status"`
	Written      int64         `json:"bytes_written"`
	Duration     time.Duration `json:"duration_ns"` // from its group's start to its commit
	Snapshot     string        `json:"snapshot,omitempty"`
	Error        string        `json:"error,omitempty"`
	Note         string        `json:"note,omitempty"`
	RolledBackTo string        `json:"rolled_back_to,omitempty"`
	LastSuccess  time.Time     `json:"last_success,omitempty"` // its newest dated snapshot
}

// VMResult is one VM's backup in a run.
type VMResult struct {
	Result
	Quiesce hypervisor.Mode `json:"quiesce"`
	Pause   time.Duration   `json:"pause_window_ns"`
	Read    int64           `json:"bytes_read"`
	Disks   []DiskResult    `json:"disks,omitempty"`
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

// Units are the results of every VM, then of every paths: entry.
func (r *Report) Units() []*Result {
	var out []*Result
	for _, v := range r.VMs {
		out = append(out, &v.Result)
	}
	for _, p := range r.Paths {
		out = append(out, &p.Result)
	}
	return out
}

// OK: every VM and path backed up, nothing left to undo, prune clean.
func (r *Report) OK() bool {
	for _, u := range r.Units() {
		if u.Status != StatusOK && !(r.DryRun && u.Status == StatusPlanned) {
			return false
		}
	}
	return len(r.Errors) == 0
}

// FailedPaths counts the paths: entries that were not backed up.
func (r *Report) FailedPaths() int {
	n := 0
	for _, p := range r.Paths {
		if p.Failed() {
			n++
		}
	}
	return n
}

// Failed counts the VMs that were not backed up.
func (r *Report) Failed() int {
	n := 0
	for _, v := range r.VMs {
		if v.Failed() {
			n++
		}
	}
	return n
}

// Failed: the unit was not backed up.
func (u *Result) Failed() bool { return u.Status == StatusFailed }

func (r *Report) addError(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Errors = append(r.Errors, s)
}
