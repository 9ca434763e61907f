package orchestrator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/beneath"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/zfs"
)

func restoreDeps(w *world) RestoreDeps {
	return RestoreDeps{Hypervisor: fakeHV{w}, Target: fakeZFS{w}, Volumes: fakeLVM{w}, Copier: fakeCopier{w}, Verifier: fakeCopier{w}}
}

func restoreOpts(vm, to string, disks ...string) RestoreOptions {
	return RestoreOptions{Root: "backup/vms", VM: vm, At: "latest", To: to, Disks: disks, RunID: "r1", Now: night3, Location: time.UTC}
}

// victim is a file outside every restore directory that must never change.
func victim(t *testing.T) (string, func() string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(p, []byte("root's own"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, func() string { b, _ := os.ReadFile(p); return string(b) }
}

// A --to DIR that holds a symlink named like the image, pointing outside: nothing
// outside is written (the image is opened below DIR, following no symlink).
func TestHostileRestoreToSymlink(t *testing.T) {
	w := twoVMNights(t)
	dir := t.TempDir()
	v, content := victim(t)
	if err := os.Symlink(v, filepath.Join(dir, "vda.raw")); err != nil {
		t.Fatal(err)
	}
	res, err := Restore(context.Background(), restoreDeps(w), restoreOpts("db1", dir))
	if got := content(); got != "root's own" {
		t.Fatalf("restore --to %s wrote %q through the symlink %s/vda.raw into %s", dir, got, dir, v)
	}
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "vda.raw")) || !strings.Contains(err.Error(), "symlink") {
		t.Fatalf("restore through a symlink: %v %+v", err, res)
	}
	if len(w.mounts) != 0 {
		t.Errorf("mounts left: %v", w.mounts)
	}
}

// A --to DIR (or a --to FILE's directory) that another user owns or that others can
// write is refused, naming why, with nothing written.
func TestHostileRestoreToUntrustedDir(t *testing.T) {
	testenv.Require(t, testenv.Root) // chown
	w := twoVMNights(t)
	mk := func(mode uint32, uid int) string {
		d := filepath.Join(t.TempDir(), "restore")
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := unix.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(d, uid, -1); err != nil {
			t.Fatal(err)
		}
		return d
	}
	users, world := mk(0o755, 65534), mk(0o777, 0)
	for _, c := range []struct {
		to, dir, why string
	}{
		{users, users, users + " is owned by uid 65534, not by root"},
		{world, world, world + " is writable by others (mode 0777)"},
		{filepath.Join(world, "db1.raw"), world, world + " (on the way to " + filepath.Join(world, "db1.raw") + ") is writable by others (mode 0777)"},
	} {
		res, err := Restore(context.Background(), restoreDeps(w), restoreOpts("db1", c.to))
		if res != nil || !errors.Is(err, ErrBadRestoreDir) || !errors.Is(err, beneath.ErrUntrusted) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("--to %s: %v %+v, want %q", c.to, err, res, c.why)
		}
		if ents, _ := os.ReadDir(c.dir); len(ents) != 0 {
			t.Errorf("--to %s: the refused restore left %s", c.to, ents[0].Name())
		}
	}
}

// A --to inside the target's mount point is refused, as a tree restore's is: it
// would change the backups.
func TestHostileRestoreIntoTarget(t *testing.T) {
	w := twoVMNights(t)
	ds := filepath.Join(w.root, "backup/vms/db1")
	before := readTree(ds)
	for _, to := range []string{ds, filepath.Join(ds, "vda.raw"), filepath.Join(w.root, "backup/vms")} {
		res, err := Restore(context.Background(), restoreDeps(w), restoreOpts("db1", to))
		if res != nil || !errors.Is(err, ErrBadRestoreDir) || !strings.Contains(err.Error(), "inside the target") {
			t.Errorf("--to %s: %v %+v", to, err, res)
		}
	}
	if after := readTree(ds); len(after) != len(before) || after["vda.raw"] != before["vda.raw"] {
		t.Errorf("the backup changed: %v, was %v", after, before)
	}
}

