package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/beneath"
	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// PathRestoreTarget is what a tree restore needs of the ZFS target: RestoreTarget's
// contract, and Mounter's: where a dataset's files are.
type PathRestoreTarget interface {
	RestoreTarget
	Mounter
}

// PathRestoreDeps are the components a tree restore drives.
type PathRestoreDeps struct {
	Target PathRestoreTarget
	Trees  Trees
}

// PathRestoreOptions say which tree to restore, from when, to where.
type PathRestoreOptions struct {
	Root string // target.dataset
	Name string // the paths: entry
	At   string // WHEN (see ResolveWhen)
	// To: the directory that receives the tree: absent (created, 0700) or empty. Never
	// "/", never inside the target: a restore never writes over a live tree in place.
	// It, or the directory that holds a new one, and every directory on the way must
	// be root's alone (beneath.OpenTrusted): no other user can steer where it writes.
	To string
	// Only: restore only what these globs match (the path below the tree's root, a
	// leading "/" optional; a matched directory with all it holds), and the
	// directories leading to it.
	Only     []string
	DryRun   bool
	RunID    string // names the read-only mount of the snapshot
	Now      time.Time
	Location *time.Location
}

// PathRestored is what a tree restore did (or, with DryRun, would do).
type PathRestored struct {
	Path     string             `json:"path"`
	Snapshot string             `json:"snapshot"`
	To       string             `json:"to"`
	Only     []string           `json:"only,omitempty"`
	DryRun   bool               `json:"dry_run"`
	Tree     transfer.TreeStats `json:"tree"`
	Written  int64              `json:"bytes_written"`
	Duration time.Duration      `json:"duration_ns"`
}

// ErrBadRestoreDir: a --to that a tree restore refuses (/, a non-empty directory, a
// file, a place inside the target).
var ErrBadRestoreDir = errors.New("bad restore directory")

// RestorePath copies a paths: entry's tree (or the part --only names) from one dated
// snapshot into o.To, with the tree sync's semantics (owners, modes, times, hard
// links, symlinks, special files, xattrs; big files by changed blocks). The snapshot
// is read through a read-only mount, removed at the end. Bad input (an unknown entry
// or WHEN, a bad --to, an --only that matches nothing) fails before anything is
// written.
func RestorePath(ctx context.Context, d PathRestoreDeps, o PathRestoreOptions) (*PathRestored, error) {
	start := time.Now()
	snap, err := findBackup(ctx, d.Target, o.Root, zfs.PathUnit(o.Name), o.At, o.Now, o.Location)
	if err != nil {
		return nil, err
	}
	to, err := checkRestoreDir(ctx, d.Target, o.Root, o.To)
	if err != nil {
		return nil, err
	}
	res := &PathRestored{Path: o.Name, Snapshot: snap.FullName(), To: to, Only: o.Only, DryRun: o.DryRun}
	for _, g := range o.Only {
		if err := transfer.CheckExclude(g); err != nil {
			return nil, fmt.Errorf("--only: %w", err)
		}
	}
	if o.DryRun {
		return res, nil
	}
	made, err := makeRestoreDir(to)
	if err != nil {
		return nil, err
	}
	dir, unmount, err := mountReadOnly(ctx, d.Target, snap, o.RunID)
	if err != nil {
		unmakeRestoreDir(to, made)
		return nil, err
	}
	defer unmount()
	st, err := d.Trees.SyncTree(ctx, dir, to, transfer.TreeOptions{Only: o.Only, Xattrs: true})
	if errors.Is(err, transfer.ErrNothingMatched) { // found before anything is written
		unmakeRestoreDir(to, made)
		return nil, fmt.Errorf("--only %v: nothing in %s matches", o.Only, snap.FullName())
	}
	res.Tree, res.Written, res.Duration = st, st.SmallWritten+st.BigWritten, time.Since(start)
	if err != nil {
		return res, fmt.Errorf("restore %s to %s: %w", snap.FullName(), to, err)
	}
	return res, nil
}

