package orchestrator

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// StateFile is the state file's name in the state directory (`run --state-dir`,
// /var/lib/kvmbackup): STATE_DIR/state.json.
const StateFile = "state.json"

// StateVersion is the version of the state file's format.
const StateVersion = 1

// State is what kvmbackup keeps between runs in the state file (JSON, 0600, replaced
// atomically): the last run's outcome, the target's pool as last checked, and the
// newest result of every configured VM and paths: entry, whichever run produced it.
// The metrics file is rendered from it, so that `run --vm web1` updates web1's
// series and keeps the others'; `status` reads the last run and each unit's last
// result from it.
type State struct {
	Version int         `json:"version"`
	LastRun *RunOutcome `json:"last_run,omitempty"`
	Pool    *PoolState  `json:"pool,omitempty"`
	// VMsListed is the start of the last run that planned every VM (no --vm nor
	// --path): since then VMs holds every VM a run backs up, not only those seen.
	VMsListed time.Time    `json:"vms_listed,omitempty"`
	VMs       []*StateVM   `json:"vms"`   // by name
	Paths     []*StatePath `json:"paths"` // by name
	// Replicas: each replication: target's last replication (by name), from
	// `replicate` and the runs' after-run replication.
	Replicas []*StateReplica `json:"replicas,omitempty"`
	// Verifies: each unit's last verify (`kvmbackup verify`), by kind and name.
	Verifies []*StateVerify `json:"verifies,omitempty"`
}

// StateVerify is a unit's last verify: of the newest backup it checked, OK only
// when every backup it checked passed.
type StateVerify struct {
	Kind     zfs.Kind `json:"kind"`
	Name     string   `json:"name"`
	Snapshot string   `json:"snapshot"`
	zfs.Verification
}

