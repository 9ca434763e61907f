// Package beneath owns kvmbackup's access to files in trees that others can write:
// a live tree being copied, a restore's destination directory, a dataset being
// cleaned. Every path is resolved below a held directory descriptor with openat2's
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV:
// no symlink is ever followed (not even one that stays inside the tree), no ".."
// leaves it, no mount point is crossed. Changes (unlink, link, remove) are made
// with *at calls on the descriptor of the parent directory so resolved, never with a
// path string; a name swapped for a symlink between two calls is an error
// (ErrNotBeneath or ENOTDIR/ELOOP), never followed.
//
// Only the root's own path is resolved the ordinary way: it is the admin's (a config
// key, a command-line argument, a mount kvmbackup made).
package beneath

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// resolve is how every path below a root is resolved.
const resolve = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV

// ErrNotBeneath: a path could not be resolved below its root without following a
// symlink or crossing a mount (openat2 said ELOOP, EXDEV or EAGAIN-exhausted).
var ErrNotBeneath = errors.New("not beneath its root without following a symlink")

// Dir is an open directory that paths are resolved below.
type Dir struct {
	f *os.File
}

// Open opens the directory at path (followed as given: it is the caller's) as a root.
func Open(path string) (*Dir, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open directory", Path: path, Err: err}
	}
	return &Dir{f: os.NewFile(uintptr(fd), path)}, nil
}

// Close closes the directory.
func (d *Dir) Close() error { return d.f.Close() }

// Name is the directory's path as it was opened (for messages).
func (d *Dir) Name() string { return d.f.Name() }

// Fd is the directory's descriptor, valid until Close.
func (d *Dir) Fd() int { return int(d.f.Fd()) }

// Stat describes the directory itself.
func (d *Dir) Stat() (unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Fstat(d.Fd(), &st)
	return st, err
}

// check refuses a rel that is not a plain relative path below the root.
func (d *Dir) check(rel string) error {
	if rel != "." && !filepath.IsLocal(rel) {
		return &os.PathError{Op: "resolve", Path: d.join(rel), Err: fmt.Errorf("%w: not a relative path inside it", ErrNotBeneath)}
	}
	return nil
}

func (d *Dir) join(rel string) string { return filepath.Join(d.f.Name(), rel) }

// OpenFile opens rel below d with flags (O_NOFOLLOW and O_CLOEXEC are added: a
// symlink as the last component is ELOOP, not followed) and, when it creates, perm.
func (d *Dir) OpenFile(rel string, flags int, perm uint32) (*os.File, error) {
	if err := d.check(rel); err != nil {
		return nil, err
	}
	how := unix.OpenHow{Flags: uint64(flags | unix.O_NOFOLLOW | unix.O_CLOEXEC), Resolve: resolve}
	if flags&(unix.O_CREAT|unix.O_TMPFILE) != 0 {
		how.Mode = uint64(perm)
	}
	for range 8 { // EAGAIN: a concurrent rename anywhere; openat2 asks to retry
		fd, err := unix.Openat2(d.Fd(), rel, &how)
		if err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return nil, d.pathErr("open", rel, err)
		}
		return os.NewFile(uintptr(fd), d.join(rel)), nil
	}
	return nil, d.pathErr("open", rel, unix.EAGAIN)
}

// pathErr names rel under d, and says ErrNotBeneath where openat2 refused to follow.
func (d *Dir) pathErr(op, rel string, err error) error {
	switch err {
	case unix.ELOOP, unix.EXDEV, unix.EAGAIN:
		err = fmt.Errorf("%w (%v)", ErrNotBeneath, err)
	}
	return &os.PathError{Op: op, Path: d.join(rel), Err: err}
}

// OpenDir opens the directory rel below d as a root of its own.
func (d *Dir) OpenDir(rel string) (*Dir, error) {
	f, err := d.OpenFile(rel, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	return &Dir{f: f}, nil
}

// Parent opens the directory that holds rel and returns it with rel's last name.
// rel must name something below d, not d itself.
func (d *Dir) Parent(rel string) (*Dir, string, error) {
	if err := d.check(rel); err != nil {
		return nil, "", err
	}
	if rel == "." {
		return nil, "", &os.PathError{Op: "resolve", Path: d.f.Name(), Err: errors.New("the root has no parent below itself")}
	}
	p, err := d.OpenDir(filepath.Dir(rel))
	if err != nil {
		return nil, "", err
	}
	return p, filepath.Base(rel), nil
}

// Lstat describes rel below d without following it if it is a symlink (nor any
// symlink on the way to it).
func (d *Dir) Lstat(rel string) (unix.Stat_t, error) {
	var st unix.Stat_t
	if rel == "." {
		return d.Stat()
	}
	p, name, err := d.Parent(rel)
	if err != nil {
		return st, err
	}
	defer p.Close()
	if err := unix.Fstatat(p.Fd(), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return st, d.pathErr("lstat", rel, err)
	}
	return st, nil
}

// RemoveAll removes rel below d and, when it is a directory, everything in it,
// without following any symlink (a symlink is removed, not what it names). Nothing
// there is not an error.
func (d *Dir) RemoveAll(rel string) error {
	p, name, err := d.Parent(rel)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	defer p.Close()
	if err := removeAllAt(p.Fd(), name); err != nil {
		return d.pathErr("remove", rel, err)
	}
	return nil
}

// RemoveAllAt removes name in the open directory dirfd (one name, no "/") and, when
// it is a directory, everything in it, by descriptors, never following a symlink.
// Nothing there is not an error.
func RemoveAllAt(dirfd int, name string) error {
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		return &os.PathError{Op: "remove", Path: name, Err: fmt.Errorf("%w: not one name", ErrNotBeneath)}
	}
	if err := removeAllAt(dirfd, name); err != nil {
		return &os.PathError{Op: "remove", Path: name, Err: err}
	}
	return nil
}

