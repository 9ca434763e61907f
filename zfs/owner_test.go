package zfs_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// On real OpenZFS: a dataset kvmbackup creates carries its ownership property and
// setuid, devices and exec off (its -p parents do not carry the property); a value
// inherited from a parent does not make a dataset kvmbackup's; Claim is idempotent
// and refuses another owner's dataset. Prune skips a foreign dataset (its
// kvmbackup-named snapshots survive a policy that would remove them), prunes
// kvmbackup's, and adopts a dataset an earlier kvmbackup made (no property, only its
// snapshots, a kvmbackup.json naming the VM), marking and hardening it.
func TestHostileForeignDatasetOnRealZFS(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		testenv.Require(t, testenv.ZFS)
		ctx := t.Context()
		m := zfs.New()
		m.RunDir = filepath.Join(t.TempDir(), "mnt")
		pool := testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Mirror: true})
		root := pool + "/backup/vms"
		zfsCmd := func(args ...string) string {
			t.Helper()
			out, err := testenv.Local(ctx, append([]string{"zfs"}, args...)...)
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimSpace(out)
		}
		prop := func(ds, p string) string {
			t.Helper()
			return zfsCmd("get", "-H", "-o", "value", p, ds)
		}
		t0 := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

		web1 := root + "/web1"
		if made, err := m.EnsureDataset(ctx, web1, zfs.VMOwner("web1")); err != nil || !made {
			t.Fatalf("EnsureDataset: %v %v", made, err)
		}
		if o, err := m.Owner(ctx, web1); err != nil || o != zfs.VMOwner("web1") {
			t.Fatalf("Owner(web1) = %v, %v", o, err)
		}
		for _, p := range []string{"setuid", "devices", "exec"} {
			if v := prop(web1, p); v != "off" {
				t.Errorf("%s of a dataset kvmbackup created: %s", p, v)
			}
		}
		if o, err := m.Owner(ctx, root); err != nil || !o.IsZero() {
			t.Errorf("the parent created by -p carries %v, %v", o, err)
		}
		if o, err := m.Owner(ctx, root+"/nosuch"); !zfs.IsNotFound(err) {
			t.Errorf("Owner of a missing dataset: %v, %v", o, err)
		}
		for i := range 3 {
			if _, err := m.TakeSnapshot(ctx, web1, t0.Add(time.Duration(i)*24*time.Hour), map[string]string{zfs.PropRun: "r"}); err != nil {
				t.Fatal(err)
			}
		}

		// A foreign dataset, with snapshots named like kvmbackup's, and the ownership
		// property inherited from its parent: still not kvmbackup's.
		scratch := root + "/scratch"
		zfsCmd("create", scratch)
		for i := range 3 {
			zfsCmd("snapshot", scratch+"@"+zfs.SnapshotName(t0.Add(time.Duration(i)*24*time.Hour)))
		}
		zfsCmd("set", zfs.PropVM+"=scratch", root)
		if o, err := m.Owner(ctx, scratch); err != nil || !o.IsZero() {
			t.Fatalf("an inherited %s makes scratch %v, %v", zfs.PropVM, o, err)
		}
		zfsCmd("inherit", zfs.PropVM, root)

		// A dataset an earlier kvmbackup made: no property, its snapshots, kvmbackup.json.
		old1 := root + "/old1"
		zfsCmd("create", old1)
		dir, err := m.Mountpoint(ctx, old1)
		if err != nil {
			t.Fatal(err)
		}
		meta, _ := json.Marshal(orchestrator.Meta{VM: "old1", Run: "r"})
		os.WriteFile(filepath.Join(dir, "kvmbackup.json"), meta, 0o600)
		for i := range 3 {
			if _, err := m.TakeSnapshot(ctx, old1, t0.Add(time.Duration(i)*24*time.Hour), map[string]string{zfs.PropRun: "r"}); err != nil {
				t.Fatal(err)
			}
		}

		res, err := orchestrator.Prune(ctx, m, orchestrator.PruneOptions{Root: root, Policy: policies.Policy{KeepLast: 1}, Location: time.UTC})
		if err != nil {
			t.Fatalf("prune: %v %+v", err, res)
		}
		for _, pd := range res {
			t.Logf("%s: skipped %q, %d decisions", pd.Dataset, pd.Skipped, len(pd.Snapshots))
			if (pd.Dataset == scratch) != (pd.Skipped != "") {
				t.Errorf("%s: skipped %q", pd.Dataset, pd.Skipped)
			}
		}
		count := func(ds string) int {
			s, err := m.Snapshots(ctx, ds)
			if err != nil {
				t.Fatal(err)
			}
			return len(s)
		}
		if n := count(scratch); n != 3 {
			t.Errorf("prune destroyed snapshots of the foreign %s: %d left of 3", scratch, n)
		}
		if a, b := count(web1), count(old1); a != 1 || b != 1 {
			t.Errorf("keep-last 1 left web1 %d, old1 %d snapshots", a, b)
		}
		if o, _ := m.Owner(ctx, old1); o != zfs.VMOwner("old1") || prop(old1, "exec") != "off" || prop(old1, "setuid") != "off" || prop(old1, "devices") != "off" {
			t.Errorf("old1 not adopted: owner %v, exec %s", o, prop(old1, "exec"))
		}
		if o, _ := m.Owner(ctx, scratch); !o.IsZero() || prop(scratch, "exec") != "on" {
			t.Errorf("the foreign scratch was marked: %v, exec %s", o, prop(scratch, "exec"))
		}

		// Claim: idempotent (nothing set the second time), another owner refused.
		if err := m.Claim(ctx, web1, zfs.VMOwner("web1")); err != nil {
			t.Fatal(err)
		}
		if err := m.Claim(ctx, web1, zfs.VMOwner("db1")); !errors.Is(err, zfs.ErrForeign) {
			t.Errorf("Claim of web1 for db1: %v", err)
		}
		zfsCmd("set", zfs.PropPath+"=web1", web1)
		if _, err := m.Owner(ctx, web1); !errors.Is(err, zfs.ErrForeign) {
			t.Errorf("a dataset carrying both properties: %v", err)
		}
		// Current says so too, read in this process (libzfs_core) or by zfs get.
		byCommand := *m
		byCommand.Core = nil
		for _, mm := range []*zfs.Manager{m, &byCommand} {
			if _, err := mm.Current(ctx, web1); !errors.Is(err, zfs.ErrForeign) {
				t.Errorf("Current of a dataset carrying both properties (libzfs_core %v): %v", mm.Core != nil, err)
			}
		}
		if kids, _ := m.Children(ctx, root); !slices.Contains(kids, scratch) {
			t.Errorf("scratch gone: %v", kids)
		}
	})
}
