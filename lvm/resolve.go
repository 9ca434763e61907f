package lvm

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
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
	mnt, err := mountOf(real)
	if err != nil {
		return FileOnLV{}, fmt.Errorf("resolve %s: %w", path, err)
	}
	lv, err := m.byDevice(ctx, fmt.Sprintf("%s (filesystem %s on %s)", path, mnt.point, mnt.source), mnt.major, mnt.minor)
	if err != nil {
		return FileOnLV{}, err
	}
	rel, err := filepath.Rel(mnt.point, real)
	if err != nil {
		return FileOnLV{}, err
	}
	return FileOnLV{LV: lv, MountPoint: mnt.point, FSType: mnt.fstype, RelPath: rel}, nil
}

type mountEntry struct {
	point, fstype, source string
	major, minor          uint32
}

// mountOf returns the mount that holds path (the longest mount point above it).
func mountOf(path string) (mountEntry, error) {
	mounts, err := readMountinfo()
	if err != nil {
		return mountEntry{}, err
	}
	var best mountEntry
	for _, e := range mounts {
		if isUnder(path, e.point) && len(e.point) >= len(best.point) {
			best = e // later entries mount over earlier ones
		}
	}
	if best.point == "" {
		return best, fmt.Errorf("no mount holds %s", path)
	}
	return best, nil
}

// readMountinfo parses /proc/self/mountinfo.
func readMountinfo() ([]mountEntry, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []mountEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		f1, f2 := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f1) < 5 || len(f2) < 2 {
			continue
		}
		maj, min, _ := strings.Cut(f1[2], ":")
		ma, _ := strconv.ParseUint(maj, 10, 32)
		mi, _ := strconv.ParseUint(min, 10, 32)
		out = append(out, mountEntry{point: unescapeMount(f1[4]), fstype: f2[0], source: unescapeMount(f2[1]), major: uint32(ma), minor: uint32(mi)})
	}
	return out, sc.Err()
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space, …).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isUnder(path, dir string) bool {
	return dir == "/" || path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/")
}
