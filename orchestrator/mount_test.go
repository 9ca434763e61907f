package orchestrator

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/internal/mounts"
	"github.com/kvmbackup/kvmbackup/testenv"
)

// fakeLoops and fakeFS keep what is attached and mounted, and fail on demand.
type fakeLoops struct {
	attached map[string]string
	failFS   bool
	n        int
	extra    []loopdev.FS // more filesystems on each device (Dev: a suffix of it)
}

func (f *fakeLoops) Attach(_ context.Context, image string) (string, error) {
	f.n++
	dev := fmt.Sprintf("/dev/loop%d", f.n)
	f.attached[dev] = image
	return dev, nil
}

func (f *fakeLoops) Filesystems(_ context.Context, dev string) ([]loopdev.FS, error) {
	if f.failFS {
		return nil, fmt.Errorf("lsblk %s: injected failure", dev)
	}
	fss := []loopdev.FS{{Dev: dev + "p1", Type: "ext4", Number: 1}, {Dev: dev + "p2", Type: "xfs", Number: 2}}
	for _, fs := range f.extra {
		fs.Dev = dev + fs.Dev
		fss = append(fss, fs)
	}
	return fss, nil
}

func (f *fakeLoops) Detach(_ context.Context, dev string) error { delete(f.attached, dev); return nil }

type fakeFS struct{ mounted map[string]loopdev.FS }

func (f *fakeFS) MountRO(_ context.Context, fs loopdev.FS, dir string) error {
	f.mounted[dir] = fs
	return nil
}

func (f *fakeFS) Unmount(_ context.Context, dir string) error {
	delete(f.mounted, dir)
	return os.Remove(dir)
}

func TestMountBackupShowsAndUndoes(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	if rep, err := Run(context.Background(), w.deps(), env.opts(testConfig(t), night1)); err != nil || !rep.OK() {
		t.Fatal(err)
	}
	loops, fss := &fakeLoops{attached: map[string]string{}}, &fakeFS{mounted: map[string]loopdev.FS{}}
	d := MountDeps{Target: fakeZFS{w}, Loops: loops, FS: fss}
	state := t.TempDir()
	dir := t.TempDir()
	o := MountOptions{Root: "backup/vms", VM: "web1", At: "latest", Dir: dir, StateDir: state, RunID: "m1", Now: night2}
	clean := func(what string) {
		t.Helper()
		if len(loops.attached) != 0 || len(fss.mounted) != 0 || len(w.mounts) != 0 {
			t.Errorf("%s left: loops %v, mounts %v, snapshot mounts %v", what, loops.attached, fss.mounted, w.mounts)
		}
	}
	bad := []struct {
		name string
		o    func(MountOptions) MountOptions
		text string
	}{
		{"unknown disk", func(o MountOptions) MountOptions { o.Disks = []string{"vdz"}; return o }, "disks: vda"},
		{"unknown VM", func(o MountOptions) MountOptions { o.VM = "mail"; return o }, "db1"},
		{"bad WHEN", func(o MountOptions) MountOptions { o.At = "soon"; return o }, "kvmbackup_"},
	}
	for _, b := range bad {
		if m, err := MountBackup(context.Background(), d, b.o(o)); m != nil || err == nil || !strings.Contains(err.Error(), b.text) {
			t.Errorf("%s: %v %v", b.name, m, err)
		}
		clean(b.name)
	}
	loops.failFS = true
	if _, err := MountBackup(context.Background(), d, o); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Errorf("lsblk failure: %v", err)
	}
	clean("a failure halfway")
	loops.failFS = false

	m, err := MountBackup(context.Background(), d, o)
	if err != nil || len(m.Mounts) != 2 || m.Mounts[0].Dir != filepath.Join(dir, "vda-p1") || fss.mounted[filepath.Join(dir, "vda-p2")].Type != "xfs" {
		t.Fatalf("mount: %v %+v", err, m)
	}
	if _, err := MountBackup(context.Background(), d, o); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a second mount on %s: %v", dir, err)
	}
	if _, err := UnmountBackup(context.Background(), d, dir, state); err != nil {
		t.Fatal(err)
	}
	clean("umount")
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("umount left %v in %s", ents, dir)
	}
	if _, err := UnmountBackup(context.Background(), d, dir, state); err == nil || !strings.Contains(err.Error(), "does not show a backup") {
		t.Errorf("a second umount: %v", err)
	}
}

