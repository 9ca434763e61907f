package zfs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/testenv"
)

// EnsureDataset says it made a dataset only when its own create made it: one that
// another admin (or tool) makes between its look and its create is not reported as
// made (the caller then asks whose it is, and a foreign one is left alone). Both
// ways: the look by libzfs_core in this process, and by zfs list. Missing parents
// are made too, inheriting every property, and the commands each case takes are
// counted: with the library, none for an existing dataset, one for a new one whose
// parent exists, two when parents are missing.
func TestEnsureDatasetMadeMeanwhileIsNotOurs(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, pool := lab(t, testenv.PoolOptions{Mirror: true})
		zfsCmd(t, "create", pool+"/vms")
		byCommand := *m
		byCommand.Core = nil
		for _, tc := range []struct {
			name string
			m    *Manager
			// commands: an existing dataset, a new one under an existing parent, a
			// new one whose parents are missing.
			exists, fresh, parents int
		}{
			{"libzfs_core", m, 0, 1, 2},
			{"zfs list", &byCommand, 1, 2, 4},
		} {
			t.Run(tc.name, func(t *testing.T) {
				mm := *tc.m
				// The race: a zfs that makes the dataset (someone else's) just
				// before it runs a create of it.
				ds := pool + "/vms/raced-" + filepath.Base(t.Name())
				wrapper := filepath.Join(t.TempDir(), "zfs")
				script := fmt.Sprintf("#!/bin/sh\ncase \"$1 $*\" in \"create \"*\" %s\") zfs create -o %s=intruder %s;; esac\nexec zfs \"$@\"\n",
					ds, ownerProps[0], ds)
				if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
					t.Fatal(err)
				}
				mm.ZFS = runner.New(wrapper)
				made, err := mm.EnsureDataset(ctx, ds, VMOwner("raced"))
				if err != nil || made {
					t.Fatalf("EnsureDataset of a dataset made meanwhile: made %v, %v; want not made, no error", made, err)
				}
				if o, err := m.Owner(ctx, ds); err != nil || o != (Owner{ownerProps[0], "intruder"}) {
					t.Fatalf("the other's dataset was changed: owner %v %v", o, err)
				}

				// No race: the three cases, their commands counted.
				fresh := pool + "/vms/new-" + filepath.Base(t.Name())
				deep := pool + "/tree-" + filepath.Base(t.Name()) + "/_paths/etc"
				for _, c := range []struct {
					ds       string
					made     bool
					commands int
				}{{fresh, true, tc.fresh}, {fresh, false, tc.exists}, {deep, true, tc.parents}} {
					cctx, counter := runner.WithCounter(ctx)
					made, err := tc.m.EnsureDataset(cctx, c.ds, PathOwner("etc"))
					if err != nil || made != c.made {
						t.Fatalf("EnsureDataset %s: made %v, %v; want made %v", c.ds, made, err, c.made)
					}
					if n := counter.Read().Commands; n != c.commands {
						t.Errorf("EnsureDataset %s (made %v): %d commands, want %d", c.ds, c.made, n, c.commands)
					}
					if o, err := m.Owner(ctx, c.ds); err != nil || o != PathOwner("etc") {
						t.Errorf("%s: owner %v %v", c.ds, o, err)
					}
					if mp, err := m.Mountpoint(ctx, c.ds); err != nil || mp == "" {
						t.Errorf("%s is not mounted: %q %v", c.ds, mp, err)
					}
					for k, v := range hardening() {
						if got, _ := m.Property(ctx, c.ds, k); got != v {
							t.Errorf("%s: %s=%s, want %s", c.ds, k, got, v)
						}
					}
				}
				// The parents made for deep inherit everything: no property of their own.
				for _, p := range []string{filepath.Dir(deep), filepath.Dir(filepath.Dir(deep))} {
					if local := zfsCmd(t, "get", "-H", "-s", "local", "-o", "property,value", "all", p); local != "" {
						t.Errorf("parent %s has properties of its own: %q", p, local)
					}
				}
			})
		}
	})
}
