package main

import (
	"strings"
	"testing"
)

// TestReplicateBadTargetsExitTwo: no replication: target, or an unknown --to, is
// exit 2 before anything is read or sent.
func TestReplicateBadTargetsExitTwo(t *testing.T) {
	none := writeConfig(t, "target:\n  dataset: tank/vms\n")
	if out, err, code := runCLI(t, "replicate", "--config", none); code != exitEnvironment || !strings.Contains(err.Error(), "no replication: target") {
		t.Errorf("no targets: exit %d, %v\n%s", code, err, out)
	}
	one := writeConfig(t, "target:\n  dataset: tank/vms\nreplication:\n  - {name: usb, to: zfs://usb/k}\n")
	if out, err, code := runCLI(t, "replicate", "--config", one, "--to", "offsite"); code != exitEnvironment || !strings.Contains(err.Error(), "--to offsite: no such replication: target (configured: usb)") {
		t.Errorf("unknown --to: exit %d, %v\n%s", code, err, out)
	}
}

// TestReceiveBadRetentionExitsTwo: a --keep-* the policy refuses is exit 2, before
// any request is read.
func TestReceiveBadRetentionExitsTwo(t *testing.T) {
	t.Setenv(requestEnv, "list")
	if out, err, code := runCLI(t, "receive", "--root", "tank/r", "--keep-daily", "-1"); code != exitEnvironment || !strings.Contains(err.Error(), "--keep-*") {
		t.Errorf("exit %d, %v\n%s", code, err, out)
	}
}
