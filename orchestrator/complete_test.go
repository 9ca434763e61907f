package orchestrator

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// A disk that a backup cannot hold (a LUN passed through, a floppy, a network disk,
// an image on no LV, a qcow2 with a backing chain) fails its VM with a reason naming
// the disk; it is never dropped in silence. vms[].exclude-disks leaves it out on
// purpose: the VM is backed up, and the dry-run plan shows the exclusion. A name in
// exclude-disks that the VM does not have fails the VM naming it.
func TestHostileUnsupportedDiskFailsTheVM(t *testing.T) {
	extra := map[string]hypervisor.Disk{
		"lun1":  {Target: "sdb", Device: "lun", Type: "block", Source: "/dev/sdx"},
		"fd1":   {Target: "fda", Device: "floppy", Type: "file", Source: "/srv/images/boot.img", Format: "raw"},
		"net1":  {Target: "vdb", Device: "disk", Type: "network", Source: "rbd:pool/img", Format: "raw"},
		"nolv1": {Target: "vdc", Device: "disk", Type: "file", Source: "/var/lib/libvirt/images/data.raw", Format: "raw"},
		"cow1":  {Target: "vdd", Device: "disk", Type: "file", Source: "/srv/images/cow1.qcow2", Format: "qcow2", Backing: "/srv/images/base.qcow2"},
	}
	w := newWorld(t)
	for name, d := range extra {
		w.blockVM(name, hypervisor.StateRunning, name+" v1")
		w.doms[name].d.Disks = append(w.doms[name].d.Disks, d)
	}
	w.fileVM("img1", "img1 v1") // creates vg0/images on /srv/images
	w.lvs["vg0/images"].files["boot.img"] = []byte("floppy")
	w.lvs["vg0/images"].files["cow1.qcow2"] = []byte("top layer only")
	env := runEnv{t.TempDir()}

	rep, err := Run(context.Background(), w.deps(), env.opts(configWith(t, ""), night1))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.VMs {
		d, isExtra := extra[v.Name]
		switch {
		case !isExtra && v.Status != StatusOK:
			t.Errorf("%s: %s %s", v.Name, v.Status, v.Error)
		case isExtra && v.Status != StatusFailed:
			t.Errorf("%s has disk %s (%s %s), which a backup cannot hold, yet its backup is %s", v.Name, d.Target, d.Device, d.Type, v.Status)
		case isExtra && !strings.Contains(v.Error, "disk "+d.Target):
			t.Errorf("%s failed without naming disk %s: %s", v.Name, d.Target, v.Error)
		}
		if isExtra && w.datasets["backup/vms/"+v.Name] != nil {
			t.Errorf("%s failed at plan time, yet has a dataset", v.Name)
		}
	}

	// Left out on purpose: each VM is backed up without that disk, and the plan says so.
	var vms strings.Builder
	vms.WriteString("vms:\n")
	for _, name := range []string{"lun1", "fd1", "net1", "nolv1", "cow1", "img1"} {
		vms.WriteString("  - name: " + name + "\n")
		if d, ok := extra[name]; ok {
			vms.WriteString("    exclude-disks: [" + d.Target + "]\n")
		}
	}
	cfg := configWith(t, vms.String())
	o := env.opts(cfg, night2)
	o.DryRun = true
	rep, err = Run(context.Background(), w.deps(), o)
	if err != nil {
		t.Fatal(err)
	}
	var plan bytes.Buffer
	RenderPlan(&plan, rep.Plan)
	t.Logf("dry run:\n%s", plan.String())
	for name, d := range extra {
		if !strings.Contains(plan.String(), name+" "+d.Target+" excluded by vms[].exclude-disks") {
			t.Errorf("the dry run does not show %s's disk %s as excluded", name, d.Target)
		}
	}
	if !strings.Contains(plan.String(), "hdc skipped: a CD-ROM") {
		t.Errorf("the dry run does not show the CD-ROMs left out")
	}
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night2))
	if err != nil || !rep.OK() {
		t.Fatalf("with exclude-disks: %v %+v", err, rep)
	}
	for name, d := range extra {
		files := readTree(w.datasets["backup/vms/"+name].dir)
		if files["vda.raw"] != name+" v1" || len(files) != 4 { // vda.raw, its manifest, domain.xml, kvmbackup.json
			t.Errorf("%s backed up %v, want vda.raw only (%s excluded)", name, keys(files), d.Target)
		}
	}

	cfg = configWith(t, "vms:\n  - name: img1\n    exclude-disks: [vdz]\n")
	rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night3))
	if err != nil {
		t.Fatal(err)
	}
	if v := rep.VMs[0]; v.Status != StatusFailed || !strings.Contains(v.Error, "vdz") || !strings.Contains(v.Error, "exclude-disks") {
		t.Errorf("exclude-disks names vdz, which img1 lacks: %s %s", v.Status, v.Error)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A disk removed from a VM leaves the VM's backups: the next night's dated snapshot
// holds exactly the VM's disks of that night (image and manifest), not a stale image
// of a disk it no longer has that a restore or verify would take for its own.
func TestHostileRemovedDiskImageIsGoneFromTheNextSnapshot(t *testing.T) {
	w := newWorld(t)
	w.blockVM("web1", hypervisor.StateRunning, "web1 v1")
	data := lvm.LV{VG: "vg0", Name: "web1-data", Path: "/dev/vg0/web1-data", Size: 1 << 30, Attr: "-wi-ao----"}
	w.lvs[data.FullName()] = &flv{lv: data, data: []byte("data v1")}
	w.doms["web1"].d.Disks = append(w.doms["web1"].d.Disks, hypervisor.Disk{Target: "vdb", Device: "disk", Type: "block", Source: data.Path, Format: "raw"})
	env := runEnv{t.TempDir()}
	cfg := configWith(t, "")
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	ds := w.datasets["backup/vms/web1"]
	if got := ds.snaps[0].files["vdb.raw"]; got != "data v1" {
		t.Fatalf("night 1 holds vdb.raw %q", got)
	}
	w.doms["web1"].d.Disks = w.doms["web1"].d.Disks[:len(w.doms["web1"].d.Disks)-1] // vdb detached
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night2)); err != nil || !rep.OK() {
		t.Fatalf("night 2: %v %+v", err, rep)
	}
	newest := ds.snaps[len(ds.snaps)-1]
	want := []string{".manifest/vda.raw", "domain.xml", "kvmbackup.json", "vda.raw"}
	if got := slices.Sorted(maps.Keys(newest.files)); !slices.Equal(got, want) {
		t.Errorf("night 2, after vdb was removed, holds %v; want exactly %v", got, want)
	}
	if ds.snaps[0].files["vdb.raw"] != "data v1" {
		t.Errorf("night 1's backup lost vdb.raw")
	}
}

