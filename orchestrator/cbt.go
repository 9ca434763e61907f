package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// Changed-block tracking on thin LVs. The run's thin snapshot of a thin LV (a disk in
// block mode, or the filesystem of image files in file mode) outlives the copy: once the VM's dated snapshot exists it becomes the
// LV's base (lvm.KeepAsBase), and the dated snapshot records it (zfs.PropBases). The
// next run trusts the base only when that record names it, and then asks the pool's
// metadata (thin_delta) which chunks changed since: only those are read, and the
// copy (cbt mode) still trusts the image only through its manifest, so an image
// written since the dated snapshot is compared whole. Every other case falls back to
// the whole compare, and the disk's result says why.

// Why a disk is not tracked (DiskResult.Tracking).
const (
	whyClassic = "classic LV: thin LVs get changed-block tracking"
	whyShared  = "the LV holds several disks: a disk of its own thin LV (block mode), or image files on a thin LV (file mode), get changed-block tracking"
	whyMissing = "cbt: base missing"
)

// tracked says whether vp's copy can use changed-block tracking, or why not: a thin
// LV that is one disk (block mode), or that holds image files (file mode: their
// extent maps turn the LV's changed ranges into the files').
func tracked(vp *VolumePlan) (bool, string) {
	switch {
	case !vp.LV.IsThin():
		return false, whyClassic
	case vp.Mode == ModeBlock && (len(vp.Disks) != 1 || len(vp.paths) > 0):
		return false, whyShared
	}
	return true, ""
}

// baseRecord is how a dated snapshot names the base a thin LV keeps.
func baseRecord(lv lvm.LV, thinID int) string {
	return lv.FullName() + ":" + strconv.Itoa(thinID)
}

// tracking is what a disk's copy knows of its changes.
type tracking struct {
	on      bool
	changed []transfer.Range
	why     string // why not on ("cbt: ..."), or why a tracked copy read more
	keep    string // the base this run's snapshot becomes (baseRecord)
	// extents: file mode, the image's extent map in this run's snapshot, kept beside
	// its manifest for the next run (nil: none could be read).
	extents []transfer.PhysExtent
}

// volumeDelta is what a volume's base and thin_delta say, found once per volume for
// all its disks.
type volumeDelta struct {
	base     lvm.LV
	baseWhy  string // why no base can be used ("" when base is)
	looked   bool   // base looked up
	ranges   []lvm.Range
	deltaWhy string // why thin_delta gave nothing
	asked    bool   // thin_delta asked
}

// track finds what changed in disk d (read from src, in vp's snapshot snap) since the
// base the VM's newest dated snapshot recorded, or says why the disk is compared
// whole. vd carries what the volume's other disks found already.
func (r *run) track(ctx context.Context, vp *VolumePlan, snap lvm.LV, d *DiskPlan, src string, vd *volumeDelta) tracking {
	ok, why := tracked(vp)
	if !ok {
		return tracking{why: why}
	}
	tr := tracking{keep: baseRecord(vp.LV, snap.ThinID)}
	if vp.Mode == ModeFile {
		f, err := os.Open(src)
		if err == nil {
			tr.extents, err = transfer.FileExtents(f)
			f.Close()
		}
		if err != nil {
			tr.keep, tr.why = "", "cbt: "+err.Error()
			return tr
		}
	}
	if !vd.looked {
		vd.looked = true
		base, err := r.LVM.Base(ctx, vp.LV.VG, vp.LV.Name)
		switch {
		case lvm.IsNotFound(err):
			vd.baseWhy = whyMissing
		case err != nil:
			vd.baseWhy = "cbt: base unusable: " + err.Error()
		}
		vd.base = base
	}
	if vd.baseWhy != "" {
		tr.why = vd.baseWhy
		return tr
	}
	u := r.vmUnit(d.vm)
	snaps, err := r.Target.Snapshots(ctx, u.dataset)
	if err != nil {
		tr.why = "cbt: " + err.Error()
		return tr
	}
	var newest *zfs.Snapshot
	for i := range snaps {
		if snaps[i].Ours() {
			newest = &snaps[i]
		}
	}
	if newest == nil {
		tr.why = whyMissing + ": " + u.dataset + " has no dated backup"
		return tr
	}
	if got, want := newest.Backup().Bases[d.Target], baseRecord(vp.LV, vd.base.ThinID); got != want {
		tr.why = fmt.Sprintf("%s: %s recorded %q, the base is %s", whyMissing, newest.FullName(), got, want)
		return tr
	}
	var baseExtents []transfer.PhysExtent
	if vp.Mode == ModeFile {
		if baseExtents, err = transfer.ReadExtents(r.extentsPath(u, d)); err != nil {
			tr.why = "cbt: no extent map of the image at the base: " + err.Error()
			return tr
		}
	}
	if !vd.asked {
		vd.asked = true
		vd.ranges, vd.deltaWhy = r.thinDelta(ctx, vp, vd.base, snap)
	}
	if vd.deltaWhy != "" {
		tr.why = vd.deltaWhy
		return tr
	}
	var changed []transfer.Range
	for _, rg := range vd.ranges {
		changed = append(changed, transfer.Range{Off: rg.Off, Len: rg.Len})
	}
	if vp.Mode == ModeFile {
		if changed, err = transfer.FileChanges(tr.extents, baseExtents, changed); err != nil {
			tr.why = "cbt: " + err.Error()
			return tr
		}
	}
	tr.on, tr.changed = true, changed
	return tr
}

