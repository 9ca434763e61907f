package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// RecoverOptions say where a crashed run's traces are.
type RecoverOptions struct {
	JournalDir string // default DefaultJournalDir
	Root       string // target.dataset (its clones are cleaned); "" skips the target
	// JournalOnly: sweep VMs (libvirt marks) and LVM volumes (tags) only when a
	// journal is left. A run's recover: every run that pauses a VM or makes an LVM
	// snapshot or mount keeps its journal until each is undone (Journal.Pending), so
	// with no journal there is nothing to sweep, and a night of host trees alone never
	// loads libvirt nor runs lvs. `kvmbackup recover` sweeps always (what an older
	// version or a hand left).
	JournalOnly bool
}

// Recovery is what Recover undid.
type Recovery struct {
	VMs        []hypervisor.Recovered `json:"vms"`
	LVM        lvm.Cleaned            `json:"lvm"`
	Clones     zfs.Cleaned            `json:"clones"`
	RolledBack []string               `json:"rolled_back"`          // "DATASET → SNAPSHOT" or what was done instead
	Released   []string               `json:"released,omitempty"`   // thin pools (VG/POOL) whose metadata snapshot was released
	Throwaways []string               `json:"throwaways,omitempty"` // a crashed verify's domains, destroyed
	Loops      []string               `json:"loops,omitempty"`      // a crashed verify's loop devices, detached
	Runs       []string               `json:"runs"`                 // crashed runs whose journal was closed
}

// Empty reports whether there was nothing to recover.
func (r *Recovery) Empty() bool {
	return len(r.VMs) == 0 && len(r.LVM.Removed) == 0 && len(r.LVM.Unmounted) == 0 &&
		len(r.Clones.Destroyed) == 0 && len(r.Clones.Unmounted) == 0 && len(r.RolledBack) == 0 && len(r.Runs) == 0 && len(r.Released) == 0 &&
		len(r.Throwaways) == 0 && len(r.Loops) == 0
}