// RecordVerify merges a verify's results into the state, one entry per unit.
func (s *State) RecordVerify(rep *VerifyReport) {
	for _, r := range rep.Results {
		name := strings.TrimPrefix(r.Unit, "path ")
		var sv *StateVerify
		for _, x := range s.Verifies {
			if x.Kind == r.Kind && x.Name == name {
				sv = x
			}
		}
		fresh := sv == nil || sv.Verification.At.Before(rep.Start)
		if sv == nil {
			sv = &StateVerify{Kind: r.Kind, Name: name}
			s.Verifies = append(s.Verifies, sv)
		}
		v := zfs.Verification{At: rep.Start.Add(rep.Duration), What: r.Checked, OK: r.OK, Reason: r.Reason}
		if r.Boot != nil {
			v.Boot = r.Boot.Ready
		}
		switch {
		case fresh:
			sv.Snapshot, sv.Verification = r.Snapshot, v
		default: // a second backup of the unit in this verify (--all)
			sv.OK = sv.OK && v.OK
			if !v.OK && sv.Reason == "" {
				sv.Reason = r.Snapshot + ": " + v.Reason
			}
			if r.Snapshot > sv.Snapshot {
				sv.Snapshot, sv.What, sv.Boot = r.Snapshot, v.What, v.Boot
			}
		}
	}
	slices.SortFunc(s.Verifies, func(a, b *StateVerify) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
}

// UnitRun names the run that produced a unit's result in the state.
type UnitRun struct {
	RunID    string    `json:"run,omitempty"`
	RunStart time.Time `json:"run_start,omitempty"`
}

// StateVM is a VM's newest result (of each disk, the mode and the byte counts).
type StateVM struct {
	UnitRun
	VMResult
}

// StatePath is a paths: entry's newest result.
type StatePath struct {
	UnitRun
	PathResult
}

// RunOutcome is how a run ended, as the state file, the metrics and status tell it.
type RunOutcome struct {
	RunID    string        `json:"run,omitempty"`
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration_ns"`
	ExitCode int           `json:"exit_code"`
	Reason   string        `json:"reason,omitempty"` // one of Reasons; "" on success
	Error    string        `json:"error,omitempty"`  // why it could not start (exit status 2)
	VMs      []string      `json:"vms,omitempty"`    // its --vm
	Paths    []string      `json:"paths,omitempty"`  // its --path
	// VMsFailed and PathsFailed count the units it failed to back up.
	VMsFailed   int      `json:"vms_failed"`
	PathsFailed int      `json:"paths_failed"`
	Pruned      int      `json:"pruned_snapshots"` // snapshots its prune destroyed
	Warnings    []string `json:"warnings,omitempty"`
	Errors      []string `json:"errors,omitempty"`
	Version     string   `json:"version"` // kvmbackup's
}

// Success: the run backed up everything it was asked to (exit status 0).
func (o *RunOutcome) Success() bool { return o.ExitCode == 0 }

// Outcome is the run's RunOutcome as far as the report knows it; the caller adds
// the exit status, the selection, the version and, for a run that could not start,
// the reason and error.
func (r *Report) Outcome() RunOutcome {
	return RunOutcome{RunID: r.RunID, Start: r.Start, Duration: r.Duration, Reason: r.Reason(),
		VMsFailed: r.Failed(), PathsFailed: r.FailedPaths(), Pruned: r.PrunedSnapshots(),
		Warnings: slices.Clone(r.Warnings), Errors: slices.Clone(r.Errors)}
}

// LoadState reads the state file at path; a missing one is an empty state. A file
// that cannot be read or parsed is an error naming it, with an empty state (a run
// then starts the state afresh).
func LoadState(path string) (*State, error) {
	s := &State{Version: StateVersion}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("state file %s: %w", path, err)
	}
	var got State
	if err := json.Unmarshal(data, &got); err != nil {
		return s, fmt.Errorf("state file %s: %w", path, err)
	}
	if got.Version != StateVersion {
		return s, fmt.Errorf("state file %s: version %d, this kvmbackup reads version %d", path, got.Version, StateVersion)
	}
	slices.SortFunc(got.VMs, func(a, b *StateVM) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(got.Paths, func(a, b *StatePath) int { return strings.Compare(a.Name, b.Name) })
	return &got, nil
}

// LockState takes the state file's own lock (path + ".lock", 0600, flock), waiting
// for it, and returns its release. Every writer loads, records and saves the state
// (and renders the metrics from it) holding it: a run the run lock refused, which
// still records that it could not run, then never overwrites what the run holding
// the run lock records at the same moment, nor the other way round.
func LockState(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state file lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("state file lock %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}

// UpdateState is how a writer changes the state file at path, holding its lock
// (LockState) from the load to the last file written from the state: it loads the
// state and has record merge into it, given the load's error (the state is then
// empty: record says whether to start it afresh or to stop, returning an error, the
// file not overwritten); then it saves the state and has saved render what is
// rendered from it (the metrics file), given the save's error. Its error is the
// lock's, or what record or saved returns.
func UpdateState(path string, record func(st *State, loadErr error) error, saved func(st *State, saveErr error) error) error {
	unlock, err := LockState(path)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := LoadState(path)
	if err := record(st, err); err != nil {
		return err
	}
	return saved(st, st.Save(path))
}

// Save writes the state to path atomically, 0600, its directory made 0700 when
// missing.
func (s *State) Save(path string) error {
	s.Version = StateVersion
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("state directory %s: %w", filepath.Dir(path), err)
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	return atomicfile.Write(path, append(data, '\n'), 0o600)
}

// Record merges a run into the state. Its outcome becomes LastRun; the pool as its
// target check found it (when it got that far) becomes Pool. Each unit the run
// planned replaces that unit's result (keeping the last success known, when this run
// could not list the unit's snapshots); a run of everything (out names no --vm nor
// --path) makes its VMs and entries the whole set. rep may be nil (a run that could
// not start), cfg nil (a config that does not load: no unit is dropped or added).
// Then the units cfg no longer configures drop out (a VM that vms: does
// not list or exclude: rules out, an entry no longer under paths:), and each
// configured one that no run has reached yet is added as StatusNever.
func (s *State) Record(cfg *config.Config, rep *Report, out RunOutcome) {
	s.LastRun = &out
	if rep != nil && rep.Pool != nil {
		s.Pool = rep.Pool
	}
	run := UnitRun{RunID: out.RunID, RunStart: out.Start}
	if rep != nil && rep.Plan != nil {
		// A run of everything makes its units the whole set: the others drop out
		// below, after the merge (which keeps each unit's last success known).
		all := len(out.VMs) == 0 && len(out.Paths) == 0
		if all {
			s.VMsListed = out.Start
		}
		for _, v := range rep.VMs {
			nv := &StateVM{UnitRun: run, VMResult: *v}
			nv.Disks = nil // what the metrics show of each disk, not the copy's every counter
			for _, d := range v.Disks {
				st := d.Stats
				d.Stats = transfer.Stats{Mode: st.Mode, Size: st.Size, Changed: st.Changed, SrcRead: st.SrcRead, DstRead: st.DstRead, Written: st.Written}
				nv.Disks = append(nv.Disks, d)
			}
			s.VMs = mergeUnit(s.VMs, nv, func(u *StateVM) *Result { return &u.Result })
		}
		for _, p := range rep.Paths {
			s.Paths = mergeUnit(s.Paths, &StatePath{UnitRun: run, PathResult: *p}, func(u *StatePath) *Result { return &u.Result })
		}
		if all {
			s.VMs = slices.DeleteFunc(s.VMs, func(v *StateVM) bool {
				return !slices.ContainsFunc(rep.VMs, func(r *VMResult) bool { return r.Name == v.Name })
			})
			s.Paths = slices.DeleteFunc(s.Paths, func(p *StatePath) bool {
				return !slices.ContainsFunc(rep.Paths, func(r *PathResult) bool { return r.Name == p.Name })
			})
		}
	}
	if rep != nil && len(rep.Replicated) > 0 {
		s.RecordReplication(nil, rep.Replicated)
	}
	if cfg != nil {
		s.configured(cfg)
		s.configuredReplicas(cfg)
	}
}

// mergeUnit puts u in place of the unit of its name in list (sorted by name), keeping
// the old last success and snapshot count when u's run did not find them.
func mergeUnit[T any](list []*T, u *T, res func(*T) *Result) []*T {
	nr := res(u)
	i, found := slices.BinarySearchFunc(list, nr.Name, func(e *T, name string) int { return strings.Compare(res(e).Name, name) })
	if !found {
		return slices.Insert(list, i, u)
	}
	if old := res(list[i]); nr.LastSuccess.IsZero() && !old.LastSuccess.IsZero() {
		nr.LastSuccess, nr.DatedSnapshots = old.LastSuccess, old.DatedSnapshots
	}
	list[i] = u
	return list
}

// configured drops the units cfg does not configure and adds those it names that the
// state lacks (StatusNever).
func (s *State) configured(cfg *config.Config) {
	lay := zfs.Layout{Root: cfg.Target.Dataset}
	s.VMs = slices.DeleteFunc(s.VMs, func(v *StateVM) bool { return !cfg.Selects(v.Name) })
	for _, vm := range cfg.VMs {
		if !cfg.Selects(vm.Name) {
			continue
		}
		never := &StateVM{VMResult: VMResult{Result: Result{Name: vm.Name, Dataset: lay.Dataset(zfs.VMUnit(vm.Name)), Status: StatusNever}}}
		s.VMs = addIfMissing(s.VMs, never, func(u *StateVM) string { return u.Name })
	}
	s.Paths = slices.DeleteFunc(s.Paths, func(p *StatePath) bool {
		return !slices.ContainsFunc(cfg.Paths, func(e config.PathEntry) bool { return e.Name == p.Name })
	})
	for _, e := range cfg.Paths {
		never := &StatePath{PathResult: PathResult{Result: Result{Name: e.Name, Dataset: lay.Dataset(zfs.PathUnit(e.Name)), Status: StatusNever}}}
		s.Paths = addIfMissing(s.Paths, never, func(u *StatePath) string { return u.Name })
	}
}

func addIfMissing[T any](list []*T, u *T, name func(*T) string) []*T {
	i, found := slices.BinarySearchFunc(list, name(u), func(e *T, n string) int { return strings.Compare(name(e), n) })
	if found {
		return list
	}
	return slices.Insert(list, i, u)
}

// Units are the results of every VM, then of every paths: entry, as the state holds
// them.
func (s *State) Units() []*Result {
	var out []*Result
	for _, v := range s.VMs {
		out = append(out, &v.Result)
	}
	for _, p := range s.Paths {
		out = append(out, &p.Result)
	}
	return out
}