// extentsPath is where the extent map of disk d's image is kept, beside its manifest.
func (r *run) extentsPath(u *unit, d *DiskPlan) string {
	return filepath.Join(u.mount, manifestDir, d.Image+".extents")
}

// thinDelta runs thin_delta between vp's base and snap, journaled, or says why not.
func (r *run) thinDelta(ctx context.Context, vp *VolumePlan, base, snap lvm.LV) ([]lvm.Range, string) {
	pool := vp.LV.VG + "/" + snap.Pool
	if err := r.record(OpReserveMeta, pool, vp.LV.FullName()); err != nil {
		return nil, "cbt: " + err.Error()
	}
	delta, err := r.LVM.ThinDelta(ctx, base, snap)
	if errors.Is(err, lvm.ErrNotReserved) { // held by another: not this run's to release
		_ = r.record(OpReleaseMeta, pool, "not reserved")
		return nil, "cbt: thin_delta failed: " + err.Error()
	}
	if err != nil {
		// ThinDelta releases on every path; a release that failed there is tried
		// once more, and only a pool proven free closes the journal's entry.
		cctx, cancel := cleanupCtx(ctx)
		rerr := r.LVM.ReleaseMetadataSnap(cctx, vp.LV.VG, snap.Pool)
		cancel()
		if rerr != nil {
			r.rep.addError(fmt.Sprintf("thin pool %s: %v", pool, rerr))
		} else {
			_ = r.record(OpReleaseMeta, pool, "")
		}
		return nil, "cbt: thin_delta failed: " + errors.Join(err, rerr).Error()
	}
	_ = r.record(OpReleaseMeta, pool, "")
	r.log.Debug().Str("volume", vp.LV.FullName()).Str("base", base.FullName()).
		Int64("changed", delta.ChangedBytes).Int64("discarded", delta.DiscardedBytes).Dur("took", delta.Took).Msg("thin_delta")
	return delta.Ranges(), ""
}

// keepBases ends the thin snapshots a group's copies kept: the snapshot of a VM
// whose dated snapshot was taken becomes its LV's base; any other is removed. A base
// that cannot be kept costs the next run a whole compare, not this backup.
func (r *run) keepBases(ctx context.Context, g *Group) {
	for _, vp := range g.Volumes {
		r.mu.Lock()
		snap, ok := r.kept[vp]
		delete(r.kept, vp)
		r.mu.Unlock()
		if !ok {
			continue
		}
		// Kept when a VM backed up from it: its dated snapshot records it (another
		// VM of the volume that failed finds its record stale: a whole compare).
		var u *unit
		for _, d := range vp.Disks {
			if v := r.vmUnit(d.vm); v.res.Status == StatusOK {
				u = v
			}
		}
		if u == nil {
			r.removeSnapshot(ctx, vp, snap)
			continue
		}
		cctx, cancel := cleanupCtx(ctx)
		b, err := r.LVM.KeepAsBase(cctx, snap)
		cancel()
		if err != nil {
			msg := fmt.Sprintf("keep %s as the base of %s: %v (its next backup compares it whole)", snap.FullName(), vp.LV.FullName(), err)
			r.log.Warn().Str("vm", u.id.Name).Msg(msg)
			r.rep.addWarning(msg)
			r.removeSnapshot(ctx, vp, snap)
			continue
		}
		_ = r.record(OpRemove, snap.FullName(), "kept as base "+b.FullName())
	}
}

// Tracked says whether a run copies the planned volume vp by changed-block tracking
// (thin_delta against its base), or why not.
func Tracked(vp *VolumePlan) (bool, string) { return tracked(vp) }

// ForgottenBase is a base ForgetBases dropped, or found none of.
type ForgottenBase struct {
	VM     string `json:"vm,omitempty"`
	Disk   string `json:"disk,omitempty"`
	Volume string `json:"volume"`           // the thin LV (VG/LV)
	Base   string `json:"base,omitempty"`   // the base dropped (VG/LV); "" when none was held
	Reason string `json:"reason,omitempty"` // why the disk has no base to drop
}

