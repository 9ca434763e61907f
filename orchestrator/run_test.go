package orchestrator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/zfs"
)

var (
	night1 = time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	night2 = night1.Add(24 * time.Hour)
	night3 = night2.Add(24 * time.Hour)
)

func testConfig(t *testing.T) *config.Config {
	t.Helper()
	return configWith(t, `exclude: ["test-*"]
`)
}

// configWith is the tests' target, quiesce and retention with more YAML appended
// (vms:, paths:, exclude:).
func configWith(t *testing.T, more string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(`
target:
  dataset: backup/vms
quiesce:
  mode: sysrq-suspend
  settle: 0s
retention:
  keep-last: 2
  keep-hourly: 0
  keep-daily: 0
  keep-weekly: 0
`+more), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// scene: web1 (block, running), old1 (block, shut off), db1 and app1 (images on the
// shared LV vg0/images: one group), test-x (excluded).
func scene(t *testing.T) *world {
	w := newWorld(t)
	w.thinVM("web1", hypervisor.StateRunning, "web1 v1")
	w.blockVM("old1", hypervisor.StateShutoff, "old1 v1")
	w.fileVM("db1", "db1 v1")
	w.fileVM("app1", "app1 v1")
	w.blockVM("test-x", hypervisor.StateRunning, "never backed up")
	return w
}

func (w *world) setData(vm, data string) {
	if l := w.lvs["vg0/"+vm]; l != nil {
		l.data = []byte(data)
		return
	}
	w.lvs["vg0/images"].files[vm+".raw"] = []byte(data)
}

func (w *world) data(vm string) string {
	if l := w.lvs["vg0/"+vm]; l != nil {
		return string(l.data)
	}
	return string(w.lvs["vg0/images"].files[vm+".raw"])
}

type runEnv struct {
	dir string
}

func (e runEnv) opts(cfg *config.Config, at time.Time, vms ...string) Options {
	return Options{Config: cfg, VMs: vms, RunID: at.Format("20060102T150405Z"), Now: func() time.Time { return at },
		JournalDir: filepath.Join(e.dir, "journal"), LockPath: filepath.Join(e.dir, "run.lock"), Version: "test",
		Location: time.UTC, FillInterval: time.Millisecond}
}

func TestRunBacksUpEveryGroup(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	cfg := testConfig(t)
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	RenderTable(&buf, rep)
	t.Logf("\n%s", buf.String())
	if !rep.OK() || len(rep.VMs) != 4 {
		t.Fatalf("report not OK: %+v", rep)
	}
	if len(rep.Plan.Groups) != 3 {
		t.Fatalf("want 3 groups (web1; old1; db1+app1), got %d", len(rep.Plan.Groups))
	}
	for _, g := range rep.Plan.Groups {
		if names := groupNames(g); strings.Contains(names, "db1") && names != "app1, db1" {
			t.Errorf("db1 and app1 share vg0/images: group %q", names)
		}
	}
	checkWorld(t, w, map[string]string{"web1": "web1 v1", "old1": "old1 v1", "db1": "db1 v1", "app1": "app1 v1"}, nil)
	for _, v := range rep.VMs {
		if v.Snapshot != v.Dataset+"@"+zfs.SnapshotName(night1) || v.LastSuccess != night1 {
			t.Errorf("%s: snapshot %q, last success %v", v.Name, v.Snapshot, v.LastSuccess)
		}
		if v.Name == "old1" && v.Pause != 0 {
			t.Errorf("old1 is shut off, yet paused %v", v.Pause)
		}
		if v.Name == "web1" && (v.Pause == 0 || v.Quiesce != hypervisor.ModeSysrqSuspend) {
			t.Errorf("web1: pause %v, quiesce %s", v.Pause, v.Quiesce)
		}
	}
	if _, err := os.Stat(filepath.Join(env.dir, "journal", rep.RunID+".journal")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a clean run's journal stays: %v", err)
	}
	meta, err := os.ReadFile(filepath.Join(w.datasets["backup/vms/db1"].dir, "kvmbackup.json"))
	if err != nil || !strings.Contains(string(meta), `"volume": "vg0/images"`) || !strings.Contains(string(meta), `"mode": "file"`) {
		t.Errorf("kvmbackup.json: %v\n%s", err, meta)
	}

	// Night 2, 3: retention keep-last 2 prunes the first night's snapshots.
	w.setData("web1", "web1 v2")
	if rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night2)); err != nil || !rep.OK() {
		t.Fatalf("night 2: %v %+v", err, rep)
	}
	if rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night3)); err != nil || !rep.OK() {
		t.Fatalf("night 3: %v %+v", err, rep)
	}
	if got := len(w.datasets["backup/vms/web1"].snaps); got != 2 {
		t.Errorf("keep-last 2: web1 has %d snapshots", got)
	}
	if w.datasets["backup/vms/web1"].snaps[0].s.Name != zfs.SnapshotName(night2) {
		t.Errorf("oldest kept %s, want night 2", w.datasets["backup/vms/web1"].snaps[0].s.Name)
	}
}

