package zfs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Snapshot is one snapshot of a dataset, with its space figures, holds and user
// properties.
type Snapshot struct {
	Dataset    string            `json:"dataset"`
	Name       string            `json:"name"` // after the @
	Created    time.Time         `json:"created"`
	Used       int64             `json:"used"`       // bytes only this snapshot holds
	Written    int64             `json:"written"`    // bytes written since the previous snapshot
	Referenced int64             `json:"referenced"` // bytes it refers to
	Holds      []string          `json:"holds"`      // hold tags; PinTag is a pin
	Props      map[string]string `json:"props"`      // user properties (kvmbackup:run, ...)
}

// FullName is DATASET@NAME.
func (s Snapshot) FullName() string { return s.Dataset + "@" + s.Name }

// Ours reports whether kvmbackup made it (its name is a dated kvmbackup name).
func (s Snapshot) Ours() bool { _, ok := ParseSnapshotName(s.Name); return ok }

// Time is the time in its name for ours, else its creation time.
func (s Snapshot) Time() time.Time {
	if t, ok := ParseSnapshotName(s.Name); ok {
		return t
	}
	return s.Created
}

// Held reports whether any hold is on it; Pinned whether kvmbackup's pin is.
func (s Snapshot) Held() bool   { return len(s.Holds) > 0 }
func (s Snapshot) Pinned() bool { return slices.Contains(s.Holds, PinTag) }

func checkSnapshot(dataset, name string) error {
	if err := CheckDatasetName(dataset); err != nil {
		return err
	}
	if err := CheckComponent(name); err != nil {
		return fmt.Errorf("snapshot name %q: %w", name, err)
	}
	return nil
}

// TakeSnapshot takes dataset's dated snapshot for time at (UTC, to the second) with
// the given user properties (keys must contain ':'), in one `zfs snapshot -o …`, and
// returns its name, creation time and properties (not its sizes: GetSnapshot reads
// them). A snapshot of that name that already exists is ErrExists: nothing is taken.
func (m *Manager) TakeSnapshot(ctx context.Context, dataset string, at time.Time, props map[string]string) (Snapshot, error) {
	name := SnapshotName(at)
	if err := checkSnapshot(dataset, name); err != nil {
		return Snapshot{}, err
	}
	full := dataset + "@" + name
	args := []string{"snapshot"}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !strings.Contains(k, ":") || strings.ContainsAny(k, "=\n") || strings.ContainsAny(props[k], "\n\t") {
			return Snapshot{}, fmt.Errorf("snapshot %s: bad user property %q=%q (a user property has a ':' in its name)", full, k, props[k])
		}
		args = append(args, "-o", k+"="+props[k])
	}
	if c := m.core(ctx); c != nil {
		// One ioctl, as zfs snapshot -o makes it.
		if err := c.Snapshot(ctx, full, props); errors.Is(err, syscall.EEXIST) {
			return Snapshot{}, fmt.Errorf("snapshot %s: %w (two runs in the same second?)", full, ErrExists)
		} else if errors.Is(err, syscall.ENOENT) {
			return Snapshot{}, fmt.Errorf("snapshot %s: %w: %v", full, ErrNotFound, err)
		} else if err != nil {
			return Snapshot{}, err
		}
	} else if _, err := m.ZFS.Run(ctx, append(args, full)...); err != nil {
		if strings.Contains(err.Error(), "dataset already exists") {
			return Snapshot{}, fmt.Errorf("snapshot %s: %w (two runs in the same second?)", full, ErrExists)
		}
		return Snapshot{}, zfsErr("snapshot "+full, err)
	}
	// One command: what it made is known (its sizes are not read: GetSnapshot).
	taken := Snapshot{Dataset: dataset, Name: name, Created: time.Now().UTC().Truncate(time.Second), Props: map[string]string{}}
	for k, v := range props {
		taken.Props[k] = v
	}
	return taken, nil
}

// GetSnapshot returns one snapshot.
func (m *Manager) GetSnapshot(ctx context.Context, dataset, name string) (Snapshot, error) {
	if err := checkSnapshot(dataset, name); err != nil {
		return Snapshot{}, err
	}
	snaps, err := m.list(ctx, dataset+"@"+name, false)
	if err != nil {
		return Snapshot{}, err
	}
	if len(snaps) != 1 {
		return Snapshot{}, fmt.Errorf("snapshot %s@%s: %w", dataset, name, ErrNotFound)
	}
	return snaps[0], nil
}

