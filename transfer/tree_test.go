package transfer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// entry is what rsync -aH preserves of one path.
type entry struct {
	Type   string
	Mode   uint32
	UID    uint32
	GID    uint32
	Size   int64
	Mtime  int64
	Target string
	Sum    string
	Rdev   uint64
	Links  string // the first path of its hard-link group within the tree
	Xattrs string // user.* extended attributes
}

func snapshotTree(t *testing.T, root string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	groups := map[uint64][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		var s unix.Stat_t
		if err := unix.Lstat(p, &s); err != nil {
			return err
		}
		e := entry{Mode: s.Mode, UID: s.Uid, GID: s.Gid, Mtime: s.Mtim.Nano()}
		if xa, err := pathXattrs(p); err == nil && len(xa) > 0 {
			keys := make([]string, 0, len(xa))
			for k := range xa {
				keys = append(keys, k+"="+string(xa[k]))
			}
			sort.Strings(keys)
			e.Xattrs = strings.Join(keys, ",")
		}
		switch s.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			e.Type, e.Size = "file", s.Size
			sum, _ := testenv.SHA256(t, p, -1)
			e.Sum = fmt.Sprintf("%x", sum[:8])
			groups[s.Ino] = append(groups[s.Ino], rel)
		case unix.S_IFDIR:
			e.Type = "dir"
			if rel == "." {
				e.Mtime = 0 // the root's time is not part of the comparison
			}
		case unix.S_IFLNK:
			e.Type = "symlink"
			e.Target, _ = os.Readlink(p)
		case unix.S_IFIFO:
			e.Type = "fifo"
		case unix.S_IFCHR:
			e.Type, e.Rdev = "char", s.Rdev
		default:
			e.Type = "other"
		}
		out[rel] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, paths := range groups {
		sort.Strings(paths)
		for _, p := range paths {
			e := out[p]
			e.Links = paths[0]
			out[p] = e
		}
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, os.WriteFile(path, data, mode))
	must(t, os.Chmod(path, mode))
}

// sparseImage writes a big sparse file: size bytes, data at a few places.
func sparseImage(t *testing.T, path string, size int64, seed uint64) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	f, err := os.Create(path)
	must(t, err)
	defer f.Close()
	must(t, f.Truncate(size))
	for i, off := range []int64{0, size / 3, size - 100000} {
		_, err := f.WriteAt(testenv.RandomBytes(seed+uint64(i), 100000), off)
		must(t, err)
	}
}

