package orchestrator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
	"github.com/kvmbackup/kvmbackup/internal/beneath"
	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/internal/mounts"
	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// DefaultMountStateDir records what each `kvmbackup mount` set up, for its umount.
const DefaultMountStateDir = "/run/kvmbackup/mounts"

// Loops is what `kvmbackup mount` needs to show a disk image's filesystems
// (loopdev.Tools' contract).
type Loops interface {
	// Attach attaches image read-only and returns the loop device, its partitions
	// scanned.
	Attach(ctx context.Context, image string) (string, error)
	// Filesystems lists what can be mounted on dev (the device or its partitions).
	// Nothing is changed.
	Filesystems(ctx context.Context, dev string) ([]loopdev.FS, error)
	// Detach releases the loop device dev.
	Detach(ctx context.Context, dev string) error
}

// FSMounter mounts one filesystem read-only and unmounts it (removing the mount
// point).
type FSMounter interface {
	// MountRO mounts fs on dir read-only, nosuid, nodev and noexec, never replaying a
	// journal. fs.Type "zfs" is a snapshot of a backup dataset; any other type must be
	// on the allow-list of mounts.GuestMount, else it fails before mounting anything.
	MountRO(ctx context.Context, fs loopdev.FS, dir string) error
	// Unmount unmounts dir and removes it.
	Unmount(ctx context.Context, dir string) error
}

// SystemMounter is FSMounter with mount(8) and umount(8).
type SystemMounter struct{ Mount, Umount runner.Tool }

// NewSystemMounter uses mount and umount from PATH.
func NewSystemMounter() SystemMounter {
	return SystemMounter{Mount: runner.New("mount"), Umount: runner.New("umount")}
}

// MountRO mounts fs read-only on dir as FSMounter says.
func (m SystemMounter) MountRO(ctx context.Context, fs loopdev.FS, dir string) error {
	mtype, opts := "zfs", mounts.ReadOnly
	if fs.Type != "zfs" {
		var err error
		if mtype, opts, err = mounts.GuestMount(fs.Type); err != nil {
			return fmt.Errorf("mount %s on %s: %w", fs.Dev, dir, err)
		}
	}
	if _, err := m.Mount.Run(ctx, "-t", mtype, "-o", opts, fs.Dev, dir); err != nil {
		return fmt.Errorf("mount %s (%s) on %s: %w", fs.Dev, fs.Type, dir, err)
	}
	return nil
}

// Unmount unmounts dir and removes it.
func (m SystemMounter) Unmount(ctx context.Context, dir string) error {
	return mounts.Unmount(ctx, m.Umount, dir)
}

// MountDeps are the components a file-level mount drives.
type MountDeps struct {
	Target RestoreTarget
	Loops  Loops
	FS     FSMounter
}

// MountOptions say which backup to show, and where.
type MountOptions struct {
	Root, VM, At string
	Disks        []string
	Dir          string // an existing empty directory
	StateDir     string // default DefaultMountStateDir
	RunID        string
	Now          time.Time      // for WHEN
	Location     *time.Location // for WHEN
}

// Mounted is what a mount set up, as recorded for its umount.
type Mounted struct {
	Dir      string      `json:"dir"`
	Snapshot string      `json:"snapshot"`
	SnapDir  string      `json:"snapshot_dir"` // the snapshot's read-only mount
	Loops    []string    `json:"loops"`
	Mounts   []MountedFS `json:"mounts"`
	Skipped  []string    `json:"skipped,omitempty"` // disks without a filesystem
	// NotMounted: filesystems found but not mounted (a type off the allow-list).
	NotMounted []NotMountedFS `json:"not_mounted,omitempty"`
}

// NotMountedFS is a filesystem found on a disk and left alone, with the reason.
type NotMountedFS struct {
	Disk   string     `json:"disk"`
	FS     loopdev.FS `json:"fs"`
	Reason string     `json:"reason"`
}

