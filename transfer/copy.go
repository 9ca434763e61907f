// Package transfer owns kvmbackup's data movement: the changed-block copy of an image
// or device into the backup in place (comparing SRC with DST, or SRC with the
// manifest of DST's block hashes from the last copy), manifests, progress and stats.
//
// A copy writes only what differs, keeps holes, and fsyncs DST before it reports
// success; a manifest is trusted only when DST is provably the file it describes.
package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/zeebo/xxh3"
	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
	"github.com/kvmbackup/kvmbackup/internal/ranges"
)

// CompareBlock is the granularity of compare mode: only differing 4 KiB blocks are
// written.
const CompareBlock = 4 << 10

// Options tune a copy.
type Options struct {
	// Manifest is DST's manifest file: used (DST not read) when it provably
	// describes DST, rewritten atomically after the copy. "" for none.
	//
	// Provably: DST is a regular file whose identity (inode, size, modification and
	// change times) is the one the manifest recorded, and a spot check of its
	// blocks matches. A block device is never trusted, whatever its manifest says:
	// its times do not change when it is written, and anyone who can open it (a
	// guest, a mount, root's dd, even between two opens by kvmbackup) can have
	// written it since; no generation kvmbackup could record would see such a write,
	// so a block-device DST is always compared (the manifest is still rewritten,
	// for Verify).
	Manifest string
	// ChunkSize is the size of each sequential read (default 1 MiB).
	ChunkSize int
	// Streams is how many contiguous parts of the image are copied side by side,
	// each read in order. Default: two sequential reads in flight on the disk, i.e.
	// one part in compare mode (SRC and DST are read side by side already) and two
	// when only SRC is read (measured here: 1 GiB, compare 0.64 s with one part and
	// 0.70–1.97 s with two; SRC alone one stream 0.21–1.5 s, two 0.19 s).
	Streams int
	// SrcFile and DstFile, when set, are SRC and DST already open (DST read-write):
	// Copy uses them instead of opening the paths, which then only name them in
	// messages, and does not close them. A caller that resolved them beneath a root
	// without following symlinks (internal/beneath) keeps that guarantee this way.
	SrcFile, DstFile *os.File
	// Progress, when set, is called after each chunk with bytes done and total.
	Progress func(done, total int64)
	// Tracked says Changed holds every byte range of SRC that can differ from what
	// SRC held when DST's manifest was written (changed-block tracking: thin_delta
	// between the last copy's snapshot and this one), where SRC grew too: what SRC
	// grew by is zeros outside them. Then only those ranges are
	// read ("cbt" mode), the rest of the manifest is carried over, and within them
	// only blocks whose hash differs are written. Only with a trusted manifest
	// (manifest mode): otherwise SRC is copied whole as without, and Stats.Note says
	// why. The caller vouches for the ranges: a change outside them is not seen.
	Tracked bool
	Changed []Range
}

// Range is a byte range of SRC.
type Range = ranges.Range

// Stats describe a finished copy.
type Stats struct {
	Mode     string `json:"mode"` // new, compare, manifest or cbt
	Note     string `json:"note,omitempty"`
	Size     int64  `json:"size"`
	Changed  int64  `json:"changed,omitempty"` // cbt: bytes the tracked ranges hold
	SrcRead  int64  `json:"src_read"`
	DstRead  int64  `json:"dst_read"`
	Compared int64  `json:"compared"` // bytes of SRC compared with DST read

	Written     int64         `json:"written"`
	Punched     int64         `json:"punched"`
	Holes       int64         `json:"holes_skipped"`
	DstSizeWas  int64         `json:"dst_size_was"`
	Duration    time.Duration `json:"duration_ns"`
	MBPerSecond float64       `json:"mb_per_second"`
}

// Copy makes DST byte-identical to SRC (a file or block device), writing only what
// differs. DST (a file, created if missing, or a block device at least as big as
// SRC) grows or shrinks to SRC's size when it is a file. Bad input fails before
// anything is written, naming the path.
func Copy(ctx context.Context, src, dst string, opts Options) (Stats, error) {
	start := time.Now()
	log := zerolog.Ctx(ctx).With().Str("component", "transfer").Str("dst", dst).Logger()
	c, err := open(src, dst, opts)
	if err != nil {
		return Stats{}, err
	}
	defer c.close()
	c.log = &log
	log.Debug().Str("mode", c.stats.Mode).Str("note", c.stats.Note).Dur("took", time.Since(start)).Msg("opened")
	if err := c.run(ctx); err != nil {
		return c.stats, err
	}
	c.stats.Duration = time.Since(start)
	if s := c.stats.Duration.Seconds(); s > 0 {
		c.stats.MBPerSecond = float64(c.stats.Size) / 1e6 / s
	}
	return c.stats, nil
}

