package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// callKind sorts a fake world's call as a night spends it: the freeze windows, the
// copies (and what changed-block tracking and the LVM snapshots' life need), libvirt
// (API calls, no command), or bookkeeping: every other call to the target or to LVM,
// each at least one external command on the real adapters.
func callKind(call string) string {
	name, _, _ := strings.Cut(call, " ")
	switch name {
	case "Freeze", "Thaw", "Snapshot":
		return "window"
	case "PrepareSnapshot", "ReadySnapshot", "Copy", "WatchStop", "Remove", "MountSnapshot", "Unmount", "Base", "ThinDelta", "KeepAsBase", "DropBase", "LV":
		return "copy"
	case "Domains", "DomainXML", "Recover":
		return "libvirt"
	}
	return "bookkeeping"
}

// TestNightBookkeepingGrowsByAFewCallsPerVM runs three nights of 1, 10 and 50 VMs
// (block, thin and image-file ones in turn; the third night prunes one snapshot of
// each) and counts the third night's calls by kind: the bookkeeping beyond the freeze
// windows and the copies grows by at most three calls per VM (its dataset's read before it is written,
// its dated snapshot, its prune's destroy) over a constant part.
func TestNightBookkeepingGrowsByAFewCallsPerVM(t *testing.T) {
	counts := map[int]map[string]int{}
	var table strings.Builder
	fmt.Fprintf(&table, "%4s %6s %7s %6s %8s %12s\n", "VMs", "calls", "window", "copy", "libvirt", "bookkeeping")
	for _, n := range []int{1, 10, 50} {
		w := newWorld(t)
		for i := range n {
			name := fmt.Sprintf("vm%02d", i)
			switch i % 3 {
			case 0:
				w.blockVM(name, hypervisor.StateRunning, name+" v1")
			case 1:
				w.thinVM(name, hypervisor.StateRunning, name+" v1")
			default:
				w.fileVM(name, name+" v1")
			}
		}
		env := runEnv{t.TempDir()}
		cfg := testConfig(t)
		for _, at := range []struct{ night, data string }{{"1", "v1"}, {"2", "v2"}, {"3", "v3"}} {
			w.log = nil
			for i := range n {
				name := fmt.Sprintf("vm%02d", i)
				w.setData(name, name+" "+at.data)
			}
			when := map[string]func() Options{"1": func() Options { return env.opts(cfg, night1) },
				"2": func() Options { return env.opts(cfg, night2) }, "3": func() Options { return env.opts(cfg, night3) }}[at.night]
			rep, err := Run(context.Background(), w.deps(), when())
			if err != nil || !rep.OK() || len(rep.VMs) != n {
				t.Fatalf("%d VMs, night %s: %v %+v", n, at.night, err, rep)
			}
		}
		c := map[string]int{"calls": len(w.log)}
		destroys := 0
		for _, call := range w.log {
			c[callKind(call)]++
			if strings.HasPrefix(call, "Destroy ") {
				destroys++
			}
			for _, read := range []string{"Owner ", "Claim ", "Children ", "Snapshots ", "EnsureDataset "} {
				if strings.HasPrefix(call, read) { // answered by the run's one read (ReadView)
					t.Errorf("%d VMs, night 3: %s: the target read again", n, call)
				}
			}
		}
		if destroys != n {
			t.Fatalf("%d VMs: night 3 destroyed %d snapshots, want one per VM (keep-last 2)", n, destroys)
		}
		counts[n] = c
		fmt.Fprintf(&table, "%4d %6d %7d %6d %8d %12d\n", n, c["calls"], c["window"], c["copy"], c["libvirt"], c["bookkeeping"])
	}
	t.Logf("night 3's calls by kind:\n%s", table.String())
	perVM := float64(counts[50]["bookkeeping"]-counts[10]["bookkeeping"]) / 40
	fixed := counts[1]["bookkeeping"] - int(perVM)
	if perVM > 3 || fixed > 6 {
		t.Errorf("bookkeeping: %.1f calls per VM over %d (want at most 3 per VM over at most 6)", perVM, fixed)
	}
}

