package lvm

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/internal/ranges"
	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// Changed-block tracking on thin LVs: the last backup's thin snapshot of a thin LV is
// kept as its base (BaseName, tagged Tag and BaseTag, read-only, not activated); the
// next run's snapshot is compared with it in the pool's metadata by thin_delta, which
// names the pool chunks that differ without reading any data.

// ErrNotReserved: ThinDelta could not reserve the pool's metadata snapshot (one is
// held already, by a crashed run or another tool; or the pool is read-only or out of
// metadata space): nothing of the call's is left to release.
var ErrNotReserved = errors.New("metadata snapshot not reserved")

// BaseTag marks the one thin snapshot per thin LV that outlives its run: the base of
// the next run's changed-block tracking. Cleanup never removes it.
const BaseTag = "kvmbackup_base"

// baseSuffix ends every base's name: a person sees what it is.
const baseSuffix = ".kvmbackup-base"

// BaseName is the name of origin's base, within LVM's 127 characters.
func BaseName(origin string) string {
	if len(origin)+len(baseSuffix) > 127 {
		origin = origin[:127-len(baseSuffix)]
	}
	return origin + baseSuffix
}

// IsBase reports whether l is one of kvmbackup's bases: a thin LV carrying Tag and
// BaseTag, which only KeepAsBase gives (to a thin snapshot; one whose origin was
// removed since is a thin LV of its own, still a base).
func (l LV) IsBase() bool { return l.HasTag(Tag) && l.HasTag(BaseTag) && l.IsThin() }

// ErrStaleBase: the LV of a base's name is kvmbackup's base, but no longer a
// snapshot of that origin (the origin was removed, or made anew under its name).
var ErrStaleBase = errors.New("the base is not a snapshot of this LV")

// Base returns the base of the thin LV vg/origin: ErrNotFound when there is none,
// ErrNotOurs when an LV of its name is not kvmbackup's base, ErrStaleBase when it is
// but not of this origin (DropBase removes it).
func (m *Manager) Base(ctx context.Context, vg, origin string) (LV, error) {
	b, err := m.LV(ctx, vg, BaseName(origin))
	if err != nil {
		return LV{}, err
	}
	if !b.IsBase() {
		return LV{}, fmt.Errorf("base %s of %s/%s: %w (tags %v, attr %s)", b.FullName(), vg, origin, ErrNotOurs, b.Tags, b.Attr)
	}
	if b.Origin != origin {
		return LV{}, fmt.Errorf("base %s of %s/%s: %w (its origin: %q)", b.FullName(), vg, origin, ErrStaleBase, b.Origin)
	}
	return b, nil
}

// Bases lists every base kvmbackup holds.
func (m *Manager) Bases(ctx context.Context) ([]LV, error) {
	lvs, err := m.LVs(ctx, "lv_tags="+BaseTag)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(lvs, func(l LV) bool { return !l.IsBase() }), nil
}

// DropBase removes the base of vg/origin (none is not an error), also a stale one:
// that LV's next run compares it whole.
func (m *Manager) DropBase(ctx context.Context, vg, origin string) error {
	b, err := m.Base(ctx, vg, origin)
	switch {
	case IsNotFound(err):
		return nil
	case errors.Is(err, ErrStaleBase): // ours all the same
		b, err = m.LV(ctx, vg, BaseName(origin))
	}
	if err != nil {
		return err
	}
	return m.removeLV(ctx, b)
}

// KeepAsBase makes snap, a run's thin snapshot, the base of its origin: the old base
// is removed, snap is renamed BaseName(origin), its run tag is replaced by BaseTag
// (one metadata change: a crash leaves it either a run's snapshot, which Cleanup
// removes, or a base), and it is made read-only and deactivated.
func (m *Manager) KeepAsBase(ctx context.Context, snap LV) (LV, error) {
	cur := snap // as Snapshot returned it: its tags are the run's
	var runTags []string
	for _, t := range cur.Tags {
		if strings.HasPrefix(t, RunTagPrefix) {
			runTags = append(runTags, t)
		}
	}
	if !cur.HasTag(Tag) || !cur.IsSnapshot() || !cur.IsThin() || cur.Origin == "" || len(runTags) == 0 {
		return LV{}, fmt.Errorf("keep %s as base: %w: only a run's thin snapshot can be (tags %v, attr %s)", cur.FullName(), ErrNotOurs, cur.Tags, cur.Attr)
	}
	if err := m.DropBase(ctx, cur.VG, cur.Origin); err != nil {
		return LV{}, fmt.Errorf("keep %s as base: the old base: %w", cur.FullName(), err)
	}
	name := BaseName(cur.Origin)
	if _, err := m.LVM.Run(ctx, "lvrename", cur.VG, cur.Name, name); err != nil {
		return LV{}, fmt.Errorf("keep %s as base: rename to %s: %w", cur.FullName(), name, classify(err))
	}
	// One lvchange: the tags, read-only, skipped by activation, and deactivated.
	args := []string{"lvchange", "--addtag", BaseTag, "--permission", "r", "--setactivationskip", "y", "--activate", "n"}
	for _, t := range runTags {
		args = append(args, "--deltag", t)
	}
	if _, err := m.LVM.Run(ctx, append(args, cur.VG+"/"+name)...); err != nil {
		return LV{}, fmt.Errorf("keep %s/%s as base: %w", cur.VG, name, classify(err))
	}
	b := cur
	b.Name, b.Path, b.Major, b.Minor = name, "/dev/"+cur.VG+"/"+name, -1, -1
	b.Tags = append(slices.DeleteFunc(slices.Clone(cur.Tags), func(t string) bool { return strings.HasPrefix(t, RunTagPrefix) }), BaseTag)
	if len(b.Attr) > 4 {
		a := []byte(b.Attr)
		a[1], a[4] = 'r', '-'
		b.Attr = string(a)
	}
	return b, nil
}

