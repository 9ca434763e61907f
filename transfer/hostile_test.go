package transfer

import (
	"context"
	"path/filepath"
	"testing"
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
