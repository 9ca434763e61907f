package transfer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// The differential tests: SyncTree against the real rsync on random trees.

// randTree builds random trees: every kind of entry rsync -aHxX copies, odd names,
// modes, owners, ns times, xattrs, hard links across directories.
type randTree struct {
	t     *testing.T
	r     *rand.Rand
	root  string
	files []string // regular files (relative)
	dirs  []string
	nodes []string // symlinks, FIFOs, devices (relative)
	n     int
}

var oddNames = []string{"plain", "with space", "new\nline", "bin\xff\xfe", "dash-", "star*[x]?", ".hidden", "ünï"}

func (g *randTree) name() string {
	g.n++
	return fmt.Sprintf("%s%d", oddNames[g.r.IntN(len(oddNames))], g.n)
}

func (g *randTree) path(rel string) string { return filepath.Join(g.root, rel) }

func (g *randTree) content(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	return b
}

var fileSizes = []int{0, 1, 100, 4095, 4096, 4097, 8192, 70000, 300000}

// file writes a file of random size (sparse sometimes) at rel.
func (g *randTree) file(rel string) {
	size := fileSizes[g.r.IntN(len(fileSizes))]
	p := g.path(rel)
	if g.r.IntN(6) == 0 { // sparse: a hole, then data at the end
		f, err := os.Create(p)
		must(g.t, err)
		must(g.t, f.Truncate(int64(size)+200000))
		_, err = f.WriteAt(g.content(100), int64(size)+199900)
		must(g.t, err)
		must(g.t, f.Close())
	} else {
		must(g.t, os.WriteFile(p, g.content(size), 0o644))
	}
	g.files = append(g.files, rel)
}

var (
	fileModes = []uint32{0o644, 0o600, 0o4755, 0o2755, 0o6711, 0, 0o444, 0o1644, 0o755}
	dirModes  = []uint32{0o755, 0o700, 0o1777, 0o2775, 0o750, 0o555, 0}
	owners    = []int{0, 12345, 1000, 65534}
)

// meta gives rel a random owner and mode (mode after owner: chown clears setuid).
func (g *randTree) meta(rel string, modes []uint32) {
	p := g.path(rel)
	must(g.t, os.Lchown(p, owners[g.r.IntN(len(owners))], owners[g.r.IntN(len(owners))]))
	var s unix.Stat_t
	must(g.t, unix.Lstat(p, &s))
	if s.Mode&unix.S_IFMT != unix.S_IFLNK {
		must(g.t, unix.Chmod(p, modes[g.r.IntN(len(modes))]))
	}
}

// xattrs sets random user.* and trusted.* xattrs on a file or directory.
func (g *randTree) xattrs(rel string) {
	p := g.path(rel)
	if g.r.IntN(3) == 0 {
		must(g.t, unix.Lsetxattr(p, "user.k"+fmt.Sprint(g.r.IntN(3)), g.content(1+g.r.IntN(20)), 0))
	}
	if g.r.IntN(5) == 0 {
		must(g.t, unix.Lsetxattr(p, "trusted.t", []byte(fmt.Sprint(g.r.IntN(100))), 0))
	}
}

// trusted sets a random trusted.* xattr (what a symlink or a special file can have).
func (g *randTree) trusted(rel string) {
	if g.r.IntN(2) == 0 {
		must(g.t, unix.Lsetxattr(g.path(rel), "trusted.n", []byte(fmt.Sprint(g.r.IntN(100))), 0))
	}
}

