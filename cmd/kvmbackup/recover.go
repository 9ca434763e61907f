package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/hypervisor"
)

func newRecoverCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "recover",
		Short: "Undo what a crashed run left behind",
		Long: `Recover undoes what a kvmbackup run that crashed (SIGKILL, power loss) left behind.
Every run marks a VM in libvirt before pausing it or freezing its filesystems, and
clears the mark after resuming it; recover resumes (and thaws) every VM that still
carries the mark, then clears it. A VM paused by someone else carries no mark and is
left as it is. Every run does this first, so running it by hand is only needed to
get VMs back without starting a backup.

EXIT STATUS
  0  nothing to recover, or everything recovered
  1  some VM could not be recovered (it stays marked; the error names it)
  2  bad configuration, or libvirt unreachable`,
		Example: `  kvmbackup recover
  kvmbackup recover --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRecover(cmd.Context(), g, cmd.OutOrStdout())
		},
	}
}

func runRecover(ctx context.Context, g *globalOptions, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	c, err := hypervisor.Connect(ctx, cfg.Libvirt.URI)
	if err != nil {
		return err
	}
	defer c.Close()
	recs, rerr := c.Recover(ctx)
	if recs == nil {
		recs = []hypervisor.Recovered{}
	}
	if g.json {
		if err := json.NewEncoder(out).Encode(map[string]any{"recovered": recs}); err != nil {
			return err
		}
	} else {
		if len(recs) == 0 && rerr == nil {
			fmt.Fprintln(out, "nothing to recover: no VM carries kvmbackup's mark")
		}
		for _, r := range recs {
			fmt.Fprintf(out, "%-24s %s (left marked by run %q)\n", r.Name, r.Action, r.Run)
		}
	}
	if rerr != nil {
		return failure{rerr}
	}
	return nil
}
