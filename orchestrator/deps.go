package orchestrator

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// The orchestrator declares what it needs of the world by role: a run (plan, freeze
// window, write, commit), a rollback, recover, prune, restore and mount each take the
// interface of their role, never more. Hypervisor, Snapshotter and Target are the
// roles together: what the real adapters give (Libvirt, LVM, *zfs.Manager)
// and what Deps holds for a run, which plans, writes, rolls back, recovers and prunes.
// The fakes of the tests (world_test.go) satisfy the same interfaces.

// Hypervisor is every role of libvirt together: what Libvirt gives.
type Hypervisor interface {
	BackupHypervisor
	RestoreHypervisor
	VMRecoverer
}

// DomainLister is what the plan, and a restore's checks, read of libvirt.
type DomainLister interface {
	// Domains lists every defined or running domain with its disks, sorted by name.
	// Nothing is changed.
	Domains(ctx context.Context) ([]hypervisor.Domain, error)
}

// BackupHypervisor is what a run needs of libvirt: the plan's domains, the freeze
// window, and each VM's definition for its backup.
type BackupHypervisor interface {
	DomainLister
	// DomainXML returns the named domain's definition for a later restore --define
	// (the persistent one of a persistent domain, else the live one), its secrets
	// kept: whoever writes it writes it 0600. An unknown domain is an error wrapping
	// hypervisor.ErrNotFound.
	DomainXML(ctx context.Context, name string) (string, error)
	// Freeze quiesces the named VMs as one group and never returns an error with a
	// VM still paused or frozen; the Frozen it returns resumes exactly what it paused.
	// A shut-off VM is skipped, one paused by someone else left alone; both are in
	// its reports.
	Freeze(ctx context.Context, names []string, opts hypervisor.FreezeOptions) (Frozen, error)
}

// RestoreHypervisor is what a restore needs of libvirt.
type RestoreHypervisor interface {
	DomainLister
	// Define defines (does not start) a domain from its XML and returns its name; a
	// name or UUID in use is an error, and nothing is defined.
	Define(ctx context.Context, xml string) (string, error)
}

// VMRecoverer is what recover needs of libvirt.
type VMRecoverer interface {
	// Recover resumes (and thaws) the VMs a crashed run left marked, clears the mark,
	// and touches no other VM, even a paused one. Idempotent. The caller holds the
	// run lock: no run is freezing meanwhile.
	Recover(ctx context.Context) ([]hypervisor.Recovered, error)
}

// Frozen is a group of VMs held still by BackupHypervisor.Freeze.
type Frozen interface {
	// Reports says, per VM, how it was quiesced (or why it was skipped) so far.
	Reports() []hypervisor.VMReport
	// Deadline is when the freeze window must end (opts.MaxPause after the first
	// pause or freeze; zero: no deadline): the caller thaws by then, whatever is
	// pending.
	Deadline() time.Time
	// Thaw resumes exactly what Freeze paused or froze and reports each VM's window.
	// Idempotent, and it runs even when ctx is cancelled.
	Thaw(ctx context.Context) ([]hypervisor.VMReport, error)
}

// Snapshotter is every role of LVM together: what LVM (an *lvm.Manager) gives.
// Its own LVView answers as LVM is now, one command a question: what a restore's
// disks and a thin pool's fill are checked with.
type Snapshotter interface {
	LVLookup
	LVView
	LVSnapshots
	ThinTracker
	LVCleaner
}

// ThinTracker is what changed-block tracking on thin LVs needs of LVM: the base kept
// from the last backup of each thin LV, and what changed since.
type ThinTracker interface {
	// Base returns the base of the thin LV vg/origin: an error wrapping
	// lvm.ErrNotFound when there is none, lvm.ErrNotOurs when an LV of its name is
	// not kvmbackup's base.
	Base(ctx context.Context, vg, origin string) (lvm.LV, error)
	// ThinDelta returns the byte ranges that differ between base and snap, two thin
	// snapshots of one LV, from the pool's metadata (no data is read). It reserves
	// the pool's metadata snapshot and releases it on every path; a crash between
	// leaves it reserved (LVCleaner.ReleaseMetadataSnap).
	ThinDelta(ctx context.Context, base, snap lvm.LV) (lvm.Delta, error)
	// KeepAsBase makes snap, a run's thin snapshot, its origin's base (read-only,
	// inactive, out of Cleanup's reach), removing the old base first.
	KeepAsBase(ctx context.Context, snap lvm.LV) (lvm.LV, error)
	// DropBase removes the base of vg/origin; none is not an error.
	DropBase(ctx context.Context, vg, origin string) error
	// Bases lists every base kvmbackup holds.
	Bases(ctx context.Context) ([]lvm.LV, error)
}