// Recover undoes what crashed runs left, most urgent first: VMs still paused or
// frozen are resumed (libvirt marks), then every kvmbackup LVM mount and snapshot is
// removed (LVM tags), then each crashed run's clones are removed and the datasets it
// was writing are rolled back to their newest kvmbackup snapshot (journal); one whose
// rollback would destroy another tool's snapshots is left as it is, and RolledBack
// says so (rollbackDataset). A journal is removed only when everything it names was
// undone or left so. The caller holds the run
// lock: no other run can be using what this removes.
func Recover(ctx context.Context, d Deps, o RecoverOptions) (*Recovery, error) {
	if o.JournalDir == "" {
		o.JournalDir = DefaultJournalDir
	}
	rec := &Recovery{VMs: []hypervisor.Recovered{}, RolledBack: []string{}, Runs: []string{}}
	left, lerr := Leftovers(o.JournalDir)
	if o.JournalOnly && lerr == nil && len(left) == 0 {
		return rec, nil
	}
	// What the journals leave pending says what to sweep (JournalOnly): libvirt only
	// for a VM paused or a verify's throwaway domain, LVM only for a snapshot or a
	// mount, so that a night of host trees after one that crashed still needs
	// neither. A journal that cannot be read: everything.
	sweep := func(ops ...Op) bool {
		if !o.JournalOnly || lerr != nil {
			return true
		}
		for _, l := range left {
			if slices.ContainsFunc(l.Pending, func(e Entry) bool { return slices.Contains(ops, e.Op) }) {
				return true
			}
		}
		return false
	}
	var errs []error
	var vmErr, lvmErr error
	if sweep(OpFreeze) {
		var vms []hypervisor.Recovered
		vms, vmErr = d.Hypervisor.Recover(ctx)
		rec.VMs = append(rec.VMs, vms...)
		if vmErr != nil {
			errs = append(errs, fmt.Errorf("resume VMs: %w", vmErr))
		}
	}
	// A thin pool's metadata snapshot left reserved blocks every later thin_delta
	// of the pool: released first, before the snapshots go.
	released := map[string]error{}
	for _, l := range left {
		for _, e := range l.Pending {
			if _, done := released[e.Key]; e.Op == OpReserveMeta && !done {
				vg, pool, _ := strings.Cut(e.Key, "/")
				released[e.Key] = d.LVM.ReleaseMetadataSnap(ctx, vg, pool)
				if released[e.Key] == nil {
					rec.Released = append(rec.Released, e.Key)
				}
			}
		}
	}
	if sweep(OpSnapshot, OpMount) {
		rec.LVM, lvmErr = d.LVM.Cleanup(ctx, "")
		if lvmErr != nil {
			errs = append(errs, fmt.Errorf("LVM snapshots: %w", lvmErr))
		}
	}
	if lerr != nil {
		return rec, errors.Join(append(errs, lerr)...)
	}
	for _, l := range left {
		ok := true
		if err := recoverVerify(ctx, d, l, rec, !o.JournalOnly); err != nil {
			ok = false
			errs = append(errs, fmt.Errorf("run %s: %w", l.RunID, err))
		}
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
			if e.Op == OpReserveMeta {
				if err := released[e.Key]; err != nil {
					ok = false
					errs = append(errs, fmt.Errorf("run %s: %w", l.RunID, err))
				}
				continue
			}
			if e.Op == OpFreeze && vmErr != nil || (e.Op == OpSnapshot || e.Op == OpMount) && lvmErr != nil {
				ok = false // the sweep above failed: the journal stays, the next run sweeps again
				continue
			}
			if e.Op != OpDirty {
				continue // VMs, snapshots and mounts: found by their marks and tags above
			}
			what, err := rollbackDataset(ctx, d.Target, e.Key, e.Detail == "created")
			var kept *keptError
			if errors.As(err, &kept) { // another tool's snapshots: left as it is, and said
				rec.RolledBack = append(rec.RolledBack, e.Key+" → ("+kept.what+")")
				continue
			}
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
//
// Snapshots another tool made in ds (sanoid, zfs-auto-snapshot) are never destroyed
// nor rolled over. When one is newer than the newest dated snapshot (zfs rollback
// would need -r, which destroys it), or a created dataset to destroy has one, ds is
// left as it is and the error is a *keptError saying so: the failed copy's blocks
// stay in the live dataset until the next backup, while every dated snapshot, the
// only thing restore, replicate and list read, is intact. Nothing is left to
// undo: the caller closes the journal's entry, so that no later night is held up by
// it. The next backup makes the dataset whole: each image's copy compares every
// block with the source (a half-written image's manifest no longer matches its
// inode's times, so it is not trusted), a tree's copy re-syncs every file whose size
// or modification time differs from the source's (a file cut short in place has the
// time of the cut), and seal removes what is no disk of the VM and rewrites its
// metadata, all before the dated snapshot.
//
// Why not return the data without destroying anything: a clone of the dated
// snapshot promoted in ds's place takes with it the snapshots older than the dated
// one (foreign ones included: zfs promote moves them to the clone) and leaves the
// newer foreign ones on the old dataset, which would have to be renamed away, under
// a tool that snapshots and prunes by dataset name, and kept for ever (destroying
// it destroys them). Copying the changed blocks back from the dated snapshot's
// read-only mount would write the very blocks the next night writes again, doubling
// that VM's I/O for a state nothing reads.
func rollbackDataset(ctx context.Context, t RollbackTarget, ds string, created bool) (string, error) {
	exists, err := ownDataset(ctx, t, ds, zfs.DatasetUnit(ds), false)
	switch {
	case err != nil:
		return "", err
	case !exists:
		return "(gone)", nil
	}
	s, err := t.Rollback(ctx, ds)
	var newer *zfs.NewerSnapshotsError
	switch {
	case err == nil:
		return s.FullName(), nil
	case zfs.IsNotFound(err):
		return "(gone)", nil
	case errors.As(err, &newer):
		whose := "were not made by kvmbackup"
		if slices.ContainsFunc(newer.Newer, func(n string) bool { _, ok := zfs.ParseSnapshotName(n); return ok }) {
			whose = "were not made by kvmbackup or are dated ones made out of order (the clock went back?)"
		}
		return "", &keptError{ds, fmt.Sprintf("not rolled back to %s: newer snapshots %s %s, and a rollback "+
			"would destroy them. It keeps part of the failed copy; its dated snapshots are intact and the next backup "+
			"rewrites whatever differs from the source. Nothing needs doing; to roll back now, destroy those snapshots yourself "+
			"(or zfs rollback -r %s@%s, which destroys them)", newer.Target, strings.Join(newer.Newer, ", "), whose, ds, newer.Target)}
	case errors.Is(err, zfs.ErrNoSnapshot) && created:
		snaps, err := t.Snapshots(ctx, ds)
		if err != nil {
			return "", err
		}
		if len(snaps) > 0 { // none is kvmbackup's (Rollback found none)
			names := make([]string, len(snaps))
			for i, s := range snaps {
				names[i] = s.Name
			}
			return "", &keptError{ds, fmt.Sprintf("not destroyed though its first backup did not complete: snapshots %s were "+
				"not made by kvmbackup, and destroying it would destroy them. It keeps the partial copy; the next backup "+
				"completes it", strings.Join(names, ", "))}
		}
		if err := t.DestroyNewDataset(ctx, ds); err != nil {
			return "", err
		}
		return "(destroyed: its first backup did not complete)", nil
	case errors.Is(err, zfs.ErrNoSnapshot):
		return "(no complete backup yet: it holds a partial copy)", nil
	}
	return "", err
}

// keptError: rollbackDataset left Dataset as it is, rather than destroy another
// tool's snapshots; what says so, and what the admin can do. Nothing is left to undo.
type keptError struct {
	Dataset string
	what    string
}

func (e *keptError) Error() string { return "dataset " + e.Dataset + " " + e.what }
