package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/zfs"
)

// fakeTarget is a ZFS target in memory for the commands that take theirs from the
// context (withTarget): prune and shell completion. Every dataset it holds is
// kvmbackup's (its owner is the unit its name says).
type fakeTarget struct {
	snaps   map[string][]zfs.Snapshot // dataset → its snapshots, oldest first
	destroy []string
}

// newFakeTarget holds the datasets under root (VMs, and "_paths/NAME"), each with
// a dated snapshot a day from 2026-11-20 03:00 UTC, n of them.
func newFakeTarget(root string, n int, units ...string) *fakeTarget {
	f := &fakeTarget{snaps: map[string][]zfs.Snapshot{}}
	for _, u := range units {
		ds := root + "/" + u
		f.snaps[ds] = []zfs.Snapshot{}
		for i := range n {
			at := time.Date(2026, 11, 20+i, 3, 0, 0, 0, time.UTC)
			f.snaps[ds] = append(f.snaps[ds], zfs.Snapshot{Dataset: ds, Name: zfs.SnapshotName(at)})
		}
		if strings.HasPrefix(u, zfs.PathsChild+"/") {
			f.snaps[root+"/"+zfs.PathsChild] = nil
		}
	}
	return f
}

func (f *fakeTarget) Children(_ context.Context, parent string) ([]string, error) {
	if _, ok := f.snaps[parent]; !ok && !f.isRoot(parent) {
		return nil, fmt.Errorf("dataset %s: %w", parent, zfs.ErrNotFound)
	}
	var out []string
	for ds := range f.snaps {
		if rel, ok := strings.CutPrefix(ds, parent+"/"); ok && !strings.Contains(rel, "/") {
			out = append(out, ds)
		}
	}
	slices.Sort(out)
	return out, nil
}

// isRoot: some dataset lies below ds.
func (f *fakeTarget) isRoot(ds string) bool {
	for d := range f.snaps {
		if strings.HasPrefix(d, ds+"/") {
			return true
		}
	}
	return false
}

func (f *fakeTarget) Owner(_ context.Context, ds string) (zfs.Owner, error) {
	if _, ok := f.snaps[ds]; !ok {
		return zfs.Owner{}, fmt.Errorf("dataset %s: %w", ds, zfs.ErrNotFound)
	}
	return zfs.DatasetUnit(ds).Owner(), nil
}

func (f *fakeTarget) Claim(context.Context, string, zfs.Owner) error { return nil }

func (f *fakeTarget) Mountpoint(_ context.Context, ds string) (string, error) {
	return "/" + ds, nil
}

func (f *fakeTarget) Snapshots(_ context.Context, ds string) ([]zfs.Snapshot, error) {
	s, ok := f.snaps[ds]
	if !ok {
		return nil, fmt.Errorf("dataset %s: %w", ds, zfs.ErrNotFound)
	}
	return slices.Clone(s), nil
}

func (f *fakeTarget) Destroy(_ context.Context, ds, name string) error {
	i := slices.IndexFunc(f.snaps[ds], func(s zfs.Snapshot) bool { return s.Name == name })
	if i < 0 {
		return zfs.ErrNotFound
	}
	f.snaps[ds] = slices.Delete(f.snaps[ds], i, i+1)
	f.destroy = append(f.destroy, ds+"@"+name)
	return nil
}
