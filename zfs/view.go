package zfs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rs/zerolog"
)

// View is a target as one read saw it: every filesystem at or below a root with its
// ownership property, hardening and mount point, and every snapshot with its sizes, holds
// and user properties. A run reads it once (ReadView) and answers its plan, its
// units' preparation, prune and report from it, recording what it changes itself
// (Added, ClaimDone, Took, Destroyed, Removed) instead of listing the target again.
// Before a dataset is written, Manager.Current says whether it is still the one the
// view read (Matches). It is not safe for concurrent use; its caller serializes.
type View struct {
	Root     string
	Datasets map[string]*ViewDataset // by full name
	// Synced: read after everything written to the pool before the read began was
	// on disk (ReadViewSynced), so each dataset's Written counts it all. SyncErr:
	// why a view asked for synced (TargetOptions.SyncPool) is not.
	Synced  bool
	SyncErr error
	// Ancestor, when Root did not exist at the read and the view was read by
	// view.lua: the nearest dataset it will inherit from, with the compression and
	// available the read saw (the target check's figures on a first run). nil
	// otherwise.
	Ancestor *ViewAncestor
}

// ViewAncestor is a View's nearest existing ancestor of its missing root.
type ViewAncestor struct {
	Name        string
	Compression string
	Available   int64
}

// ViewDataset is one filesystem of a View.
type ViewDataset struct {
	Name string
	GUID string // "" for one the run created (Added): not read
	// Owners: the ownership properties set locally (PropVM, PropPath), by name;
	// more than one is ErrForeign, as Owner says.
	Owners map[string]string
	// Values of zfs.Hardening's properties (effective, whatever their source).
	Hardening map[string]string
	Snapshots []Snapshot // oldest first (by creation order)
	// Mountpoint is where the read saw it mounted ("" when it was not mounted);
	// MountRead is false when the view did not read it (a dataset the run made).
	Mountpoint string
	MountRead  bool
	// Compression and Available (bytes) as the read saw them: the target check's
	// figures of the target dataset (CheckTargetView).
	Compression string
	Available   int64
	// Written: bytes written to it since its last snapshot, as the read saw them
	// (-1 when not read: a dataset the run made).
	Written int64
}

// ReadView reads root and every filesystem and snapshot below it: two zfs commands,
// run at once (both only read), and one more when a snapshot is held, whatever the
// number of datasets. A root that does not exist gives an empty View (a first run
// creates it).
func (m *Manager) ReadView(ctx context.Context, root string) (*View, error) {
	if err := CheckDatasetName(root); err != nil {
		return nil, err
	}
	// The listing (mounted and mountpoint are "-" on a snapshot's line) and what is
	// set locally (the ownership properties of filesystems, the user properties of
	// snapshots). Neither depends on the other's answer; a dataset made or destroyed
	// between them is as it was between two commands run one after the other.
	var rows, local [][]string
	var err, lerr error
	var wg sync.WaitGroup
	wg.Go(func() {
		local, lerr = lines(ctx, m.ZFS, "properties under "+root, "get", "-H", "-p", "-r", "-s", "local", "-t", "filesystem,snapshot",
			"-o", "name,property,value", "all", root)
	})
	rows, err = lines(ctx, m.ZFS, "datasets under "+root, "list", "-H", "-p", "-r", "-t", "filesystem,snapshot",
		"-o", viewColumns(), "-s", "createtxg", root)
	wg.Wait()
	if IsNotFound(err) {
		return &View{Root: root, Datasets: map[string]*ViewDataset{}}, nil
	}
	if err != nil {
		return nil, err
	}
	if lerr != nil {
		return nil, lerr
	}
	v, held, snaps, err := buildView(root, rows, local)
	if err != nil {
		return nil, err
	}
	if err := m.addHolds(ctx, "holds under "+root, held, snaps); err != nil {
		return nil, err
	}
	return v, nil
}

// viewColumns are the columns of ReadView's listing: snapshotColumns, then type,
// guid, mounted, mountpoint, compression, available and zfs.Hardening's properties
// (sorted).
func viewColumns() string {
	return snapshotColumns + ",type,guid,mounted,mountpoint,compression,available," + strings.Join(slices.Sorted(maps.Keys(hardening())), ",")
}

