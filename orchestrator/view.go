package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/zfs"
)

// viewedTarget is a run's target after its one read (zfs.View): whose each dataset
// below the run's root is, its children and its snapshots are answered from the
// view, and what the run changes there (a dataset made or claimed, a snapshot taken
// or destroyed, a dataset destroyed) is done on the target and recorded in the view.
// Everything else, and every write, goes to the target: Rollback and
// DestroyNewDataset read it themselves before they change it, Destroy takes only a
// dated kvmbackup name and zfs refuses a held snapshot, so a snapshot another tool
// took after the read is never destroyed. Before a unit is prepared its dataset is
// read as it is now (confirm): one that is not the dataset the view read is read
// live from then on, and its mount point always comes from that read or a live one.
// The view's mount points answer only for the datasets a unit's dataset lies in
// (the root, ROOT/_paths: Mountpoint), never for a unit's own.
type viewedTarget struct {
	Target
	mu     sync.Mutex
	v      *zfs.View
	live   map[string]bool   // datasets that changed behind the view: read live
	mounts map[string]string // mount points confirm read, for the next Mountpoint
	// written: what confirm read of the datasets it confirmed (copiedAt), after the
	// pool's sync (synced, when set: closed once syncErr is set) was done.
	written   map[string]int64
	synced    chan struct{}
	syncErr   error
	pool      string
	syncStart time.Time
	// fresh: the view was read synced at readAt with nothing but the plan run
	// since; the run's first confirm takes its reading (confirm).
	fresh  bool
	readAt time.Time
	// ensured: EnsureDataset was called (it may have made parents the view does
	// not hold): from then on a dataset the view did not see is read live.
	ensured bool
}

func newViewedTarget(t Target, v *zfs.View) *viewedTarget {
	return &viewedTarget{Target: t, v: v, live: map[string]bool{}, mounts: map[string]string{}, written: map[string]int64{}}
}

// syncPool starts the pool's sync (zpool sync), for confirm to wait on: the written
// confirm reads after it counts whatever was written before (copiedAt). It runs
// while the run plans. Called again (resync) it first waits for the last one.
func (t *viewedTarget) syncPool(ctx context.Context, pool string, log *zerolog.Logger) {
	if t.synced != nil {
		<-t.synced
	}
	t.pool, t.syncStart = pool, time.Now()
	synced := make(chan struct{})
	t.synced = synced
	go func() {
		err := t.Target.SyncPool(ctx, pool)
		if err != nil && ctx.Err() == nil {
			log.Warn().Err(err).Msg("no tree's last copy is trusted: every tree is compared whole")
		}
		t.mu.Lock()
		t.syncErr = err
		t.mu.Unlock()
		close(synced)
	}()
}

// syncedWithView records that the view was read synced (zfs.View.Synced: the
// target check's `zfs program`), the read started at start: confirm waits for no
// other sync, and resync counts from start. fresh: no hook runs before a unit is
// prepared (an admin's script may change the target), so that the run's first
// confirm, right after the plan, may take the view's reading.
func (t *viewedTarget) syncedWithView(pool string, start time.Time, fresh bool) {
	t.pool, t.syncStart = pool, start
	t.synced = make(chan struct{})
	close(t.synced)
	t.fresh, t.readAt = fresh, time.Now()
}

// resync syncs the pool again when the last sync started over two seconds ago (the
// groups ran since): what was written to a tree's copy meanwhile counts too.
func (t *viewedTarget) resync(ctx context.Context, log *zerolog.Logger) {
	if t != nil && t.synced != nil && time.Since(t.syncStart) > 2*time.Second {
		t.syncPool(ctx, t.pool, log)
	}
}

// syncDone waits for syncPool's last sync to end.
func (t *viewedTarget) syncDone() { <-t.synced }

