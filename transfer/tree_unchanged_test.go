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
	first, err := SyncTree(t.Context(), src, dst, opts)
	if err != nil || first.Mark == "" || first.Trusted {
		t.Fatalf("first copy: %+v %v", first, err)
	}
	sameTrees(t, "first copy", src, dst)

	// Unchanged since: everything is taken as copied, nothing in dst is read.
	opts.Unchanged, opts.Mark = at, first.Mark
	st, err := SyncTree(t.Context(), src, dst, opts)
	if err != nil || !st.Trusted || st.Mark == "" {
		t.Fatalf("an unchanged tree: %+v %v", st, err)
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
	// c's did not); and c/d/e/kept: c/d/e was chowned (its ctime moved), but its
	// parent's names did not change, so it is where it was. Not y/keep: y got a
	// name, and so did the root: y may have been renamed there, and what is below it
	// is compared.
	if st.Unchanged != 5 {
		t.Errorf("after the changes: %d entries taken as copied, want 5: c, c/d, c/d/other, c/fifo, c/d/e/kept (%+v)", st.Unchanged, st)
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

// The mark names the tree and how it is copied: a sync trusts the copy only when
// its own mark names the same. Each case is an attack on a trust without it: another
// directory behind the same path (a symlink on the way, led elsewhere), a file
// system mounted in the tree since, or during the copy (a copy that saw it is not
// what the mark says), other options, the clock set back.
func TestSyncTreeMarkNamesTheTree(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	for p, c := range map[string]string{"A/d/f": "A's\n", "B/d/f": "B's, longer\n"} {
		writeFile(t, filepath.Join(base, p), []byte(c), 0o644)
	}
	must(t, os.MkdirAll(filepath.Join(base, "A/m"), 0o755))
	old := time.Unix(1_700_000_000, 0)
	for _, p := range []string{"A/d/f", "B/d/f", "A/d", "B/d", "A/m"} {
		must(t, os.Chtimes(filepath.Join(base, p), old, old))
	}
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	must(t, os.Symlink("A", src))
	time.Sleep(1100 * time.Millisecond)
	copyNow := func(what string, o TreeOptions) TreeStats {
		t.Helper()
		at := time.Now()
		st, err := SyncTree(t.Context(), src, dst, o)
		if err != nil || st.Mark == "" {
			t.Fatalf("%s: %+v %v", what, st, err)
		}
		sameTrees(t, what, filepath.Join(base, "A"), dst)
		time.Sleep(1100 * time.Millisecond)
		o.Unchanged, o.Mark = at, st.Mark
		if again, err := SyncTree(t.Context(), src, dst, o); err != nil || !again.Trusted {
			t.Fatalf("%s, then again, nothing changed: not trusted: %+v %v", what, again, err)
		}
		return st
	}
	trusted := func(what string, o TreeOptions, prev TreeStats, at time.Time) TreeStats {
		t.Helper()
		o.Unchanged, o.Mark = at, prev.Mark
		st, err := SyncTree(t.Context(), src, dst, o)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if st.Trusted {
			t.Errorf("%s: the last copy was trusted (%d entries taken as copied)", what, st.Unchanged)
		}
		return st
	}
	opts := TreeOptions{Xattrs: true}

	// Another directory behind the path: A and B swap names.
	at := time.Now()
	prev := copyNow("the symlink's directory", opts)
	must(t, os.Rename(filepath.Join(base, "A"), filepath.Join(base, "C")))
	must(t, os.Rename(filepath.Join(base, "B"), filepath.Join(base, "A")))
	must(t, os.Rename(filepath.Join(base, "C"), filepath.Join(base, "B")))
	trusted("another directory behind the symlink", opts, prev, at)
	sameTrees(t, "another directory behind the symlink", filepath.Join(base, "A"), dst)

	// A file system mounted in the tree since.
	must(t, os.MkdirAll(filepath.Join(base, "A/m"), 0o755))
	at = time.Now()
	prev = copyNow("before the mount", opts)
	if _, err := testenv.Local(t.Context(), "mount", "-t", "tmpfs", "tmpfs", filepath.Join(base, "A/m")); err != nil {
		t.Fatal(err)
	}
	trusted("a mount since", opts, prev, at)
	if _, err := testenv.Local(t.Context(), "umount", filepath.Join(base, "A/m")); err != nil {
		t.Fatal(err)
	}

	// Mounted while the copy runs: the copy has no mark.
	testHook = func(step, rel string) {
		if step == stepWalk && rel == "d" {
			testenv.Local(t.Context(), "mount", "-t", "tmpfs", "tmpfs", filepath.Join(base, "A/m"))
		}
	}
	st, err := SyncTree(t.Context(), src, dst, opts)
	testHook = nil
	testenv.Local(t.Context(), "umount", filepath.Join(base, "A/m"))
	if err != nil || st.Mark != "" {
		t.Errorf("a mount made while the copy ran: mark %q %v", st.Mark, err)
	}

	// Other options; the clock set back since.
	at = time.Now()
	prev = copyNow("before other options", opts)
	trusted("an exclude", TreeOptions{Xattrs: true, Exclude: []string{"*.iso"}}, prev, at)
	trusted("without xattrs", TreeOptions{}, prev, at)
	trusted("a big file size", TreeOptions{Xattrs: true, BigFile: 1 << 20}, prev, at)
	was := clockOffset
	clockOffset = func() int64 { return was() - 2e9 }
	t.Cleanup(func() { clockOffset = was })
	trusted("the clock set back 2 s", opts, prev, at)
}

// A directory whose own ctime moved (a name added, removed, its mode changed) but
// whose parent's names did not is where it was: what has not changed in it is taken
// as copied. The attack on that trust is a swap of two such directories after their
// parent was listed by the walk (its stat then still old) and before its names are
// read: the parent's ctime must be read again after its names, or b's old files would
// be taken as a's copies.
func TestSyncTreeUnchangedParentNamesUnchanged(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	files := map[string]string{"p/a/f": "a's f\n", "p/a/g": "a's g\n", "p/b/f": "b's f, not a's\n", "p/b/g": "b's g\n"}
	for p, c := range files {
		writeFile(t, filepath.Join(src, p), []byte(c), 0o644)
	}
	for i, p := range []string{"p/a/f", "p/a/g", "p/b/f", "p/b/g"} { // distinct times: the quick check tells them apart
		old := time.Unix(int64(1_700_000_000+i*3600), 0)
		must(t, os.Chtimes(filepath.Join(src, p), old, old))
	}
	time.Sleep(1100 * time.Millisecond)
	opts := TreeOptions{Xattrs: true}
	// A copy, then change, then the copy again trusting the first.
	again := func(what string, change func()) TreeStats {
		t.Helper()
		at := time.Now()
		first, err := SyncTree(t.Context(), src, dst, opts)
		if err != nil || first.Mark == "" {
			t.Fatalf("%s: the copy before: %+v %v", what, first, err)
		}
		time.Sleep(1100 * time.Millisecond)
		change()
		o := opts
		o.Unchanged, o.Mark = at, first.Mark
		st, err := SyncTree(t.Context(), src, dst, o)
		if err != nil || !st.Trusted {
			t.Fatalf("%s: %+v %v", what, st, err)
		}
		sameTrees(t, what, src, dst)
		return st
	}

	// A name added in p/a: p/a's ctime moved, p's did not. p, p/a/f, p/a/g, p/b,
	// p/b/f and p/b/g are taken as copied; p/a/new is copied, p/a's times set.
	st := again("a name added", func() { writeFile(t, filepath.Join(src, "p/a/new"), []byte("new\n"), 0o644) })
	if st.Unchanged != 6 {
		t.Errorf("a name added in p/a: %d entries taken as copied, want 6: p, p/a/f, p/a/g, p/b, p/b/f, p/b/g (%+v)", st.Unchanged, st)
	}

	// The swap, as the walk is about to open and read p.
	swapped := false
	t.Cleanup(func() { testHook = nil })
	st = again("two directories swapped as the walk reached their parent", func() {
		testHook = func(step, rel string) {
			if step == stepWalk && rel == "p" && !swapped {
				swapped = true
				must(t, os.Rename(filepath.Join(src, "p/a"), filepath.Join(src, "p/tmp")))
				must(t, os.Rename(filepath.Join(src, "p/b"), filepath.Join(src, "p/a")))
				must(t, os.Rename(filepath.Join(src, "p/tmp"), filepath.Join(src, "p/b")))
			}
		}
	})
	testHook = nil
	if !swapped {
		t.Fatal("the swap was not made")
	}
	if st.Unchanged != 0 {
		t.Errorf("after the swap: %d entries taken as copied, want 0 (%+v)", st.Unchanged, st)
	}
}