// build makes a random tree below dir (rel) down to depth.
func (g *randTree) build(rel string, depth int) {
	must(g.t, os.MkdirAll(g.path(rel), 0o755))
	g.dirs = append(g.dirs, rel)
	for range 3 + g.r.IntN(6) {
		r := filepath.Join(rel, g.name())
		switch k := g.r.IntN(20); {
		case k < 10:
			g.file(r)
			g.xattrs(r)
			g.meta(r, fileModes)
		case k < 12 && len(g.files) > 0: // a hard link, maybe across directories
			must(g.t, os.Link(g.path(g.files[g.r.IntN(len(g.files))]), g.path(r)))
		case k < 15:
			target := []string{"../x", "/etc/passwd", "nope/dangling", "plain1", "/"}[g.r.IntN(5)]
			must(g.t, os.Symlink(target, g.path(r)))
			g.meta(r, nil)
			g.trusted(r)
			g.nodes = append(g.nodes, r)
		case k == 15:
			must(g.t, unix.Mkfifo(g.path(r), 0o600))
			g.meta(r, fileModes)
			g.trusted(r)
			g.nodes = append(g.nodes, r)
		case k == 16:
			must(g.t, unix.Mknod(g.path(r), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))
			g.meta(r, fileModes)
			g.trusted(r)
		case k == 17 && len(g.nodes) > 0: // a hard link of a symlink or a FIFO (rsync -H links them too)
			must(g.t, unix.Linkat(unix.AT_FDCWD, g.path(g.nodes[g.r.IntN(len(g.nodes))]), unix.AT_FDCWD, g.path(r), 0))
		default:
			if depth > 0 {
				g.build(r, depth-1)
			}
		}
	}
	if rel != "." {
		g.xattrs(rel)
		g.meta(rel, dirModes)
	}
}

// times gives everything random ns times, directories after their contents.
func (g *randTree) times() {
	var paths []string
	filepath.WalkDir(g.root, func(p string, d fs.DirEntry, err error) error {
		paths = append(paths, p)
		return nil
	})
	sort.Sort(sort.Reverse(sort.StringSlice(paths)))
	for _, p := range paths {
		ts := unix.NsecToTimespec(1_600_000_000e9 + g.r.Int64N(100_000_000e9))
		must(g.t, unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW))
	}
}

// oldCopy makes an older copy at dst of the source at src: partly the same, partly
// junk, with type conflicts and a file of the same size and mtime but other content
// (rsync's quick check leaves it), deterministic for seed.
//
// Without xattrs the copy has none (as one made without -X): what rsync leaves of a
// copy's old xattrs depends on which old inode of a hard-link group it keeps.
func oldCopy(t *testing.T, src, dst string, seed uint64, xattrs bool) {
	t.Helper()
	cp := []string{"cp", "-a"}
	if !xattrs {
		cp = append(cp, "--no-preserve=xattr")
	}
	if _, err := testenv.Local(t.Context(), append(cp, src+"/.", dst)...); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	var paths []string
	filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if p != dst {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	for _, p := range paths {
		var s unix.Stat_t
		if unix.Lstat(p, &s) != nil {
			continue // removed with its directory
		}
		switch k := r.IntN(12); {
		case k == 0: // junk next to it
			must(t, os.WriteFile(p+".junk", []byte("junk"), 0o644))
		case k == 1: // another type
			must(t, os.RemoveAll(p))
			switch r.IntN(4) {
			case 0:
				must(t, os.MkdirAll(filepath.Join(p, "deep"), 0o755))
				must(t, os.WriteFile(filepath.Join(p, "deep", "f"), []byte("was a dir"), 0o644))
			case 1:
				must(t, os.WriteFile(p, []byte("was a file"), 0o644))
			case 2:
				must(t, os.Symlink("/etc", p))
			case 3:
				must(t, unix.Mkfifo(p, 0o644))
			}
		case k == 2 && s.Mode&unix.S_IFMT == unix.S_IFREG && s.Size > 0 && s.Size < 1<<20 && s.Nlink == 1:
			// same size and mtime, other content: rsync's quick check skips it (a
			// big file's copy, by Copy, compares every block: a deliberate difference)
			b, err := os.ReadFile(p)
			must(t, err)
			b[0] ^= 0xff
			must(t, os.WriteFile(p, b, 0))
			must(t, unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{s.Atim, s.Mtim}, 0))
		case k == 3 && s.Mode&unix.S_IFMT == unix.S_IFREG:
			must(t, os.WriteFile(p, []byte("older content, other size"), 0))
		case k == 4 && s.Mode&unix.S_IFMT != unix.S_IFLNK:
			must(t, os.Chmod(p, 0o777))
			must(t, os.Lchown(p, 4242, 4242))
		case k == 5 && s.Nlink == 1 && s.Mode&unix.S_IFMT != unix.S_IFLNK && s.Mode&unix.S_IFMT != unix.S_IFIFO && s.Mode&unix.S_IFMT != unix.S_IFCHR:
			must(t, unix.Lsetxattr(p, "user.stale", []byte("x"), 0))
		case k == 6 && s.Nlink == 1:
			must(t, unix.Lsetxattr(p, "trusted.stale", []byte("y"), 0))
		}
	}
	must(t, os.MkdirAll(filepath.Join(dst, "junkdir", "sub"), 0o755))
	must(t, os.Symlink("/etc/passwd", filepath.Join(dst, "junkdir", "sub", "l")))
}