func TestRunOneVMAndDryRun(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	cfg := testConfig(t)
	rep, err := Run(context.Background(), w.deps(), Options(func() Options { o := env.opts(cfg, night1, "app1"); o.DryRun = true; return o }()))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	RenderPlan(&buf, rep.Plan)
	t.Logf("\n%s", buf.String())
	// --vm app1 plans app1 alone (db1 is not asked for, though it shares the LV).
	if len(rep.VMs) != 1 || !strings.Contains(buf.String(), "vg0/images:app1.raw") || !strings.Contains(buf.String(), "backup/vms/app1/vda.raw") {
		t.Fatalf("plan:\n%s", buf.String())
	}
	for _, c := range w.log {
		if mutating(c) {
			t.Errorf("dry run made a change: %s", c)
		}
	}
	for _, bad := range [][]string{{"nosuch"}, {"test-x"}} {
		w.log = nil
		_, err := Run(context.Background(), w.deps(), env.opts(cfg, night1, bad...))
		var env *EnvError
		if !errors.As(err, &env) || !errors.Is(err, ErrBadSelection) || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("--vm %s: %v", bad[0], err)
		}
		for _, c := range w.log {
			if mutating(c) && !strings.HasPrefix(c, "Recover") && !strings.HasPrefix(c, "LVM Cleanup") {
				t.Errorf("--vm %s made a change: %s", bad[0], c)
			}
		}
	}
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night1, "app1"))
	if err != nil || !rep.OK() || len(w.datasets["backup/vms/app1"].snaps) != 1 || w.datasets["backup/vms/db1"] != nil {
		t.Fatalf("run --vm app1: %v %+v", err, rep)
	}
}

func TestRunRefusesWhenLocked(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	o := env.opts(testConfig(t), night1)
	l, err := Lock(o.LockPath)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	_, err = Run(context.Background(), w.deps(), o)
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || len(w.log) != 0 {
		t.Fatalf("second run: %v, calls %v", err, w.log)
	}
}

func mutating(call string) bool {
	for _, p := range []string{"Freeze", "Thaw", "Snapshot ", "MountSnapshot", "Unmount", "Remove", "EnsureDataset", "TakeSnapshot", "Rollback", "Destroy", "Copy", "Recover", "LVM Cleanup"} {
		if strings.HasPrefix(call, p) {
			return true
		}
	}
	return false
}

// checkWorld checks the invariants: no VM paused or marked, no LVM snapshot or
// mount, and each VM's live dataset equal to its newest dated snapshot, whose image
// holds want[vm]. VMs in failed have no dated snapshot of night2.
func checkWorld(t *testing.T, w *world, want map[string]string, failedVMs []string) {
	t.Helper()
	for n, d := range w.doms {
		if d.paused || d.mark != "" {
			t.Errorf("VM %s left paused=%v mark=%q", n, d.paused, d.mark)
		}
	}
	for k, l := range w.lvs {
		if l.lv.Origin != "" && !l.lv.IsBase() {
			t.Errorf("LVM snapshot %s left", k)
		}
	}
	for pool := range w.metaHeld {
		t.Errorf("thin pool %s: metadata snapshot left reserved", pool)
	}
	for dir := range w.mounts {
		t.Errorf("mount %s left", dir)
	}
	for vm, data := range want {
		d := w.datasets["backup/vms/"+vm]
		if d == nil {
			if data != "" {
				t.Errorf("%s: no dataset, want a backup of %q", vm, data)
			}
			continue
		}
		live := readTree(d.dir)
		if len(d.snaps) == 0 {
			t.Errorf("%s: a dataset without any complete backup: %v", vm, live)
			continue
		}
		newest := d.snaps[len(d.snaps)-1]
		if fmt.Sprint(live) != fmt.Sprint(newest.files) {
			t.Errorf("%s: live dataset %v differs from its newest snapshot %s %v", vm, live, newest.s.Name, newest.files)
		}
		if newest.files["vda.raw"] != data {
			t.Errorf("%s: newest backup %s holds %q, want %q", vm, newest.s.Name, newest.files["vda.raw"], data)
		}
		if newest.files["domain.xml"] == "" || newest.files["kvmbackup.json"] == "" || newest.files[".manifest/vda.raw"] == "" {
			t.Errorf("%s: backup %s lacks domain.xml, kvmbackup.json or its manifest: %v", vm, newest.s.Name, newest.files)
		}
	}
	for _, vm := range failedVMs {
		if d := w.datasets["backup/vms/"+vm]; d != nil {
			for _, s := range d.snaps {
				if s.s.Name == zfs.SnapshotName(night2) {
					t.Errorf("%s failed, yet has a dated snapshot of that run", vm)
				}
			}
		}
	}
}