// Range is a byte range of a volume.
type Range = ranges.Range

// Delta is what changed between a base and a newer thin snapshot of the same LV, in
// byte ranges clipped to the new snapshot's size (pool chunks: whole chunks).
type Delta struct {
	ChunkSize int64   // bytes (the pool's data block size)
	Changed   []Range // `different` and `right_only`: read these
	Discarded []Range // `left_only`: mapped in the base, a hole now
	// ChangedBytes and DiscardedBytes total the ranges.
	ChangedBytes, DiscardedBytes int64
	Took                         time.Duration
}

// Ranges returns Changed and Discarded together, sorted and merged: every byte that
// can differ between the two snapshots.
func (d Delta) Ranges() []Range { return ranges.Merge(append(slices.Clone(d.Changed), d.Discarded...)) }

// ThinDelta asks the pool's metadata which chunks differ between base and snap (two
// thin snapshots of one thin LV, in one pool, that do not change while it runs). It
// reserves the pool's metadata snapshot, runs thin_delta on it, and releases it on
// every path; a crash in between leaves it reserved: ReleaseMetadataSnap undoes that.
// Only one metadata snapshot per pool can exist: calls for one pool take turns.
func (m *Manager) ThinDelta(ctx context.Context, base, snap LV) (Delta, error) {
	start := time.Now()
	switch {
	case !base.IsThin() || !snap.IsThin():
		return Delta{}, fmt.Errorf("thin_delta %s %s: both must be thin volumes", base.FullName(), snap.FullName())
	case base.VG != snap.VG || base.Pool != snap.Pool || base.Pool == "":
		return Delta{}, fmt.Errorf("thin_delta %s %s: not in one thin pool (%q, %q)", base.FullName(), snap.FullName(), base.Pool, snap.Pool)
	case base.ThinID < 0 || snap.ThinID < 0:
		return Delta{}, fmt.Errorf("thin_delta %s %s: thin ids unknown (%d, %d)", base.FullName(), snap.FullName(), base.ThinID, snap.ThinID)
	}
	mu := m.poolLock(snap.VG + "/" + snap.Pool)
	mu.Lock()
	defer mu.Unlock()
	tpool := DMName(snap.VG, snap.Pool) + "-tpool"
	if _, err := m.Dmsetup.Run(ctx, "message", tpool, "0", "reserve_metadata_snap"); err != nil {
		return Delta{}, fmt.Errorf("reserve the metadata snapshot of thin pool %s/%s: %w: %w", snap.VG, snap.Pool, ErrNotReserved, err)
	}
	d, err := m.thinDelta(ctx, base, snap)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if rerr := m.ReleaseMetadataSnap(cctx, snap.VG, snap.Pool); rerr != nil {
		err = errors.Join(err, rerr)
	}
	if err != nil {
		return Delta{}, err
	}
	d.Took = time.Since(start)
	zerolog.Ctx(ctx).Debug().Str("component", "lvm").Str("base", base.FullName()).Str("snapshot", snap.FullName()).
		Int64("changed", d.ChangedBytes).Int64("discarded", d.DiscardedBytes).Dur("took", d.Took).Msg("thin_delta")
	return d, nil
}

func (m *Manager) thinDelta(ctx context.Context, base, snap LV) (Delta, error) {
	tmeta := "/dev/mapper/" + DMName(snap.VG, snap.Pool) + "_tmeta"
	pr, pw := io.Pipe()
	parsed := make(chan struct {
		d   Delta
		err error
	}, 1)
	go func() {
		d, err := parseDelta(pr, snap.Size)
		pr.CloseWithError(err) // thin_delta's writes fail rather than block
		parsed <- struct {
			d   Delta
			err error
		}{d, err}
	}()
	_, err := m.ThinDeltaTool.RunWith(ctx, runner.Options{Stdout: pw}, "--metadata-snap",
		"--thin1", strconv.Itoa(base.ThinID), "--thin2", strconv.Itoa(snap.ThinID), tmeta)
	pw.CloseWithError(err)
	p := <-parsed
	if err != nil {
		return Delta{}, fmt.Errorf("thin_delta of %s (id %d) and %s (id %d): %w", base.FullName(), base.ThinID, snap.FullName(), snap.ThinID, err)
	}
	if p.err != nil {
		return Delta{}, fmt.Errorf("thin_delta of %s and %s: %w", base.FullName(), snap.FullName(), p.err)
	}
	return p.d, nil
}