// mutate changes the source as days of use do. What it makes or changes (and their
// directories) gets a time seconds away from now: rsync compares times to the second
// and leaves the time of a copy made within the second of its source's mtime as it
// made it (a difference of rsync's, not a semantic).
func (g *randTree) mutate() {
	t := g.t
	var touched []string
	defer func() {
		seen := map[string]bool{}
		for _, p := range touched {
			for ; p != g.root && strings.HasPrefix(p, g.root); p = filepath.Dir(p) {
				seen[p] = true
			}
		}
		seen[g.root] = true
		var paths []string
		for p := range seen {
			paths = append(paths, p)
		}
		sort.Sort(sort.Reverse(sort.StringSlice(paths)))
		for _, p := range paths {
			ts := unix.NsecToTimespec(1_600_000_000e9 + g.r.Int64N(100_000_000e9))
			if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
	}()
	for i, rel := range g.files {
		p := g.path(rel)
		var s unix.Stat_t
		if unix.Lstat(p, &s) != nil || s.Mode&unix.S_IFMT != unix.S_IFREG {
			continue
		}
		switch i % 9 {
		case 1, 2, 4, 8:
			touched = append(touched, p)
		case 5:
			touched = append(touched, p+".newlink")
		case 6:
			touched = append(touched, p, filepath.Dir(p))
		}
		switch i % 9 {
		case 0: // same size, same mtime, other content: skipped by the quick check
			if s.Size > 0 {
				f, err := os.OpenFile(p, os.O_WRONLY, 0)
				must(t, err)
				_, err = f.WriteAt([]byte{0x5a}, s.Size/2)
				must(t, err)
				f.Close()
				must(t, unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{s.Atim, s.Mtim}, 0))
			}
		case 1: // new content, new mtime
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			must(t, err)
			_, err = f.WriteAt(g.content(10), s.Size/3)
			must(t, err)
			f.Close()
		case 2:
			must(t, os.Remove(p))
		case 3: // chmod, chown only
			must(t, os.Lchown(p, 777, 888))
			must(t, os.Chmod(p, 0o4750))
			must(t, unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{s.Atim, s.Mtim}, 0))
		case 4: // a file becomes a directory
			must(t, os.Remove(p))
			must(t, os.MkdirAll(filepath.Join(p, "now-a-dir"), 0o755))
			touched = append(touched, filepath.Join(p, "now-a-dir"))
		case 5: // a new hard link
			must(t, os.Link(p, p+".newlink"))
		case 6: // a file becomes a symlink
			must(t, os.Remove(p))
			must(t, os.Symlink("../somewhere", p))
		case 7: // xattrs changed only
			unix.Lsetxattr(p, "user.new", []byte("v"), 0)
			unix.Lremovexattr(p, "user.k0")
		case 8: // grows
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			must(t, err)
			f.Write(g.content(5000))
			f.Close()
		}
	}
	for i, rel := range g.dirs {
		if rel == "." || i%5 != 1 {
			continue
		}
		p := g.path(rel)
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		must(t, os.RemoveAll(p)) // a directory becomes a symlink
		must(t, os.Symlink("/tmp", p))
		touched = append(touched, p)
	}
}

// compareTrees fails for every difference between what SyncTree left (ours) and what
// rsync left (theirs).
func compareTrees(t *testing.T, src, ours, theirs string) {
	t.Helper()
	got, want, orig := snapshotTree(t, ours), snapshotTree(t, theirs), snapshotTree(t, src)
	n := 0
	for p, w := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%q: missing (rsync has %+v)", p, w)
			n++
		} else if g != w {
			t.Errorf("%q:\n  ours  %+v\n  rsync %+v\n  src   %+v", p, g, w, orig[p])
			n++
		}
		if n > 20 {
			t.Fatal("too many differences")
		}
	}
	for p, g := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%q: present (%+v), rsync deleted or never made it", p, g)
		}
	}
	if len(want) < 50 {
		t.Errorf("only %d entries compared", len(want))
	}
}

