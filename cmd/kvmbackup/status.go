package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/render"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// timerUnit is the systemd timer that runs the nightly backup (dist/kvmbackup.timer).
const timerUnit = "kvmbackup.timer"

// statusDeps are what status reads the target and the timer with: the real ones,
// replaced by tests that need neither ZFS nor systemd.
var statusDeps = func() (orchestrator.StatusTarget, orchestrator.TimerSchedule) {
	return zfs.New(), orchestrator.NewSystemdTimer(timerUnit)
}

type statusOptions struct {
	stateDir string
}

func newStatusCommand(g *globalOptions) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Is every backup fresh? One screen, and an exit status for monitoring",
		Long: `Status shows on one screen whether the backups are fresh: the last run (when, its
result, how long it took, from --state-dir/state.json, which every run writes); the
target pool's health and free space; when kvmbackup.timer runs next (from systemd,
"unknown" without it); each VM and paths: entry with its newest dated backup, its
age against status.max-age (default 26h), how many dated backups it has, its pins
and its last result, marked STALE (no backup, or the newest older than
status.max-age) or FAILED (its last backup failed); then the pinned snapshots, the
problems and the warnings. Nothing is changed; no libvirt is needed.

Each replication: target follows, from the state file (replicate and the runs'
after-run replication record it; the receivers are not asked): its last
replication (when, how long, the bytes sent, ok or FAILED and since when it last
succeeded), then per unit backed up here the newest dated snapshot the target holds
and its lag (now less that snapshot's time), STALE past status.max-age, the same
rule as the backups'. 'kvmbackup list --replica NAME' asks the receiver itself.

The VMs are those vms: lists or, without vms:, those the last full run planned
(every domain less exclude:), or before any run the VM datasets under
target.dataset. --json prints the same as one JSON object.

As a monitoring check (Nagios/Icinga, a systemd OnFailure=, cron): the exit status
says it, the output says why.

EXIT STATUS
  0  every VM and path has a dated backup younger than status.max-age, the last run
     succeeded and the pool is ONLINE
  1  something is stale or failed: a backup older than status.max-age or none, a
     unit whose last backup failed, a failed last run, a DEGRADED or unfit pool;
     a replication: target never replicated, whose last replication failed, or
     whose newest snapshot of a unit is older than status.max-age or missing
  2  cannot tell: no usable configuration, the target unreadable (pool not
     imported, zfs failing)`,
		Example: `  kvmbackup status                         # the one screen
  kvmbackup status --json | jq '.units[] | select(.stale or .failed) | .name'
  kvmbackup status --json | jq '.replicas[] | {target, lag_h: (.lag_ns / 3.6e12), failed}'
  out=$(kvmbackup status) || echo "$out" | mail -s "kvmbackup on $(hostname)" root
  # NRPE: command[check_kvmbackup]=/usr/local/bin/kvmbackup status
  # (exit 0 OK, 1 WARNING: stale or failed, 2 CRITICAL: cannot tell)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd.Context(), g, o, time.Now(), cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&o.stateDir, "state-dir", defaultStateDir, "where runs keep the state file (state.json)")
	return cmd
}

func runStatus(ctx context.Context, g *globalOptions, o *statusOptions, now time.Time, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return fmt.Errorf("cannot tell: %w", err)
	}
	target, timer := statusDeps()
	st := orchestrator.Status(ctx, target, timer, orchestrator.StatusOptions{Config: cfg,
		StatePath: filepath.Join(o.stateDir, orchestrator.StateFile), Now: now})
	if g.json {
		if err := render.StatusJSON(out, st); err != nil {
			return err
		}
	} else {
		render.Status(out, st)
	}
	switch st.Verdict {
	case orchestrator.VerdictFresh:
		return nil
	case orchestrator.VerdictStale:
		return failure{fmt.Errorf("stale or failed: %s", strings.Join(st.Problems, "; "))}
	default:
		return errors.New("cannot tell: " + strings.Join(st.Problems, "; "))
	}
}
