package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// The write step of a group: its freeze window (quiesce, every volume's LVM
// snapshot, resume) and the copies from those snapshots.

// snapshotOf is a volume's LVM snapshot, or why it has none.
type snapshotOf struct {
	snap lvm.LV
	err  error
}

// freezeWindow quiesces the group, creates the snapshot of every volume prepared
// (prepareSnapshots), and resumes the group: the resume runs on every path. Then it
// reads the snapshots back (readySnapshots) and returns each volume's (or error).
func (r *run) freezeWindow(ctx context.Context, g *Group, prepared map[*VolumePlan]lvm.PendingSnapshot) map[*VolumePlan]snapshotOf {
	out := map[*VolumePlan]snapshotOf{}
	// pre-freeze runs before the window (its time is not the pause's); post-thaw
	// for every VM whose pre-freeze ran, once the group is resumed, on every path.
	var names []string
	var prefrozen []*unit
	defer func() {
		for _, u := range prefrozen {
			r.afterHook(ctx, HookPostThaw, u)
		}
	}()
	for _, vm := range g.VMs {
		u := r.vmUnit(vm)
		if r.failed(u) {
			continue
		}
		if r.Hooks != nil {
			prefrozen = append(prefrozen, u)
		}
		if err := r.hook(ctx, HookPreFreeze, u); err != nil {
			r.fail(u, err)
			continue
		}
		names = append(names, vm.Name)
	}
	if len(names) == 0 {
		// No VM to freeze: the volumes of paths: entries are snapshotted alone.
		r.snapAt = r.o.Now().UTC().Truncate(time.Second)
		for _, vp := range g.Volumes {
			if p, ok := prepared[vp]; ok && len(r.volumePaths(vp)) > 0 {
				out[vp] = r.snapshotVolume(ctx, vp, p)
			}
		}
		r.readySnapshots(ctx, out)
		return out
	}
	for _, n := range names {
		if err := r.record(OpFreeze, n, r.o.RunID); err != nil {
			r.failAll(g, err)
			return out
		}
	}
	frozen, err := r.Hypervisor.Freeze(ctx, names, hypervisor.FreezeOptions{
		Mode: hypervisor.Mode(r.cfg.Quiesce.Mode), Settle: r.cfg.Quiesce.Settle, MaxPause: r.cfg.Quiesce.MaxPause, Atomic: g.Atomic(),
		RunID: r.o.RunID, Now: r.o.Now, Sleep: r.o.Sleep})
	if err != nil {
		r.failAll(g, fmt.Errorf("freeze: %w", err))
		if errors.Is(err, hypervisor.ErrNotResumed) {
			return out // still marked: the journal stays, the next run's recover resumes them
		}
		for _, n := range names {
			_ = r.record(OpThaw, n, "freeze failed")
		}
		return out
	}
	thawed := false
	thaw := func() {
		if thawed {
			return
		}
		thawed = true
		tctx, cancel := cleanupCtx(ctx)
		defer cancel()
		reps, err := frozen.Thaw(tctx)
		r.applyFreezeReports(reps)
		r.log.Info().Strs("vms", names).Err(err).Msg("resumed")
		if err != nil {
			r.failAll(g, fmt.Errorf("resume: %w", err))
			return // the VM stays marked: the next run's recover resumes it
		}
		for _, n := range names {
			_ = r.record(OpThaw, n, "")
		}
	}
	defer thaw()
	r.log.Info().Strs("vms", names).Msg("frozen")
	r.snapAt = r.o.Now().UTC().Truncate(time.Second)
	// Every lvcreate at once, until the window's deadline (quiesce.max-pause): then
	// the group is resumed whatever is pending, and each snapshot still pending
	// fails its volume's VMs; it is removed when its lvcreate ends.
	results := make(chan volumeSnapshot, len(g.Volumes))
	pending := 0
	for _, vp := range g.Volumes {
		p, ok := prepared[vp]
		if !ok || r.allFailed(vp) { // e.g. its thin pool is too full (thinRoom): no snapshot
			continue
		}
		pending++
		go func() { results <- volumeSnapshot{vp, r.snapshotVolume(ctx, vp, p)} }()
	}
	var deadline <-chan time.Time
	if dl := frozen.Deadline(); !dl.IsZero() {
		t := time.NewTimer(time.Until(dl))
		defer t.Stop()
		deadline = t.C
	}
	var cut error // why the window ended with snapshots pending
collect:
	for pending > 0 {
		select {
		case vs := <-results:
			out[vs.vp] = vs.s
			pending--
		case <-deadline:
			cut = fmt.Errorf("still pending when the freeze window reached quiesce.max-pause (%v): the group was resumed without it", r.cfg.Quiesce.MaxPause)
			break collect
		case <-ctx.Done():
			cut = fmt.Errorf("interrupted in the freeze window: %w", context.Cause(ctx))
			break collect
		}
	}
	thaw()
	if cut != nil {
		r.log.Error().Strs("vms", names).Int("pending", pending).Err(cut).Msg("resumed with snapshots pending")
	}
	for ; pending > 0; pending-- { // a started lvcreate runs to its end (snapshotVolume)
		vs := <-results
		if vs.s.err == nil {
			r.removeSnapshot(ctx, vs.vp, vs.s.snap)
		}
		out[vs.vp] = snapshotOf{err: errors.Join(fmt.Errorf("snapshot %s: %w", vs.vp.LV.FullName(), cut), vs.s.err)}
	}
	r.readySnapshots(ctx, out)
	return out
}

