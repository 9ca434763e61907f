package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// The user who owns the live tree's directory a, and who attacks.
const hostileUID, hostileGID = 1234, 5678

// hostileTrees builds a live tree src that a user can write in (their directory a with
// a big image, hard-linked as b/link.img, a second image and an excluded cache), an
// older copy dst, and outside/d: root's files that the attack aims at (a 0600 secret
// named like the image, a file named like the link, a directory named like the second
// image, a cache directory), none of which SyncTree may ever touch or copy.
func hostileTrees(t *testing.T) (src, dst, outside string) {
	t.Helper()
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src, dst, outside = filepath.Join(base, "src"), filepath.Join(base, "dst"), filepath.Join(base, "outside", "d")
	sparseImage(t, filepath.Join(src, "a", "big.img"), 2<<20, 1)
	sparseImage(t, filepath.Join(src, "a", "vm.img"), 2<<20, 2)
	writeFile(t, filepath.Join(src, "a", "small"), []byte("small file\n"), 0o644)
	writeFile(t, filepath.Join(src, "a", "cache", "x"), []byte("cache\n"), 0o644)
	must(t, os.MkdirAll(filepath.Join(src, "b"), 0o755))
	must(t, os.Link(filepath.Join(src, "a", "big.img"), filepath.Join(src, "b", "link.img")))
	must(t, unix.Lsetxattr(filepath.Join(src, "a", "big.img"), "user.k", []byte("v"), 0))
	for _, p := range []string{"a", "a/big.img", "a/vm.img", "a/small", "a/cache", "a/cache/x", "b"} {
		must(t, os.Lchown(filepath.Join(src, p), hostileUID, hostileGID))
	}
	sparseImage(t, filepath.Join(dst, "a", "big.img"), 2<<20, 3) // an older backup
	writeFile(t, filepath.Join(dst, "a", "cache", "old"), []byte("excluded since\n"), 0o644)

	writeFile(t, filepath.Join(outside, "big.img"), bytes.Repeat([]byte("SECRET! "), 2<<17), 0o600)
	must(t, unix.Lsetxattr(filepath.Join(outside, "big.img"), "user.victim", []byte("1"), 0))
	writeFile(t, filepath.Join(outside, "link.img"), []byte("root's file\n"), 0o600)
	writeFile(t, filepath.Join(outside, "vm.img", "inside"), []byte("root's directory\n"), 0o600)
	writeFile(t, filepath.Join(outside, "cache", "keep"), []byte("root's cache\n"), 0o600)
	writeFile(t, filepath.Join(outside, "root-only", "cache", "keep"), []byte("root's other cache\n"), 0o600)
	old := unix.NsecToTimespec(1_600_000_000e9)
	for _, p := range []string{"big.img", "link.img", "vm.img/inside", "vm.img", "cache/keep", "cache", "root-only/cache/keep", "root-only/cache", "root-only", "."} {
		must(t, unix.UtimesNanoAt(unix.AT_FDCWD, filepath.Join(outside, p), []unix.Timespec{old, old}, unix.AT_SYMLINK_NOFOLLOW))
	}
	return src, dst, outside
}

// swapForSymlink replaces the directory root/rel by a symlink to target, as the user
// who owns it (or, in dst, the owner the copy gave it) can.
func swapForSymlink(t *testing.T, root, rel, target string) {
	t.Helper()
	must(t, os.RemoveAll(filepath.Join(root, rel)))
	must(t, os.Symlink(target, filepath.Join(root, rel)))
}

// hostileSync runs SyncTree with swap called once, at the first call of step (about
// at, when not "").
func hostileSync(t *testing.T, src, dst, step, at string, swap func()) TreeStats {
	t.Helper()
	done := false
	testHook = func(s, rel string) {
		if s == step && (at == "" || rel == at) && !done {
			done = true
			swap()
		}
	}
	t.Cleanup(func() { testHook = nil })
	st, err := SyncTree(t.Context(), src, dst, TreeOptions{BigFile: 1 << 20, Xattrs: true, Exclude: []string{"cache"}})
	if !done {
		t.Fatalf("step %s never reached", step)
	}
	if err != nil {
		t.Fatalf("the entry failed (a swapped path must be skipped and counted, not fail it): %v", err)
	}
	t.Logf("tree sync: %+v", st)
	return st
}

