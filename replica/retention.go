package replica

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// The receiver's own history: after each receive that succeeded, the dataset is
// pruned by the receiver's retention (Receiver.Prune), given where the receiver runs
// (`kvmbackup receive --keep-daily 30 --keep-monthly 12` in the forced command, or,
// for a zfs:// target, replication[].retention). The sender never asks for it and
// cannot: there is no such request.

// Pruner prunes a dataset the receiver has just received into.
type Pruner interface {
	// Prune destroys the dated snapshots of dataset that the receiver's retention no
	// longer keeps, never the newest, a held one or another tool's, and returns the
	// names destroyed. A failure names the snapshot; the others are still tried.
	Prune(ctx context.Context, dataset string) ([]string, error)
}

// RetentionZFS is what a RetentionPruner needs of ZFS.
type RetentionZFS interface {
	// Snapshots lists dataset's own snapshots, oldest first, with their holds; a
	// dataset that does not exist is an error wrapping zfs.ErrNotFound.
	Snapshots(ctx context.Context, dataset string) ([]zfs.Snapshot, error)
	// Destroy destroys one of kvmbackup's dated snapshots and refuses any other name
	// (zfs.ErrNotOurs) or a held one (zfs.ErrHeld).
	Destroy(ctx context.Context, dataset, name string) error
}

// RetentionPruner prunes by Policy, its calendar periods taken in Location (nil:
// time.Local).
type RetentionPruner struct {
	Policy   policies.Policy
	Location *time.Location
	ZFS      RetentionZFS
}

// Prune applies the policy to dataset's snapshots (Pruner).
func (p RetentionPruner) Prune(ctx context.Context, dataset string) ([]string, error) {
	loc := p.Location
	if loc == nil {
		loc = time.Local
	}
	snaps, err := p.ZFS.Snapshots(ctx, dataset)
	if err != nil {
		return nil, err
	}
	decisions, err := policies.Apply(p.Policy, zfs.PolicySnapshots(snaps), loc)
	if err != nil {
		return nil, fmt.Errorf("prune %s: %w", dataset, err)
	}
	var gone []string
	var errs []error
	for _, d := range decisions {
		if d.Keep {
			continue
		}
		if err := p.ZFS.Destroy(ctx, dataset, d.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		gone = append(gone, d.Name)
	}
	return gone, errors.Join(errs...)
}
