package transfer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// extent is a byte range [off, off+len).
type extent struct{ off, len int64 }

func (e extent) end() int64 { return e.off + e.len }

// dataExtents lists where f (size bytes) holds data, by SEEK_DATA/SEEK_HOLE. A file
// system or device that does not support them is all data.
func dataExtents(f *os.File, size int64, isFile bool) ([]extent, error) {
	if !isFile || size == 0 {
		return []extent{{0, size}}, nil
	}
	var out []extent
	fd := int(f.Fd())
	for off := int64(0); off < size; {
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			break // no data after off
		}
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
			return []extent{{0, size}}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("seek data in %s: %w", f.Name(), err)
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil {
			return nil, fmt.Errorf("seek hole in %s: %w", f.Name(), err)
		}
		if hole > size {
			hole = size
		}
		if hole > data {
			out = append(out, extent{data, hole - data})
		}
		off = hole
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return out, nil
}

// hasData reports whether [off, off+n) intersects any extent (sorted, disjoint).
// i is a cursor into exts kept by the caller for a forward scan.
func hasData(exts []extent, i *int, off, n int64) bool {
	for *i < len(exts) && exts[*i].end() <= off {
		*i++
	}
	return *i < len(exts) && exts[*i].off < off+n
}

// deviceSize returns the size of a block device.
func deviceSize(f *os.File) (int64, error) {
	n, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, fmt.Errorf("size of %s: %w", f.Name(), err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return n, nil
}

// punch makes [off, off+n) of a regular file a hole; where the file system cannot, it
// writes zeros. It returns whether it punched (true) or wrote.
func punch(f *os.File, off, n int64, zeros []byte) (bool, error) {
	err := unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENOSYS) {
		return false, fmt.Errorf("punch a hole in %s at %d: %w", f.Name(), off, err)
	}
	return false, writeZeros(f, off, n, zeros)
}

func writeZeros(f *os.File, off, n int64, zeros []byte) error {
	for n > 0 {
		k := min(n, int64(len(zeros)))
		if _, err := f.WriteAt(zeros[:k], off); err != nil {
			return err
		}
		off += k
		n -= k
	}
	return nil
}

// zeroBlock is a block of zeros to compare with (bytes.Equal runs vectorised).
var zeroBlock = make([]byte, 1<<20)

func isZero(b []byte) bool {
	for len(b) > len(zeroBlock) {
		if !bytes.Equal(b[:len(zeroBlock)], zeroBlock) {
			return false
		}
		b = b[len(zeroBlock):]
	}
	return bytes.Equal(b, zeroBlock[:len(b)])
}
