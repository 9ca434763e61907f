package orchestrator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// twoPathNights backs up pathScene twice: root v1 on night 1, root v2 on night 2.
func twoPathNights(t *testing.T) *world {
	w := pathScene(t)
	env := runEnv{t.TempDir()}
	cfg := pathsConfig(t, "")
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("night 1: %v %+v", err, rep)
	}
	w.setPath("root", "v2")
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night2)); err != nil || !rep.OK() {
		t.Fatalf("night 2: %v %+v", err, rep)
	}
	return w
}

func TestRestorePath(t *testing.T) {
	w := twoPathNights(t)
	d := PathRestoreDeps{Target: fakeZFS{w}, Trees: fakeTrees{w}}
	to := filepath.Join(t.TempDir(), "root-then")
	res, err := RestorePath(context.Background(), d, PathRestoreOptions{Root: "backup/vms", Name: "root", At: "2026-11-23", To: to, RunID: "r1", Now: night3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Snapshot != "backup/vms/_paths/root@"+zfs.SnapshotName(night1) || res.To != to || res.Written == 0 {
		t.Errorf("restored %+v", res)
	}
	if b, err := os.ReadFile(filepath.Join(to, "etc/version")); err != nil || string(b) != "root v1" {
		t.Errorf("restored etc/version: %q %v, want night 1's", b, err)
	}
	if len(w.mounts) != 0 {
		t.Errorf("mounts left: %v", w.mounts)
	}
	if o := w.treeOpts[filepath.Join(w.root, "_mnt", "r1")]; !o.Xattrs {
		t.Errorf("restored without xattrs: %+v", o)
	}
}

// Bad input: an error naming it, nothing written, nothing left mounted.
func TestRestorePathRefuses(t *testing.T) {
	w := twoPathNights(t)
	d := PathRestoreDeps{Target: fakeZFS{w}, Trees: fakeTrees{w}}
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "mine"), []byte("keep me"), 0o644)
	file := filepath.Join(full, "mine")
	for _, tc := range []struct {
		name, at, to string
		only         []string
		want         string
		is           error
	}{
		{"nosuch", "latest", filepath.Join(t.TempDir(), "x"), nil, "nosuch (under backup/vms/_paths: images, iso, root)", ErrUnknownPath},
		{"root", "2020-01-01", filepath.Join(t.TempDir(), "x"), nil, "no kvmbackup snapshot at or before", ErrNoSuchSnapshot},
		{"root", "latest", "/", nil, "never restored over / in place", ErrBadRestoreDir},
		{"root", "latest", full, nil, "is not empty (it holds mine)", ErrBadRestoreDir},
		{"root", "latest", file, nil, "is not a directory", ErrBadRestoreDir},
		{"root", "latest", "/nonexistent-parent/x", nil, "no such file", ErrBadRestoreDir},
		{"root", "latest", filepath.Join(w.root, "backup/vms/_paths/root/etc"), nil, "inside the target's mount point", ErrBadRestoreDir},
		{"root", "latest", filepath.Join(t.TempDir(), "x"), []string{"etc/["}, "not a valid glob", nil},
		{"bad/name", "latest", filepath.Join(t.TempDir(), "x"), nil, `--path "bad/name"`, nil},
	} {
		w.log = nil
		_, err := RestorePath(context.Background(), d, PathRestoreOptions{Root: "backup/vms", Name: tc.name, At: tc.at, To: tc.to, Only: tc.only, RunID: "r2", Now: night3})
		if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("restore --path %s --at %s --to %s: %v, want an error saying %q", tc.name, tc.at, tc.to, err, tc.want)
		}
		for _, c := range w.log {
			if mutating(c) || strings.HasPrefix(c, "SyncTree") {
				t.Errorf("refused restore --to %s made a change: %s", tc.to, c)
			}
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me" {
		t.Errorf("a refused restore touched %s", file)
	}
}

// An --only that matches nothing is found out by the copy: the new --to it made is
// removed again, as if never made.
func TestRestorePathOnlyNothingLeavesNoDir(t *testing.T) {
	w := twoPathNights(t)
	d := PathRestoreDeps{Target: fakeZFS{w}, Trees: fakeTrees{w}}
	to := filepath.Join(t.TempDir(), "new")
	_, err := RestorePath(context.Background(), d, PathRestoreOptions{Root: "backup/vms", Name: "root", At: "latest", To: to, Only: []string{"nothing/here"}, RunID: "r2", Now: night3})
	if err == nil || !strings.Contains(err.Error(), "nothing in") {
		t.Fatalf("restore --only nothing/here: %v, want an error saying nothing matched", err)
	}
	if _, err := os.Lstat(to); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("restore --only nothing/here left %s behind (%v)", to, err)
	}
}

