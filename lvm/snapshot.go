package lvm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/internal/names"
)

// SnapshotOptions describe the snapshots of one run.
type SnapshotOptions struct {
	RunID     string      // in the name and the run tag: [A-Za-z0-9_.-], at most 40 characters
	Size      config.Size // classic snapshots: bytes, or a percentage of the origin
	Chunksize int64       // classic snapshots: bytes (0: lvm's default)
}

// SnapshotName is the name of run's snapshot of the LV origin: recognisable, and
// within LVM's 127 characters.
func SnapshotName(origin, runID string) string {
	name := origin + ".kvmbackup-" + runID
	if len(name) > 127 {
		name = origin[:127-len(".kvmbackup-"+runID)] + ".kvmbackup-" + runID
	}
	return name
}

// Snapshot takes a snapshot of vg/origin tagged kvmbackup and kvmbackup_run_<id>: a
// thin snapshot (no size, activated) of a thin origin, else a classic one of
// opts.Size. The VG's free space is checked first: too little fails with ErrNoSpace
// naming the VG, its free and the needed bytes, and nothing is created. It is
// PrepareSnapshot, CreateSnapshot and ReadySnapshot in turn.
func (m *Manager) Snapshot(ctx context.Context, vg, origin string, opts SnapshotOptions) (LV, error) {
	p, err := m.PrepareSnapshot(ctx, vg, origin, opts)
	if err != nil {
		return LV{}, err
	}
	snap, err := m.CreateSnapshot(ctx, p)
	if err != nil {
		return LV{}, err
	}
	return m.ReadySnapshot(ctx, snap)
}

// PendingSnapshot is a snapshot PrepareSnapshot checked and CreateSnapshot takes.
type PendingSnapshot struct {
	Origin LV
	Name   string
	RunID  string
	args   []string
}

// PrepareSnapshot reads vg/origin and, for a classic snapshot, checks the VG's free
// space (too little: ErrNoSpace naming the VG, its free and the needed bytes); it
// creates nothing. What a freeze window needs done before it opens.
func (m *Manager) PrepareSnapshot(ctx context.Context, vg, origin string, opts SnapshotOptions) (PendingSnapshot, error) {
	if !names.ValidRunID(opts.RunID) {
		return PendingSnapshot{}, fmt.Errorf("snapshot of %s/%s: run id %q is not "+names.RunIDPattern, vg, origin, opts.RunID)
	}
	o, err := m.LV(ctx, vg, origin)
	if err != nil {
		return PendingSnapshot{}, fmt.Errorf("snapshot of %s/%s: %w", vg, origin, err)
	}
	if o.IsSnapshot() {
		return PendingSnapshot{}, fmt.Errorf("snapshot of %s: it is itself a snapshot", o.FullName())
	}
	name := SnapshotName(origin, opts.RunID)
	args := []string{"lvcreate", "--snapshot", "--name", name, "--addtag", Tag, "--addtag", RunTagPrefix + opts.RunID, "--yes"}
	if o.IsThin() {
		// A thin snapshot skips activation by default; this activates it.
		args = append(args, "--setactivationskip", "n")
	} else {
		need := opts.Size.Resolve(o.Size)
		g, err := m.VG(ctx, vg)
		if err != nil {
			return PendingSnapshot{}, fmt.Errorf("snapshot of %s: %w", o.FullName(), err)
		}
		if g.ExtentSize > 0 {
			need = (need + g.ExtentSize - 1) / g.ExtentSize * g.ExtentSize
		}
		if need > g.Free {
			return PendingSnapshot{}, fmt.Errorf("snapshot of %s needs %s (%d bytes) but volume group %s has %s (%d bytes) free: %w",
				o.FullName(), config.FormatBytes(need), need, vg, config.FormatBytes(g.Free), g.Free, ErrNoSpace)
		}
		args = append(args, "--size", fmt.Sprintf("%db", need))
		if opts.Chunksize > 0 {
			args = append(args, "--chunksize", fmt.Sprintf("%db", opts.Chunksize))
		}
	}
	return PendingSnapshot{Origin: o, Name: name, RunID: opts.RunID, args: append(args, o.FullName())}, nil
}

// CreateSnapshot creates the snapshot p, one lvcreate and nothing more (what a freeze
// window holds), and returns it as made: its VG, name, path, origin and tags, not
// what only reading it back gives (device, size, thin id: ReadySnapshot).
func (m *Manager) CreateSnapshot(ctx context.Context, p PendingSnapshot) (LV, error) {
	if len(p.args) == 0 {
		return LV{}, fmt.Errorf("snapshot %s/%s: not prepared (PrepareSnapshot)", p.Origin.VG, p.Name)
	}
	start := time.Now()
	if _, err := m.LVM.Run(ctx, p.args...); err != nil {
		return LV{}, fmt.Errorf("snapshot of %s: %w", p.Origin.FullName(), classify(err))
	}
	zerolog.Ctx(ctx).Info().Str("component", "lvm").Str("snapshot", p.Origin.VG+"/"+p.Name).
		Str("lvcreate", strings.Join(p.args, " ")).Dur("took", time.Since(start)).Msg("snapshot created")
	return LV{VG: p.Origin.VG, Name: p.Name, Path: "/dev/" + p.Origin.VG + "/" + p.Name, Origin: p.Origin.Name,
		Pool: p.Origin.Pool, Tags: []string{Tag, RunTagPrefix + p.RunID}, DataPercent: -1, MetadataPercent: -1, ThinID: -1, Major: -1, Minor: -1}, nil
}