// A VM whose disk was /dev/dm-7 when it was backed up: dm-7 is another LV now. The
// restore to its own volumes resolves the disk again and refuses, naming both LVs.
func TestHostileRestoreWrongVolume(t *testing.T) {
	w := scene(t)
	w.blockVM("dm1", hypervisor.StateShutoff, "dm1 v1")
	w.lvs["vg0/dm1"].lv.Path = "/dev/dm-7"
	w.doms["dm1"].d.Disks[0].Source = "/dev/dm-7"
	if rep, err := Run(context.Background(), w.deps(), runEnv{t.TempDir()}.opts(testConfig(t), night1, "dm1")); err != nil || !rep.OK() {
		t.Fatalf("backup: %v", err)
	}
	// Reboot: the numbers changed; dm-7 is vg0/intruder now.
	w.lvs["vg0/dm1"].lv.Path = "/dev/dm-8"
	w.lvs["vg0/intruder"] = &flv{lv: lvm.LV{VG: "vg0", Name: "intruder", Path: "/dev/dm-7", Size: 1 << 30}, data: []byte("intruder's")}
	o := restoreOpts("dm1", "")
	o.At = zfs.SnapshotName(night1)
	res, err := Restore(context.Background(), restoreDeps(w), o)
	if res != nil || !errors.Is(err, ErrWrongVolume) || !strings.Contains(err.Error(), "vg0/intruder") || !strings.Contains(err.Error(), "vg0/dm1") {
		t.Fatalf("restore to a disk that is another LV now: %v %+v", err, res)
	}
}

// A disk that another defined domain uses, shut off or not, is never written: not as
// --to, not as the restored VM's own volume.
func TestHostileRestoreDiskOfAnotherDomain(t *testing.T) {
	w := twoVMNights(t)
	dir := t.TempDir()
	spare := filepath.Join(dir, "spare.raw")
	if err := os.WriteFile(spare, []byte("spare's"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.doms["spare"] = &fdom{d: hypervisor.Domain{Name: "spare", UUID: "uuid-of-spare", State: hypervisor.StateShutoff, Persistent: true,
		Disks: []hypervisor.Disk{{Target: "vdb", Device: "disk", Type: "file", Source: spare, Format: "raw"}}}}
	res, err := Restore(context.Background(), restoreDeps(w), restoreOpts("db1", spare))
	if res != nil || !errors.Is(err, ErrDiskInUse) || !strings.Contains(err.Error(), "disk vdb of spare") {
		t.Errorf("--to a disk of a shut-off domain: %v %+v", err, res)
	}
	if b, _ := os.ReadFile(spare); string(b) != "spare's" {
		t.Errorf("spare's disk now holds %q", b)
	}
	// old1 (shut off) to its own LV, which old2 (shut off) uses too.
	w.doms["old2"] = &fdom{d: hypervisor.Domain{Name: "old2", UUID: "uuid-of-old2", State: hypervisor.StateShutoff, Persistent: true,
		Disks: []hypervisor.Disk{{Target: "vdc", Device: "disk", Type: "block", Source: "/dev/vg0/old1", Format: "raw"}}}}
	res, err = Restore(context.Background(), restoreDeps(w), restoreOpts("old1", ""))
	if res != nil || !errors.Is(err, ErrDiskInUse) || !strings.Contains(err.Error(), "disk vdc of old2") {
		t.Errorf("own volume used by another domain: %v %+v", err, res)
	}
}

// A block device that is mounted, or that something holds open exclusively, is
// refused (opened with O_EXCL), naming it, with nothing written.
func TestHostileRestoreToOpenDevice(t *testing.T) {
	testenv.Require(t, testenv.Root)
	w := twoVMNights(t)
	ctx := t.Context()
	dir := t.TempDir()
	img := filepath.Join(dir, "dev.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 8<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.Local(ctx, "mkfs.ext4", "-q", "-F", img); err != nil {
		t.Fatal(err)
	}
	out, err := testenv.Local(ctx, "losetup", "--find", "--show", img)
	if err != nil {
		t.Fatal(err)
	}
	dev := strings.TrimSpace(out)
	t.Cleanup(func() { testenv.Local(context.Background(), "losetup", "--detach", dev) })
	sum := func() [32]byte { s, _ := testenv.SHA256(t, dev, -1); return s }
	before := sum()

	// Held open exclusively by another program.
	f, err := os.OpenFile(dev, os.O_RDONLY|unix.O_EXCL, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Restore(ctx, restoreDeps(w), restoreOpts("db1", dev))
	f.Close()
	if res != nil || !errors.Is(err, ErrDiskInUse) || !strings.Contains(err.Error(), dev) {
		t.Errorf("--to a device held open: %v %+v", err, res)
	}
	// Mounted.
	mnt := filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o700)
	if _, err := testenv.Local(ctx, "mount", "-o", "ro", dev, mnt); err != nil {
		t.Fatal(err)
	}
	res, err = Restore(ctx, restoreDeps(w), restoreOpts("db1", dev))
	testenv.Local(context.Background(), "umount", mnt)
	if res != nil || !errors.Is(err, ErrDiskInUse) || !strings.Contains(err.Error(), dev) {
		t.Errorf("--to a mounted device: %v %+v", err, res)
	}
	if sum() != before {
		t.Error("a refused restore wrote the device")
	}
}
