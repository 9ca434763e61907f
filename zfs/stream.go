package zfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// StreamBegin is what the first record of a zfs send stream (DRR_BEGIN) says: which
// snapshot it carries and whether it is a compound (-R, replication) stream. A
// receiver reads it before zfs does, to refuse what it must not receive.
type StreamBegin struct {
	ToName   string // DATASET@SNAPSHOT on the sender
	ToGUID   uint64
	FromGUID uint64 // 0 for a full stream
	Compound bool   // a -R package: it may create child datasets and carry properties
}

// The layout of a DRR_BEGIN record (include/sys/zfs_ioctl.h): drr_type,
// drr_payloadlen, then drr_magic, drr_versioninfo (its low two bits are the header
// type), drr_creation_time, drr_type, drr_flags, drr_toguid, drr_fromguid,
// drr_toname[256].
const (
	streamMagic      = 0x2F5bacbac
	streamBeginLen   = 312
	hdrCompound      = 2
	streamTypeBegin  = 0
	streamNameOffset = 56
)

// ErrBadStream: what was read is not the start of a zfs send stream.
var ErrBadStream = errors.New("not a zfs send stream")

// PeekStream reads the first record of a zfs send stream from r and returns what it
// says, and a reader that yields the whole stream (that record included) for zfs
// receive.
func PeekStream(r io.Reader) (StreamBegin, io.Reader, error) {
	buf := make([]byte, streamBeginLen)
	n, err := io.ReadFull(r, buf)
	whole := io.MultiReader(bytes.NewReader(buf[:n]), r)
	if err != nil {
		return StreamBegin{}, whole, fmt.Errorf("%w: %d bytes (%v)", ErrBadStream, n, err)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if bo.Uint64(buf[8:]) != streamMagic {
		bo = binary.BigEndian
		if bo.Uint64(buf[8:]) != streamMagic {
			return StreamBegin{}, whole, fmt.Errorf("%w: no stream magic", ErrBadStream)
		}
	}
	if bo.Uint32(buf[0:]) != streamTypeBegin {
		return StreamBegin{}, whole, fmt.Errorf("%w: its first record is not a BEGIN", ErrBadStream)
	}
	name := buf[streamNameOffset:streamBeginLen]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return StreamBegin{
		ToName:   string(name),
		ToGUID:   bo.Uint64(buf[40:]),
		FromGUID: bo.Uint64(buf[48:]),
		Compound: bo.Uint64(buf[16:])&3 == hdrCompound,
	}, whole, nil
}