// TestFreezeWindowHoldsOnlyTheLVCreates: a VM whose disks span two LVs is suspended
// (its snapshots are taken one after another), and its window holds the two
// lvcreates alone, started together: each snapshot is prepared (origin, VG room)
// before the window and read back after it.
func TestFreezeWindowHoldsOnlyTheLVCreates(t *testing.T) {
	w := newWorld(t)
	w.blockVM("two", hypervisor.StateRunning, "two v1")
	l := lvm.LV{VG: "vg0", Name: "two-data", Path: "/dev/vg0/two-data", Size: 1 << 30, Attr: "-wi-ao----"}
	w.lvs[l.FullName()] = &flv{lv: l, data: []byte("data v1")}
	d := &w.doms["two"].d
	d.Disks = append(d.Disks, hypervisor.Disk{Target: "vdb", Device: "disk", Type: "block", Source: l.Path, Format: "raw"})
	env := runEnv{t.TempDir()}
	cfg := configWith(t, "")
	cfg.Quiesce.Mode = string(hypervisor.ModeAuto)
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1))
	if err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	if q := rep.VMs[0].Quiesce; q != hypervisor.ModeSysrqSuspend {
		t.Errorf("a VM on two LVs was quiesced by %s, want %s", q, hypervisor.ModeSysrqSuspend)
	}
	var window []string
	in := false
	for _, c := range w.log {
		switch {
		case strings.HasPrefix(c, "Freeze"):
			in = true
		case strings.HasPrefix(c, "Thaw"):
			in = false
		case in:
			window = append(window, c)
		}
	}
	slices.Sort(window)
	if want := []string{"Snapshot vg0/two", "Snapshot vg0/two-data"}; !slices.Equal(window, want) {
		t.Errorf("the window held %q, want %q only\ncalls: %q", window, want, w.log)
	}
	for _, want := range []string{"PrepareSnapshot vg0/two-data", "ReadySnapshot vg0/two-data.kvmbackup-" + rep.RunID} {
		if !slices.Contains(w.log, want) {
			t.Errorf("no %q: %q", want, w.log)
		}
	}
}

// TestDatasetReplacedDuringTheNight: the run's one read of the target is hours old
// by the time a late group is prepared. A dataset another admin made again in the
// meantime, without kvmbackup's property, is not written (its files stay, it gets
// no dated snapshot); one destroyed meanwhile is made again and backed up.
func TestDatasetReplacedDuringTheNight(t *testing.T) {
	w := newWorld(t)
	for _, n := range []string{"a", "b", "c"} {
		w.blockVM(n, hypervisor.StateRunning, n+" v1")
	}
	env := runEnv{t.TempDir()}
	cfg := testConfig(t)
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	replaced := false
	w.beforeCopy = func(src, dst string) {
		if replaced || !strings.Contains(src, "vg0/a.") {
			return
		}
		replaced = true
		w.mu.Lock()
		defer w.mu.Unlock()
		b := w.datasets["backup/vms/b"]
		os.RemoveAll(b.dir)
		os.MkdirAll(b.dir, 0o755)
		os.WriteFile(filepath.Join(b.dir, "theirs.txt"), []byte("not kvmbackup's"), 0o644)
		w.datasets["backup/vms/b"] = &fds{guid: "theirs", dir: b.dir}
		os.RemoveAll(w.datasets["backup/vms/c"].dir)
		delete(w.datasets, "backup/vms/c")
	}
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night2))
	if err != nil || !replaced {
		t.Fatalf("night 2: %v (replaced: %v)", err, replaced)
	}
	for _, v := range rep.VMs {
		switch v.Name {
		case "b":
			if v.Status != StatusFailed || !strings.Contains(v.Error, "not a kvmbackup dataset") && !strings.Contains(v.Error, "kvmbackup neither writes") {
				t.Errorf("b, made again by someone else: %s %q", v.Status, v.Error)
			}
		default:
			if v.Status != StatusOK {
				t.Errorf("%s: %s %q", v.Name, v.Status, v.Error)
			}
		}
	}
	if got, err := os.ReadFile(filepath.Join(w.datasets["backup/vms/b"].dir, "theirs.txt")); err != nil || string(got) != "not kvmbackup's" {
		t.Errorf("the foreign dataset's file: %q %v", got, err)
	}
	if n := len(w.datasets["backup/vms/b"].snaps); n != 0 {
		t.Errorf("the foreign dataset got %d snapshots", n)
	}
	if c := w.datasets["backup/vms/c"]; c == nil || len(c.snaps) != 1 {
		t.Errorf("c, destroyed during the night, was not made again and backed up: %+v", c)
	}
}