type copier struct {
	opts             Options
	src, dst         *os.File
	srcPath, dstPath string
	srcFile, dstFile bool // regular files (else block devices)
	ownSrc, ownDst   bool // opened by Copy, closed by it
	size             int64
	isNew            bool
	old              *manifest    // trusted manifest (manifest mode)
	written          atomic.Int64 // by every stream, for error messages
	log              *zerolog.Logger
	hashes           []xxh3.Uint128
	zeros            []byte // one chunk of zeros
	stats            Stats
}

func (c *copier) close() {
	if c.src != nil && c.ownSrc {
		c.src.Close()
	}
	if c.dst != nil && c.ownDst {
		c.dst.Close()
	}
}

func open(src, dst string, opts Options) (*copier, error) {
	c := &copier{opts: opts, srcPath: src, dstPath: dst}
	if c.opts.ChunkSize <= 0 {
		c.opts.ChunkSize = 1 << 20
	}
	if c.opts.ChunkSize%ManifestBlock != 0 {
		return nil, fmt.Errorf("chunk size %d is not a multiple of %d", c.opts.ChunkSize, ManifestBlock)
	}
	c.zeros = make([]byte, c.opts.ChunkSize)
	var err error
	if c.src = opts.SrcFile; c.src == nil {
		if c.src, err = os.Open(src); err != nil {
			return nil, fmt.Errorf("source: %w", err)
		}
		c.ownSrc = true
	}
	sst, err := c.src.Stat()
	if err != nil {
		c.close()
		return nil, fmt.Errorf("source: %w", err)
	}
	switch {
	case sst.Mode().IsRegular():
		c.srcFile = true
	case sst.Mode()&os.ModeDevice != 0 && sst.Mode()&os.ModeCharDevice == 0:
	default:
		c.close()
		return nil, fmt.Errorf("source %s is not a regular file or a block device", src)
	}
	if c.srcFile {
		c.size = sst.Size()
	} else if c.size, err = deviceSize(c.src); err != nil {
		c.close()
		return nil, err
	}
	c.stats.Size = c.size
	if c.dst = opts.DstFile; c.dst == nil {
		if c.dst, c.isNew, err = openDst(dst); err != nil {
			c.close()
			return nil, err
		}
		c.ownDst = true
	}
	dst1, err := c.dst.Stat()
	switch {
	case err != nil:
		c.close()
		return nil, fmt.Errorf("destination: %w", err)
	case dst1.IsDir():
		c.close()
		return nil, fmt.Errorf("destination %s is a directory: give the path of the image file", dst)
	case os.SameFile(sst, dst1):
		c.close()
		return nil, fmt.Errorf("source and destination are the same file: %s and %s", src, dst)
	case dst1.Mode().IsRegular():
		c.dstFile = true
		c.isNew = c.isNew || dst1.Size() == 0 // nothing there to compare with
	case dst1.Mode()&os.ModeDevice != 0 && dst1.Mode()&os.ModeCharDevice == 0:
	default:
		c.close()
		return nil, fmt.Errorf("destination %s is not a regular file or a block device", dst)
	}
	// The manifest is judged against DST as it is now, before anything changes it.
	switch {
	case opts.Manifest == "" || c.isNew:
	case !c.dstFile:
		c.stats.Note = "the destination is a block device: nothing proves it unwritten since its manifest (a device's times do not change when it is written): compared with the destination"
	default:
		c.old, c.stats.Note = trustManifest(opts.Manifest, c.dst, c.size)
	}
	if c.dstFile {
		c.stats.DstSizeWas = dst1.Size()
		// An image holds a guest's whole disk: root's alone, also one an earlier
		// version wrote 0640.
		if !c.isNew && dst1.Mode().Perm()&0o077 != 0 {
			if err := c.dst.Chmod(0o600); err != nil {
				c.close()
				return nil, fmt.Errorf("destination: %w", err)
			}
		}
		if c.stats.DstSizeWas != c.size {
			if err := c.dst.Truncate(c.size); err != nil {
				c.close()
				return nil, fmt.Errorf("resize destination %s to %d bytes: %w", dst, c.size, err)
			}
		}
	} else {
		n, err := deviceSize(c.dst)
		if err != nil {
			c.close()
			return nil, err
		}
		c.stats.DstSizeWas = n
		if n < c.size {
			c.close()
			return nil, fmt.Errorf("destination block device %s (%d bytes) is smaller than the source %s (%d bytes): nothing written", dst, n, src, c.size)
		}
	}
	switch {
	case c.isNew:
		c.stats.Mode = "new"
	case c.old != nil && opts.Tracked:
		c.stats.Mode = "cbt"
	case c.old != nil:
		c.stats.Mode = "manifest"
	default:
		c.stats.Mode = "compare"
	}
	if opts.Tracked && c.old == nil {
		why := c.stats.Note
		if c.isNew {
			why = "a new destination"
		}
		c.stats.Note = "changed-block tracking not used: " + why
	}
	return c, nil
}

