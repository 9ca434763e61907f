package lvm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/mounts"
)

// ResolveDevice returns the LV a block device path is: /dev/VG/LV,
// /dev/mapper/VG-LV and /dev/dm-N all name the same kernel device, and the match is
// by its device number. Anything that is not an active LV wraps ErrNotOnLV.
func (m *Manager) ResolveDevice(ctx context.Context, path string) (LV, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return LV{}, fmt.Errorf("resolve %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return LV{}, fmt.Errorf("resolve %s: not a block device: %w", path, ErrNotOnLV)
	}
	return m.byDevice(ctx, path, unix.Major(st.Rdev), unix.Minor(st.Rdev))
}

func (m *Manager) byDevice(ctx context.Context, what string, major, minor uint32) (LV, error) {
	lvs, err := m.LVs(ctx, fmt.Sprintf("lv_kernel_major=%d && lv_kernel_minor=%d", major, minor))
	if err != nil {
		return LV{}, fmt.Errorf("resolve %s: %w", what, err)
	}
	if len(lvs) != 1 {
		return LV{}, fmt.Errorf("resolve %s: device %d:%d is %w", what, major, minor, ErrNotOnLV)
	}
	return lvs[0], nil
}

// FileOnLV is an image file on a filesystem on an LV (file mode).
type FileOnLV struct {
	LV         LV     `json:"lv"`
	MountPoint string `json:"mount_point"` // where the LV's filesystem is mounted
	FSType     string `json:"fs_type"`
	RelPath    string `json:"rel_path"` // the file's path below the mount point
}

// ResolveFile returns the LV under the filesystem that holds the regular file path,
// that filesystem's mount point and type, and the file's path relative to it.
func (m *Manager) ResolveFile(ctx context.Context, path string) (FileOnLV, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return FileOnLV{}, fmt.Errorf("resolve %s: %w", path, err)
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return FileOnLV{}, err
	}
	fi, err := os.Stat(real)
	if err != nil {
		return FileOnLV{}, fmt.Errorf("resolve %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return FileOnLV{}, fmt.Errorf("resolve %s: not a regular file", path)
	}
	mnt, err := mounts.Of(real)
	if err != nil {
		return FileOnLV{}, fmt.Errorf("resolve %s: %w", path, err)
	}
	lv, err := m.byDevice(ctx, fmt.Sprintf("%s (filesystem %s on %s)", path, mnt.Point, mnt.Source), mnt.Major, mnt.Minor)
	if err != nil {
		return FileOnLV{}, err
	}
	rel, err := filepath.Rel(mnt.Point, real)
	if err != nil {
		return FileOnLV{}, err
	}
	return FileOnLV{LV: lv, MountPoint: mnt.Point, FSType: mnt.FSType, RelPath: rel}, nil
}
