package orchestrator

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// failCopyAfterForeign makes the copy into vm's dataset fail (mode) just after
// another tool took the snapshot name of that dataset: the snapshot the unit's
// rollback would have to destroy.
func (w *world) failCopyAfterForeign(vm, name string, mode faultMode) {
	w.failCopyIntoAfterForeign("backup/vms/"+vm, name, mode)
}

// failCopyIntoAfterForeign: the same for the copy or tree sync into dataset ds.
func (w *world) failCopyIntoAfterForeign(ds, name string, mode faultMode) {
	var once sync.Once // copies run side by side: the hook is never changed while they do
	w.beforeCopy = func(src, dst string) {
		if dst != filepath.Join(w.root, ds) && !strings.HasPrefix(dst, filepath.Join(w.root, ds)+"/") {
			return
		}
		once.Do(func() {
			w.foreignSnap(ds, name)
			w.mu.Lock()
			w.failAt, w.mode = w.calls+1, mode
			w.mu.Unlock()
		})
	}
}

func vmResult(t *testing.T, rep *Report, name string) *VMResult {
	t.Helper()
	for _, v := range rep.VMs {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no result for %s in %+v", name, rep.VMs)
	return nil
}

func noLeftovers(t *testing.T, env runEnv, when string) {
	t.Helper()
	left, err := Leftovers(filepath.Join(env.dir, "journal"))
	if err != nil || len(left) != 0 {
		t.Errorf("%s: journals left: %+v %v", when, left, err)
	}
}

const autosnap = "autosnap_2026-11-24_02:00:00_hourly"

// TestForeignSnapshotStopsOnlyItsUnitsRollback: another tool snapshots web1's
// dataset while night 2 writes it, then web1's copy fails. Its rollback would
// destroy that snapshot: web1 alone is refused, its result says why and what the
// admin can do, nothing is destroyed, the journal is closed (no later night is
// blocked), the rest of the night is backed up, and night 3 backs web1 up whole;
// prune (night 4) never touches the foreign snapshot.
func TestForeignSnapshotStopsOnlyItsUnitsRollback(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	cfg := testConfig(t)
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	w.setData("web1", "web1 v2")
	w.setData("db1", "db1 v2")
	w.failCopyAfterForeign("web1", autosnap, faultError)
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night2))
	if err != nil {
		t.Fatal(err)
	}
	web1 := vmResult(t, rep, "web1")
	t.Logf("web1: %s", web1.Error)
	if web1.Status != StatusFailed || web1.RolledBackTo != "" {
		t.Fatalf("web1: %s, rolled back to %q", web1.Status, web1.RolledBackTo)
	}
	for _, want := range []string{"injected failure", "backup/vms/web1", "not rolled back", autosnap, "not made by kvmbackup",
		zfs.SnapshotName(night1), "next backup"} {
		if !strings.Contains(web1.Error, want) {
			t.Errorf("web1's error lacks %q: %s", want, web1.Error)
		}
	}
	for _, v := range rep.VMs {
		if v.Name != "web1" && v.Status != StatusOK {
			t.Errorf("%s: %s %q: one VM's refused rollback stopped another", v.Name, v.Status, v.Error)
		}
	}
	for _, e := range rep.Errors {
		t.Errorf("night 2's report has an error of the run: %s", e)
	}
	if got, want := w.snapNames("backup/vms/web1"), []string{zfs.SnapshotName(night1), autosnap}; !slices.Equal(got, want) {
		t.Fatalf("web1's snapshots after night 2: %q, want %q", got, want)
	}
	noLeftovers(t, env, "night 2")

	w.setData("web1", "web1 v3")
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night3))
	if err != nil || !rep.OK() || !rep.Recovered.Empty() {
		t.Fatalf("night 3: %v %+v (recovered %+v)", err, rep, rep.Recovered)
	}
	if v := vmResult(t, rep, "web1"); v.Written == 0 || v.Snapshot != "backup/vms/web1@"+zfs.SnapshotName(night3) ||
		v.DatedSnapshots != 2 || !v.LastSuccess.Equal(night3) {
		t.Errorf("night 3's web1: written %d, snapshot %q, %d dated snapshots, last success %v", v.Written, v.Snapshot, v.DatedSnapshots, v.LastSuccess)
	}
	checkWorld(t, w, map[string]string{"web1": "web1 v3", "db1": "db1 v2", "app1": "app1 v1", "old1": "old1 v1"}, nil)
	if got, want := w.snapNames("backup/vms/web1"), []string{zfs.SnapshotName(night1), autosnap, zfs.SnapshotName(night3)}; !slices.Equal(got, want) {
		t.Fatalf("web1's snapshots after night 3: %q, want %q", got, want)
	}
	noLeftovers(t, env, "night 3")

	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night3.AddDate(0, 0, 1)))
	if err != nil || !rep.OK() {
		t.Fatalf("night 4: %v %+v", err, rep)
	}
	if got, want := w.snapNames("backup/vms/web1"), []string{autosnap, zfs.SnapshotName(night3), zfs.SnapshotName(night3.AddDate(0, 0, 1))}; !slices.Equal(got, want) {
		t.Errorf("web1's snapshots after night 4's prune (keep-last 2): %q, want %q", got, want)
	}
	if len(w.misuse) > 0 {
		t.Errorf("misuse: %q", w.misuse)
	}
}