// foreignDataset puts under the target a dataset kvmbackup did not make: a file and
// snapshots of its own (one named like kvmbackup's, without its properties).
func (w *world) foreignDataset(ds string) {
	d := &fds{dir: filepath.Join(w.root, ds)}
	os.MkdirAll(d.dir, 0o755)
	os.WriteFile(filepath.Join(d.dir, "precious"), []byte("not kvmbackup's"), 0o600)
	for i, name := range []string{"mine", zfs.SnapshotName(night1.Add(-48 * time.Hour)), zfs.SnapshotName(night1.Add(-24 * time.Hour))} {
		d.snaps = append(d.snaps, fsnap{s: zfs.Snapshot{Dataset: ds, Name: name, Created: night1.Add(time.Duration(i-3) * time.Hour), Props: map[string]string{}},
			files: map[string]string{"precious": "not kvmbackup's"}})
	}
	w.datasets[ds] = d
}

// A dataset under target.dataset that kvmbackup did not make (no kvmbackup:vm or
// kvmbackup:path property, and not one an earlier kvmbackup made) is never written,
// rolled back or pruned: the VM or paths: entry whose dataset it would be fails
// naming it, the other VMs are backed up, and prune leaves it alone, even with a
// policy that would remove its kvmbackup-named snapshots.
func TestHostileForeignDatasetIsNeverTouched(t *testing.T) {
	w := newWorld(t)
	w.blockVM("web1", hypervisor.StateRunning, "web1 v1")
	w.blockVM("db1", hypervisor.StateRunning, "db1 v1")
	w.trees["/srv/www"] = map[string][]byte{"index.html": []byte("hello")}
	w.foreignDataset("backup/vms/web1")
	w.datasets["backup/vms/_paths"] = &fds{dir: filepath.Join(w.root, "backup/vms/_paths")}
	w.foreignDataset("backup/vms/_paths/www")
	w.foreignDataset("backup/vms/scratch")
	before := map[string]string{}
	for _, ds := range []string{"backup/vms/web1", "backup/vms/_paths/www", "backup/vms/scratch"} {
		before[ds] = fmt.Sprint(readTree(w.datasets[ds].dir), names(w.snapsOf(ds)))
	}
	cfg := configWith(t, "paths:\n  - name: www\n    path: /srv/www\n")
	env := runEnv{t.TempDir()}
	for _, at := range []time.Time{night1, night2} {
		rep, err := Run(context.Background(), w.deps(), env.opts(cfg, at))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range rep.VMs {
			switch {
			case v.Name == "db1" && v.Status != StatusOK:
				t.Errorf("db1: %s %s", v.Status, v.Error)
			case v.Name == "web1" && (v.Status != StatusFailed || !strings.Contains(v.Error, "backup/vms/web1") || !strings.Contains(v.Error, "not a kvmbackup dataset")):
				t.Errorf("web1, whose dataset is foreign: %s %q", v.Status, v.Error)
			}
		}
		if p := rep.Paths[0]; p.Status != StatusFailed || !strings.Contains(p.Error, "backup/vms/_paths/www") {
			t.Errorf("path www, whose dataset is foreign: %s %q", p.Status, p.Error)
		}
	}
	// A journal naming the foreign datasets dirty (a crafted or stale one): recover
	// refuses to roll them back, naming them.
	j, err := OpenJournal(filepath.Join(env.dir, "journal"), "20261101T030000Z")
	if err != nil {
		t.Fatal(err)
	}
	j.Record(OpDirty, "backup/vms/web1", "existing")
	j.Record(OpDirty, "backup/vms/scratch", "created")
	j.Close()
	if _, err := Recover(context.Background(), w.deps(), RecoverOptions{JournalDir: filepath.Join(env.dir, "journal"), Root: "backup/vms"}); err == nil ||
		!strings.Contains(err.Error(), "backup/vms/web1: not a kvmbackup dataset") || !strings.Contains(err.Error(), "backup/vms/scratch: not a kvmbackup dataset") {
		t.Errorf("recover of a journal naming foreign datasets: %v", err)
	}
	pruned, err := Prune(context.Background(), w.deps().Target, PruneOptions{Root: "backup/vms", Policy: policies.Policy{KeepLast: 1}, Location: time.UTC})
	t.Logf("prune: %v %+v", err, pruned)
	for _, pd := range pruned {
		if pd.Dataset != "backup/vms/db1" && pd.Skipped == "" {
			t.Errorf("prune did not skip the foreign %s: %+v", pd.Dataset, pd)
		}
	}
	for ds, b := range before {
		if now := fmt.Sprint(readTree(w.datasets[ds].dir), names(w.snapsOf(ds))); now != b {
			t.Errorf("foreign %s was changed:\n before %s\n after  %s", ds, b, now)
		}
	}
	for _, c := range w.log {
		for ds := range before {
			if strings.HasSuffix(c, " "+ds) && mutating(c) || strings.HasPrefix(c, "Destroy "+ds+"@") || strings.HasPrefix(c, "Claim "+ds) {
				t.Errorf("a call changed the foreign %s: %s", ds, c)
			}
		}
	}
}

