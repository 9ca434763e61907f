package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/orchestrator"
)

// A verify never runs beside a backup: with the run lock held it exits 2 naming
// the holder, at once or (--wait) after waiting, having touched nothing.
func TestVerifyWaitsForTheRunLockOrExits2(t *testing.T) {
	state := t.TempDir()
	lock := filepath.Join(state, "run.lock")
	l, err := orchestrator.Lock(lock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	cfg := writeConfig(t, "target:\n  dataset: nosuchpool/vms\n")
	out, err, code := runCLI(t, "verify", "--config", cfg, "--state-dir", state, "--lock", lock)
	if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("verify with the lock held: exit %d, %v\n%s", code, err, out)
	}
	start := time.Now()
	out, err, code = runCLI(t, "verify", "--config", cfg, "--state-dir", state, "--lock", lock, "--wait", "1500ms")
	if waited := time.Since(start); code != exitEnvironment || waited < 1500*time.Millisecond || !strings.Contains(out, "waiting up to 1.5s: another kvmbackup run holds") {
		t.Fatalf("verify --wait: exit %d after %v, %v\n%s", code, waited, err, out)
	}
	if ents, _ := os.ReadDir(state); len(ents) != 1 {
		t.Errorf("a verify that did not get the lock left %v", ents)
	}
}

func TestVerifyRefusesBadFlags(t *testing.T) {
	cfg := writeConfig(t, "target:\n  dataset: nosuchpool/vms\n")
	state := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--at", "latest", "--all"}, "--at and --all"},
		{[]string{"--path", "root", "--boot"}, "--boot boots VMs"},
		{[]string{"bad/name"}, "bad/name"},
	} {
		args := append([]string{"verify", "--config", cfg, "--state-dir", state, "--lock", filepath.Join(state, "run.lock")}, c.args...)
		if out, err, code := runCLI(t, args...); code != exitEnvironment || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: exit %d, %v, want %q\n%s", c.args, code, err, c.want, out)
		}
	}
	bad := writeConfig(t, "verify:\n  boot:\n    timeout: 1s\n    ready-pattern: \"(\"\n")
	if _, err, code := runCLI(t, "verify", "--config", bad, "--state-dir", state); code != exitEnvironment || err == nil ||
		!strings.Contains(err.Error(), "verify.boot.timeout") || !strings.Contains(err.Error(), "verify.boot.ready-pattern") {
		t.Errorf("a bad verify: section: exit %d, %v", code, err)
	}
}
