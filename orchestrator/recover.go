package orchestrator

import (
	"context"
	"errors"
	"fmt"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// RecoverOptions say where a crashed run's traces are.
type RecoverOptions struct {
	JournalDir string // default DefaultJournalDir
	Root       string // target.dataset (its clones are cleaned); "" skips the target
}

// Recovery is what Recover undid.
type Recovery struct {
	VMs        []hypervisor.Recovered `json:"vms"`
	LVM        lvm.Cleaned            `json:"lvm"`
	Clones     zfs.Cleaned            `json:"clones"`
	RolledBack []string               `json:"rolled_back"` // "DATASET → SNAPSHOT" or what was done instead
	Runs       []string               `json:"runs"`        // crashed runs whose journal was closed
}

// Empty reports whether there was nothing to recover.
func (r *Recovery) Empty() bool {
	return len(r.VMs) == 0 && len(r.LVM.Removed) == 0 && len(r.LVM.Unmounted) == 0 &&
		len(r.Clones.Destroyed) == 0 && len(r.Clones.Unmounted) == 0 && len(r.RolledBack) == 0 && len(r.Runs) == 0
}

// Recover undoes what crashed runs left, most urgent first: VMs still paused or
// frozen are resumed (libvirt marks), then every kvmbackup LVM mount and snapshot is
// removed (LVM tags), then each crashed run's clones are removed and the datasets it
// was writing are rolled back to their newest kvmbackup snapshot (journal). A journal
// is removed only when everything it names was undone. The caller holds the run
// lock: no other run can be using what this removes.
func Recover(ctx context.Context, d Deps, o RecoverOptions) (*Recovery, error) {
	if o.JournalDir == "" {
		o.JournalDir = DefaultJournalDir
	}
	rec := &Recovery{VMs: []hypervisor.Recovered{}, RolledBack: []string{}, Runs: []string{}}
	var errs []error
	vms, err := d.Hypervisor.Recover(ctx)
	rec.VMs = append(rec.VMs, vms...)
	if err != nil {
		errs = append(errs, fmt.Errorf("resume VMs: %w", err))
	}
	cl, err := d.LVM.Cleanup(ctx, "")
	rec.LVM = cl
	if err != nil {
		errs = append(errs, fmt.Errorf("LVM snapshots: %w", err))
	}
	left, err := Leftovers(o.JournalDir)
	if err != nil {
		return rec, errors.Join(append(errs, err)...)
	}
	for _, l := range left {
		ok := true
		if o.Root != "" {
			c, err := d.Target.Cleanup(ctx, o.Root, l.RunID)
			rec.Clones.Unmounted = append(rec.Clones.Unmounted, c.Unmounted...)
			rec.Clones.Destroyed = append(rec.Clones.Destroyed, c.Destroyed...)
			if err != nil {
				ok = false
				errs = append(errs, fmt.Errorf("run %s: clones: %w", l.RunID, err))
			}
		}
		for _, e := range l.Pending {
			if e.Op != OpDirty {
				continue // VMs, snapshots and mounts: found by their marks and tags above
			}
			what, err := rollbackDataset(ctx, d.Target, e.Key, e.Detail == "created")
			if err != nil {
				ok = false
				errs = append(errs, fmt.Errorf("run %s: roll back %s: %w", l.RunID, e.Key, err))
				continue
			}
			rec.RolledBack = append(rec.RolledBack, e.Key+" → "+what)
		}
		if !ok {
			continue // the journal stays for the next try
		}
		if err := l.Remove(); err != nil {
			errs = append(errs, err)
			continue
		}
		rec.Runs = append(rec.Runs, l.RunID)
	}
	return rec, errors.Join(errs...)
}

// rollbackDataset returns ds to its newest kvmbackup snapshot; a dataset the run
// created that has none is destroyed (it never held a complete backup). It says what
// it did. A dataset that is not kvmbackup's (ownDataset, without adopting) is an
// error, and left alone.
func rollbackDataset(ctx context.Context, t RollbackTarget, ds string, created bool) (string, error) {
	exists, err := ownDataset(ctx, t, ds, zfs.DatasetUnit(ds), false)
	switch {
	case err != nil:
		return "", err
	case !exists:
		return "(gone)", nil
	}
	s, err := t.Rollback(ctx, ds)
	switch {
	case err == nil:
		return s.FullName(), nil
	case zfs.IsNotFound(err):
		return "(gone)", nil
	case errors.Is(err, zfs.ErrNoSnapshot) && created:
		if err := t.DestroyNewDataset(ctx, ds); err != nil {
			return "", err
		}
		return "(destroyed: its first backup did not complete)", nil
	case errors.Is(err, zfs.ErrNoSnapshot):
		return "(no complete backup yet: it holds a partial copy)", nil
	}
	return "", err
}
