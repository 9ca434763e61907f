package beneath

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrUntrusted: a path that someone other than root (or the user kvmbackup runs as)
// could change under kvmbackup: a directory they own or can write, or their symlink.
var ErrUntrusted = errors.New("not safe to write in")

// maxLinks bounds the symlinks one resolution follows (the kernel's own limit).
const maxLinks = 40

// OpenTrusted resolves path (an admin's: a restore's --to) from / one name at a
// time, as sshd checks the path of its keys, and opens where kvmbackup may write:
//
//   - path names a directory: that directory, and name "";
//   - otherwise: the directory that holds it, and its name there (which may not
//     exist yet): the caller opens it below dir, following nothing.
//
// That directory must be owned by root (or by the user kvmbackup runs as) and
// writable by no one else: nobody else can put a symlink or a file of theirs in it.
// Every directory on the way must be owned by the same and writable by no one else,
// or be sticky (/tmp: others cannot rename or remove what is not theirs). A symlink
// on the way (/dev/VG/LV → ../dm-3) is followed only when it is owned by root (or
// that user): in such a directory only they could have made it. Otherwise the error
// wraps ErrUntrusted and names the directory or link, its owner and mode. Mount
// points are crossed (the path is the admin's); each directory is opened without
// following a symlink and checked as opened (fstat), so a name swapped meanwhile is
// checked, not trusted.
func OpenTrusted(path string) (dir *Dir, name string, err error) {
	return openTrusted(path, true)
}

// openTrusted is OpenTrusted; a symlink as path's last name is followed only when
// followLast (else its name is returned, for the caller to refuse).
func openTrusted(path string, followLast bool) (dir *Dir, name string, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", err
	}
	w := &walker{path: abs, followLast: followLast}
	defer w.close()
	if err := w.walk(abs); err != nil {
		return nil, "", err
	}
	d := w.top()
	name = w.last
	if name != "" {
		// The last name, when it is a directory, is what is opened.
		fd, err := unix.Openat(d.Fd(), name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		switch {
		case err == nil:
			w.push(os.NewFile(uintptr(fd), filepath.Join(d.Name(), name)))
			name = ""
		case err != unix.ENOTDIR && err != unix.ENOENT && err != unix.ELOOP:
			return nil, "", &os.PathError{Op: "open", Path: filepath.Join(d.Name(), name), Err: err}
		}
	}
	d = w.top()
	st, err := d.Stat()
	if err != nil {
		return nil, "", &os.PathError{Op: "stat", Path: d.Name(), Err: err}
	}
	if why := untrusted(st, false); why != "" {
		return nil, "", fmt.Errorf("%w: %s %s", ErrUntrusted, d.Name(), why)
	}
	w.dirs = w.dirs[:len(w.dirs)-1] // handed over: not closed
	return d, name, nil
}

// walker resolves a path one name at a time below held directories.
type walker struct {
	path  string
	dirs  []*Dir // from / to where the walk is
	last  string // the path's last name, not resolved (when not a symlink)
	links int
	// followLast: a symlink as the last name is followed (when trusted), not left
	// in last.
	followLast bool
}

func (w *walker) top() *Dir { return w.dirs[len(w.dirs)-1] }

func (w *walker) push(f *os.File) { w.dirs = append(w.dirs, &Dir{f: f}) }

func (w *walker) close() {
	for _, d := range w.dirs {
		d.Close()
	}
}

// walk resolves p (absolute) from /: every name but the last is a directory (or a
// trusted symlink to one) that is entered and checked; the last is left in w.last,
// or followed when it is a trusted symlink and w.followLast.
func (w *walker) walk(p string) error {
	root, err := Open("/")
	if err != nil {
		return err
	}
	w.close()
	w.dirs = []*Dir{root}
	if err := w.check(root); err != nil {
		return err
	}
	todo := strings.Split(p, "/")
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			if len(todo) == 0 {
				w.last = ""
			}
			continue
		case "..":
			if len(w.dirs) > 1 {
				w.top().Close()
				w.dirs = w.dirs[:len(w.dirs)-1]
			}
			if len(todo) == 0 {
				w.last = ""
			}
			continue
		}
		cur := w.top()
		here := filepath.Join(cur.Name(), c)
		var st unix.Stat_t
		err := unix.Fstatat(cur.Fd(), c, &st, unix.AT_SYMLINK_NOFOLLOW)
		last := len(todo) == 0 || allEmpty(todo)
		switch {
		case err == unix.ENOENT && last:
			w.last = c
			return nil
		case err != nil:
			return &os.PathError{Op: "lstat", Path: here, Err: err}
		case last && !w.followLast:
			w.last = c
			return nil
		case st.Mode&unix.S_IFMT == unix.S_IFLNK:
			if st.Uid != 0 && int(st.Uid) != os.Geteuid() {
				return fmt.Errorf("%w: %s is a symlink owned by uid %d: not followed", ErrUntrusted, here, st.Uid)
			}
			if w.links++; w.links > maxLinks {
				return &os.PathError{Op: "resolve", Path: w.path, Err: unix.ELOOP}
			}
			target, err := Readlinkat(cur.Fd(), c)
			if err != nil {
				return &os.PathError{Op: "readlink", Path: here, Err: err}
			}
			if filepath.IsAbs(target) {
				for _, d := range w.dirs[1:] {
					d.Close()
				}
				w.dirs = w.dirs[:1]
			}
			todo = append(strings.Split(target, "/"), todo...)
		case last:
			w.last = c
			return nil
		case st.Mode&unix.S_IFMT != unix.S_IFDIR:
			return &os.PathError{Op: "resolve", Path: here, Err: unix.ENOTDIR}
		default:
			fd, err := unix.Openat(cur.Fd(), c, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			if err != nil {
				return &os.PathError{Op: "open", Path: here, Err: err}
			}
			w.push(os.NewFile(uintptr(fd), here))
			if err := w.check(w.top()); err != nil {
				return err
			}
		}
	}
	return nil
}

