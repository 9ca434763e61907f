package transfer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// A partial last block that is a hole is hashed as what it is (its bytes), by the
// copy and by the verify alike: a copy with a manifest of an identical sparse file of
// 3 MiB + 100 B verifies, and the next copy with that manifest writes nothing.
func TestHostileManifestSparsePartialBlock(t *testing.T) {
	ctx := context.Background()
	for name, l := range map[string]layout{
		"all holes":      {3<<20 + 100, nil},
		"tail is a hole": {3<<20 + 100, []extent{{0, 1 << 20}}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			src, dst, man := filepath.Join(dir, "src"), filepath.Join(dir, "dst"), filepath.Join(dir, ".manifest", "vda")
			write(t, src, l, 5)
			if _, err := Copy(ctx, src, dst, Options{Manifest: man}); err != nil {
				t.Fatal(err)
			}
			requireSame(t, src, dst)
			if res, err := Verify(ctx, dst, man); err != nil {
				t.Fatalf("copy --manifest then copy --verify of an identical file: %v (%+v)", err, res)
			}
			st, err := Copy(ctx, src, dst, Options{Manifest: man})
			if err != nil || st.Mode != "manifest" || st.Written != 0 {
				t.Fatalf("second copy with the manifest: %+v %v", st, err)
			}
		})
	}
}

// A block device's identity has no times: a device written behind the manifest's
// back (outside the spot-checked blocks) must not be trusted; the copy compares and
// makes it equal to SRC again.
func TestHostileBlockDeviceManifestTrust(t *testing.T) {
	testenv.Require(t, testenv.Root)
	dir := t.TempDir()
	ctx := t.Context()
	const size = 64 << 20
	img := filepath.Join(dir, "dev")
	write(t, img, layout{size, nil}, 1)
	out, err := testenv.Local(ctx, "losetup", "--find", "--show", img)
	if err != nil {
		t.Fatal(err)
	}
	dev := strings.TrimSpace(out)
	t.Cleanup(func() { testenv.Local(context.Background(), "losetup", "--detach", dev) })

	src, man := filepath.Join(dir, "src"), filepath.Join(dir, "manifest")
	write(t, src, layout{size, []extent{{0, 1 << 20}, {32 << 20, 1 << 20}}}, 2)
	if _, err := Copy(ctx, src, dev, Options{Manifest: man}); err != nil {
		t.Fatal(err)
	}
	// Someone writes the device: one block in the middle (the spot check reads the
	// first, the last and 14 random blocks of 4096).
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xEE}, ManifestBlock), 20<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, err := Copy(ctx, src, dev, Options{Manifest: man})
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode != "compare" || !strings.Contains(st.Note, "block device") {
		t.Errorf("a manifest of a block device was trusted: mode %s, note %q", st.Mode, st.Note)
	}
	got := make([]byte, size)
	g, _ := os.Open(dev)
	g.ReadAt(got, 0)
	g.Close()
	want, _ := os.ReadFile(src)
	if !bytes.Equal(got, want) {
		t.Fatal("the device does not hold the source after the copy: the foreign write stayed")
	}
}