// volumeSnapshot is a volume's snapshot as its lvcreate ends.
type volumeSnapshot struct {
	vp *VolumePlan
	s  snapshotOf
}

// prepareSnapshots checks, before the freeze window opens, what each volume's
// snapshot needs (its origin, its VG's room: lvm.PrepareSnapshot): the window then
// holds the lvcreates alone. A volume that fails fails the units that read it.
func (r *run) prepareSnapshots(ctx context.Context, g *Group) map[*VolumePlan]lvm.PendingSnapshot {
	out := map[*VolumePlan]lvm.PendingSnapshot{}
	for _, vp := range g.Volumes {
		if r.allFailed(vp) || ctx.Err() != nil {
			continue
		}
		p, err := r.LVM.PrepareSnapshot(ctx, vp.LV.VG, vp.LV.Name, lvm.SnapshotOptions{RunID: r.o.RunID,
			Size: config.Size{Bytes: vp.SnapshotSize}, Chunksize: r.cfg.Snapshot.Chunksize})
		if err != nil {
			for _, u := range r.volumeUnits(vp) {
				r.fail(u, err)
			}
			continue
		}
		out[vp] = p
	}
	return out
}

// snapshotVolume takes the LVM snapshot of one volume, journaled first: one
// lvcreate (lvm.CreateSnapshot).
func (r *run) snapshotVolume(ctx context.Context, vp *VolumePlan, p lvm.PendingSnapshot) snapshotOf {
	if ctx.Err() != nil {
		return snapshotOf{err: fmt.Errorf("snapshot %s: %w", vp.LV.FullName(), context.Cause(ctx))}
	}
	if err := r.record(OpSnapshot, vp.LV.VG+"/"+p.Name, vp.LV.FullName()); err != nil {
		return snapshotOf{err: err}
	}
	// A started lvcreate runs to its end even when the run is cancelled: killed
	// midway it could leave the origin suspended (dm), and the guests' I/O with it.
	sctx, cancel := cleanupCtx(ctx)
	s, err := r.LVM.CreateSnapshot(sctx, p)
	cancel()
	if err != nil {
		// An lvcreate that failed (or was killed at its timeout) may have made the
		// tagged snapshot all the same: the entry stays pending, so the journal stays
		// and the next run's recover removes whatever it finds tagged.
		err = fmt.Errorf("snapshot %s: %w", vp.LV.FullName(), err)
	}
	return snapshotOf{snap: s, err: err}
}

// readySnapshots reads each snapshot the window made back (lvm.ReadySnapshot), once
// the window is closed; one that cannot be is removed and fails its volume's units.
func (r *run) readySnapshots(ctx context.Context, snaps map[*VolumePlan]snapshotOf) {
	for vp, s := range snaps {
		if s.err != nil || s.snap.Name == "" {
			continue
		}
		got, err := r.LVM.ReadySnapshot(ctx, s.snap)
		if err != nil {
			r.removeSnapshot(ctx, vp, s.snap)
			snaps[vp] = snapshotOf{err: fmt.Errorf("snapshot %s: %w", vp.LV.FullName(), err)}
			continue
		}
		snaps[vp] = snapshotOf{snap: got}
	}
}

func (r *run) applyFreezeReports(reps []hypervisor.VMReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rep := range reps {
		if u := r.units[zfs.VMUnit(rep.Name)]; u != nil {
			res := u.kind.(vmKind).res
			res.Pause = rep.Window
			if rep.Mode != "" {
				res.Quiesce = rep.Mode
			}
			res.Note = strings.TrimSpace(strings.Join([]string{rep.Skipped, rep.Note}, " "))
		}
	}
}

// allFailed reports whether every unit that reads vp has failed already.
func (r *run) allFailed(vp *VolumePlan) bool {
	for _, u := range r.volumeUnits(vp) {
		if !r.failed(u) {
			return false
		}
	}
	return true
}

func (r *run) failAll(g *Group, err error) {
	for _, u := range r.groupUnits(g) {
		r.fail(u, err)
	}
}