// TestPinDuringTheNightKeepsTheSnapshot: prune decides on the run's one read; a
// snapshot pinned since (kvmbackup pin takes no lock) is kept, and one another
// prune destroyed since is gone: neither fails the night.
func TestPinDuringTheNightKeepsTheSnapshot(t *testing.T) {
	w := newWorld(t)
	for _, n := range []string{"a", "b"} {
		w.blockVM(n, hypervisor.StateRunning, n+" v1")
	}
	env := runEnv{t.TempDir()}
	cfg := testConfig(t) // keep-last 2: night 3 prunes night 1's
	for _, at := range []time.Time{night1, night2} {
		if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, at)); err != nil || !rep.OK() {
			t.Fatalf("%v: %v %+v", at, err, rep)
		}
	}
	first := zfs.SnapshotName(night1)
	w.beforeCopy = func(src, dst string) {
		w.mu.Lock()
		defer w.mu.Unlock()
		a := w.datasets["backup/vms/a"]
		for i := range a.snaps {
			if a.snaps[i].s.Name == first {
				a.snaps[i].s.Holds = []string{zfs.PinTag}
			}
		}
		b := w.datasets["backup/vms/b"]
		b.snaps = slices.DeleteFunc(b.snaps, func(s fsnap) bool { return s.s.Name == first })
	}
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night3))
	if err != nil || !rep.OK() {
		t.Fatalf("night 3: %v %+v", err, rep)
	}
	if !slices.ContainsFunc(w.datasets["backup/vms/a"].snaps, func(s fsnap) bool { return s.s.Name == first }) {
		t.Error("the snapshot pinned during the night was destroyed")
	}
	for _, pd := range rep.Pruned {
		for _, s := range pd.Snapshots {
			if s.Snapshot == first && pd.VM == "a" && (!s.Keep || s.Destroyed) {
				t.Errorf("a's pinned snapshot in the report: %+v", s)
			}
			if s.Snapshot == first && pd.VM == "b" && !s.Destroyed {
				t.Errorf("b's snapshot destroyed by another prune: %+v", s)
			}
		}
	}
}

// targetCalls are the calls of log to the target (the Target interface): each is
// at least one zfs or zpool command on the real adapter.
func targetCalls(log []string) []string {
	var out []string
	for _, c := range log {
		name, _, _ := strings.Cut(c, " ")
		switch name {
		case "CheckTarget", "ReadView", "SyncPool", "Current", "Mountpoint", "Owner", "Claim", "Children", "Snapshots", "EnsureDataset",
			"TakeSnapshot", "Destroy", "Rollback", "DestroyNewDataset", "ZFS":
			out = append(out, c)
		}
	}
	return out
}

// A paths-only night (one tree entry, its dataset made by an earlier night) asks the
// target what rsync and `zfs snapshot` would not need only to check it, read it once
// and read the entry's dataset as it is now: the target's and the pool's root
// dataset's mount points are the check's and the view's (no Mountpoint), and so is
// the mount point of ROOT/_paths that fenceCopy checks the copy against. On the
// real adapters: the check's and the view's 3 commands, all at once
// (TestRunChecksTheTargetInOneRoundWhenItCan), the pool's sync (while the run
// plans: the written Current reads then counts all), Current's 1, and the snapshot.
func TestPathsOnlyNightReadsTheTargetOnce(t *testing.T) {
	w, cfg, env := treeNight1(t)
	w.log = nil
	w.trees["/srv/tree"]["etc/version"] = []byte("tree v2")
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night2))
	if err != nil || !rep.OK() || len(rep.Paths) != 1 {
		t.Fatalf("night 2: %v %+v", err, rep)
	}
	ds := "backup/vms/_paths/tree"
	want := []string{"CheckTarget", "ReadView backup/vms", "SyncPool backup", "Current " + ds, "TakeSnapshot " + ds}
	if got := targetCalls(w.log); !slices.Equal(got, want) {
		t.Errorf("night 2's target calls %q, want %q\nall calls: %q", got, want, w.log)
	}
	if got, err := os.ReadFile(filepath.Join(w.root, ds, "etc/version")); err != nil || string(got) != "tree v2" {
		t.Errorf("the copy: %q %v", got, err)
	}
}

// oneRoundTarget is the world's target with CheckTargetView, as zfs.Manager has it:
// the check and the view in one call (counted); with o.SyncPool the view is read
// synced, as zfs.Manager.ReadViewSynced does (the pool's sync, then the read),
// unless noProgram says why the channel program cannot run (View.SyncErr).
type oneRoundTarget struct {
	fakeZFS
	calls     *int
	noProgram error
}