// SyncTree leaves exactly what rsync -aHx --delete --numeric-ids --inplace [-X]
// leaves, from a random source and a random older copy, and again after the source
// changed in every way a live tree changes.
func TestSyncTreeDifferentialRsync(t *testing.T) {
	testenv.Require(t, testenv.Root)
	for _, tc := range []struct {
		name   string
		xattrs bool
		seed   uint64
	}{{"xattrs", true, 1}, {"xattrs-2", true, 2}, {"no-xattrs", false, 3}, {"xattrs-without-xattrat", true, 4}, {"xattrs-through-proc", true, 5}} {
		t.Run(tc.name, func(t *testing.T) {
			switch {
			case strings.HasSuffix(tc.name, "without-xattrat"): // no calls, no /proc: files opened
				was := noXattrAt.Load()
				noXattrAt.Store(true)
				t.Cleanup(func() { noXattrAt.Store(was) })
			case strings.HasSuffix(tc.name, "through-proc"): // as on kernels before 6.13
				was := noXattrAtCalls.Load()
				noXattrAtCalls.Store(true)
				t.Cleanup(func() { noXattrAtCalls.Store(was) })
			}
			base := t.TempDir()
			src, ours, theirs := filepath.Join(base, "src"), filepath.Join(base, "ours"), filepath.Join(base, "rsync")
			g := &randTree{t: t, r: rand.New(rand.NewPCG(tc.seed, 1)), root: src}
			g.build(".", 3)
			for range 8 {
				g.build(g.name(), 2)
			}
			// big files (Copy's path), one hard-linked across directories
			sparseImage(t, filepath.Join(src, "big.img"), 1<<20+4096, tc.seed)
			must(t, os.MkdirAll(filepath.Join(src, "bigdir"), 0o755))
			must(t, os.Link(filepath.Join(src, "big.img"), filepath.Join(src, "bigdir", "big-link.img")))
			must(t, os.Chown(filepath.Join(src, "big.img"), 12345, 54321))
			g.times()
			must(t, os.MkdirAll(ours, 0o755))
			must(t, os.MkdirAll(theirs, 0o755))
			oldCopy(t, src, ours, tc.seed, tc.xattrs)
			oldCopy(t, src, theirs, tc.seed, tc.xattrs)

			args := []string{"rsync", "-aHx", "--delete", "--numeric-ids", "--inplace"}
			if tc.xattrs {
				args = append(args, "-X")
			}
			sync := func(round string) TreeStats {
				st, err := SyncTree(t.Context(), src, ours, TreeOptions{BigFile: 1 << 20, Xattrs: tc.xattrs})
				if err != nil {
					t.Fatalf("%s: %v", round, err)
				}
				if _, err := testenv.Local(t.Context(), append(args, src+"/", theirs+"/")...); err != nil {
					t.Fatalf("%s: rsync: %v", round, err)
				}
				t.Logf("%s: %+v", round, st)
				if st.Changed != 0 || st.Vanished {
					t.Errorf("%s: a tree nobody changes while it is copied: %d paths counted changed, vanished %v", round, st.Changed, st.Vanished)
				}
				compareTrees(t, src, ours, theirs)
				return st
			}
			sync("first")
			if st := sync("again"); st.SmallWritten != 0 || st.BigWritten != 0 || st.Transferred != 0 {
				t.Errorf("an unchanged source written again: %+v", st)
			}
			g.mutate()
			st := sync("mutated")
			if st.SmallWritten == 0 || st.Transferred == 0 {
				t.Errorf("nothing written of a changed source: %+v", st)
			}
		})
	}
}

