package orchestrator

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DefaultLockPath is the host-wide run lock.
const DefaultLockPath = "/run/kvmbackup/run.lock"

// LockedError: another process holds the run lock.
type LockedError struct {
	Path string
	PID  int // 0 when unknown
}

func (e *LockedError) Error() string {
	holder := "another process"
	if e.PID > 0 {
		holder = "process " + strconv.Itoa(e.PID)
		if cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", e.PID)); err == nil && len(cmd) > 0 {
			holder += " (" + strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " ")) + ")"
		}
	}
	return fmt.Sprintf("another kvmbackup run holds %s: %s; one run at a time per host", e.Path, holder)
}

// HostLock is the held run lock: an flock on a file that holds the holder's pid. The
// kernel releases it when the process dies, however it dies.
type HostLock struct {
	f *os.File
}

// Lock takes the run lock at path without waiting: *LockedError when another
// process (or another Lock in this one) holds it.
//
// The lock is a 0600 file in a 0700 directory, both owned by this process's user:
// whoever else could open it could flock it and block every run. Nothing in path's
// directory is followed: a symbolic link, an entry of another owner, a directory
// others can write (where anything may have been planted), a file with other hard
// links are refused, naming why. The modes an earlier version made (0755, 0644) are
// mended.
func Lock(path string) (*HostLock, error) {
	dir, name := filepath.Split(path)
	dfd, err := privateDir(filepath.Clean(dir))
	if err != nil {
		return nil, fmt.Errorf("run lock: %w", err)
	}
	defer unix.Close(dfd)
	fd, err := unix.Openat(dfd, name, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o600)
	if errors.Is(err, unix.ELOOP) {
		return nil, fmt.Errorf("run lock %s is a symbolic link: refused (remove it)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("run lock %s: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	if err := ownPrivate(fd, path, unix.S_IFREG, 0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("run lock: %w", err)
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			b := make([]byte, 32)
			n, _ := f.ReadAt(b, 0)
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b[:n])))
			return nil, &LockedError{Path: path, PID: pid}
		}
		return nil, fmt.Errorf("run lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("run lock %s: %w", path, err)
	}
	return &HostLock{f: f}, nil
}

// privateDir opens dir (creating it 0700, and its parents 0755) without following a
// symbolic link, checks it with ownPrivate and returns its descriptor.
func privateDir(dir string) (int, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return -1, err
	}
	if err := unix.Mkdir(dir, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, &os.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
		var st unix.Stat_t
		if unix.Lstat(dir, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return -1, fmt.Errorf("%s is a symbolic link: refused (remove it)", dir)
		}
		return -1, fmt.Errorf("%s is not a directory: refused", dir)
	}
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	if err := ownPrivate(fd, dir, unix.S_IFDIR, 0o700); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// ownPrivate checks the open fd (named path) as a private entry of this process's
// user: of file type typ, owned by the effective uid, writable by nobody else, not
// hard-linked elsewhere (files). Read or execute bits for others are taken away
// (mode perm); write bits for others are refused: others could have changed it.
func ownPrivate(fd int, path string, typ uint32, perm uint32) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &os.PathError{Op: "stat", Path: path, Err: err}
	}
	what := "a regular file"
	if typ == unix.S_IFDIR {
		what = "a directory"
	}
	mode := st.Mode & 0o7777
	switch euid := uint32(os.Geteuid()); {
	case st.Mode&unix.S_IFMT != typ:
		return fmt.Errorf("%s is not %s: refused", path, what)
	case st.Uid != euid:
		return fmt.Errorf("%s is owned by uid %d, not by uid %d who runs kvmbackup: refused (remove it)", path, st.Uid, euid)
	case mode&0o022 != 0:
		return fmt.Errorf("%s is writable by others (mode %04o): refused, anything in it may have been planted (remove it)", path, mode)
	case typ == unix.S_IFREG && st.Nlink != 1:
		return fmt.Errorf("%s has %d hard links: refused (remove it)", path, st.Nlink)
	}
	if mode != perm {
		if err := unix.Fchmod(fd, perm); err != nil {
			return &os.PathError{Op: "chmod", Path: path, Err: err}
		}
	}
	return nil
}

// Unlock releases the lock (the file stays; its content is stale until the next Lock).
func (l *HostLock) Unlock() error {
	unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	return l.f.Close()
}
