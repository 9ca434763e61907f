package transfer

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// mutate changes src at random: aligned and unaligned writes, zeroed ranges (a
// discard), and now and then a grown or shrunk size; it returns the byte ranges it
// touched (what changed-block tracking would name).
func mutate(t *testing.T, src string, rng *rand.Rand) []Range {
	t.Helper()
	f, err := os.OpenFile(src, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	size := st.Size()
	var touched []Range
	switch rng.IntN(6) {
	case 0: // grown, and written in the new part
		grown := size + int64(1+rng.IntN(8))*(64<<10)
		if err := f.Truncate(grown); err != nil {
			t.Fatal(err)
		}
		off := size + int64(rng.IntN(int(grown-size)))
		n := min(int64(1+rng.IntN(5000)), grown-off)
		f.WriteAt(testenv.RandomBytes(rng.Uint64(), int(n)), off)
		touched = append(touched, Range{Off: off, Len: n})
		size = grown
	case 1: // shrunk
		size -= int64(1+rng.IntN(4)) * (64 << 10)
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
	}
	for range 1 + rng.IntN(12) {
		off := rng.Int64N(size)
		n := min(int64(1+rng.IntN(200<<10)), size-off)
		if rng.IntN(3) == 0 { // aligned whole chunks
			off = off / (64 << 10) * (64 << 10)
			n = min(64<<10, size-off)
		}
		data := testenv.RandomBytes(rng.Uint64(), int(n))
		if rng.IntN(5) == 0 {
			data = make([]byte, n) // a discard: zeros now
		}
		if _, err := f.WriteAt(data, off); err != nil {
			t.Fatal(err)
		}
		touched = append(touched, Range{Off: off, Len: n})
	}
	return touched
}

// A chain of 25 tracked copies, each given only the ranges that changed: DST equals
// SRC after each, and equals what a full compare makes of it; only the tracked areas
// are read.
func TestTrackedChainEqualsFullCopy(t *testing.T) {
	dir := t.TempDir()
	src, dst, full := filepath.Join(dir, "src"), filepath.Join(dir, "dst"), filepath.Join(dir, "full")
	man := filepath.Join(dir, "dst.manifest")
	write(t, src, whole(8<<20+12345), 1)
	if _, err := Copy(t.Context(), src, dst, Options{Manifest: man}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var read, changed int64
	for i := range 25 {
		touched := mutate(t, src, rng)
		st, err := Copy(t.Context(), src, dst, Options{Manifest: man, Tracked: true, Changed: touched})
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode != "cbt" {
			t.Fatalf("copy %d: mode %s (%s)", i, st.Mode, st.Note)
		}
		requireSame(t, src, dst)
		if _, err := Copy(t.Context(), src, full, Options{}); err != nil {
			t.Fatal(err)
		}
		requireSame(t, dst, full)
		// Each range widens to whole 16 KiB blocks (at most 32 KiB more), plus the
		// last blocks; growth is not read.
		if limit := st.Changed + int64(len(touched)+2)*2*ManifestBlock; st.SrcRead > limit {
			t.Fatalf("copy %d read %d bytes for %d changed (limit %d)", i, st.SrcRead, st.Changed, limit)
		}
		if st.DstRead != 0 {
			t.Fatalf("copy %d read the destination: %d bytes", i, st.DstRead)
		}
		read += st.SrcRead
		changed += st.Changed
	}
	t.Logf("25 tracked copies of an 8 MiB image: %d bytes read for %d changed", read, changed)
	// The manifest the chain left is exact: a verify reads DST whole against it.
	res, err := Verify(t.Context(), dst, man)
	if err != nil || res.Mismatched != 0 || res.IdentityChanged {
		t.Fatalf("verify after the chain: %+v %v", res, err)
	}
}

// Ranges are trusted: a change outside them is not read (which is why the caller must
// prove the chain first); without a trusted manifest the copy is whole.
func TestTrackedReadsOnlyTheRanges(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	man := filepath.Join(dir, "m")
	write(t, src, whole(4<<20), 1)
	if _, err := Copy(t.Context(), src, dst, Options{Manifest: man}); err != nil {
		t.Fatal(err)
	}
	testenv.WriteAt(t, src, 1<<20, bytes.Repeat([]byte{1}, 100))
	testenv.WriteAt(t, src, 3<<20, bytes.Repeat([]byte{2}, 100))
	st, err := Copy(t.Context(), src, dst, Options{Manifest: man, Tracked: true, Changed: []Range{{Off: 1 << 20, Len: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode != "cbt" || st.Written != ManifestBlock || st.Changed != 100 {
		t.Fatalf("stats %+v", st)
	}
	got, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[1<<20:1<<20+100], bytes.Repeat([]byte{1}, 100)) || bytes.Equal(got[3<<20:3<<20+100], bytes.Repeat([]byte{2}, 100)) {
		t.Fatal("the untracked change was seen, or the tracked one missed")
	}
	// A destination changed behind the manifest's back: the whole is compared.
	testenv.WriteAt(t, dst, 0, []byte{9})
	st, err = Copy(t.Context(), src, dst, Options{Manifest: man, Tracked: true, Changed: []Range{{Off: 1 << 20, Len: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode != "compare" || !strings.HasPrefix(st.Note, "changed-block tracking not used: the destination changed") {
		t.Fatalf("mode %s, note %q", st.Mode, st.Note)
	}
	requireSame(t, src, dst)
}