// LVLookup is what the plan needs of LVM: one read of every LV, which then says
// which LV holds each disk and each volume. Nothing is changed.
type LVLookup interface {
	// Volumes reads every LV at once (one lvm command, whatever the number of VMs,
	// disks and volumes) and returns a view that answers from that read alone, as
	// LVM was then, with the results and errors LVView describes; it runs nothing
	// more. A plan reads once and asks the view for every disk and volume.
	Volumes(ctx context.Context) (LVView, error)
}

// LVView says which LV holds a disk or a volume. Nothing is changed.
type LVView interface {
	VolumeResolver
	// LV returns the LV VG/name; an unknown LV or VG is an error wrapping
	// lvm.ErrNotFound.
	LV(ctx context.Context, vg, name string) (lvm.LV, error)
}

// LVSnapshots is what a run's freeze window and copy need of LVM. Every snapshot and
// mount it makes carries the run's tag, so that LVCleaner finds what a crash left.
type LVSnapshots interface {
	// PrepareSnapshot checks what a snapshot of vg/origin tagged for the run
	// (opts.RunID) needs, before a freeze window: too little room in the VG is an
	// error wrapping lvm.ErrNoSpace. Nothing is created.
	PrepareSnapshot(ctx context.Context, vg, origin string, opts lvm.SnapshotOptions) (lvm.PendingSnapshot, error)
	// CreateSnapshot creates the snapshot p, one command and nothing more (what a
	// freeze window holds), or nothing; it returns its name and path, not what only
	// ReadySnapshot reads.
	CreateSnapshot(ctx context.Context, p lvm.PendingSnapshot) (lvm.LV, error)
	// ReadySnapshot reads a snapshot CreateSnapshot made back whole (device, size,
	// thin id), activating a thin one that is not: after the window.
	ReadySnapshot(ctx context.Context, snap lvm.LV) (lvm.LV, error)
	// Watch returns a context for reading snap that is cancelled, with an overflow
	// error as its cause, when snap overflows (is invalid, or fuller than maxFill
	// percent, checked every interval), and a stop function that checks once more and
	// reports a late overflow: a copy counts only when stop returns nil. Stop is
	// idempotent.
	Watch(ctx context.Context, snap lvm.LV, maxFill float64, interval time.Duration) (context.Context, func() error)
	// MountSnapshot fscks snap's filesystem and mounts it read-only in the run's
	// directory; it returns the mount point, which Unmount undoes.
	MountSnapshot(ctx context.Context, snap lvm.LV, runID string) (string, error)
	// Unmount unmounts dir (retrying while it is busy) and removes it.
	Unmount(ctx context.Context, dir string) error
	// Remove removes one of kvmbackup's snapshots: any other LV is refused (wrapping
	// lvm.ErrNotOurs); one already gone is not an error.
	Remove(ctx context.Context, vg, name string) error
}

// LVCleaner is what recover needs of LVM.
type LVCleaner interface {
	// Cleanup removes every mount and snapshot of the run runID ("" for every run),
	// mounts first, and nothing else (an LV without kvmbackup's tag, or that is no
	// snapshot, is never removed). Idempotent.
	Cleanup(ctx context.Context, runID string) (lvm.Cleaned, error)
	// ReleaseMetadataSnap releases the metadata snapshot of thin pool vg/pool that a
	// crashed run's ThinDelta left reserved; none held is not an error.
	ReleaseMetadataSnap(ctx context.Context, vg, pool string) error
}

// Target is every role of the ZFS target together: what *zfs.Manager gives and a
// run needs (it writes, rolls back, recovers and prunes).
type Target interface {
	BackupTarget
	RecoverTarget
	PruneTarget
	TargetViewer
}

// TargetViewer reads the target once for a run, which then answers what it asks of
// the datasets below its root from that view (viewedTarget).
type TargetViewer interface {
	// ReadView reads root and everything below it at once: each filesystem's
	// ownership property (set locally), zfs.Hardening values and mount point
	// (ViewDataset.MountRead set), each snapshot
	// with its sizes, holds and user properties (set locally), oldest first. A root
	// that does not exist is an empty view. Nothing is changed.
	ReadView(ctx context.Context, root string) (*zfs.View, error)
	// Current reads a dataset as it is now, in one command: its mount point ("" when
	// not mounted), guid, written and ownership property set locally; an error
	// wrapping zfs.ErrNotFound when it does not exist. Nothing is changed.
	Current(ctx context.Context, dataset string) (zfs.DatasetNow, error)
	// SyncPool waits until what was written to pool is on disk (zpool sync): the
	// written a later read says then counts it. Nothing else is changed.
	SyncPool(ctx context.Context, pool string) error
}