// The in-process copy writes a changed file in place (the same inode: snapshots
// share its unchanged blocks), only its differing blocks.
func TestSyncTreeSmallInPlace(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	data := testenv.RandomBytes(5, 256<<10)
	writeFile(t, filepath.Join(src, "f"), data, 0o644)
	if _, err := SyncTree(t.Context(), src, dst, TreeOptions{}); err != nil {
		t.Fatal(err)
	}
	var before, after unix.Stat_t
	must(t, unix.Stat(filepath.Join(dst, "f"), &before))
	copy(data[100000:], "changed")
	writeFile(t, filepath.Join(src, "f"), data, 0o644)
	ts := unix.NsecToTimespec(1_700_000_000e9)
	must(t, unix.UtimesNanoAt(unix.AT_FDCWD, filepath.Join(src, "f"), []unix.Timespec{ts, ts}, 0))
	st, err := SyncTree(t.Context(), src, dst, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	must(t, unix.Stat(filepath.Join(dst, "f"), &after))
	if after.Ino != before.Ino {
		t.Error("the file was replaced, not written in place")
	}
	if st.SmallWritten != CompareBlock || st.Transferred != 1 {
		t.Errorf("written %d bytes in %d files, want one block", st.SmallWritten, st.Transferred)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "f")); !bytes.Equal(b, data) {
		t.Error("content differs")
	}
	// Zeros at the end (new, grown), then shrunk: the copy's length is the source's.
	for i, content := range [][]byte{
		append([]byte("head"), make([]byte, 70000)...),
		append(append([]byte("head"), make([]byte, 300000)...), make([]byte, 5)...),
		[]byte("hea"),
		{},
	} {
		writeFile(t, filepath.Join(src, "z"), content, 0o644)
		ts := unix.NsecToTimespec(int64(1_700_000_000+i) * 1e9)
		must(t, unix.UtimesNanoAt(unix.AT_FDCWD, filepath.Join(src, "z"), []unix.Timespec{ts, ts}, 0))
		if _, err := SyncTree(t.Context(), src, dst, TreeOptions{}); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(dst, "z")); err != nil || !bytes.Equal(b, content) {
			t.Errorf("round %d: the copy is %d bytes (%v), want %d", i, len(b), err, len(content))
		}
	}
}

// posixACL is a system.posix_acl_access value: owner rw, user 1234 r, group r, mask r.
func posixACL() []byte {
	b := binary.LittleEndian.AppendUint32(nil, 2) // the version
	for _, e := range []struct {
		tag, perm uint16
		id        uint32
	}{{1, 6, ^uint32(0)}, {2, 4, 1234}, {4, 4, ^uint32(0)}, {0x10, 4, ^uint32(0)}, {0x20, 0, ^uint32(0)}} {
		b = binary.LittleEndian.AppendUint16(b, e.tag)
		b = binary.LittleEndian.AppendUint16(b, e.perm)
		b = binary.LittleEndian.AppendUint32(b, e.id)
	}
	return b
}

// rsync -X without -A neither copies a source file's ACL (system.posix_acl_*) nor
// removes the one its copy has; nor does SyncTree with Xattrs.
func TestSyncTreeACLsAsRsyncX(t *testing.T) {
	testenv.Require(t, testenv.Root)
	base := t.TempDir()
	src := filepath.Join(base, "src")
	writeFile(t, filepath.Join(src, "with-acl"), []byte("a"), 0o640)
	writeFile(t, filepath.Join(src, "plain"), []byte("b"), 0o640)
	if err := unix.Setxattr(filepath.Join(src, "with-acl"), "system.posix_acl_access", posixACL(), 0); err != nil {
		t.Skipf("no POSIX ACLs here: %v", err)
	}
	has := map[string]map[string]bool{}
	for _, who := range []string{"ours", "rsync"} {
		dst := filepath.Join(base, who)
		writeFile(t, filepath.Join(dst, "plain"), []byte("old"), 0o640)
		must(t, unix.Setxattr(filepath.Join(dst, "plain"), "system.posix_acl_access", posixACL(), 0))
		if who == "ours" {
			if _, err := SyncTree(t.Context(), src, dst, TreeOptions{Xattrs: true}); err != nil {
				t.Fatal(err)
			}
		} else if _, err := testenv.Local(t.Context(), "rsync", "-aHxX", "--delete", "--numeric-ids", "--inplace", src+"/", dst+"/"); err != nil {
			t.Fatal(err)
		}
		has[who] = map[string]bool{}
		for _, f := range []string{"with-acl", "plain"} {
			_, err := unix.Getxattr(filepath.Join(dst, f), "system.posix_acl_access", nil)
			has[who][f] = err == nil
		}
	}
	t.Logf("ACLs after the sync (name: has one): %v", has)
	if fmt.Sprint(has["ours"]) != fmt.Sprint(has["rsync"]) {
		t.Errorf("ACLs after the sync: ours %v, rsync -X %v", has["ours"], has["rsync"])
	}
}
