// Package names holds the rules of the names kvmbackup gives and takes as arguments:
// ZFS dataset names and their components, and run ids. The config checks its keys
// with them and zfs and lvm check their arguments with them, so a name the config
// accepts is one the run can use: one rule, one length limit, one pattern.
//
// It is a leaf: pure functions of strings, no I/O, no kvmbackup import. Each check
// returns what is wrong, worded to follow the name in a message ("is required",
// "has component \"a b\" with characters other than ..."), or "" when nothing is.
package names

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// MaxDataset is the longest dataset name kvmbackup uses: below ZFS's 255 characters
// (ZFS_MAX_DATASET_NAME_LEN, the snapshot name after '@' included), so that a dated
// snapshot name (@kvmbackup_2026-11-24T03:00:00Z) always fits.
const MaxDataset = 200

// LeadingDash is why a name that zfs, virsh or lvm get as an argument may not start
// with "-": it would read as an option.
const LeadingDash = `starts with "-" (zfs, virsh and lvm would read it as an option)`

var (
	componentRe = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)
	diskLikeRe  = regexp.MustCompile(`^c[0-9]`)
	runIDRe     = regexp.MustCompile(`^` + RunIDPattern + `$`)

	// reservedPools are the words zpool refuses as a pool name (vdev types).
	reservedPools = []string{"mirror", "raidz", "raidz1", "raidz2", "raidz3", "draid",
		"spare", "log", "cache", "special", "dedup"}
)

// Component says what is wrong with name as one component of a dataset name: a VM's
// or a tree's dataset under the target, a snapshot name after the '@'.
func Component(name string) string {
	switch {
	case name == "":
		return "is required"
	case len(name) > MaxDataset:
		return fmt.Sprintf("is longer than %d characters", MaxDataset)
	case !componentRe.MatchString(name):
		return "may hold only letters, digits and _ . : - (it names a ZFS dataset)"
	case name[0] == '-':
		return LeadingDash
	case name == "." || name == "..":
		return "cannot name a ZFS dataset"
	}
	return ""
}

// Dataset says what is wrong with ds as a dataset name POOL[/CHILD...].
func Dataset(ds string) string { return dataset(ds, false) }

// DatasetBelowPool says what is wrong with ds as a dataset name POOL/CHILD[/...]: a
// dataset below the pool's root, as target.dataset must be.
func DatasetBelowPool(ds string) string { return dataset(ds, true) }

func dataset(ds string, belowPool bool) string {
	const want = " (want POOL/DATASET, e.g. backup/vms)"
	switch {
	case ds == "":
		return "must not be empty" + want
	case len(ds) > MaxDataset:
		return fmt.Sprintf("is longer than %d characters", MaxDataset)
	case strings.ContainsAny(ds, "@#"):
		return "names a snapshot or bookmark, not a dataset" + want
	}
	parts := strings.Split(ds, "/")
	if belowPool && len(parts) < 2 {
		return "has no dataset below the pool" + want
	}
	for _, p := range parts {
		switch {
		case p == "":
			return "has an empty component" + want
		case !componentRe.MatchString(p):
			return fmt.Sprintf("has component %q with characters other than letters, digits and _ . : -", p)
		case p[0] == '-':
			return fmt.Sprintf("has component %q, which %s", p, LeadingDash)
		case p == "." || p == "..":
			return fmt.Sprintf("has component %q", p)
		}
	}
	pool := parts[0]
	switch {
	case !('a' <= pool[0] && pool[0] <= 'z' || 'A' <= pool[0] && pool[0] <= 'Z'):
		return fmt.Sprintf("has pool name %q, which does not start with a letter", pool)
	case slices.Contains(reservedPools, pool) || diskLikeRe.MatchString(pool):
		return fmt.Sprintf("has pool name %q, which ZFS reserves", pool)
	}
	return ""
}

// RunIDPattern is the pattern of a run id, which names LVM snapshots, their tags and
// the directories of a run's mounts.
const RunIDPattern = `[A-Za-z0-9_.-]{1,40}`

// ValidRunID reports whether id matches RunIDPattern.
func ValidRunID(id string) bool { return runIDRe.MatchString(id) }