func (f oneRoundTarget) CheckTargetView(ctx context.Context, o zfs.TargetOptions) (*zfs.TargetReport, *zfs.View, error) {
	*f.calls++
	tr, err := f.CheckTarget(ctx, o)
	if err != nil || len(tr.Problems) > 0 {
		return tr, nil, err
	}
	synced := o.SyncPool && f.noProgram == nil
	if synced {
		if err := f.SyncPool(ctx, zfs.Pool(o.Dataset)); err != nil {
			return tr, nil, err
		}
	}
	v, err := f.ReadView(ctx, o.Dataset)
	if v != nil {
		v.Synced = synced
		if o.SyncPool {
			v.SyncErr = f.noProgram
		}
	}
	return tr, v, err
}

// A target that checks and reads its view in one round (zfs.Manager: four commands
// at once) is asked once, and never CheckTarget and ReadView apart; a tree night
// has the view read synced there (zfs.Manager.ReadViewSynced: the sync and the
// read in one command), and syncs the pool apart only when that cannot be done; a
// check with problems stops the run as the two calls' does, naming the pool.
func TestRunChecksTheTargetInOneRoundWhenItCan(t *testing.T) {
	w, cfg, env := treeNight1(t)
	w.log = nil
	var calls int
	d := w.deps()
	d.Target = oneRoundTarget{fakeZFS{w}, &calls, nil}
	rep, err := Run(context.Background(), d, env.opts(cfg, night2))
	if err != nil || !rep.OK() || calls != 1 {
		t.Fatalf("night 2: %d CheckTargetView calls, %v %+v", calls, err, rep)
	}
	// The delegate's own calls, once each, and no other read of the target: the
	// tree's dataset is not read again (confirm takes the synced view's reading).
	want := []string{"CheckTarget", "SyncPool backup", "ReadView backup/vms", "TakeSnapshot backup/vms/_paths/tree"}
	if got := targetCalls(w.log); !slices.Equal(got, want) {
		t.Errorf("target calls %q, want %q", got, want)
	}
	if p := rep.Paths[0]; p.CopiedAt == nil || !p.CopiedAt.Equal(night1) {
		t.Errorf("night 2 does not trust night 1's copy: %+v", p)
	}
	// No channel program: the view as ReadView reads it, the pool synced apart.
	w.log = nil
	d.Target = oneRoundTarget{fakeZFS{w}, &calls, errors.New("zfs program: channel programs disabled")}
	w.trees["/srv/tree"]["etc/version"] = []byte("tree v3")
	rep, err = Run(context.Background(), d, env.opts(cfg, night3))
	if err != nil || !rep.OK() || calls != 2 {
		t.Fatalf("night 3, no channel program: %d CheckTargetView calls, %v %+v", calls, err, rep)
	}
	want = []string{"CheckTarget", "ReadView backup/vms", "SyncPool backup", "Current backup/vms/_paths/tree", "TakeSnapshot backup/vms/_paths/tree",
		"Destroy backup/vms/_paths/tree@" + zfs.SnapshotName(night1)} // pruned by the retention
	if got := targetCalls(w.log); !slices.Equal(got, want) {
		t.Errorf("night 3, no channel program: target calls %q, want %q", got, want)
	}
	if p := rep.Paths[0]; p.CopiedAt == nil || !p.CopiedAt.Equal(night2) {
		t.Errorf("night 3 does not trust night 2's copy: %+v", p)
	}
	d.Target = oneRoundTarget{fakeZFS{w}, &calls, nil}
	w.checkTarget = func(r *zfs.TargetReport) {
		r.Health = zfs.PoolFaulted
		r.Problems = append(r.Problems, zfs.Problem{What: "pool backup is FAULTED", Fix: "see zpool status"})
	}
	w.log = nil
	rep, err = Run(context.Background(), d, env.opts(cfg, night3.Add(time.Hour)))
	var envErr *EnvError
	if calls != 3 || rep == nil || !errors.As(err, &envErr) || envErr.Reason != ReasonTarget || !strings.Contains(err.Error(), "pool backup is FAULTED") {
		t.Fatalf("a faulted pool: %d calls, %v, %+v", calls, err, rep)
	}
	if got := targetCalls(w.log); !slices.Equal(got, []string{"CheckTarget"}) {
		t.Errorf("a faulted pool: target calls %q, want the check's alone", got)
	}
}