// checkUntouched fails when anything in outside differs from before (written,
// removed, chowned, chmodded, re-timed, xattrs changed), when a file of outside was
// copied into dst, or when no changed path was counted.
func checkUntouched(t *testing.T, outside string, before map[string]entry, dst string, st TreeStats) {
	t.Helper()
	after := snapshotTree(t, filepath.Dir(outside))
	for p, b := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("outside %s: removed", p)
		} else if a != b {
			t.Errorf("outside %s changed:\n  before %+v\n  after  %+v", p, b, a)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("outside %s: created", p)
		}
	}
	for p, e := range snapshotTree(t, dst) {
		for q, o := range before {
			if e.Type == "file" && o.Type == "file" && e.Sum == o.Sum && e.Size == o.Size {
				t.Errorf("dst %s is a copy of root's file outside %s (owner %d)", p, q, e.UID)
			}
		}
	}
	if st.Changed == 0 {
		t.Errorf("no swapped path counted (Changed = 0)")
	}
}

// A user swaps a directory of the live tree (src), or one of dst that the copy gave
// them, after the walk of both trees, before the big files: nothing outside is written, removed or chowned, no root file
// outside is copied in, the entry succeeds with the swapped path counted.
func TestHostileSymlinkSwapDuringLiveTree(t *testing.T) {
	for _, tc := range []struct {
		name     string
		src, dst bool
	}{{"src", true, false}, {"dst", false, true}, {"both", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst, outside := hostileTrees(t)
			before := snapshotTree(t, filepath.Dir(outside))
			st := hostileSync(t, src, dst, stepTreeDone, "", func() {
				if tc.src {
					swapForSymlink(t, src, "a", outside)
				}
				if tc.dst {
					swapForSymlink(t, dst, "a", outside)
				}
			})
			checkUntouched(t, outside, before, dst, st)
		})
	}
}

// One test per step after the walk that resolves a path: the swap lands right
// before that step.

// swapBefore syncs a fresh hostile tree, swapping the directory dir of the source
// ("src") or of the copy ("dst") for a symlink to a directory outside right before
// step, and checks nothing outside changed. It returns the copy.
func swapBefore(t *testing.T, step, root, dir string) string {
	t.Helper()
	src, dst, outside := hostileTrees(t)
	before := snapshotTree(t, filepath.Dir(outside))
	st := hostileSync(t, src, dst, step, "", func() {
		swapForSymlink(t, map[string]string{"src": src, "dst": dst}[root], dir, outside)
	})
	checkUntouched(t, outside, before, dst, st)
	return dst
}

func TestHostileSymlinkSwapExcludedRemoval(t *testing.T) { swapBefore(t, stepExcluded, "dst", "a") }

func TestHostileSymlinkSwapBigFileCopy(t *testing.T) {
	for _, root := range []string{"src", "dst"} {
		t.Run(root, func(t *testing.T) { swapBefore(t, stepCopy, root, "a") })
	}
}

func TestHostileSymlinkSwapSetMeta(t *testing.T) { swapBefore(t, stepMeta, "dst", "a") }

func TestHostileSymlinkSwapXattrs(t *testing.T) {
	for _, root := range []string{"src", "dst"} {
		t.Run(root, func(t *testing.T) {
			dst := swapBefore(t, stepXattrs, root, "a")
			var v [16]byte
			if n, err := unix.Lgetxattr(filepath.Join(dst, "a", "big.img"), "user.victim", v[:]); root == "src" && err == nil {
				t.Errorf("dst a/big.img has the xattr of root's file outside: user.victim=%q", v[:n])
			}
		})
	}
}

func TestHostileSymlinkSwapHardLink(t *testing.T) { swapBefore(t, stepLink, "dst", "b") }

func TestHostileSymlinkSwapDirTimes(t *testing.T) { swapBefore(t, stepDirTimes, "dst", "a") }

