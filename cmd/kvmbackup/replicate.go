package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/replica"
	"github.com/kvmbackup/kvmbackup/zfs"
)

type replicateOptions struct {
	to, vms, paths     []string
	dryRun             bool
	stateDir, lockPath string
}

func newReplicateCommand(g *globalOptions) *cobra.Command {
	o := &replicateOptions{}
	cmd := &cobra.Command{
		Use:   "replicate [--to NAME]... [--vm NAME]... [--path NAME]... [--dry-run]",
		Short: "Send the dated snapshots to the replication: targets",
		Long: `Replicate sends, for each VM and paths: dataset under target.dataset and each
replication: target (--to limits them), the dated snapshots the target does not hold
yet, oldest first, each as its own zfs send stream (compressed as stored, -c; raw, -w,
for an encrypted dataset, so that the receiver never needs its key):

  - an interrupted receive is resumed first from the receiver's token; a token that
    no longer matches (its snapshot was pruned here) is discarded, saying so, and the
    send starts afresh;
  - incremental (-i) from the receiver's newest snapshot, matched by GUID here;
  - else from the bookmark kept of it for that target (DATASET#kvmbackup_repl_NAME_TIME),
    so that local pruning never forces a whole send again;
  - else whole from the oldest dated snapshot, then incremental.

Snapshots kvmbackup did not make are never sent. After each receive the target's
bookmark moves to the snapshot received. Nothing is ever destroyed on either side;
the receiver prunes by its own retention (docs/replication.md).

Replicate takes the host's run lock, as run does: while a run or another replicate
holds it, it refuses (exit status 2, naming the holder). Its results go into
--state-dir/state.json, per target: when, the bytes sent, whether it failed and
why, each unit's newest dated snapshot there; then report.metrics-file is written
again from it (kvmbackup_replication_*). 'kvmbackup status' shows them.

A zfs://POOL/DATASET target is a second pool on this host: its receiver runs in
process, with the checks of 'kvmbackup receive'. An ssh://USER@HOST[:PORT]/POOL/DATASET
target is reached with

  ssh -i KEY -o IdentitiesOnly=yes -o UserKnownHostsFile=KNOWN_HOSTS
      -o StrictHostKeyChecking=yes -o BatchMode=yes USER@HOST -- REQUEST

where 'kvmbackup receive --root POOL/DATASET' is the key's forced command.

EXIT STATUS
  0  every target holds every dated snapshot (or, with --dry-run, the plan is made)
  1  some target or dataset failed (each error names its target); the others went on
  2  bad configuration, an unknown --to, --vm or --path, the run lock held by
     another run or replicate, or the target dataset cannot be read`,
		Example: `  kvmbackup replicate --dry-run            # what each target would get, and its size
  kvmbackup replicate --to offsite --vm web1
  kvmbackup replicate --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReplicate(cmd.Context(), g, o, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringArrayVar(&o.to, "to", nil, "only this replication: target (repeatable)")
	cmd.Flags().StringArrayVar(&o.vms, "vm", nil, "only this VM's dataset (repeatable)")
	cmd.Flags().StringArrayVar(&o.paths, "path", nil, "only this paths: entry's dataset (repeatable)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "decide and estimate the sizes, send nothing")
	cmd.Flags().StringVar(&o.stateDir, "state-dir", defaultStateDir, "where the state file (state.json) is kept")
	lockFlag(cmd.Flags(), &o.lockPath)
	return cmd
}

// replicaTargets are the targets of cfg that names selects (every one when empty).
func replicaTargets(cfg *config.Config, names []string) ([]orchestrator.ReplicaTarget, error) {
	var sel []config.Replication
	if len(names) == 0 {
		sel = cfg.Replication
	}
	for _, n := range names {
		r, ok := cfg.ReplicationTarget(n)
		if !ok {
			var have []string
			for _, r := range cfg.Replication {
				have = append(have, r.Name)
			}
			return nil, fmt.Errorf("--to %s: no such replication: target (configured: %s)", n, strings.Join(have, ", "))
		}
		sel = append(sel, r)
	}
	var out []orchestrator.ReplicaTarget
	for _, r := range sel {
		out = append(out, orchestrator.ReplicaTarget{Name: r.Name, To: r.To, Root: r.Dataset, Replica: replicaClient(r)})
	}
	return out, nil
}

// replicaClient speaks to r's receiver: in process for zfs://, over ssh for ssh://.
func replicaClient(r config.Replication) *replica.Client {
	c := &replica.Client{Limit: r.BandwidthLimit}
	if r.Scheme == config.ReplZFS {
		m := zfs.New()
		rc := &replica.Receiver{Root: r.Dataset, ZFS: m}
		if r.Retention != nil {
			rc.Prune = replica.RetentionPruner{Policy: policies.Policy(*r.Retention), ZFS: m}
		}
		c.Call = replica.Local(rc)
	} else {
		c.Call = replica.SSH{User: r.User, Host: r.Host, Port: r.Port, Key: r.SSH.Key, KnownHosts: r.SSH.KnownHosts}.Caller()
	}
	return c
}

func runReplicate(ctx context.Context, g *globalOptions, o *replicateOptions, out io.Writer) error {
	cfg, err := loadSelected(g, o.vms, o.paths)
	if err != nil {
		return err
	}
	if len(cfg.Replication) == 0 {
		return errors.New("no replication: target in the configuration (see docs/replication.md)")
	}
	targets, err := replicaTargets(cfg, o.to)
	if err != nil {
		return err
	}
	// One run or replicate at a time: the bookmarks, the receivers and the state
	// file are theirs while they work.
	lock, err := orchestrator.Lock(o.lockPath)
	if err != nil {
		return fmt.Errorf("replicate: %w", err)
	}
	defer lock.Unlock()
	res, err := orchestrator.Replicate(ctx, zfs.New(), orchestrator.ReplicateOptions{
		Root: cfg.Target.Dataset, Targets: targets, VMs: o.vms, Paths: o.paths, DryRun: o.dryRun,
	})
	if res == nil && err != nil {
		return err // nothing decided: the target or a name is wrong
	}
	if !o.dryRun {
		if rerr := recordReplication(cfg, o.stateDir, res); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	if g.json {
		if res == nil {
			res = []orchestrator.ReplicatedTarget{}
		}
		if err := json.NewEncoder(out).Encode(res); err != nil {
			return err
		}
	} else if err := printReplicated(out, res, o.dryRun); err != nil {
		return err
	}
	if err != nil {
		return failure{err}
	}
	return nil
}

// recordReplication merges res into the state file in stateDir (the run lock held),
// then writes report.metrics-file from it; an error names the file.
func recordReplication(cfg *config.Config, stateDir string, res []orchestrator.ReplicatedTarget) error {
	return orchestrator.UpdateState(filepath.Join(stateDir, orchestrator.StateFile), func(st *orchestrator.State, err error) error {
		if err != nil {
			return fmt.Errorf("%w: not overwritten, the replication is not recorded", err)
		}
		st.RecordReplication(cfg, res)
		return nil
	}, func(st *orchestrator.State, err error) error {
		if err != nil {
			return err
		}
		return writeMetrics(cfg.Report.MetricsFile, st)
	})
}

func printReplicated(out io.Writer, res []orchestrator.ReplicatedTarget, dryRun bool) error {
	w := bufio.NewWriter(out)
	verb := "sent"
	if dryRun {
		verb = "would be sent (dry run)"
	}
	for _, rt := range res {
		fmt.Fprintf(w, "%s (%s): %s %s\n", rt.Target, rt.To, config.FormatBytes(rt.Bytes), verb)
		if rt.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", rt.Error)
		}
		for _, u := range rt.Units {
			switch {
			case u.Skipped != "":
				fmt.Fprintf(w, "  skip %s: %s\n", u.Dataset, u.Skipped)
				continue
			case len(u.Streams) == 0 && u.Error == "":
				fmt.Fprintf(w, "  %s: up to date (newest %s)\n", u.Dataset, noneIfEmpty(u.Newest))
			default:
				fmt.Fprintf(w, "  %s: from %s, %d streams, %s; newest %s\n", u.Dataset, noneIfEmpty(u.Start), len(u.Streams), config.FormatBytes(u.Bytes), noneIfEmpty(u.Newest))
			}
			for _, n := range u.Notes {
				fmt.Fprintf(w, "    note: %s\n", n)
			}
			if u.Error != "" {
				fmt.Fprintf(w, "    error: %s\n", u.Error)
			}
		}
	}
	return w.Flush()
}

func noneIfEmpty(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