// Snapshots lists every snapshot of dataset (not of its children), oldest first
// (by creation order), with holds and user properties.
func (m *Manager) Snapshots(ctx context.Context, dataset string) ([]Snapshot, error) {
	if err := CheckDatasetName(dataset); err != nil {
		return nil, err
	}
	return m.list(ctx, dataset, true)
}

func (m *Manager) list(ctx context.Context, name string, children bool) ([]Snapshot, error) {
	args := []string{"list", "-H", "-p", "-t", "snapshot", "-o", snapshotColumns, "-s", "createtxg"}
	if children {
		args = append(args, "-d", "1")
	}
	rows, err := lines(ctx, m.ZFS, "snapshots of "+name, append(args, name)...)
	if err != nil {
		return nil, err
	}
	var out []Snapshot
	byName := map[string]*Snapshot{}
	var held []string
	for _, r := range rows {
		if len(r) != 6 {
			return nil, fmt.Errorf("snapshots of %s: unexpected zfs list line %q", name, strings.Join(r, "\t"))
		}
		out = append(out, snapshotRow(r))
		if num(r[5]) > 0 {
			held = append(held, r[0])
		}
	}
	for i := range out {
		byName[out[i].FullName()] = &out[i]
	}
	if len(out) == 0 {
		return out, nil
	}
	// User properties set on the snapshots (local source only).
	pargs := []string{"get", "-H", "-p", "-s", "local", "-o", "name,property,value", "all"}
	if children {
		pargs = append(pargs, "-d", "1", "-t", "snapshot", name)
	} else {
		pargs = append(pargs, name)
	}
	rows, err = lines(ctx, m.ZFS, "properties of the snapshots of "+name, pargs...)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if s := byName[r[0]]; s != nil && len(r) == 3 && strings.Contains(r[1], ":") {
			s.Props[r[1]] = r[2]
		}
	}
	if err := m.addHolds(ctx, "holds of the snapshots of "+name, held, byName); err != nil {
		return nil, err
	}
	return out, nil
}

// snapshotColumns are what snapshotRow reads, first in a zfs list line.
const snapshotColumns = "name,creation,used,written,referenced,userrefs"

// snapshotRow is a snapshot from a zfs list line of snapshotColumns.
func snapshotRow(r []string) Snapshot {
	ds, sn, _ := strings.Cut(r[0], "@")
	return Snapshot{Dataset: ds, Name: sn, Created: time.Unix(num(r[1]), 0).UTC(),
		Used: num(r[2]), Written: num(r[3]), Referenced: num(r[4]), Props: map[string]string{}}
}

// addHolds reads the holds of the snapshots held (full names; none: no command)
// into byName's.
func (m *Manager) addHolds(ctx context.Context, what string, held []string, byName map[string]*Snapshot) error {
	if len(held) == 0 {
		return nil
	}
	rows, err := lines(ctx, m.ZFS, what, append([]string{"holds", "-H"}, held...)...)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if s := byName[r[0]]; s != nil && len(r) >= 2 {
			s.Holds = append(s.Holds, r[1])
		}
	}
	return nil
}

// Newest returns the newest of dataset's kvmbackup snapshots (by the time in the
// name); ErrNoSnapshot when it has none.
func (m *Manager) Newest(ctx context.Context, dataset string) (Snapshot, error) {
	snaps, err := m.Snapshots(ctx, dataset)
	if err != nil {
		return Snapshot{}, err
	}
	return newestOurs(dataset, snaps)
}

func newestOurs(dataset string, snaps []Snapshot) (Snapshot, error) {
	var best *Snapshot
	for i := range snaps {
		if snaps[i].Ours() && (best == nil || snaps[i].Time().After(best.Time())) {
			best = &snaps[i]
		}
	}
	if best == nil {
		return Snapshot{}, fmt.Errorf("dataset %s: %w", dataset, ErrNoSnapshot)
	}
	return *best, nil
}

