package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/replica"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// callerKey is the context key of the replica.Callers (by target name) that
// `list --replica` uses instead of the real ones: tests give fakes.
type callerKey struct{}

func withCallers(ctx context.Context, c map[string]replica.Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// replicaListerFor is the client of r's receiver: the Caller ctx carries for it,
// else the real one (replicaClient).
func replicaListerFor(ctx context.Context, r config.Replication) *replica.Client {
	if m, ok := ctx.Value(callerKey{}).(map[string]replica.Caller); ok && m[r.Name] != nil {
		return &replica.Client{Call: m[r.Name]}
	}
	return replicaClient(r)
}

// treeLister reads the snapshots (with their GUIDs) under a root.
type treeLister interface {
	Tree(ctx context.Context, root string) ([]zfs.TreeDataset, error)
}

// treeKey is the context key of the local tree `list --replica` compares with.
type treeKey struct{}

func withTree(ctx context.Context, t treeLister) context.Context {
	return context.WithValue(ctx, treeKey{}, t)
}

func treeFrom(ctx context.Context) treeLister {
	if t, ok := ctx.Value(treeKey{}).(treeLister); ok && t != nil {
		return t
	}
	return zfs.New()
}

// listedReplica is `list --replica NAME --json`.
type listedReplica struct {
	Target string `json:"target"`
	To     string `json:"to"`
	Root   string `json:"root"` // the receiver's root
	// HereError: the local target could not be read (here is then false throughout).
	HereError string                 `json:"here_error,omitempty"`
	Datasets  []listedReplicaDataset `json:"datasets"`
}

type listedReplicaDataset struct {
	VM      string `json:"vm,omitempty"`
	Path    string `json:"path,omitempty"`
	Dataset string `json:"dataset"` // below the receiver's root
	// ResumePending: an interrupted receive left a resume token; the next replicate
	// resumes it.
	ResumePending bool                    `json:"resume_pending"`
	Snapshots     []listedReplicaSnapshot `json:"snapshots"`
}

type listedReplicaSnapshot struct {
	Name       string    `json:"name"`
	Time       time.Time `json:"time"`
	AgeSeconds int64     `json:"age_seconds"`
	GUID       string    `json:"guid"`
	Here       bool      `json:"here"` // the local target holds it too (same GUID)
}

// runListReplica lists what target name's receiver holds, oldest first, marking
// what the local target also holds (by GUID) and a pending resume token.
func runListReplica(ctx context.Context, g *globalOptions, o *listOptions, now time.Time, out io.Writer) error {
	cfg, err := loadSelected(g, o.vms, o.paths)
	if err != nil {
		return err
	}
	r, ok := cfg.ReplicationTarget(o.replica)
	if !ok {
		var have []string
		for _, r := range cfg.Replication {
			have = append(have, r.Name)
		}
		if len(have) == 0 {
			return fmt.Errorf("--replica %s: no replication: target in the configuration (see docs/replication.md)", o.replica)
		}
		return fmt.Errorf("--replica %s: no such replication: target (configured: %s)", o.replica, strings.Join(have, ", "))
	}
	listing, err := replicaListerFor(ctx, r).List(ctx)
	if err != nil {
		return failure{fmt.Errorf("replication target %s (%s): cannot list what its receiver holds: %w", r.Name, r.To, err)}
	}
	res := listedReplica{Target: r.Name, To: r.To, Root: listing.Root, Datasets: []listedReplicaDataset{}}
	lay := zfs.Layout{Root: cfg.Target.Dataset}
	here := map[string]map[string]bool{} // local dataset → GUIDs of its snapshots
	tree, err := treeFrom(ctx).Tree(ctx, cfg.Target.Dataset)
	if err != nil {
		res.HereError = err.Error()
	}
	for _, d := range tree {
		here[d.Name] = map[string]bool{}
		for _, s := range d.Snapshots {
			here[d.Name][s.GUID] = true
		}
	}
	want := map[string]bool{}
	for _, v := range o.vms {
		want[zfs.VMUnit(v).Rel()] = true
	}
	for _, p := range o.paths {
		want[zfs.PathUnit(p).Rel()] = true
	}
	found := map[string]bool{}
	for _, d := range listing.Datasets {
		u, err := zfs.ParseRel(d.Name)
		if err != nil {
			continue // the _paths parent, anything not a unit's
		}
		if len(want) > 0 && !want[d.Name] {
			continue
		}
		found[d.Name] = true
		ld := listedReplicaDataset{Dataset: d.Name, ResumePending: d.ResumeToken != "", Snapshots: []listedReplicaSnapshot{}}
		if u.Kind == zfs.KindPath {
			ld.Path = u.Name
		} else {
			ld.VM = u.Name
		}
		for _, s := range d.Snapshots {
			t, ok := zfs.ParseSnapshotName(s.Name)
			if !ok {
				continue
			}
			ld.Snapshots = append(ld.Snapshots, listedReplicaSnapshot{Name: s.Name, Time: t, AgeSeconds: int64(now.Sub(t).Seconds()),
				GUID: s.GUID, Here: here[lay.Dataset(u)][s.GUID]})
		}
		slices.SortStableFunc(ld.Snapshots, func(a, b listedReplicaSnapshot) int { return a.Time.Compare(b.Time) })
		res.Datasets = append(res.Datasets, ld)
	}
	var missing []string
	for rel := range want {
		if !found[rel] {
			missing = append(missing, rel)
		}
	}
	slices.Sort(missing)
	if g.json {
		if err := json.NewEncoder(out).Encode(res); err != nil {
			return err
		}
	} else {
		printListedReplica(out, res, now)
	}
	if len(missing) > 0 {
		return fmt.Errorf("replication target %s holds no dataset %s", r.Name, strings.Join(missing, ", "))
	}
	return nil
}

func printListedReplica(out io.Writer, res listedReplica, now time.Time) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VM\tSNAPSHOT\tTIME\tAGE\tHERE")
	n := 0
	var resume []string
	for _, d := range res.Datasets {
		name := d.VM
		if d.Path != "" {
			name = "path:" + d.Path
		}
		if d.ResumePending {
			resume = append(resume, name)
		}
		if len(d.Snapshots) == 0 {
			fmt.Fprintf(tw, "%s\t(no dated snapshot)\t\t\t\n", name)
		}
		for _, s := range d.Snapshots {
			n++
			h := "-"
			switch {
			case res.HereError != "":
				h = "?"
			case s.Here:
				h = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, s.Name, s.Time.Local().Format("2006-01-02 15:04 MST"), age(now.Sub(s.Time)), h)
		}
	}
	tw.Flush()
	for _, r := range resume {
		fmt.Fprintf(out, "%s: an interrupted receive is pending there (resume token): the next replicate resumes it\n", r)
	}
	if res.HereError != "" {
		fmt.Fprintf(out, "here unknown: %s\n", res.HereError)
	}
	fmt.Fprintf(out, "%d datasets, %d dated snapshots on %s (%s, root %s)\n", len(res.Datasets), n, res.Target, res.To, res.Root)
}
