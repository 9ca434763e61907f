// Package zfs owns kvmbackup's use of OpenZFS: checking the target pool and dataset
// (health, redundancy, compression, space), one child dataset per backup unit, dated
// snapshots with user properties, listing them with their space figures and holds,
// rolling a dataset back to its newest kvmbackup snapshot, destroying kvmbackup's own
// snapshots, holds as pins, and read-only clones and mounts of snapshots with their
// cleanup; and the primitives of replication (send.go, tree.go): send and receive as
// pipes, resume tokens, bookmarks, and the listing a receiver answers with. The
// target's naming (datasets, snapshot names, property keys) is the
// layout's (layout.go), and nothing else spells it.
//
// Every zfs, zpool, mount and umount command goes through the runner (context,
// no shell, stderr kept). github.com/mistifyio/go-zfs/v3 was evaluated and is not
// used: it runs commands with exec.Command and no context (a zfs command on a
// suspended pool, e.g. an unplugged USB mirror, would hang the run for ever), and it
// has no holds, user properties or vdev layout; its list parsing is all it would
// give, and `zfs list -H -p` needs none.
//
// Safety rules: a snapshot is destroyed only when its name is kvmbackup's
// (VM@kvmbackup_<UTC time>) and it has no hold; a dataset only when it is a clone
// kvmbackup made (property kvmbackup:clone); never with -r or -R. A bookmark only when
// it is replication's (UNIT#kvmbackup_repl_TARGET_<UTC time>). A receive never uses
// -F (it never rolls back or destroys on the receiving side).
package zfs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kvmbackup/kvmbackup/internal/mounts"
	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/internal/names"
	"github.com/kvmbackup/kvmbackup/internal/runner"
)

var (
	// ErrNotFound: no such pool, dataset or snapshot (the error names it).
	ErrNotFound = errors.New("not found")
	// ErrExists: a snapshot of that name already exists; nothing was created.
	ErrExists = errors.New("already exists")
	// ErrNotOurs: kvmbackup refuses to destroy what it did not make.
	ErrNotOurs = errors.New("not a kvmbackup snapshot")
	// ErrHeld: the snapshot has a hold (a pin); it is not destroyed.
	ErrHeld = errors.New("snapshot is held")
	// ErrNoSnapshot: a dataset without any kvmbackup snapshot to roll back to.
	ErrNoSnapshot = errors.New("no kvmbackup snapshot")
	// ErrNotEmpty: a dataset with snapshots or children is never destroyed.
	ErrNotEmpty = errors.New("dataset has snapshots or children")
	// ErrNewerSnapshots: a rollback would destroy snapshots kvmbackup did not make
	// (another tool's, newer than its newest dated one); nothing was done. The
	// error is a *NewerSnapshotsError naming them.
	ErrNewerSnapshots = errors.New("newer snapshots kvmbackup did not make")
)

// NewerSnapshotsError is Rollback's refusal: Dataset's snapshots Newer, created after
// its newest dated snapshot Target, would be destroyed by the rollback (zfs rollback
// -r), so nothing was done. It wraps ErrNewerSnapshots.
type NewerSnapshotsError struct {
	Dataset string
	Target  string   // the newest dated snapshot's name
	Newer   []string // their names, oldest first
}

func (e *NewerSnapshotsError) Error() string {
	return fmt.Sprintf("roll %s back to %s: newer snapshots %s exist that kvmbackup did not make or cannot order (a rollback would destroy them)",
		e.Dataset, e.Target, strings.Join(e.Newer, ", "))
}

func (e *NewerSnapshotsError) Unwrap() error { return ErrNewerSnapshots }

// IsNotFound reports whether err says a pool, dataset or snapshot does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Manager runs zfs, zpool, mount and umount. The zero value is not usable: use New.
type Manager struct {
	ZFS    runner.Tool
	Zpool  runner.Tool
	Mount  runner.Tool
	Umount runner.Tool
	// RunDir holds read-only mounts of snapshots and clones: RunDir/<run id>/<name>.
	RunDir string
	// BootDir holds the mounts of clones a throwaway domain boots from
	// (CloneOptions.Shared): BootDir/<run id>/<name>, traversable by QEMU's user.
	BootDir string
	// Mounts reads the mount table (nil: /proc/self/mountinfo); tests set it.
	Mounts func() ([]mounts.Entry, error)
	// Core, when set and its library loads, makes ReadViewSynced's channel program
	// and TakeSnapshot's snapshot in this process (libzfs_core) instead of running
	// zfs; nil (a test's fake zfs), or a library that cannot be used: the commands.
	Core *Core
}

