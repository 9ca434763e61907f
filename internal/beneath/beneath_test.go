package beneath

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// tree makes root/{a/f, outside/secret} and returns root and outside.
func tree(t *testing.T) (*Dir, string, string) {
	t.Helper()
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(root, "a"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "a", "f"), []byte("in"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("root's"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, root, outside
}

func TestHostileSymlinkedDirectoryIsNotFollowed(t *testing.T) {
	d, root, outside := tree(t)
	if err := os.Symlink(outside, filepath.Join(root, "evil")); err != nil {
		t.Fatal(err)
	}
	// Open for writing through the symlinked directory, and through a symlink as the
	// last component: both refused, nothing outside changes.
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "a", "link")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"evil/secret", "evil/new", "a/link", "../outside/secret", "/etc/passwd"} {
		f, err := d.OpenFile(rel, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, 0o600)
		if err == nil {
			f.Close()
			t.Errorf("OpenFile(%q) for writing succeeded through a symlink or outside the root", rel)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "root's" {
		t.Fatalf("the file outside was changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); err == nil {
		t.Fatal("a file was created outside the root")
	}
	if _, err := d.OpenFile("evil/secret", unix.O_RDONLY, 0); !errors.Is(err, ErrNotBeneath) {
		t.Errorf("error %v, want ErrNotBeneath", err)
	}
	// Lstat of a symlink describes the symlink.
	st, err := d.Lstat("a/link")
	if err != nil || st.Mode&unix.S_IFMT != unix.S_IFLNK {
		t.Errorf("Lstat(a/link) = mode %o, %v; want a symlink", st.Mode, err)
	}
	if _, err := d.Lstat("evil/secret"); err == nil {
		t.Error("Lstat followed a symlinked directory")
	}
}

func TestHostileRemoveAllRemovesTheSymlinkNotItsTarget(t *testing.T) {
	d, root, outside := tree(t)
	if err := os.Symlink(outside, filepath.Join(root, "a", "evil")); err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveAll("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(root, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a still there: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(outside, "secret")); err != nil || string(b) != "root's" {
		t.Fatalf("RemoveAll reached outside the root: %q %v", b, err)
	}
	// A symlinked directory on the way: refused, its target untouched.
	if err := os.Symlink(outside, filepath.Join(root, "b")); err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveAll("b/secret"); err == nil {
		t.Fatal("RemoveAll(b/secret) through a symlinked directory succeeded")
	}
	if _, err := os.Stat(filepath.Join(outside, "secret")); err != nil {
		t.Fatal("RemoveAll followed a symlinked directory")
	}
	if err := d.RemoveAll("nothing/here"); err != nil {
		t.Errorf("RemoveAll of nothing: %v", err)
	}
}

func TestHostileLinkDoesNotFollow(t *testing.T) {
	d, root, outside := tree(t)
	if err := os.Symlink(outside, filepath.Join(root, "evil")); err != nil {
		t.Fatal(err)
	}
	if err := d.Link("a/f", "evil/f"); err == nil {
		t.Fatal("Link wrote through a symlinked directory")
	}
	if err := d.Link("a/f", "a/g"); err != nil {
		t.Fatal(err)
	}
	a, _ := d.Lstat("a/f")
	g, _ := d.Lstat("a/g")
	if !SameFile(a, g) {
		t.Fatal("a/g is not a/f")
	}
	if err := d.Mkdir("evil/x", 0o700); err == nil {
		t.Fatal("Mkdir through a symlinked directory")
	}
	if err := d.Mkdir("a/x", 0o700); err != nil {
		t.Fatal(err)
	}
}

// RemoveAllAt removes one name by descriptors, never what a symlink names nor what
// another file system mounted below it holds.
func TestRemoveAllAt(t *testing.T) {
	d, root, outside := tree(t)
	if err := os.Symlink(outside, filepath.Join(root, "a", "link")); err != nil {
		t.Fatal(err)
	}
	if err := RemoveAllAt(d.Fd(), "a/link"); !errors.Is(err, ErrNotBeneath) {
		t.Errorf("RemoveAllAt of a path: %v, want ErrNotBeneath", err)
	}
	if err := RemoveAllAt(d.Fd(), "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(root, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a not removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "secret")); err != nil {
		t.Errorf("the symlink's target removed: %v", err)
	}
	if os.Geteuid() != 0 {
		return
	}
	mnt := filepath.Join(root, "m", "mnt")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, ""); err != nil {
		t.Skipf("mount: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, 0) })
	if err := os.WriteFile(filepath.Join(mnt, "kept"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := RemoveAllAt(d.Fd(), "m"); !errors.Is(err, unix.EXDEV) {
		t.Errorf("RemoveAllAt across a mount: %v, want EXDEV", err)
	}
	if _, err := os.Stat(filepath.Join(mnt, "kept")); err != nil {
		t.Errorf("a file of the mounted file system removed: %v", err)
	}
}

// A file that cannot be unlinked (immutable) is the error: not retried for ever.
func TestRemoveAllAtImmutableFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "locked")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const immutable = 0x10 // FS_IMMUTABLE_FL
	if err := unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, immutable); err != nil {
		t.Fatalf("chattr +i %s: %v", p, err)
	}
	defer unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, 0)
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := RemoveAllAt(int(d.Fd()), "locked"); !errors.Is(err, unix.EPERM) {
		t.Errorf("remove an immutable file: %v, want EPERM", err)
	}
}

// A directory of the same file system bind-mounted below what is removed (root's own
// files, mounted into the tree by an admin): its files are another place's, and are
// kept, although st_dev cannot tell the mount point from a directory.
func TestRemoveAllAtKeepsABindMountOfTheSameFileSystem(t *testing.T) {
	testenv.Require(t, testenv.Root) // mount
	d, root, outside := tree(t)
	bind := filepath.Join(root, "b", "bind")
	if err := os.MkdirAll(bind, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount(outside, bind, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("mount --bind %s %s: %v", outside, bind, err)
	}
	t.Cleanup(func() { unix.Unmount(bind, unix.MNT_DETACH) })
	var a, b unix.Stat_t
	if unix.Stat(bind, &a) != nil || unix.Stat(filepath.Join(root, "b"), &b) != nil || a.Dev != b.Dev {
		t.Fatalf("the bind mount is not of the same file system (st_dev %d, %d)", a.Dev, b.Dev)
	}
	if err := RemoveAllAt(d.Fd(), "b"); !errors.Is(err, unix.EXDEV) {
		t.Errorf("RemoveAllAt across a bind mount: %v, want EXDEV", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "secret")); err != nil {
		t.Errorf("a file of the bind-mounted directory removed: %v", err)
	}
}
