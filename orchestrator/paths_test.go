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

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// pathsConfig is testConfig with paths: entries: root (a live tree), images (the LV
// holding db1's and app1's images: snapshotted in their freeze window), iso (an LV no
// VM uses: its own window), and extra ones.
func pathsConfig(t *testing.T, extra string) *config.Config {
	t.Helper()
	return configWith(t, `exclude: ["test-*"]
paths:
  - name: root
    path: /srv/root
    exclude: ["x.swp"]
  - name: images
    volume: vg0/images
  - name: iso
    volume: vg0/iso
`+extra)
}

// markers: the file of each entry's tree that holds its version.
var markers = map[string]string{"root": "etc/version", "images": "db1.raw", "iso": "version", "new": "version"}

// pathScene is scene plus the trees of pathsConfig's entries, at version v.
func pathScene(t *testing.T) *world {
	w := scene(t)
	w.trees["/srv/root"] = map[string][]byte{"etc/version": []byte("root v1"), "etc/x.swp": []byte("excluded")}
	w.fsLV("iso", map[string][]byte{"version": []byte("iso v1")})
	return w
}

// setPath sets the version of an entry's tree.
func (w *world) setPath(name, v string) {
	switch name {
	case "root":
		w.trees["/srv/root"]["etc/version"] = []byte("root " + v)
	case "images":
		w.setData("db1", "db1 "+v)
	case "iso":
		w.lvs["vg0/iso"].files["version"] = []byte("iso " + v)
	case "new":
		w.trees["/srv/new"] = map[string][]byte{"version": []byte("new " + v)}
	}
}

// checkPaths checks each entry's dataset: the live dataset equals its newest dated
// snapshot, which holds want[name] in its marker and nothing excluded or partial; an
// entry wanted "" has no dataset.
func checkPaths(t *testing.T, w *world, want map[string]string) {
	t.Helper()
	for name, v := range want {
		d := w.datasets["backup/vms/_paths/"+name]
		if d == nil || v == "" {
			if d != nil {
				t.Errorf("path %s: a dataset without a complete backup (%v)", name, readTree(d.dir))
			} else if v != "" {
				t.Errorf("path %s: no dataset, want a backup of %q", name, v)
			}
			continue
		}
		live := readTree(d.dir)
		if len(d.snaps) == 0 {
			t.Errorf("path %s: a dataset without any complete backup: %v", name, live)
			continue
		}
		newest := d.snaps[len(d.snaps)-1]
		if fmt.Sprint(live) != fmt.Sprint(newest.files) {
			t.Errorf("path %s: live dataset %v differs from its newest snapshot %s %v", name, live, newest.s.Name, newest.files)
		}
		if got := newest.files[markers[name]]; got != v {
			t.Errorf("path %s: newest backup %s holds %q, want %q", name, newest.s.Name, got, v)
		}
		if _, ok := newest.files["etc/x.swp"]; ok {
			t.Errorf("path %s: an excluded file was backed up", name)
		}
		if _, ok := newest.files["PARTIAL"]; ok {
			t.Errorf("path %s: backup %s holds a partial copy", name, newest.s.Name)
		}
	}
}