// openDst opens dst read-write, or creates it (0600) when it does not exist.
func openDst(dst string) (f *os.File, created bool, err error) {
	f, err = os.OpenFile(dst, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		f, err = os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		created = err == nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("destination: %w", err)
	}
	return f, created, nil
}

// trustManifest returns the manifest at path when it provably describes dst (see
// Options.Manifest): it reads, dst is a regular file whose identity (inode, size,
// times) is the one it recorded, and a spot check of blocks read from dst matches.
// Otherwise nil and why.
func trustManifest(path string, dst *os.File, srcSize int64) (*manifest, string) {
	m, err := readManifest(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "no manifest yet (" + path + "): compared with the destination"
	}
	if err != nil {
		return nil, fmt.Sprintf("manifest %s unusable (%v): compared with the destination", path, err)
	}
	id, err := identityOf(dst)
	if err != nil {
		return nil, fmt.Sprintf("destination %s: %v", dst.Name(), err)
	}
	if id != m.id {
		return nil, "the destination changed since its manifest was written: compared with the destination"
	}
	if !spotCheck(dst, m) {
		return nil, "the destination's content does not match its manifest: compared with the destination"
	}
	return m, ""
}

// spotCheck hashes the first, the last and 14 random blocks of dst, read side by
// side (on a cold cache each is a seek: one after the other they cost ~10 ms).
func spotCheck(f *os.File, m *manifest) bool {
	n := m.blocks()
	if n == 0 {
		return true
	}
	idx := []int64{0, n - 1}
	for range 14 {
		idx = append(idx, rand.Int64N(n))
	}
	var bad atomic.Bool
	var wg sync.WaitGroup
	for _, i := range idx {
		wg.Go(func() {
			buf := make([]byte, min(int64(ManifestBlock), m.length-i*ManifestBlock))
			if _, err := f.ReadAt(buf, i*ManifestBlock); err != nil || blockHash(buf) != m.hashes[i] {
				bad.Store(true)
			}
		})
	}
	wg.Wait()
	return !bad.Load()
}

// span is one chunk of the copy: which sides hold data there.
type span struct {
	off     int64
	n       int
	srcData bool
	dstData bool
}

// piece is a chunk read from one side (buf nil: all zeros, nothing read).
type piece struct {
	off int64
	buf []byte
	err error
}