// BackupTarget is what a run writes the target with: its check, each unit's dataset
// (whose it is decided by ownDataset, hence Owners and the listings) and the dated
// snapshot that commits a unit.
type BackupTarget interface {
	Owners
	Mounter
	ChildLister
	SnapshotLister
	TargetChecker
	// EnsureDataset creates a dataset (and its parents) unless it exists, and says
	// whether it did. The dataset it creates carries owner's property and
	// zfs.Hardening; an existing one is left as it is (the caller decides whose it
	// is).
	EnsureDataset(ctx context.Context, dataset string, owner zfs.Owner) (bool, error)
	// CheckMount says whether dir (the stat of a directory opened to be written)
	// lies in dataset's mounted filesystem, from the mount table (no command): an
	// error naming the dataset when not (remounted elsewhere since its mount point
	// was read, unmounted). Nothing is changed.
	CheckMount(dataset string, dir *unix.Stat_t) error
	// TakeSnapshot takes dataset's dated snapshot for at with the given user
	// properties, in one command, and returns its name (not its sizes); it fails
	// with zfs.ErrExists rather than reuse a name.
	TakeSnapshot(ctx context.Context, dataset string, at time.Time, props map[string]string) (zfs.Snapshot, error)
}

// TargetChecker checks the target before a run writes it, and for status.
type TargetChecker interface {
	// CheckTarget reports the pool and dataset against the options, a failed check
	// being a problem in the report and a DEGRADED pool a warning (the error: the
	// checks could not run); a report that read the pool's root dataset's mount
	// says so (PoolMountRead). Nothing is changed.
	CheckTarget(ctx context.Context, o zfs.TargetOptions) (*zfs.TargetReport, error)
}

// TargetViewChecker is a Target that checks the target and reads its view in one
// round (zfs.Manager). A run uses it when its Target has it (checkTargetView), and
// the two calls one after the other when not.
type TargetViewChecker interface {
	// CheckTargetView returns what CheckTarget and then ReadView of o.Dataset
	// return, the view nil when the report has problems. Nothing is changed.
	CheckTargetView(ctx context.Context, o zfs.TargetOptions) (*zfs.TargetReport, *zfs.View, error)
}

// checkTargetView checks t's target and reads its view: in one round when t is a
// TargetViewChecker; else CheckTarget, then ReadView only when the check found no
// problem (a pool the check refuses is not listed whole).
func checkTargetView(ctx context.Context, t Target, o zfs.TargetOptions) (*zfs.TargetReport, *zfs.View, error) {
	if c, ok := t.(TargetViewChecker); ok {
		return c.CheckTargetView(ctx, o)
	}
	tr, err := t.CheckTarget(ctx, o)
	if err != nil || len(tr.Problems) > 0 {
		return tr, nil, err
	}
	v, err := t.ReadView(ctx, o.Dataset)
	return tr, v, err
}

// RollbackTarget is what undoing a unit's unfinished write needs: a run rolls back a
// unit that failed, recover one a crashed run left dirty (rollbackDataset).
type RollbackTarget interface {
	Owners
	Mounter
	ChildLister
	SnapshotLister
	// Rollback returns a dataset to its newest kvmbackup snapshot (zfs.ErrNoSnapshot
	// when it has none) and never destroys a foreign snapshot: when one is newer,
	// nothing is done and the error names it.
	Rollback(ctx context.Context, dataset string) (zfs.Snapshot, error)
	// DestroyNewDataset destroys only a dataset without snapshots or children (the
	// dataset of a first backup that failed); any other is refused, wrapping
	// zfs.ErrNotEmpty; one already gone is not an error.
	DestroyNewDataset(ctx context.Context, dataset string) error
}

// RecoverTarget is what recover needs of the target.
type RecoverTarget interface {
	RollbackTarget
	// Cleanup removes the run runID's ("" every run's) mounts and clones under root,
	// and nothing else. Idempotent.
	Cleanup(ctx context.Context, root, runID string) (zfs.Cleaned, error)
}

// SnapshotLister lists a dataset's snapshots.
type SnapshotLister interface {
	// Snapshots lists one dataset's own snapshots (not its children's), oldest
	// first, with their holds and user properties; a dataset that does not exist is
	// an error wrapping zfs.ErrNotFound.
	Snapshots(ctx context.Context, dataset string) ([]zfs.Snapshot, error)
}

// Copier is what a run's copy and a restore's write need of transfer.
type Copier interface {
	// Copy makes dst byte-identical to src writing only what differs (transfer.Copy's
	// contract): on error dst may be half written, and the caller rolls it back. With
	// opts.SrcFile or opts.DstFile it reads or writes those open files, never the
	// paths (which then only name them), and leaves them open.
	Copy(ctx context.Context, src, dst string, opts transfer.Options) (transfer.Stats, error)
}

