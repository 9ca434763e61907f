package orchestrator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/loopdev"
)

// fakeLoops and fakeFS keep what is attached and mounted, and fail on demand.
type fakeLoops struct {
	attached map[string]string
	failFS   bool
	n        int
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
	return []loopdev.FS{{Dev: dev + "p1", Type: "ext4", Number: 1}, {Dev: dev + "p2", Type: "xfs", Number: 2}}, nil
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
