package orchestrator

import (
	"github.com/kvmbackup/kvmbackup/internal/runner"
	"strings"
	"sync"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// VM statuses in a report.
const (
	StatusPlanned = "planned" // dry run, or not reached
	StatusRunning = "running"
	StatusOK      = "ok"
	StatusFailed  = "failed"
	// StatusNever: a configured unit no run has reached yet (the state file's, never a
	// run report's).
	StatusNever = "never"
)

// Why a run did not succeed: the closed set of the reason label of
// kvmbackup_run_failure_info and of RunOutcome.Reason. The first ones stop a run
// before it changes anything (exit status 2); the last ones are found at its end
// (exit status 1, or 2 for interrupted when it had not started).
const (
	ReasonConfig      = "config"      // the configuration does not load
	ReasonSelection   = "selection"   // --vm/--path name nothing to back up, or a paths: entry is unusable
	ReasonLock        = "lock"        // another run holds the run lock, or the lock is unusable
	ReasonHook        = "hook"        // the hook script failed its job-start phase
	ReasonLibvirt     = "libvirt"     // libvirt is unreachable
	ReasonTarget      = "target"      // the target is unfit (pool not imported, FAULTED, ...) or unreadable
	ReasonPlan        = "plan"        // the plan could not be made (libvirt or LVM failed while planning)
	ReasonJournal     = "journal"     // the run's journal could not be written
	ReasonInterrupted = "interrupted" // SIGINT or SIGTERM
	ReasonUnits       = "units"       // some VM or paths: entry was not backed up
	ReasonPrune       = "prune"       // pruning failed
	ReasonOther       = "other"       // any other run-level error: recover, a dataset left dirty, the state or metrics file
)

// Reasons are the Reason* values, in the order of precedence of the ones found at a
// run's end.
var Reasons = []string{ReasonConfig, ReasonSelection, ReasonLock, ReasonHook, ReasonLibvirt, ReasonTarget, ReasonPlan,
	ReasonJournal, ReasonInterrupted, ReasonUnits, ReasonPrune, ReasonOther}

// Report is what a run did. Package render shows it (table, JSON, Prometheus
// textfile); the orchestrator only fills it.
type Report struct {
	RunID       string        `json:"run"`
	Start       time.Time     `json:"start"`
	Duration    time.Duration `json:"duration_ns"`
	DryRun      bool          `json:"dry_run"`
	Interrupted bool          `json:"interrupted,omitempty"`
	Target      string        `json:"target"`
	Steps       []Step        `json:"steps"`
	// Commands: every external command the run started (lvm, zfs, fsck, ...) and
	// their total time; each Step has its own share. ByCommand counts them by
	// program ("zfs list", "lvm lvs").
	Commands  runner.Counted  `json:"commands"`
	ByCommand map[string]int  `json:"commands_by_program,omitempty"`
	Recovered *Recovery       `json:"recovered,omitempty"`
	Plan      *Plan           `json:"plan,omitempty"`
	VMs       []*VMResult     `json:"vms"`
	Paths     []*PathResult   `json:"paths,omitempty"`
	Pruned    []PrunedDataset `json:"pruned,omitempty"`
	// Replicated: what each after-run replication: target got after the prune.
	Replicated []ReplicatedTarget `json:"replicated,omitempty"`
	Errors     []string           `json:"errors,omitempty"` // run-level problems besides VM failures
	// Warnings are what the run went on with but an admin must see: a DEGRADED pool.
	Warnings []string   `json:"warnings,omitempty"`
	Pool     *PoolState `json:"pool,omitempty"` // the target pool as the run's check found it
	mu       sync.Mutex
}

// PoolState is the target's pool as a run's target check (or status) found it.
type PoolState struct {
	Pool    string `json:"pool"`
	Health  string `json:"health"` // one of zfs.PoolStates
	Free    int64  `json:"free_bytes"`
	Dataset string `json:"dataset"` // target.dataset
	// Available is what the target dataset (or the ancestor it will inherit from)
	// can still take, in bytes.
	Available int64     `json:"available_bytes"`
	Checked   time.Time `json:"checked"`
}

// poolState is what a target check says of the pool, checked at now.
func poolState(tr *zfs.TargetReport, now time.Time) *PoolState {
	return &PoolState{Pool: tr.Pool, Health: zfs.PoolState(tr.Health), Free: tr.Free, Dataset: tr.Dataset,
		Available: tr.Available, Checked: now.UTC()}
}

// Step is one step of a run and how long it took.
type Step struct {
	Name     string        `json:"name"`
	Duration time.Duration `json:"duration_ns"`
	// The external commands the step started, and their time.
	runner.Counted
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
	// DatedSnapshots counts its dated snapshots after the run (after prune).
	DatedSnapshots int `json:"dated_snapshots"`
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
	// Tracking says why the disk was not copied by changed-block tracking (Stats.Mode
	// "cbt"): "classic LV: ...", "cbt: base missing", "cbt: thin_delta failed: ...".
	Tracking string `json:"tracking,omitempty"`
	// Base is the thin snapshot kept as the next run's base ("VG/LV:THINID").
	Base string `json:"base,omitempty"`
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

// PrunedSnapshots counts the snapshots the run's prune destroyed.
func (r *Report) PrunedSnapshots() int {
	n := 0
	for _, d := range r.Pruned {
		for _, s := range d.Snapshots {
			if s.Destroyed {
				n++
			}
		}
	}
	return n
}

// Reason is why the run did not succeed (one of Reasons), "" when it did (OK):
// interrupted, then units failed, then prune, then any other error.
func (r *Report) Reason() string {
	switch {
	case r.OK():
		return ""
	case r.Interrupted:
		return ReasonInterrupted
	case r.Failed()+r.FailedPaths() > 0:
		return ReasonUnits
	}
	for _, e := range r.Errors {
		if strings.HasPrefix(e, "prune: ") {
			return ReasonPrune
		}
	}
	return ReasonOther
}

func (r *Report) addError(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Errors = append(r.Errors, s)
}

func (r *Report) addWarning(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Warnings = append(r.Warnings, s)
}
