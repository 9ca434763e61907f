package orchestrator

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// StatusTarget is what status reads of the target: its check (pool health, space),
// the VM datasets under it and each unit's snapshots. Nothing is changed.
type StatusTarget interface {
	TargetChecker
	ChildLister
	SnapshotLister
}

// TimerSchedule tells when the nightly run is due next.
type TimerSchedule interface {
	// NextRun returns when the timer fires next. When that is unknown (no systemd, the
	// timer not loaded or not scheduled, its answer unreadable) it returns an error
	// saying why, naming the timer. Nothing is changed.
	NextRun(ctx context.Context) (time.Time, error)
}

// Status verdicts, and the exit status `kvmbackup status` gives each.
const (
	VerdictFresh   = "fresh"   // 0: every unit's newest backup is younger than status.max-age, the last run succeeded, the pool is ONLINE
	VerdictStale   = "stale"   // 1: something is stale or failed (Problems says what)
	VerdictUnknown = "unknown" // 2: cannot tell (the target unreadable; Problems says why)
)

// StatusOptions say what status checks against.
type StatusOptions struct {
	Config    *config.Config
	StatePath string    // the state file runs write (STATE_DIR/state.json)
	Now       time.Time // default time.Now()
}

// StatusReport is the state of the backups at one moment: package render shows it.
type StatusReport struct {
	Time    time.Time     `json:"time"`
	MaxAge  time.Duration `json:"max_age_ns"` // status.max-age
	Target  string        `json:"target"`
	Verdict string        `json:"verdict"` // one of the Verdict* values
	// Problems say why the verdict is not fresh, one line each.
	Problems []string    `json:"problems,omitempty"`
	LastRun  *RunOutcome `json:"last_run,omitempty"` // from the state file; nil: no run recorded
	// StateError: the state file could not be read (the last run and the units'
	// last results are then unknown).
	StateError string       `json:"state_error,omitempty"`
	Pool       *PoolState   `json:"pool,omitempty"` // as checked now; nil when the check could not run
	Warnings   []string     `json:"warnings,omitempty"`
	Units      []UnitStatus `json:"units"`
	// Replicas: each replication: target's last replication and lag, from the state
	// file (the receivers are not asked).
	Replicas    []ReplicaStatus `json:"replicas,omitempty"`
	NextRun     time.Time       `json:"next_run,omitempty"` // zero: unknown (NextRunNote says why)
	NextRunNote string          `json:"next_run_note,omitempty"`
}

// UnitStatus is one VM's or paths: entry's backups.
type UnitStatus struct {
	Kind    zfs.Kind `json:"kind"`
	Name    string   `json:"name"`
	Dataset string   `json:"dataset"`
	// Newest is its newest dated snapshot's name ("" when it has none) and time.
	Newest     string        `json:"newest,omitempty"`
	NewestTime time.Time     `json:"newest_time,omitempty"`
	Age        time.Duration `json:"age_ns"` // of Newest; 0 when none
	Snapshots  int           `json:"snapshots"`
	Pins       []string      `json:"pins,omitempty"` // names of its pinned snapshots
	// Bases: the thin LV bases its newest backup recorded, kept for the next run's
	// changed-block tracking: "vda=VG/LV:THINID" (zfs.PropBases).
	Bases []string `json:"bases,omitempty"`
	// Verified is the newest verify recorded on any of its dated snapshots
	// (`kvmbackup verify`), and the snapshot's name; nil: none verified.
	Verified         *zfs.Verification `json:"verified,omitempty"`
	VerifiedSnapshot string            `json:"verified_snapshot,omitempty"`
	// VerifyFailed: every dated snapshot whose last verify failed (each a restore
	// point that may not restore), oldest first.
	VerifyFailed []FailedVerify `json:"verify_failed,omitempty"`
	// LastStatus and LastError are its result in the last run that reached it (the
	// state file's): StatusOK, StatusFailed, ...; "" when the state file has none.
	LastStatus string `json:"last_status,omitempty"`
	LastError  string `json:"last_error,omitempty"`
	Stale      bool   `json:"stale"`           // no dated backup, or Newest older than status.max-age
	Failed     bool   `json:"failed"`          // its last backup failed
	Error      string `json:"error,omitempty"` // its snapshots could not be listed
}

// FailedVerify is a dated snapshot whose last verify failed.
type FailedVerify struct {
	Snapshot string `json:"snapshot"`
	zfs.Verification
}

// String names the unit as messages do: "web1", "path root".
func (u *UnitStatus) String() string { return zfs.Unit{Kind: u.Kind, Name: u.Name}.String() }

