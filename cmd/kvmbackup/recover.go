package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"path/filepath"

	"github.com/kvmbackup/kvmbackup/orchestrator"
)

// recoverOptions are recover's flags.
type recoverOptions struct {
	stateDir string
	lockPath string
}

func newRecoverCommand(g *globalOptions) *cobra.Command {
	o := &recoverOptions{}
	cmd := &cobra.Command{
		Use:   "recover",
		Short: "Undo what a crashed run left behind",
		Long: `Recover undoes what a kvmbackup run that crashed (SIGKILL, power loss) left behind,
most urgent first:
  - every VM that still carries kvmbackup's libvirt mark is thawed and resumed, and
    the mark cleared (a VM paused by someone else carries no mark: left alone);
  - every read-only mount and LVM snapshot tagged kvmbackup is removed;
  - every dataset the crashed run was writing (its journal under --state-dir) is
    rolled back to its newest kvmbackup snapshot, and its clones are removed.
It takes the host's run lock first: it never runs beside a backup. Every run does
this first when a run's journal is left (a run keeps its journal while a VM it paused
is not resumed, or a snapshot or mount it made is not removed); recover itself
sweeps VMs and LVM always, whatever the journals say (what an older version or a
hand left). Running it by hand is only needed to get VMs back without starting a
backup.

EXIT STATUS
  0  nothing to recover, or everything recovered
  1  something could not be undone (the error names it; it is retried next time)
  2  bad configuration, libvirt unreachable, or a run holds the lock`,
		Example: `  kvmbackup recover
  kvmbackup recover --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRecover(cmd.Context(), g, o, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&o.stateDir, "state-dir", defaultStateDir, "where run journals are kept")
	lockFlag(cmd.Flags(), &o.lockPath)
	return cmd
}

func runRecover(ctx context.Context, g *globalOptions, o *recoverOptions, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	deps, release, err := lockedDeps(ctx, cfg, o.lockPath)
	if err != nil {
		return err
	}
	defer release()
	rec, rerr := orchestrator.Recover(ctx, deps, orchestrator.RecoverOptions{JournalDir: filepath.Join(o.stateDir, "journal"), Root: cfg.Target.Dataset})
	if g.json {
		if err := json.NewEncoder(out).Encode(rec); err != nil {
			return err
		}
	} else {
		if rec.Empty() && rerr == nil {
			fmt.Fprintln(out, "nothing to recover: no VM carries kvmbackup's mark, no snapshot, mount or unfinished dataset is left")
		}
		printRecovery(out, rec)
	}
	if rerr != nil {
		return failure{rerr}
	}
	return nil
}
