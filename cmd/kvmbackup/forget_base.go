package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/orchestrator"
)

// forgetBaseOptions are forget-base's flags.
type forgetBaseOptions struct {
	all      bool
	lockPath string
}

func newForgetBaseCommand(g *globalOptions) *cobra.Command {
	o := &forgetBaseOptions{}
	cmd := &cobra.Command{
		Use:   "forget-base VM... | --all",
		Short: "Drop the changed-block tracking base of VMs' thin LVs",
		Long: `A VM disk on a thin LV (block mode) keeps one thin snapshot past each backup: the
base of the next run's changed-block tracking (named LV.kvmbackup-base, tagged
kvmbackup and kvmbackup_base, read-only, not activated; check lists them). It holds
the pool chunks written since that backup. forget-base drops the bases of the
named VMs' thin LVs (or, with --all, every base kvmbackup holds, also of LVs no VM
uses any more): their next backup reads each disk whole and keeps a new base.
Nothing else is touched: no backup, no dataset, no other LV. It takes the host's
run lock first: it never runs beside a backup.

EXIT STATUS
  0  done (a disk without a base is not an error)
  2  bad configuration or VM name, libvirt unreachable, or a run holds the lock`,
		Example: `  kvmbackup forget-base web1
  kvmbackup forget-base --all --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.all == (len(args) > 0) {
				return errors.New("name the VMs whose bases to drop, or give --all (not both)")
			}
			return runForgetBase(cmd.Context(), g, o, args, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "drop every base kvmbackup holds")
	lockFlag(cmd.Flags(), &o.lockPath)
	return cmd
}

func runForgetBase(ctx context.Context, g *globalOptions, o *forgetBaseOptions, vms []string, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if err := checkNameFlags("VM", vms); err != nil {
		return err
	}
	deps, release, err := lockedDeps(ctx, cfg, o.lockPath)
	if err != nil {
		return err
	}
	defer release()
	dropped, err := orchestrator.ForgetBases(ctx, deps, cfg, vms, o.all)
	if g.json {
		if jerr := json.NewEncoder(out).Encode(dropped); jerr != nil {
			return jerr
		}
	} else {
		for _, f := range dropped {
			who := f.Volume
			if f.VM != "" {
				who = fmt.Sprintf("%s %s (%s)", f.VM, f.Disk, f.Volume)
			}
			switch {
			case f.Base != "":
				fmt.Fprintf(out, "%s: dropped the base %s: the next backup reads it whole\n", who, f.Base)
			default:
				fmt.Fprintf(out, "%s: %s\n", who, f.Reason)
			}
		}
		if o.all && len(dropped) == 0 && err == nil {
			fmt.Fprintln(out, "no base held")
		}
	}
	return err
}
