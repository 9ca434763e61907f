package beneath

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// OpenTrusted: a directory, or a file's directory and name; a trusted symlink on the
// way is followed; a directory someone else owns or can write (as the place written
// in, or on the way without the sticky bit), or their symlink, is refused naming why.
func TestOpenTrusted(t *testing.T) {
	testenv.Require(t, testenv.Root) // chown to another uid
	base := t.TempDir()              // below /tmp: sticky, on the way
	mk := func(rel string, mode uint32, uid int) string {
		return owned(t, filepath.Join(base, rel), nil, mode, uid)
	}
	good := mk("good", 0o755, 0)
	users := mk("users", 0o755, 65534)
	world := mk("world", 0o777, 0)
	group := mk("group", 0o775, 0)
	sticky := mk("sticky", 0o1777, 0)
	inSticky := filepath.Join(sticky, "mine")
	if err := os.Mkdir(inSticky, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(good, filepath.Join(sticky, "root-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(good, filepath.Join(sticky, "their-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(filepath.Join(sticky, "their-link"), 65534, -1); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../good/x.raw", filepath.Join(good, "rel-link")); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		path, dir, name string
	}{
		{good, good, ""},
		{good + "/", good, ""},
		{filepath.Join(good, "x.raw"), good, "x.raw"},
		{inSticky, inSticky, ""},
		{filepath.Join(sticky, "root-link"), good, ""},
		{filepath.Join(good, "rel-link"), good, "x.raw"},
		{filepath.Join(good, "..", "good", "y"), good, "y"},
	} {
		d, name, err := OpenTrusted(c.path)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if d.Name() != c.dir || name != c.name {
			t.Errorf("%s: %s %q, want %s %q", c.path, d.Name(), name, c.dir, c.name)
		}
		d.Close()
	}
	for _, c := range []struct {
		path, why string
	}{
		{users, users + " is owned by uid 65534"},
		{filepath.Join(users, "x.raw"), "is owned by uid 65534"},
		{world, world + " is writable by others (mode 0777)"},
		{filepath.Join(world, "x.raw"), "writable by others"},
		{group, "writable by its group 0 (mode 0775)"},
		{sticky, "writable by others (mode 1777)"},
		{filepath.Join(sticky, "x.raw"), "writable by others (mode 1777)"},
		{filepath.Join(sticky, "their-link"), "symlink owned by uid 65534: not followed"},
	} {
		d, _, err := OpenTrusted(c.path)
		if err == nil {
			d.Close()
		}
		if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: %v, want %q", c.path, err, c.why)
		}
	}
	// A directory on the way owned by someone else (not sticky: they can rename).
	inUsers := filepath.Join(users, "sub")
	if err := os.Mkdir(inUsers, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenTrusted(inUsers); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "on the way to "+inUsers) {
		t.Errorf("%s: %v", inUsers, err)
	}
}

// CheckExecutable: kvmbackup runs the admin's hook script and notify command as
// root; one that another user could change (theirs, writable by them, in a directory
// of theirs, or their symlink) would run their code as root: refused, naming why.
func TestHostileExecutableOfAnotherUser(t *testing.T) {
	testenv.Require(t, testenv.Root) // chown to another uid
	base := t.TempDir()
	mkdir := func(rel string, mode uint32, uid int) string {
		return owned(t, filepath.Join(base, rel), nil, mode, uid)
	}
	script := func(dir, name string, mode uint32, uid int) string {
		return owned(t, filepath.Join(dir, name), []byte("#!/bin/sh\nexit 0\n"), mode, uid)
	}
	root := mkdir("root", 0o755, 0)
	theirs := mkdir("theirs", 0o755, 65534)
	ok := script(root, "ok.sh", 0o755, 0)
	link := filepath.Join(root, "link.sh") // root's symlink: followed
	if err := os.Symlink(ok, link); err != nil {
		t.Fatal(err)
	}
	theirLink := filepath.Join(root, "their-link.sh")
	if err := os.Symlink(ok, theirLink); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(theirLink, 65534, -1); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(root, "fifo")
	if err := unix.Mkfifo(fifo, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{ok, link} {
		if err := CheckExecutable(p); err != nil {
			t.Errorf("root's 0755 script in root's directory (%s): %v", p, err)
		}
	}
	for _, c := range []struct{ path, want string }{
		{script(root, "their.sh", 0o755, 65534), "owned by uid 65534"},
		{script(root, "world.sh", 0o757, 0), "writable by its group or by others (mode 0757)"},
		{script(root, "group.sh", 0o775, 0), "writable by its group or by others (mode 0775)"},
		{script(theirs, "in-theirs.sh", 0o755, 0), "owned by uid 65534"},
		{script(root, "noexec.sh", 0o644, 0), "not executable"},
		{theirLink, "owned by uid 65534"},
		{fifo, "not a regular file"},
		{root, "is a directory"},
	} {
		err := CheckExecutable(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckExecutable(%s) = %v, want an error with %q", c.path, err, c.want)
		}
		if strings.Contains(c.want, "uid") || strings.Contains(c.want, "writable") {
			if !errors.Is(err, ErrUntrusted) {
				t.Errorf("CheckExecutable(%s) = %v, not ErrUntrusted", c.path, err)
			}
		}
	}
}

// owned makes p, a directory (data nil) or a file holding data, with mode (past the
// umask, sticky bit included) and owner uid.
func owned(t *testing.T, p string, data []byte, mode uint32, uid int) string {
	t.Helper()
	var err error
	if data == nil {
		err = os.Mkdir(p, 0o700)
	} else {
		err = os.WriteFile(p, data, 0o700)
	}
	if err == nil {
		err = unix.Chmod(p, mode)
	}
	if err == nil {
		err = os.Lchown(p, uid, -1)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}
