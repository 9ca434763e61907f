package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/orchestrator"
)

// Bad --path usage exits 2 naming the problem, before anything is connected or
// written.
func TestPathFlagsBadInput(t *testing.T) {
	state := t.TempDir()
	to := filepath.Join(t.TempDir(), "restore")
	cfg := writeConfig(t, "paths:\n  - name: root\n    path: /\n")
	lock := "--lock=" + filepath.Join(state, "run.lock")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"run, bad name", []string{"run", "--config", cfg, "--path", "a/b", "--state-dir", state, lock}, `--path "a/b"`},
		{"restore, a VM too", []string{"restore", "--config", cfg, "--path", "root", "web1", "--at", "latest", "--to", to}, "takes no VM argument"},
		{"restore, --only without --path", []string{"restore", "--config", cfg, "web1", "--at", "latest", "--only", "etc"}, "--only is for a tree"},
		{"restore, --disk with --path", []string{"restore", "--config", cfg, "--path", "root", "--disk", "vda", "--at", "latest", "--to", to}, "--disk is for a VM"},
		{"restore, no --at", []string{"restore", "--config", cfg, "--path", "root", "--to", to}, "--at WHEN is required"},
		{"restore, bad name", []string{"restore", "--config", cfg, "--path", "../x", "--at", "latest", "--to", to, lock}, `--path "../x"`},
		{"mount, two arguments", []string{"mount", "--config", cfg, "--path", "root", "--at", "latest", "web1", to}, "takes one argument, DIR"},
		{"list, bad name", []string{"list", "--config", cfg, "--path", "a b"}, `--path "a b"`},
		{"prune, bad name", []string{"prune", "--config", cfg, "--path", "a@b"}, `--path "a@b"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err, code := runCLI(t, tc.args...)
			if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("exit %d, error %v: want exit 2 naming %s\n%s", code, err, tc.want, out)
			}
		})
	}
	if _, err := os.Stat(to); !os.IsNotExist(err) {
		t.Errorf("a refused command made %s: %v", to, err)
	}
	ents, _ := os.ReadDir(state)
	for _, e := range ents { // the refused run's record, and the state file's lock
		if e.Name() != orchestrator.StateFile && e.Name() != orchestrator.StateFile+".lock" {
			t.Errorf("a refused run left %v", ents)
		}
	}
}