func allEmpty(names []string) bool {
	for _, n := range names {
		if n != "" && n != "." {
			return false
		}
	}
	return true
}

// check: a directory on the way, as opened.
func (w *walker) check(d *Dir) error {
	st, err := d.Stat()
	if err != nil {
		return &os.PathError{Op: "stat", Path: d.Name(), Err: err}
	}
	if why := untrusted(st, true); why != "" {
		return fmt.Errorf("%w: %s (on the way to %s) %s", ErrUntrusted, d.Name(), w.path, why)
	}
	return nil
}

// untrusted says why a directory is one that others could change ("" when it is
// not); a sticky one is fine on the way (onTheWay), not as the place written in.
func untrusted(st unix.Stat_t, onTheWay bool) string {
	switch {
	case st.Uid != 0 && int(st.Uid) != os.Geteuid():
		return fmt.Sprintf("is owned by uid %d, not by root: its owner could put a symlink or a file of theirs there", st.Uid)
	case st.Mode&0o022 == 0, onTheWay && st.Mode&unix.S_ISVTX != 0:
		return ""
	case st.Mode&0o002 != 0:
		return fmt.Sprintf("is writable by others (mode %04o): anyone could put a symlink or a file of theirs there", st.Mode&0o7777)
	default:
		return fmt.Sprintf("is writable by its group %d (mode %04o): its members could put a symlink or a file of theirs there", st.Gid, st.Mode&0o7777)
	}
}

// Readlinkat reads the target of the symlink name in dirfd, whatever its length.
func Readlinkat(dirfd int, name string) (string, error) {
	for n := 256; ; n *= 2 {
		buf := make([]byte, n)
		k, err := unix.Readlinkat(dirfd, name, buf)
		if err != nil {
			return "", err
		}
		if k < n {
			return string(buf[:k]), nil
		}
	}
}

// CheckExecutable checks that path (an admin's hook script or notify command, which
// kvmbackup runs as root) can be changed by nobody but root (CheckFile; a symlink of
// root's is followed) and is executable.
func CheckExecutable(path string) error {
	return CheckFile(path, "run as root", true, func(st *unix.Stat_t) string {
		if st.Mode&0o111 == 0 {
			return fmt.Sprintf("is not executable (mode %04o)", st.Mode&0o7777)
		}
		return ""
	})
}

// CheckFile checks that path names a file that nobody but root can change, for
// what kvmbackup does with it (use, in errors: "run as root"): its directories as
// OpenTrusted checks them; its last name, when a symlink, followed when follow (and
// the symlink root's, as on the way), else refused; the file itself regular, owned
// by root (or the user kvmbackup runs as) and writable by no one else; then kind
// (nil: nothing) says what else is wrong with it ("" when nothing). Otherwise the
// error names the path and why, ending "not USE"; with ErrUntrusted when someone
// else could change it.
func CheckFile(path, use string, follow bool, kind func(st *unix.Stat_t) string) error {
	d, name, err := openTrusted(path, follow)
	if err != nil {
		return err
	}
	defer d.Close()
	if name == "" {
		return fmt.Errorf("%s is a directory, not a regular file: not %s", path, use)
	}
	st, err := d.Lstat(name)
	if err != nil {
		return err
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return fmt.Errorf("%s is not a regular file (a symlink is not followed, a device or a fifo not used): not %s", path, use)
	case st.Uid != 0 && int(st.Uid) != os.Geteuid():
		return fmt.Errorf("%w: %s is not root's alone: it is owned by uid %d, who could change it: not %s", ErrUntrusted, path, st.Uid, use)
	case st.Mode&0o022 != 0:
		return fmt.Errorf("%w: %s is not root's alone: it is writable by its group or by others (mode %04o), who could change it: not %s", ErrUntrusted, path, st.Mode&0o7777, use)
	}
	if kind != nil {
		if why := kind(&st); why != "" {
			return fmt.Errorf("%s %s: not %s", path, why, use)
		}
	}
	return nil
}