// confirm reads ds as it is now (one command) just before its unit is prepared:
// when it is not the dataset the view read (gone, made again by someone else, its
// owner changed), ds is read live from then on, so that whose it is is decided on
// what is there. A dataset that cannot be read is the error.
//
// The run's first confirm, when it is a tree's, takes the view's own reading
// instead when the view was read synced a second ago at most, with no hook
// (fresh): a read made just now, by the command that also synced the pool, is what
// one more command would read; and the tree's copy is written only through a
// directory checked to be in ds (CheckMount).
func (t *viewedTarget) confirm(ctx context.Context, ds string, tree bool) error {
	if t.synced != nil && tree { // copiedAt: written must count all
		select {
		case <-t.synced:
		case <-ctx.Done():
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	fresh := t.fresh && tree && time.Since(t.readAt) <= time.Second // its copy checks where it writes
	t.fresh = false
	if !t.covers(ds) || !t.v.Exists(ds) {
		return nil // not in the view: every read of it is live already, or it is made
	}
	if d := t.v.Datasets[ds]; fresh && d.MountRead {
		t.mounts[ds], t.written[ds] = d.Mountpoint, d.Written
		return nil
	}
	now, err := t.Target.Current(ctx, ds)
	switch {
	case err != nil && !zfs.IsNotFound(err) && !errors.Is(err, zfs.ErrForeign):
		return fmt.Errorf("dataset %s: %w", ds, err)
	case err != nil || !t.v.Matches(ds, now):
		t.live[ds] = true
		return nil
	}
	t.mounts[ds] = now.Mountpoint
	t.written[ds] = now.Written
	return nil
}

// copiedAt is the time and mark of ds's last dated snapshot when ds holds just what
// a tree sync made then, complete (transfer.TreeOptions.Unchanged and Mark, which the
// sync checks against its own mark): that snapshot is ds's last, a dated kvmbackup
// one with a PropTree, and nothing was written to ds since it, both as the view
// read ds and as confirm read it just now, after the pool's sync (written 0; a
// rollback to it leaves 0 too). ok is false otherwise, and for a dataset read live.
func (t *viewedTarget) copiedAt(ds string) (at time.Time, mark string, ok bool) {
	if t == nil { // no view: nothing read to trust
		return time.Time{}, "", false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.v.Datasets[ds]
	if !t.covers(ds) || d == nil || d.Written != 0 || len(d.Snapshots) == 0 {
		return time.Time{}, "", false
	}
	if w, read := t.written[ds]; !read || w != 0 || t.synced == nil || t.syncErr != nil {
		return time.Time{}, "", false // written not read, not 0, or maybe not counting all
	}
	last := d.Snapshots[len(d.Snapshots)-1]
	if mark = last.Props[zfs.PropTree]; !last.Ours() || mark == "" {
		return time.Time{}, "", false
	}
	return last.Time(), mark, true
}

// Mountpoint is confirm's reading, once; else, for a dataset that holds units'
// datasets (the view's root, ROOT/_paths) and whose mount the view read (not read
// live since), the view's; for one the view did not see (a first run), not found,
// as the read saw it, until the run makes a dataset; else the target's.
//
// A unit's own dataset never gets the view's: it is the one written, and another
// admin may have replaced or remounted it since the read (confirm reads it just
// before, and a second Mountpoint reads it live). Its parents are not written, and
// what their mount points are used for holds on the view's reading: TargetMounts
// asks for the root's right after the view is read (it asked zfs at that point
// before); fenceCopy's fence is a path, not a dataset: the copy, where confirm's
// live read says the unit's dataset is mounted now, must lie below the directory
// fenceCopy makes root's alone, whatever is mounted there by then.
func (t *viewedTarget) Mountpoint(ctx context.Context, ds string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if mp, ok := t.mounts[ds]; ok {
		delete(t.mounts, ds)
		if mp == "" {
			return "", fmt.Errorf("dataset %s is not mounted: `zfs mount %s`", ds, ds)
		}
		return mp, nil
	}
	if t.covers(ds) && t.holdsUnits(ds) {
		if mp, ok, err := t.v.Mountpoint(ds); ok {
			return mp, err
		}
		if !t.ensured && !t.v.Exists(ds) {
			return "", fmt.Errorf("dataset %s (as read at the run's start): %w", ds, zfs.ErrNotFound)
		}
	}
	return t.Target.Mountpoint(ctx, ds)
}

// holdsUnits: ds is a dataset the layout puts units' datasets in (the root, or
// ROOT/_paths), never a unit's own.
func (t *viewedTarget) holdsUnits(ds string) bool {
	return ds == t.v.Root || ds == t.v.Root+"/"+zfs.PathsChild
}

// readLive makes every later read of ds go to the target: a rollback decides on
// what is there now (another tool may have snapshotted ds since the read).
func (t *viewedTarget) readLive(ds string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.live[ds] = true
}

// covers: the view answers for ds.
func (t *viewedTarget) covers(ds string) bool { return t.v.Covers(ds) && !t.live[ds] }

func (t *viewedTarget) Owner(ctx context.Context, ds string) (zfs.Owner, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.covers(ds) {
		return t.Target.Owner(ctx, ds)
	}
	return t.v.Owner(ds)
}

func (t *viewedTarget) Claim(ctx context.Context, ds string, owner zfs.Owner) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.covers(ds) && t.v.Claimed(ds, owner) {
		return nil
	}
	err := t.Target.Claim(ctx, ds, owner)
	if err == nil {
		t.v.ClaimDone(ds, owner)
	}
	return err
}

func (t *viewedTarget) Children(ctx context.Context, ds string) ([]string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.covers(ds) {
		return t.Target.Children(ctx, ds)
	}
	return t.v.Children(ds)
}

func (t *viewedTarget) Snapshots(ctx context.Context, ds string) ([]zfs.Snapshot, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.covers(ds) {
		return t.Target.Snapshots(ctx, ds)
	}
	return t.v.Snapshots(ds)
}

func (t *viewedTarget) EnsureDataset(ctx context.Context, ds string, owner zfs.Owner) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ensured = true
	if t.covers(ds) && t.v.Exists(ds) {
		return false, nil
	}
	made, err := t.Target.EnsureDataset(ctx, ds, owner)
	switch {
	case made:
		t.v.Added(ds, owner)
	case err == nil && t.v.Covers(ds): // made by someone else since the read
		t.live[ds] = true
	}
	return made, err
}

func (t *viewedTarget) TakeSnapshot(ctx context.Context, ds string, at time.Time, props map[string]string) (zfs.Snapshot, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, err := t.Target.TakeSnapshot(ctx, ds, at, props)
	if err == nil {
		t.v.Took(s)
	}
	return s, err
}

func (t *viewedTarget) Destroy(ctx context.Context, ds, name string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.Target.Destroy(ctx, ds, name)
	if err == nil || zfs.IsNotFound(err) {
		t.v.Destroyed(ds, name)
	}
	return err
}

func (t *viewedTarget) DestroyNewDataset(ctx context.Context, ds string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.Target.DestroyNewDataset(ctx, ds)
	if err == nil {
		t.v.Removed(ds)
	}
	return err
}

// viewedSource is a run's replication source: whose each dataset is, and its
// children, are the run's view's answers (the run just wrote and pruned them).
type viewedSource struct {
	ReplicateSource
	v *viewedTarget
}

func (s viewedSource) Owner(ctx context.Context, ds string) (zfs.Owner, error) {
	return s.v.Owner(ctx, ds)
}

func (s viewedSource) Children(ctx context.Context, ds string) ([]string, error) {
	return s.v.Children(ctx, ds)
}
