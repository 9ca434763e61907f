package mounts

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Safe are the options of every mount kvmbackup makes of guest or host data (a
// guest's filesystem, a snapshot of a host volume, a backup): no set-user-ID program,
// device node or executable on it works for whoever can reach the mount point.
const Safe = "nosuid,nodev,noexec"

// ReadOnly is "ro" with Safe: the options of a mount of a backup dataset or snapshot.
const ReadOnly = "ro," + Safe

// guestTypes are the filesystem types (as blkid names them) that kvmbackup mounts
// from a guest's disk or a snapshot, each with its mount(8) type and the options that
// never write to the device: no journal replay (a backup or a snapshot holds a
// filesystem that was mounted when it was taken) and, for xfs, no UUID check (two
// backups of one disk, or a snapshot and its mounted origin, share it). A crafted
// filesystem is an attack on the kernel's parser of its type: only these widely used,
// well-fuzzed ones are mounted.
var guestTypes = map[string]struct{ mountType, options string }{
	"ext2":  {"ext2", "ro"},
	"ext3":  {"ext3", "ro,noload"},
	"ext4":  {"ext4", "ro,noload"},
	"xfs":   {"xfs", "ro,nouuid,norecovery"},
	"btrfs": {"btrfs", "ro"},
	"vfat":  {"vfat", "ro"},
	"ntfs":  {"ntfs3", "ro"}, // blkid says ntfs; the kernel's driver is ntfs3
}

// AllowedTypes lists the filesystem types GuestMount accepts, for messages.
func AllowedTypes() string { return strings.Join(slices.Sorted(maps.Keys(guestTypes)), ", ") }

// GuestMount returns the mount(8) type and options (read-only, journal not replayed,
// Safe) for a filesystem of type fstype (as blkid names it) found on a guest's disk or
// a snapshot; an error naming the allow-list for any other type.
func GuestMount(fstype string) (mountType, options string, err error) {
	t, ok := guestTypes[fstype]
	if !ok {
		return "", "", fmt.Errorf("filesystem type %q is not on the allow-list (%s): not mounted", fstype, AllowedTypes())
	}
	return t.mountType, t.options + "," + Safe, nil
}
