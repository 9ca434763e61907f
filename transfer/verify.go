package transfer

import (
	"context"
	"fmt"
	"os"
	"time"
)

// VerifyResult is what Verify found.
type VerifyResult struct {
	Blocks     int64         `json:"blocks"`
	Mismatched int64         `json:"mismatched"`
	FirstBad   int64         `json:"first_bad_offset"` // -1 when none
	Read       int64         `json:"read"`
	Duration   time.Duration `json:"duration_ns"`
	// IdentityChanged: DST's inode, size or times differ from what the manifest
	// recorded (its content may still match).
	IdentityChanged bool `json:"identity_changed"`
}

// Verify reads DST whole and checks every block against its manifest. A mismatch is an
// error naming DST, the number of bad blocks and the first bad offset.
func Verify(ctx context.Context, dst, manifestPath string) (VerifyResult, error) {
	f, err := os.Open(dst)
	if err != nil {
		return VerifyResult{FirstBad: -1}, fmt.Errorf("verify: %w", err)
	}
	defer f.Close()
	return VerifyFile(ctx, f, manifestPath)
}

// VerifyFile is Verify of a DST already open (named by f.Name() in messages).
func VerifyFile(ctx context.Context, f *os.File, manifestPath string) (VerifyResult, error) {
	start := time.Now()
	dst := f.Name()
	res := VerifyResult{FirstBad: -1}
	m, err := readManifest(manifestPath)
	if err != nil {
		return res, fmt.Errorf("verify %s: manifest %s: %w", dst, manifestPath, err)
	}
	id, err := identityOf(f)
	if err != nil {
		return res, fmt.Errorf("verify %s: %w", dst, err)
	}
	res.IdentityChanged = id != m.id
	buf := make([]byte, 1<<20)
	for off := int64(0); off < m.length; off += int64(len(buf)) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		n := int(min(int64(len(buf)), m.length-off))
		if _, err := f.ReadAt(buf[:n], off); err != nil {
			return res, fmt.Errorf("verify %s: read at %d: %w", dst, off, err)
		}
		res.Read += int64(n)
		for b := 0; b < n; b += ManifestBlock {
			e := min(b+ManifestBlock, n)
			i := (off + int64(b)) / ManifestBlock
			res.Blocks++
			if blockHash(buf[b:e]) != m.hashes[i] {
				res.Mismatched++
				if res.FirstBad < 0 {
					res.FirstBad = off + int64(b)
				}
			}
		}
	}
	res.Duration = time.Since(start)
	if res.Mismatched > 0 {
		return res, fmt.Errorf("verify %s: %d of %d blocks differ from manifest %s (first at byte %d)", dst, res.Mismatched, res.Blocks, manifestPath, res.FirstBad)
	}
	return res, nil
}
