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
// by its device number (one lvs). Anything that is not an active LV wraps ErrNotOnLV.
func (m *Manager) ResolveDevice(ctx context.Context, path string) (LV, error) {
	return resolveDevice(ctx, m, path)
}

// ResolveFile returns the LV under the filesystem that holds the regular file path,
// that filesystem's mount point and type, and the file's path relative to it (one
// lvs). A file on a filesystem that is not on an active LV wraps ErrNotOnLV.
func (m *Manager) ResolveFile(ctx context.Context, path string) (FileOnLV, error) {
	return resolveFile(ctx, m, path)
}

// query asks for the LVs named VG/name, or (dev) those whose kernel device is
// major:minor.
type query struct {
	vg, name     string
	dev          bool
	major, minor uint32
}

// matches says whether l answers q.
func (q query) matches(l LV) bool {
	if q.dev {
		return l.Major >= 0 && l.Minor >= 0 && uint32(l.Major) == q.major && uint32(l.Minor) == q.minor
	}
	return l.VG == q.vg && l.Name == q.name
}

// finder answers a query: a Manager with one lvs each time, Volumes from its one read.
// ResolveDevice, ResolveFile and LV are the same code over either.
type finder interface {
	find(ctx context.Context, q query) ([]LV, error)
}

func (m *Manager) find(ctx context.Context, q query) ([]LV, error) {
	if q.dev {
		return m.LVs(ctx, fmt.Sprintf("lv_kernel_major=%d && lv_kernel_minor=%d", q.major, q.minor))
	}
	return m.lvs(ctx, q.vg+"/"+q.name)
}

func resolveDevice(ctx context.Context, f finder, path string) (LV, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return LV{}, fmt.Errorf("resolve %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return LV{}, fmt.Errorf("resolve %s: not a block device: %w", path, ErrNotOnLV)
	}
	return byDevice(ctx, f, path, unix.Major(st.Rdev), unix.Minor(st.Rdev))
}

func byDevice(ctx context.Context, f finder, what string, major, minor uint32) (LV, error) {
	lvs, err := f.find(ctx, query{dev: true, major: major, minor: minor})
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

func resolveFile(ctx context.Context, f finder, path string) (FileOnLV, error) {
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
	lv, err := byDevice(ctx, f, fmt.Sprintf("%s (filesystem %s on %s)", path, mnt.Point, mnt.Source), mnt.Major, mnt.Minor)
	if err != nil {
		return FileOnLV{}, err
	}
	rel, err := filepath.Rel(mnt.Point, real)
	if err != nil {
		return FileOnLV{}, err
	}
	return FileOnLV{LV: lv, MountPoint: mnt.Point, FSType: mnt.FSType, RelPath: rel}, nil
}