// treeNight1 is a world with one paths: entry, tree (/srv/tree, holding etc/version
// "tree v1"), backed up by night 1.
func treeNight1(t *testing.T) (*world, *config.Config, runEnv) {
	t.Helper()
	w := newWorld(t)
	w.trees["/srv/tree"] = map[string][]byte{"etc/version": []byte("tree v1")}
	cfg := configWith(t, "paths:\n  - name: tree\n    path: /srv/tree\n")
	env := runEnv{t.TempDir()}
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	return w, cfg, env
}

// A first tree night (the target dataset not made yet) asks the target nothing the
// view's read said: the target's mount point is "not found" as the read saw it (no
// Mountpoint of backup/vms before the tree's dataset is made), then its dataset is
// made, read live and written.
func TestFirstTreeNightTakesTheViewsAbsentTarget(t *testing.T) {
	w := newWorld(t)
	delete(w.datasets, "backup/vms") // a first run: the target is made with the tree's dataset
	w.trees["/srv/tree"] = map[string][]byte{"etc/version": []byte("tree v1")}
	cfg := configWith(t, "paths:\n  - name: tree\n    path: /srv/tree\n")
	env := runEnv{t.TempDir()}
	var calls int
	d := w.deps()
	d.Target = oneRoundTarget{fakeZFS{w}, &calls, nil}
	rep, err := Run(context.Background(), d, env.opts(cfg, night1))
	if err != nil || !rep.OK() || calls != 1 || len(rep.Paths) != 1 || rep.Paths[0].Snapshot == "" {
		t.Fatalf("night 1: %d CheckTargetView calls, %v %+v", calls, err, rep)
	}
	got := targetCalls(w.log)
	made := slices.Index(got, "EnsureDataset backup/vms/_paths/tree")
	if made < 0 {
		t.Fatalf("the tree's dataset was not made: target calls %q", got)
	}
	for _, c := range got[:made] {
		if strings.HasPrefix(c, "Mountpoint ") {
			t.Errorf("%s before the tree's dataset was made: the view said the target does not exist (target calls %q)", c, got)
		}
	}
	if !slices.Contains(got[made:], "Mountpoint backup/vms/_paths") {
		t.Errorf("the parent made with the tree's dataset was not read live: target calls %q", got)
	}
}

// remountingTarget is the world's target whose ReadView, once read, runs then: what
// another admin does to the target behind the run's view.
type remountingTarget struct {
	fakeZFS
	then func()
}

func (f remountingTarget) ReadView(ctx context.Context, root string) (*zfs.View, error) {
	v, err := f.fakeZFS.ReadView(ctx, root)
	if err == nil && f.then != nil {
		f.then()
	}
	return v, err
}

// remountedNight2 runs night 2 of treeNight1's world with d, whose target remounts
// the tree's dataset at moved once it has read the view: night 1's copy where the
// view saw the dataset mounted (old) must be left as it was. It returns the entry's
// result and what the copy left at moved.
func remountedNight2(t *testing.T, d Deps, env runEnv, cfg *config.Config, old, moved string) (*PathResult, []byte) {
	t.Helper()
	rep, err := Run(context.Background(), d, env.opts(cfg, night2))
	if err != nil || len(rep.Paths) != 1 {
		t.Fatalf("night 2: %v %+v", err, rep)
	}
	if got, _ := os.ReadFile(filepath.Join(old, "etc/version")); string(got) != "tree v1" {
		t.Errorf("where the view saw the dataset mounted: %q, want night 1's copy untouched", got)
	}
	got, _ := os.ReadFile(filepath.Join(moved, "etc/version"))
	return rep.Paths[0], got
}

// remountingOneRound is a oneRoundTarget that runs then once it has read the view.
type remountingOneRound struct {
	oneRoundTarget
	then func()
}

func (f remountingOneRound) CheckTargetView(ctx context.Context, o zfs.TargetOptions) (*zfs.TargetReport, *zfs.View, error) {
	tr, v, err := f.oneRoundTarget.CheckTargetView(ctx, o)
	if err == nil && v != nil {
		f.then()
	}
	return tr, v, err
}