// TestRecoverLeavesNewerForeignSnapshot: a run killed while it wrote web1, then
// another tool snapshots web1's dataset. recover does not roll over that snapshot:
// it says so, closes the journal, and the next night backs web1 up.
func TestRecoverLeavesNewerForeignSnapshot(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	cfg := testConfig(t)
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	w.setData("web1", "web1 v2")
	w.failCopyAfterForeign("web1", "autosnap_before_the_crash", faultCrash)
	Run(context.Background(), w.deps(), env.opts(cfg, night2))
	w.crashed, w.failAt = false, 0
	w.foreignSnap("backup/vms/web1", autosnap) // sanoid's next hour, before anyone noticed
	left, err := Leftovers(filepath.Join(env.dir, "journal"))
	if err != nil || len(left) != 1 || !slices.ContainsFunc(left[0].Pending, func(e Entry) bool { return e.Op == OpDirty && e.Key == "backup/vms/web1" }) {
		t.Fatalf("the killed run left %+v %v", left, err)
	}

	rec, err := Recover(context.Background(), w.deps(), RecoverOptions{JournalDir: filepath.Join(env.dir, "journal"), Root: "backup/vms"})
	if err != nil {
		t.Fatalf("recover: %v", err)
	}
	t.Logf("recovered: %q", rec.RolledBack)
	if len(rec.RolledBack) != 1 {
		t.Fatalf("recover: %q", rec.RolledBack)
	}
	for _, want := range []string{"backup/vms/web1 → ", "not rolled back", "autosnap_before_the_crash, " + autosnap, "not made by kvmbackup", "next backup"} {
		if !strings.Contains(rec.RolledBack[0], want) {
			t.Errorf("recover says %q: lacks %q", rec.RolledBack[0], want)
		}
	}
	if got, want := w.snapNames("backup/vms/web1"), []string{zfs.SnapshotName(night1), "autosnap_before_the_crash", autosnap}; !slices.Equal(got, want) {
		t.Fatalf("web1's snapshots after recover: %q, want %q", got, want)
	}
	noLeftovers(t, env, "recover")

	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night3))
	if err != nil || !rep.OK() || !rep.Recovered.Empty() {
		t.Fatalf("night 3: %v %+v", err, rep)
	}
	checkWorld(t, w, map[string]string{"web1": "web1 v2"}, nil)
	noLeftovers(t, env, "night 3")
}

// TestRunRecoversAroundNewerForeignSnapshot: the same, recover being the next
// run's first step: its report says what was left, the night is not failed for it.
func TestRunRecoversAroundNewerForeignSnapshot(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	cfg := testConfig(t)
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	w.failCopyAfterForeign("web1", autosnap, faultCrash)
	Run(context.Background(), w.deps(), env.opts(cfg, night2))
	w.crashed, w.failAt = false, 0
	w.setData("web1", "web1 v3")
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night3))
	if err != nil || !rep.OK() || len(rep.Errors) > 0 {
		t.Fatalf("night 3: %v %+v", err, rep)
	}
	if r := rep.Recovered.RolledBack; len(r) != 1 || !strings.Contains(r[0], "backup/vms/web1 → (not rolled back") || !strings.Contains(r[0], autosnap) {
		t.Errorf("night 3 recovered %q", r)
	}
	checkWorld(t, w, map[string]string{"web1": "web1 v3"}, nil)
	if got := w.snapNames("backup/vms/web1"); !slices.Contains(got, autosnap) {
		t.Errorf("web1's snapshots: %q", got)
	}
	noLeftovers(t, env, "night 3")
}

// TestForeignSnapshotOfFailedFirstBackup: new1's first backup fails after another
// tool snapshotted its new dataset: it is not destroyed (that would destroy the
// snapshot), its result says so, and the next night backs new1 up.
func TestForeignSnapshotOfFailedFirstBackup(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	cfg := testConfig(t)
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	w.blockVM("new1", hypervisor.StateRunning, "new1 v1")
	w.failCopyAfterForeign("new1", autosnap, faultError)
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night2))
	if err != nil {
		t.Fatal(err)
	}
	new1 := vmResult(t, rep, "new1")
	if new1.Status != StatusFailed || new1.RolledBackTo != "" {
		t.Fatalf("new1: %s, rolled back to %q", new1.Status, new1.RolledBackTo)
	}
	for _, want := range []string{"backup/vms/new1", "not destroyed", "first backup", autosnap, "not made by kvmbackup", "next backup"} {
		if !strings.Contains(new1.Error, want) {
			t.Errorf("new1's error lacks %q: %s", want, new1.Error)
		}
	}
	for _, e := range rep.Errors {
		t.Errorf("night 2's report has an error of the run: %s", e)
	}
	if got := w.snapNames("backup/vms/new1"); !slices.Equal(got, []string{autosnap}) {
		t.Fatalf("new1's snapshots: %q", got)
	}
	noLeftovers(t, env, "night 2")
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night3))
	if err != nil || !rep.OK() {
		t.Fatalf("night 3: %v %+v", err, rep)
	}
	checkWorld(t, w, map[string]string{"new1": "new1 v1", "web1": "web1 v1"}, nil)
	noLeftovers(t, env, "night 3")
}