// MountedFS is one filesystem shown under Dir.
type MountedFS struct {
	Disk string     `json:"disk"`
	FS   loopdev.FS `json:"fs"`
	Dir  string     `json:"dir"`
}

func statePath(stateDir, dir string) string {
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(stateDir, hex.EncodeToString(sum[:8])+".json")
}

// checkMountPoint returns dir made absolute when it is an empty directory, root's
// alone (beneath.OpenTrusted), that shows no backup yet.
func checkMountPoint(stateDir, dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	// DIR and every directory on the way must be root's alone: in another user's DIR,
	// they could swap DIR/DISK for a symlink to /etc between its making and its mount
	// (mount follows it), and have an old /etc shown over the live one.
	d, name, err := beneath.OpenTrusted(dir)
	if err != nil {
		return "", fmt.Errorf("mount point: %w", err)
	}
	defer d.Close()
	if name != "" {
		return "", fmt.Errorf("mount point %s is not a directory", dir)
	}
	f, err := d.OpenFile(".", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return "", fmt.Errorf("mount point: %w", err)
	}
	defer f.Close()
	if ents, _ := f.Readdirnames(1); len(ents) > 0 {
		return "", fmt.Errorf("mount point %s is not empty", dir)
	}
	if _, err := os.Stat(statePath(stateDir, dir)); err == nil {
		return "", fmt.Errorf("%s already shows a backup: kvmbackup umount %s first", dir, dir)
	}
	return dir, nil
}

// MountBackup shows the filesystems of a VM's backup read-only under o.Dir: the
// snapshot is mounted read-only, each disk image attached read-only on a loop device
// (partitions scanned), each filesystem found mounted read-only, nosuid, nodev and
// noexec on Dir/DISK (one filesystem) or Dir/DISK-pN. A filesystem whose type is off
// the allow-list (mounts.GuestMount) is listed in NotMounted, not mounted. Anything
// that fails is undone before it returns.
func MountBackup(ctx context.Context, d MountDeps, o MountOptions) (*Mounted, error) {
	return mountUnit(ctx, d, mountOf{root: o.Root, unit: zfs.VMUnit(o.VM), at: o.At, dir: o.Dir, stateDir: o.StateDir, now: o.Now, loc: o.Location},
		func(m *Mounted, snap zfs.Snapshot) error { return showDisks(ctx, d, o, m, snap) })
}

// mountOf is which unit's backup a mount shows, and where.
type mountOf struct {
	root     string
	unit     zfs.Unit
	at       string // WHEN
	dir      string
	stateDir string
	now      time.Time
	loc      *time.Location
}

// mountUnit is what every mount does, whatever its unit's kind: DIR checked (an empty
// directory, root's alone), the dated backup found, the kind's filesystems shown
// under DIR (show), the mount recorded for kvmbackup umount. Anything that fails is
// undone before it returns.
func mountUnit(ctx context.Context, d MountDeps, o mountOf, show func(m *Mounted, snap zfs.Snapshot) error) (m *Mounted, err error) {
	if o.stateDir == "" {
		o.stateDir = DefaultMountStateDir
	}
	dir, err := checkMountPoint(o.stateDir, o.dir)
	if err != nil {
		return nil, err
	}
	snap, err := findBackup(ctx, d.Target, o.root, o.unit, o.at, o.now, o.loc)
	if err != nil {
		return nil, err
	}
	m = &Mounted{Dir: dir, Snapshot: snap.FullName(), Loops: []string{}}
	defer func() {
		if err != nil {
			cctx, cancel := cleanupCtx(ctx)
			defer cancel()
			undoMount(cctx, d, m)
			m = nil
		}
	}()
	if err := show(m, snap); err != nil {
		return m, err
	}
	if err := os.MkdirAll(o.stateDir, 0o700); err != nil {
		return m, err
	}
	js, _ := json.Marshal(m)
	if err := atomicfile.Write(statePath(o.stateDir, dir), js, 0o600); err != nil {
		return m, err
	}
	return m, nil
}

