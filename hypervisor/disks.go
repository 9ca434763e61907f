package hypervisor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
)

// DiskUse is what a backup does with one disk of a domain. Every disk has one, and
// plans and check show it: no disk is left out in silence.
type DiskUse string

const (
	DiskCopied      DiskUse = "copied"      // its image is backed up
	DiskExcluded    DiskUse = "excluded"    // left out on purpose (vms[].exclude-disks)
	DiskSkipped     DiskUse = "skipped"     // nothing to keep: a CD-ROM, an empty or read-only drive
	DiskUnsupported DiskUse = "unsupported" // cannot be backed up: its VM fails unless it is excluded
)

// Use says what a backup does with d when the disks whose targets are in exclude
// are left out, and why (empty for a copied disk). A copied disk is a file or block
// disk with no backing chain; whether it lies on an LV is the planner's to find out.
func (d Disk) Use(exclude []string) (DiskUse, string) {
	switch {
	case slices.Contains(exclude, d.Target):
		return DiskExcluded, "excluded by vms[].exclude-disks"
	case d.Source == "" && (d.Type == "file" || d.Type == "block" || d.Type == ""):
		return DiskSkipped, "an empty drive"
	case d.Device == "cdrom":
		return DiskSkipped, "a CD-ROM"
	case d.Device == "lun":
		return DiskUnsupported, "a SCSI LUN passed through (device='lun'): the guest may address the device below LVM"
	case d.Device == "floppy":
		return DiskUnsupported, "a floppy drive"
	case d.Device != "disk":
		return DiskUnsupported, fmt.Sprintf("a %s device", d.Device)
	case d.ReadOnly:
		return DiskSkipped, "read-only: the guest cannot change it"
	case d.Type != "file" && d.Type != "block":
		return DiskUnsupported, fmt.Sprintf("a %s disk (%s) cannot be snapshotted with LVM", d.Type, d.Source)
	case d.BackingErr != "":
		return DiskUnsupported, fmt.Sprintf("cannot tell whether the %s image has a backing chain: %s", d.Format, d.BackingErr)
	case d.Backing != "":
		return DiskUnsupported, fmt.Sprintf("a %s image with a backing chain (%s): only its top layer would be copied", d.Format, d.Backing)
	}
	return DiskCopied, ""
}

// CheckExclude returns an error naming each target in exclude that no disk has.
func CheckExclude(disks []Disk, exclude []string) error {
	var have, unknown []string
	for _, d := range disks {
		have = append(have, d.Target)
	}
	for _, x := range exclude {
		if !slices.Contains(have, x) {
			unknown = append(unknown, x)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("vms[].exclude-disks: %s: no such disk (disks: %s)", strings.Join(unknown, ", "), strings.Join(have, ", "))
	}
	return nil
}

// qcow2Magic starts every qcow2 image ("QFI\xfb").
const qcow2Magic = 0x514649fb

// QCOW2Backing reads the header of the qcow2 image at path and returns the name of
// its backing file ("" when it has none). It opens without following a final
// symlink and without blocking on a FIFO, and reads only a regular file or a block
// device; anything that is not a qcow2 image is an error naming path.
func QCOW2Backing(path string) (string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return "", fmt.Errorf("read the qcow2 header of %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("read the qcow2 header of %s: %w", path, err)
	}
	if m := fi.Mode(); !m.IsRegular() && (m&os.ModeDevice == 0 || m&os.ModeCharDevice != 0) {
		return "", fmt.Errorf("read the qcow2 header of %s: not a regular file or block device (%s)", path, m.Type())
	}
	var h [20]byte // magic, version, backing_file_offset, backing_file_size
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return "", fmt.Errorf("read the qcow2 header of %s: %w", path, err)
	}
	if binary.BigEndian.Uint32(h[0:4]) != qcow2Magic {
		return "", fmt.Errorf("read the qcow2 header of %s: %w", path, errNotQCOW2)
	}
	off, size := binary.BigEndian.Uint64(h[8:16]), binary.BigEndian.Uint32(h[16:20])
	if off == 0 || size == 0 {
		return "", nil
	}
	if size > 1023 { // qemu's limit
		return "", fmt.Errorf("read the qcow2 header of %s: backing file name of %d bytes", path, size)
	}
	name := make([]byte, size)
	if _, err := f.ReadAt(name, int64(off)); err != nil {
		return "", fmt.Errorf("read the backing file name in %s: %w", path, err)
	}
	return string(name), nil
}

var errNotQCOW2 = errors.New("not a qcow2 image (bad magic)")

// probeBacking fills in the backing chain of the qcow2 disks whose XML shows none:
// libvirt lists a chain in the live XML of a running domain, not in the definition
// of a shut-off one. A header that cannot be read is kept in BackingErr, so the disk
// is not copied on a guess.
func probeBacking(disks []Disk) {
	for i := range disks {
		d := &disks[i]
		if d.Format != "qcow2" || d.Backing != "" || d.Source == "" || (d.Type != "file" && d.Type != "block") {
			continue
		}
		b, err := QCOW2Backing(d.Source)
		switch {
		case err != nil:
			d.BackingErr = err.Error()
		case b != "":
			d.Backing = b
		}
	}
}