// TestForeignSnapshotOfFailedTreeEntry: the same for a paths: entry copied live: its
// tree sync is cut short after another tool snapshotted its dataset; it is left as
// it is, said so, and the next night's sync makes it whole (the cut-short file gone).
func TestForeignSnapshotOfFailedTreeEntry(t *testing.T) {
	w := scene(t)
	w.trees["/srv/www"] = map[string][]byte{"index.html": []byte("v1")}
	cfg := configWith(t, "exclude: [\"test-*\"]\npaths:\n  - name: www\n    path: /srv/www\n")
	env := runEnv{t.TempDir()}
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	const ds = "backup/vms/_paths/www"
	w.trees["/srv/www"]["index.html"] = []byte("v2")
	w.failCopyIntoAfterForeign(ds, autosnap, faultError)
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night2))
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Paths[0]
	t.Logf("www: %s", p.Error)
	if p.Status != StatusFailed || p.RolledBackTo != "" || !strings.Contains(p.Error, "dataset "+ds+" not rolled back") || !strings.Contains(p.Error, autosnap) {
		t.Fatalf("www: %s, rolled back to %q: %s", p.Status, p.RolledBackTo, p.Error)
	}
	for _, v := range rep.VMs {
		if v.Status != StatusOK {
			t.Errorf("%s: %s %q", v.Name, v.Status, v.Error)
		}
	}
	if got := w.snapNames(ds); !slices.Equal(got, []string{zfs.SnapshotName(night1), autosnap}) {
		t.Fatalf("www's snapshots: %q", got)
	}
	noLeftovers(t, env, "night 2")
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night3))
	if err != nil || !rep.OK() {
		t.Fatalf("night 3: %v %+v", err, rep)
	}
	d := w.datasets[ds]
	newest := d.snaps[len(d.snaps)-1]
	if newest.s.Name != zfs.SnapshotName(night3) || newest.files["index.html"] != "v2" || newest.files["PARTIAL"] != "" {
		t.Errorf("www's newest backup %s holds %v", newest.s.Name, newest.files)
	}
	noLeftovers(t, env, "night 3")
}

// rollbackStub is the fake target whose Rollback fails with err.
type rollbackStub struct {
	fakeZFS
	err error
}

func (s rollbackStub) Rollback(context.Context, string) (zfs.Snapshot, error) {
	return zfs.Snapshot{}, s.err
}

// TestRollbackDatasetNamesWhatIsNewer: the refusal says which snapshots, and when one
// of them is a dated one made after the newest by name (the clock went back), that
// they are not all another tool's.
func TestRollbackDatasetNamesWhatIsNewer(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	if rep, err := Run(context.Background(), w.deps(), env.opts(testConfig(t), night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	const ds = "backup/vms/web1"
	for _, c := range []struct {
		newer []string
		want  string
	}{
		{[]string{autosnap}, "newer snapshots " + autosnap + " were not made by kvmbackup, and a rollback would destroy them"},
		{[]string{zfs.SnapshotName(night1.Add(-time.Hour)), autosnap}, "are dated ones made out of order"},
	} {
		e := &zfs.NewerSnapshotsError{Dataset: ds, Target: zfs.SnapshotName(night1), Newer: c.newer}
		what, err := rollbackDataset(context.Background(), rollbackStub{fakeZFS{w}, e}, ds, false)
		var kept *keptError
		if what != "" || !errors.As(err, &kept) || kept.Dataset != ds || !strings.Contains(err.Error(), c.want) ||
			!strings.Contains(err.Error(), "zfs rollback -r "+ds+"@"+zfs.SnapshotName(night1)) {
			t.Errorf("newer %q: %q %v", c.newer, what, err)
		}
	}
	// Any other failure stays an error of the rollback (the journal keeps it).
	what, err := rollbackDataset(context.Background(), rollbackStub{fakeZFS{w}, errors.New("pool I/O error")}, ds, false)
	var kept *keptError
	if what != "" || err == nil || errors.As(err, &kept) {
		t.Errorf("an I/O error: %q %v", what, err)
	}
}