// A night whose view was read synced takes its reading of the tree's dataset as
// confirm's (no hook runs before), and the copy checks the directory it writes
// through is the dataset's (CheckMount): the dataset remounted right after the read
// fails the entry, nothing written where the view saw it mounted nor where it is
// now. With a hook, confirm reads the dataset again and the copy goes where it is
// mounted now.
func TestSyncedViewCopyChecksItWritesTheDataset(t *testing.T) {
	for _, hooks := range []bool{false, true} {
		t.Run(fmt.Sprint("hooks ", hooks), func(t *testing.T) {
			w, cfg, env := treeNight1(t)
			ds := "backup/vms/_paths/tree"
			old, moved := w.datasets[ds].dir, filepath.Join(w.root, "backup/vms/_paths/moved")
			os.MkdirAll(moved, 0o755)
			w.trees["/srv/tree"]["etc/version"] = []byte("tree v2")
			d := w.deps()
			var calls int
			d.Target = remountingOneRound{oneRoundTarget{fakeZFS{w}, &calls, nil}, func() {
				w.mu.Lock()
				defer w.mu.Unlock()
				w.mountpoints = map[string]string{ds: moved}
			}}
			if hooks {
				d.Hooks = &fakeHooks{w: w}
			}
			w.log = nil
			p, got := remountedNight2(t, d, env, cfg, old, moved)
			reads := slices.Contains(targetCalls(w.log), "Current "+ds)
			switch {
			case !hooks && (p.Status != StatusFailed || !strings.Contains(p.Error, "not in dataset "+ds) || got != nil || reads):
				t.Errorf("no hook: %s %q, copied where it is mounted now: %q, read again: %v", p.Status, p.Error, got, reads)
			case hooks && (p.Status != StatusOK || string(got) != "tree v2" || !reads):
				t.Errorf("a hook: %s %q, where it is mounted now: %q, read again: %v", p.Status, p.Error, got, reads)
			}
		})
	}
}

// Only a tree's unit takes the synced view's reading (its copy checks where it
// writes; a VM's copy does not): in a night of VMs and trees, the first unit
// prepared is a VM's, and every unit's dataset is read again before it is written.
func TestSyncedViewStandsOnlyForATreesRead(t *testing.T) {
	w := pathScene(t)
	env := runEnv{t.TempDir()}
	cfg := pathsConfig(t, "")
	d := w.deps()
	if rep, err := Run(context.Background(), d, env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	var calls int
	d.Target = oneRoundTarget{fakeZFS{w}, &calls, nil}
	w.log = nil
	rep, err := Run(context.Background(), d, env.opts(cfg, night2))
	if err != nil || !rep.OK() || calls != 1 || len(rep.VMs) == 0 || len(rep.Paths) == 0 {
		t.Fatalf("night 2: %d calls, %v %+v", calls, err, rep)
	}
	var datasets []string
	for _, v := range rep.VMs {
		datasets = append(datasets, v.Dataset)
	}
	for _, p := range rep.Paths {
		datasets = append(datasets, p.Dataset)
	}
	got := targetCalls(w.log)
	for _, ds := range datasets {
		if !slices.Contains(got, "Current "+ds) {
			t.Errorf("%s was not read again before it was written: %q", ds, got)
		}
	}
}

// The view's mount points are never a unit's own dataset's: a tree's dataset
// remounted after the run's read is written where it is mounted now (confirm's live
// read), not where the view saw it; remounted outside ROOT/_paths's mount, the entry
// is refused (fenceCopy) and nothing is copied anywhere.
func TestViewMountIsNotAUnitsOwn(t *testing.T) {
	for _, tc := range []struct {
		name, to string // where the dataset is remounted, below the world's root
		fenced   bool
	}{
		{"below _paths", "backup/vms/_paths/moved", false},
		{"elsewhere", "elsewhere", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, cfg, env := treeNight1(t)
			ds := "backup/vms/_paths/tree"
			old, moved := w.datasets[ds].dir, filepath.Join(w.root, tc.to)
			w.trees["/srv/tree"]["etc/version"] = []byte("tree v2")
			d := w.deps()
			d.Target = remountingTarget{fakeZFS{w}, func() {
				w.mu.Lock()
				defer w.mu.Unlock()
				w.mountpoints = map[string]string{ds: moved}
			}}
			p, got := remountedNight2(t, d, env, cfg, old, moved)
			switch {
			case tc.fenced && (p.Status != StatusFailed || !strings.Contains(p.Error, "not below") || got != nil):
				t.Errorf("remounted outside _paths: %s %q, copied there: %q", p.Status, p.Error, got)
			case !tc.fenced && (p.Status != StatusOK || string(got) != "tree v2"):
				t.Errorf("remounted below _paths: %s %q, where it is mounted now: %q", p.Status, p.Error, got)
			}
		})
	}
}

