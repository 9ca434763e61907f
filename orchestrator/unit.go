package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kvmbackup/kvmbackup/zfs"
)

// unit is one backup unit during a run: a VM or a paths: entry. Every kind has the
// one lifecycle, written once here:
//
//	prepare   its dataset owned (or created), journaled dirty, mounted, made ready
//	write     the copies: in its group's freeze window (VMs, volume entries) or on
//	          their own (live trees); a failed write records its error (fail)
//	commit    what the backup holds besides the copies (seal), then the dated
//	          snapshot: the unit is done
//	rollback  any failure: the dataset back to its last complete backup (or
//	          destroyed when this run created it), unless that would destroy
//	          another tool's snapshots: then left as it is, the next backup
//	          rewriting it
//
// What one kind adds (the VM's manifest directory, domain XML and metadata; a tree's
// fence) is its unitKind. A new kind plugs in by writing one.
type unit struct {
	id      zfs.Unit
	dataset string
	res     *Result // the part of its result every kind has
	kind    unitKind
	mount   string    // where its dataset's files are
	start   time.Time // its group's start: its Duration runs to the commit
	dirty   bool      // the journal says its dataset may be written
	created bool      // this run created its dataset
	errs    []error   // guarded by run.mu
}

// unitKind is what one kind of unit adds to the lifecycle. Each method runs for one
// unit that has not failed so far; an error fails the unit (it is rolled back).
type unitKind interface {
	// ready makes the unit's dataset, mounted at u.mount, ready to be written.
	ready(ctx context.Context, r *run, u *unit) error
	// seal writes, once every copy succeeded, what the dated snapshot holds besides
	// the copies.
	seal(ctx context.Context, r *run, u *unit) error
	// props are the dated snapshot's properties.
	props(r *run, u *unit) map[string]string
}

// newUnit adds a unit to the run, its result planned.
func (r *run) newUnit(id zfs.Unit, dataset string, res *Result, k unitKind) *unit {
	res.Name, res.Dataset, res.Status = id.Name, dataset, StatusPlanned
	u := &unit{id: id, dataset: dataset, res: res, kind: k}
	r.units[id] = u
	r.order = append(r.order, u)
	return u
}

// fail records why u cannot be backed up; it is rolled back at its commit.
func (r *run) fail(u *unit, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u.errs = append(u.errs, err)
	r.log.Error().Str(string(u.id.Kind), u.id.Name).Err(err).Msg("backup failed")
}

// failed: u has an error so far.
func (r *run) failed(u *unit) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(u.errs) > 0
}

// prepare owns (or creates) u's dataset, journaled dirty first, and readies it; a
// dataset kvmbackup did not make fails u before anything is written (ownDataset).
func (r *run) prepare(ctx context.Context, u *unit, start time.Time) {
	u.res.Status = StatusRunning
	u.start = start
	if ctx.Err() != nil { // interrupted: no unit starts, no hook runs
		r.fail(u, fmt.Errorf("interrupted: %w", context.Cause(ctx)))
		return
	}
	if err := r.hook(ctx, HookBackupStart, u); err != nil {
		r.fail(u, err)
		return
	}
	if r.view != nil { // the dataset as it is now, not as the run's start saw it
		_, tree := u.kind.(treeKind)
		if err := r.view.confirm(ctx, u.dataset, tree); err != nil {
			r.fail(u, err)
			return
		}
	}
	made, err := r.ensureOwn(ctx, u.dataset, u.id, &u.dirty)
	u.created = made
	if err == nil {
		if u.mount, err = r.Target.Mountpoint(ctx, u.dataset); err != nil {
			err = fmt.Errorf("dataset %s: %w", u.dataset, err)
		}
	}
	if err == nil {
		err = u.kind.ready(ctx, r, u)
	}
	if err != nil {
		r.fail(u, err)
	}
}

// ensureOwn makes ds ready to be written for the unit id: an existing dataset must be
// id's (or adoptable: it is adopted), a missing one is created carrying id's owner;
// the journal records it dirty first (*dirty set). It reports whether this run
// created it. A dataset that is not id's is an error naming it, and left alone.
func (r *run) ensureOwn(ctx context.Context, ds string, id zfs.Unit, dirty *bool) (bool, error) {
	owner := id.Owner()
	exists, err := ownDataset(ctx, r.Target, ds, id, true)
	if err != nil {
		return false, err
	}
	created := "existing"
	if !exists {
		created = "created"
	}
	if err := r.record(OpDirty, ds, created); err != nil {
		return false, err
	}
	*dirty = true
	made, err := r.Target.EnsureDataset(ctx, ds, owner)
	if err != nil {
		return made || !exists, fmt.Errorf("dataset %s: %w", ds, err)
	}
	if !exists && !made { // made by someone else since ownDataset looked: whose?
		if got, err := r.Target.Owner(ctx, ds); err != nil || got != owner {
			*dirty = false
			_ = r.record(OpRollback, ds, "not kvmbackup's: left alone")
			return false, fmt.Errorf("dataset %s: %w: it appeared while the run prepared it (%s)", ds, zfs.ErrForeign, got)
		}
	}
	return !exists, nil
}

