package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

func newPinCommands(g *globalOptions) []*cobra.Command {
	pin := &cobra.Command{
		Use:   "pin VM SNAPSHOT",
		Short: "Keep a dated snapshot whatever the retention policy says",
		Long: `Pin puts kvmbackup's hold (tag "kvmbackup", see zfs-hold(8)) on one dated snapshot
of a VM: prune keeps it, and even 'zfs destroy' refuses it, until 'kvmbackup unpin'.
SNAPSHOT is a snapshot name as 'zfs list -t snapshot' shows it after the @
(kvmbackup_2026-11-24T03:00:00Z), or "latest" for the VM's newest dated snapshot.
Pinning a pinned snapshot changes nothing.

EXIT STATUS
  0  pinned (or already pinned)
  2  bad configuration, unknown VM or snapshot (the error lists what exists)`,
		Example: `  kvmbackup pin web1 latest                          # before a risky upgrade
  kvmbackup pin web1 kvmbackup_2026-11-24T03:00:00Z`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPin(cmd.Context(), g, args[0], args[1], true, cmd.OutOrStdout())
		},
	}
	unpin := &cobra.Command{
		Use:   "unpin VM SNAPSHOT",
		Short: "Let the retention policy decide about a pinned snapshot again",
		Long: `Unpin releases kvmbackup's hold on a dated snapshot of a VM; the next prune decides
about it by the policy. Holds with other tags are never released.

EXIT STATUS
  0  unpinned
  2  bad configuration, unknown VM or snapshot, or the snapshot is not pinned`,
		Example: `  kvmbackup unpin web1 kvmbackup_2026-11-24T03:00:00Z`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPin(cmd.Context(), g, args[0], args[1], false, cmd.OutOrStdout())
		},
	}
	return []*cobra.Command{pin, unpin}
}

func runPin(ctx context.Context, g *globalOptions, vm, name string, pin bool, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if err := zfs.CheckComponent(vm); err != nil {
		return fmt.Errorf("VM %q: %w", vm, err)
	}
	m := zfs.New()
	lay := zfs.Layout{Root: cfg.Target.Dataset}
	units, err := lay.Units(ctx, m, zfs.KindVM, []string{vm})
	if err != nil {
		return err
	}
	ds := lay.Dataset(units[0])
	snaps, err := m.Snapshots(ctx, ds)
	if err != nil {
		return err
	}
	snap, err := findSnapshot(ds, snaps, name)
	if err != nil {
		return err
	}
	action := "pinned"
	if pin {
		changed, err := m.Pin(ctx, ds, snap.Name)
		if err != nil {
			return err
		}
		if !changed {
			action = "already pinned"
		}
	} else {
		if err := m.Unpin(ctx, ds, snap.Name); err != nil {
			return err
		}
		action = "unpinned"
	}
	if g.json {
		return json.NewEncoder(out).Encode(map[string]string{"snapshot": snap.FullName(), "result": action})
	}
	fmt.Fprintf(out, "%s %s\n", action, snap.FullName())
	return nil
}

// findSnapshot finds a VM's snapshot by name, "latest", date or age (see
// orchestrator.ResolveWhen); the error lists the snapshots there are.
func findSnapshot(ds string, snaps []zfs.Snapshot, name string) (zfs.Snapshot, error) {
	s, err := orchestrator.ResolveWhen(name, snaps, time.Now(), time.Local)
	if err != nil {
		return zfs.Snapshot{}, fmt.Errorf("%s: %w", ds, err)
	}
	return s, nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