// copyVolumes copies every volume of the group from its snapshot, Workers at a time,
// and removes each snapshot as soon as its copy ends.
func (r *run) copyVolumes(ctx context.Context, g *Group, snaps map[*VolumePlan]snapshotOf) {
	work := make(chan *VolumePlan)
	var wg sync.WaitGroup
	for i := 0; i < r.o.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for vp := range work {
				r.copyVolume(ctx, vp, snaps[vp])
			}
		}()
	}
	for _, vp := range g.Volumes {
		work <- vp
	}
	close(work)
	wg.Wait()
}

func (r *run) copyVolume(ctx context.Context, vp *VolumePlan, s snapshotOf) {
	if s.err != nil || s.snap.Name == "" { // no snapshot: its VMs failed before, or now
		if s.err != nil {
			for _, u := range r.volumeUnits(vp) {
				r.fail(u, s.err)
			}
		}
		return
	}
	keep := false // a thin snapshot whose copy succeeded: the next base (keepBases)
	defer func() {
		if keep {
			r.mu.Lock()
			r.kept[vp] = s.snap
			r.mu.Unlock()
			return
		}
		r.removeSnapshot(ctx, vp, s.snap)
	}()
	var todo []*DiskPlan
	for _, d := range vp.Disks {
		if !r.failed(r.vmUnit(d.vm)) {
			todo = append(todo, d)
		}
	}
	trees := r.volumePaths(vp)
	if len(todo) == 0 && len(trees) == 0 {
		return
	}
	wctx, stop := r.LVM.Watch(ctx, s.snap, r.cfg.Snapshot.MaxFill, r.o.FillInterval)
	errs := map[*DiskPlan]error{}
	switch vp.Mode {
	case ModeBlock:
		var vd volumeDelta
		for _, d := range todo {
			tr := r.track(wctx, vp, s.snap, d, s.snap.Path, &vd)
			errs[d] = r.copyDisk(wctx, s.snap.Path, d, tr)
			keep = keep || tr.keep != "" && errs[d] == nil
		}
	case ModeFile:
		dir, err := r.mountSnapshot(wctx, s.snap)
		var vd volumeDelta
		for _, d := range todo {
			if err != nil {
				errs[d] = err
				continue
			}
			src := filepath.Join(dir, d.RelPath)
			tr := r.track(wctx, vp, s.snap, d, src, &vd)
			errs[d] = r.copyDisk(wctx, src, d, tr)
			keep = keep || tr.keep != "" && errs[d] == nil
		}
		for _, u := range trees {
			if err != nil {
				r.fail(u, err)
				continue
			}
			r.syncPath(wctx, u, dir)
		}
		if err == nil {
			r.unmountSnapshot(ctx, s.snap, dir)
		}
	}
	if err := stop(); err != nil {
		keep = false
		for _, d := range todo {
			errs[d] = fmt.Errorf("disk %s: %w", d.Target, err)
		}
		for _, u := range trees {
			r.fail(u, fmt.Errorf("volume %s: %w", vp.LV.FullName(), err))
		}
	}
	for _, d := range todo {
		if errs[d] != nil {
			r.fail(r.vmUnit(d.vm), errs[d])
		}
	}
}

func (r *run) mountSnapshot(ctx context.Context, snap lvm.LV) (string, error) {
	if err := r.record(OpMount, snap.FullName(), ""); err != nil {
		return "", err
	}
	dir, err := r.LVM.MountSnapshot(ctx, snap, r.o.RunID)
	if err != nil {
		_ = r.record(OpUnmount, snap.FullName(), "not mounted")
		return "", fmt.Errorf("mount %s: %w", snap.FullName(), err)
	}
	return dir, nil
}

// unmountSnapshot unmounts snap's mount at dir; the journal's entry closes the
// OpMount recorded under the snapshot's name.
func (r *run) unmountSnapshot(ctx context.Context, snap lvm.LV, dir string) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	if err := r.LVM.Unmount(cctx, dir); err != nil {
		// The snapshot's removal fails too; the next run's recover retries both.
		r.rep.addError(fmt.Sprintf("unmount %s: %v", dir, err))
		return
	}
	_ = r.record(OpUnmount, snap.FullName(), dir)
}

func (r *run) removeSnapshot(ctx context.Context, vp *VolumePlan, snap lvm.LV) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	if err := r.LVM.Remove(cctx, snap.VG, snap.Name); err != nil {
		r.rep.addError(fmt.Sprintf("remove snapshot %s of %s: %v", snap.FullName(), vp.LV.FullName(), err))
		for _, u := range r.volumeUnits(vp) {
			r.fail(u, fmt.Errorf("remove snapshot %s: %w", snap.FullName(), err))
		}
		return
	}
	_ = r.record(OpRemove, snap.FullName(), "")
}