// ReplicaStatus is one replication: target as the state file last saw it.
type ReplicaStatus struct {
	Target string `json:"target"`
	To     string `json:"to"`
	// Last is the last replication's start (zero: none recorded), LastSuccess the
	// start of the newest that succeeded entirely; Bytes what the last one sent,
	// Error why it failed.
	Last        time.Time     `json:"last,omitempty"`
	Duration    time.Duration `json:"duration_ns"`
	LastSuccess time.Time     `json:"last_success,omitempty"`
	Bytes       int64         `json:"bytes"`
	Error       string        `json:"error,omitempty"`
	Failed      bool          `json:"failed"`
	// Lag is the worst of its units' Lag (of those it holds a dated snapshot of).
	Lag   time.Duration       `json:"lag_ns"`
	Stale bool                `json:"stale"` // some unit's lag is past status.max-age, or it holds none of a unit backed up here
	Units []ReplicaUnitStatus `json:"units"`
}

// ReplicaUnitStatus is what a target holds of a unit backed up here.
type ReplicaUnitStatus struct {
	Kind       zfs.Kind      `json:"kind"`
	Name       string        `json:"name"`
	Newest     string        `json:"newest,omitempty"` // its newest dated snapshot there ("" none known)
	NewestTime time.Time     `json:"newest_time,omitempty"`
	Lag        time.Duration `json:"lag_ns"` // now less NewestTime; 0 when none
	Stale      bool          `json:"stale"`  // none there, or Lag past status.max-age
}

// String names the unit as messages do: "web1", "path root".
func (u *ReplicaUnitStatus) String() string { return zfs.Unit{Kind: u.Kind, Name: u.Name}.String() }

// Status tells whether the backups are fresh: for every configured VM and paths:
// entry, its newest dated snapshot's age against status.max-age and its last result
// (the state file's); the last run's outcome; the pool's health and space; the pins;
// when the timer runs next (timer may be nil: unknown). The VMs are those vms:
// lists or, without vms:, those the last run of everything planned (the state
// file's), or, before any such run, the VM datasets under the target; exclude:
// applies to all. Nothing is changed.
func Status(ctx context.Context, t StatusTarget, timer TimerSchedule, o StatusOptions) *StatusReport {
	cfg := o.Config
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	rep := &StatusReport{Time: o.Now.UTC(), MaxAge: cfg.Status.MaxAge, Target: cfg.Target.Dataset}
	stale := func(format string, a ...any) { rep.Problems = append(rep.Problems, fmt.Sprintf(format, a...)) }
	var unknown []string
	st, err := LoadState(o.StatePath)
	if err != nil {
		rep.StateError = err.Error()
		rep.Warnings = append(rep.Warnings, err.Error())
	}
	rep.LastRun = st.LastRun
	switch lr := st.LastRun; {
	case lr == nil:
		if rep.StateError == "" {
			stale("no run recorded in %s yet", o.StatePath)
		}
	case !lr.Success():
		why := lr.Reason
		if lr.Error != "" {
			why += ": " + lr.Error
		}
		stale("the last run (%s) failed, exit status %d (%s)", lr.Start.Local().Format("2006-01-02 15:04 MST"), lr.ExitCode, why)
	}

	tr, err := t.CheckTarget(ctx, zfs.TargetOptions{Dataset: cfg.Target.Dataset,
		RequireMirror: cfg.Target.RequireMirror, RequireCompression: cfg.Target.RequireCompression})
	switch {
	case err != nil:
		unknown = append(unknown, fmt.Sprintf("target %s: %v", cfg.Target.Dataset, err))
	case tr.Health == "":
		rep.Pool = poolState(tr, o.Now)
		unknown = append(unknown, fmt.Sprintf("target %s: %v", cfg.Target.Dataset, tr.Err()))
	default:
		rep.Pool = poolState(tr, o.Now)
		for _, w := range tr.Warnings { // a DEGRADED pool: the night runs, but someone must act
			stale("%s", w.Error())
		}
		for _, p := range tr.Problems {
			stale("%s (a run would not start)", p.What)
		}
	}

	if len(unknown) == 0 {
		units, err := statusUnits(ctx, t, cfg, st)
		if err != nil {
			unknown = append(unknown, fmt.Sprintf("target %s: %v", cfg.Target.Dataset, err))
		}
		for _, u := range units {
			rep.Units = append(rep.Units, unitStatus(ctx, t, cfg, st, u, o.Now))
		}
	}
	for i := range rep.Units {
		u := &rep.Units[i]
		switch {
		case u.Error != "":
			unknown = append(unknown, fmt.Sprintf("%s: %s", u, u.Error))
		case u.Newest == "":
			stale("%s: no dated backup yet", u)
		case u.Stale:
			stale("%s: newest backup %s old, older than status.max-age %s", u, ShortAge(u.Age), ShortAge(cfg.Status.MaxAge))
		}
		if u.Failed {
			stale("%s: its last backup failed: %s", u, u.LastError)
		}
		for _, f := range u.VerifyFailed {
			stale("%s: the last verify (%s of @%s, %s) failed: %s", u, f.What, f.Snapshot, f.At.Local().Format("2006-01-02 15:04 MST"), f.Reason)
		}
	}

	for _, r := range cfg.Replication {
		rs := replicaStatus(r, st, rep.Units, cfg.Status.MaxAge, o.Now)
		switch {
		case rs.Last.IsZero():
			if rep.StateError == "" {
				stale("replication %s (%s): no replication recorded in %s yet", rs.Target, rs.To, o.StatePath)
			}
		case rs.Failed:
			stale("replication %s: the last replication (%s) failed: %s", rs.Target, rs.Last.Local().Format("2006-01-02 15:04 MST"), rs.Error)
		}
		for _, u := range rs.Units {
			switch {
			case rs.Last.IsZero() || !u.Stale:
			case u.Newest == "":
				stale("replication %s: %s: no dated backup there yet", rs.Target, &u)
			default:
				stale("replication %s: %s: newest there %s old, older than status.max-age %s", rs.Target, &u, ShortAge(u.Lag), ShortAge(cfg.Status.MaxAge))
			}
		}
		rep.Replicas = append(rep.Replicas, rs)
	}

	if timer == nil {
		rep.NextRunNote = "unknown"
	} else if next, err := timer.NextRun(ctx); err != nil {
		rep.NextRunNote = "unknown: " + err.Error()
	} else {
		rep.NextRun = next.UTC()
	}

	switch {
	case len(unknown) > 0:
		rep.Verdict = VerdictUnknown
		rep.Problems = append(unknown, rep.Problems...)
	case len(rep.Problems) > 0:
		rep.Verdict = VerdictStale
	default:
		rep.Verdict = VerdictFresh
	}
	return rep
}

