package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/orchestrator"
)

// withMountPath adds the tree form to the mount command: `mount --path NAME --at
// WHEN DIR` shows a paths: entry's tree read-only at DIR/NAME. It reuses mount's --at
// and --state-dir, and leaves the VM form alone.
func withMountPath(g *globalOptions, cmd *cobra.Command) *cobra.Command {
	var name string
	args, runE := cmd.Args, cmd.RunE
	cmd.Args = func(c *cobra.Command, a []string) error {
		if name != "" {
			if len(a) != 1 {
				return fmt.Errorf("mount --path %s takes one argument, DIR (got %d)", name, len(a))
			}
			return nil
		}
		return args(c, a)
	}
	cmd.RunE = func(c *cobra.Command, a []string) error {
		if name == "" {
			return runE(c, a)
		}
		f := c.Flags()
		if disks, _ := f.GetStringArray("disk"); len(disks) > 0 {
			return errors.New("--disk is for a VM, not a tree (--path)")
		}
		at, _ := f.GetString("at")
		stateDir, _ := f.GetString("state-dir")
		if at == "" {
			return fmt.Errorf("--at WHEN is required (a snapshot name, latest, a date or an age)")
		}
		cfg, err := loadConfig(g)
		if err != nil {
			return err
		}
		if err := checkNameFlags("--path", []string{name}); err != nil {
			return err
		}
		m, err := orchestrator.MountPath(c.Context(), mountDeps(), orchestrator.PathMountOptions{Root: cfg.Target.Dataset, Name: name,
			At: at, Dir: a[0], StateDir: stateDir, Now: time.Now(), Location: locationFrom(c.Context())})
		if err != nil {
			return err
		}
		out := c.OutOrStdout()
		if g.json {
			return json.NewEncoder(out).Encode(m)
		}
		fmt.Fprintf(out, "%s, read-only:\n  %s\nkvmbackup umount %s undoes it\n", m.Snapshot, m.Mounts[0].Dir, m.Dir)
		return nil
	}
	cmd.Long = strings.Replace(cmd.Long, "EXIT STATUS", `With --path NAME instead of VM, mount shows a paths: entry's tree as it was in one
dated backup, read-only, at DIR/NAME.

EXIT STATUS`, 1)
	cmd.Example += `
  mkdir /mnt/root-old && kvmbackup mount --path root --at 2026-11-24 /mnt/root-old
  ls /mnt/root-old/root/etc; kvmbackup umount /mnt/root-old`
	cmd.Flags().StringVar(&name, "path", "", "show this paths: entry's tree (at DIR/NAME) instead of a VM's disks")
	return cmd
}