// buildView makes root's View from its listing (rows: viewColumns, sorted by
// createtxg) and what is set locally (name, property, value); held are the
// snapshots with holds (their names), for snaps (every snapshot by full name) to
// get them.
func buildView(root string, rows, local [][]string) (*View, []string, map[string]*Snapshot, error) {
	v := &View{Root: root, Datasets: map[string]*ViewDataset{}}
	hard := slices.Sorted(maps.Keys(hardening()))
	snaps := map[string]*Snapshot{}
	var held []string
	for _, r := range rows {
		if len(r) != 12+len(hard) {
			return nil, nil, nil, fmt.Errorf("datasets under %s: unexpected zfs list line %q", root, strings.Join(r, "\t"))
		}
		if r[6] != "snapshot" {
			d := &ViewDataset{Name: r[0], GUID: r[7], Owners: map[string]string{}, Hardening: map[string]string{}, MountRead: true,
				Compression: r[10], Available: num(r[11]), Written: count(r[3])}
			if r[8] == "yes" && strings.HasPrefix(r[9], "/") {
				d.Mountpoint = r[9]
			}
			for i, k := range hard {
				d.Hardening[k] = r[12+i]
			}
			v.Datasets[r[0]] = d
		}
	}
	// Snapshots in a second pass: sorted by createtxg, a promoted clone's snapshots
	// come before its own line.
	for _, r := range rows {
		if r[6] != "snapshot" {
			continue
		}
		sn := snapshotRow(r)
		d := v.Datasets[sn.Dataset]
		if d == nil { // a volume's (not listed): not a backup
			continue
		}
		d.Snapshots = append(d.Snapshots, sn)
		if num(r[5]) > 0 {
			held = append(held, r[0])
		}
	}
	for _, d := range v.Datasets {
		for i := range d.Snapshots {
			snaps[d.Snapshots[i].FullName()] = &d.Snapshots[i]
		}
	}
	for _, r := range local {
		if len(r) != 3 {
			continue
		}
		if s := snaps[r[0]]; s != nil && strings.Contains(r[1], ":") {
			s.Props[r[1]] = r[2]
		} else if d := v.Datasets[r[0]]; d != nil && slices.Contains(ownerProps, r[1]) {
			d.Owners[r[1]] = r[2]
		}
	}
	return v, held, snaps, nil
}

func (v *View) dataset(name string) (*ViewDataset, error) {
	if err := CheckDatasetName(name); err != nil {
		return nil, err
	}
	d := v.Datasets[name]
	if d == nil {
		return nil, fmt.Errorf("dataset %s: %w (as read at the run's start)", name, ErrNotFound)
	}
	return d, nil
}

// Covers reports whether the view answers for dataset: it is the root or below it.
func (v *View) Covers(dataset string) bool {
	return dataset == v.Root || strings.HasPrefix(dataset, v.Root+"/")
}

// Exists reports whether dataset exists.
func (v *View) Exists(dataset string) bool { return v.Datasets[dataset] != nil }

// Mountpoint answers as Manager.Mountpoint did at the read: where dataset was
// mounted, an error when it was not mounted. ok is false when the view cannot say
// (a dataset it does not hold, or one the run made: its mount was not read); the
// caller then reads it live.
func (v *View) Mountpoint(dataset string) (mp string, ok bool, err error) {
	d := v.Datasets[dataset]
	if d == nil || !d.MountRead {
		return "", false, nil
	}
	if d.Mountpoint == "" {
		return "", true, fmt.Errorf("dataset %s is not mounted (as read at the run's start): `zfs mount %s`", dataset, dataset)
	}
	return d.Mountpoint, true, nil
}

// Owner answers as Manager.Owner.
func (v *View) Owner(dataset string) (Owner, error) {
	d, err := v.dataset(dataset)
	if err != nil {
		return Owner{}, err
	}
	var found []Owner
	for _, p := range ownerProps {
		if n, ok := d.Owners[p]; ok {
			found = append(found, Owner{p, n})
		}
	}
	return oneOwner(dataset, found)
}

// Claimed reports whether Manager.Claim(dataset, owner) would change nothing: the
// dataset carries owner's property locally, no other, and zfs.Hardening.
func (v *View) Claimed(dataset string, owner Owner) bool {
	d := v.Datasets[dataset]
	return d != nil && len(d.Owners) == 1 && d.Owners[owner.Prop] == owner.Name && maps.Equal(d.Hardening, hardening())
}