// replicaStatus is target r as the state file st last saw it, for each unit of
// units that has a dated backup here: the newest there, its lag at now, stale past
// maxAge (the freshness rule of the backups themselves).
func replicaStatus(r config.Replication, st *State, units []UnitStatus, maxAge time.Duration, now time.Time) ReplicaStatus {
	rs := ReplicaStatus{Target: r.Name, To: r.To, Units: []ReplicaUnitStatus{}}
	sr := st.Replica(r.Name)
	if sr != nil {
		rs.Last, rs.Duration, rs.LastSuccess, rs.Bytes, rs.Error, rs.Failed = sr.Last, sr.Duration, sr.LastSuccess, sr.Bytes, sr.Error, sr.Failed()
	}
	for _, u := range units {
		if u.Newest == "" || u.Error != "" {
			continue // nothing to replicate yet, or unknown here
		}
		us := ReplicaUnitStatus{Kind: u.Kind, Name: u.Name, Stale: true}
		if sr != nil {
			if x := sr.Unit(zfs.Unit{Kind: u.Kind, Name: u.Name}); x != nil && x.Newest != "" {
				us.Newest, us.NewestTime, us.Lag = x.Newest, x.NewestTime, max(now.Sub(x.NewestTime), 0)
				us.Stale = us.Lag > maxAge
				rs.Lag = max(rs.Lag, us.Lag)
			}
		}
		rs.Stale = rs.Stale || us.Stale
		rs.Units = append(rs.Units, us)
	}
	return rs
}

// statusUnits are the units status reports on (see Status), VMs then paths: entries,
// each sorted by name.
func statusUnits(ctx context.Context, t ChildLister, cfg *config.Config, st *State) ([]zfs.Unit, error) {
	var vms []string
	switch {
	case len(cfg.VMs) > 0:
		for _, vm := range cfg.VMs {
			vms = append(vms, vm.Name)
		}
	default:
		for _, v := range st.VMs {
			vms = append(vms, v.Name)
		}
		if st.VMsListed.IsZero() {
			units, err := zfs.Layout{Root: cfg.Target.Dataset}.Units(ctx, t, zfs.KindVM, nil)
			if err != nil && !zfs.IsNotFound(err) {
				return nil, err
			}
			for _, u := range units {
				vms = append(vms, u.Name)
			}
		}
	}
	slices.Sort(vms)
	var out []zfs.Unit
	for _, n := range slices.Compact(vms) {
		if cfg.Selects(n) {
			out = append(out, zfs.VMUnit(n))
		}
	}
	var paths []string
	for _, p := range cfg.Paths {
		paths = append(paths, p.Name)
	}
	slices.Sort(paths)
	for _, n := range paths {
		out = append(out, zfs.PathUnit(n))
	}
	return out, nil
}