func (w *world) snapsOf(ds string) []zfs.Snapshot {
	var out []zfs.Snapshot
	for _, s := range w.datasets[ds].snaps {
		out = append(out, s.s)
	}
	return out
}

// Upgrade: datasets an earlier kvmbackup made carry no ownership property. One that
// passes the adoption rule (only kvmbackup's snapshots, with their properties; for a
// VM, a kvmbackup.json naming it) is adopted: the run backs it up and marks it, with
// setuid, devices and exec off. One that fails any part is foreign: a kvmbackup.json
// that is a symlink, or that names another VM, or a snapshot kvmbackup did not take.
func TestUpgradeAdoptsOnlyDatasetsOfAnEarlierKvmbackup(t *testing.T) {
	w := newWorld(t)
	for _, vm := range []string{"web1", "db1", "app1", "mail1"} {
		w.blockVM(vm, hypervisor.StateRunning, vm+" v1")
	}
	w.trees["/srv/www"] = map[string][]byte{"index.html": []byte("hello")}
	cfg := configWith(t, "paths:\n  - name: www\n    path: /srv/www\n")
	env := runEnv{t.TempDir()}
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	for ds, d := range w.datasets { // as the earlier version left them
		if d.props[zfs.PropVM] == "" && d.props[zfs.PropPath] == "" && ds != "backup/vms" {
			t.Fatalf("%s was created without its ownership property: %v", ds, d.props)
		}
		d.props = nil
	}
	db1 := w.datasets["backup/vms/db1"].dir
	os.Remove(filepath.Join(db1, "kvmbackup.json"))
	os.Symlink(filepath.Join(w.datasets["backup/vms/web1"].dir, "kvmbackup.json"), filepath.Join(db1, "kvmbackup.json"))
	app1 := w.datasets["backup/vms/app1"].dir
	b, _ := os.ReadFile(filepath.Join(w.datasets["backup/vms/web1"].dir, "kvmbackup.json"))
	os.WriteFile(filepath.Join(app1, "kvmbackup.json"), b, 0o600)
	mail1 := w.datasets["backup/vms/mail1"]
	mail1.snaps = append(mail1.snaps, fsnap{s: zfs.Snapshot{Dataset: "backup/vms/mail1", Name: "someones", Props: map[string]string{}}, files: readTree(mail1.dir)})

	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night2))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"web1": StatusOK, "db1": StatusFailed, "app1": StatusFailed, "mail1": StatusFailed}
	for _, v := range rep.VMs {
		if v.Status != want[v.Name] {
			t.Errorf("%s: %s %s, want %s", v.Name, v.Status, v.Error, want[v.Name])
		}
		if v.Status == StatusFailed && !strings.Contains(v.Error, "backup/vms/"+v.Name+": not a kvmbackup dataset") {
			t.Errorf("%s failed without naming its dataset as foreign: %s", v.Name, v.Error)
		}
		t.Logf("%s: %s %s", v.Name, v.Status, v.Error)
	}
	if p := rep.Paths[0]; p.Status != StatusOK {
		t.Errorf("path www: %s %s", p.Status, p.Error)
	}
	for ds, want := range map[string]string{"backup/vms/web1": zfs.PropVM + "=web1", "backup/vms/_paths/www": zfs.PropPath + "=www"} {
		p := w.datasets[ds].props
		k, v, _ := strings.Cut(want, "=")
		if p[k] != v || p["setuid"] != "off" || p["devices"] != "off" || p["exec"] != "off" {
			t.Errorf("%s adopted with properties %v, want %s and setuid, devices, exec off", ds, p, want)
		}
	}
	if p := w.datasets["backup/vms/db1"].props; len(p) != 0 {
		t.Errorf("the foreign backup/vms/db1 was marked: %v", p)
	}
}