func TestMountPathShowsAndUndoes(t *testing.T) {
	w := twoPathNights(t)
	fss := &fakeFS{mounted: map[string]loopdev.FS{}}
	d := MountDeps{Target: fakeZFS{w}, FS: fss}
	state, dir := t.TempDir(), t.TempDir()
	m, err := MountPath(context.Background(), d, PathMountOptions{Root: "backup/vms", Name: "root", At: "1d", Dir: dir, StateDir: state, Now: night3})
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "root")
	if fs := fss.mounted[sub]; fs.Dev != "backup/vms/_paths/root@"+zfs.SnapshotName(night2) || fs.Type != "zfs" || m.Snapshot != fs.Dev {
		t.Errorf("mounted %+v at %s (%+v)", fss.mounted, sub, m)
	}
	if _, err := MountPath(context.Background(), d, PathMountOptions{Root: "backup/vms", Name: "root", At: "latest", Dir: dir, StateDir: state, Now: night3}); err == nil {
		t.Error("a second mount on the same directory was accepted")
	}
	if _, err := UnmountBackup(context.Background(), d, dir, state); err != nil {
		t.Fatal(err)
	}
	if len(fss.mounted) != 0 {
		t.Errorf("left mounted: %v", fss.mounted)
	}
	if _, err := os.Stat(sub); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left: %v", sub, err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the user's directory %s was removed: %v", dir, err)
	}
	if _, err := MountPath(context.Background(), d, PathMountOptions{Root: "backup/vms", Name: "nosuch", At: "latest", Dir: dir, StateDir: state, Now: night3}); !errors.Is(err, ErrUnknownPath) {
		t.Errorf("mount --path nosuch: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a refused mount left %v in %s", ents, dir)
	}
}

// swappingTrees is Trees whose SyncTree first lets attack run: a user acting between
// the restore's checks and its copy.
type swappingTrees struct {
	Trees
	attack func()
}

func (s swappingTrees) SyncTree(ctx context.Context, src, dst string, o transfer.TreeOptions) (transfer.TreeStats, error) {
	s.attack()
	return s.Trees.SyncTree(ctx, src, dst, o)
}

// restore --path --to DIR where DIR, or a directory on the way to it, is one another
// user can change: refused, naming it and why, before anything is written; a user
// who owns the directory that holds a new DIR cannot make it a symlink to elsewhere
// between the check and the copy.
func TestHostileRestorePathToSymlink(t *testing.T) {
	testenv.Require(t, testenv.Root)
	const uid = 1234
	w := twoPathNights(t)
	base := t.TempDir()
	outside := filepath.Join(base, "outside") // root's, empty
	theirs := filepath.Join(base, "theirs")   // a user's directory
	open := filepath.Join(base, "open")       // writable by everyone
	for _, err := range []error{os.Mkdir(outside, 0o700), os.Mkdir(theirs, 0o755), os.Chown(theirs, uid, uid), os.Mkdir(open, 0o777), os.Chmod(open, 0o777)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ to, want string }{
		{filepath.Join(theirs, "restore"), "is owned by uid 1234, not by root"},
		{theirs, "is owned by uid 1234, not by root"},
		{open, "is writable by others (mode 0777)"},
		{filepath.Join(open, "restore"), "is writable by others (mode 0777)"},
	} {
		to := tc.to
		d := PathRestoreDeps{Target: fakeZFS{w}, Trees: swappingTrees{TransferTrees{}, func() {
			if _, err := os.Lstat(to); errors.Is(err, os.ErrNotExist) {
				os.Symlink(outside, to) // the user's symlink where DIR was to be made
			}
		}}}
		_, err := RestorePath(context.Background(), d, PathRestoreOptions{Root: "backup/vms", Name: "root", At: "latest", To: to, RunID: "r9", Now: night3})
		if !errors.Is(err, ErrBadRestoreDir) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("restore --to %s: %v, want it refused saying %q", to, err, tc.want)
		}
		if ents, _ := os.ReadDir(outside); len(ents) != 0 {
			t.Errorf("restore --to %s wrote outside it, through the user's symlink: %v", to, ents)
		}
		if fi, err := os.Lstat(to); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			os.Remove(to) // the user's symlink
		}
		os.RemoveAll(outside)
		os.Mkdir(outside, 0o700)
	}
}

// followingFS is fakeFS as mount(2) is: the mount point is resolved, symlinks
// followed, after attack ran (a user acting between the mount point's making and its
// mount).
type followingFS struct {
	fakeFS
	attack func(dir string)
}

func (f *followingFS) MountRO(ctx context.Context, fs loopdev.FS, dir string) error {
	f.attack(dir)
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	return f.fakeFS.MountRO(ctx, fs, real)
}

// mount --path NAME DIR where DIR is a user's: refused, naming it and why; else the
// user renames DIR/NAME, which kvmbackup made, and puts there a symlink to /etc, and
// the backup's old /etc is mounted over the live one.
func TestHostileMountPathToSymlink(t *testing.T) {
	const uid = 1234
	w := twoPathNights(t)
	base := t.TempDir()
	outside := filepath.Join(base, "etc") // root's
	theirs := filepath.Join(base, "theirs")
	for _, err := range []error{os.Mkdir(outside, 0o755), os.Mkdir(theirs, 0o755), os.Chown(theirs, uid, uid)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	fss := &followingFS{fakeFS{mounted: map[string]loopdev.FS{}}, func(dir string) {
		os.Rename(dir, dir+".moved")
		os.Symlink(outside, dir)
	}}
	d := MountDeps{Target: fakeZFS{w}, FS: fss}
	_, err := MountPath(context.Background(), d, PathMountOptions{Root: "backup/vms", Name: "root", At: "latest", Dir: theirs, StateDir: t.TempDir(), Now: night3})
	if err == nil || !strings.Contains(err.Error(), "is owned by uid 1234, not by root") {
		t.Errorf("mount --path root %s: %v, want it refused naming its owner", theirs, err)
	}
	for dir := range fss.mounted {
		if !strings.HasPrefix(dir, theirs+"/") {
			t.Errorf("the backup was mounted on %s, outside %s", dir, theirs)
		}
	}
}