// checkRestoreDir returns the absolute --to of a tree restore, or why it is refused.
func checkRestoreDir(ctx context.Context, t PathRestoreTarget, root, to string) (string, error) {
	if to == "" {
		return "", fmt.Errorf("%w: --to DIR is required (an empty or new directory)", ErrBadRestoreDir)
	}
	abs, err := filepath.Abs(to)
	if err != nil {
		return "", err
	}
	if abs == "/" {
		return "", fmt.Errorf("%w: --to /: a tree is never restored over / in place; restore to an empty directory and copy what you need from there", ErrBadRestoreDir)
	}
	if mp, err := t.Mountpoint(ctx, root); err == nil && within(abs, filepath.Clean(mp)) {
		return "", fmt.Errorf("%w: --to %s is inside the target's mount point %s: restoring there would change the backups", ErrBadRestoreDir, abs, mp)
	}
	// DIR, or the directory a new DIR is made in, and every directory on the way, must
	// be root's alone: else another user could swap a name on the way for a symlink
	// between this check and the copy.
	d, name, err := beneath.OpenTrusted(abs)
	if err != nil {
		return "", fmt.Errorf("%w: --to %s: %v", ErrBadRestoreDir, abs, err)
	}
	defer d.Close()
	if name != "" {
		_, err := d.Lstat(name)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return abs, nil // made by makeRestoreDir
		case err != nil:
			return "", fmt.Errorf("%w: --to %s: %v", ErrBadRestoreDir, abs, err)
		}
		return "", fmt.Errorf("%w: --to %s is not a directory", ErrBadRestoreDir, abs)
	}
	f, err := d.OpenFile(".", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return "", fmt.Errorf("%w: --to %s: %v", ErrBadRestoreDir, abs, err)
	}
	defer f.Close()
	if ents, _ := f.Readdirnames(1); len(ents) > 0 {
		return "", fmt.Errorf("%w: --to %s is not empty (it holds %s): restore into an empty or new directory, then copy what you need",
			ErrBadRestoreDir, abs, ents[0])
	}
	return abs, nil
}

// makeRestoreDir makes the restore's new directory to (0700, root's) in the trusted
// directory that holds it, checked again, and says whether it made it; an existing
// one checkRestoreDir accepted is left as it is.
func makeRestoreDir(to string) (bool, error) {
	d, name, err := beneath.OpenTrusted(to)
	if err != nil {
		return false, fmt.Errorf("%w: --to %s: %v", ErrBadRestoreDir, to, err)
	}
	defer d.Close()
	if name == "" {
		return false, nil
	}
	if err := d.Mkdir(name, 0o700); err != nil {
		return false, fmt.Errorf("%w: --to %s: %v", ErrBadRestoreDir, to, err)
	}
	return true, nil
}

// unmakeRestoreDir removes the directory makeRestoreDir made, when it made it and it
// is still empty (a restore refused before writing leaves nothing behind).
func unmakeRestoreDir(to string, made bool) {
	if !made {
		return
	}
	if d, _, err := beneath.OpenTrusted(filepath.Dir(to)); err == nil {
		unix.Unlinkat(d.Fd(), filepath.Base(to), unix.AT_REMOVEDIR) // rmdir: only an empty one
		d.Close()
	}
}

// PathMountOptions say which tree to show, and where.
type PathMountOptions struct {
	Root, Name, At string
	Dir            string // an existing empty directory: the tree is shown at Dir/NAME
	StateDir       string // default DefaultMountStateDir
	Now            time.Time
	Location       *time.Location
}

// MountPath shows a paths: entry's tree as it was in one dated snapshot, read-only,
// at Dir/NAME (as MountBackup shows a VM's filesystems at Dir/DISK); UnmountBackup
// (kvmbackup umount DIR) undoes it.
func MountPath(ctx context.Context, d MountDeps, o PathMountOptions) (*Mounted, error) {
	return mountUnit(ctx, d, mountOf{root: o.Root, unit: zfs.PathUnit(o.Name), at: o.At, dir: o.Dir, stateDir: o.StateDir, now: o.Now, loc: o.Location},
		func(m *Mounted, snap zfs.Snapshot) error {
			return showAt(ctx, d, m, o.Name, loopdev.FS{Dev: snap.FullName(), Type: "zfs"}, filepath.Join(m.Dir, o.Name))
		})
}