func (c *copier) run(ctx context.Context) error {
	srcExt, err := dataExtents(c.src, c.size, c.srcFile)
	if err != nil {
		return err
	}
	compare := c.stats.Mode == "compare"
	var dstExt []extent
	if compare {
		if dstExt, err = dataExtents(c.dst, c.size, c.dstFile); err != nil {
			return err
		}
	}
	var spans []span
	si, di := 0, 0
	areas := []Range{{Off: 0, Len: c.size}}
	if c.stats.Mode == "cbt" {
		areas = c.trackedAreas()
	}
	total := int64(0)
	for _, a := range areas {
		for off := a.Off; off < a.Off+a.Len; off += int64(c.opts.ChunkSize) {
			n := int(min(int64(c.opts.ChunkSize), a.Off+a.Len-off))
			s := span{off: off, n: n, srcData: hasData(srcExt, &si, off, int64(n))}
			s.dstData = compare && hasData(dstExt, &di, off, int64(n))
			spans = append(spans, s)
		}
		total += a.Len
	}
	if c.opts.Manifest != "" {
		c.hashes = make([]xxh3.Uint128, (c.size+ManifestBlock-1)/ManifestBlock)
		if c.stats.Mode == "cbt" { // what no range touches is as the manifest says
			for i := range c.hashes {
				c.hashes[i] = c.old.hashAt(int64(i))
			}
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Contiguous parts, one per stream, each copied in order by its own worker.
	streams := c.opts.Streams
	if streams <= 0 {
		streams = 2
		if compare {
			streams = 1
		}
	}
	parts := max(1, min(streams, len(spans)))
	workers := make([]*worker, parts)
	errs := make(chan error, parts)
	var progressMu sync.Mutex
	var done int64
	for i := range parts {
		w := &worker{c: c}
		w.w.w = w
		workers[i] = w
		lo, hi := i*len(spans)/parts, (i+1)*len(spans)/parts
		go func() {
			err := w.run(ctx, spans[lo:hi], compare, func(n int64) {
				if c.opts.Progress != nil {
					progressMu.Lock()
					done += n
					c.opts.Progress(done, total)
					progressMu.Unlock()
				}
			})
			if err != nil {
				cancel()
			}
			errs <- err
		}()
	}
	var firstErr error
	for range parts {
		if err := <-errs; err != nil && (firstErr == nil || errors.Is(firstErr, context.Canceled)) {
			firstErr = err
		}
	}
	for _, w := range workers {
		c.stats.add(w.stats)
	}
	if firstErr != nil {
		return firstErr
	}
	t := time.Now()
	c.log.Debug().Int64("written", c.stats.Written).Msg("data copied")
	// DST's fsync and the new manifest's writing overlap; the manifest is put in
	// place only once DST is durable (it describes DST as written).
	synced := make(chan error, 1)
	go func() { synced <- c.dst.Sync() }()
	var staged *atomicfile.Staged
	var merr error
	if c.opts.Manifest != "" {
		var id identity
		if id, merr = identityOf(c.dst); merr == nil {
			staged, merr = stageManifest(c.opts.Manifest, &manifest{id: id, length: c.size, hashes: c.hashes})
		}
	}
	if err := <-synced; err != nil {
		if staged != nil {
			staged.Discard()
		}
		return fmt.Errorf("fsync %s: %w", c.dstPath, err)
	}
	c.log.Debug().Dur("took", time.Since(t)).Msg("fsynced")
	if merr != nil {
		return merr
	}
	if staged != nil {
		if err := staged.Commit(); err != nil {
			return fmt.Errorf("manifest: %w", err)
		}
		c.log.Debug().Dur("took", time.Since(t)).Msg("manifest written")
	}
	return nil
}

// trackedAreas turns the tracked ranges into the areas a cbt copy reads: clipped to
// SRC, widened to whole manifest blocks, merged; with the last block the manifest
// and SRC share and whatever SRC has grown by (a shorter last block, or zeros the
// manifest does not describe).
func (c *copier) trackedAreas() []Range {
	rs := make([]Range, 0, len(c.opts.Changed)+1)
	for _, r := range c.opts.Changed {
		lo, hi := max(r.Off, 0), min(r.Off+r.Len, c.size)
		if lo >= hi {
			continue
		}
		c.stats.Changed += hi - lo
		rs = append(rs, Range{Off: lo, Len: hi - lo})
	}
	// The last block of each length, where a shorter block ends: its hash covers
	// only its own bytes. What SRC grew by beyond that is zeros unless a range says
	// otherwise (the truncate makes DST a hole there; the manifest says zeros).
	for _, end := range []int64{min(c.old.length, c.size), c.size} {
		if end > 0 {
			lo := (end - 1) / ManifestBlock * ManifestBlock
			rs = append(rs, Range{Off: lo, Len: end - lo})
		}
	}
	for i, r := range rs {
		lo := r.Off / ManifestBlock * ManifestBlock
		hi := min(roundUp(r.Off+r.Len, ManifestBlock), c.size)
		rs[i] = Range{Off: lo, Len: hi - lo}
	}
	return ranges.Merge(rs)
}

// worker copies a contiguous part of the image: its own readers, in order.
type worker struct {
	c     *copier
	stats Stats // its share of the counters
	w     writer
}

func (wk *worker) run(ctx context.Context, spans []span, compare bool, progress func(int64)) error {
	c := wk.c
	wk.w.deferTo = compare && c.dstFile
	srcCh := c.reader(ctx, c.src, spans, func(s span) bool { return s.srcData })
	var dstCh <-chan piece
	if compare {
		dstCh = c.reader(ctx, c.dst, spans, func(s span) bool { return s.dstData })
	}
	for _, s := range spans {
		ps := <-srcCh
		if ps.err != nil {
			return ps.err
		}
		var pd piece
		if compare {
			if pd = <-dstCh; pd.err != nil {
				return pd.err
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := wk.chunk(s, ps.buf, pd.buf); err != nil {
			return err
		}
		recycle(ps.buf)
		recycle(pd.buf)
		if err := wk.w.applyUpTo(s.off + int64(s.n)); err != nil {
			return err
		}
		progress(int64(s.n))
	}
	return wk.w.applyUpTo(-1)
}

func (s *Stats) add(o Stats) {
	s.SrcRead += o.SrcRead
	s.DstRead += o.DstRead
	s.Compared += o.Compared
	s.Written += o.Written
	s.Punched += o.Punched
	s.Holes += o.Holes
}

// chunk handles one span: src and dst hold its bytes (nil: zeros, not read).
func (wk *worker) chunk(s span, src, dst []byte) error {
	c, w := wk.c, &wk.w
	if src != nil {
		wk.stats.SrcRead += int64(s.n)
	}
	if dst != nil {
		wk.stats.DstRead += int64(s.n)
	}
	if src == nil && dst == nil && c.old == nil {
		wk.stats.Holes += int64(s.n)
		for i := s.off / ManifestBlock; c.hashes != nil && i*ManifestBlock < s.off+int64(s.n); i++ {
			c.hashes[i] = holeHash(int(min(ManifestBlock, c.size-i*ManifestBlock)))
		}
		return nil
	}
	dstRead := dst != nil
	if src == nil {
		src = c.zeros[:s.n]
	}
	if c.hashes != nil || c.old != nil {
		for b := 0; b < s.n; b += ManifestBlock {
			e := min(b+ManifestBlock, s.n)
			i := (s.off + int64(b)) / ManifestBlock
			h := zeroHash
			if e-b != ManifestBlock || !isZero(src[b:e]) {
				h = blockHash(src[b:e])
			}
			if c.hashes != nil {
				c.hashes[i] = h
			}
			if c.old != nil && h != c.old.hashAt(i) {
				if err := w.add(s.off+int64(b), src[b:e]); err != nil {
					return err
				}
			}
		}
		if c.old != nil {
			return w.flush()
		}
	}
	if dstRead {
		wk.stats.Compared += int64(s.n)
	} else {
		dst = c.zeros[:s.n] // a new DST, or a hole in it
	}
	if bytes.Equal(src, dst) {
		return nil
	}
	for b := 0; b < s.n; b += CompareBlock {
		e := min(b+CompareBlock, s.n)
		if bytes.Equal(src[b:e], dst[b:e]) {
			if err := w.flush(); err != nil {
				return err
			}
			continue
		}
		if err := w.add(s.off+int64(b), src[b:e]); err != nil {
			return err
		}
	}
	return w.flush()
}

// writer coalesces adjacent changed blocks into one write (or one hole punch when
// they are all zeros).
//
// In compare mode DST is read through the page cache, and a write into a cached large
// folio dirties all of it (writeback then writes the whole folio: on ext4 with large
// folios, ~25× the changed bytes). So there the writes wait until the reader is past
// the folios around them, which are then dropped (clean: only read) before the write
// lands in fresh pages; readahead the reader still needs is left alone.
type writer struct {
	w       *worker
	deferTo bool // compare mode on a file: writes wait (see above)
	pending []pendingWrite
	off     int64
	data    []byte // a run of adjacent blocks (aliases the source buffer)
	zero    bool
}

func (w *writer) add(off int64, b []byte) error {
	z := isZero(b)
	if len(w.data) > 0 && (w.off+int64(len(w.data)) != off || w.zero != z) {
		if err := w.flush(); err != nil {
			return err
		}
	}
	if len(w.data) == 0 {
		w.off, w.zero = off, z
		w.data = b
		return nil
	}
	w.data = w.data[:len(w.data)+len(b)] // adjacent in the same buffer
	return nil
}

func (w *writer) flush() error {
	if len(w.data) == 0 {
		return nil
	}
	off, data, zero := w.off, w.data, w.zero
	w.data = nil
	if w.deferTo {
		p := pendingWrite{off: off, n: int64(len(data)), zero: zero}
		if !zero {
			p.data = append([]byte(nil), data...) // the chunk's buffer is reused
		}
		w.pending = append(w.pending, p)
		return nil
	}
	return w.apply(off, data, zero)
}

type pendingWrite struct {
	off, n int64
	data   []byte // nil for a zero run
	zero   bool
}

// applyUpTo applies the pending writes whose folios lie wholly before pos (the
// reader has consumed DST up to there); all of them when pos < 0.
func (w *writer) applyUpTo(pos int64) error {
	i := 0
	for ; i < len(w.pending); i++ {
		p := w.pending[i]
		if pos >= 0 && roundUp(p.off+p.n, folioMax) > pos {
			break
		}
		lo := p.off &^ (folioMax - 1)
		unix.Fadvise(int(w.w.c.dst.Fd()), lo, roundUp(p.off+p.n, folioMax)-lo, unix.FADV_DONTNEED)
		data := p.data
		if p.zero {
			data = w.w.c.zeros[:p.n] // a run never spans chunks: it fits
		}
		if err := w.apply(p.off, data, p.zero); err != nil {
			return err
		}
	}
	w.pending = w.pending[i:]
	return nil
}

func roundUp(n, to int64) int64 { return (n + to - 1) &^ (to - 1) }

// apply writes data at off (or punches a hole for a zero run on a file).
func (w *writer) apply(off int64, data []byte, zero bool) error {
	c, st := w.w.c, &w.w.stats
	if zero && c.dstFile {
		punched, err := punch(c.dst, off, int64(len(data)), c.zeros)
		if err != nil {
			return c.writeErr(err)
		}
		if punched {
			st.Punched += int64(len(data))
			return nil
		}
	} else if _, err := c.dst.WriteAt(data, off); err != nil {
		return c.writeErr(err)
	} else {
		// Start its writeback now, while the reads go on: the fsync at the end then
		// mostly waits for what is already on its way (an optimisation only: the
		// fsync is what makes DST durable, so an error here changes nothing).
		unix.SyncFileRange(int(c.dst.Fd()), off, int64(len(data)), unix.SYNC_FILE_RANGE_WRITE)
	}
	// Written, or zeros written where no hole could be punched.
	c.written.Add(int64(len(data)))
	st.Written += int64(len(data))
	return nil
}

// folioMax bounds the page cache's folios (2 MiB, a PMD on x86-64).
const folioMax = 2 << 20

// writeErr names DST and how much every stream has written so far.
func (c *copier) writeErr(err error) error {
	written := c.written.Load()
	if errors.Is(err, unix.ENOSPC) {
		return fmt.Errorf("write %s: no space left on the device after writing %d bytes: %w", c.dstPath, written, err)
	}
	return fmt.Errorf("write %s (after %d bytes written): %w", c.dstPath, written, err)
}

// reader streams f's chunks in order, reading only those want says hold data.
func (c *copier) reader(ctx context.Context, f *os.File, spans []span, want func(span) bool) <-chan piece {
	ch := make(chan piece, 4)
	go func() {
		defer close(ch)
		for _, s := range spans {
			p := piece{off: s.off}
			if want(s) {
				p.buf = getBuf(c.opts.ChunkSize)[:s.n]
				if _, err := f.ReadAt(p.buf, s.off); err != nil {
					p.err = fmt.Errorf("read %s at %d: %w", f.Name(), s.off, err)
				}
			}
			select {
			case ch <- p:
			case <-ctx.Done():
				return
			}
			if p.err != nil {
				return
			}
		}
	}()
	return ch
}

var bufPool = make(chan []byte, 16)

func getBuf(n int) []byte {
	select {
	case b := <-bufPool:
		if cap(b) >= n {
			return b[:n]
		}
	default:
	}
	return make([]byte, n)
}

func recycle(b []byte) {
	if b == nil {
		return
	}
	select {
	case bufPool <- b[:cap(b)]:
	default:
	}
}
