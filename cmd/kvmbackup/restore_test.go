package main

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// restore's failover flags: --disk DISK=PATH parsed, bad combinations refused with
// exit 2 before the lock or libvirt is touched, the recipe in --help.
func TestRestoreFailoverFlags(t *testing.T) {
	disks, targets, err := parseDiskFlags([]string{"vda", "vdb=/dev/vg1/web1-vdb", "vdc=/srv/x.img", "vdb=/dev/vg1/web1-vdb"})
	if err != nil || !slices.Equal(disks, []string{"vda"}) || !maps.Equal(targets, map[string]string{"vdb": "/dev/vg1/web1-vdb", "vdc": "/srv/x.img"}) {
		t.Fatalf("parseDiskFlags: %v %v %v", disks, targets, err)
	}
	for _, bad := range [][]string{{"=/dev/x"}, {"vda="}, {"vda=/a", "vda=/b"}} {
		if _, _, err := parseDiskFlags(bad); err == nil {
			t.Errorf("parseDiskFlags %q: no error", bad)
		}
	}
	cfg := writeConfig(t, "libvirt:\n  uri: test:///default\n") // no target: --from needs none
	lock := "--lock=" + t.TempDir() + "/run.lock"
	for _, c := range []struct {
		args []string
		text string
	}{
		{[]string{"restore", "web1", "--from", "tank/replica/host1", "--at", "latest", "--to", "/srv", "--no-network"}, "add --define"},
		{[]string{"restore", "--path", "etc", "--from", "tank/replica/host1", "--at", "latest", "--to", "/srv"}, "for a VM"},
		{[]string{"restore", "web1", "--from", "tank/replica/host1", "--at", "latest", "--disk", "vda="}, "give the file or block device"},
	} {
		out, err, code := runCLI(t, append(c.args, "--config", cfg, lock)...)
		if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: exit %d %v\n%s", strings.Join(c.args, " "), code, err, out)
		}
	}
	out, _, _ := runCLI(t, "restore", "--help")
	for _, want := range []string{"--from ROOT", "FAILOVER", "--no-network", "vda=/dev/vg0/web1 --define", "kvmbackup:replica=VM"} {
		if !strings.Contains(out, want) {
			t.Errorf("restore --help lacks %q", want)
		}
	}
}
