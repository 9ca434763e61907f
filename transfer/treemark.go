package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/mounts"
)

// treeMarkVersion changes whenever what SyncTree makes of a tree changes: a copy made
// by an older kvmbackup is then compared whole once.
const treeMarkVersion = "tree-2"

// ctimeFileSystems are the file systems whose ctimes TreeOptions.Unchanged trusts:
// local ones, whose ctime this kernel sets, and that cannot go back to an older state
// while mounted (a ZFS rollback can: its old ctimes come back in place; a network
// file system's ctimes are another host's; a FUSE one's are what it says).
var ctimeFileSystems = map[string]bool{"ext2": true, "ext3": true, "ext4": true, "xfs": true, "btrfs": true, "f2fs": true, "tmpfs": true}

// treeMark is what a sync of the open source root sd (stat rs) with opts makes of it
// beyond the content of its inodes, as "HASH/OFFSET" ("" when its ctimes are not to
// be trusted: the file system holding it is not in ctimeFileSystems). HASH covers
// the directory's real path and inode (another directory put there, or the path a
// symlink on the way now leads to, is another tree), the options that shape the copy,
// the mounts where it is and below it (a mount made or removed, or made again,
// changes no directory's ctime), and this boot of the host. OFFSET is the realtime
// clock less the boot time clock, in ns: it drops when the clock is set back.
// mountPoints are the mount points below the root (paths below it), for the walk's
// check.
func treeMark(sd *os.File, rs unix.Stat_t, opts TreeOptions) (mark string, mountPoints map[string]bool, _ error) {
	real, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(sd.Fd())))
	if err != nil {
		return "", nil, fmt.Errorf("tree mark of %s: %w", sd.Name(), err)
	}
	all, err := mounts.Read()
	if err != nil {
		return "", nil, fmt.Errorf("tree mark of %s: %w", real, err)
	}
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "", nil, fmt.Errorf("tree mark of %s: %w", real, err)
	}
	var holder mounts.Entry // the mount the root is on: the last of the longest
	for _, e := range all {
		if mounts.IsUnder(real, e.Point) && len(e.Point) >= len(holder.Point) {
			holder = e
		}
	}
	if !ctimeFileSystems[holder.FSType] {
		return "", nil, nil
	}
	h := sha256.New()
	field := func(k string, v ...string) { fmt.Fprintf(h, "%s=%q\n", k, v) }
	field("version", treeMarkVersion)
	field("boot", strings.TrimSpace(string(boot)))
	field("src", real, fmt.Sprintf("%d:%d", rs.Dev, rs.Ino))
	field("big", fmt.Sprint(opts.BigFile), fmt.Sprint(opts.Xattrs))
	field("exclude", opts.Exclude...)
	skip := slices.Clone(opts.Skip)
	for i := range skip {
		skip[i] = filepath.Clean(skip[i])
	}
	slices.Sort(skip)
	field("skip", skip...)
	field("only", slices.Sorted(slices.Values(opts.Only))...)
	mountPoints = map[string]bool{}
	for _, e := range all {
		if e.Point == holder.Point || mounts.IsUnder(e.Point, real) {
			field("mount", strconv.Itoa(e.ID), e.Point, e.Root, e.FSType, e.Source, fmt.Sprintf("%d:%d", e.Major, e.Minor))
			if e.Point != real && mounts.IsUnder(e.Point, real) {
				mountPoints[below(real, e.Point)] = true
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16]) + "/" + strconv.FormatInt(clockOffset(), 10), mountPoints, nil
}

// markHash is the part of a tree mark that names the tree, without the clock offset.
func markHash(mark string) string {
	h, _, _ := strings.Cut(mark, "/")
	return h
}

// below is the path p, at or under root, relative to root.
func below(root, p string) string { return strings.TrimPrefix(p, strings.TrimSuffix(root, "/")+"/") }

// clockOffset is CLOCK_REALTIME less CLOCK_BOOTTIME, in ns (a variable: tests set the
// clock back).
var clockOffset = func() int64 {
	var rt, bt unix.Timespec
	unix.ClockGettime(unix.CLOCK_REALTIME, &rt)
	unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt)
	return rt.Nano() - bt.Nano()
}

// sameTree: the mark cur names the same copy of the same tree as prev, and the clock
// was not set back (by a second or more) since prev: ctimes set meanwhile may lie
// before prev's copy.
func sameTree(prev, cur string) bool {
	ph, po, ok1 := strings.Cut(prev, "/")
	ch, co, ok2 := strings.Cut(cur, "/")
	p, err1 := strconv.ParseInt(po, 10, 64)
	c, err2 := strconv.ParseInt(co, 10, 64)
	return ok1 && ok2 && err1 == nil && err2 == nil && ph != "" && ph == ch && p-c < 1e9
}