func TestRunBacksUpPaths(t *testing.T) {
	w := pathScene(t)
	env := runEnv{t.TempDir()}
	cfg := pathsConfig(t, "")
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	RenderTable(&buf, rep)
	t.Logf("\n%s", buf.String())
	if !rep.OK() || len(rep.VMs) != 4 || len(rep.Paths) != 3 {
		t.Fatalf("report not OK: %s", buf.String())
	}
	for _, want := range []string{"root  ", "/srv/root", "vg0/iso", "@" + zfs.SnapshotName(night1), "3 paths, 0 failed"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report table lacks %q", want)
		}
	}
	checkWorld(t, w, map[string]string{"web1": "web1 v1", "old1": "old1 v1", "db1": "db1 v1", "app1": "app1 v1"}, nil)
	checkPaths(t, w, map[string]string{"root": "root v1", "images": "db1 v1", "iso": "iso v1"})
	for _, p := range rep.Paths {
		if p.Snapshot != p.Dataset+"@"+zfs.SnapshotName(night1) || p.LastSuccess != night1 || p.Written == 0 || p.Status != StatusOK {
			t.Errorf("path %s: %+v", p.Name, p)
		}
	}
	if o := w.treeOpts["/srv/root"]; !slices.Equal(o.Exclude, []string{"x.swp"}) || !o.Xattrs {
		t.Errorf("root copied with %+v, want its excludes and xattrs", o)
	}
	// images is snapshotted once, inside db1's and app1's freeze window; iso alone,
	// with no VM paused.
	frozen, snaps := "", map[string]string{}
	for _, c := range w.log {
		switch {
		case strings.HasPrefix(c, "Freeze "):
			frozen = strings.TrimPrefix(c, "Freeze ")
		case c == "Thaw":
			frozen = ""
		case strings.HasPrefix(c, "Snapshot vg0/"):
			snaps[strings.TrimPrefix(c, "Snapshot ")] += "[" + frozen + "]"
		}
	}
	if snaps["vg0/images"] != "[app1,db1]" || snaps["vg0/iso"] != "[]" {
		t.Errorf("snapshots taken (with the VMs frozen then): %v; want vg0/images once with app1,db1 frozen, vg0/iso once with none", snaps)
	}
	for _, g := range rep.Plan.Groups {
		if slices.ContainsFunc(g.Paths, func(p *PathPlan) bool { return p.Name == "iso" }) && len(g.VMs) != 0 {
			t.Errorf("iso shares a group with %s", groupNames(g))
		}
	}
	metrics := filepath.Join(env.dir, "kvmbackup.prom")
	if err := RenderMetrics(metrics, stateOf(cfg, rep)); err != nil {
		t.Fatal(err)
	}
	m, _ := os.ReadFile(metrics)
	for _, want := range []string{`kvmbackup_path_written_bytes{path="root"} 7`, `kvmbackup_path_failed{path="iso"} 0`, "kvmbackup_run_paths_failed 0",
		fmt.Sprintf(`kvmbackup_path_last_success_timestamp_seconds{path="images"} %d`, night1.Unix())} {
		if !strings.Contains(string(m), want) {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}

	// Night 2: --path root alone: no VM frozen, no other dataset written.
	w.setPath("root", "v2")
	w.setData("web1", "web1 v2")
	w.log = nil
	o := env.opts(cfg, night2)
	o.Paths = []string{"root"}
	if rep, err = Run(context.Background(), w.deps(), o); err != nil || !rep.OK() || len(rep.VMs) != 0 || len(rep.Paths) != 1 {
		t.Fatalf("run --path root: %v %+v", err, rep)
	}
	for _, c := range w.log {
		if strings.HasPrefix(c, "Freeze") || strings.HasPrefix(c, "Domains") || (strings.HasPrefix(c, "TakeSnapshot") && c != "TakeSnapshot backup/vms/_paths/root") {
			t.Errorf("run --path root: %s", c)
		}
	}
	checkPaths(t, w, map[string]string{"root": "root v2", "images": "db1 v1"})
	// --vm web1 alone: no path.
	o = env.opts(cfg, night2, "web1")
	if rep, err = Run(context.Background(), w.deps(), o); err != nil || !rep.OK() || len(rep.VMs) != 1 || len(rep.Paths) != 0 {
		t.Fatalf("run --vm web1: %v %+v", err, rep)
	}
	// Night 3 and 4: keep-last 2 prunes the path datasets too.
	for _, at := range []int{3, 4} {
		w.setPath("iso", fmt.Sprintf("v%d", at))
		if rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night1.AddDate(0, 0, at-1))); err != nil || !rep.OK() {
			t.Fatalf("night %d: %v %+v", at, err, rep)
		}
	}
	checkPaths(t, w, map[string]string{"root": "root v2", "images": "db1 v1", "iso": "iso v4"})
	for _, name := range []string{"root", "iso", "images"} {
		if n := len(w.datasets["backup/vms/_paths/"+name].snaps); n != 2 {
			t.Errorf("keep-last 2: path %s has %d snapshots", name, n)
		}
	}
	pruned := false
	for _, pd := range rep.Pruned {
		if pd.Path == "iso" && pd.VM == "" && len(pd.Snapshots) == 3 {
			pruned = true
		}
	}
	if !pruned {
		t.Errorf("the report does not show iso's prune: %+v", rep.Pruned)
	}
}

