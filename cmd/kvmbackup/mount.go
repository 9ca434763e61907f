package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

func mountDeps() orchestrator.MountDeps {
	return orchestrator.MountDeps{Target: zfs.New(), Loops: loopdev.New(), FS: orchestrator.NewSystemMounter()}
}

// mountOptions are mount's flags. With path set it shows that paths: entry's tree
// (runMountPath); else a VM's disks (runMount).
type mountOptions struct {
	at       string
	disks    []string // VM only
	stateDir string
	path     string // --path NAME: a paths: entry's tree instead of a VM
}

// args checks mount's arguments: VM and DIR, or DIR alone with --path.
func (o *mountOptions) args(c *cobra.Command, a []string) error {
	if o.path != "" {
		if len(a) != 1 {
			return fmt.Errorf("mount --path %s takes one argument, DIR (got %d)", o.path, len(a))
		}
		return nil
	}
	return cobra.ExactArgs(2)(c, a)
}

// umountOptions are umount's flags.
type umountOptions struct {
	stateDir string
}

func newMountCommands(g *globalOptions) []*cobra.Command {
	o := &mountOptions{}
	mount := &cobra.Command{
		Use: `mount VM --at WHEN [--disk vda]... DIR
  kvmbackup mount --path NAME --at WHEN DIR`,
		Short: "Show the files of a dated backup, read-only, under DIR",
		Long: `Mount shows a VM's files as they were in one dated backup, without restoring
anything: the backup's snapshot is mounted read-only, each disk image attached
read-only on a loop device (partitions scanned), and each filesystem found mounted
read-only (journals not replayed; nosuid, nodev, noexec) under DIR: DIR/vda for a
disk without a partition table, DIR/vda-p1, DIR/vda-p2, ... for partitions. Only
ext2/3/4, xfs, btrfs, vfat and ntfs are mounted (a crafted filesystem attacks the
kernel's parser of its type); others are listed, not mounted. DIR must be an empty
directory, root's alone (it and every directory on the way owned by root, writable
by no other user or group): no one else can swap a mount point for a symlink.
'kvmbackup umount DIR' undoes all of it.

WHEN: a snapshot name, "latest", a date or date-time (the newest backup at or before
it), or an age (3d).

With --path NAME instead of VM, mount shows a paths: entry's tree as it was in one
dated backup, read-only, at DIR/NAME.

EXIT STATUS
  0  mounted
  2  bad input (unknown VM, WHEN or disk; DIR not an empty directory; no filesystem
     on the disks): nothing left mounted`,
		Example: `  mkdir /mnt/web1-old && kvmbackup mount web1 --at 3d /mnt/web1-old
  ls /mnt/web1-old/vda-p1/etc
  kvmbackup umount /mnt/web1-old
  mkdir /mnt/root-old && kvmbackup mount --path root --at 2026-11-24 /mnt/root-old
  ls /mnt/root-old/root/etc; kvmbackup umount /mnt/root-old`,
		Args: o.args,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.path != "" && len(o.disks) > 0 {
				return errors.New("--disk is for a VM, not a tree (--path)")
			}
			if o.at == "" {
				return fmt.Errorf("--at WHEN is required (a snapshot name, latest, a date or an age)")
			}
			if o.path != "" {
				return runMountPath(cmd.Context(), g, o, args[0], cmd.OutOrStdout())
			}
			return runMount(cmd.Context(), g, o, args[0], args[1], cmd.OutOrStdout())
		},
	}
	mount.Flags().StringVar(&o.at, "at", "", "which backup: snapshot name, latest, date, date-time or age (3d)")
	mount.Flags().StringArrayVar(&o.disks, "disk", nil, "only this disk (repeatable)")
	mount.Flags().StringVar(&o.path, "path", "", "show this paths: entry's tree (at DIR/NAME) instead of a VM's disks")
	u := &umountOptions{}
	umount := &cobra.Command{
		Use:   "umount DIR",
		Short: "Undo 'kvmbackup mount DIR'",
		Long: `Umount unmounts the filesystems 'kvmbackup mount' showed under DIR, detaches their
loop devices and unmounts the backup's snapshot. What cannot be undone (a file still
open under DIR) is named, and stays recorded for another try.`,
		Example: `  kvmbackup umount /mnt/web1-old`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := orchestrator.UnmountBackup(cmd.Context(), mountDeps(), args[0], u.stateDir)
			if m == nil {
				return err
			}
			if err != nil {
				return failure{err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d filesystems of %s unmounted\n", m.Dir, len(m.Mounts), m.Snapshot)
			return nil
		},
	}
	for c, dir := range map[*cobra.Command]*string{mount: &o.stateDir, umount: &u.stateDir} {
		c.Flags().StringVar(dir, "state-dir", orchestrator.DefaultMountStateDir, "where mounts are recorded")
		_ = c.Flags().MarkHidden("state-dir")
	}
	return []*cobra.Command{mount, umount}
}

func runMount(ctx context.Context, g *globalOptions, o *mountOptions, vm, dir string, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if err := checkVMFlags([]string{vm}); err != nil {
		return err
	}
	m, err := orchestrator.MountBackup(ctx, mountDeps(), orchestrator.MountOptions{Root: cfg.Target.Dataset, VM: vm, At: o.at, Disks: o.disks,
		Dir: dir, StateDir: o.stateDir, RunID: "mount-" + time.Now().UTC().Format("20060102T150405.000Z"), Now: time.Now(), Location: locationFrom(ctx)})
	if err != nil {
		return err
	}
	if g.json {
		return json.NewEncoder(out).Encode(m)
	}
	fmt.Fprintf(out, "%s, read-only:\n", m.Snapshot)
	for _, f := range m.Mounts {
		fmt.Fprintf(out, "  %s  %s %s %s\n", f.Dir, f.Disk, f.FS.Type, f.FS.Label)
	}
	for _, s := range m.Skipped {
		fmt.Fprintf(out, "  (%s: no filesystem found)\n", s)
	}
	for _, n := range m.NotMounted {
		fmt.Fprintf(out, "  (%s %s %s: not mounted, %s)\n", n.Disk, n.FS.Dev, n.FS.Type, n.Reason)
	}
	fmt.Fprintf(out, "kvmbackup umount %s undoes it\n", m.Dir)
	return nil
}