// The walk reads the live tree while its user swaps a directory for a symlink: it
// never lists, stats or enters what the symlink names, and later steps do not act on
// names it could have found there.
func TestHostileSymlinkSwapDuringWalk(t *testing.T) {
	src, dst, outside := hostileTrees(t)
	before := snapshotTree(t, filepath.Dir(outside))
	st := hostileSync(t, src, dst, stepWalk, "a", func() { swapForSymlink(t, src, "a", outside) })
	checkUntouched(t, outside, before, dst, st)
	for _, p := range st.Excluded {
		if strings.HasPrefix(p, "a/root-only") {
			t.Errorf("the walk entered the symlink: it lists %s (outside/d/root-only) as excluded", p)
		}
	}
}

// The user swaps a directory the walk listed (a big file and an excluded one in it)
// for a symlink before it is synced: it is not entered, the old copy of the
// directory in dst stays (as a vanished file's), nothing outside is touched, the
// entry succeeds with the swap counted.
func TestHostileSymlinkSwapBeforeEntry(t *testing.T) {
	src, dst, outside := hostileTrees(t)
	before := snapshotTree(t, filepath.Dir(outside))
	st := hostileSync(t, src, dst, stepEntry, "a", func() { swapForSymlink(t, src, "a", outside) })
	checkUntouched(t, outside, before, dst, st)
	if fi, err := os.Lstat(filepath.Join(dst, "a")); err != nil || !fi.IsDir() {
		t.Errorf("dst a: %v %v, want the old copy kept", fi, err)
	}
}

// A big file that vanishes, or is replaced (a log rotated), during a live run is a
// vanished file: the entry succeeds and the report counts it.
func TestHostileBigFileVanishesDuringLiveTree(t *testing.T) {
	for _, how := range []string{"removed", "replaced"} {
		t.Run(how, func(t *testing.T) {
			src, dst, _ := hostileTrees(t)
			st := hostileSync(t, src, dst, stepCopy, "", func() {
				big := filepath.Join(src, "a", "big.img")
				switch how {
				case "removed":
					must(t, os.Remove(big))
					must(t, os.Remove(filepath.Join(src, "b", "link.img")))
				case "replaced":
					sparseImage(t, big+".new", 2<<20, 9)
					must(t, os.Rename(big+".new", big))
				}
			})
			if st.Changed != 1 {
				t.Errorf("Changed = %d, want 1 (the big file %s)", st.Changed, how)
			}
			if st.BigFiles != 1 {
				t.Errorf("BigFiles = %d, want 1 (a/vm.img still copied)", st.BigFiles)
			}
		})
	}
}

// Attacks on the in-process walk of both trees: the swap lands right before a file
// is written into a directory of dst, before a directory of src is read, before a
// file of src is opened. Nothing outside is read into dst, written, removed or
// chowned; the swapped path is skipped and counted.

// A directory of dst (an old one, and one the walk has just made) is swapped for a
// symlink to root's directory outside right before a small file is written in it.
func TestHostileSymlinkSwapDstDirBeforeFile(t *testing.T) {
	for _, dir := range []string{"a", "b"} {
		t.Run(dir, func(t *testing.T) {
			src, dst, outside := hostileTrees(t)
			writeFile(t, filepath.Join(src, "b", "note"), []byte("a small file in b\n"), 0o644)
			before := snapshotTree(t, filepath.Dir(outside))
			file := map[string]string{"a": "a/small", "b": "b/note"}[dir]
			st := hostileSync(t, src, dst, stepFile, file, func() { swapForSymlink(t, dst, dir, outside) })
			checkUntouched(t, outside, before, dst, st)
			for _, n := range []string{"small", "note"} {
				if _, err := os.Lstat(filepath.Join(outside, n)); err == nil {
					t.Errorf("%s written outside, through dst's symlink %s", n, dir)
				}
			}
		})
	}
}

// A directory of src is swapped for a symlink to root's secret directory outside
// right before it is opened and read: nothing of it is listed or copied.
func TestHostileSymlinkSwapSrcDirBeforeRead(t *testing.T) {
	src, dst, outside := hostileTrees(t)
	before := snapshotTree(t, filepath.Dir(outside))
	st := hostileSync(t, src, dst, stepWalk, "b", func() { swapForSymlink(t, src, "b", outside) })
	checkUntouched(t, outside, before, dst, st)
	if _, err := os.Lstat(filepath.Join(dst, "b", "root-only")); err == nil {
		t.Error("dst b/root-only: the walk read root's directory through src's symlink b")
	}
}

