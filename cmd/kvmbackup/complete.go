package main

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// Shell completion (cobra's `completion` command and its hidden `__complete`): VM
// names, paths: names and dated snapshots, from the configuration (--config, as the
// command line gives it) and the target's datasets (zfs list, no libvirt), so that it
// works on a host whose libvirtd is down and on a backup server without one. Every
// lookup is best effort and bounded: a target that cannot be read completes nothing
// more than the configuration gives.

// completionTimeout bounds the target lookups of one completion.
const completionTimeout = 5 * time.Second

// completer completes the values of a command line of kvmbackup.
type completer struct{ g *globalOptions }

// config is the configuration the command line names, or nil when it cannot be read.
func (c completer) config() *config.Config {
	cfg, err := loadConfig(c.g)
	if err != nil {
		return nil
	}
	return cfg
}

// units lists the names of the units of kind k that have a dataset under the
// target, then those the configuration lists (vms:, paths:), each once, starting
// with prefix.
func (c completer) units(ctx context.Context, k zfs.Kind, prefix string) []string {
	cfg := c.config()
	if cfg == nil {
		return nil
	}
	var out []string
	add := func(name string) {
		if strings.HasPrefix(name, prefix) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	defer cancel()
	if us, err := (zfs.Layout{Root: cfg.Target.Dataset}).Units(ctx, targetFrom(ctx), k, nil); err == nil {
		for _, u := range us {
			add(u.Name)
		}
	}
	if k == zfs.KindPath {
		for _, p := range cfg.Paths {
			add(p.Name)
		}
	} else {
		for _, v := range cfg.VMs {
			add(v.Name)
		}
	}
	slices.Sort(out)
	return out
}

// snapshots completes a WHEN (or a pin's SNAPSHOT) of unit u: "latest" (with
// latest), then its dated snapshots, newest first, each described by its local time
// and whether it is pinned; keep chooses which.
func (c completer) snapshots(ctx context.Context, u zfs.Unit, latest bool, keep func(zfs.Snapshot) bool, prefix string) []cobra.Completion {
	cfg := c.config()
	if cfg == nil || zfs.CheckComponent(u.Name) != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	defer cancel()
	snaps, err := targetFrom(ctx).Snapshots(ctx, zfs.Layout{Root: cfg.Target.Dataset}.Dataset(u))
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	if latest && strings.HasPrefix("latest", prefix) && slices.ContainsFunc(snaps, zfs.Snapshot.Ours) {
		out = append(out, cobra.CompletionWithDesc("latest", "the newest backup"))
	}
	loc := locationFrom(ctx)
	for _, s := range slices.Backward(snaps) {
		if !s.Ours() || !keep(s) || !strings.HasPrefix(s.Name, prefix) {
			continue
		}
		desc := s.Time().In(loc).Format("2006-01-02 15:04 MST")
		if s.Pinned() {
			desc += ", pinned"
		}
		out = append(out, cobra.CompletionWithDesc(s.Name, desc))
	}
	return out
}

// anySnapshot keeps every snapshot.
func anySnapshot(zfs.Snapshot) bool { return true }

// vmsFunc completes a VM name; pathsFunc a paths: name.
func (c completer) vmsFunc(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return c.units(cmd.Context(), zfs.KindVM, toComplete), cobra.ShellCompDirectiveNoFileComp
}

func (c completer) pathsFunc(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return c.units(cmd.Context(), zfs.KindPath, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// atFunc completes --at: the dated snapshots of the paths: entry --path names, else
// of the VM, the command's first argument.
func (c completer) atFunc(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var u zfs.Unit
	switch p, _ := cmd.Flags().GetString("path"); {
	case p != "":
		u = zfs.PathUnit(p)
	case len(args) > 0:
		u = zfs.VMUnit(args[0])
	default:
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return c.snapshots(cmd.Context(), u, true, anySnapshot, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
}

// vmThenDir completes restore's VM and mount's VM DIR (with --path: DIR alone).
func (c completer) vmThenDir(dirArgs int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		first := 0 // the position of DIR
		if p, _ := cmd.Flags().GetString("path"); p == "" {
			if len(args) == 0 {
				return c.vmsFunc(cmd, args, toComplete)
			}
			first = 1
		}
		if len(args) < first+dirArgs {
			return nil, cobra.ShellCompDirectiveFilterDirs
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

// pinArgs completes pin's (unpin's) VM SNAPSHOT: the VM, then its snapshots that are
// not pinned and "latest" (its pinned ones).
func (c completer) pinArgs(pin bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return c.vmsFunc(cmd, args, toComplete)
		case 1:
			keep := func(s zfs.Snapshot) bool { return s.Pinned() != pin }
			return c.snapshots(cmd.Context(), zfs.VMUnit(args[0]), pin, keep, toComplete),
				cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

// fixed completes a flag that takes one of a few words.
func fixed(words ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp)
}

// registerCompletions gives every command of root its completions: --vm, --path and
// --at wherever they are, the VM (and snapshot) arguments of restore, mount, pin and
// unpin, and the flags that take one of a few words.
func registerCompletions(root *cobra.Command, g *globalOptions) {
	c := completer{g}
	_ = root.RegisterFlagCompletionFunc("log-level", fixed("debug", "info", "warn", "error"))
	_ = root.RegisterFlagCompletionFunc("log-format", fixed(logConsole, logJSON, logJournal))
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		for name, f := range map[string]cobra.CompletionFunc{"vm": c.vmsFunc, "path": c.pathsFunc, "at": c.atFunc, "progress": fixed("auto", "always", "never")} {
			if cmd.LocalFlags().Lookup(name) != nil {
				_ = cmd.RegisterFlagCompletionFunc(name, f)
			}
		}
		switch cmd.Name() {
		case "restore":
			cmd.ValidArgsFunction = c.vmThenDir(0)
		case "mount":
			cmd.ValidArgsFunction = c.vmThenDir(1)
		case "pin":
			cmd.ValidArgsFunction = c.pinArgs(true)
		case "unpin":
			cmd.ValidArgsFunction = c.pinArgs(false)
		case "verify":
			cmd.ValidArgsFunction = c.vmsFunc
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
