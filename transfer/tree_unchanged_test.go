package transfer

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// sameTrees fails for every difference between src and its copy dst (but the roots'
// times; times to the second, as rsync compares them: a copy's time is left as it is
// within its source's second).
func sameTrees(t *testing.T, what, src, dst string) {
	t.Helper()
	want, got := snapshotTree(t, src), snapshotTree(t, dst)
	for _, m := range []map[string]entry{want, got} {
		for p, e := range m {
			e.Mtime /= 1e9
			m[p] = e
		}
	}
	for p, w := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s: %q missing in the copy (source: %+v)", what, p, w)
		} else if g != w {
			t.Errorf("%s: %q:\n  copy   %+v\n  source %+v", what, p, g, w)
		}
	}
	for p, g := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: %q in the copy (%+v), not in the source", what, p, g)
		}
	}
}

// With TreeOptions.Unchanged, the copy is still exactly the source after every kind
// of change made since: a change moves the ctime of what it changes, and of the
// directory a name is added to or removed from. The attack on a directory-level
// trust: two directories swap names (each keeps its old files, whose ctimes did not
// move), so that a/f's copy would be b/f's old content if a directory whose own
// ctime moved were taken as its copy.
func TestSyncTreeUnchangedTrustsOnlyWhatDidNotChange(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	files := map[string]string{
		"a/f": "a's f\n", "a/g": "a's g\n", "b/f": "b's f, not a's\n", "b/g": "b's g\n",
		"c/d/e/deep": "deep\n", "c/d/e/kept": "kept\n", "c/d/other": "other\n",
		"top": "top\n", "x/moved": "moved\n", "y/keep": "y\n", "xa": "xattrs\n",
	}
	for p, c := range files {
		writeFile(t, filepath.Join(src, p), []byte(c), 0o644)
	}
	must(t, os.Symlink("top", filepath.Join(src, "link")))
	must(t, unix.Mkfifo(filepath.Join(src, "c", "fifo"), 0o600))
	var paths []string // distinct times: rsync's quick check tells every file apart
	must(t, filepath.WalkDir(src, func(p string, _ fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	}))
	sort.Sort(sort.Reverse(sort.StringSlice(paths)))
	for i, p := range paths {
		ts := unix.NsecToTimespec(int64(1_700_000_000+i*3600) * 1e9)
		must(t, unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW))
	}
	// The copy was made at T: what the source held had a ctime a second before.
	time.Sleep(1100 * time.Millisecond)
	at := time.Now()
	opts := TreeOptions{Xattrs: true}
	if _, err := SyncTree(t.Context(), src, dst, opts); err != nil {
		t.Fatal(err)
	}
	sameTrees(t, "first copy", src, dst)

	// Unchanged since: everything is taken as copied, nothing in dst is read.
	opts.Unchanged = at
	st, err := SyncTree(t.Context(), src, dst, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := 11 + 2 + 7; st.Unchanged != want { // files, link and fifo, directories below the root
		t.Errorf("an unchanged tree: %d entries taken as copied, want %d (%+v)", st.Unchanged, want, st)
	}

	// Every kind of change since T.
	must(t, os.Rename(filepath.Join(src, "a"), filepath.Join(src, "tmp")))
	must(t, os.Rename(filepath.Join(src, "b"), filepath.Join(src, "a")))
	must(t, os.Rename(filepath.Join(src, "tmp"), filepath.Join(src, "b")))
	must(t, os.WriteFile(filepath.Join(src, "c/d/e/deep"), []byte("DEEPER\n"), 0o644))
	must(t, os.Chmod(filepath.Join(src, "top"), 0o600))
	must(t, os.Rename(filepath.Join(src, "x/moved"), filepath.Join(src, "y/moved")))
	must(t, os.Remove(filepath.Join(src, "link")))
	must(t, os.Symlink("c/d/other", filepath.Join(src, "link")))
	must(t, unix.Lsetxattr(filepath.Join(src, "xa"), "user.new", []byte("v"), 0))
	must(t, os.Chown(filepath.Join(src, "c/d/e"), 4321, 4321))
	st, err = SyncTree(t.Context(), src, dst, opts)
	if err != nil {
		t.Fatal(err)
	}
	sameTrees(t, "after the changes", src, dst)
	// Still taken as copied: c, c/d, c/d/other, c/fifo (the root's names changed,
	// c's did not). Not y/keep: y got a name, and a directory whose ctime moved may
	// have been renamed: what is below it is compared.
	if st.Unchanged != 4 {
		t.Errorf("after the changes: %d entries taken as copied, want 4: c, c/d, c/d/other, c/fifo (%+v)", st.Unchanged, st)
	}

	// A time after the clock (set back since): nothing is taken as copied, and a
	// copy changed behind the sync's back is mended.
	must(t, os.WriteFile(filepath.Join(dst, "c/d/other"), []byte("tampered\n"), 0o644))
	opts.Unchanged = time.Now().Add(time.Hour)
	st, err = SyncTree(t.Context(), src, dst, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unchanged != 0 {
		t.Errorf("Unchanged after the clock: %d entries taken as copied", st.Unchanged)
	}
	sameTrees(t, "Unchanged after the clock", src, dst)
}

// TreeMark changes with what shapes the copy beyond the inodes' content: the
// source, the options, a mount below the source.
func TestTreeMark(t *testing.T) {
	testenv.Require(t, testenv.Root)
	src := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(src, "mnt"), 0o755))
	mark := func(src string, o TreeOptions) string {
		t.Helper()
		m, err := TreeMark(src, o)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	base := mark(src, TreeOptions{Xattrs: true})
	if again := mark(src+"/", TreeOptions{Xattrs: true, BigFile: 64 << 20}); again != base {
		t.Errorf("the same sync: marks %s and %s", base, again)
	}
	for what, m := range map[string]string{
		"another source":  mark(filepath.Join(src, "mnt"), TreeOptions{Xattrs: true}),
		"without xattrs":  mark(src, TreeOptions{}),
		"an exclude":      mark(src, TreeOptions{Xattrs: true, Exclude: []string{"*.iso"}}),
		"a skip":          mark(src, TreeOptions{Xattrs: true, Skip: []string{"/backup"}}),
		"a big-file size": mark(src, TreeOptions{Xattrs: true, BigFile: 1 << 20}),
		"an only":         mark(src, TreeOptions{Xattrs: true, Only: []string{"etc"}}),
	} {
		if m == base {
			t.Errorf("%s: the same mark %s", what, m)
		}
	}
	if _, err := testenv.Local(t.Context(), "mount", "-t", "tmpfs", "tmpfs", filepath.Join(src, "mnt")); err != nil {
		t.Fatal(err)
	}
	mounted := mark(src, TreeOptions{Xattrs: true})
	if _, err := testenv.Local(t.Context(), "umount", filepath.Join(src, "mnt")); err != nil {
		t.Fatal(err)
	}
	if mounted == base {
		t.Errorf("a file system mounted below the source: the same mark %s", mounted)
	}
	if m := mark(src, TreeOptions{Xattrs: true}); m != base {
		t.Errorf("unmounted again: mark %s, was %s", m, base)
	}
}
