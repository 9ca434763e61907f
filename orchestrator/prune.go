// Package orchestrator owns the backup night: the plan, consistency groups, the
// freeze window, the journal, commit, rollback, prune and the report's data (package
// render shows it). It talks to the hypervisor, LVM, the target and the copier only
// through the small interfaces it declares by role (deps.go), which the real packages
// satisfy and tests fake to inject failures.
package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// PruneTarget is what prune needs of the backup target: whose each dataset is
// (ownDataset, hence Owners and the listings) and the destroy of a snapshot.
type PruneTarget interface {
	Owners
	Mounter
	ChildLister
	SnapshotLister
	// Destroy destroys one snapshot and must itself refuse (zfs.ErrNotOurs,
	// zfs.ErrHeld) a name that is not kvmbackup's dated one or a snapshot with a
	// hold, whatever the caller decided.
	Destroy(ctx context.Context, dataset, name string) error
}

// PruneOptions say what to prune and by which policy.
type PruneOptions struct {
	Root   string          // target.dataset: its children are the VM datasets
	VMs    []string        // only these VMs (names)
	Paths  []string        // only these paths: entries; with neither VMs nor Paths: every VM and path dataset
	Policy policies.Policy // the retention of every dataset (the top-level retention:)
	// PolicyOf, when set, gives each unit's policy instead, and where it is set
	// (UnitPolicies: a vms[]/paths[] entry's own, else the top-level one).
	PolicyOf func(u zfs.Unit) UnitPolicy
	Location *time.Location // the calendar periods' time zone (nil: time.Local)
	DryRun   bool           // decide and report, destroy nothing
}

// UnitPolicy is the retention policy of one unit and the config key that sets it.
type UnitPolicy struct {
	Policy policies.Policy
	// Source: "retention" (the top-level policy), or the unit's own:
	// "vms[web1].retention", "paths[root].retention".
	Source string
}

// UnitPolicies returns the policy of each unit by cfg: its vms[] or paths[] entry's
// own retention when it has one (it replaces the top-level one whole), else the
// top-level retention, also for a unit the config no longer lists.
func UnitPolicies(cfg *config.Config) func(u zfs.Unit) UnitPolicy {
	return func(u zfs.Unit) UnitPolicy {
		r := cfg.VMRetention(u.Name)
		if u.Kind == zfs.KindPath {
			r = cfg.PathRetention(u.Name)
		}
		return UnitPolicy{Policy: policies.Policy(r.Retention), Source: r.Key}
	}
}

// policyOf is u's policy by o.
func (o PruneOptions) policyOf(u zfs.Unit) UnitPolicy {
	if o.PolicyOf != nil {
		return o.PolicyOf(u)
	}
	return UnitPolicy{Policy: o.Policy, Source: "retention"}
}

// PrunedSnapshot is one snapshot's decision and what became of it.
type PrunedSnapshot struct {
	Snapshot  string    `json:"snapshot"`
	Time      time.Time `json:"time"`
	Keep      bool      `json:"keep"`
	Reasons   []string  `json:"reasons"`
	Destroyed bool      `json:"destroyed"`
	Error     string    `json:"error,omitempty"`
}