// ForgetBases drops the changed-block tracking bases of the named VMs' thin LVs, or
// every base kvmbackup holds (all): the next backup of each reads the LV whole and
// keeps a new base. Bad or unknown VM names are an error, and nothing is dropped. The
// caller holds the run lock: no run is using a base meanwhile.
func ForgetBases(ctx context.Context, d Deps, cfg *config.Config, vms []string, all bool) ([]ForgottenBase, error) {
	var out []ForgottenBase
	if all {
		bases, err := d.LVM.Bases(ctx)
		if err != nil {
			return nil, err
		}
		for _, b := range bases {
			origin := b.Origin
			if origin == "" { // stale: its origin was removed; its name still says whose it was
				origin = strings.TrimSuffix(b.Name, lvm.BaseName(""))
			}
			if err := d.LVM.DropBase(ctx, b.VG, origin); err != nil {
				return out, err
			}
			out = append(out, ForgottenBase{Volume: b.VG + "/" + origin, Base: b.FullName()})
		}
		return out, nil
	}
	plan, err := MakePlan(ctx, d.Hypervisor, d.LVM, PlanOptions{Config: cfg, VMs: vms})
	if err != nil {
		return nil, err
	}
	if len(plan.Failed) > 0 {
		return nil, fmt.Errorf("vm %s: %s", plan.Failed[0].Name, plan.Failed[0].Error)
	}
	for _, vp := range plan.Volumes() {
		for _, dp := range vp.Disks {
			f := ForgottenBase{VM: dp.VM(), Disk: dp.Target, Volume: vp.LV.FullName()}
			if ok, why := tracked(vp); !ok {
				f.Reason = why
				out = append(out, f)
				continue
			}
			b, err := d.LVM.Base(ctx, vp.LV.VG, vp.LV.Name)
			switch {
			case lvm.IsNotFound(err):
				f.Reason = "no base held"
			case err != nil:
				return out, err
			default:
				if err := d.LVM.DropBase(ctx, vp.LV.VG, vp.LV.Name); err != nil {
					return out, err
				}
				f.Base = b.FullName()
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// thinRoom makes sure each thin pool the group will snapshot has room: a pool whose
// data or metadata use is over snapshot.max-fill first loses the bases it holds
// (each of their LVs is read whole next time, and a warning says so); a pool still
// over fails the units that read its volumes, before anything is frozen or
// snapshotted: a full thin pool stops its thin LVs' writes, the guests' with them.
func (r *run) thinRoom(ctx context.Context, g *Group) {
	maxFill := r.cfg.Snapshot.MaxFill
	if maxFill <= 0 {
		return
	}
	checked := map[string]error{}
	for _, vp := range g.Volumes {
		if !vp.LV.IsThin() || vp.LV.Pool == "" {
			continue
		}
		key := vp.LV.VG + "/" + vp.LV.Pool
		err, seen := checked[key]
		if !seen {
			err = r.poolRoom(ctx, vp.LV.VG, vp.LV.Pool, maxFill)
			checked[key] = err
		}
		if err != nil {
			for _, u := range r.volumeUnits(vp) {
				r.fail(u, err)
			}
		}
	}
}

// poolRoom is thinRoom for one pool.
func (r *run) poolRoom(ctx context.Context, vg, pool string, maxFill float64) error {
	name := vg + "/" + pool
	over := func() (string, error) {
		p, err := r.LVM.LV(ctx, vg, pool)
		if err != nil {
			return "", fmt.Errorf("thin pool %s: %w", name, err)
		}
		if p.DataPercent > maxFill || p.MetadataPercent > maxFill {
			return fmt.Sprintf("thin pool %s is %.1f%% full (data) and %.1f%% (metadata), over snapshot.max-fill %.0f%%", name, p.DataPercent, p.MetadataPercent, maxFill), nil
		}
		return "", nil
	}
	full, err := over()
	if err != nil || full == "" {
		return err
	}
	bases, err := r.LVM.Bases(ctx)
	if err != nil {
		return fmt.Errorf("%s, and its bases cannot be listed: %w", full, err)
	}
	dropped := false
	for _, b := range bases {
		if b.VG != vg || b.Pool != pool {
			continue
		}
		if err := r.LVM.DropBase(ctx, b.VG, b.Origin); err != nil {
			return fmt.Errorf("%s: drop the base %s: %w", full, b.FullName(), err)
		}
		dropped = true
		msg := fmt.Sprintf("%s: dropped the base %s (the next backup of %s/%s reads it whole)", full, b.FullName(), b.VG, b.Origin)
		r.log.Warn().Str("pool", name).Msg(msg)
		r.rep.addWarning(msg)
	}
	if dropped {
		if full, err = over(); err != nil || full == "" {
			return err
		}
	}
	return fmt.Errorf("%s: no snapshot taken, so that the pool cannot fill; free or add space in the pool (lvextend %s)", full, name)
}
