package lvm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kvmbackup/kvmbackup/internal/mounts"
	"github.com/kvmbackup/kvmbackup/internal/names"
	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// CheckFS runs `fsck -p` on a snapshot device before it is mounted: exit 0 (clean) and
// 1 (errors corrected) are fine; anything else is an error carrying fsck's output.
func (m *Manager) CheckFS(ctx context.Context, dev string) error {
	res, err := m.Fsck.RunWith(ctx, runner.Options{}, "-p", dev)
	switch code := runner.ExitCode(err); {
	case err == nil, code == 1:
		return nil
	case code > 1:
		return fmt.Errorf("fsck -p %s: exit status %d (%s): %s%s", dev, code, fsckMeaning(code), res.Stdout, res.Stderr)
	default:
		return fmt.Errorf("fsck -p %s: %w", dev, err)
	}
}

func fsckMeaning(code int) string {
	var parts []string
	for bit, what := range map[int]string{2: "reboot needed", 4: "errors left uncorrected", 8: "operational error", 16: "usage error", 32: "cancelled", 128: "shared library error"} {
		if code&bit != 0 {
			parts = append(parts, what)
		}
	}
	return strings.Join(parts, ", ")
}

// FSType returns the filesystem type on a device (blkid).
func (m *Manager) FSType(ctx context.Context, dev string) (string, error) {
	out, err := m.Blkid.Output(ctx, "-o", "value", "-s", "TYPE", dev)
	if err != nil {
		return "", fmt.Errorf("filesystem type of %s: %w", dev, err)
	}
	t := strings.TrimSpace(string(out))
	if t == "" {
		return "", fmt.Errorf("filesystem type of %s: no filesystem found", dev)
	}
	return t, nil
}

// mountOptions are the options of a snapshot's read-only mount (mounts.GuestMount:
// no journal replay, as the snapshot holds a filesystem that was mounted when it was
// taken; nosuid, nodev, noexec) for the types fsck -p checks.
func mountOptions(fstype string) (string, error) {
	switch fstype {
	case "ext2", "ext3", "ext4", "xfs":
		_, opts, err := mounts.GuestMount(fstype)
		return opts, err
	}
	return "", fmt.Errorf("filesystem type %s is not supported for file mode (ext2/3/4, xfs)", fstype)
}

// MountSnapshot checks a snapshot's filesystem (fsck -p) and mounts it read-only at
// RunDir/<run id>/<snapshot name>; it returns the mount point. Unmount undoes it.
func (m *Manager) MountSnapshot(ctx context.Context, snap LV, runID string) (string, error) {
	if !names.ValidRunID(runID) {
		return "", fmt.Errorf("mount %s: bad run id %q", snap.FullName(), runID)
	}
	fstype, err := m.FSType(ctx, snap.Path)
	if err != nil {
		return "", err
	}
	opts, err := mountOptions(fstype)
	if err != nil {
		return "", fmt.Errorf("mount %s: %w", snap.FullName(), err)
	}
	if err := m.CheckFS(ctx, snap.Path); err != nil {
		return "", err
	}
	dir := filepath.Join(m.RunDir, runID, snap.VG+"-"+snap.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("mount %s: %w", snap.FullName(), err)
	}
	if _, err := m.Mount.Run(ctx, "-t", fstype, "-o", opts, snap.Path, dir); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("mount %s read-only: %w", snap.FullName(), err)
	}
	return dir, nil
}

// Unmount unmounts dir (retrying while it is busy) and removes the directory.
func (m *Manager) Unmount(ctx context.Context, dir string) error {
	return mounts.Unmount(ctx, m.Umount, dir)
}

// Cleaned is what Cleanup removed.
type Cleaned struct {
	Unmounted []string `json:"unmounted"`
	Removed   []string `json:"removed"` // VG/LV
}

// Cleanup removes what a run (runID), or every run (runID ""), left: first every
// mount under RunDir, then every snapshot tagged kvmbackup (and kvmbackup_run_<id>).
// An LV without the tag or that is not a snapshot is never removed, nor a thin LV's
// base (BaseTag: DropBase removes one). Idempotent.
func (m *Manager) Cleanup(ctx context.Context, runID string) (Cleaned, error) {
	var out Cleaned
	var errs []error
	root := m.RunDir
	if runID != "" {
		if !names.ValidRunID(runID) {
			return out, fmt.Errorf("cleanup: bad run id %q", runID)
		}
		root = filepath.Join(m.RunDir, runID)
	}
	unmounted, err := mounts.UnmountUnder(ctx, m.Umount, root)
	out.Unmounted = unmounted
	if err != nil {
		errs = append(errs, err)
	}
	sel := "lv_tags=" + Tag
	if runID != "" {
		sel += " && lv_tags=" + RunTagPrefix + runID
	}
	lvs, err := m.LVs(ctx, sel)
	if err != nil {
		return out, errors.Join(append(errs, err)...)
	}
	for _, lv := range lvs {
		if !lv.IsSnapshot() || lv.HasTag(BaseTag) {
			continue // an origin (tagged by someone: never ours), or a thin LV's base, kept on purpose
		}
		if err := m.Remove(ctx, lv.VG, lv.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		out.Removed = append(out.Removed, lv.FullName())
	}
	return out, errors.Join(errs...)
}