// A small file of src is swapped for a symlink to root's 0600 file outside right
// before it is opened: its content is never read into dst.
func TestHostileSymlinkSwapSrcFileBeforeOpen(t *testing.T) {
	src, dst, outside := hostileTrees(t)
	before := snapshotTree(t, filepath.Dir(outside))
	st := hostileSync(t, src, dst, stepFile, "a/small", func() {
		must(t, os.Remove(filepath.Join(src, "a", "small")))
		must(t, os.Symlink(filepath.Join(outside, "big.img"), filepath.Join(src, "a", "small")))
	})
	checkUntouched(t, outside, before, dst, st)
	if b, err := os.ReadFile(filepath.Join(dst, "a", "small")); err == nil && bytes.Contains(b, []byte("SECRET")) {
		t.Error("dst a/small holds root's file outside: the swapped symlink was followed")
	}
}

// A directory of dst is swapped for a symlink to root's directory outside right
// before the walk makes or opens it, or right before what dst has and src has not
// is removed from it: the symlink is replaced (the link itself removed), nothing
// outside is removed or written.
func TestHostileSymlinkSwapDstDirBeforeOpen(t *testing.T) {
	for _, tc := range []struct{ step, at, dir string }{
		{stepDstDir, "a", "a"}, {stepDstDir, "b", "b"}, {stepExcluded, "a/cache", "a"}, {stepDirMeta, "a", "a"},
	} {
		t.Run(tc.step+"-"+tc.dir, func(t *testing.T) {
			src, dst, outside := hostileTrees(t)
			writeFile(t, filepath.Join(dst, "a", "junk"), []byte("deleted since\n"), 0o644)
			before := snapshotTree(t, filepath.Dir(outside))
			st := hostileSync(t, src, dst, tc.step, tc.at, func() { swapForSymlink(t, dst, tc.dir, outside) })
			st.Changed++ // the swap may be undone rather than counted
			checkUntouched(t, outside, before, dst, st)
		})
	}
}

// A small file that vanishes between its listing and its copy is skipped and the
// sync says Vanished (rsync's exit 24), not an error; one replaced meanwhile (another
// inode, another type) is skipped and counted changed.
func TestSmallFileVanishesDuringLiveTree(t *testing.T) {
	for _, how := range []string{"removed", "replaced", "dir"} {
		t.Run(how, func(t *testing.T) {
			src, dst, _ := hostileTrees(t)
			small := filepath.Join(src, "a", "small")
			done := false
			testHook = func(step, rel string) {
				if step == stepFile && rel == "a/small" && !done {
					done = true
					switch how {
					case "removed":
						must(t, os.Remove(small))
					case "replaced": // another inode renamed over it (a log rotated)
						writeFile(t, small+".new", []byte("a new small file\n"), 0o644)
						must(t, os.Rename(small+".new", small))
					case "dir":
						must(t, os.Remove(small))
						must(t, os.Mkdir(small, 0o755))
					}
				}
			}
			t.Cleanup(func() { testHook = nil })
			st, err := SyncTree(t.Context(), src, dst, TreeOptions{BigFile: 1 << 20, Xattrs: true, Exclude: []string{"cache"}})
			if err != nil || !done {
				t.Fatalf("sync: %v (step reached: %v)", err, done)
			}
			if want := how == "removed"; st.Vanished != want || (st.Changed == 0) == !want {
				t.Errorf("%s: Vanished %v, Changed %d", how, st.Vanished, st.Changed)
			}
			if _, err := os.Lstat(filepath.Join(dst, "a", "small")); err == nil {
				t.Errorf("%s: dst a/small copied", how)
			}
		})
	}
}

