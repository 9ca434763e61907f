package transfer

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
	"github.com/kvmbackup/kvmbackup/internal/ranges"
)

// A file's extent map (FIEMAP): where each of its ranges lies on its filesystem's
// device. Changed-block tracking of an image file on a thin LV maps the device ranges
// that changed (thin_delta's) to the file's ranges through it.

// PhysExtent is one extent of a file: its offset in the file, its offset on the
// filesystem's device, its length (bytes) and its FIEMAP_EXTENT_* flags.
type PhysExtent struct {
	Logical  int64  `json:"l"`
	Physical int64  `json:"p"`
	Length   int64  `json:"n"`
	Flags    uint32 `json:"f,omitempty"`
}

const (
	fsIocFiemap      = 0xC020660B // _IOWR('f', 11, struct fiemap)
	fiemapHeader     = 32
	fiemapExtentSize = 56

	extentLast       = 0x1
	extentUnwritten  = 0x800
	extentMerged     = 0x1000
	extentShared     = 0x2000
	extentUnmappable = 0x2 | 0x4 | 0x8 | 0x80 | 0x100 | 0x200 | 0x400 // unknown, delalloc, encoded, encrypted, not aligned, inline, tail
)

// FileExtents returns f's extents, in order, from the FIEMAP ioctl.
func FileExtents(f *os.File) ([]PhysExtent, error) {
	const batch = 256
	buf := make([]byte, fiemapHeader+fiemapExtentSize*batch)
	var out []PhysExtent
	start := uint64(0)
	for {
		clear(buf)
		binary.LittleEndian.PutUint64(buf[0:], start)
		binary.LittleEndian.PutUint64(buf[8:], ^uint64(0)-start)
		binary.LittleEndian.PutUint32(buf[24:], batch)
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, f.Fd(), fsIocFiemap, uintptr(unsafe.Pointer(&buf[0]))); e != 0 {
			return nil, fmt.Errorf("extent map (FIEMAP) of %s: %w", f.Name(), e)
		}
		n := binary.LittleEndian.Uint32(buf[20:])
		if n == 0 {
			return out, nil
		}
		last := false
		for i := range int(n) {
			e := buf[fiemapHeader+i*fiemapExtentSize:]
			x := PhysExtent{Logical: int64(binary.LittleEndian.Uint64(e[0:])), Physical: int64(binary.LittleEndian.Uint64(e[8:])),
				Length: int64(binary.LittleEndian.Uint64(e[16:])), Flags: binary.LittleEndian.Uint32(e[40:])}
			out = append(out, x)
			last = x.Flags&extentLast != 0
			start = uint64(x.Logical + x.Length)
		}
		if last {
			return out, nil
		}
	}
}

// ReadExtents reads an extent map WriteExtents wrote; a missing file is
// os.ErrNotExist.
func ReadExtents(path string) ([]PhysExtent, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []PhysExtent
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("extent map %s: %w", path, err)
	}
	return out, nil
}

// WriteExtents writes an extent map, atomically, 0600.
func WriteExtents(path string, ext []PhysExtent) error {
	b, err := json.Marshal(ext)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o600)
}

// ErrUnmappable: an extent map that changed-block tracking cannot use: shared
// extents (reflinks: a change to another file's blocks), or extents without a fixed
// place on the device (inline, delayed allocation, encoded, encrypted).
var ErrUnmappable = errors.New("extents cannot be mapped")

// FileChanges maps the device ranges that changed between two snapshots of a
// filesystem to the ranges of one file that can differ: where the file's extents
// (now) lie on changed device ranges, and wherever its mapping now differs from its
// mapping at the base (moved, newly allocated, written from unwritten in another
// place, or a hole now). Exact: a byte whose mapping is the same and whose device
// chunk did not change holds what it held.
func FileChanges(now, base []PhysExtent, changed []Range) ([]Range, error) {
	for _, m := range [][]PhysExtent{now, base} {
		for _, e := range m {
			if e.Flags&(extentShared|extentUnmappable) != 0 {
				return nil, fmt.Errorf("%w: an extent at %d has flags %#x", ErrUnmappable, e.Logical, e.Flags)
			}
		}
	}
	sortExtents := func(m []PhysExtent) []PhysExtent {
		m = slices.Clone(m)
		slices.SortFunc(m, func(a, b PhysExtent) int { return int(min(max(a.Logical-b.Logical, -1), 1)) })
		return m
	}
	now, base = sortExtents(now), sortExtents(base)
	changed = ranges.Merge(slices.Clone(changed))
	var out []Range
	// Where the file lies on changed device ranges.
	for _, e := range now {
		i := sort.Search(len(changed), func(i int) bool { return changed[i].Off+changed[i].Len > e.Physical })
		for ; i < len(changed) && changed[i].Off < e.Physical+e.Length; i++ {
			lo, hi := max(changed[i].Off, e.Physical), min(changed[i].Off+changed[i].Len, e.Physical+e.Length)
			out = append(out, Range{Off: e.Logical + lo - e.Physical, Len: hi - lo})
		}
	}
	// Where the mapping differs: each side's extents against the other's.
	out = append(out, remapped(now, base)...)
	out = append(out, remapped(base, now)...)
	return ranges.Merge(out), nil
}

// remapped returns the parts of a's extents that b does not map to the same place
// (with the same unwritten state).
func remapped(a, b []PhysExtent) []Range {
	var out []Range
	for _, e := range a {
		pos, end := e.Logical, e.Logical+e.Length
		j := sort.Search(len(b), func(j int) bool { return b[j].Logical+b[j].Length > pos })
		for ; pos < end; j++ {
			if j >= len(b) || b[j].Logical >= end {
				out = append(out, Range{Off: pos, Len: end - pos})
				break
			}
			f := b[j]
			if f.Logical > pos { // not mapped in b before f
				out = append(out, Range{Off: pos, Len: f.Logical - pos})
				pos = f.Logical
			}
			hi := min(end, f.Logical+f.Length)
			same := e.Physical+(pos-e.Logical) == f.Physical+(pos-f.Logical) && e.Flags&extentUnwritten == f.Flags&extentUnwritten
			if !same {
				out = append(out, Range{Off: pos, Len: hi - pos})
			}
			pos = hi
		}
	}
	return out
}