// The source tree: every kind of thing rsync -aHx --delete handles.
func makeSource(t *testing.T, src string) {
	writeFile(t, filepath.Join(src, "a", "f1"), []byte("first file\n"), 0o640)
	writeFile(t, filepath.Join(src, "a", "f2"), []byte("second\n"), 0o600)
	sparseImage(t, filepath.Join(src, "a", "disk.img"), 8<<20, 10)
	must(t, os.MkdirAll(filepath.Join(src, "b"), 0o755))
	must(t, os.Link(filepath.Join(src, "a", "f1"), filepath.Join(src, "b", "f1-link")))
	must(t, os.Link(filepath.Join(src, "a", "disk.img"), filepath.Join(src, "b", "disk-link.img")))
	must(t, os.Symlink("/etc/hostname", filepath.Join(src, "a", "abs")))
	must(t, os.Symlink("f1", filepath.Join(src, "a", "rel")))
	must(t, os.Symlink("nonexistent", filepath.Join(src, "a", "dangling")))
	must(t, unix.Mkfifo(filepath.Join(src, "a", "fifo"), 0o620))
	must(t, unix.Mknod(filepath.Join(src, "a", "null-dev"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))
	must(t, os.MkdirAll(filepath.Join(src, "c", "empty"), 0o711))
	writeFile(t, filepath.Join(src, "x", "inside"), []byte("x is a directory now\n"), 0o644)
	writeFile(t, filepath.Join(src, "y"), []byte("y is a file now\n"), 0o644)
	sparseImage(t, filepath.Join(src, "z.img"), 4<<20, 20) // big where DST has a dir
	writeFile(t, filepath.Join(src, "we*ird [name]?"), []byte("rsync patterns in a name\n"), 0o644)
	sparseImage(t, filepath.Join(src, "big [1].img"), 2<<20, 30)
	must(t, os.Chown(filepath.Join(src, "a"), 1234, 5678))
	must(t, os.Lchown(filepath.Join(src, "a", "f2"), 4321, 8765))
	must(t, os.Chown(filepath.Join(src, "a", "disk.img"), 1111, 2222))
	must(t, os.Chmod(filepath.Join(src, "a"), 0o750))
	must(t, unix.Lsetxattr(filepath.Join(src, "a", "f2"), "user.kvmbackup", []byte("small"), 0))
	must(t, unix.Lsetxattr(filepath.Join(src, "a", "disk.img"), "user.kvmbackup", []byte("big"), 0))
	must(t, unix.Lsetxattr(filepath.Join(src, "c"), "user.dir", []byte("d"), 0))
	// Another file system inside: not entered (rsync -x).
	must(t, os.MkdirAll(filepath.Join(src, "mnt"), 0o755))
	if _, err := testenv.Local(t.Context(), "mount", "-t", "tmpfs", "tmpfs", filepath.Join(src, "mnt")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { testenv.Local(context.Background(), "umount", filepath.Join(src, "mnt")) })
	sparseImage(t, filepath.Join(src, "mnt", "other-fs.img"), 4<<20, 40)
	writeFile(t, filepath.Join(src, "mnt", "small"), []byte("on another fs\n"), 0o644)
	// A file of it bind-mounted into the tree: copied as a file (rsync's -x skips
	// directories of other file systems only).
	writeFile(t, filepath.Join(src, "bound"), nil, 0o600)
	if _, err := testenv.Local(t.Context(), "mount", "--bind", filepath.Join(src, "mnt", "small"), filepath.Join(src, "bound")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { testenv.Local(context.Background(), "umount", filepath.Join(src, "bound")) })
	// Fixed, distinct times everywhere (directories last, deepest first).
	var paths []string
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if strings.HasPrefix(p, filepath.Join(src, "mnt")+"/") {
			return nil
		}
		paths = append(paths, p)
		return nil
	})
	sort.Sort(sort.Reverse(sort.StringSlice(paths)))
	for i, p := range paths {
		ts := unix.NsecToTimespec(int64(1_700_000_000+i*3600)*1e9 + 123456789)
		unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW)
	}
}

// An older backup: things to delete, a file where the source has a directory and
// the other way round, a directory where the source has a big file, an older image.
func makeOldBackup(t *testing.T, dst string) {
	sparseImage(t, filepath.Join(dst, "a", "disk.img"), 8<<20, 11)
	writeFile(t, filepath.Join(dst, "a", "f1"), []byte("old first\n"), 0o644)
	writeFile(t, filepath.Join(dst, "old.txt"), []byte("deleted since\n"), 0o644)
	writeFile(t, filepath.Join(dst, "olddir", "deep", "file"), []byte("gone\n"), 0o644)
	sparseImage(t, filepath.Join(dst, "gone.img"), 2<<20, 12)
	writeFile(t, filepath.Join(dst, "x"), []byte("x was a file\n"), 0o644)
	writeFile(t, filepath.Join(dst, "y", "inside"), []byte("y was a directory\n"), 0o644)
	writeFile(t, filepath.Join(dst, "z.img", "inside"), []byte("z.img was a directory\n"), 0o644)
}

