// Package loopdev owns kvmbackup's loop devices: a backed-up disk image attached
// read-only (partitions scanned) for a file-level look, the filesystems found on it,
// and detaching it again. It drives losetup, lsblk and blkid through the runner.
package loopdev

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// Tools are the programs this package runs.
type Tools struct {
	Losetup, Lsblk, Blkid runner.Tool
}

// New returns the tools in PATH.
func New() Tools {
	return Tools{Losetup: runner.New("losetup"), Lsblk: runner.New("lsblk"), Blkid: runner.New("blkid")}
}

// Attach attaches image read-only on a free loop device, scanning its partitions,
// and returns the device (/dev/loopN).
func (t Tools) Attach(ctx context.Context, image string) (string, error) {
	out, err := t.Losetup.Output(ctx, "--find", "--show", "--read-only", "--partscan", image)
	if err != nil {
		return "", fmt.Errorf("attach %s read-only: %w", image, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// AttachWritable attaches image writable (a throwaway clone's, for a filesystem
// check that replays a journal), scanning its partitions, and returns the device.
func (t Tools) AttachWritable(ctx context.Context, image string) (string, error) {
	out, err := t.Losetup.Output(ctx, "--find", "--show", "--partscan", image)
	if err != nil {
		return "", fmt.Errorf("attach %s: %w", image, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Backing returns the file loop device dev is attached to ("" when none), from
// sysfs.
func Backing(dev string) string {
	b, err := os.ReadFile(filepath.Join("/sys/block", filepath.Base(dev), "loop", "backing_file"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Holders lists what holds loop device dev or its partitions open as a block
// device (device-mapper volumes, RAID arrays the host activated on them), by their
// sysfs names.
func Holders(dev string) []string {
	base := filepath.Base(dev)
	paths, _ := filepath.Glob(filepath.Join("/sys/block", base, "holders", "*"))
	parts, _ := filepath.Glob(filepath.Join("/sys/block", base, base+"p*", "holders", "*"))
	var out []string
	for _, p := range append(paths, parts...) {
		out = append(out, filepath.Base(p))
	}
	return out
}

// AttachedTo lists the loop devices attached to file (from sysfs).
func AttachedTo(file string) []string {
	devs, _ := filepath.Glob("/sys/block/loop*")
	var out []string
	for _, d := range devs {
		if dev := "/dev/" + filepath.Base(d); Backing(dev) == file {
			out = append(out, dev)
		}
	}
	return out
}

// Detach detaches a loop device.
func (t Tools) Detach(ctx context.Context, dev string) error {
	if _, err := t.Losetup.Run(ctx, "--detach", dev); err != nil {
		return fmt.Errorf("detach %s: %w", dev, err)
	}
	return nil
}

// FS is a filesystem found on a device or one of its partitions.
type FS struct {
	Dev    string `json:"dev"`
	Type   string `json:"fstype"`
	Label  string `json:"label,omitempty"`
	Number int    `json:"partition"` // 0: the whole device
}

// Filesystems lists the filesystems on dev: on the whole device (no partition
// table), or on its partitions, in order. Swap and unknown contents are left out.
// The devices come from lsblk (sysfs), their contents from blkid's low-level probe
// (lsblk's FSTYPE needs udev, which a minimal host may not run).
func (t Tools) Filesystems(ctx context.Context, dev string) ([]FS, error) {
	out, err := t.Lsblk.Output(ctx, "--json", "--paths", "--output", "NAME,TYPE", dev)
	if err != nil {
		return nil, fmt.Errorf("list partitions of %s: %w", dev, err)
	}
	var rep struct {
		Blockdevices []struct {
			Name, Type string
			Children   []struct{ Name, Type string }
		}
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, fmt.Errorf("lsblk %s: %w", dev, err)
	}
	var fss []FS
	for _, b := range rep.Blockdevices {
		if fs, ok := t.probe(ctx, b.Name); ok {
			fss = append(fss, fs)
		}
		for i, c := range b.Children {
			if fs, ok := t.probe(ctx, c.Name); ok && c.Type == "part" {
				fs.Number = i + 1
				fss = append(fss, fs)
			}
		}
	}
	return fss, nil
}

// probe reads the filesystem type and label on dev (blkid -p); ok is false when
// there is nothing mountable.
func (t Tools) probe(ctx context.Context, dev string) (FS, bool) {
	out, err := t.Blkid.Output(ctx, "-p", "-o", "export", dev)
	if err != nil {
		return FS{}, false // exit 2: nothing recognised
	}
	fs := FS{Dev: dev}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "TYPE":
			fs.Type = v
		case "LABEL":
			fs.Label = v
		case "PTTYPE":
			return FS{}, false // a partition table: its partitions are listed
		}
	}
	return fs, mountable(fs.Type)
}

func mountable(fstype string) bool {
	return fstype != "" && fstype != "swap" && !strings.HasSuffix(fstype, "_member")
}
