package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// Changed-block tracking on thin LVs. The run's thin snapshot of a thin LV copied in
// block mode outlives the copy: once the VM's dated snapshot exists it becomes the
// LV's base (lvm.KeepAsBase), and the dated snapshot records it (zfs.PropBases). The
// next run trusts the base only when that record names it, and then asks the pool's
// metadata (thin_delta) which chunks changed since: only those are read, and the
// copy (cbt mode) still trusts the image only through its manifest, so an image
// written since the dated snapshot is compared whole. Every other case falls back to
// the whole compare, and the disk's result says why.

// Why a disk is not tracked (DiskResult.Tracking).
const (
	whyClassic = "classic LV: thin LVs get changed-block tracking"
	whyFile    = "file mode: thin LVs in block mode get changed-block tracking"
	whyShared  = "the LV holds several disks or paths: entries: each disk of its own thin LV gets changed-block tracking"
	whyMissing = "cbt: base missing"
)

// tracked says whether vp's copy can use changed-block tracking, or why not.
func tracked(vp *VolumePlan) (bool, string) {
	switch {
	case !vp.LV.IsThin():
		return false, whyClassic
	case vp.Mode != ModeBlock:
		return false, whyFile
	case len(vp.Disks) != 1 || len(vp.paths) > 0:
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
}

// track finds what changed in disk d's thin LV since the base the VM's newest dated
// snapshot recorded, or says why the disk is compared whole.
func (r *run) track(ctx context.Context, vp *VolumePlan, snap lvm.LV, d *DiskPlan) tracking {
	ok, why := tracked(vp)
	if !ok {
		return tracking{why: why}
	}
	tr := tracking{keep: baseRecord(vp.LV, snap.ThinID)}
	base, err := r.LVM.Base(ctx, vp.LV.VG, vp.LV.Name)
	if lvm.IsNotFound(err) {
		tr.why = whyMissing
		return tr
	}
	if err != nil {
		tr.why = "cbt: base unusable: " + err.Error()
		return tr
	}
	ds := r.vmUnit(d.vm).dataset
	snaps, err := r.Target.Snapshots(ctx, ds)
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
		tr.why = whyMissing + ": " + ds + " has no dated backup"
		return tr
	}
	if got, want := newest.Backup().Bases[d.Target], baseRecord(vp.LV, base.ThinID); got != want {
		tr.why = fmt.Sprintf("%s: %s recorded %q, the base is %s", whyMissing, newest.FullName(), got, want)
		return tr
	}
	pool := vp.LV.VG + "/" + snap.Pool
	if err := r.record(OpReserveMeta, pool, vp.LV.FullName()); err != nil {
		tr.why = "cbt: " + err.Error()
		return tr
	}
	delta, err := r.LVM.ThinDelta(ctx, base, snap)
	if err != nil {
		// ThinDelta releases on every path; a release that failed there is tried
		// once more, and only a pool proven free closes the journal's entry.
		cctx, cancel := cleanupCtx(ctx)
		rerr := r.LVM.ReleaseMetadataSnap(cctx, vp.LV.VG, snap.Pool)
		cancel()
		if rerr != nil {
			r.rep.addError(fmt.Sprintf("thin pool %s: %v", pool, rerr))
		}
		err = errors.Join(err, rerr)
		if rerr == nil {
			_ = r.record(OpReleaseMeta, pool, "")
		}
		tr.why = "cbt: thin_delta failed: " + err.Error()
		return tr
	}
	_ = r.record(OpReleaseMeta, pool, "")
	tr.on = true
	for _, rg := range delta.Ranges() {
		tr.changed = append(tr.changed, transfer.Range{Off: rg.Off, Len: rg.Len})
	}
	r.log.Debug().Str("vm", d.vm.Name).Str("disk", d.Target).Str("base", base.FullName()).
		Int64("changed", delta.ChangedBytes).Int64("discarded", delta.DiscardedBytes).Dur("took", delta.Took).Msg("thin_delta")
	return tr
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
		u := r.vmUnit(vp.Disks[0].vm)
		if u.res.Status != StatusOK {
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