// A tree night offers its last copy to the sync (transfer.TreeOptions.Unchanged: the
// copy's dated time, and Mark: its snapshot's kvmbackup:tree, which the sync checks
// against its own) only while the dataset holds just that copy: it was complete (a
// night whose files vanished or changed while copied leaves no mark on its
// snapshot), its snapshot is the dataset's last, and nothing wrote to the dataset
// since, as the view read it and as confirm read it after the pool's sync. Each other
// night is the attack on one of these: trusted, it would keep a copy that is not the
// source's.
func TestTreeNightTrustsOnlyItsOwnUnwrittenCopy(t *testing.T) {
	w, cfg, env := treeNight1(t)
	ds, src := "backup/vms/_paths/tree", "/srv/tree"
	at := night1
	nights := 0
	deps := w.deps()
	night := func(what string, offered, trusted time.Time) {
		t.Helper()
		nights++
		at = at.Add(time.Hour)
		w.trees[src]["etc/version"] = []byte(fmt.Sprint("tree v", nights))
		rep, err := Run(context.Background(), deps, env.opts(cfg, at))
		if err != nil || !rep.OK() || len(rep.Paths) != 1 {
			t.Fatalf("%s: %v %+v", what, err, rep)
		}
		got, p := w.treeOpts[src].Unchanged, rep.Paths[0]
		if !got.Equal(offered) || (p.CopiedAt == nil) != trusted.IsZero() || (p.CopiedAt != nil && !p.CopiedAt.Equal(trusted)) {
			t.Errorf("%s: Unchanged %v (trusted: %v), want %v (trusted: %v)", what, got, p.CopiedAt, offered, trusted)
		}
	}
	mark := func(what string, want bool) {
		t.Helper()
		d := w.datasets[ds]
		last := d.snaps[len(d.snaps)-1].s
		if got := last.Props[zfs.PropTree]; (got != "") != want {
			t.Errorf("%s: snapshot %s carries mark %q, want one: %v", what, last.Name, got, want)
		}
	}
	none := time.Time{}
	mark("night 1", true)
	night("a copy as night 1 left it", night1, night1)
	mark("night 2", true)
	w.mu.Lock()
	os.WriteFile(filepath.Join(w.datasets[ds].dir, "etc/version"), []byte("mended by hand"), 0o600)
	w.mu.Unlock()
	night("a copy written since its snapshot", none, none)
	// Written after the view was read, before confirm: confirm's read sees it.
	deps.Target = remountingTarget{fakeZFS{w}, func() {
		os.WriteFile(filepath.Join(w.datasets[ds].dir, "etc/version"), []byte("mended by hand"), 0o600)
	}}
	night("a copy written after the view was read", none, none)
	deps.Target = fakeZFS{w}
	last := at
	night("the copy the last night mended", last, last)
	w.marks = map[string]string{src: "a file system mounted below it"}
	last = at
	night("another mark (offered, the sync does not trust it)", last, none)
	last = at
	w.vanished = map[string]bool{src: true}
	night("files vanished while copied (the last copy was complete)", last, last)
	mark("files vanished", false)
	w.vanished = nil
	night("after a copy files vanished from", none, none)
	w.changed = map[string]int{src: 1}
	night("a path changed while copied", at, at)
	mark("a path changed", false)
	w.changed = nil
	night("after a copy a path changed in", none, none)
	w.foreignSnap(ds, "hourly")
	night("another tool's snapshot last", none, none)
	w.noMark = true
	night("a sync without a mark (offered, not trusted)", at, none)
	mark("no mark", false)
	w.noMark = false
	night("after a copy without a mark", none, none)
	last = at
	w.failOn = "SyncPool "
	night("the pool's sync failed", none, none)
	w.failOn = ""
	last = at
	w.failOn = "SyncTree " + src // rolled back to the last complete copy
	nights++
	if rep, err := Run(context.Background(), deps, env.opts(cfg, at.Add(time.Hour))); err != nil || rep.OK() {
		t.Fatalf("a failed copy: %v %+v", err, rep)
	}
	at = at.Add(time.Hour)
	w.failOn = ""
	night("after a failed copy, rolled back", last, last)
}