// Paths of a live tree that vanished or changed while it was copied (a directory
// swapped for a symlink, a log rotated) are skipped by the copy: the entry succeeds,
// and the report says how many.
func TestHostileLiveTreeChangedIsReported(t *testing.T) {
	w := pathScene(t)
	w.changed = map[string]int{"/srv/root": 2}
	o := runEnv{t.TempDir()}.opts(pathsConfig(t, ""), night1)
	o.Paths = []string{"root"}
	rep, err := Run(context.Background(), w.deps(), o)
	if err != nil || !rep.OK() || len(rep.Paths) != 1 {
		t.Fatalf("run --path root: %v %+v", err, rep)
	}
	var buf bytes.Buffer
	RenderTable(&buf, rep)
	if p := rep.Paths[0]; p.Status != StatusOK || p.Tree.Changed != 2 || !strings.Contains(buf.String(), "path root: 2 paths vanished or changed") {
		t.Errorf("path root: status %s, %d changed; report:\n%s", p.Status, p.Tree.Changed, buf.String())
	}
}

// An unknown --path name: an *EnvError naming it, nothing written.
func TestRunRefusesBadPaths(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		paths       []string
		want        string
		is          error
	}{
		{"unknown --path", "", []string{"nosuch"}, "--path nosuch: no such paths: entry (entries: root, images, iso)", ErrBadSelection},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := pathScene(t)
			target := filepath.Join(w.root, "backup/vms")
			w.trees[target+"/web1"] = map[string][]byte{"x": nil}
			cfg := pathsConfig(t, strings.ReplaceAll(tc.extra, "TARGET", target))
			env := runEnv{t.TempDir()}
			o := env.opts(cfg, night1)
			o.Paths = tc.paths
			_, err := Run(context.Background(), w.deps(), o)
			var ee *EnvError
			if !errors.As(err, &ee) || !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an *EnvError (%v) saying %q", err, tc.is, tc.want)
			}
			for _, c := range w.log {
				if mutating(c) && !strings.HasPrefix(c, "Recover") && !strings.HasPrefix(c, "LVM Cleanup") {
					t.Errorf("a refused run made a change: %s", c)
				}
			}
		})
	}
}

