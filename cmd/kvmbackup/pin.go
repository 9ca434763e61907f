package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

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
	dss, err := orchestrator.VMDatasets(ctx, m, cfg.Target.Dataset, []string{vm})
	if err != nil {
		return err
	}
	ds := dss[0]
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

// findSnapshot finds a VM's dated snapshot by name (or "latest"); the error lists the
// VM's dated snapshots (the newest ten).
func findSnapshot(ds string, snaps []zfs.Snapshot, name string) (zfs.Snapshot, error) {
	var ours []zfs.Snapshot
	for _, s := range snaps {
		if s.Ours() {
			ours = append(ours, s)
		}
	}
	if name == "latest" && len(ours) > 0 {
		latest := ours[0]
		for _, s := range ours {
			if s.Time().After(latest.Time()) {
				latest = s
			}
		}
		return latest, nil
	}
	name = strings.TrimPrefix(name, ds+"@")
	for _, s := range snaps {
		if s.Name == name {
			return s, nil
		}
	}
	var have []string
	for i := max(0, len(ours)-10); i < len(ours); i++ {
		have = append(have, ours[i].Name)
	}
	return zfs.Snapshot{}, fmt.Errorf("%s has no snapshot %q; its dated snapshots (newest %d of %d): %s",
		ds, name, len(have), len(ours), orNone(have))
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
