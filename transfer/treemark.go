package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/mounts"
)

// treeMarkVersion changes whenever what SyncTree makes of a tree changes: a copy made
// by an older kvmbackup is then compared whole once.
const treeMarkVersion = "tree-1"

// TreeMark names what a sync of src with opts makes of src beyond the content of its
// inodes: src and the directory there (its inode: another one put there is another
// tree, whatever its ctime says), the options that shape the copy, the file systems mounted where src is
// and below it (a mount made or removed changes no directory's ctime), and this boot
// of the host (a clock set back, then forward, is most likely across a reboot). A
// copy that SyncTree made completely (no error, nothing vanished or changed while it
// was made) of a tree with mark M, at time T, can be synced again with
// TreeOptions.Unchanged = T only by a sync whose mark is M too, and only while
// nothing else has written it.
func TreeMark(src string, opts TreeOptions) (string, error) {
	src = filepath.Clean(src)
	all, err := mounts.Read()
	if err != nil {
		return "", fmt.Errorf("tree mark of %s: %w", src, err)
	}
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "", fmt.Errorf("tree mark of %s: %w", src, err)
	}
	var root unix.Stat_t
	if err := unix.Lstat(src, &root); err != nil {
		return "", fmt.Errorf("tree mark of %s: %w", src, err)
	}
	if opts.BigFile <= 0 {
		opts.BigFile = 64 << 20
	}
	h := sha256.New()
	field := func(k string, v ...string) { fmt.Fprintf(h, "%s=%q\n", k, v) }
	field("version", treeMarkVersion)
	field("boot", strings.TrimSpace(string(boot)))
	field("src", src, fmt.Sprintf("%d:%d", root.Dev, root.Ino))
	field("big", fmt.Sprint(opts.BigFile), fmt.Sprint(opts.Xattrs))
	field("exclude", opts.Exclude...)
	skip := slices.Clone(opts.Skip)
	for i := range skip {
		skip[i] = filepath.Clean(skip[i])
	}
	slices.Sort(skip)
	field("skip", skip...)
	field("only", slices.Sorted(slices.Values(opts.Only))...)
	var holder mounts.Entry // the mount src is on: the last of the longest
	for _, e := range all {
		if mounts.IsUnder(src, e.Point) && len(e.Point) >= len(holder.Point) {
			holder = e
		}
	}
	for _, e := range append([]mounts.Entry{holder}, all...) {
		if e.Point == holder.Point || mounts.IsUnder(e.Point, src) {
			field("mount", e.Point, e.Root, e.FSType, e.Source, fmt.Sprintf("%d:%d", e.Major, e.Minor))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}