// A paths: entry that is valid in the config but unusable at run time (its directory
// gone, its LV removed, an LV that is a VM's disk, a path inside the target) fails
// that entry alone, naming its path or LV, with nothing written for it: the VMs and
// the other entries are backed up, and the report is not OK (exit 1). Alone (--path),
// it fails the same way. The dry run shows it.
func TestRunFailsAnUnusablePathAlone(t *testing.T) {
	for _, tc := range []struct {
		name, extra, entry string
		want               string
	}{
		{"not a directory", "\n  - name: gone\n    path: /srv/gone", "gone", "path /srv/gone"},
		{"not an LV", "\n  - name: nolv\n    volume: vg0/nolv", "nolv", "volume vg0/nolv"},
		{"a VM's disk", "\n  - name: web1disk\n    volume: vg0/web1", "web1disk", "volume vg0/web1 is a VM's disk (web1)"},
		{"inside the target", "\n  - name: self\n    path: TARGET/web1", "self", "is inside the target's mount point"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := pathScene(t)
			target := filepath.Join(w.root, "backup/vms")
			w.trees[target+"/web1"] = map[string][]byte{"x": nil}
			cfg := pathsConfig(t, strings.ReplaceAll(tc.extra, "TARGET", target))
			env := runEnv{t.TempDir()}
			ds := "backup/vms/_paths/" + tc.entry

			dry := env.opts(cfg, night1)
			dry.DryRun = true
			rep, err := Run(context.Background(), w.deps(), dry)
			if err != nil {
				t.Fatalf("dry run: %v", err)
			}
			var plan bytes.Buffer
			RenderPlan(&plan, rep.Plan)
			if line := lineWith(plan.String(), "cannot back up path "+tc.entry+": "); !strings.Contains(line, tc.want) {
				t.Errorf("the dry run does not show %s failing:\n%s", tc.entry, plan.String())
			}

			rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night1))
			if err != nil {
				t.Fatalf("got %v, want a report", err)
			}
			var buf bytes.Buffer
			RenderTable(&buf, rep)
			if rep.OK() || rep.Failed() != 0 || rep.FailedPaths() != 1 || len(rep.Paths) != 4 {
				t.Fatalf("want only %s failed:\n%s", tc.entry, buf.String())
			}
			for _, p := range rep.Paths {
				switch {
				case p.Name != tc.entry && p.Status != StatusOK:
					t.Errorf("path %s: %s %s", p.Name, p.Status, p.Error)
				case p.Name == tc.entry && (p.Status != StatusFailed || !strings.Contains(p.Error, tc.want) || p.Dataset != ds || p.Snapshot != ""):
					t.Errorf("path %s: %+v, want failed saying %q", p.Name, p.Result, tc.want)
				}
			}
			if line := lineWith(buf.String(), "path "+tc.entry+": "); !strings.Contains(line, tc.want) {
				t.Errorf("the report does not name %s's problem:\n%s", tc.entry, buf.String())
			}
			checkWorld(t, w, map[string]string{"web1": "web1 v1", "old1": "old1 v1", "db1": "db1 v1", "app1": "app1 v1"}, nil)
			checkPaths(t, w, map[string]string{"root": "root v1", "images": "db1 v1", "iso": "iso v1", tc.entry: ""})
			for _, c := range w.log {
				if mutating(c) && strings.Contains(c, ds) {
					t.Errorf("the failed entry's dataset was touched: %s", c)
				}
			}

			// Alone: the entry fails, nothing else is done. (A VM's disk is seen as one
			// only when the run plans the VMs too.)
			if tc.entry == "web1disk" {
				return
			}
			w.log = nil
			o := env.opts(cfg, night2)
			o.Paths = []string{tc.entry}
			rep, err = Run(context.Background(), w.deps(), o)
			if err != nil || rep.OK() || len(rep.Paths) != 1 || rep.Paths[0].Status != StatusFailed || len(rep.VMs) != 0 {
				t.Fatalf("run --path %s: %v %+v", tc.entry, err, rep)
			}
			for _, c := range w.log {
				if mutating(c) && !strings.HasPrefix(c, "Recover") && !strings.HasPrefix(c, "LVM Cleanup") {
					t.Errorf("run --path %s made a change: %s", tc.entry, c)
				}
			}
		})
	}
}

