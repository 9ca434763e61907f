package main

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/zfs"
)

// complete runs `kvmbackup __complete ARGS...` (what the shell scripts of
// `kvmbackup completion` run) against the target f, and returns the completions
// (with their descriptions, "value\tdescription") and the directive.
func complete(t *testing.T, f *fakeTarget, args ...string) ([]string, cobra.ShellCompDirective) {
	t.Helper()
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{cobra.ShellCompRequestCmd}, args...))
	if err := root.ExecuteContext(withTarget(withLocation(t.Context(), policyZone), f)); err != nil {
		t.Fatalf("__complete %q: %v\n%s", args, err, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	last := lines[len(lines)-1]
	d, err := strconv.Atoi(strings.TrimPrefix(last, ":"))
	if !strings.HasPrefix(last, ":") || err != nil {
		t.Fatalf("__complete %q: no directive in %q", args, out.String())
	}
	return lines[:len(lines)-1], cobra.ShellCompDirective(d)
}

// values drops the descriptions.
func values(c []string) []string {
	out := make([]string, len(c))
	for i, s := range c {
		out[i], _, _ = strings.Cut(s, "\t")
	}
	return out
}

// Completion, without libvirt: VM names from the target's datasets and vms:; paths:
// names from paths: and the target's _paths; --at (and pin's SNAPSHOT) the dated
// snapshots of the VM or entry given, newest first, "latest" first.
func TestCompletion(t *testing.T) {
	cfg := writeConfig(t, "target: {dataset: tank/kvm}\nvms: [{name: new1}, {name: web1}]\npaths: [{name: root, path: /}]\n")
	f := newFakeTarget("tank/kvm", 3, "web1", "db1", "_paths/root", "_paths/old")
	f.snaps["tank/kvm/web1"][1].Holds = []string{zfs.PinTag}
	f.snaps["tank/kvm/web1"] = append(f.snaps["tank/kvm/web1"], zfs.Snapshot{Dataset: "tank/kvm/web1", Name: "before-upgrade"})
	f.snaps["tank/kvm/_clones"] = nil // kvmbackup's own: never a VM

	web1 := []string{"kvmbackup_2026-11-22T03:00:00Z", "kvmbackup_2026-11-21T03:00:00Z", "kvmbackup_2026-11-20T03:00:00Z"}
	for _, tc := range []struct {
		args []string
		want []string
		dir  cobra.ShellCompDirective
	}{
		{[]string{"restore", "--config", cfg, ""}, []string{"db1", "new1", "web1"}, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"restore", "--config", cfg, "w"}, []string{"web1"}, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"run", "--config", cfg, "--vm", ""}, []string{"db1", "new1", "web1"}, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"list", "--config", cfg, "--vm", "d"}, []string{"db1"}, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"prune", "--config", cfg, "--path", ""}, []string{"old", "root"}, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"policy", "simulate", "--config", cfg, "--path", "r"}, []string{"root"}, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"restore", "web1", "--config", cfg, "--at", ""}, append([]string{"latest"}, web1...), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"mount", "web1", "--config", cfg, "--at", "kvmbackup_2026-11-2"}, web1, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"restore", "--path", "root", "--config", cfg, "--at", ""}, append([]string{"latest"}, web1...), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"restore", "--config", cfg, "--at", ""}, nil, cobra.ShellCompDirectiveNoFileComp}, // no VM given yet
		{[]string{"restore", "nosuch", "--config", cfg, "--at", ""}, nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"mount", "web1", "--config", cfg, ""}, nil, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"mount", "--path", "root", "--config", cfg, ""}, nil, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"pin", "--config", cfg, "web1", ""}, []string{"latest", web1[0], web1[2]}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"unpin", "--config", cfg, "web1", ""}, []string{web1[1]}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"--log-format", ""}, []string{"console", "json", "journal"}, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"run", "--progress", ""}, []string{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp},
		// A configuration that cannot be read completes nothing (and fails nothing).
		{[]string{"run", "--config", cfg + ".missing", "--vm", ""}, nil, cobra.ShellCompDirectiveNoFileComp},
	} {
		got, dir := complete(t, f, tc.args...)
		if !slices.Equal(values(got), tc.want) || dir != tc.dir {
			t.Errorf("%q: %q (directive %d), want %q (directive %d)", tc.args, got, dir, tc.want, tc.dir)
		}
	}

	// Each snapshot is described by its local time, and its pin.
	got, _ := complete(t, f, "restore", "web1", "--config", cfg, "--at", "kvmbackup_2026-11-21")
	if want := []string{"kvmbackup_2026-11-21T03:00:00Z\t2026-11-21 04:00 CET, pinned"}; !slices.Equal(got, want) {
		t.Errorf("descriptions: %q, want %q", got, want)
	}
	// A target that cannot be read: the configuration's names alone.
	got, _ = complete(t, &fakeTarget{snaps: map[string][]zfs.Snapshot{}}, "run", "--config", cfg, "--vm", "")
	if !slices.Equal(got, []string{"new1", "web1"}) {
		t.Errorf("no target: %q, want vms: alone", got)
	}
}
