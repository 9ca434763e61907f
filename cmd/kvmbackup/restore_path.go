package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// withRestorePath adds the tree form to the restore command: `restore --path NAME
// --at WHEN --to DIR [--only GLOB]...`, a paths: entry's tree instead of a VM's disks.
// It reuses restore's --at, --to, --dry-run and --lock, and leaves the VM form alone.
func withRestorePath(g *globalOptions, cmd *cobra.Command) *cobra.Command {
	var name string
	var only []string
	args, runE := cmd.Args, cmd.RunE
	cmd.Args = func(c *cobra.Command, a []string) error {
		if name != "" {
			if len(a) > 0 {
				return fmt.Errorf("restore --path %s takes no VM argument (got %q)", name, strings.Join(a, " "))
			}
			return nil
		}
		if len(only) > 0 {
			return errors.New("--only is for a tree: give --path NAME")
		}
		return args(c, a)
	}
	cmd.RunE = func(c *cobra.Command, a []string) error {
		if name == "" {
			return runE(c, a)
		}
		f := c.Flags()
		if disks, _ := f.GetStringArray("disk"); len(disks) > 0 {
			return errors.New("--disk is for a VM: a tree (--path) is restored whole, or the part --only names")
		}
		at, _ := f.GetString("at")
		to, _ := f.GetString("to")
		dryRun, _ := f.GetBool("dry-run")
		lock, _ := f.GetString("lock")
		if at == "" {
			return fmt.Errorf("--at WHEN is required (a snapshot name, latest, a date or an age)")
		}
		return runRestorePath(c.Context(), g, name, at, to, only, dryRun, lock, c.OutOrStdout())
	}
	cmd.Long = strings.Replace(cmd.Long, "EXIT STATUS", `With --path NAME, restore copies a paths: entry's tree (or, with --only GLOB, what the
globs match: the path below the tree's root, e.g. etc/nginx or /etc/*.conf, with the
directories leading to it) from one dated backup into --to DIR, with the backup's
owners, modes, times, hard links, symlinks, special files and xattrs. DIR must be
new or empty, never / and never inside the target: a tree is never restored over
the live one in place; copy what you need from DIR. DIR (or, when new, the directory
it is made in, 0700) and every directory on the way must be root's alone: owned by
root, writable by no other user or group (a sticky one such as /tmp on the way is
fine, not as the one written in), so that no one else can steer where the restore
writes. Exit status as below (2: an
unknown entry or WHEN, a bad --to, an --only that matches nothing).

EXIT STATUS`, 1)
	cmd.Example += `
  kvmbackup restore --path root --at 2026-11-24 --to /root/root-1124
  kvmbackup restore --path root --at 3d --only etc/nginx --only /etc/hosts --to /root/nginx`
	cmd.Flags().StringVar(&name, "path", "", "restore this paths: entry's tree (with --to DIR) instead of a VM")
	cmd.Flags().StringArrayVar(&only, "only", nil, "with --path: only what this glob matches (repeatable)")
	return cmd
}

func runRestorePath(ctx context.Context, g *globalOptions, name, at, to string, only []string, dryRun bool, lockPath string, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if err := checkNameFlags("--path", []string{name}); err != nil {
		return err
	}
	lock, err := orchestrator.Lock(lockPath)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	res, err := orchestrator.RestorePath(ctx, orchestrator.PathRestoreDeps{Target: zfs.New(), Trees: orchestrator.TransferTrees{}},
		orchestrator.PathRestoreOptions{Root: cfg.Target.Dataset, Name: name, At: at, To: to, Only: only, DryRun: dryRun,
			RunID: "restore-" + time.Now().UTC().Format("20060102T150405Z"), Now: time.Now(), Location: locationFrom(ctx)})
	if res == nil {
		return err // nothing written
	}
	if g.json {
		if jerr := json.NewEncoder(out).Encode(res); jerr != nil {
			return jerr
		}
	} else if res.DryRun {
		fmt.Fprintf(out, "would restore path %s from %s to %s (dry run, nothing written)\n", name, res.Snapshot, res.To)
	} else {
		fmt.Fprintf(out, "restored path %s from %s to %s: %d files, wrote %s in %s\n", name, res.Snapshot, res.To,
			res.Tree.Files, config.FormatBytes(res.Written), res.Duration.Round(time.Millisecond))
	}
	if err != nil {
		return failure{err}
	}
	return nil
}