// ReleaseMetadataSnap releases the metadata snapshot of thin pool vg/pool; none held
// (or no such pool active) is not an error.
func (m *Manager) ReleaseMetadataSnap(ctx context.Context, vg, pool string) error {
	if err := validName("VG", vg); err != nil {
		return err
	}
	if err := validName("LV", pool); err != nil {
		return err
	}
	tpool := DMName(vg, pool) + "-tpool"
	if _, err := m.Dmsetup.Run(ctx, "message", tpool, "0", "release_metadata_snap"); err != nil {
		held, herr := m.metadataSnapHeld(ctx, tpool)
		if herr == nil && !held {
			return nil
		}
		return fmt.Errorf("release the metadata snapshot of thin pool %s/%s: %w", vg, pool, err)
	}
	return nil
}

// metadataSnapHeld reads the pool's status: its 7th field is the held metadata
// root's block, or "-" when none is held. A pool that is not active holds none.
func (m *Manager) metadataSnapHeld(ctx context.Context, tpool string) (bool, error) {
	out, err := m.Dmsetup.Output(ctx, "status", tpool)
	if err != nil {
		if strings.Contains(err.Error(), "No such device") {
			return false, nil
		}
		return false, err
	}
	f := strings.Fields(string(out))
	// start length thin-pool transaction used/total-meta used/total-data held-root ...
	if len(f) < 7 || f[2] != "thin-pool" {
		return false, fmt.Errorf("dmsetup status %s: unexpected %q", tpool, strings.TrimSpace(string(out)))
	}
	return f[6] != "-", nil
}

// MetadataSnapHeld reports whether thin pool vg/pool holds a metadata snapshot now.
func (m *Manager) MetadataSnapHeld(ctx context.Context, vg, pool string) (bool, error) {
	return m.metadataSnapHeld(ctx, DMName(vg, pool)+"-tpool")
}

// DMName is device-mapper's name of vg/lv: each '-' doubled, joined by '-'.
func DMName(vg, lv string) string {
	return strings.ReplaceAll(vg, "-", "--") + "-" + strings.ReplaceAll(lv, "-", "--")
}

func (m *Manager) poolLock(pool string) *sync.Mutex {
	m.poolMu.Lock()
	defer m.poolMu.Unlock()
	if m.pools == nil {
		m.pools = map[string]*sync.Mutex{}
	}
	if m.pools[pool] == nil {
		m.pools[pool] = &sync.Mutex{}
	}
	return m.pools[pool]
}

// parseDelta reads thin_delta's XML with a streaming decoder: the superblock's
// data_block_size (512-byte sectors) and the diff's ranges (in pool blocks), clipped
// to size bytes and merged.
func parseDelta(r io.Reader, size int64) (Delta, error) {
	var d Delta
	dec := xml.NewDecoder(r)
	inDiff := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Delta{}, fmt.Errorf("unreadable thin_delta output: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "superblock":
				sectors, err := attrInt(t, "data_block_size")
				if err != nil || sectors <= 0 {
					return Delta{}, fmt.Errorf("thin_delta superblock: bad data_block_size (%v)", err)
				}
				d.ChunkSize = sectors * 512
			case "diff":
				inDiff = true
			case "same", "different", "left_only", "right_only":
				if !inDiff || d.ChunkSize == 0 {
					return Delta{}, fmt.Errorf("thin_delta output: <%s> outside a superblock's diff", t.Name.Local)
				}
				begin, err1 := attrInt(t, "begin")
				length, err2 := attrInt(t, "length")
				if err := errors.Join(err1, err2); err != nil || begin < 0 || length <= 0 {
					return Delta{}, fmt.Errorf("thin_delta output: bad <%s> range (%v)", t.Name.Local, err)
				}
				rg := Range{Off: begin * d.ChunkSize, Len: length * d.ChunkSize}
				if rg.Off >= size {
					continue // past the volume's end (thin_delta can overrun after a shrink)
				}
				rg.Len = min(rg.Len, size-rg.Off)
				switch t.Name.Local {
				case "different", "right_only":
					d.Changed = append(d.Changed, rg)
				case "left_only":
					d.Discarded = append(d.Discarded, rg)
				}
			}
		case xml.EndElement:
			if t.Name.Local == "diff" {
				inDiff = false
			}
		}
	}
	if d.ChunkSize == 0 {
		return Delta{}, errors.New("thin_delta output has no superblock")
	}
	d.Changed, d.Discarded = ranges.Merge(d.Changed), ranges.Merge(d.Discarded)
	for _, r := range d.Changed {
		d.ChangedBytes += r.Len
	}
	for _, r := range d.Discarded {
		d.DiscardedBytes += r.Len
	}
	return d, nil
}

func attrInt(t xml.StartElement, name string) (int64, error) {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return strconv.ParseInt(a.Value, 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s attribute", name)
}