// A restore into a new 0700 directory: no user gets into the tree before every
// file is written. A directory the copy gives a user (mode 1777 in the source) must
// not be reachable while a big file or a hard link is still to be written in it,
// else the user plants a name there first: the top directory keeps 0700 until last.
func TestHostileTopDirectoryOpenedLast(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "restore")
	must(t, os.MkdirAll(filepath.Join(src, "shared"), 0o755))
	must(t, os.Chmod(filepath.Join(src, "shared"), 0o1777))
	must(t, os.Chmod(src, 0o755))
	sparseImage(t, filepath.Join(src, "shared", "bob.img"), 2<<20, 7)
	must(t, os.Chown(filepath.Join(src, "shared", "bob.img"), 1001, 1001))
	writeFile(t, filepath.Join(src, "shared", "a"), []byte("linked\n"), 0o600)
	must(t, os.Link(filepath.Join(src, "shared", "a"), filepath.Join(src, "shared", "b")))
	must(t, os.Mkdir(dst, 0o700))
	for _, step := range []string{stepCopy, stepLink} {
		must(t, os.RemoveAll(dst))
		must(t, os.Mkdir(dst, 0o700))
		var mode os.FileMode
		hostileSync(t, src, dst, step, "", func() {
			fi, err := os.Stat(dst)
			must(t, err)
			mode = fi.Mode().Perm()
		})
		if mode != 0o700 {
			t.Errorf("at %s the destination's top directory is %o: users reach into the tree before it is written", step, mode)
		}
		if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("after the copy, the top directory: %v %v, want the source's 0755", fi.Mode(), err)
		}
	}
}

// The name of a hard-linked file picked to be copied vanishes (a live tree) just
// before it is opened: another of its names is copied, the rest linked to it.
func TestHardLinkLeadVanishes(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	writeFile(t, filepath.Join(src, "a"), []byte("three names\n"), 0o644)
	must(t, os.Link(filepath.Join(src, "a"), filepath.Join(src, "b")))
	must(t, os.Link(filepath.Join(src, "a"), filepath.Join(src, "c")))
	st := hostileSync(t, src, dst, stepFile, "a", func() { must(t, os.Remove(filepath.Join(src, "a"))) })
	var bs, cs unix.Stat_t
	must(t, unix.Lstat(filepath.Join(dst, "b"), &bs))
	must(t, unix.Lstat(filepath.Join(dst, "c"), &cs))
	if got, _ := os.ReadFile(filepath.Join(dst, "b")); string(got) != "three names\n" || bs.Ino != cs.Ino {
		t.Errorf("b and c: %q, inodes %d and %d: want the file, one inode", got, bs.Ino, cs.Ino)
	}
	if st.Changed+btoi(st.Vanished) == 0 {
		t.Errorf("the vanished name is not counted: %+v", st)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The tree's owner swaps a file the walk listed for a FIFO right before it is opened
// (a device node would do the same): opening it at all, even to find it is not the
// file listed, runs the inode's own open (a FIFO's writer waiting on a reader wakes;
// a tape rewinds). The entry is skipped and counted, and the FIFO is never opened.
func TestHostileSwapForFIFOIsNotOpened(t *testing.T) {
	for _, tc := range []struct{ name, step, root, rel string }{
		{"changed file", stepFile, "src", "a/small"},          // its copy differs: opened to be copied
		{"new file", stepFile, "src", "a/fresh"},              // no copy yet
		{"big file", stepCopy, "src", "a/vm.img"},             // copied by changed blocks
		{"big file's copy", stepOpenCopy, "dst", "a/big.img"}, // the older backup, written in place
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst, _ := hostileTrees(t)
			writeFile(t, filepath.Join(src, "a", "fresh"), []byte("fresh\n"), 0o644)
			writeFile(t, filepath.Join(dst, "a", "small"), []byte("older\n"), 0o644)
			p := filepath.Join(map[string]string{"src": src, "dst": dst}[tc.root], tc.rel)
			opened := make(chan struct{})
			st := hostileSync(t, src, dst, tc.step, tc.rel, func() {
				must(t, os.Remove(p))
				must(t, unix.Mkfifo(p, 0o644))
				go func() {
					// Blocks until a reader opens the FIFO.
					if fd, err := unix.Open(p, unix.O_WRONLY|unix.O_CLOEXEC, 0); err == nil {
						close(opened)
						unix.Close(fd)
					}
				}()
				time.Sleep(50 * time.Millisecond) // the writer is waiting
			})
			select {
			case <-opened:
				t.Errorf("the FIFO swapped in for %s was opened by the sync", tc.rel)
			case <-time.After(500 * time.Millisecond):
				// Let the writer go: open it ourselves.
				if fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err == nil {
					<-opened
					unix.Close(fd)
				}
			}
			if !st.Vanished && st.Changed == 0 {
				t.Errorf("the swapped entry was not counted: %+v", st)
			}
		})
	}
}