// ReadySnapshot reads a snapshot CreateSnapshot made back from LVM, activating a
// thin one that is not active, and returns it whole.
func (m *Manager) ReadySnapshot(ctx context.Context, snap LV) (LV, error) {
	got, err := m.LV(ctx, snap.VG, snap.Name)
	if err != nil {
		return LV{}, fmt.Errorf("snapshot %s after creating it: %w", snap.FullName(), err)
	}
	if got.IsThin() && got.Major < 0 {
		if _, err := m.LVM.Run(ctx, "lvchange", "--activate", "y", "--ignoreactivationskip", got.FullName()); err != nil {
			return got, fmt.Errorf("activate thin snapshot %s: %w", got.FullName(), err)
		}
		if got, err = m.LV(ctx, snap.VG, snap.Name); err != nil {
			return got, err
		}
	}
	return got, nil
}

// Remove removes a kvmbackup snapshot. An LV without the kvmbackup tag, or that is not
// a snapshot, is refused with ErrNotOurs; one already gone is not an error.
func (m *Manager) Remove(ctx context.Context, vg, name string) error {
	lv, err := m.LV(ctx, vg, name)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return m.removeLV(ctx, lv)
}

// removeLV removes lv after checking it is one of kvmbackup's snapshots, or bases.
func (m *Manager) removeLV(ctx context.Context, lv LV) error {
	if !(lv.HasTag(Tag) && lv.IsSnapshot()) && !lv.IsBase() {
		return fmt.Errorf("remove %s: %w (tags %v, attr %s)", lv.FullName(), ErrNotOurs, lv.Tags, lv.Attr)
	}
	if _, err := m.LVM.Run(ctx, "lvremove", "--force", "--yes", lv.FullName()); err != nil {
		if IsNotFound(classify(err)) {
			return nil
		}
		return fmt.Errorf("remove snapshot %s: %w", lv.FullName(), err)
	}
	return nil
}

// OverflowError is a snapshot that filled past the limit, or became invalid.
type OverflowError struct {
	LV      string
	Fill    float64 // percent; for a thin snapshot, its pool's data fill
	Limit   float64
	Invalid bool
}

func (e *OverflowError) Error() string {
	if e.Invalid {
		return fmt.Sprintf("snapshot %s is invalid (it overflowed): what was read from it cannot be trusted; give snapshot.size more room", e.LV)
	}
	return fmt.Sprintf("snapshot %s is %.1f%% full, over snapshot.max-fill %.0f%%: the copy was stopped before it could overflow; give snapshot.size more room", e.LV, e.Fill, e.Limit)
}

func (e *OverflowError) Unwrap() error { return ErrSnapshotOverflow }

// CheckFill returns an *OverflowError (wrapping ErrSnapshotOverflow) when snap is
// invalid or fuller than maxFill percent, and nil while it is healthy. A thin snapshot
// cannot overflow by itself: its pool's data fill is checked instead.
func (m *Manager) CheckFill(ctx context.Context, snap LV, maxFill float64) error {
	cur, err := m.LV(ctx, snap.VG, snap.Name)
	if err != nil {
		return fmt.Errorf("check fill of %s: %w", snap.FullName(), err)
	}
	fill, name := cur.DataPercent, cur.FullName()
	if cur.IsThin() && cur.Pool != "" {
		pool, err := m.LV(ctx, cur.VG, cur.Pool)
		if err != nil {
			return fmt.Errorf("check fill of %s's pool: %w", name, err)
		}
		fill, name = pool.DataPercent, pool.FullName()+" (thin pool of "+cur.Name+")"
		if pool.MetadataPercent > fill {
			fill, name = pool.MetadataPercent, pool.FullName()+" (thin pool of "+cur.Name+", its metadata)"
		}
	}
	if cur.Invalid() {
		return &OverflowError{LV: name, Fill: fill, Limit: maxFill, Invalid: true}
	}
	if maxFill > 0 && fill > maxFill {
		return &OverflowError{LV: name, Fill: fill, Limit: maxFill}
	}
	return nil
}

// Watch returns a context for reading snap that is cancelled, with an
// *OverflowError as its cause, as soon as snap is found invalid or fuller than
// maxFill percent (checked every interval). Stop ends the watch and checks once more:
// a copy counts only when Stop returns nil. Stop is idempotent.
func (m *Manager) Watch(ctx context.Context, snap LV, maxFill float64, interval time.Duration) (context.Context, func() error) {
	wctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-wctx.Done():
				return
			case <-t.C:
				if err := m.CheckFill(wctx, snap, maxFill); errors.Is(err, ErrSnapshotOverflow) {
					zerolog.Ctx(ctx).Error().Str("component", "lvm").Err(err).Msg("snapshot overflow: stopping its copy")
					cancel(err)
					return
				}
			}
		}
	}()
	stop := sync.OnceValue(func() error {
		close(done)
		<-stopped
		if cause := context.Cause(wctx); errors.Is(cause, ErrSnapshotOverflow) {
			cancel(nil)
			return cause
		}
		cancel(nil)
		// Fresh context: the copy's may be cancelled, the verdict is still needed.
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer ccancel()
		return m.CheckFill(cctx, snap, maxFill)
	})
	return wctx, stop
}
