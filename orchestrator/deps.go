package orchestrator

import (
	"context"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// Hypervisor is what a run needs of libvirt.
//
// Contract: Domains lists every defined or running domain with its disks. Freeze
// quiesces the named VMs as one group and never returns an error with a VM still
// paused or frozen; the Frozen it returns resumes exactly what it paused, its Thaw is
// idempotent and runs even when ctx is cancelled. Recover resumes the VMs a crashed
// run left marked, and touches no other VM. Define defines (does not start) a domain
// from its XML and returns its name; a name or UUID in use is an error.
type Hypervisor interface {
	Domains(ctx context.Context) ([]hypervisor.Domain, error)
	DomainXML(ctx context.Context, name string) (string, error)
	Define(ctx context.Context, xml string) (string, error)
	Freeze(ctx context.Context, names []string, opts hypervisor.FreezeOptions) (Frozen, error)
	Recover(ctx context.Context) ([]hypervisor.Recovered, error)
}

// Frozen is a group of VMs held still by Hypervisor.Freeze (see its contract).
// Deadline is when the freeze window must end (opts.MaxPause after the first pause
// or freeze; zero: no deadline): the caller thaws by then, whatever is pending.
type Frozen interface {
	Reports() []hypervisor.VMReport
	Deadline() time.Time
	Thaw(ctx context.Context) ([]hypervisor.VMReport, error)
}

// Snapshotter is what a run needs of LVM.
//
// Contract: Snapshot creates a snapshot tagged for the run (opts.RunID) or nothing;
// Remove removes only kvmbackup's snapshots (one already gone is not an error);
// Watch returns a context cancelled with an overflow error as cause when the
// snapshot overflows, and a stop function that reports a late overflow; MountSnapshot
// fscks and mounts read-only, Unmount undoes it; Cleanup(runID) removes every mount
// and snapshot of that run ("" for every run) and nothing else.
type Snapshotter interface {
	ResolveDevice(ctx context.Context, path string) (lvm.LV, error)
	ResolveFile(ctx context.Context, path string) (lvm.FileOnLV, error)
	LV(ctx context.Context, vg, name string) (lvm.LV, error)
	Snapshot(ctx context.Context, vg, origin string, opts lvm.SnapshotOptions) (lvm.LV, error)
	Watch(ctx context.Context, snap lvm.LV, maxFill float64, interval time.Duration) (context.Context, func() error)
	MountSnapshot(ctx context.Context, snap lvm.LV, runID string) (string, error)
	Unmount(ctx context.Context, dir string) error
	Remove(ctx context.Context, vg, name string) error
	Cleanup(ctx context.Context, runID string) (lvm.Cleaned, error)
}

// Target is what a run needs of the ZFS target.
//
// Contract (besides PruneTarget's): CheckTarget reports the pool and dataset against
// the options without changing anything; EnsureDataset creates a dataset (and its
// parents) unless it exists and says whether it did, the dataset it creates carrying
// the owner's property and zfs.Hardening (an existing one is left as it is); Mountpoint is where a dataset's
// files are; TakeSnapshot fails with zfs.ErrExists rather than reuse a name; Rollback
// returns a dataset to its newest kvmbackup snapshot (zfs.ErrNoSnapshot when it has
// none) and never destroys a foreign snapshot; DestroyNewDataset destroys only a
// dataset without snapshots or children; Cleanup removes a run's clones and mounts.
type Target interface {
	PruneTarget
	CheckTarget(ctx context.Context, o zfs.TargetOptions) (*zfs.TargetReport, error)
	EnsureDataset(ctx context.Context, dataset string, owner zfs.Owner) (bool, error)
	Mounter
	TakeSnapshot(ctx context.Context, dataset string, at time.Time, props map[string]string) (zfs.Snapshot, error)
	Rollback(ctx context.Context, dataset string) (zfs.Snapshot, error)
	DestroyNewDataset(ctx context.Context, dataset string) error
	Cleanup(ctx context.Context, root, runID string) (zfs.Cleaned, error)
}

// Copier makes dst byte-identical to src writing only what differs (transfer.Copy's
// contract): on error dst may be half written, and the caller rolls it back. With
// opts.SrcFile or opts.DstFile it reads or writes those open files, never the paths
// (which then only name them), and leaves them open.
type Copier interface {
	Copy(ctx context.Context, src, dst string, opts transfer.Options) (transfer.Stats, error)
}

// Deps are the real or fake components a run drives.
type Deps struct {
	Hypervisor Hypervisor
	LVM        Snapshotter
	Target     Target
	Copier     Copier
	Trees      Trees // paths: entries (default TransferTrees)
}

// Libvirt adapts a hypervisor connection to Hypervisor.
func Libvirt(c *hypervisor.Conn) Hypervisor { return libvirtHV{c} }

type libvirtHV struct{ *hypervisor.Conn }

func (h libvirtHV) Freeze(ctx context.Context, names []string, opts hypervisor.FreezeOptions) (Frozen, error) {
	g, err := h.Conn.Freeze(ctx, names, opts)
	if err != nil {
		return nil, err
	}
	return g, nil
}

// TransferCopier is transfer.Copy as a Copier.
type TransferCopier struct{}

// Copy calls transfer.Copy.
func (TransferCopier) Copy(ctx context.Context, src, dst string, opts transfer.Options) (transfer.Stats, error) {
	return transfer.Copy(ctx, src, dst, opts)
}