// SyncTree leaves exactly what rsync -aHx --delete leaves from the same start, and
// copies the big files in place, changed blocks only, keeping their holes.
func TestSyncTreeMatchesRsync(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src, ours, theirs := filepath.Join(base, "src"), filepath.Join(base, "ours"), filepath.Join(base, "rsync")
	makeSource(t, src)
	makeOldBackup(t, ours)
	makeOldBackup(t, theirs)
	var before unix.Stat_t
	must(t, unix.Stat(filepath.Join(ours, "a", "disk.img"), &before))

	st, err := SyncTree(t.Context(), src, ours, TreeOptions{BigFile: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tree sync: %+v", st)
	if _, err := testenv.Local(t.Context(), "rsync", "-aHx", "--delete", "--numeric-ids", src+"/", theirs+"/"); err != nil {
		t.Fatal(err)
	}
	got, want := snapshotTree(t, ours), snapshotTree(t, theirs)
	for p, w := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s: missing (rsync has %+v)", p, w)
		} else if g != w {
			t.Errorf("%s:\n  ours  %+v\n  rsync %+v", p, g, w)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: present, rsync deleted or never made it", p)
		}
	}
	if _, ok := got["mnt/other-fs.img"]; ok {
		t.Error("entered another file system")
	}
	// The big image was updated in place, changed blocks only, holes kept.
	var after unix.Stat_t
	must(t, unix.Stat(filepath.Join(ours, "a", "disk.img"), &after))
	if after.Ino != before.Ino {
		t.Error("the big image was replaced, not updated in place")
	}
	if st.BigFiles != 3 || st.BigWritten > 3*(100000+2*CompareBlock)+4<<20+2<<20 {
		t.Errorf("big files: %d copied, %d bytes written", st.BigFiles, st.BigWritten)
	}
	if after.Blocks*512 > 1<<20 {
		t.Errorf("the 8 MiB sparse image takes %d bytes: holes not kept", after.Blocks*512)
	}
	// Again: nothing changes, nothing big is written.
	st, err = SyncTree(t.Context(), src, ours, TreeOptions{BigFile: 1 << 20})
	if err != nil || st.BigWritten != 0 {
		t.Fatalf("second sync: %+v %v", st, err)
	}
	got = snapshotTree(t, ours)
	for p, w := range want {
		if got[p] != w {
			t.Errorf("after a second sync, %s: %+v, want %+v", p, got[p], w)
		}
	}
}

func TestSyncTreeBadInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct{ src, dst, want string }{
		{filepath.Join(dir, "nope"), filepath.Join(dir, "d"), "nope"},
		{file, filepath.Join(dir, "d"), "not a directory"},
		{dir, filepath.Join(dir, "inside"), "inside the source"},
		{dir, dir, "inside the source"},
	} {
		if _, err := SyncTree(t.Context(), tc.src, tc.dst, TreeOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SyncTree(%s, %s): %v, want an error naming %q", tc.src, tc.dst, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "d")); err == nil {
		t.Error("a refused sync created its destination")
	}
	// Inside the source, but in a skipped path (the target's mount point): copied,
	// and never into itself.
	os.MkdirAll(filepath.Join(dir, "pool", "vms"), 0o755)
	os.WriteFile(filepath.Join(dir, "pool", "old-backup"), []byte("x"), 0o644)
	dst := filepath.Join(dir, "pool", "vms", "_paths", "root")
	if _, err := SyncTree(t.Context(), dir, dst, TreeOptions{Skip: []string{filepath.Join(dir, "pool")}}); err != nil {
		t.Fatalf("a destination in a skipped path: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "f")); err != nil || len(b) != 0 {
		t.Errorf("the tree was not copied: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "pool")); !os.IsNotExist(err) {
		t.Errorf("the skipped path was copied into itself: %v", err)
	}
	if _, err := SyncTree(t.Context(), dir, filepath.Join(dir, "other"), TreeOptions{Skip: []string{dir}}); err == nil {
		t.Error("a Skip of the source itself let a destination inside it through")
	}
}

// CheckDest is shown the destination directory SyncTree opened, before anything is
// written: refused, nothing is written (a dataset remounted elsewhere leaves the
// directory it was mounted on, which is not to be written); a destination that does
// not exist is not made.
func TestSyncTreeCheckDest(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	os.MkdirAll(filepath.Join(src, "d"), 0o755)
	os.WriteFile(filepath.Join(src, "d", "f"), []byte("x"), 0o644)
	os.Mkdir(dst, 0o755)
	var want unix.Stat_t
	if err := unix.Stat(dst, &want); err != nil {
		t.Fatal(err)
	}
	var shown []*unix.Stat_t
	refuse := errors.New("not the dataset's mount")
	_, err := SyncTree(t.Context(), src, dst, TreeOptions{CheckDest: func(d *unix.Stat_t) error {
		shown = append(shown, d)
		return refuse
	}})
	if !errors.Is(err, refuse) || !strings.Contains(err.Error(), dst) {
		t.Fatalf("a refused destination: %v", err)
	}
	if len(shown) != 1 || shown[0].Dev != want.Dev || shown[0].Ino != want.Ino {
		t.Fatalf("CheckDest shown %+v, want dst's own stat once", shown)
	}
	if names, _ := os.ReadDir(dst); len(names) != 0 {
		t.Fatalf("a refused destination was written: %v", names)
	}
	if _, err := SyncTree(t.Context(), src, filepath.Join(dir, "gone"), TreeOptions{CheckDest: func(*unix.Stat_t) error { return nil }}); err == nil {
		t.Fatal("a missing destination with CheckDest: no error")
	}
	if _, err := os.Stat(filepath.Join(dir, "gone")); !os.IsNotExist(err) {
		t.Fatalf("a missing destination with CheckDest was made: %v", err)
	}
	if _, err := SyncTree(t.Context(), src, dst, TreeOptions{CheckDest: func(*unix.Stat_t) error { return nil }}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "d", "f")); err != nil || string(b) != "x" {
		t.Fatalf("an accepted destination: %q %v", b, err)
	}
}

// With Exclude and Xattrs, SyncTree leaves what rsync -aHxX --delete --delete-excluded
// leaves with the same excludes: excluded files (big ones too) neither copied nor
// kept from an older copy, extended attributes of small and big files copied.
func TestSyncTreeExcludesAndXattrs(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src, ours, theirs := filepath.Join(base, "src"), filepath.Join(base, "ours"), filepath.Join(base, "rsync")
	makeSource(t, src)
	makeOldBackup(t, ours)
	makeOldBackup(t, theirs)
	writeFile(t, filepath.Join(ours, "c", "empty", "kept-before"), []byte("excluded since\n"), 0o644)
	writeFile(t, filepath.Join(theirs, "c", "empty", "kept-before"), []byte("excluded since\n"), 0o644)
	must(t, unix.Lsetxattr(filepath.Join(ours, "a", "disk.img"), "user.stale", []byte("x"), 0))
	excl := []string{"/c/empty", "fifo", "*.txt", "/z.img", "/a/f1"}
	st, err := SyncTree(t.Context(), src, ours, TreeOptions{BigFile: 1 << 20, Exclude: excl, Xattrs: true,
		Skip: []string{filepath.Join(src, "b", "disk-link.img")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tree sync: %+v", st)
	args := []string{"-aHxX", "--delete", "--delete-excluded", "--numeric-ids"}
	for _, e := range append(excl, "/b/disk-link.img") {
		args = append(args, "--exclude="+e)
	}
	if _, err := testenv.Local(t.Context(), append(append([]string{"rsync"}, args...), src+"/", theirs+"/")...); err != nil {
		t.Fatal(err)
	}
	got, want := snapshotTree(t, ours), snapshotTree(t, theirs)
	for p, w := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s: missing (rsync has %+v)", p, w)
		} else if g != w {
			t.Errorf("%s:\n  ours  %+v\n  rsync %+v", p, g, w)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: present, rsync excluded, deleted or never made it", p)
		}
	}
	for _, p := range []string{"c/empty", "a/fifo", "z.img", "a/f1", "b/disk-link.img"} {
		if _, ok := got[p]; ok {
			t.Errorf("%s: copied, yet excluded", p)
		}
	}
	if got["a/disk.img"].Xattrs != "user.kvmbackup=big" || got["a/f2"].Xattrs != "user.kvmbackup=small" || got["c"].Xattrs != "user.dir=d" {
		t.Errorf("xattrs: disk.img %q, f2 %q, c %q", got["a/disk.img"].Xattrs, got["a/f2"].Xattrs, got["c"].Xattrs)
	}
	if st.SmallWritten == 0 || st.Transferred == 0 {
		t.Errorf("no bytes or files counted as written: %+v", st)
	}
	// Again: nothing written.
	if st, err = SyncTree(t.Context(), src, ours, TreeOptions{BigFile: 1 << 20, Exclude: excl, Xattrs: true,
		Skip: []string{filepath.Join(src, "b", "disk-link.img")}}); err != nil || st.SmallWritten != 0 || st.BigWritten != 0 || st.Transferred != 0 {
		t.Errorf("second sync wrote: %+v %v", st, err)
	}
	for _, g := range []string{"", "/", "a/", "[x"} {
		if err := CheckExclude(g); err == nil {
			t.Errorf("CheckExclude(%q) accepted", g)
		}
	}
}

// Only copies what its globs match, with the directories leading to it.
func TestSyncTreeOnly(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	makeSource(t, src)
	st, err := SyncTree(t.Context(), src, dst, TreeOptions{BigFile: 1 << 20, Only: []string{"/a/f?", "c"}, Xattrs: true})
	if err != nil {
		t.Fatal(err)
	}
	got, want := snapshotTree(t, dst), snapshotTree(t, src)
	var names []string
	for p := range got {
		names = append(names, p)
	}
	sort.Strings(names)
	if strings.Join(names, " ") != ". a a/f1 a/f2 c c/empty" {
		t.Errorf("copied %v, want a/f1, a/f2 and c (with a and c/empty)", names)
	}
	for _, p := range []string{"a", "a/f2", "c", "c/empty"} {
		if got[p] != want[p] {
			t.Errorf("%s:\n  copy   %+v\n  source %+v", p, got[p], want[p])
		}
	}
	if st.BigFiles != 0 {
		t.Errorf("big files copied: %+v", st)
	}
	if _, err := SyncTree(t.Context(), src, filepath.Join(base, "none"), TreeOptions{Only: []string{"/nosuch/*"}}); !errors.Is(err, ErrNothingMatched) {
		t.Errorf("an Only matching nothing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(base, "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an Only matching nothing made its destination: %v", err)
	}
}

// pathXattrs reads path's extended attributes (a symlink's own), but the ACLs'.
func pathXattrs(p string) (map[string][]byte, error) {
	out := map[string][]byte{}
	sz, err := unix.Llistxattr(p, nil)
	if err != nil || sz == 0 {
		return out, err
	}
	buf := make([]byte, sz)
	if sz, err = unix.Llistxattr(p, buf); err != nil {
		return nil, err
	}
	for _, k := range strings.Split(strings.TrimRight(string(buf[:sz]), "\x00"), "\x00") {
		if k == "" || strings.HasPrefix(k, "system.") {
			continue
		}
		v := make([]byte, 256)
		n, err := unix.Lgetxattr(p, k, v)
		if err != nil {
			return nil, err
		}
		out[k] = v[:n]
	}
	return out, nil
}

// Two names hard-linked at an earlier night, no longer in the source (an editor
// saved one as a new file): the changed one is not written into the inode the
// other's copy still has (rsync --inplace would: a's backup would hold b's data).
func TestSyncTreeBreaksHardLinksTheSourceBroke(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	writeFile(t, filepath.Join(src, "a"), []byte("the same content\n"), 0o644)
	must(t, os.Link(filepath.Join(src, "a"), filepath.Join(src, "b")))
	sparseImage(t, filepath.Join(src, "big-a"), 2<<20, 3) // big files (Copy's path) too
	must(t, os.Link(filepath.Join(src, "big-a"), filepath.Join(src, "big-b")))
	opts := TreeOptions{Xattrs: true, BigFile: 1 << 20}
	if _, err := SyncTree(t.Context(), src, dst, opts); err != nil {
		t.Fatal(err)
	}
	must(t, os.Remove(filepath.Join(src, "b")))
	writeFile(t, filepath.Join(src, "b"), []byte("b's new content, saved as a new file\n"), 0o640)
	must(t, os.Remove(filepath.Join(src, "big-b")))
	sparseImage(t, filepath.Join(src, "big-b"), 2<<20, 4)
	if _, err := SyncTree(t.Context(), src, dst, opts); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "big-a", "big-b"} {
		want, _ := os.ReadFile(filepath.Join(src, n))
		got, err := os.ReadFile(filepath.Join(dst, n))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s's copy holds %q (%v), want %q", n, got, err, want)
		}
	}
	if fi, err := os.Stat(filepath.Join(dst, "a")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("a's copy: %v %v, want mode 0644", fi.Mode(), err)
	}
}

// A copy that is one block (a file within its st_blksize: on ZFS, a file smaller
// than its recordsize) and whose size changes is written anew without being read:
// that one block is replaced whatever differs. What it held is gone, zeros where
// it had data included (a hole, as in a new file). A copy of several blocks, or of
// the same size (maybe the same bytes), is still compared block by block.
func TestSyncTreeOneBlockCopyRewrittenUnread(t *testing.T) {
	base := t.TempDir()
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	var st unix.Stat_t
	must(t, os.MkdirAll(src, 0o755))
	must(t, unix.Stat(src, &st))
	blk := int(st.Blksize)
	fill := func(n int, b byte) []byte { return []byte(strings.Repeat(string(b), n)) }
	writeFile(t, filepath.Join(src, "one"), fill(blk-100, 'x'), 0o644)     // one block, shrinks
	writeFile(t, filepath.Join(src, "grows"), fill(blk/2, 'y'), 0o644)     // one block, grows past it
	writeFile(t, filepath.Join(src, "several"), fill(3*blk, 'z'), 0o644)   // several blocks
	writeFile(t, filepath.Join(src, "same-size"), fill(blk/4, 'w'), 0o644) // one block, same size
	if _, err := SyncTree(t.Context(), src, dst, TreeOptions{}); err != nil {
		t.Fatal(err)
	}
	// The new sources: the first half of one's block zeros, where its copy has x's.
	writeFile(t, filepath.Join(src, "one"), append(make([]byte, blk/2), fill(blk/4, 'x')...), 0o644)
	writeFile(t, filepath.Join(src, "grows"), fill(2*blk, 'y'), 0o644)
	writeFile(t, filepath.Join(src, "several"), append(fill(2*blk, 'z'), fill(blk/2, 'Z')...), 0o644)
	writeFile(t, filepath.Join(src, "same-size"), fill(blk/4, 'W'), 0o644)
	future := time.Now().Add(time.Hour)
	for _, n := range []string{"one", "grows", "several", "same-size"} {
		must(t, os.Chtimes(filepath.Join(src, n), future, future))
	}
	unread := map[string]bool{}
	testHook = func(step, rel string) {
		if step == stepOneBlock {
			unread[rel] = true
		}
	}
	t.Cleanup(func() { testHook = nil })
	if _, err := SyncTree(t.Context(), src, dst, TreeOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"one", "grows", "several", "same-size"} {
		want, _ := os.ReadFile(filepath.Join(src, n))
		got, err := os.ReadFile(filepath.Join(dst, n))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s's copy (%d bytes, %v) is not the source (%d bytes)", n, len(got), err, len(want))
		}
		if want := n == "one" || n == "grows"; unread[n] != want {
			t.Errorf("%s: written unread %v, want %v", n, unread[n], want)
		}
	}
}