// lineWith is the first line of text that starts with prefix, or "".
func lineWith(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// Every paths: entry is checked, not only up to the first bad one: the error names
// each bad entry (one *PathError apiece), and the plan still holds the good ones
// (check shows both; a run fails the bad ones alone, as above).
func TestPlanChecksEveryPathEntry(t *testing.T) {
	w := pathScene(t)
	cfg := pathsConfig(t, "\n  - name: gone\n    path: /srv/gone\n  - name: nolv\n    volume: vg0/nolv\n  - name: web1disk\n    volume: vg0/web1")
	d := w.deps()
	p, err := MakePlan(context.Background(), d.Hypervisor, d.LVM, PlanOptions{Config: cfg, Trees: d.Trees})
	if !errors.Is(err, ErrBadPath) {
		t.Fatalf("got %v, want an error wrapping ErrBadPath", err)
	}
	var bad []string
	for _, pe := range PathErrors(err) {
		bad = append(bad, pe.Name+": "+pe.Why)
	}
	want := []string{"gone: path /srv/gone", "nolv: volume vg0/nolv", "web1disk: volume vg0/web1 is a VM's disk (web1)"}
	if len(bad) != len(want) {
		t.Fatalf("bad entries %q, want %d of them", bad, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(bad[i], want[i]) {
			t.Errorf("bad entry %d: %q, want it to start %q", i, bad[i], want[i])
		}
	}
	var good []string
	for _, pp := range p.Paths {
		good = append(good, pp.Name)
	}
	if !slices.Equal(good, []string{"root", "images", "iso"}) {
		t.Errorf("planned paths %v, want the good entries root, images, iso", good)
	}
}

// The first run creates the target dataset: its mount point is not known yet, and
// the tree is backed up all the same.
func TestRunPathsIntoANewTarget(t *testing.T) {
	w := pathScene(t)
	delete(w.datasets, "backup/vms")
	env := runEnv{t.TempDir()}
	o := env.opts(pathsConfig(t, ""), night1)
	o.Paths = []string{"root", "iso"}
	rep, err := Run(context.Background(), w.deps(), o)
	if err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	checkPaths(t, w, map[string]string{"root": "root v1", "iso": "iso v1"})
}

// A tree holding the target's mount point skips it.
func TestRunSkipsTheTargetInATree(t *testing.T) {
	w := scene(t)
	w.trees[w.root] = map[string][]byte{"etc/version": []byte("host v1")}
	cfg, err := config.Parse([]byte(fmt.Sprintf("target: {dataset: backup/vms}\nretention: {keep-last: 1}\nquiesce: {mode: suspend, settle: 0s}\npaths: [{name: host, path: %s}]\n", w.root)), nil)
	if err != nil {
		t.Fatal(err)
	}
	env := runEnv{t.TempDir()}
	o := env.opts(cfg, night1)
	o.Paths = []string{"host"}
	rep, err := Run(context.Background(), w.deps(), o)
	if err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	if skip := w.treeOpts[w.root].Skip; !slices.Equal(skip, []string{filepath.Join(w.root, "backup/vms")}) {
		t.Errorf("the tree sync of %s skips %v, want the target's mount point", w.root, skip)
	}
}

// TestRunFaultAtEveryStepWithPaths is TestRunFaultAtEveryStep for a night with paths:
// entries (a live tree, a volume shared with VMs, a volume of its own, and an entry
// whose first backup this is): whatever call fails, and however (error, cancel,
// crash), no VM stays paused, no snapshot or mount outlives the run (or recover), no
// entry whose copy failed has a dated snapshot, and each entry's live dataset equals
// its last complete backup; the next run backs everything up.
func TestRunFaultAtEveryStepWithPaths(t *testing.T) {
	newEntry := "\n  - name: new\n    path: /srv/new"
	base := func(t *testing.T) (*world, runEnv) {
		w := newWorld(t)
		w.blockVM("web1", hypervisor.StateRunning, "web1 v1")
		w.fileVM("db1", "db1 v1")
		w.trees["/srv/root"] = map[string][]byte{"etc/version": []byte("root v1"), "etc/x.swp": []byte("excluded")}
		w.fsLV("iso", map[string][]byte{"version": []byte("iso v1")})
		env := runEnv{t.TempDir()}
		if rep, err := Run(context.Background(), w.deps(), env.opts(pathsConfig(t, ""), night1)); err != nil || !rep.OK() {
			t.Fatalf("night 1: %v %+v", err, rep)
		}
		for _, vm := range []string{"web1", "db1"} {
			w.setData(vm, vm+" v2")
		}
		for _, p := range []string{"root", "iso", "new"} {
			w.setPath(p, "v2")
		}
		w.calls, w.log = 0, nil
		return w, env
	}
	cfg := pathsConfig(t, newEntry)
	w, env := base(t)
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night2)); err != nil || !rep.OK() {
		t.Fatalf("clean night 2: %v %+v", err, rep)
	}
	total := w.calls
	t.Logf("a clean run makes %d calls: %s", total, strings.Join(w.log, "; "))
	undo := []string{"Thaw", "Remove", "Unmount", "Rollback", "DestroyNewDataset", "WatchStop"}
	// want is what each dataset must hold after the night: night 2's version where it
	// has night 2's dated snapshot, else night 1's (new: no dataset).
	want := func(w *world) (vms, paths map[string]string) {
		vms, paths = map[string]string{}, map[string]string{}
		v := func(ds, name, first string) string {
			if d := w.datasets[ds]; d != nil && len(d.snaps) > 0 && d.snaps[len(d.snaps)-1].s.Name == zfs.SnapshotName(night2) {
				return name + " v2"
			}
			return first
		}
		for _, vm := range []string{"web1", "db1"} {
			vms[vm] = v("backup/vms/"+vm, vm, vm+" v1")
		}
		for _, p := range []string{"root", "iso", "new"} {
			first := p + " v1"
			if p == "new" {
				first = ""
			}
			paths[p] = v("backup/vms/_paths/"+p, p, first)
		}
		paths["images"] = v("backup/vms/_paths/images", "db1", "db1 v1")
		return vms, paths
	}
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
				// Tolerated: the listings for the report and prune, the pool root's mount
				// point (mountpoint=none is common: it then holds nothing to skip), and a
				// the pool's sync (every tree is compared whole instead).
				if err == nil && rep.OK() && w.failed != "" && !strings.HasPrefix(w.failed, "Snapshots ") && !strings.HasPrefix(w.failed, "Destroy ") && w.failed != "Mountpoint backup" && !strings.HasPrefix(w.failed, "SyncPool ") {
					t.Errorf("fault in %s, yet the run reports success", w.failed)
				}
				if err == nil && (mode == faultError || mode == faultCancel) && !slicesHasPrefix(undo, w.failed) {
					vms, paths := want(w)
					checkWorld(t, w, vms, nil)
					checkPaths(t, w, paths)
					for _, p := range rep.Paths {
						if p.Status != StatusOK && p.Status != StatusFailed {
							t.Errorf("path %s: status %s at the end of a run", p.Name, p.Status)
						}
						if d := w.datasets[p.Dataset]; p.Status == StatusFailed && d != nil && slices.ContainsFunc(d.snaps, func(s fsnap) bool { return s.s.Name == zfs.SnapshotName(night2) }) {
							t.Errorf("path %s failed, yet has night 2's snapshot", p.Name)
						}
					}
				}
				w.crashed, w.failAt = false, 0
				if _, err := Recover(context.Background(), w.deps(), RecoverOptions{JournalDir: filepath.Join(env.dir, "journal"), Root: "backup/vms"}); err != nil {
					t.Fatalf("recover: %v", err)
				}
				vms, paths := want(w)
				checkWorld(t, w, vms, nil)
				checkPaths(t, w, paths)
				if left, err := Leftovers(filepath.Join(env.dir, "journal")); err != nil || len(left) != 0 {
					t.Errorf("journals left after recover: %v %+v", err, left)
				}
				rep2, err := Run(context.Background(), w.deps(), env.opts(cfg, night3))
				if err != nil || !rep2.OK() {
					var b bytes.Buffer
					if rep2 != nil {
						RenderTable(&b, rep2)
					}
					t.Fatalf("the run after the fault: %v\n%s", err, b.String())
				}
				checkWorld(t, w, map[string]string{"web1": "web1 v2", "db1": "db1 v2"}, nil)
				checkPaths(t, w, map[string]string{"root": "root v2", "images": "db1 v2", "iso": "iso v2", "new": "new v2"})
			})
		}
	}
}

