package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// layout describes a test file: its size and the ranges that hold random data (the
// rest are holes).
type layout struct {
	size int64
	data []extent
}

func whole(size int64) layout { return layout{size, []extent{{0, size}}} }

func write(t *testing.T, path string, l layout, seed uint64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(l.size); err != nil {
		t.Fatal(err)
	}
	for i, e := range l.data {
		if _, err := f.WriteAt(testenv.RandomBytes(seed+uint64(i), int(e.len)), e.off); err != nil {
			t.Fatal(err)
		}
	}
}

func digest(t *testing.T, path string) ([32]byte, int64) { return testenv.SHA256(t, path, -1) }

func requireSame(t *testing.T, a, b string) {
	t.Helper()
	da, na := digest(t, a)
	db, nb := digest(t, b)
	if na != nb || da != db {
		t.Fatalf("%s (%d bytes) and %s (%d bytes) differ", a, na, b, nb)
	}
}

func allocated(t *testing.T, path string) int64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Blocks * 512
}

// differingBytes counts, at CompareBlock granularity, the bytes of a and b that
// differ: the most a compare copy may write.
func differingBytes(t *testing.T, a, b string) int64 {
	t.Helper()
	fa, _ := os.ReadFile(a)
	fb, _ := os.ReadFile(b)
	if len(fb) < len(fa) {
		fb = append(fb, make([]byte, len(fa)-len(fb))...)
	}
	var n int64
	for off := 0; off < len(fa); off += CompareBlock {
		e := min(off+CompareBlock, len(fa))
		if !bytes.Equal(fa[off:e], fb[off:e]) {
			n += int64(e - off)
		}
	}
	return n
}

// Every shape of SRC against every shape of DST: the result is SRC, byte for byte,
// and a compare copy writes at most the differing blocks.
func TestCopyProperties(t *testing.T) {
	sizes := []int64{0, 1, 4095, 4096, 4097, 1<<20 + 3, 5<<20 + 12345}
	r := rand.New(rand.NewPCG(1, 2))
	for _, size := range sizes {
		srcShapes := map[string]layout{"full": whole(size)}
		if size > 64<<10 {
			srcShapes["holes"] = layout{size, []extent{{0, 8192}, {size / 2, min(300000, size/2)}}}
		}
		for sname, sl := range srcShapes {
			dstShapes := map[string]func(dir string) string{
				"missing": func(dir string) string { return filepath.Join(dir, "dst") },
				"identical": func(dir string) string {
					p := filepath.Join(dir, "dst")
					write(t, p, sl, 100)
					return p
				},
				"all different": func(dir string) string {
					p := filepath.Join(dir, "dst")
					write(t, p, whole(size), 999)
					return p
				},
				"shorter": func(dir string) string {
					p := filepath.Join(dir, "dst")
					write(t, p, whole(size/3), 100)
					return p
				},
				"longer": func(dir string) string {
					p := filepath.Join(dir, "dst")
					write(t, p, whole(size*2+5000), 100)
					return p
				},
				"sparse other": func(dir string) string {
					p := filepath.Join(dir, "dst")
					write(t, p, layout{size, []extent{{0, min(size, 3000)}, {size / 3, min(size-size/3, 70000)}}}, 55)
					return p
				},
				"some blocks changed": func(dir string) string {
					p := filepath.Join(dir, "dst")
					write(t, p, sl, 100)
					if size > 0 {
						f, _ := os.OpenFile(p, os.O_RDWR, 0)
						for range 5 {
							f.WriteAt([]byte("changed"), r.Int64N(size))
						}
						f.Close()
					}
					return p
				},
			}
			for dname, mkdst := range dstShapes {
				t.Run(fmt.Sprintf("%d/%s/%s", size, sname, dname), func(t *testing.T) {
					dir := t.TempDir()
					src := filepath.Join(dir, "src")
					write(t, src, sl, 100)
					dst := mkdst(dir)
					_, statErr := os.Stat(dst)
					maxWrite := int64(0)
					if statErr == nil {
						maxWrite = differingBytes(t, src, dst)
					}
					st, err := Copy(context.Background(), src, dst, Options{ChunkSize: 64 << 10})
					if err != nil {
						t.Fatal(err)
					}
					requireSame(t, src, dst)
					if statErr == nil && st.Written > maxWrite {
						t.Fatalf("wrote %d bytes, but only %d differ", st.Written, maxWrite)
					}
					if dname == "identical" && (st.Written != 0 || st.Punched != 0) {
						t.Fatalf("identical: wrote %d, punched %d", st.Written, st.Punched)
					}
					if sname == "holes" && dname == "missing" && allocated(t, dst) > allocated(t, src)+64<<10 {
						t.Fatalf("a new copy of a sparse file takes %d bytes, the source %d", allocated(t, dst), allocated(t, src))
					}
				})
			}
		}
	}
}

