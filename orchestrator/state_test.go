package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/zfs"
)

// record is what cmd/kvmbackup does after a run: the report's outcome with its exit
// status and selection, merged into the state file at path.
func record(t *testing.T, path string, o Options, rep *Report, runErr error) *State {
	t.Helper()
	st, err := LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	out := RunOutcome{Start: o.Now().UTC()}
	if rep != nil {
		out = rep.Outcome()
	}
	out.VMs, out.Paths, out.Version = o.VMs, o.Paths, "test"
	var env *EnvError
	switch {
	case errors.As(runErr, &env):
		out.ExitCode, out.Reason, out.Error = 2, env.Reason, env.Error()
	case !rep.OK():
		out.ExitCode = 1
	}
	st.Record(o.Config, rep, out)
	if err := st.Save(path); err != nil {
		t.Fatal(err)
	}
	return st
}

func stateVM(st *State, name string) *StateVM {
	for _, v := range st.VMs {
		if v.Name == name {
			return v
		}
	}
	return nil
}

func statePathOf(st *State, name string) *StatePath {
	for _, p := range st.Paths {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// The state file keeps the newest result of every configured unit: a run of
// everything sets them all; `run --vm web1` updates web1's and keeps the others'
// (so the metrics rendered from it keep every series); a run that could not start
// changes only the last run; units no longer configured drop out, and configured
// ones never backed up appear as never. It is 0600 and reads back as written.
func TestStateKeepsEveryUnitsNewestResult(t *testing.T) {
	w := pathScene(t)
	env := runEnv{t.TempDir()}
	path := filepath.Join(env.dir, "state", StateFile)
	cfg := pathsConfig(t, "")

	o1 := env.opts(cfg, night1)
	rep, err := Run(context.Background(), w.deps(), o1)
	if err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	st := record(t, path, o1, rep, nil)
	var names []string
	for _, u := range st.Units() {
		names = append(names, u.Name+"="+u.Status)
	}
	if got := strings.Join(names, " "); got != "app1=ok db1=ok old1=ok web1=ok images=ok iso=ok root=ok" {
		t.Fatalf("after a run of everything: %s", got)
	}
	if !st.VMsListed.Equal(night1) || st.LastRun.ExitCode != 0 || st.LastRun.RunID != o1.RunID || st.Pool == nil || st.Pool.Health != zfs.PoolOnline {
		t.Fatalf("state %+v, last run %+v, pool %+v", st, st.LastRun, st.Pool)
	}
	// Of each disk, the mode and byte counts the metrics show; not every counter.
	if v := stateVM(st, "web1"); v.DatedSnapshots != 1 || !v.LastSuccess.Equal(night1) || len(v.Disks) != 1 ||
		v.Disks[0].Stats.Mode != "compare" || v.Disks[0].Stats.SrcRead != 7 || v.Disks[0].Tracking != "cbt: base missing" {
		t.Errorf("web1 in the state: %+v", v)
	}

	w.setData("web1", "web1 v2")
	o2 := env.opts(cfg, night2, "web1")
	rep, err = Run(context.Background(), w.deps(), o2)
	if err != nil || !rep.OK() {
		t.Fatalf("night 2, --vm web1: %v %+v", err, rep)
	}
	st = record(t, path, o2, rep, nil)
	web1, db1 := stateVM(st, "web1"), stateVM(st, "db1")
	if web1.RunID != o2.RunID || !web1.LastSuccess.Equal(night2) || web1.DatedSnapshots != 2 {
		t.Errorf("web1 after run --vm web1: %+v", web1)
	}
	if db1 == nil || db1.RunID != o1.RunID || !db1.LastSuccess.Equal(night1) || statePathOf(st, "root") == nil {
		t.Errorf("run --vm web1 dropped or changed the others: db1 %+v, paths %d", db1, len(st.Paths))
	}
	if !reflect.DeepEqual(st.LastRun.VMs, []string{"web1"}) || !st.VMsListed.Equal(night1) {
		t.Errorf("last run %+v, VMs listed %v", st.LastRun, st.VMsListed)
	}
	metrics := filepath.Join(env.dir, "kvmbackup.prom")
	if err := RenderMetrics(metrics, st); err != nil {
		t.Fatal(err)
	}
	m, _ := os.ReadFile(metrics)
	for _, want := range []string{
		fmt.Sprintf(`kvmbackup_vm_last_success_timestamp_seconds{vm="web1"} %d`, night2.Unix()),
		fmt.Sprintf(`kvmbackup_vm_last_success_timestamp_seconds{vm="db1"} %d`, night1.Unix()),
		`kvmbackup_vm_snapshots{vm="web1"} 2`, `kvmbackup_path_snapshots{path="iso"} 1`, "kvmbackup_run_success 1",
	} {
		if !strings.Contains(string(m), want) {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}

	// The config now lists web1, db1 and new9 and drops the iso entry; a run that
	// cannot start (the lock held) records only itself.
	cfg3 := configWith(t, "vms: [{name: web1}, {name: db1}, {name: new9}]\npaths: [{name: root, path: /srv/root}, {name: images, volume: vg0/images}]\n")
	lock, err := Lock(filepath.Join(env.dir, "run.lock"))
	if err != nil {
		t.Fatal(err)
	}
	o3 := env.opts(cfg3, night3)
	rep, err = Run(context.Background(), w.deps(), o3)
	lock.Unlock()
	var envErr *EnvError
	if !errors.As(err, &envErr) || envErr.Reason != ReasonLock || rep == nil {
		t.Fatalf("lock held: %v (%+v), report %v", err, envErr, rep)
	}
	st = record(t, path, o3, rep, err)
	names = nil
	for _, u := range st.Units() {
		names = append(names, u.Name+"="+u.Status)
	}
	if got := strings.Join(names, " "); got != "db1=ok new9=never web1=ok images=ok root=ok" {
		t.Errorf("after the config changed: %s", got)
	}
	if lr := st.LastRun; lr.ExitCode != 2 || lr.Reason != ReasonLock || !strings.Contains(lr.Error, "run.lock") || stateVM(st, "web1").RunID != o2.RunID {
		t.Errorf("last run %+v", lr)
	}

	back, err := LoadState(path)
	if err != nil || !reflect.DeepEqual(back, st) {
		t.Errorf("the state file reads back otherwise: %v\n%+v\n%+v", err, back, st)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v %v, want 0600", path, fi.Mode().Perm(), err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if st, err := LoadState(path); err == nil || !strings.Contains(err.Error(), path) || st == nil || len(st.VMs) != 0 {
		t.Errorf("a corrupt state file: %v %+v", err, st)
	}
}

// Each way a run cannot start says why, from a closed set, with what it found until
// then; a DEGRADED pool is a warning and the run goes on; FAULTED stops it.
func TestRunStopsWithAReason(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(w *world, o *Options) func()
		reason string
		health string
	}{
		{"lock held", func(w *world, o *Options) func() {
			l, err := Lock(o.LockPath)
			if err != nil {
				panic(err)
			}
			return func() { l.Unlock() }
		}, ReasonLock, ""},
		{"pool faulted", func(w *world, o *Options) func() {
			w.checkTarget = func(r *zfs.TargetReport) {
				r.Health = zfs.PoolFaulted
				r.Problems = []zfs.Problem{{What: "pool backup is FAULTED", Fix: "see zpool status"}}
			}
			return nil
		}, ReasonTarget, zfs.PoolFaulted},
		{"pool missing", func(w *world, o *Options) func() {
			w.checkTarget = func(r *zfs.TargetReport) {
				r.Health = ""
				r.Problems = []zfs.Problem{{What: "pool backup does not exist or is not imported", Fix: "zpool import"}}
			}
			return nil
		}, ReasonTarget, zfs.PoolMissing},
		{"unknown --vm", func(w *world, o *Options) func() { o.VMs = []string{"nosuch"}; return nil }, ReasonSelection, zfs.PoolOnline},
		{"interrupted", func(w *world, o *Options) func() { return nil }, ReasonInterrupted, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := scene(t)
			env := runEnv{t.TempDir()}
			o := env.opts(testConfig(t), night1)
			if undo := tc.setup(w, &o); undo != nil {
				defer undo()
			}
			ctx, cancel := context.WithCancel(context.Background())
			if tc.reason == ReasonInterrupted {
				cancel()
			}
			defer cancel()
			rep, err := Run(ctx, w.deps(), o)
			var env2 *EnvError
			if !errors.As(err, &env2) || env2.Reason != tc.reason || rep == nil {
				t.Fatalf("err %v (%+v), report %v: want reason %s", err, env2, rep, tc.reason)
			}
			if tc.health == "" && rep.Pool != nil || tc.health != "" && (rep.Pool == nil || rep.Pool.Health != tc.health) {
				t.Errorf("pool %+v, want %q", rep.Pool, tc.health)
			}
		})
	}

	// DEGRADED: the night runs, with a warning in the report, its table and JSON.
	w := scene(t)
	w.checkTarget = func(r *zfs.TargetReport) {
		r.Health = zfs.PoolDegraded
		r.Warnings = []zfs.Problem{{What: "pool backup is DEGRADED: a device is missing or failing", Fix: "zpool status -x backup"}}
	}
	env := runEnv{t.TempDir()}
	rep, err := Run(context.Background(), w.deps(), env.opts(testConfig(t), night1))
	if err != nil || !rep.OK() || len(rep.Warnings) != 1 || rep.Pool.Health != zfs.PoolDegraded || rep.Reason() != "" {
		t.Fatalf("degraded pool: %v %+v", err, rep)
	}
	checkWorld(t, w, map[string]string{"web1": "web1 v1", "old1": "old1 v1", "db1": "db1 v1", "app1": "app1 v1"}, nil)
	var b strings.Builder
	RenderTable(&b, rep)
	if !strings.Contains(b.String(), "warning: pool backup is DEGRADED") {
		t.Errorf("the table does not show the warning:\n%s", b.String())
	}
	if out := rep.Outcome(); len(out.Warnings) != 1 || out.Reason != "" {
		t.Errorf("outcome %+v", out)
	}
}

// A run that went through says why it failed: units before prune before other errors.
func TestReportReason(t *testing.T) {
	ok := &Report{VMs: []*VMResult{{Result: Result{Status: StatusOK}}}}
	units := &Report{VMs: []*VMResult{{Result: Result{Status: StatusFailed}}}, Errors: []string{"prune: x"}}
	prune := &Report{VMs: ok.VMs, Errors: []string{"recover: y", "prune: x"}}
	other := &Report{VMs: ok.VMs, Errors: []string{"recover: y"}}
	inter := &Report{VMs: units.VMs, Interrupted: true}
	for r, want := range map[*Report]string{ok: "", units: ReasonUnits, prune: ReasonPrune, other: ReasonOther, inter: ReasonInterrupted} {
		if got := r.Reason(); got != want {
			t.Errorf("%+v: reason %q, want %q", r, got, want)
		}
	}
}

// Metrics never lie: a run of everything that is interrupted still knows each
// unit's newest dated snapshot (its report, its state, its metrics), and a run that
// could not read them keeps what the state knew: never "0, never backed up" for a
// VM with backups. (The e2e's SIGTERM'd night wrote last_success 0 and snapshots 0
// for both its VMs.)
func TestInterruptedRunKeepsLastSuccess(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	path := filepath.Join(env.dir, "state", StateFile)
	cfg := testConfig(t)
	o1 := env.opts(cfg, night1)
	rep, err := Run(context.Background(), w.deps(), o1)
	if err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	record(t, path, o1, rep, nil)

	ctx, cancel := context.WithCancel(context.Background())
	w.onThaw = func([]string) { cancel() } // SIGTERM in the first group's window
	o2 := env.opts(cfg, night2)
	rep, err = Run(ctx, w.deps(), o2)
	if err != nil || !rep.Interrupted {
		t.Fatalf("night 2: %v %+v", err, rep)
	}
	for _, v := range rep.VMs {
		if !v.LastSuccess.Equal(night1) || v.DatedSnapshots != 1 {
			t.Errorf("report: %s: last success %v, %d dated snapshots; want night 1's, 1", v.Name, v.LastSuccess, v.DatedSnapshots)
		}
		v.LastSuccess, v.DatedSnapshots = time.Time{}, 0 // as a run that could not read them
	}
	st := record(t, path, o2, rep, nil)
	for _, v := range st.VMs {
		if !v.LastSuccess.Equal(night1) || v.DatedSnapshots != 1 {
			t.Errorf("state: %s: last success %v, %d dated snapshots; want night 1's, 1", v.Name, v.LastSuccess, v.DatedSnapshots)
		}
	}
}

// The state file's lock: a second writer waits until the first has saved.
func TestLockStateSerializesWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", StateFile)
	unlock, err := LockState(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		u, err := LockState(path)
		if err != nil {
			t.Error(err)
		} else {
			u()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a second writer took the state file's lock while the first held it")
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the second writer did not get the lock once it was released")
	}
	if fi, err := os.Stat(path + ".lock"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v %v", fi, err)
	}
}

// UpdateState: record merges into the loaded state, which is saved before saved sees
// it; a record that refuses (a state file that does not load) leaves the file as it is.
func TestUpdateState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", StateFile)
	var savedErr error = errors.New("saved not called")
	err := UpdateState(path, func(st *State, err error) error {
		if err != nil {
			t.Errorf("a missing state file: %v", err)
		}
		st.LastRun = &RunOutcome{RunID: "run1"}
		return nil
	}, func(st *State, err error) error {
		savedErr = err
		return nil
	})
	if err != nil || savedErr != nil {
		t.Fatalf("UpdateState: %v, saved given %v", err, savedErr)
	}
	if st, err := LoadState(path); err != nil || st.LastRun == nil || st.LastRun.RunID != "run1" {
		t.Fatalf("saved state: %+v %v", st, err)
	}
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("not overwritten")
	err = UpdateState(path, func(st *State, err error) error {
		if err == nil || st == nil || st.LastRun != nil {
			t.Errorf("a state file that does not parse: %+v %v", st, err)
		}
		return refused
	}, func(*State, error) error {
		t.Error("saved called after record refused")
		return nil
	})
	if !errors.Is(err, refused) {
		t.Errorf("UpdateState = %v, want record's error", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "not json" {
		t.Errorf("state file after a refused record: %q %v", b, err)
	}
}