// TestRunFaultAtEveryStep injects a fault at every call a run makes, in each of three
// ways: an error, a cancelled run (SIGTERM), a crash (SIGKILL: nothing more takes
// effect). After an error or a cancel the run itself leaves no VM paused, no snapshot
// or mount, and failed VMs rolled back (or, when the fault hit the undo step itself,
// the next run's recover finishes the job); after a crash, recover does. Every VM
// whose backup did not complete has no dated snapshot, and its live dataset equals
// its last complete backup; the VMs the fault did not touch are backed up; a clean
// run afterwards backs up everything.
func TestRunFaultAtEveryStep(t *testing.T) {
	cfg := testConfig(t)
	// Count the calls of a clean second night.
	base := func(t *testing.T) (*world, runEnv) {
		w := scene(t)
		w.fileVM("new1", "new1 v1") // joins the images group; never backed up before night 2
		delete(w.doms, "new1")
		env := runEnv{t.TempDir()}
		if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
			t.Fatalf("night 1: %v %+v", err, rep)
		}
		w.fileVM("new1", "new1 v1")
		for _, vm := range []string{"web1", "old1", "db1", "app1", "new1"} {
			w.setData(vm, vm+" v2")
		}
		w.calls, w.log = 0, nil
		return w, env
	}
	w, env := base(t)
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night2)); err != nil || !rep.OK() {
		t.Fatalf("clean night 2: %v %+v", err, rep)
	}
	total := w.calls
	t.Logf("a clean run makes %d calls: %s", total, strings.Join(w.log, "; "))
	undo := []string{"Thaw", "Remove", "Unmount", "Rollback", "DestroyNewDataset", "WatchStop"}

	for _, mode := range []faultMode{faultError, faultCancel, faultCrash} {
		for n := 1; n <= total; n++ {
			t.Run(fmt.Sprintf("%s/%d", mode, n), func(t *testing.T) {
				w, env := base(t)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				w.failAt, w.mode, w.cancel = n, mode, cancel
				rep, err := Run(ctx, w.deps(), env.opts(cfg, night2))
				t.Logf("fault (%s) in call %d: %s", mode, n, w.failed)
				if len(w.misuse) > 0 {
					t.Errorf("calls no real component accepts: %v", w.misuse)
				}
				var ee *EnvError
				if err != nil && !errors.As(err, &ee) {
					t.Fatalf("a run's error must be an *EnvError: %v", err)
				}
				// A fault in changed-block tracking costs a whole compare, not the
				// backup (Base, ThinDelta, KeepAsBase; the Snapshots it reads).
				if err == nil && rep.OK() && w.failed != "" && !slicesHasPrefix([]string{"Snapshots ", "Destroy ", "Base ", "ThinDelta ", "KeepAsBase "}, w.failed) {
					t.Errorf("fault in %s, yet the run reports success", w.failed)
				}
				if err == nil && (mode == faultError || mode == faultCancel) && !slicesHasPrefix(undo, w.failed) {
					checkRunEnd(t, w, rep)
				}
				if err == nil && mode == faultError {
					checkOthersBackedUp(t, rep)
				}
				// The next run's recover, which reads only the journals (no journal,
				// no sweep), leaves no VM paused, no snapshot or mount, and every
				// dataset equal to its last complete backup: night 2's where its
				// dated snapshot was taken, else night 1's (new1: none). Whatever the
				// run could not undo, its journal says.
				w.crashed, w.failAt = false, 0
				if _, err := Recover(context.Background(), w.deps(), RecoverOptions{JournalDir: filepath.Join(env.dir, "journal"), Root: "backup/vms", JournalOnly: true}); err != nil {
					t.Fatalf("recover: %v", err)
				}
				want := map[string]string{}
				var failed []string
				for _, vm := range []string{"web1", "old1", "db1", "app1", "new1"} {
					want[vm] = vm + " v1"
					if d := w.datasets["backup/vms/"+vm]; d != nil && len(d.snaps) > 0 && d.snaps[len(d.snaps)-1].s.Name == zfs.SnapshotName(night2) {
						want[vm] = vm + " v2"
						continue
					} else if vm == "new1" {
						want[vm] = ""
					}
					failed = append(failed, vm)
				}
				checkWorld(t, w, want, failed)
				if left, err := Leftovers(filepath.Join(env.dir, "journal")); err != nil || len(left) != 0 {
					t.Errorf("journals left after recover: %v %+v", err, left)
				}
				// The next run backs up every VM.
				rep2, err := Run(context.Background(), w.deps(), env.opts(cfg, night3))
				if err != nil || !rep2.OK() {
					var b bytes.Buffer
					if rep2 != nil {
						RenderTable(&b, rep2)
					}
					t.Fatalf("the run after the fault: %v\n%s", err, b.String())
				}
				checkWorld(t, w, map[string]string{"web1": "web1 v2", "old1": "old1 v2", "db1": "db1 v2", "app1": "app1 v2", "new1": "new1 v2"}, nil)
			})
		}
	}
}