// A sparse image of several GiB is copied by its data only: holes are not read.
func TestCopyBigSparse(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	const size = 3 << 30
	write(t, src, layout{size, []extent{{0, 1 << 20}, {1<<30 + 12345, 2 << 20}, {size - 4096, 4096}}}, 7)
	st, err := Copy(context.Background(), src, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.SrcRead > 8<<20 || st.Holes < size-8<<20 {
		t.Fatalf("read %d bytes of SRC and skipped %d of holes in a 3 GiB file with 3 MiB of data", st.SrcRead, st.Holes)
	}
	if a := allocated(t, dst); a > 8<<20 {
		t.Fatalf("the copy takes %d bytes on disk", a)
	}
	requireSame(t, src, dst)
	// Again: now both sides are sparse, and nothing is read or written but data.
	st, err = Copy(context.Background(), src, dst, Options{})
	if err != nil || st.Written != 0 || st.DstRead > 8<<20 {
		t.Fatalf("second copy: %+v %v", st, err)
	}
}

// Zero runs in SRC over data in DST become holes in DST.
func TestZerosOverDataArePunched(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	write(t, src, layout{4 << 20, []extent{{0, 4096}}}, 1)
	write(t, dst, whole(4<<20), 2)
	st, err := Copy(context.Background(), src, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	requireSame(t, src, dst)
	if st.Punched < 4<<20-8192 || allocated(t, dst) > 1<<20 {
		t.Fatalf("punched %d, allocated %d", st.Punched, allocated(t, dst))
	}
}

// With a manifest, the next copy reads only SRC; a stale, foreign or missing manifest
// falls back to compare mode and says why; Verify checks DST against it.
func TestManifest(t *testing.T) {
	dir := t.TempDir()
	src, dst, man := filepath.Join(dir, "src"), filepath.Join(dir, "dst"), filepath.Join(dir, ".manifest", "vda")
	write(t, src, whole(8<<20+777), 1)
	ctx := context.Background()

	st, err := Copy(ctx, src, dst, Options{Manifest: man})
	if err != nil || st.Mode != "new" {
		t.Fatalf("first copy: %+v %v", st, err)
	}
	if _, err := Verify(ctx, dst, man); err != nil {
		t.Fatal(err)
	}
	// Change 1% of SRC at unaligned offsets.
	f, _ := os.OpenFile(src, os.O_RDWR, 0)
	for i := range 4 {
		f.WriteAt(testenv.RandomBytes(uint64(50+i), 20000), int64(i)*2<<20+1234)
	}
	f.Close()
	st, err = Copy(ctx, src, dst, Options{Manifest: man})
	if err != nil {
		t.Fatal(err)
	}
	requireSame(t, src, dst)
	if st.Mode != "manifest" || st.DstRead != 0 || st.Written == 0 || st.Written > 4*(20000+2*ManifestBlock) {
		t.Fatalf("manifest copy: %+v", st)
	}
	if _, err := Verify(ctx, dst, man); err != nil {
		t.Fatal(err)
	}

	// DST changed behind the manifest's back: detected, compare mode, still correct.
	g, _ := os.OpenFile(dst, os.O_RDWR, 0)
	g.WriteAt([]byte("tampered"), 5000)
	g.Close()
	if _, err := Verify(ctx, dst, man); err == nil || !strings.Contains(err.Error(), "1 of") {
		t.Fatalf("Verify of a tampered DST: %v", err)
	}
	st, err = Copy(ctx, src, dst, Options{Manifest: man})
	if err != nil || st.Mode != "compare" || !strings.Contains(st.Note, "changed since") {
		t.Fatalf("stale manifest: %+v %v", st, err)
	}
	requireSame(t, src, dst)

	// Content changed but the identity forged back (same size, times restored): the
	// spot check catches a change in a checked block.
	var before unix.Stat_t
	unix.Stat(dst, &before)
	g, _ = os.OpenFile(dst, os.O_RDWR, 0)
	g.WriteAt(bytes.Repeat([]byte{0xEE}, ManifestBlock), 0) // block 0 is always checked
	g.Close()
	unix.UtimesNano(dst, []unix.Timespec{before.Atim, before.Mtim})
	st, err = Copy(ctx, src, dst, Options{Manifest: man})
	if err != nil || st.Mode != "compare" {
		t.Fatalf("forged identity: %+v %v", st, err)
	}
	requireSame(t, src, dst)

	// A foreign manifest.
	os.WriteFile(man, []byte("not a manifest at all"), 0o644)
	st, err = Copy(ctx, src, dst, Options{Manifest: man})
	if err != nil || st.Mode != "compare" || !strings.Contains(st.Note, "unusable") {
		t.Fatalf("foreign manifest: %+v %v", st, err)
	}
	// A missing one.
	os.Remove(man)
	st, err = Copy(ctx, src, dst, Options{Manifest: man})
	if err != nil || st.Mode != "compare" || !strings.Contains(st.Note, "no manifest") {
		t.Fatalf("missing manifest: %+v %v", st, err)
	}
	// SRC grows: the manifest mode handles the new tail.
	write(t, src, whole(9<<20), 3)
	st, err = Copy(ctx, src, dst, Options{Manifest: man})
	if err != nil || st.Mode != "manifest" {
		t.Fatalf("grown: %+v %v", st, err)
	}
	requireSame(t, src, dst)
}

// Bad input fails naming the path, before anything is written.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	write(t, src, whole(1<<20), 1)
	ctx := context.Background()
	for _, tc := range []struct {
		name, src, dst, want string
	}{
		{"missing source", filepath.Join(dir, "nope"), filepath.Join(dir, "d1"), "nope"},
		{"destination is a directory", src, dir, "is a directory"},
		{"same file", src, src, "same file"},
		{"source is a directory", dir, filepath.Join(dir, "d2"), "not a regular file"},
		{"destination dir missing", src, filepath.Join(dir, "no", "such", "dst"), "no/such/dst"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Copy(ctx, tc.src, tc.dst, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error naming %q, got %v", tc.want, err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "d1")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a failed copy created its destination")
	}
}

// A full destination: the error names the path and how much was written.
func TestNoSpace(t *testing.T) {
	testenv.Require(t, testenv.Root)
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.Mkdir(small, 0o755)
	if _, err := testenv.Local(t.Context(), "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small); err != nil {
		t.Fatal(err)
	}
	defer testenv.Local(context.Background(), "umount", small)
	src := filepath.Join(dir, "src")
	write(t, src, whole(4<<20), 1)
	dst := filepath.Join(small, "dst")
	_, err := Copy(context.Background(), src, dst, Options{})
	if !errors.Is(err, unix.ENOSPC) || !strings.Contains(err.Error(), dst) || !strings.Contains(err.Error(), "after writing") {
		t.Fatalf("want ENOSPC naming %s and the bytes written, got %v", dst, err)
	}
	t.Log(err)
}

// Block devices (loop devices) as source and destination; a destination smaller than
// the source is refused before anything is written.
func TestBlockDevices(t *testing.T) {
	testenv.Require(t, testenv.Root)
	dir := t.TempDir()
	ctx := t.Context()
	loop := func(path string, l layout, seed uint64) string {
		write(t, path, l, seed)
		out, err := testenv.Local(ctx, "losetup", "--find", "--show", path)
		if err != nil {
			t.Fatal(err)
		}
		dev := strings.TrimSpace(out)
		t.Cleanup(func() { testenv.Local(context.Background(), "losetup", "--detach", dev) })
		return dev
	}
	src := filepath.Join(dir, "src")
	write(t, src, layout{6 << 20, []extent{{0, 1 << 20}, {3 << 20, 5000}}}, 1)
	big := loop(filepath.Join(dir, "big"), whole(8<<20), 2)
	st, err := Copy(ctx, src, big, Options{})
	if err != nil || st.DstSizeWas != 8<<20 {
		t.Fatalf("copy to a bigger device: %+v %v", st, err)
	}
	got := make([]byte, 6<<20)
	f, _ := os.Open(big)
	f.ReadAt(got, 0)
	f.Close()
	want, _ := os.ReadFile(src)
	if !bytes.Equal(got, want) {
		t.Fatal("the device does not hold the source")
	}
	// Device → file.
	out := filepath.Join(dir, "out")
	if _, err := Copy(ctx, big, out, Options{}); err != nil {
		t.Fatal(err)
	}
	requireSame(t, big, out)

	small := loop(filepath.Join(dir, "small"), whole(4<<20), 3)
	before, _ := digest(t, small)
	_, err = Copy(ctx, src, small, Options{})
	if err == nil || !strings.Contains(err.Error(), "smaller") || !strings.Contains(err.Error(), small) {
		t.Fatalf("copy to a smaller device: %v", err)
	}
	if after, _ := digest(t, small); after != before {
		t.Fatal("a refused copy wrote to the device")
	}
}

// Chunks bigger than the default over holes (a zero buffer of the chunk's size).
func TestBigChunksOverHoles(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	write(t, src, layout{32 << 20, []extent{{5 << 20, 100000}}}, 1)
	write(t, dst, whole(32<<20), 2)
	if _, err := Copy(context.Background(), src, dst, Options{ChunkSize: 4 << 20}); err != nil {
		t.Fatal(err)
	}
	requireSame(t, src, dst)
}

// writeBytes is what this process has dirtied so far (/proc/self/io write_bytes).
func writeBytes(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "write_bytes: "); ok {
			var n int64
			fmt.Sscan(v, &n)
			return n
		}
	}
	t.Fatal("no write_bytes in /proc/self/io")
	return 0
}