// A filesystem a guest made is mounted only when its type is on the allow-list: the
// kernel's parsers of the others (hfsplus, squashfs, ...) see far less hostile input.
// Those are listed, not mounted, and the mount still shows the allowed ones.
func TestHostileMountDisallowedFSType(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	if rep, err := Run(context.Background(), w.deps(), env.opts(testConfig(t), night1)); err != nil || !rep.OK() {
		t.Fatal(err)
	}
	loops := &fakeLoops{attached: map[string]string{}, extra: []loopdev.FS{{Dev: "p3", Type: "hfsplus", Number: 3}, {Dev: "p4", Type: "squashfs", Number: 4}}}
	fss := &fakeFS{mounted: map[string]loopdev.FS{}}
	d := MountDeps{Target: fakeZFS{w}, Loops: loops, FS: fss}
	dir, state := t.TempDir(), t.TempDir()
	m, err := MountBackup(context.Background(), d, MountOptions{Root: "backup/vms", VM: "web1", At: "latest", Dir: dir, StateDir: state, RunID: "m1", Now: night2})
	if err != nil {
		t.Fatal(err)
	}
	for sub, fs := range fss.mounted {
		if fs.Type != "ext4" && fs.Type != "xfs" {
			t.Errorf("%s (%s) mounted on %s", fs.Dev, fs.Type, sub)
		}
	}
	if len(m.Mounts) != 2 || len(m.NotMounted) != 2 || m.NotMounted[0].FS.Type != "hfsplus" || !strings.Contains(m.NotMounted[1].Reason, "not on the allow-list") {
		t.Errorf("mounted %+v, not mounted %+v", m.Mounts, m.NotMounted)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("%s holds %v, want the two mounts only", dir, ents)
	}
	if _, err := UnmountBackup(context.Background(), d, dir, state); err != nil || len(loops.attached) != 0 || len(fss.mounted) != 0 {
		t.Errorf("umount: %v, left %v %v", err, loops.attached, fss.mounted)
	}
}

// SystemMounter, on the machine's real loop devices: an allowed filesystem is mounted
// read-only with nosuid,nodev,noexec (as /proc/self/mountinfo shows), whatever the
// mounter is asked; a type outside the allow-list is refused before mount(8) runs.
func TestHostileSystemMounterOptions(t *testing.T) {
	testenv.Require(t, testenv.Root)
	ctx := t.Context()
	dir := t.TempDir()
	loops := loopdev.New()
	attach := func(mkfs ...string) loopdev.FS {
		t.Helper()
		img := filepath.Join(dir, mkfs[0]+".img")
		if err := os.WriteFile(img, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(img, 8<<20); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.CommandContext(ctx, mkfs[0], append(mkfs[1:], img)...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", mkfs[0], err, out)
		}
		dev, err := loops.Attach(ctx, img)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { loops.Detach(context.Background(), dev) })
		fss, err := loops.Filesystems(ctx, dev)
		if err != nil || len(fss) != 1 {
			t.Fatalf("filesystems on %s: %v %v", dev, fss, err)
		}
		return fss[0]
	}
	m := NewSystemMounter()
	ext4 := attach("mkfs.ext4", "-q")
	mp := filepath.Join(dir, "ext4")
	os.Mkdir(mp, 0o700)
	if err := m.MountRO(ctx, ext4, mp); err != nil {
		t.Fatal(err)
	}
	defer m.Unmount(context.Background(), mp)
	e, err := mounts.Of(mp)
	if err != nil || e.Point != mp {
		t.Fatalf("mount of %s: %+v %v", mp, e, err)
	}
	for _, o := range []string{"ro", "nosuid", "nodev", "noexec"} {
		if !slices.Contains(strings.Split(e.Options, ","), o) {
			t.Errorf("%s mounted with %s, lacks %s", mp, e.Options, o)
		}
	}

	minix := attach("mkfs.minix")
	if minix.Type != "minix" {
		t.Fatalf("blkid says %q for a minix filesystem", minix.Type)
	}
	mp = filepath.Join(dir, "minix")
	os.Mkdir(mp, 0o700)
	if err := m.MountRO(ctx, minix, mp); err == nil || !strings.Contains(err.Error(), "not on the allow-list") {
		m.Unmount(context.Background(), mp)
		t.Errorf("minix: %v, want it refused as not on the allow-list", err)
	}
}