// checkRunEnd checks what a run that met an error or a cancel left, before any
// recovery: the invariants, each failed VM rolled back to night 1 (new1: no dataset),
// each ok VM backed up with night 2's data.
func checkRunEnd(t *testing.T, w *world, rep *Report) {
	t.Helper()
	want := map[string]string{}
	var failed []string
	for _, v := range rep.VMs {
		switch {
		case v.Status == StatusOK:
			want[v.Name] = v.Name + " v2"
		case v.Name == "new1":
			want[v.Name] = ""
			failed = append(failed, v.Name)
		default:
			want[v.Name] = v.Name + " v1"
			failed = append(failed, v.Name)
		}
		if v.Status != StatusOK && v.Status != StatusFailed && v.Status != StatusPlanned {
			t.Errorf("%s: status %s at the end of a run", v.Name, v.Status)
		}
	}
	if len(rep.VMs) == 0 {
		return // the plan itself failed: nothing was touched
	}
	checkWorld(t, w, want, failed)
}

func slicesHasPrefix(prefixes []string, s string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// checkOthersBackedUp: one error fails at most the VMs of one group (or one VM the
// plan could not resolve); every other VM is backed up.
func checkOthersBackedUp(t *testing.T, rep *Report) {
	t.Helper()
	failed := map[string]bool{}
	for _, v := range rep.VMs {
		if v.Status != StatusOK {
			failed[v.Name] = true
		}
	}
	if len(failed) == 0 {
		return
	}
	var groups [][]*VMPlan
	for _, g := range rep.Plan.Groups {
		groups = append(groups, g.VMs)
	}
	for _, vm := range rep.Plan.Failed {
		groups = append(groups, []*VMPlan{vm})
	}
	for _, g := range groups {
		in := 0
		for _, vm := range g {
			if failed[vm.Name] {
				in++
			}
		}
		if in == len(failed) {
			return
		}
	}
	t.Errorf("one fault failed VMs of several groups: %v", failed)
}

// What a run writes is root's alone, whatever the umask: domain.xml holds VNC/SPICE
// passwords, kvmbackup.json, the metrics and state files name every VM and volume,
// the journal what was paused.
func TestHostileRunWritesPrivateFiles(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()} // 0700 (the run lock's directory: refused when others may write it)
	defer unix.Umask(unix.Umask(0))
	cfg := testConfig(t)
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1))
	if err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	metrics := filepath.Join(env.dir, "kvmbackup.prom")
	if err := RenderMetrics(metrics, stateOf(cfg, rep)); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(env.dir, "state", StateFile)
	if err := stateOf(cfg, rep).Save(state); err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(filepath.Join(env.dir, "journal"), "r9")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	want := map[string]os.FileMode{metrics: 0o600, state: 0o600, filepath.Dir(state): 0o700, filepath.Join(env.dir, "journal"): 0o700, filepath.Join(env.dir, "journal", "r9.journal"): 0o600}
	for _, vm := range []string{"web1", "db1"} {
		d := w.datasets["backup/vms/"+vm].dir
		want[filepath.Join(d, "domain.xml")] = 0o600
		want[filepath.Join(d, "kvmbackup.json")] = 0o600
		want[filepath.Join(d, manifestDir)] = 0o700
	}
	for p, mode := range want {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v (%v), want %o", p, fi.Mode().Perm(), err, mode)
		}
	}
}