// A compare copy dirties about what it writes: writing into DST's cached large folios
// would dirty them whole (on this kernel's ext4, ~25× the changed bytes).
func TestCompareWritesNoMoreThanItChanges(t *testing.T) {
	dir := filepath.Join("/var/tmp", "kvmbackup-transfer-test") // a disk file system, not tmpfs
	must(t, os.MkdirAll(dir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dir) })
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	write(t, src, whole(64<<20), 1)
	write(t, dst, whole(64<<20), 1)
	f, _ := os.OpenFile(src, os.O_RDWR, 0)
	for i := range 10 {
		f.WriteAt(testenv.RandomBytes(uint64(100+i), 65536), int64(i)*(6<<20)+12345)
	}
	f.Close()
	unix.Sync()
	os.WriteFile("/proc/sys/vm/drop_caches", []byte("1"), 0o200)
	before := writeBytes(t)
	st, err := Copy(context.Background(), src, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dirtied := writeBytes(t) - before
	t.Logf("wrote %d bytes, dirtied %d", st.Written, dirtied)
	if dirtied > 2*st.Written+1<<20 {
		t.Fatalf("wrote %d bytes but dirtied %d: writes land in cached large folios", st.Written, dirtied)
	}
	requireSame(t, src, dst)
}

// Files opened by the caller (beneath a root) are used as they are: the paths only
// name them, and Copy leaves them open.
func TestCopyOpenFiles(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	write(t, src, layout{3<<20 + 100, []extent{{0, 1 << 20}, {2 << 20, 1<<20 + 100}}}, 7)
	sf, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	df, err := os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer df.Close()
	st, err := Copy(context.Background(), "/nonexistent/src", "/nonexistent/dst", Options{SrcFile: sf, DstFile: df})
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode != "new" {
		t.Errorf("mode %q for an empty destination, want new", st.Mode)
	}
	requireSame(t, src, dst)
	if _, err := df.Stat(); err != nil {
		t.Fatalf("Copy closed the caller's destination: %v", err)
	}
	if _, err := Verify(context.Background(), dst, filepath.Join(dir, "none")); err == nil {
		t.Fatal("Verify without a manifest succeeded")
	}
}

// Everything Copy writes (a new destination, its manifest and the manifest's
// directory) is private to root, whatever the umask: a backed-up or restored image
// holds a guest's whole disk.
func TestHostileCopyWritesPrivateFiles(t *testing.T) {
	defer unix.Umask(unix.Umask(0))
	dir := t.TempDir()
	src := filepath.Join(dir, "src.raw")
	if err := os.WriteFile(src, bytes.Repeat([]byte("guest data"), 100000), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "backup", "vda.raw")
	man := filepath.Join(dir, "backup", ".manifest", "vda.raw")
	os.Mkdir(filepath.Dir(dst), 0o700)
	if _, err := Copy(t.Context(), src, dst, Options{Manifest: man}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dst: 0o600, man: 0o600, filepath.Dir(man): 0o700} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %o", p, fi.Mode().Perm(), err, want)
		}
	}
	// An image an earlier version left readable by others is mended by the next copy.
	os.Chmod(dst, 0o644)
	if _, err := Copy(t.Context(), src, dst, Options{Manifest: man}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s after a copy over a 0644 file: mode %v (%v), want 600", dst, fi.Mode().Perm(), err)
	}
}
