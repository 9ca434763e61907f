package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/orchestrator"
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

// TestReplicateRefusesWhileLocked: replicate takes the host's run lock; while a run
// or another replicate holds it, it refuses (exit 2) naming the holder, before
// anything is read or sent.
func TestReplicateRefusesWhileLocked(t *testing.T) {
	lockPath := filepath.Join(t.TempDir(), "run", "run.lock")
	held, err := orchestrator.Lock(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Unlock()
	cfg := writeConfig(t, "target:\n  dataset: tank/vms\nreplication:\n  - {name: usb, to: zfs://usb/k}\n")
	out, err, code := runCLI(t, "replicate", "--config", cfg, "--lock", lockPath, "--state-dir", t.TempDir())
	want := fmt.Sprintf("replicate: another kvmbackup run holds %s: process %d", lockPath, os.Getpid())
	if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("exit %d, %v, want %q\n%s", code, err, want, out)
	}
}