// rsync -a gives a tree's users their own directories in its copy. Nobody but root
// may reach the copies: the directory the path datasets are mounted in is 0700, and
// every path dataset is mounted below it.
func TestHostileUserReachesIntoPathCopy(t *testing.T) {
	w := pathScene(t)
	o := runEnv{t.TempDir()}.opts(pathsConfig(t, ""), night1)
	o.Paths = []string{"root"}
	rep, err := Run(context.Background(), w.deps(), o)
	if err != nil || !rep.OK() {
		t.Fatalf("run --path root: %v %+v", err, rep)
	}
	parent := filepath.Join(w.root, "backup/vms", zfs.PathsChild)
	fi, err := os.Lstat(parent)
	if err != nil || fi.Mode().Perm() != 0o700 || !fi.IsDir() {
		t.Fatalf("%s: %v %v, want a 0700 directory", parent, fi.Mode(), err)
	}
	// A path dataset mounted elsewhere (its own mountpoint) would be reachable: the
	// entry fails, naming why, and nothing is copied.
	w.mountpoints = map[string]string{"backup/vms/_paths/root": filepath.Join(w.root, "elsewhere")}
	rep, _ = Run(context.Background(), w.deps(), runEnv{t.TempDir()}.opts(pathsConfig(t, ""), night2))
	if len(rep.Paths) == 0 || rep.Paths[0].Status != StatusFailed || !strings.Contains(rep.Paths[0].Error, "not below") {
		t.Fatalf("path root mounted outside %s: %+v", parent, rep.Paths)
	}
}

