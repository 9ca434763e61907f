// Package atomicfile owns kvmbackup's one way of replacing a small file durably:
// the new content goes to a temporary file beside it, is fsync'd, renamed over the
// old one, and the directory is fsync'd. A reader sees the old file or the new one,
// never a mix, also after a crash.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Write replaces path with data (mode perm for a new file). Errors name path.
func Write(path string, data []byte, perm os.FileMode) error {
	st, err := Stage(path, data, perm)
	if err != nil {
		return err
	}
	return st.Commit()
}

// Staged is new content for a path, durable in a temporary file beside it, not yet
// in place: Commit puts it there, Discard drops it. Staging early lets the caller
// overlap writing it with other work (e.g. the fsync of the data it describes).
type Staged struct {
	path, tmp string
}

// Stage writes data to a temporary file beside path and fsyncs it.
func Stage(path string, data []byte, perm os.FileMode) (*Staged, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	st := &Staged{path: path, tmp: tmp.Name()}
	fail := func(err error) (*Staged, error) {
		tmp.Close()
		st.Discard()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(fmt.Errorf("fsync: %w", err))
	}
	if err := tmp.Close(); err != nil {
		st.Discard()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return st, nil
}

// Commit renames the staged file over path and fsyncs the directory.
func (s *Staged) Commit() error {
	if err := os.Rename(s.tmp, s.path); err != nil {
		s.Discard()
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	return SyncDir(filepath.Dir(s.path))
}

// Discard removes the staged file (after Commit: nothing to remove).
func (s *Staged) Discard() { os.Remove(s.tmp) }

// SyncDir fsyncs a directory, making the names created or renamed in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("directory %s: fsync: %w", dir, err)
	}
	return nil
}