// Deps are the real or fake components a run (and Recover) drives.
type Deps struct {
	Hypervisor Hypervisor
	LVM        Snapshotter
	Target     Target
	Copier     Copier
	Trees      Trees // paths: entries (default TransferTrees)
	Hooks      Hooks // the admin's hook script (nil: none)
	// Replicas are the replication: targets with after-run: a run replicates what it
	// backed up to each after its prune, from ReplicaSource (nil: no replication).
	Replicas      []ReplicaTarget
	ReplicaSource ReplicateSource
	// Boot and Loops let recover undo a crashed verify: its throwaway domains and
	// loop devices (nil: none to undo here).
	Boot  ThrowawayCleaner
	Loops LoopDetacher
}

// Libvirt adapts a hypervisor connection to Hypervisor.
func Libvirt(c *hypervisor.Conn) Hypervisor { return libvirtHV{c} }

type libvirtHV struct{ *hypervisor.Conn }

// LazyLibvirt is libvirt at uri connected on first use, as Hypervisor and as
// ThrowawayCleaner: a night of host trees alone asks nothing of libvirt (its plan
// lists no domain; its recover sweeps VMs only when a journal is left), so it never
// loads libvirt's libraries nor connects. A failed connection is each call's error,
// and tried again by the next call. Close closes the connection if one was made.
func LazyLibvirt(uri string) *LazyConn { return &LazyConn{uri: uri} }

var (
	_ Hypervisor       = (*LazyConn)(nil)
	_ ThrowawayCleaner = (*LazyConn)(nil)
)

// LazyConn is LazyLibvirt's connection.
type LazyConn struct {
	uri string
	mu  sync.Mutex
	c   *hypervisor.Conn
}

func (l *LazyConn) conn(ctx context.Context) (libvirtHV, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.c == nil {
		c, err := hypervisor.Connect(ctx, l.uri)
		if err != nil {
			return libvirtHV{}, err
		}
		l.c = c
	}
	return libvirtHV{l.c}, nil
}

// Connected reports whether a connection was made.
func (l *LazyConn) Connected() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.c != nil
}

// Close closes the connection, if any.
func (l *LazyConn) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.c
	l.c = nil
	return c.Close()
}

func (l *LazyConn) Domains(ctx context.Context) ([]hypervisor.Domain, error) {
	h, err := l.conn(ctx)
	if err != nil {
		return nil, err
	}
	return h.Domains(ctx)
}

func (l *LazyConn) DomainXML(ctx context.Context, name string) (string, error) {
	h, err := l.conn(ctx)
	if err != nil {
		return "", err
	}
	return h.DomainXML(ctx, name)
}

func (l *LazyConn) Freeze(ctx context.Context, names []string, opts hypervisor.FreezeOptions) (Frozen, error) {
	h, err := l.conn(ctx)
	if err != nil {
		return nil, err
	}
	return h.Freeze(ctx, names, opts)
}

func (l *LazyConn) Define(ctx context.Context, xml string) (string, error) {
	h, err := l.conn(ctx)
	if err != nil {
		return "", err
	}
	return h.Define(ctx, xml)
}

func (l *LazyConn) Recover(ctx context.Context) ([]hypervisor.Recovered, error) {
	h, err := l.conn(ctx)
	if err != nil {
		return nil, err
	}
	return h.Recover(ctx)
}

func (l *LazyConn) Throwaways(ctx context.Context, runID string) (map[string]string, error) {
	h, err := l.conn(ctx)
	if err != nil {
		return nil, err
	}
	return h.Throwaways(ctx, runID)
}

func (l *LazyConn) DestroyThrowaway(ctx context.Context, name string) error {
	h, err := l.conn(ctx)
	if err != nil {
		return err
	}
	return h.DestroyThrowaway(ctx, name)
}

func (h libvirtHV) Freeze(ctx context.Context, names []string, opts hypervisor.FreezeOptions) (Frozen, error) {
	g, err := h.Conn.Freeze(ctx, names, opts)
	if err != nil {
		return nil, err
	}
	return g, nil
}

// LVM adapts an lvm.Manager to the roles of LVM (Snapshotter, VGLookup): its
// Volumes, one lvs read of every LV, is the plan's LVView; its other methods are the
// Manager's own.
type LVM struct{ *lvm.Manager }

// Volumes is lvm.Manager.Volumes as an LVView.
func (m LVM) Volumes(ctx context.Context) (LVView, error) {
	v, err := m.Manager.Volumes(ctx)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// TransferCopier is transfer.Copy as a Copier.
type TransferCopier struct{}

// Copy calls transfer.Copy.
func (TransferCopier) Copy(ctx context.Context, src, dst string, opts transfer.Options) (transfer.Stats, error) {
	return transfer.Copy(ctx, src, dst, opts)
}
