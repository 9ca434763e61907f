package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kvmbackup/kvmbackup/zfs"
)

// Owners recognises and marks kvmbackup's own datasets.
type Owners interface {
	// Owner returns the ownership property set locally on a dataset (the zero
	// zfs.Owner when it has none: an inherited value does not count), an error
	// wrapping zfs.ErrNotFound when the dataset does not exist. Nothing is changed.
	Owner(ctx context.Context, dataset string) (zfs.Owner, error)
	// Claim makes a dataset carry an owner's property and zfs.Hardening, changing
	// only what differs (idempotent), and refuses with zfs.ErrForeign one whose
	// property names another owner; it is called only on a dataset ownDataset
	// decided is that owner's.
	Claim(ctx context.Context, dataset string, owner zfs.Owner) error
}

// ownerTarget is what ownDataset reads to decide (BackupTarget, RollbackTarget and
// PruneTarget have it).
type ownerTarget interface {
	Owners
	Mounter
	ChildLister
	SnapshotLister
}

// ownDataset decides whether the dataset ds may be written, rolled back and pruned
// as the unit u's. It may when ds carries u's owner property, set locally (kvmbackup
// created it so); or, with adopt, when ds is one an earlier kvmbackup made before
// datasets carried the property, which it then claims (Owners.Claim). The adoption
// rule, all of it must hold:
//   - ds carries no ownership property at all;
//   - ds has no child dataset, and at least one snapshot;
//   - every snapshot of ds has a dated kvmbackup name and the kvmbackup:run property
//     kvmbackup set on each (and, for a paths: entry, kvmbackup:source);
//   - for a VM, ds is mounted and holds a regular kvmbackup.json that names the VM.
//
// Anything else is an error wrapping zfs.ErrForeign that names ds and says what to
// do; nothing is changed then. exists is false (and err nil) when ds does not exist.
// Without adopt, an adoptable dataset is reported as u's and left unmarked.
func ownDataset(ctx context.Context, t ownerTarget, ds string, u zfs.Unit, adopt bool) (exists bool, err error) {
	owner := u.Owner()
	got, err := t.Owner(ctx, ds)
	switch {
	case zfs.IsNotFound(err):
		return false, nil
	case err != nil:
		return true, fmt.Errorf("dataset %s: %w", ds, err)
	case got == owner:
		if adopt {
			if err := t.Claim(ctx, ds, owner); err != nil {
				return true, fmt.Errorf("dataset %s: %w", ds, err)
			}
		}
		return true, nil
	case !got.IsZero():
		return true, fmt.Errorf("dataset %s: %w: it carries %s, not %s; kvmbackup neither writes, rolls back nor prunes it", ds, zfs.ErrForeign, got, owner)
	}
	if why := notAdoptable(ctx, t, ds, u); why != "" {
		return true, fmt.Errorf("dataset %s: %w: it has no %s property and %s; kvmbackup neither writes, rolls back nor prunes it (move it away, or if it does hold kvmbackup's backups of %s: `zfs set %s %s`)",
			ds, zfs.ErrForeign, owner.Prop, why, owner.Name, owner, ds)
	}
	if adopt {
		if err := t.Claim(ctx, ds, owner); err != nil {
			return true, fmt.Errorf("adopt dataset %s: %w", ds, err)
		}
	}
	return true, nil
}

// notAdoptable says which part of the adoption rule (ownDataset) ds fails; "" when
// it passes.
func notAdoptable(ctx context.Context, t ownerTarget, ds string, u zfs.Unit) string {
	kids, err := t.Children(ctx, ds)
	if err != nil {
		return fmt.Sprintf("its children cannot be listed (%v)", err)
	}
	if len(kids) > 0 {
		return fmt.Sprintf("it has child datasets (%s)", strings.Join(kids, ", "))
	}
	snaps, err := t.Snapshots(ctx, ds)
	if err != nil {
		return fmt.Sprintf("its snapshots cannot be listed (%v)", err)
	}
	if len(snaps) == 0 {
		return "it has no kvmbackup snapshot"
	}
	for _, s := range snaps {
		if p := s.Backup(); !s.Ours() || p.Run == "" || (u.Kind == zfs.KindPath && p.Source == "") {
			return fmt.Sprintf("its snapshot %s is not one kvmbackup took", s.Name)
		}
	}
	if u.Kind != zfs.KindVM {
		return ""
	}
	mp, err := t.Mountpoint(ctx, ds)
	if err != nil {
		return fmt.Sprintf("it is not mounted (%v)", err)
	}
	if why := metaNames(mp, u.Name); why != "" {
		return why
	}
	return ""
}

// metaNames says why the directory dir does not hold a kvmbackup.json of the VM
// vm ("" when it does), reading beneath dir without following symlinks.
func metaNames(dir, vm string) string {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Sprintf("its files cannot be read (%v)", err)
	}
	defer root.Close()
	fi, err := root.Lstat("kvmbackup.json")
	if err != nil || !fi.Mode().IsRegular() {
		return "it holds no kvmbackup.json"
	}
	f, err := root.Open("kvmbackup.json")
	if err != nil {
		return fmt.Sprintf("its kvmbackup.json cannot be read (%v)", err)
	}
	defer f.Close()
	var m Meta
	if err := json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&m); err != nil {
		return fmt.Sprintf("its kvmbackup.json does not parse (%v)", err)
	}
	if m.VM != vm {
		return fmt.Sprintf("its kvmbackup.json is VM %q's", m.VM)
	}
	return ""
}

// errForeign reports whether err says a dataset is not kvmbackup's.
func errForeign(err error) bool { return errors.Is(err, zfs.ErrForeign) }