// unitStatus reads one unit's dated snapshots and its last result.
func unitStatus(ctx context.Context, t SnapshotLister, cfg *config.Config, st *State, u zfs.Unit, now time.Time) UnitStatus {
	ds := zfs.Layout{Root: cfg.Target.Dataset}.Dataset(u)
	us := UnitStatus{Kind: u.Kind, Name: u.Name, Dataset: ds}
	for _, r := range st.Units() {
		if r.Name == u.Name && zfs.DatasetUnit(r.Dataset).Kind == u.Kind {
			us.LastStatus, us.LastError = r.Status, r.Error
			us.Failed = r.Status == StatusFailed
		}
	}
	snaps, err := t.Snapshots(ctx, ds)
	if err != nil && !zfs.IsNotFound(err) {
		us.Error = err.Error()
		return us
	}
	for _, s := range snaps {
		if !s.Ours() {
			continue
		}
		us.Snapshots++
		if s.Pinned() {
			us.Pins = append(us.Pins, s.Name)
		}
		if v, ok := s.Verification(); ok {
			if us.Verified == nil || v.At.After(us.Verified.At) {
				us.Verified, us.VerifiedSnapshot = &v, s.Name
			}
			if !v.OK {
				us.VerifyFailed = append(us.VerifyFailed, FailedVerify{s.Name, v})
			}
		}
		if s.Time().After(us.NewestTime) {
			us.Newest, us.NewestTime = s.Name, s.Time()
			us.Bases = nil
			for _, d := range slices.Sorted(maps.Keys(s.Backup().Bases)) {
				us.Bases = append(us.Bases, d+"="+s.Backup().Bases[d])
			}
		}
	}
	if us.Newest != "" {
		us.Age = now.Sub(us.NewestTime)
	}
	us.Stale = us.Newest == "" || us.Age > cfg.Status.MaxAge
	return us
}

// ShortAge is a short duration, to the minute: 45m, 5h12m, 26h, 3d4h; a negative
// one as 0m.
func ShortAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	m := int(d.Round(time.Minute).Minutes())
	switch {
	case m < 60:
		return fmt.Sprintf("%dm", m)
	case m < 48*60:
		if m%60 == 0 {
			return fmt.Sprintf("%dh", m/60)
		}
		return fmt.Sprintf("%dh%dm", m/60, m%60)
	default:
		return fmt.Sprintf("%dd%dh", m/60/24, m/60%24)
	}
}

// SystemdTimer is when a systemd timer fires next, asked of systemctl through the
// runner.
type SystemdTimer struct {
	Unit      string      // e.g. kvmbackup.timer
	Systemctl runner.Tool // systemctl
	// Booted exists when systemd is the init system (sd_booted(3)):
	// /run/systemd/system.
	Booted string
}

// NewSystemdTimer is the timer unit as the host's systemd has it.
func NewSystemdTimer(unit string) SystemdTimer {
	return SystemdTimer{Unit: unit, Systemctl: runner.New("systemctl"), Booted: "/run/systemd/system"}
}

// NextRun asks systemctl for the timer's NextElapseUSecRealtime, as a Unix time.
func (s SystemdTimer) NextRun(ctx context.Context) (time.Time, error) {
	if _, err := os.Stat(s.Booted); err != nil {
		return time.Time{}, fmt.Errorf("systemd is not running here (no %s), so %s is not either", s.Booted, s.Unit)
	}
	out, err := s.Systemctl.Output(ctx, "show", s.Unit, "--property=NextElapseUSecRealtime", "--value", "--timestamp=unix")
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", s.Unit, err)
	}
	return parseNextElapse(s.Unit, string(out))
}

// parseNextElapse reads NextElapseUSecRealtime as `systemctl show --value
// --timestamp=unix` prints it: "@SECONDS", or nothing (or n/a) when the timer is not
// scheduled.
func parseNextElapse(unit, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "n/a" || v == "0" {
		return time.Time{}, fmt.Errorf("%s is not scheduled (is it loaded and enabled? systemctl list-timers)", unit)
	}
	sec, ok := strings.CutPrefix(v, "@")
	n, err := strconv.ParseInt(sec, 10, 64)
	if !ok || err != nil || n <= 0 {
		return time.Time{}, fmt.Errorf("%s: cannot read NextElapseUSecRealtime %q", unit, v)
	}
	return time.Unix(n, 0), nil
}