// showDisks shows a VM backup's filesystems (MountBackup).
func showDisks(ctx context.Context, d MountDeps, o MountOptions, m *Mounted, snap zfs.Snapshot) (err error) {
	if m.SnapDir, err = d.Target.MountSnapshot(ctx, snap, o.RunID); err != nil {
		return err
	}
	disks, have, err := backupDisks(m.SnapDir, m.Snapshot, o.VM, o.Disks)
	if err != nil {
		return err
	}
	for _, md := range disks {
		dev, err := d.Loops.Attach(ctx, filepath.Join(m.SnapDir, md.Image))
		if err != nil {
			return err
		}
		m.Loops = append(m.Loops, dev)
		fss, err := d.Loops.Filesystems(ctx, dev)
		if err != nil {
			return err
		}
		if len(fss) == 0 {
			m.Skipped = append(m.Skipped, md.Disk)
			continue
		}
		for _, fs := range fss {
			if _, _, err := mounts.GuestMount(fs.Type); err != nil {
				m.NotMounted = append(m.NotMounted, NotMountedFS{Disk: md.Disk, FS: fs, Reason: err.Error()})
				continue
			}
			sub := filepath.Join(m.Dir, md.Disk)
			if len(fss) > 1 || fs.Number > 0 {
				sub = filepath.Join(m.Dir, fmt.Sprintf("%s-p%d", md.Disk, fs.Number))
			}
			if err := showAt(ctx, d, m, md.Disk, fs, sub); err != nil {
				return err
			}
		}
	}
	if len(m.Mounts) == 0 && len(m.NotMounted) > 0 {
		return fmt.Errorf("%s: no filesystem to mount on its disks (%s): %s", m.Snapshot, orNone(have), m.NotMounted[0].Reason)
	}
	if len(m.Mounts) == 0 {
		return fmt.Errorf("%s: no filesystem found on its disks (%s)", m.Snapshot, orNone(have))
	}
	return nil
}

// showAt mounts fs read-only on sub, a directory it makes, and records it in m.
func showAt(ctx context.Context, d MountDeps, m *Mounted, disk string, fs loopdev.FS, sub string) error {
	if err := os.Mkdir(sub, 0o755); err != nil {
		return err
	}
	if err := d.FS.MountRO(ctx, fs, sub); err != nil {
		os.Remove(sub)
		return err
	}
	m.Mounts = append(m.Mounts, MountedFS{Disk: disk, FS: fs, Dir: sub})
	return nil
}

// UnmountBackup undoes MountBackup on dir: the filesystems, the loop devices, the
// snapshot's mount. What cannot be undone stays recorded for another try.
func UnmountBackup(ctx context.Context, d MountDeps, dir, stateDir string) (*Mounted, error) {
	if stateDir == "" {
		stateDir = DefaultMountStateDir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	p := statePath(stateDir, abs)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s does not show a backup (no kvmbackup mount there)", abs)
	}
	if err != nil {
		return nil, err
	}
	var m Mounted
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("mount state %s: %w", p, err)
	}
	if err := undoMount(ctx, d, &m); err != nil {
		return &m, err
	}
	return &m, os.Remove(p)
}

func undoMount(ctx context.Context, d MountDeps, m *Mounted) error {
	var errs []error
	for i := len(m.Mounts) - 1; i >= 0; i-- {
		if err := d.FS.Unmount(ctx, m.Mounts[i].Dir); err != nil {
			errs = append(errs, err)
		}
	}
	for i := len(m.Loops) - 1; i >= 0; i-- {
		if err := d.Loops.Detach(ctx, m.Loops[i]); err != nil {
			errs = append(errs, err)
		}
	}
	if m.SnapDir != "" {
		if err := d.Target.Unmount(ctx, m.SnapDir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
