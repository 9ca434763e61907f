package zfs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/kvmbackup/kvmbackup/internal/mounts"
	"github.com/kvmbackup/kvmbackup/internal/names"
)

// Clone is a read-only clone of a snapshot, mounted read-only at Dir.
type Clone struct {
	Dataset string `json:"dataset"`
	Origin  string `json:"origin"` // DATASET@SNAPSHOT
	Dir     string `json:"dir"`
}

func (m *Manager) mountDir(runID, name string) (string, error) {
	if !names.ValidRunID(runID) {
		return "", fmt.Errorf("bad run id %q", runID)
	}
	dir := filepath.Join(m.RunDir, runID, strings.ReplaceAll(name, "/", "_"))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

// sharedDir makes BootDir/<run id>/<name>, each level 0711 (traversable, not
// listable), root's: what a throwaway domain's QEMU opens by name.
func (m *Manager) sharedDir(runID, name string) (string, error) {
	if !names.ValidRunID(runID) {
		return "", fmt.Errorf("bad run id %q", runID)
	}
	if m.BootDir == "" {
		return "", errors.New("no BootDir for a shared clone")
	}
	run := filepath.Join(m.BootDir, runID)
	for _, d := range []string{m.BootDir, run} {
		if err := os.Mkdir(d, 0o711); err != nil && !errors.Is(err, os.ErrExist) {
			return "", err
		}
		fi, err := os.Lstat(d)
		if err != nil {
			return "", err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !fi.IsDir() || !ok || st.Uid != uint32(os.Geteuid()) {
			return "", fmt.Errorf("%s is not a directory of this user: refused", d)
		}
		if err := os.Chmod(d, 0o711); err != nil {
			return "", err
		}
	}
	dir := filepath.Join(run, strings.ReplaceAll(name, "/", "_"))
	if err := os.Mkdir(dir, 0o711); err != nil {
		return "", err
	}
	return dir, nil
}

// MountSnapshot mounts a snapshot read-only, nosuid, nodev, noexec at
// RunDir/<run id>/<dataset_snapshot> and returns the directory; Unmount undoes it.
func (m *Manager) MountSnapshot(ctx context.Context, snap Snapshot, runID string) (string, error) {
	if err := checkSnapshot(snap.Dataset, snap.Name); err != nil {
		return "", err
	}
	dir, err := m.mountDir(runID, snap.FullName())
	if err != nil {
		return "", fmt.Errorf("mount %s: %w", snap.FullName(), err)
	}
	if _, err := m.Mount.Run(ctx, "-t", "zfs", "-o", mounts.ReadOnly, snap.FullName(), dir); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("mount %s read-only: %w", snap.FullName(), err)
	}
	return dir, nil
}

// Unmount unmounts dir (retrying while busy) and removes it.
func (m *Manager) Unmount(ctx context.Context, dir string) error {
	return mounts.Unmount(ctx, m.Umount, dir)
}

// CloneOptions say what a clone is for.
type CloneOptions struct {
	// Writable: the clone may be written (a filesystem check's journal replay, a
	// throwaway domain's boot); it is still thrown away whole. Its mount is
	// nosuid, nodev and noexec.
	Writable bool
	// Shared: mounted under BootDir instead of RunDir, every directory on the way
	// (the clone's top one too) traversable by others (0711), not listable: the
	// hypervisor's QEMU, an unprivileged user, opens its images by name.
	Shared bool
	// Quota bounds what may be written into the clone (zfs quota, bytes; 0: none):
	// a booted guest cannot fill the pool the next backup needs.
	Quota int64
}

// CloneSnapshot clones a snapshot into TARGET/_clones (root is the target dataset),
// read-only unless o.Writable, marked with kvmbackup:clone=<run id>, and mounts it
// under RunDir (BootDir with o.Shared). RemoveClone or Cleanup undoes it.
func (m *Manager) CloneSnapshot(ctx context.Context, snap Snapshot, root, runID string, o CloneOptions) (Clone, error) {
	if err := checkSnapshot(snap.Dataset, snap.Name); err != nil {
		return Clone{}, err
	}
	if err := CheckDatasetName(root); err != nil {
		return Clone{}, err
	}
	if !names.ValidRunID(runID) {
		return Clone{}, fmt.Errorf("clone %s: bad run id %q", snap.FullName(), runID)
	}
	l := Layout{root}
	parent := l.Clones()
	if ok, err := m.Exists(ctx, parent); err != nil {
		return Clone{}, err
	} else if !ok {
		if _, err := m.ZFS.Run(ctx, "create", "-p", "-o", "canmount=off", "-o", "mountpoint=none", parent); err != nil {
			return Clone{}, zfsErr("create "+parent, err)
		}
	}
	c := Clone{Dataset: l.Clone(snap.Dataset, runID), Origin: snap.FullName()}
	ro, opts := "readonly=on", mounts.ReadOnly
	if o.Writable {
		ro, opts = "readonly=off", "rw,"+mounts.Safe
	}
	args := []string{"clone", "-o", ro, "-o", "mountpoint=legacy", "-o", PropClone + "=" + runID}
	for _, h := range Hardening {
		args = append(args, "-o", h)
	}
	if o.Quota > 0 {
		args = append(args, "-o", fmt.Sprintf("quota=%d", o.Quota))
	}
	if _, err := m.ZFS.Run(ctx, append(args, c.Origin, c.Dataset)...); err != nil {
		return Clone{}, zfsErr("clone "+c.Origin, err)
	}
	var dir string
	var err error
	if o.Shared {
		dir, err = m.sharedDir(runID, c.Dataset)
	} else {
		dir, err = m.mountDir(runID, c.Dataset)
	}
	if err == nil {
		_, err = m.Mount.Run(ctx, "-t", "zfs", "-o", opts, c.Dataset, dir)
		if err != nil {
			os.Remove(dir)
		} else if o.Shared && o.Writable {
			err = os.Chmod(dir, 0o711) // the clone's top directory
			if err != nil {
				m.Unmount(context.WithoutCancel(ctx), dir)
			}
		}
	}
	if err != nil {
		_, derr := m.ZFS.Run(context.WithoutCancel(ctx), "destroy", c.Dataset)
		return Clone{}, errors.Join(fmt.Errorf("mount clone %s of %s: %w", c.Dataset, c.Origin, err), derr)
	}
	c.Dir = dir
	return c, nil
}

// RemoveClone unmounts and destroys a clone kvmbackup made.
func (m *Manager) RemoveClone(ctx context.Context, c Clone) error {
	if c.Dir != "" {
		if err := m.Unmount(ctx, c.Dir); err != nil {
			return err
		}
	}
	return m.destroyClone(ctx, c.Dataset)
}

func (m *Manager) destroyClone(ctx context.Context, dataset string) error {
	v, err := m.Property(ctx, dataset, PropClone)
	if err != nil {
		return err
	}
	if v == "-" || v == "" {
		return fmt.Errorf("destroy %s: not a clone kvmbackup made (no %s property): left alone", dataset, PropClone)
	}
	if _, err := m.ZFS.Run(ctx, "destroy", dataset); err != nil {
		return zfsErr("destroy clone "+dataset, err)
	}
	return nil
}

// Cleaned is what Cleanup removed.
type Cleaned struct {
	Unmounted []string `json:"unmounted"`
	Destroyed []string `json:"destroyed"` // clones
}

// Cleanup removes what a run (runID), or every run (runID ""), left: the mounts under
// RunDir, then the clones under root that carry kvmbackup:clone (of that run).
// Nothing else is touched. Idempotent.
func (m *Manager) Cleanup(ctx context.Context, root, runID string) (Cleaned, error) {
	var out Cleaned
	var errs []error
	dir := m.RunDir
	if runID != "" {
		if !names.ValidRunID(runID) {
			return out, fmt.Errorf("cleanup: bad run id %q", runID)
		}
		dir = filepath.Join(m.RunDir, runID)
	}
	unmounted, err := mounts.UnmountUnder(ctx, m.Umount, dir)
	out.Unmounted = unmounted
	if err != nil {
		errs = append(errs, err)
	}
	if m.BootDir != "" {
		bdir := m.BootDir
		if runID != "" {
			bdir = filepath.Join(m.BootDir, runID)
		}
		unmounted, err := mounts.UnmountUnder(ctx, m.Umount, bdir)
		out.Unmounted = append(out.Unmounted, unmounted...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	parent := Layout{root}.Clones()
	rows, err := lines(ctx, m.ZFS, "clones under "+parent, "get", "-H", "-r", "-s", "local", "-t", "filesystem", "-o", "name,value", PropClone, parent)
	if IsNotFound(err) {
		return out, errors.Join(errs...)
	}
	if err != nil {
		return out, errors.Join(append(errs, err)...)
	}
	for _, r := range rows {
		if len(r) != 2 || (runID != "" && r[1] != runID) {
			continue
		}
		if err := m.destroyClone(ctx, r[0]); err != nil {
			errs = append(errs, err)
			continue
		}
		out.Destroyed = append(out.Destroyed, r[0])
	}
	return out, errors.Join(errs...)
}

// SetSnapshotProps sets user properties (kvmbackup:…) on one of kvmbackup's dated
// snapshots, in one zfs set: the snapshot's data is not changed.
func (m *Manager) SetSnapshotProps(ctx context.Context, snap Snapshot, props map[string]string) error {
	if err := checkSnapshot(snap.Dataset, snap.Name); err != nil {
		return err
	}
	if len(props) == 0 {
		return nil
	}
	args := []string{"set"}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if !strings.HasPrefix(k, "kvmbackup:") {
			return fmt.Errorf("set %s on %s: not a kvmbackup property", k, snap.FullName())
		}
		args = append(args, k+"="+props[k])
	}
	if _, err := m.ZFS.Run(ctx, append(args, snap.FullName())...); err != nil {
		return zfsErr("set properties of "+snap.FullName(), err)
	}
	return nil
}

// PoolErrors returns the permanent errors `zpool status -v` lists for the pool of
// dataset (files whose blocks failed their checksums), or none.
func (m *Manager) PoolErrors(ctx context.Context, dataset string) ([]string, error) {
	pool, _, _ := strings.Cut(dataset, "/")
	out, err := m.Zpool.Output(ctx, "status", "-v", pool)
	if err != nil {
		return nil, zfsErr("status of pool "+pool, err)
	}
	var errs []string
	in := false
	for _, l := range strings.Split(string(out), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "errors:"):
			in = !strings.Contains(t, "No known data errors")
		case in && t != "" && !strings.HasPrefix(t, "Permanent errors"):
			errs = append(errs, t)
		}
	}
	return errs, nil
}