// removeAllAt removes name in the directory dirfd, recursively, by descriptors.
func removeAllAt(dirfd int, name string) error {
	return removeAllAtTries(dirfd, name, 3)
}

// removeAllAtTries is removeAllAt, retrying an entry swapped for a file or a symlink
// while it was removed at most tries times: a file that cannot be unlinked (EPERM:
// immutable, chattr +i) is that error, not a retry for ever.
func removeAllAtTries(dirfd int, name string, tries int) error {
	unlinkErr := unix.Unlinkat(dirfd, name, 0)
	if unlinkErr == nil || unlinkErr == unix.ENOENT {
		return nil
	}
	if unlinkErr != unix.EISDIR && unlinkErr != unix.EPERM {
		return unlinkErr
	}
	// A directory (or one swapped in since): open it without following, empty it.
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	switch {
	case err == unix.ENOENT:
		return nil
	case (err == unix.ENOTDIR || err == unix.ELOOP) && unlinkErr == unix.EPERM:
		return unlinkErr // not a directory, and it cannot be unlinked
	case (err == unix.ENOTDIR || err == unix.ELOOP) && tries > 0: // swapped for a file or symlink
		return removeAllAtTries(dirfd, name, tries-1)
	case err == unix.ENOTDIR || err == unix.ELOOP:
		return unlinkErr
	case err != nil:
		return err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	var ps, cs unix.Stat_t
	if err := unix.Fstat(dirfd, &ps); err != nil {
		return err
	}
	if err := unix.Fstat(fd, &cs); err != nil {
		return err
	}
	if ps.Dev != cs.Dev || mountRoot(fd) { // a mount point: what is mounted there is not removed
		return unix.EXDEV
	}
	for {
		names, rerr := f.Readdirnames(256)
		for _, n := range names {
			if err := removeAllAt(fd, n); err != nil {
				return fmt.Errorf("%s/%s: %w", name, n, err)
			}
		}
		if rerr == io.EOF || len(names) == 0 {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if err := unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR); err != nil && err != unix.ENOENT {
		return err
	}
	return nil
}

// Link makes newRel below d another name of oldRel below d (a hard link; a symlink at
// oldRel is linked itself, never followed).
func (d *Dir) Link(oldRel, newRel string) error {
	op, oname, err := d.Parent(oldRel)
	if err != nil {
		return err
	}
	defer op.Close()
	np, nname, err := d.Parent(newRel)
	if err != nil {
		return err
	}
	defer np.Close()
	if err := unix.Linkat(op.Fd(), oname, np.Fd(), nname, 0); err != nil {
		return &os.LinkError{Op: "link", Old: d.join(oldRel), New: d.join(newRel), Err: err}
	}
	return nil
}

// Mkdir makes the directory rel below d with perm.
func (d *Dir) Mkdir(rel string, perm uint32) error {
	p, name, err := d.Parent(rel)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := unix.Mkdirat(p.Fd(), name, perm); err != nil {
		return d.pathErr("mkdir", rel, err)
	}
	return nil
}

// Reopen opens again, with flags, the inode that the O_PATH descriptor pfd holds
// (through /proc/self/fd/PFD, which names that inode whatever its names are now):
// the second half of opening a file only once it is known to be the one wanted.
// An O_PATH open runs nothing of the inode's own (a FIFO's waiting writer does not
// wake, a device's driver is not called); fstat it, and reopen only what is the
// regular file expected. name is for errors. A /proc that is not mounted is an
// error of its own, never ENOENT (which a walk takes for a vanished file).
func Reopen(pfd int, flags int, name string) (*os.File, error) {
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(pfd), flags|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if errors.Is(err, unix.ENOENT) {
		return nil, fmt.Errorf("reopen %s by /proc/self/fd (is /proc mounted?): %v", name, err)
	}
	if err != nil {
		return nil, &os.PathError{Op: "reopen", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}

// mountRoot reports whether the open directory fd is the root of a mount: a bind
// mount of a directory of the same file system has the st_dev of its parent, and
// only statx's STATX_ATTR_MOUNT_ROOT (Linux 5.8) tells it from a directory. On a
// kernel without it, false: st_dev alone decides, as before.
func mountRoot(fd int) bool {
	var sx unix.Statx_t
	if unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW, 0, &sx) != nil {
		return false
	}
	return sx.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT != 0 && sx.Attributes&unix.STATX_ATTR_MOUNT_ROOT != 0
}

// SameFile: a and b describe the same inode.
func SameFile(a, b unix.Stat_t) bool { return a.Dev == b.Dev && a.Ino == b.Ino }

// Fstat describes an open file.
func Fstat(f *os.File) (unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Fstat(int(f.Fd()), &st)
	return st, err
}