// A run sweeps VMs and LVM volumes for what an earlier run left only when a journal
// is left: a clean night sweeps nothing; a night whose resume failed keeps its
// journal (the VM stays paused and marked); the next run sweeps, and when its sweep
// fails the journal still stays; the run after that resumes the VM and removes it.
func TestRunSweepsOnlyWhatAJournalNames(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	cfg := testConfig(t)
	jdir := filepath.Join(env.dir, "journal")
	swept := func() bool {
		return slices.ContainsFunc(w.log, func(c string) bool { return c == "Recover" || c == "LVM Cleanup" })
	}
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1))
	if err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	if swept() {
		t.Errorf("a run with no journal left swept VMs or LVM: %v", w.log)
	}

	w.log, w.failOn, w.mode = nil, "Thaw", faultError
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night2))
	if err != nil || rep.OK() {
		t.Fatalf("night 2 (resume fails): %v, ok %v", err, rep.OK())
	}
	var paused []string
	for n, d := range w.doms {
		if d.paused {
			paused = append(paused, n)
		}
	}
	left, err := Leftovers(jdir)
	if err != nil || len(left) != 1 || !slices.ContainsFunc(left[0].Pending, func(e Entry) bool { return e.Op == OpFreeze }) || len(paused) == 0 {
		t.Fatalf("a run that could not resume %v must keep its journal with the freeze pending: %v %+v", paused, err, left)
	}

	// A freeze that fails and cannot resume what it paused keeps the journal too.
	w.log, w.failOn, w.freezeStrands = nil, "Freeze", true
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night2.Add(time.Hour)))
	if err != nil || rep.OK() {
		t.Fatalf("night 2b (freeze fails, VMs stranded): %v, ok %v", err, rep.OK())
	}
	w.freezeStrands = false
	// (night 2's journal was swept and closed by this run's recover)
	left, err = Leftovers(jdir)
	if err != nil || len(left) != 1 || left[0].RunID != rep.RunID || !slices.ContainsFunc(left[0].Pending, func(e Entry) bool { return e.Op == OpFreeze }) {
		t.Fatalf("a run whose failed freeze left VMs paused must keep its journal: %v %+v", err, left)
	}
	for n, d := range w.doms {
		if d.paused && !slices.Contains(paused, n) {
			paused = append(paused, n)
		}
	}

	w.log, w.failOn = nil, "Recover"
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night3))
	if err != nil {
		t.Fatalf("night 3 (the sweep fails): %v", err)
	}
	if !swept() {
		t.Errorf("a run with a journal left did not sweep: %v", w.log)
	}
	if left, err := Leftovers(jdir); err != nil || len(left) == 0 {
		t.Fatalf("the sweep failed, yet the journal naming the paused VMs %v is gone: %v", paused, err)
	}

	w.log, w.failOn = nil, ""
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night3.Add(time.Hour)))
	if err != nil || !rep.OK() {
		t.Fatalf("night 4: %v %+v", err, rep)
	}
	if left, err := Leftovers(jdir); err != nil || len(left) != 0 {
		t.Errorf("journals left after a clean recover: %v %+v", err, left)
	}
	for _, n := range paused {
		if d := w.doms[n]; d.paused || d.mark != "" {
			t.Errorf("VM %s still paused (%v) or marked (%q)", n, d.paused, d.mark)
		}
	}
	if len(rep.Recovered.VMs) == 0 {
		t.Errorf("night 4 reports no VM resumed: %+v", rep.Recovered)
	}

	// A journal that leaves only a dataset to roll back (a crash while a tree was
	// copied) is recovered without asking libvirt or LVM anything.
	j, err := OpenJournal(jdir, "crashed-copy")
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Record(OpDirty, "backup/vms/web1", ""); err != nil {
		t.Fatal(err)
	}
	j.Close()
	w.log = nil
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night3.Add(2*time.Hour)))
	if err != nil || !rep.OK() || !slices.Contains(rep.Recovered.Runs, "crashed-copy") {
		t.Fatalf("night 5: %v, recovered %+v", err, rep.Recovered)
	}
	if swept() {
		t.Errorf("a journal with only a dataset pending made the run sweep VMs or LVM: %v", w.log)
	}
}