// Children answers as Manager.Children.
func (v *View) Children(dataset string) ([]string, error) {
	if _, err := v.dataset(dataset); err != nil {
		return nil, err
	}
	var out []string
	for n := range v.Datasets {
		if parent, _, ok := cutLast(n); ok && parent == dataset {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

func cutLast(name string) (string, string, bool) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return "", name, false
	}
	return name[:i], name[i+1:], true
}

// Snapshots answers as Manager.Snapshots (copies: the caller may keep them).
func (v *View) Snapshots(dataset string) ([]Snapshot, error) {
	d, err := v.dataset(dataset)
	if err != nil {
		return nil, err
	}
	out := make([]Snapshot, len(d.Snapshots))
	for i, s := range d.Snapshots {
		out[i] = s
		out[i].Holds, out[i].Props = slices.Clone(s.Holds), maps.Clone(s.Props)
	}
	return out, nil
}

// Added records a filesystem created (by EnsureDataset: with owner's property and
// Hardening) and its missing parents.
func (v *View) Added(dataset string, owner Owner) {
	for p, _, ok := cutLast(dataset); ok && v.Covers(p) && v.Datasets[p] == nil; p, _, ok = cutLast(p) {
		v.Datasets[p] = &ViewDataset{Name: p, Owners: map[string]string{}, Hardening: map[string]string{}, Written: -1}
	}
	v.Datasets[dataset] = &ViewDataset{Name: dataset, Owners: map[string]string{owner.Prop: owner.Name}, Hardening: hardening(), Written: -1}
}

// ClaimDone records that Claim made dataset owner's.
func (v *View) ClaimDone(dataset string, owner Owner) {
	if d := v.Datasets[dataset]; d != nil {
		d.Owners, d.Hardening = map[string]string{owner.Prop: owner.Name}, hardening()
	}
}

// Took records a snapshot taken.
func (v *View) Took(s Snapshot) {
	if d := v.Datasets[s.Dataset]; d != nil {
		d.Snapshots = append(d.Snapshots, s)
	}
}

// Destroyed records a snapshot destroyed.
func (v *View) Destroyed(dataset, name string) {
	if d := v.Datasets[dataset]; d != nil {
		d.Snapshots = slices.DeleteFunc(d.Snapshots, func(s Snapshot) bool { return s.Name == name })
	}
}

// Removed records a dataset destroyed.
func (v *View) Removed(dataset string) { delete(v.Datasets, dataset) }

// DatasetNow is a dataset as one command reads it just before it is written.
type DatasetNow struct {
	Mountpoint string // "" when not mounted
	GUID       string
	Owner      Owner // set locally
	Written    int64 // bytes written since its last snapshot (-1: not read)
}

// Current reads dataset's mount, guid, written and ownership property (set locally) in one
// command, or in this process by a channel program in open context (libzfs_core,
// Manager.Core: what zfs get reads, no command): an error wrapping ErrNotFound
// when it does not exist, wrapping ErrForeign when it carries both ownership
// properties.
func (m *Manager) Current(ctx context.Context, dataset string) (DatasetNow, error) {
	if err := CheckDatasetName(dataset); err != nil {
		return DatasetNow{}, err
	}
	if c := m.core(ctx); c != nil {
		now, err := m.currentByCore(ctx, c, dataset)
		if err == nil || IsNotFound(err) || errors.Is(err, ErrForeign) || ctx.Err() != nil {
			return now, err
		}
		zerolog.Ctx(ctx).Debug().Err(err).Msg("the dataset's read by libzfs_core failed: by zfs get")
	}
	rows, err := lines(ctx, m.ZFS, "dataset "+dataset, "get", "-H", "-p", "-o", "property,value,source",
		"mounted,mountpoint,guid,written,"+strings.Join(ownerProps, ","), dataset)
	if err != nil {
		return DatasetNow{}, err
	}
	now := DatasetNow{Written: -1}
	var found []Owner
	mounted := false
	for _, r := range rows {
		if len(r) != 3 {
			continue
		}
		switch {
		case r[0] == "mounted":
			mounted = r[1] == "yes"
		case r[0] == "mountpoint" && strings.HasPrefix(r[1], "/"):
			now.Mountpoint = r[1]
		case r[0] == "guid":
			now.GUID = r[1]
		case r[0] == "written":
			now.Written = count(r[1])
		case slices.Contains(ownerProps, r[0]) && r[2] == "local":
			found = append(found, Owner{r[0], r[1]})
		}
	}
	if !mounted {
		now.Mountpoint = ""
	}
	now.Owner, err = oneOwner(dataset, found)
	return now, err
}

// SyncPool runs `zpool sync POOL`: it returns once everything written to pool so far
// is on disk, so that a dataset's written (updated as a transaction group syncs,
// every few seconds) counts it.
func (m *Manager) SyncPool(ctx context.Context, pool string) error {
	if err := CheckDatasetName(pool); err != nil || strings.Contains(pool, "/") {
		return fmt.Errorf("zpool sync %q: not a pool name", pool)
	}
	if _, err := m.Zpool.Output(ctx, "sync", pool); err != nil {
		return fmt.Errorf("zpool sync %s: %w", pool, err)
	}
	return nil
}

// Matches reports whether now is the dataset the view read (its guid, when the view
// read one) and still carries the owner the view saw.
func (v *View) Matches(dataset string, now DatasetNow) bool {
	d := v.Datasets[dataset]
	if d == nil || (d.GUID != "" && d.GUID != now.GUID) {
		return false
	}
	o, err := v.Owner(dataset)
	return err == nil && o == now.Owner
}
