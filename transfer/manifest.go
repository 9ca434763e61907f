package transfer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/zeebo/xxh3"
	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
)

// ManifestBlock is the size of the blocks a manifest hashes: small enough that an
// unaligned 64 KiB change rewrites 80 KiB (rsync's 32 KiB blocks: 96 KiB), large
// enough that a manifest is 1 MiB per GiB.
const ManifestBlock = 16 << 10

var manifestMagic = [8]byte{'K', 'V', 'B', 'M', 'A', 'N', '0', '1'}

// identity is what must not have changed in DST since its manifest was written.
type identity struct {
	Size    int64
	Ino     uint64
	Rdev    uint64
	MtimeNs int64
	CtimeNs int64
}

// identityOf is f's identity now.
func identityOf(f *os.File) (identity, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return identity{}, err
	}
	id := identity{Size: st.Size, Ino: st.Ino, Rdev: st.Rdev,
		MtimeNs: st.Mtim.Nano(), CtimeNs: st.Ctim.Nano()}
	if st.Mode&unix.S_IFMT == unix.S_IFBLK {
		// A device node's times do not change when the device is written: only its
		// number and size identify it, which is why a manifest of a block device is
		// never trusted for a copy (Options.Manifest); Verify reads it whole.
		var err error
		if id.Size, err = deviceSize(f); err != nil {
			return identity{}, err
		}
		id.MtimeNs, id.CtimeNs = 0, 0
	}
	return id, nil
}

// manifest holds the xxh3-128 hash of every ManifestBlock of DST's first length
// bytes (SRC's size: a block-device DST may be bigger) as last written.
type manifest struct {
	id     identity
	length int64
	hashes []xxh3.Uint128
}

func (m *manifest) blocks() int64 { return int64(len(m.hashes)) }

// hashAt returns block i's hash, or the zero block's beyond the end (a grown file
// reads zeros there).
func (m *manifest) hashAt(i int64) xxh3.Uint128 {
	if i < m.blocks() {
		return m.hashes[i]
	}
	return zeroHash
}

// blockHash is the hash of one manifest block as read: every writer and reader of
// manifests (the copy, its spot check, Verify) hashes with it, so one content has
// one hash. b is ManifestBlock bytes, or fewer for the last block, which is hashed
// over its own bytes only, whether they were read or are a hole.
func blockHash(b []byte) xxh3.Uint128 { return xxh3.Hash128(b) }

// zeroHash is blockHash of a whole block of zeros (a hole).
var zeroHash = blockHash(make([]byte, ManifestBlock))

// holeHash is blockHash of n zero bytes (a hole of a whole block, or of a shorter
// last block), without hashing a whole block of zeros each time.
func holeHash(n int) xxh3.Uint128 {
	if n == ManifestBlock {
		return zeroHash
	}
	return blockHash(make([]byte, n))
}

// readManifest reads and checks a manifest file; a missing file is os.ErrNotExist.
func readManifest(path string) (*manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	const hdr = 8 + 4 + 4 + 6*8 + 8
	if len(b) < hdr+8 || !bytes.Equal(b[:8], manifestMagic[:]) {
		return nil, errors.New("not a kvmbackup manifest")
	}
	body, sum := b[:len(b)-8], binary.BigEndian.Uint64(b[len(b)-8:])
	if xxh3.Hash(body) != sum {
		return nil, errors.New("manifest checksum mismatch (truncated or damaged)")
	}
	if bs := binary.BigEndian.Uint32(b[8:]); bs != ManifestBlock {
		return nil, fmt.Errorf("manifest block size %d, want %d", bs, ManifestBlock)
	}
	m := &manifest{}
	r := b[16:]
	get := func() uint64 { v := binary.BigEndian.Uint64(r); r = r[8:]; return v }
	m.length = int64(get())
	m.id.Size, m.id.Ino, m.id.Rdev = int64(get()), get(), get()
	m.id.MtimeNs, m.id.CtimeNs = int64(get()), int64(get())
	n := get()
	if uint64(len(r)-8) != n*16 || int64(n) != (m.length+ManifestBlock-1)/ManifestBlock {
		return nil, errors.New("manifest length does not match its header")
	}
	m.hashes = make([]xxh3.Uint128, n)
	for i := range m.hashes {
		m.hashes[i] = xxh3.Uint128{Hi: get(), Lo: get()}
	}
	return m, nil
}

// stageManifest writes m durably beside path; Commit puts it in place.
func stageManifest(path string, m *manifest) (*atomicfile.Staged, error) {
	b := make([]byte, 0, len(manifestMagic)+8+8*8+16*len(m.hashes)+8)
	b = append(b, manifestMagic[:]...)
	b = binary.BigEndian.AppendUint32(b, ManifestBlock)
	b = binary.BigEndian.AppendUint32(b, 0)
	for _, v := range []uint64{uint64(m.length), uint64(m.id.Size), m.id.Ino, m.id.Rdev, uint64(m.id.MtimeNs), uint64(m.id.CtimeNs), uint64(len(m.hashes))} {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	for _, h := range m.hashes {
		b = binary.BigEndian.AppendUint64(b, h.Hi)
		b = binary.BigEndian.AppendUint64(b, h.Lo)
	}
	b = binary.BigEndian.AppendUint64(b, xxh3.Hash(b))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	st, err := atomicfile.Stage(path, b, 0o600)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return st, nil
}
