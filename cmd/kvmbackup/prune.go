package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// pruneOptions are prune's flags.
type pruneOptions struct {
	vms, paths []string
	dryRun     bool
}

func newPruneCommand(g *globalOptions) *cobra.Command {
	o := &pruneOptions{}
	cmd := &cobra.Command{
		Use:   "prune [--vm NAME]... [--path NAME]... [--dry-run]",
		Short: "Destroy the dated snapshots the retention policy no longer keeps",
		Long: `Prune applies the retention policy to the dated snapshots of each VM dataset under
target.dataset and of each paths: entry's dataset (target.dataset/_paths/NAME), and
destroys those it does not keep. --vm or --path limits it to those datasets. Each
dataset is pruned by its own policy: its vms[] or paths[] entry's retention when
the entry has one (it replaces the top-level retention whole), else the top-level
retention (also for a dataset the configuration does not list). Each decision is
printed with every rule that keeps the snapshot, in the format of 'kvmbackup policy
simulate':

  keep backup/vms/web1@kvmbackup_2026-11-24T03:00:00Z newest,last 1,hourly 1,daily 1
  remove backup/vms/web1@kvmbackup_2026-11-20T03:00:00Z

and standard error names the policy of each dataset and where it is set:

  policy of backup/vms/web1: keep-daily 14, keep-weekly 8 (vms[web1].retention)

Always kept, whatever the policy: the newest snapshot of each VM, snapshots with a
hold ('kvmbackup pin'), and snapshots kvmbackup did not make. A dataset kvmbackup
did not make (no kvmbackup:vm or kvmbackup:path property, and not one an earlier
version made, which is adopted: see README) is skipped ("skip DATASET: why"), or an
error when --vm or --path names it. Calendar periods are taken in this host's time
zone. 'kvmbackup run' prunes as its last step.

EXIT STATUS
  0  pruned (or, with --dry-run, decided) every dataset
  1  some snapshot or dataset could not be pruned (the error names it), or --vm or
     --path names a dataset kvmbackup did not make
  2  bad configuration, unknown VM or path, or the target cannot be reached`,
		Example: `  kvmbackup prune --dry-run            # what would go, and why the rest stays
  kvmbackup prune                      # every VM dataset
  kvmbackup prune --vm web1 --json
  kvmbackup prune --path root --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPrune(cmd.Context(), g, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringArrayVar(&o.vms, "vm", nil, "prune only this VM's dataset (repeatable)")
	cmd.Flags().StringArrayVar(&o.paths, "path", nil, "prune only this paths: entry's dataset (repeatable)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "print the decisions, destroy nothing")
	return cmd
}

func runPrune(ctx context.Context, g *globalOptions, o *pruneOptions, out, errOut io.Writer) error {
	vms, paths, dryRun := o.vms, o.paths, o.dryRun
	cfg, err := loadSelected(g, vms, paths)
	if err != nil {
		return err
	}
	res, err := orchestrator.Prune(ctx, targetFrom(ctx), orchestrator.PruneOptions{
		Root: cfg.Target.Dataset, VMs: vms, Paths: paths, Policy: policies.Policy(cfg.Retention),
		PolicyOf: orchestrator.UnitPolicies(cfg), Location: locationFrom(ctx), DryRun: dryRun,
	})
	if res == nil && err != nil {
		return err // nothing decided: the policy, the target or a VM name is wrong
	}
	if res == nil {
		res = []orchestrator.PrunedDataset{}
	}
	kept, removed := 0, 0
	for _, pd := range res {
		for _, s := range pd.Snapshots {
			if s.Keep {
				kept++
			} else {
				removed++
			}
		}
	}
	verb := "destroyed"
	if dryRun {
		verb = "would be destroyed (dry run)"
	}
	summary := fmt.Sprintf("%d datasets under %s, %d snapshots kept, %d %s", len(res), cfg.Target.Dataset, kept, removed, verb)
	if g.json {
		if err := json.NewEncoder(out).Encode(res); err != nil {
			return err
		}
	} else {
		w := bufio.NewWriter(out)
		for _, pd := range res {
			if pd.Skipped != "" {
				fmt.Fprintf(w, "skip %s: %s\n", pd.Dataset, pd.Skipped)
			}
			if pd.Error != "" && len(pd.Snapshots) == 0 {
				fmt.Fprintf(w, "error %s: %s\n", pd.Dataset, pd.Error)
			}
			for _, s := range pd.Snapshots {
				line := decisionLine(s.Keep, pd.Dataset+"@"+s.Snapshot, s.Reasons)
				if s.Error != "" {
					line += " (NOT destroyed: " + s.Error + ")"
				}
				fmt.Fprintln(w, line)
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		for _, pd := range res {
			if pd.Skipped == "" {
				fmt.Fprintf(errOut, "policy of %s: %s (%s)\n", pd.Dataset, pd.Policy, pd.PolicySource)
			}
		}
		fmt.Fprintln(errOut, summary)
	}
	if err != nil {
		if errors.Is(err, orchestrator.ErrUnknownVM) || errors.Is(err, orchestrator.ErrUnknownPath) {
			return err
		}
		return failure{err}
	}
	return nil
}

// checkVMFlags checks each --vm is a valid dataset name component.
func checkVMFlags(vms []string) error { return checkNameFlags("--vm", vms) }

// checkNameFlags checks each value of a --vm or --path flag is a valid dataset name
// component.
func checkNameFlags(flag string, names []string) error {
	for _, n := range names {
		if err := zfs.CheckComponent(n); err != nil {
			return fmt.Errorf("%s %q: %w", flag, n, err)
		}
	}
	return nil
}