// New returns a Manager using the tools in PATH and /run/kvmbackup/zfs for mounts.
func New() *Manager {
	return &Manager{
		ZFS:     runner.New("zfs"),
		Zpool:   runner.New("zpool"),
		Mount:   runner.New("mount"),
		Umount:  runner.New("umount"),
		RunDir:  "/run/kvmbackup/zfs",
		BootDir: "/run/kvmbackup-boot",
		Core:    libzfsCore,
	}
}

// CheckDatasetName returns an error naming name unless it is a valid dataset name
// for kvmbackup (names.Dataset): POOL[/CHILD...], each part of letters, digits,
// _ . : -, not starting with '-', at most names.MaxDataset characters.
func CheckDatasetName(name string) error {
	if reason := names.Dataset(name); reason != "" {
		return fmt.Errorf("dataset name %q %s", name, reason)
	}
	return nil
}

// CheckComponent checks one part of a dataset or snapshot name (names.Component).
func CheckComponent(part string) error {
	if reason := names.Component(part); reason != "" {
		return fmt.Errorf("component %q %s", part, reason)
	}
	return nil
}

// Pool is the pool part of a dataset name.
func Pool(dataset string) string {
	pool, _, _ := strings.Cut(dataset, "/")
	return pool
}

// zfsErr turns a zfs/zpool failure into an error wrapping ErrNotFound when the
// object does not exist, else the runner's error (which names the command and
// carries stderr).
func zfsErr(what string, err error) error {
	var ee *runner.ExitError
	if errors.As(err, &ee) {
		s := string(ee.Stderr)
		if strings.Contains(s, "does not exist") || strings.Contains(s, "no such pool") ||
			strings.Contains(s, "could not find any snapshots") || strings.Contains(s, "no such dataset") {
			return fmt.Errorf("%s: %w: %s", what, ErrNotFound, strings.TrimSpace(s))
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// core is m.Core when its library can be used, else nil (why at debug level).
func (m *Manager) core(ctx context.Context) *Core {
	if m.Core == nil {
		return nil
	}
	if err := m.Core.Available(); err != nil {
		zerolog.Ctx(ctx).Debug().Err(err).Msg("libzfs_core cannot be used: the zfs command instead")
		return nil
	}
	return m.Core
}

// lines runs tool and returns its tab-separated output lines (-H output).
func lines(ctx context.Context, tool runner.Tool, what string, args ...string) ([][]string, error) {
	out, err := tool.Output(ctx, args...)
	if err != nil {
		return nil, zfsErr(what, err)
	}
	var rows [][]string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" {
			rows = append(rows, strings.Split(l, "\t"))
		}
	}
	return rows, nil
}

// num parses a -p number; "-" (not applicable) is 0.
func num(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// count is a byte count that must parse (-1 when it does not): what a 0 would
// wrongly say (written: nothing changed) is never a parse failure's.
func count(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// Exists reports whether a dataset exists: by libzfs_core in this process when it
// can be used (its yes is the kernel's; its no, which any failure of the ioctl
// also gives, is checked by zfs list), else by zfs list.
func (m *Manager) Exists(ctx context.Context, dataset string) (bool, error) {
	if err := CheckDatasetName(dataset); err != nil {
		return false, err
	}
	if c := m.core(ctx); c != nil {
		if ok, err := c.Exists(ctx, dataset); ok || err != nil {
			return ok, err
		}
	}
	_, err := lines(ctx, m.ZFS, "dataset "+dataset, "list", "-H", "-o", "name", dataset)
	if IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// EnsureDataset creates dataset (and missing parents) unless it exists, and reports
// whether it created it: only when its own create made it (zfs create without -p
// fails on a dataset another made since the look). The dataset it creates carries
// owner's property and Hardening; missing parents inherit every property. An
// existing dataset is left as it is (the caller checks whose it is: Owner, Claim).
func (m *Manager) EnsureDataset(ctx context.Context, dataset string, owner Owner) (bool, error) {
	if !slices.Contains(ownerProps, owner.Prop) || CheckComponent(owner.Name) != nil {
		return false, fmt.Errorf("create dataset %s: bad owner %q", dataset, owner)
	}
	if err := CheckDatasetName(dataset); err != nil {
		return false, err
	}
	c := m.core(ctx)
	if c != nil { // a yes needs no command; a no is the create's to confirm
		if ok, err := c.Exists(ctx, dataset); ok || err != nil {
			return false, err
		}
	} else if ok, err := m.Exists(ctx, dataset); err != nil || ok {
		return false, err
	}
	args := []string{"create", "-o", owner.Prop + "=" + owner.Name}
	for _, h := range Hardening {
		args = append(args, "-o", h)
	}
	args = append(args, dataset)
	parent, _, nested := cutLast(dataset)
	if nested && c != nil {
		if ok, _ := c.Exists(ctx, parent); !ok { // a first run: its parents first
			if err := m.makeParents(ctx, parent); err != nil {
				return false, err
			}
		}
	}
	_, err := m.ZFS.Run(ctx, args...)
	if err != nil && nested && strings.Contains(err.Error(), "parent does not exist") {
		if err := m.makeParents(ctx, parent); err != nil {
			return false, err
		}
		_, err = m.ZFS.Run(ctx, args...)
	}
	switch {
	case err != nil && strings.Contains(err.Error(), "dataset already exists"):
		return false, nil // made by another since the look: not ours to say whose
	case err != nil:
		return false, zfsErr("create dataset "+dataset, err)
	}
	return true, nil
}

// makeParents makes parent and its missing parents, inheriting every property
// (zfs create -p: nothing to do when they exist).
func (m *Manager) makeParents(ctx context.Context, parent string) error {
	if _, err := m.ZFS.Run(ctx, "create", "-p", parent); err != nil {
		return zfsErr("create dataset "+parent, err)
	}
	return nil
}

// Property returns one property of a dataset or snapshot (-p: numbers in bytes).
func (m *Manager) Property(ctx context.Context, name, prop string) (string, error) {
	rows, err := lines(ctx, m.ZFS, "property "+prop+" of "+name, "get", "-H", "-p", "-o", "value", prop, name)
	if err != nil {
		return "", err
	}
	if len(rows) != 1 {
		return "", fmt.Errorf("property %s of %s: %d lines from zfs get", prop, name, len(rows))
	}
	return rows[0][0], nil
}

// Mountpoint returns where a mounted filesystem dataset is; an error when it is not
// mounted (the copy must not write into an empty directory instead). Read by
// libzfs_core in this process when it can be used (Current's read: the mountpoint
// property, and the mount table for whether it is mounted, as zfs get reads them),
// else by zfs get.
func (m *Manager) Mountpoint(ctx context.Context, dataset string) (string, error) {
	if err := CheckDatasetName(dataset); err != nil {
		return "", err
	}
	if c := m.core(ctx); c != nil {
		v, err := m.coreView(ctx, c, dataset, true)
		switch {
		case err == nil && v.Datasets[dataset] == nil: // missing, or not a filesystem
			if ok, err := c.Exists(ctx, dataset); err != nil || !ok {
				return "", fmt.Errorf("dataset %s: %w", dataset, ErrNotFound)
			}
			return "", fmt.Errorf("dataset %s is not a filesystem: not mounted", dataset)
		case err == nil && v.Datasets[dataset].Mountpoint == "":
			return "", fmt.Errorf("dataset %s is not mounted: `zfs mount %s`", dataset, dataset)
		case err == nil:
			return v.Datasets[dataset].Mountpoint, nil
		case ctx.Err() != nil:
			return "", err
		}
		zerolog.Ctx(ctx).Debug().Err(err).Msg("the dataset's mount by libzfs_core failed: by zfs get")
	}
	rows, err := lines(ctx, m.ZFS, "dataset "+dataset, "get", "-H", "-o", "value", "mounted,mountpoint", dataset)
	if err != nil {
		return "", err
	}
	if len(rows) != 2 || rows[0][0] != "yes" || !strings.HasPrefix(rows[1][0], "/") {
		return "", fmt.Errorf("dataset %s is not mounted (mounted %v): `zfs mount %s`", dataset, rows, dataset)
	}
	return rows[1][0], nil
}

// Children returns the names of a dataset's direct child filesystems, sorted.
func (m *Manager) Children(ctx context.Context, dataset string) ([]string, error) {
	if err := CheckDatasetName(dataset); err != nil {
		return nil, err
	}
	rows, err := lines(ctx, m.ZFS, "children of "+dataset, "list", "-H", "-o", "name", "-t", "filesystem", "-d", "1", "-s", "name", dataset)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rows {
		if r[0] != dataset {
			out = append(out, r[0])
		}
	}
	return out, nil
}

// DestroyNewDataset destroys a dataset that holds no backup yet: the dataset of a VM
// whose first backup failed, created by that run. A dataset with any snapshot or
// child is refused with ErrNotEmpty and left alone; one already gone is not an error.
func (m *Manager) DestroyNewDataset(ctx context.Context, dataset string) error {
	if err := CheckDatasetName(dataset); err != nil {
		return err
	}
	if !strings.Contains(dataset, "/") {
		return fmt.Errorf("destroy %s: a pool's root dataset: %w", dataset, ErrNotEmpty)
	}
	snaps, err := m.Snapshots(ctx, dataset)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	kids, err := m.Children(ctx, dataset)
	if err != nil {
		return err
	}
	if len(snaps) > 0 || len(kids) > 0 {
		return fmt.Errorf("destroy %s: %w (%d snapshots, %d children)", dataset, ErrNotEmpty, len(snaps), len(kids))
	}
	if _, err := m.ZFS.Run(ctx, "destroy", dataset); err != nil {
		return zfsErr("destroy "+dataset, err)
	}
	return nil
}
