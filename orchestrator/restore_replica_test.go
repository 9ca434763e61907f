package orchestrator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"libvirt.org/go/libvirtxml"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"

	"github.com/kvmbackup/kvmbackup/internal/beneath"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// fakeReplicas is zfs.PropReplica as set locally on the world's datasets: marks by
// dataset; a dataset of the world without one has none.
type fakeReplicas struct {
	w     *world
	marks map[string]string
}

func (f fakeReplicas) ReplicaMark(ctx context.Context, ds string) (string, error) {
	if err := f.w.call(ctx, "ReplicaMark "+ds, true); err != nil {
		return "", err
	}
	if f.w.datasets[ds] == nil {
		return "", zfs.ErrNotFound
	}
	return f.marks[ds], nil
}

// restore --from: the world's backup/vms read as if it were a replication
// receiver's root where kvmbackup received db1 (marked) but not web1 (a dataset of
// the same name, unmarked: another tool's, or a backup target's own).
func TestRestoreFromReplica(t *testing.T) {
	w := twoVMNights(t)
	ctx := context.Background()
	d := restoreDeps(w)
	d.Replicas = fakeReplicas{w, map[string]string{"backup/vms/db1": "db1", "backup/vms/web1": ""}}
	dir := t.TempDir()
	o := func(vm string) RestoreOptions {
		return RestoreOptions{Root: "backup/vms", Replica: true, VM: vm, At: zfs.SnapshotName(night1), RunID: "r1", Now: night3, Location: time.UTC}
	}
	with := func(o RestoreOptions, f func(*RestoreOptions)) RestoreOptions { f(&o); return o }
	img := filepath.Join(dir, "db1-vda.img")
	mapped := func(o *RestoreOptions) { o.Targets = map[string]string{"vda": img} }
	// A symlink that another user made (only root's own are followed, as /dev/VG/LV
	// → ../dm-3), pointing at a file that must not change.
	v, content := victim(t)
	if err := os.Symlink(v, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(filepath.Join(dir, "link"), 65534, 65534); err != nil {
		t.Fatal(err)
	}
	calls := len(w.log)
	for name, c := range map[string]struct {
		o    RestoreOptions
		want error
		text string
	}{
		"not received here": {with(o("web1"), mapped), ErrNotReplica, "backup/vms/web1 does not carry kvmbackup:replica=web1"},
		"unknown VM":        {with(o("mail"), mapped), ErrUnknownVM, "db1, old1, web1"},
		"--no-network without --define": {with(o("db1"), func(o *RestoreOptions) { mapped(o); o.NoNetwork = true }),
			ErrBadDefine, "add --define"},
		"a disk without a target": {o("db1"), ErrNoTarget, "vda (/srv/images/db1.raw on the sending host)"},
		"--define, no target":     {with(o("db1"), func(o *RestoreOptions) { o.Define, o.As = true, "db1-fo" }), ErrBadDefine, "--disk DISK=PATH"},
		"an unknown disk mapped": {with(o("db1"), func(o *RestoreOptions) { o.Targets = map[string]string{"vdz": img} }),
			nil, "no disk vdz in backup/vms/db1@" + zfs.SnapshotName(night1) + " (disks: vda)"},
		"a relative target":     {with(o("db1"), func(o *RestoreOptions) { o.Targets = map[string]string{"vda": "x.img"} }), nil, "absolute"},
		"a directory as target": {with(o("db1"), func(o *RestoreOptions) { o.Targets = map[string]string{"vda": dir} }), ErrBadRestoreDir, "is a directory"},
		"another's symlink":     {with(o("db1"), func(o *RestoreOptions) { o.Targets = map[string]string{"vda": filepath.Join(dir, "link")} }), beneath.ErrUntrusted, "link"},
		"a target in the backup": {with(o("db1"), func(o *RestoreOptions) {
			o.Targets = map[string]string{"vda": filepath.Join(w.datasets["backup/vms/db1"].dir, "x.img")}
		}), ErrBadRestoreDir, "inside the target's mount point"},
	} {
		res, err := Restore(ctx, d, c.o)
		if res != nil || err == nil || (c.want != nil && !errors.Is(err, c.want)) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %+v %v", name, res, err)
		}
	}
	if got := content(); got != "root's own" {
		t.Fatalf("a refused restore wrote %q into %s", got, v)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 || len(w.doms) != 5 || len(w.mounts) != 0 {
		t.Fatalf("refused restores left files %v, %d domains, mounts %v", ents, len(w.doms), w.mounts)
	}
	// Neither web1's backups nor anything of mail's were looked at: the mark comes first.
	for _, c := range w.log[calls:] {
		if strings.Contains(c, "Snapshots backup/vms/web1") || strings.Contains(c, "Snapshots backup/vms/mail") {
			t.Errorf("read %s of a dataset not received", c)
		}
	}

	// The test failover: a copy, on a disk of this host's the admin named, with no
	// network.
	res, err := Restore(ctx, d, with(o("db1"), func(o *RestoreOptions) {
		mapped(o)
		o.Define, o.As, o.NoNetwork = true, "db1-fo", true
	}))
	if err != nil || res.Defined != "db1-fo" || res.Disks[0].To != img || res.Disks[0].Verified == nil {
		t.Fatalf("restore --from --disk vda=%s --define --as db1-fo --no-network: %v %+v", img, err, res)
	}
	if b, _ := os.ReadFile(img); string(b) != "db1 v1" {
		t.Errorf("the mapped disk holds %q, want night 1's", b)
	}
	var def libvirtxml.Domain
	if err := def.Unmarshal(w.doms["db1-fo"].xml); err != nil || len(def.Devices.Interfaces) != 0 || def.Devices.Disks[0].Source.File.File != img {
		t.Errorf("the failover copy's definition (%v):\n%s", err, w.doms["db1-fo"].xml)
	}

	// The failover proper: db1 is not defined on this host; it is defined under its
	// own name and UUID, its disk where it was written, its network kept.
	delete(w.doms, "db1")
	img2 := filepath.Join(dir, "db1-vda-2.img")
	res, err = Restore(ctx, d, with(o("db1"), func(o *RestoreOptions) { o.Targets, o.Define = map[string]string{"vda": img2}, true }))
	if err != nil || res.Defined != "db1" || w.doms["db1"] == nil || w.doms["db1"].d.UUID != "uuid-of-db1" || w.doms["db1"].d.Disks[0].Source != img2 ||
		!strings.Contains(w.doms["db1"].xml, "<interface") {
		t.Fatalf("failover of db1: %v %+v", err, w.doms["db1"])
	}

	// --to DIR works from a replica as from the target, WHEN resolved among the
	// received snapshots; a dry run writes nothing.
	dir2 := t.TempDir()
	dry := with(o("db1"), func(o *RestoreOptions) { o.To, o.At, o.DryRun = dir2, "latest", true })
	if res, err := Restore(ctx, d, dry); err != nil || !res.DryRun || res.Snapshot != "backup/vms/db1@"+zfs.SnapshotName(night2) {
		t.Fatalf("restore --from --at latest --dry-run: %v %+v", err, res)
	}
	if ents, _ := os.ReadDir(dir2); len(ents) != 0 {
		t.Fatalf("the dry run wrote %v", ents)
	}
	if res, err := Restore(ctx, d, with(o("db1"), func(o *RestoreOptions) { o.To, o.At = dir2, "latest" })); err != nil || res.Disks[0].To != filepath.Join(dir2, "vda.raw") {
		t.Fatalf("restore --from --to DIR: %v %+v", err, res)
	}
	if b, _ := os.ReadFile(filepath.Join(dir2, "vda.raw")); string(b) != "db1 v2" {
		t.Errorf("restore --from --at latest wrote %q", b)
	}
	if len(w.mounts) != 0 {
		t.Errorf("mounts left: %v", w.mounts)
	}
}

// --disk DISK=PATH without --from: that disk goes there, whatever the VM's state;
// the others where they would go.
func TestRestoreMappedDisk(t *testing.T) {
	w := twoVMNights(t)
	img := filepath.Join(t.TempDir(), "db1.img")
	res, err := Restore(context.Background(), restoreDeps(w), RestoreOptions{Root: "backup/vms", VM: "db1", At: "latest",
		Targets: map[string]string{"vda": img}, RunID: "r1", Now: night3, Location: time.UTC})
	if err != nil || len(res.Disks) != 1 || res.Disks[0].To != img {
		t.Fatalf("restore --disk vda=%s: %v %+v", img, err, res)
	}
	if b, _ := os.ReadFile(img); string(b) != "db1 v2" {
		t.Errorf("wrote %q", b)
	}
	if w.data("db1") != "db1 v2" {
		t.Errorf("the VM's own disk changed")
	}

	// A copy (--as) with a disk mapped and one selected (--disk vdb) with no target:
	// refused, the original's volume is never the copy's. (One not selected at all
	// is refused by Redefine: shared.)
	w.blockVM("two1", hypervisor.StateShutoff, "two1 vda")
	w.lvs["vg0/two1-b"] = &flv{lv: lvm.LV{VG: "vg0", Name: "two1-b", Path: "/dev/vg0/two1-b", Size: 1 << 30, Attr: "-wi-a-----"}, data: []byte("two1 vdb")}
	w.doms["two1"].d.Disks = append(w.doms["two1"].d.Disks, hypervisor.Disk{Target: "vdb", Device: "disk", Type: "block", Source: "/dev/vg0/two1-b", Format: "raw"})
	if rep, err := Run(context.Background(), w.deps(), runEnv{t.TempDir()}.opts(testConfig(t), night3)); err != nil || !rep.OK() {
		t.Fatalf("backup of two1: %v %+v", err, rep)
	}
	res, err = Restore(context.Background(), restoreDeps(w), RestoreOptions{Root: "backup/vms", VM: "two1", At: "latest", Define: true, As: "two1-copy",
		Targets: map[string]string{"vda": img}, Disks: []string{"vdb"}, RunID: "r2", Now: night3, Location: time.UTC})
	if res != nil || !errors.Is(err, ErrBadDefine) || !strings.Contains(err.Error(), "disk vdb has no target") || w.data("two1-b") != "two1 vdb" {
		t.Errorf("--as with a disk left on the original's volume: %v %+v", err, res)
	}
}

// What a replica's definition may hand to QEMU on this host: a public file of root's,
// never a secret, a symlink, or a file someone else can change.
func TestHostilePublicHostFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	public := write("vmlinuz", 0o644)
	if err := publicHostFile("kernel", public); err != nil && os.Geteuid() == 0 {
		t.Errorf("a public kernel of root's: %v", err)
	}
	// A public file of root's in a directory that others can write: they could swap
	// it for another file (or a symlink) between the check and libvirt's read.
	open := filepath.Join(dir, "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	inOpen := filepath.Join(open, "vmlinuz")
	if err := os.WriteFile(inOpen, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("/etc/shadow", link); err != nil {
		t.Fatal(err)
	}
	for p, text := range map[string]string{
		write("secret", 0o600):   "not readable by everyone",
		write("writable", 0o666): "not root's alone",
		link:                     "not a regular file",
		inOpen:                   "is writable by others",
		"vmlinuz":                "not an absolute, clean path",
		dir + "/../" + filepath.Base(dir) + "/vmlinuz": "not an absolute, clean path",
		dir: "not a regular file",
	} {
		if err := publicHostFile("kernel", p); err == nil || !strings.Contains(err.Error(), text) {
			t.Errorf("%s: %v, want %q", p, err, text)
		}
	}
	// The replica's domain.xml as a symlink to a file of this host is not read.
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "domain.xml")); err != nil {
		t.Fatal(err)
	}
	if b, err := readBackupFile(dir, "domain.xml"); err == nil {
		t.Errorf("read through a symlink: %d bytes", len(b))
	}
}