// commit seals a unit whose copies all succeeded and takes its dated snapshot at
// the instant at (its LVM snapshots', or its tree copy's start); any other unit's
// dataset is rolled back. Then its backup-end or backup-abort hook runs.
func (r *run) commit(ctx context.Context, u *unit, at time.Time) {
	r.settle(ctx, u, at)
	r.unitEnded(ctx, u)
}

// settle is commit's work: u ends committed or rolled back.
func (r *run) settle(ctx context.Context, u *unit, at time.Time) {
	u.res.Duration = r.o.Now().Sub(u.start)
	if !r.failed(u) && ctx.Err() != nil {
		r.fail(u, fmt.Errorf("interrupted: %w", context.Cause(ctx)))
	}
	if !r.failed(u) {
		if err := u.kind.seal(ctx, r, u); err != nil {
			r.fail(u, err)
		}
	}
	if !r.failed(u) {
		s, err := r.Target.TakeSnapshot(ctx, u.dataset, at, u.kind.props(r, u))
		if err == nil {
			u.res.Snapshot, u.res.Status, u.dirty = s.FullName(), StatusOK, false
			_ = r.record(OpCommit, u.dataset, s.Name)
			return
		}
		r.fail(u, fmt.Errorf("dated snapshot of %s: %w", u.dataset, err))
	}
	u.res.Status = StatusFailed
	r.mu.Lock()
	u.res.Error = errors.Join(u.errs...).Error()
	r.mu.Unlock()
	r.rollback(ctx, u)
}

// rollback returns a failed unit's dataset to its last complete backup; a dataset
// this run created (a first backup) is destroyed instead. When that would destroy
// another tool's snapshots, the dataset is left as it is and the unit's error says
// so (rollbackDataset): the rest of the night goes on, and its journal entry is
// closed, so that the next night backs the unit up as usual.
func (r *run) rollback(ctx context.Context, u *unit) {
	if !u.dirty {
		return
	}
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	if r.view != nil {
		r.view.readLive(u.dataset)
	}
	what, err := rollbackDataset(cctx, r.Target, u.dataset, u.created)
	var kept *keptError
	if errors.As(err, &kept) { // another tool's snapshots: the unit's result says why
		r.mu.Lock()
		u.res.Error += "; " + kept.Error()
		r.mu.Unlock()
		r.log.Warn().Str(string(u.id.Kind), u.id.Name).Str("dataset", u.dataset).Msg(kept.Error())
		u.dirty = false
		_ = r.record(OpRollback, u.dataset, "left as it is: "+kept.what)
		return
	}
	u.res.RolledBackTo = what
	if err != nil {
		r.rep.addError(fmt.Sprintf("roll back %s: %v", u.dataset, err))
		return
	}
	u.dirty = false
	_ = r.record(OpRollback, u.dataset, what)
}

// groupUnits are the units a group backs up: its VMs, then its volume entries.
func (r *run) groupUnits(g *Group) []*unit {
	var out []*unit
	for _, vm := range g.VMs {
		out = append(out, r.vmUnit(vm))
	}
	for _, pp := range g.Paths {
		out = append(out, r.pathUnit(pp))
	}
	return out
}

// volumeUnits are the units that read a volume: the VMs of its disks, then its
// volume entries, each once.
func (r *run) volumeUnits(vp *VolumePlan) []*unit {
	var out []*unit
	seen := map[*unit]bool{}
	add := func(u *unit) {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	for _, d := range vp.Disks {
		add(r.vmUnit(d.vm))
	}
	for _, pp := range vp.paths {
		add(r.pathUnit(pp))
	}
	return out
}

func (r *run) vmUnit(vm *VMPlan) *unit     { return r.units[zfs.VMUnit(vm.Name)] }
func (r *run) pathUnit(pp *PathPlan) *unit { return r.units[zfs.PathUnit(pp.Name)] }