// PrunedDataset is the prune of one VM or path dataset.
type PrunedDataset struct {
	Dataset string `json:"dataset"`
	VM      string `json:"vm,omitempty"`
	Path    string `json:"path,omitempty"` // a paths: entry's dataset
	Policy  string `json:"policy"`         // the policy applied: "keep-last 1, keep-daily 14"
	// PolicySource: where that policy is set: "retention", or the unit's own
	// "vms[web1].retention" or "paths[root].retention".
	PolicySource string           `json:"policy_source"`
	Snapshots    []PrunedSnapshot `json:"snapshots"`
	// Skipped: why prune left the dataset alone (one kvmbackup did not make).
	Skipped string `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
}

// ChildLister lists a dataset's direct children (zfs.ChildLister's contract: the
// layout lists a target's units with it).
type ChildLister = zfs.ChildLister

// ErrUnknownVM: a VM asked for by name has no dataset under the target (the
// layout's: zfs.Layout.Units).
var ErrUnknownVM = zfs.ErrUnknownVM

func orNone(names []string) string {
	if len(names) == 0 {
		return "none yet"
	}
	return strings.Join(names, ", ")
}

// Prune applies each dataset's policy (PolicyOf, else Policy) to its snapshots and
// destroys what it removes (unless DryRun). A dataset that fails does not stop the others; the error
// joins every failure. A dataset kvmbackup did not make (ownDataset; an adoptable
// one is adopted unless DryRun) is skipped, saying why, or an error when VMs or
// Paths name it. Only kvmbackup's own, unheld snapshots are ever destroyed,
// never the newest (policies.Apply keeps them, and Destroy refuses the rest).
func Prune(ctx context.Context, t PruneTarget, o PruneOptions) ([]PrunedDataset, error) {
	if err := o.Policy.Validate(); err != nil {
		return nil, err
	}
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	l := zfs.Layout{Root: o.Root}
	units, err := l.Select(ctx, t, o.VMs, o.Paths)
	if err != nil {
		return nil, err
	}
	log := zerolog.Ctx(ctx)
	var out []PrunedDataset
	var errs []error
	named := len(o.VMs)+len(o.Paths) > 0
	for _, u := range units {
		ds := l.Dataset(u)
		up := o.policyOf(u)
		var pd PrunedDataset
		_, err := ownDataset(ctx, t, ds, u, !o.DryRun)
		switch {
		case errForeign(err) && !named:
			pd = PrunedDataset{Dataset: ds, Skipped: err.Error(), Snapshots: []PrunedSnapshot{}}
			log.Warn().Str("dataset", ds).Err(err).Msg("not pruned")
			err = nil
		case err != nil:
			pd = PrunedDataset{Dataset: ds}
		default:
			pd, err = pruneDataset(ctx, t, ds, up, o.DryRun, loc)
		}
		pd.Policy, pd.PolicySource = up.Policy.String(), up.Source
		if u.Kind == zfs.KindPath {
			pd.Path = u.Name
		} else {
			pd.VM = u.Name
		}
		if err != nil {
			pd.Error = err.Error()
			errs = append(errs, err)
		}
		kept, removed := 0, 0
		for _, s := range pd.Snapshots {
			if s.Keep {
				kept++
			} else {
				removed++
			}
		}
		log.Info().Str("dataset", ds).Str("policy", pd.Policy).Str("policy_source", pd.PolicySource).
			Int("kept", kept).Int("removed", removed).Bool("dry_run", o.DryRun).Msg("pruned")
		out = append(out, pd)
	}
	return out, errors.Join(errs...)
}

func pruneDataset(ctx context.Context, t PruneTarget, ds string, up UnitPolicy, dryRun bool, loc *time.Location) (PrunedDataset, error) {
	pd := PrunedDataset{Dataset: ds}
	snaps, err := t.Snapshots(ctx, ds)
	if err != nil {
		return pd, err
	}
	decisions, err := policies.Apply(up.Policy, zfs.PolicySnapshots(snaps), loc)
	if err != nil {
		return pd, fmt.Errorf("prune %s by %s: %w", ds, up.Source, err)
	}
	var errs []error
	for _, d := range decisions {
		ps := PrunedSnapshot{Snapshot: d.Name, Time: d.Time, Keep: d.Keep, Reasons: d.Reasons}
		if ps.Reasons == nil {
			ps.Reasons = []string{}
		}
		if !d.Keep && !dryRun {
			switch err := t.Destroy(ctx, ds, d.Name); {
			case err == nil, zfs.IsNotFound(err): // gone already (another prune's)
				ps.Destroyed = true
			case errors.Is(err, zfs.ErrHeld): // pinned since it was listed: kept
				ps.Keep, ps.Reasons = true, append(ps.Reasons, "held since listed")
			default:
				ps.Error = err.Error()
				errs = append(errs, err)
			}
		}
		pd.Snapshots = append(pd.Snapshots, ps)
	}
	return pd, errors.Join(errs...)
}