// Rollback returns dataset to its newest kvmbackup snapshot, discarding what a
// failed copy wrote since. When a snapshot newer than that one exists (a foreign
// one), nothing is done and the error, a *NewerSnapshotsError (ErrNewerSnapshots),
// names it: kvmbackup never destroys it (zfs rollback would need -r).
func (m *Manager) Rollback(ctx context.Context, dataset string) (Snapshot, error) {
	snaps, err := m.Snapshots(ctx, dataset)
	if err != nil {
		return Snapshot{}, err
	}
	target, err := newestOurs(dataset, snaps)
	if err != nil {
		return Snapshot{}, err
	}
	var newer []string
	seen := false
	for _, s := range snaps { // creation order
		if seen {
			newer = append(newer, s.Name)
		}
		seen = seen || s.Name == target.Name
	}
	if len(newer) > 0 {
		return Snapshot{}, &NewerSnapshotsError{Dataset: dataset, Target: target.Name, Newer: newer}
	}
	if _, err := m.ZFS.Run(ctx, "rollback", target.FullName()); err != nil {
		return Snapshot{}, zfsErr("roll "+dataset+" back to "+target.Name, err)
	}
	return target, nil
}

// Destroy destroys one of kvmbackup's dated snapshots, by one libzfs_core call
// (Manager.Core) or one command: ErrNotOurs for any other name (nothing is run),
// ErrHeld when it has a hold (zfs itself refuses a held snapshot, or one in use);
// one already gone is no error (nothing is left to destroy).
func (m *Manager) Destroy(ctx context.Context, dataset, name string) error {
	if err := checkSnapshot(dataset, name); err != nil {
		return err
	}
	full := dataset + "@" + name
	if _, ok := ParseSnapshotName(name); !ok {
		return fmt.Errorf("destroy %s: %w", full, ErrNotOurs)
	}
	if c := m.core(ctx); c != nil {
		// One ioctl, as zfs destroy makes it (a missing snapshot: nothing to do).
		switch err := c.DestroySnapshot(ctx, full); {
		case errors.Is(err, syscall.EBUSY):
			return fmt.Errorf("destroy %s: %w or in use (`zfs holds %s` names the holds): %v", full, ErrHeld, full, err)
		case errors.Is(err, syscall.EEXIST):
			return fmt.Errorf("destroy %s: it has dependent clones (`zfs list -o name,origin` names them): %v", full, err)
		default:
			return err
		}
	}
	if _, err := m.ZFS.Run(ctx, "destroy", full); err != nil {
		if strings.Contains(err.Error(), "dataset is busy") {
			return fmt.Errorf("destroy %s: %w or in use (`zfs holds %s` names the holds): %v", full, ErrHeld, full, err)
		}
		if err = zfsErr("destroy "+full, err); !IsNotFound(err) {
			return err
		}
	}
	return nil
}

// Pin puts kvmbackup's hold on a snapshot so that neither prune nor `zfs destroy`
// removes it. It reports false when it was already pinned (nothing changed).
func (m *Manager) Pin(ctx context.Context, dataset, name string) (bool, error) {
	s, err := m.GetSnapshot(ctx, dataset, name)
	if err != nil {
		return false, err
	}
	if s.Pinned() {
		return false, nil
	}
	if _, err := m.ZFS.Run(ctx, "hold", PinTag, s.FullName()); err != nil {
		return false, zfsErr("pin "+s.FullName(), err)
	}
	return true, nil
}

// Unpin releases kvmbackup's hold; it is an error when the snapshot is not pinned
// (other holds are named, and left alone).
func (m *Manager) Unpin(ctx context.Context, dataset, name string) error {
	s, err := m.GetSnapshot(ctx, dataset, name)
	if err != nil {
		return err
	}
	if !s.Pinned() {
		others := ""
		if len(s.Holds) > 0 {
			others = " (other holds, not kvmbackup's: " + strings.Join(s.Holds, ", ") + ")"
		}
		return fmt.Errorf("unpin %s: it is not pinned%s", s.FullName(), others)
	}
	if _, err := m.ZFS.Run(ctx, "release", PinTag, s.FullName()); err != nil {
		return zfsErr("unpin "+s.FullName(), err)
	}
	return nil
}