// quiesce auto pauses only a group whose disks span several LVs: web1 (one thin
// LV), app1 and db1 (images on one LV, one group) are synced, not paused; multi
// (two LVs) is paused; a VM with a connected agent is frozen through it.
func TestPlanPausesOnlyGroupsOverSeveralLVs(t *testing.T) {
	w := scene(t)
	w.blockVM("multi", hypervisor.StateRunning, "multi v1")
	l := lvm.LV{VG: "vg0", Name: "multi-data", Path: "/dev/vg0/multi-data", Size: 1 << 30, Attr: "-wi-ao----"}
	w.lvs[l.FullName()] = &flv{lv: l, data: []byte("data")}
	w.doms["multi"].d.Disks = append(w.doms["multi"].d.Disks, hypervisor.Disk{Target: "vdb", Device: "disk", Type: "block", Source: l.Path, Format: "raw"})
	w.doms["app1"].d.AgentChannel, w.doms["app1"].d.AgentConnected = true, true
	cfg := configWith(t, `exclude: ["test-*"]`)
	cfg.Quiesce.Mode = string(hypervisor.ModeAuto)
	d := w.deps()
	p, err := MakePlan(context.Background(), d.Hypervisor, d.LVM, PlanOptions{Config: cfg, Trees: d.Trees})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]hypervisor.Mode{"web1": hypervisor.ModeSysrq, "db1": hypervisor.ModeSysrq, "app1": hypervisor.ModeAgent,
		"multi": hypervisor.ModeSysrqSuspend, "old1": hypervisor.ModeNone}
	for _, vm := range p.VMs() {
		if vm.Quiesce != want[vm.Name] {
			t.Errorf("%s: %s (%s), want %s", vm.Name, vm.Quiesce, vm.QuiesceWhy, want[vm.Name])
		}
	}
	if len(p.VMs()) != len(want) {
		t.Errorf("%d VMs planned", len(p.VMs()))
	}
}
