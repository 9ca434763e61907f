package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// Built as make builds it, kvmbackup loads libvirt only when it connects: a copy
// starts without libvirt and its libraries (the manifest copy's speed depends on
// it), while check still talks to libvirt.
func TestCopyDoesNotLoadLibvirt(t *testing.T) {
	if testenv.Inside() {
		t.Skip("runs on the machine")
	}
	if !libvirtDlopen {
		t.Fatal("built without the libvirt_dlopen tag: build and test through make (it sets GOFLAGS=-tags=libvirt_dlopen)")
	}
	bin := buildKVMBackup(t, t.TempDir())
	dir := t.TempDir()
	src := filepath.Join(dir, "src.raw")
	if err := os.WriteFile(src, testenv.RandomBytes(1, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded := func(args ...string) string {
		cmd := exec.CommandContext(t.Context(), bin, args...)
		cmd.Env = append(os.Environ(), "LD_DEBUG=libs")
		out, err := cmd.CombinedOutput()
		if err != nil && args[0] == "copy" { // check exits 2 here: no LVM, no ZFS
			t.Fatalf("%v: %v\n%s", args, err, tail(string(out), 2000))
		}
		return string(out)
	}
	if out := loaded("copy", "--progress=never", src, filepath.Join(dir, "dst.raw")); strings.Contains(out, "libvirt.so") {
		t.Errorf("kvmbackup copy loaded libvirt:\n%s", grepLines(out, "libvirt"))
	}
	testenv.Require(t, testenv.Libvirt)
	cfg := writeConfig(t, "libvirt:\n  uri: test:///default\n")
	if out := loaded("check", "--config", cfg); !strings.Contains(out, "libvirt.so") {
		t.Errorf("kvmbackup check did not load libvirt, yet it must talk to it")
	}
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Every package linked into kvmbackup runs its init at each start of every run, and
// a cold start reads each page it touches (a tree-only night starts kvmbackup once
// and little else): the binary links none of what only a side tool needs, the
// metrics library's protobuf (client_golang), expvar and net/http's debug handlers,
// nor cobra/doc's Markdown and man page renderers (the gendocs tag alone has them).
// (The metrics library that stays, VictoriaMetrics/metrics, reads a few /proc and
// cgroup files in its init: well under a millisecond.)
func TestTheBinaryLinksNoSideToolsPackages(t *testing.T) {
	if testenv.Inside() {
		t.Skip("runs on the machine")
	}
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, bad := range []string{"google.golang.org/protobuf", "github.com/prometheus/", "expvar", "github.com/spf13/cobra/doc", "github.com/russross/blackfriday", "github.com/cpuguy83/go-md2man"} {
			if p == bad || strings.HasPrefix(p, bad) {
				t.Errorf("kvmbackup links %s", p)
			}
		}
	}
}
