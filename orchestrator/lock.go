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
func Lock(path string) (*HostLock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("run lock: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("run lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
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

// Unlock releases the lock (the file stays; its content is stale until the next Lock).
func (l *HostLock) Unlock() error {
	unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	return l.f.Close()
}
