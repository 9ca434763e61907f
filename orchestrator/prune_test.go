package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// fakeTarget is an in-memory target that enforces Destroy's contract like zfs does
// and can fail its Nth call.
type fakeTarget struct {
	snaps   map[string][]zfs.Snapshot // dataset → snapshots
	owners  map[string]zfs.Owner      // dataset → its ownership property
	failAt  int                       // fail the Nth call (1-based); 0: never
	calls   int
	destroy []string
}

func (f *fakeTarget) call(what string) error {
	f.calls++
	if f.calls == f.failAt {
		return fmt.Errorf("injected failure in %s (call %d)", what, f.calls)
	}
	return nil
}

func (f *fakeTarget) Children(_ context.Context, root string) ([]string, error) {
	if err := f.call("Children"); err != nil {
		return nil, err
	}
	var out []string
	for ds := range f.snaps {
		if strings.HasPrefix(ds, root+"/") && !strings.Contains(strings.TrimPrefix(ds, root+"/"), "/") {
			out = append(out, ds)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (f *fakeTarget) Owner(_ context.Context, ds string) (zfs.Owner, error) {
	if err := f.call("Owner " + ds); err != nil {
		return zfs.Owner{}, err
	}
	if _, ok := f.snaps[ds]; !ok {
		return zfs.Owner{}, fmt.Errorf("%s: %w", ds, zfs.ErrNotFound)
	}
	return f.owners[ds], nil
}

func (f *fakeTarget) Claim(_ context.Context, ds string, o zfs.Owner) error {
	if err := f.call("Claim " + ds); err != nil {
		return err
	}
	if got := f.owners[ds]; got != o {
		return fmt.Errorf("claim %s for %s: %w (%s)", ds, o, zfs.ErrForeign, got)
	}
	return nil
}

func (f *fakeTarget) Mountpoint(_ context.Context, ds string) (string, error) {
	return "", fmt.Errorf("%s: not mounted in this fake", ds)
}

func (f *fakeTarget) Snapshots(_ context.Context, ds string) ([]zfs.Snapshot, error) {
	if err := f.call("Snapshots " + ds); err != nil {
		return nil, err
	}
	return slices.Clone(f.snaps[ds]), nil
}

func (f *fakeTarget) Destroy(_ context.Context, ds, name string) error {
	if err := f.call("Destroy " + ds + "@" + name); err != nil {
		return err
	}
	i := slices.IndexFunc(f.snaps[ds], func(s zfs.Snapshot) bool { return s.Name == name })
	switch {
	case i < 0:
		return zfs.ErrNotFound
	case !f.snaps[ds][i].Ours():
		return zfs.ErrNotOurs
	case f.snaps[ds][i].Held():
		return zfs.ErrHeld
	}
	f.snaps[ds] = slices.Delete(f.snaps[ds], i, i+1)
	f.destroy = append(f.destroy, ds+"@"+name)
	return nil
}

// newFake: VMs web1 and db1 under backup/vms with n daily snapshots each (one held,
// one foreign in web1), and kvmbackup's own _clones child.
func newFake(n int) *fakeTarget {
	f := &fakeTarget{snaps: map[string][]zfs.Snapshot{"backup/vms/_clones": nil}, owners: map[string]zfs.Owner{}}
	t0 := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	for _, vm := range []string{"web1", "db1"} {
		ds := "backup/vms/" + vm
		f.owners[ds] = zfs.VMOwner(vm)
		for i := range n {
			s := zfs.Snapshot{Dataset: ds, Name: zfs.SnapshotName(t0.Add(time.Duration(i) * 24 * time.Hour))}
			if vm == "web1" && i == 1 {
				s.Holds = []string{zfs.PinTag}
			}
			f.snaps[ds] = append(f.snaps[ds], s)
		}
	}
	f.snaps["backup/vms/web1"] = append(f.snaps["backup/vms/web1"], zfs.Snapshot{Dataset: "backup/vms/web1", Name: "before-upgrade", Created: t0})
	return f
}

func names(ss []zfs.Snapshot) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

func TestPruneKeepsWhatThePolicyKeeps(t *testing.T) {
	ctx := context.Background()
	f := newFake(10)
	o := PruneOptions{Root: "backup/vms", Policy: policies.Policy{KeepDaily: 3}, Location: time.UTC}
	dry, err := Prune(ctx, f, PruneOptions{Root: o.Root, Policy: o.Policy, Location: time.UTC, DryRun: true})
	if err != nil || len(f.destroy) != 0 || len(dry) != 2 {
		t.Fatalf("dry run: %v, destroyed %v, %d datasets", err, f.destroy, len(dry))
	}
	res, err := Prune(ctx, f, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].VM != "db1" || res[1].VM != "web1" {
		t.Fatalf("datasets: %+v", res)
	}
	want := map[string][]string{
		"backup/vms/db1":  {"kvmbackup_2026-11-08T03:00:00Z", "kvmbackup_2026-11-09T03:00:00Z", "kvmbackup_2026-11-10T03:00:00Z"},
		"backup/vms/web1": {"kvmbackup_2026-11-02T03:00:00Z", "kvmbackup_2026-11-08T03:00:00Z", "kvmbackup_2026-11-09T03:00:00Z", "kvmbackup_2026-11-10T03:00:00Z", "before-upgrade"},
	}
	for ds, w := range want {
		if got := names(f.snaps[ds]); !slices.Equal(got, w) {
			t.Errorf("%s kept %v, want %v", ds, got, w)
		}
	}
	for i, pd := range dry { // the dry run decided exactly what the real run did
		for j, s := range pd.Snapshots {
			r := res[i].Snapshots[j]
			if s.Keep != r.Keep || s.Snapshot != r.Snapshot || s.Destroyed || r.Destroyed == r.Keep {
				t.Errorf("%s: dry %+v, real %+v", pd.Dataset, s, r)
			}
		}
	}
	if len(f.destroy) != 13 {
		t.Fatalf("destroyed %d: %v", len(f.destroy), f.destroy)
	}
	again, err := Prune(ctx, f, o)
	if err != nil || len(f.destroy) != 13 || len(again[1].Snapshots) != 5 {
		t.Fatalf("a second prune removed more: %v %v", err, f.destroy)
	}
}

// A failure at every call: the error names it, the other datasets are still pruned,
// and nothing but what the policy removes is ever destroyed.
func TestPruneFailureAtEveryStep(t *testing.T) {
	ctx := context.Background()
	clean := newFake(6)
	res, _ := Prune(ctx, clean, PruneOptions{Root: "backup/vms", Policy: policies.Policy{KeepLast: 2}, Location: time.UTC})
	removable := map[string]bool{}
	for _, pd := range res {
		for _, s := range pd.Snapshots {
			if !s.Keep {
				removable[pd.Dataset+"@"+s.Snapshot] = true
			}
		}
	}
	total := newFake(6)
	Prune(ctx, total, PruneOptions{Root: "backup/vms", Policy: policies.Policy{KeepLast: 2}, Location: time.UTC})
	for n := 1; n <= total.calls; n++ {
		f := newFake(6)
		f.failAt = n
		_, err := Prune(ctx, f, PruneOptions{Root: "backup/vms", Policy: policies.Policy{KeepLast: 2}, Location: time.UTC})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("call %d", n)) {
			t.Fatalf("failure at call %d: error %v", n, err)
		}
		for _, d := range f.destroy {
			if !removable[d] {
				t.Fatalf("failure at call %d: destroyed %s, which the policy keeps", n, d)
			}
		}
		// What the failed call stops, and nothing more: Children all of it; Snapshots
		// one dataset; Destroy one snapshot.
		failed := strings.TrimSpace(strings.Split(strings.SplitN(err.Error(), "injected failure in ", 2)[1], "(")[0])
		for d := range removable {
			ds, _, _ := strings.Cut(d, "@")
			stopped := failed == "Children" || failed == "Snapshots "+ds || failed == "Destroy "+d ||
				failed == "Owner "+ds || failed == "Claim "+ds
			if slices.Contains(f.destroy, d) == stopped {
				t.Fatalf("failure in %s: %s destroyed: %v", failed, d, !stopped)
			}
		}
	}
}

func TestPruneSelection(t *testing.T) {
	ctx := context.Background()
	f := newFake(3)
	_, err := Prune(ctx, f, PruneOptions{Root: "backup/vms", VMs: []string{"mail"}, Policy: policies.Policy{KeepLast: 1}})
	if !errors.Is(err, ErrUnknownVM) || !strings.Contains(err.Error(), "mail") || !strings.Contains(err.Error(), "db1, web1") {
		t.Fatalf("unknown VM: %v", err)
	}
	if _, err := Prune(ctx, f, PruneOptions{Root: "backup/vms", VMs: []string{"_clones"}, Policy: policies.Policy{KeepLast: 1}}); !errors.Is(err, ErrUnknownVM) {
		t.Fatalf("_clones taken for a VM: %v", err)
	}
	if _, err := Prune(ctx, f, PruneOptions{Root: "backup/vms"}); !errors.Is(err, policies.ErrKeepsNothing) || len(f.destroy) != 0 {
		t.Fatalf("all-zero policy: %v, destroyed %v", err, f.destroy)
	}
	res, err := Prune(ctx, f, PruneOptions{Root: "backup/vms", VMs: []string{"web1"}, Policy: policies.Policy{KeepLast: 1}})
	if err != nil || len(res) != 1 || res[0].VM != "web1" || len(f.snaps["backup/vms/db1"]) != 3 {
		t.Fatalf("--vm web1: %v %+v", err, res)
	}
}

// Each dataset is pruned by its own policy: a vms[] or paths[] entry's retention
// (replacing the top-level one whole), else the top-level retention, also for a VM
// the config does not list. The result names the policy and where it is set.
func TestPruneByEachUnitsPolicy(t *testing.T) {
	ctx := context.Background()
	cfg, err := config.Parse([]byte(`
retention: {keep-last: 0, keep-hourly: 0, keep-daily: 4, keep-weekly: 0}
vms:
  - name: web1
    retention: {keep-last: 2}
paths:
  - name: root
    path: /
    retention: {keep-weekly: 1}
`), nil, ConfigChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	f := newFake(10)
	t0 := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	root := "backup/vms/_paths/root"
	f.snaps["backup/vms/_paths"] = nil
	f.owners[root] = zfs.PathOwner("root")
	for i := range 10 {
		f.snaps[root] = append(f.snaps[root], zfs.Snapshot{Dataset: root, Name: zfs.SnapshotName(t0.Add(time.Duration(i) * 24 * time.Hour))})
	}
	res, err := Prune(ctx, f, PruneOptions{Root: "backup/vms", Policy: policies.Policy(cfg.Retention), PolicyOf: UnitPolicies(cfg),
		Location: time.UTC, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		policy, source string
		kept           int
	}
	want := map[string]got{
		"backup/vms/db1":  {"keep-daily 4", "retention", 4},
		"backup/vms/web1": {"keep-last 2", "vms[web1].retention", 2 + 2}, // + held, foreign
		root:              {"keep-weekly 1", "paths[root].retention", 1},
	}
	if len(res) != len(want) {
		t.Fatalf("pruned %d datasets, want %d: %+v", len(res), len(want), res)
	}
	for _, pd := range res {
		g := got{pd.Policy, pd.PolicySource, 0}
		for _, s := range pd.Snapshots {
			if s.Keep {
				g.kept++
			}
		}
		if g != want[pd.Dataset] {
			t.Errorf("%s: %+v, want %+v", pd.Dataset, g, want[pd.Dataset])
		}
	}

	// Without PolicyOf, Policy applies to every dataset, from "retention".
	res, err = Prune(ctx, f, PruneOptions{Root: "backup/vms", VMs: []string{"web1"}, Policy: policies.Policy{KeepLast: 1}, DryRun: true})
	if err != nil || len(res) != 1 || res[0].Policy != "keep-last 1" || res[0].PolicySource != "retention" {
		t.Fatalf("without PolicyOf: %v %+v", err, res)
	}
	// A unit's policy that keeps nothing fails that dataset, naming where it is set;
	// the others are pruned.
	bad := func(u zfs.Unit) UnitPolicy {
		if u.Name == "web1" {
			return UnitPolicy{Source: "vms[web1].retention"}
		}
		return UnitPolicy{Policy: policies.Policy{KeepLast: 1}, Source: "retention"}
	}
	res, err = Prune(ctx, f, PruneOptions{Root: "backup/vms", Policy: policies.Policy{KeepLast: 1}, PolicyOf: bad, Location: time.UTC})
	if !errors.Is(err, policies.ErrKeepsNothing) || !strings.Contains(err.Error(), "backup/vms/web1 by vms[web1].retention") {
		t.Fatalf("a bad own policy: %v", err)
	}
	for _, d := range f.destroy {
		if strings.HasPrefix(d, "backup/vms/web1@") {
			t.Errorf("destroyed %s by a policy that keeps nothing", d)
		}
	}
	if len(f.snaps["backup/vms/db1"]) != 1 || len(res) != 3 {
		t.Errorf("the other datasets were not pruned: db1 has %d snapshots; %+v", len(f.snaps["backup/vms/db1"]), res)
	}
}
