package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/testenv/internal/labctl"
)

func TestMain(m *testing.M) { Main(m, ApplianceOptions{}) }

// The control channel returns a command's exact stdout, stderr and exit status, and
// the appliance runs the lab kernel with device-mapper, loop and ZFS.
func TestApplianceControlChannel(t *testing.T) {
	if Inside() {
		t.Skip("drives the appliance from the machine")
	}
	a := SharedAppliance(t)
	res, err := a.Exec(t.Context(), labctl.Request{
		Argv:  []string{"/bin/sh", "-c", `printf 'a\000b\n'; cat; echo to-stderr >&2; exit 3`},
		Stdin: []byte("from-stdin"),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte("a\x00b\nfrom-stdin"); !bytes.Equal(res.Stdout, want) {
		t.Fatalf("stdout %q, want %q", res.Stdout, want)
	}
	if string(res.Stderr) != "to-stderr\n" || res.Exit != 3 {
		t.Fatalf("stderr %q exit %d", res.Stderr, res.Exit)
	}
	kv, err := KernelVersion()
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.Run(t.Context(), "uname", "-r")
	if err != nil || strings.TrimSpace(out) != kv {
		t.Fatalf("uname -r inside: %q %v, want %s", out, err, kv)
	}
	for _, dev := range []string{"/dev/mapper/control", "/dev/zfs", "/dev/loop-control"} {
		if _, err := a.Run(t.Context(), "test", "-e", dev); err != nil {
			t.Errorf("%s missing inside the appliance: %v", dev, err)
		}
	}
	if _, err := a.Run(t.Context(), "/nonexistent-binary"); err == nil {
		t.Fatal("a missing binary inside did not fail")
	}
}

// A first boot not ready in time is killed and booted once more (a QEMU that hung at
// boot in CI): here the first is given 1 ms, so it is always given up; the second
// boots, says why it was needed, and runs commands.
func TestApplianceBootsAgainAfterAHungBoot(t *testing.T) {
	if Inside() {
		t.Skip("drives the appliance from the machine")
	}
	Require(t, Appliance)
	was := firstBootTimeout
	firstBootTimeout = time.Millisecond
	defer func() { firstBootTimeout = was }()
	a := StartAppliance(t, ApplianceOptions{})
	if !strings.Contains(a.Retried, "not ready in 1ms") {
		t.Errorf("a boot given up: Retried %q", a.Retried)
	}
	if out, err := a.Run(t.Context(), "echo", "ok"); err != nil || strings.TrimSpace(out) != "ok" {
		t.Fatalf("the second boot's appliance: %q %v", out, err)
	}
}

// Inside, root's home is the appliance's own, empty (the machine's ~/.bashrc, which
// bash reads when sshd starts it, cost every ssh connection seconds); an executable
// from the share is installed on the appliance's tmpfs and runs from there; and the
// test binary itself runs from there, knowing the share.
func TestApplianceOwnHomeAndInstalledBinaries(t *testing.T) {
	if !Inside() {
		a := SharedAppliance(t)
		if out, err := a.Run(t.Context(), "ls", "-A", "/root"); err != nil || out != "" {
			t.Errorf("/root inside holds %q (%v), want nothing", out, err)
		}
		src := filepath.Join(a.Dir, UniqueName("installed"))
		if err := os.WriteFile(src, []byte("#!/bin/sh\necho installed-ok\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		bin := a.Install(t, src)
		if out, err := a.Run(t.Context(), bin); err != nil || strings.TrimSpace(out) != "installed-ok" {
			t.Errorf("the installed copy %s: %q %v", bin, out, err)
		}
		if out, err := a.Run(t.Context(), "stat", "-f", "-c", "%T", bin); err != nil || strings.TrimSpace(out) != "tmpfs" {
			t.Errorf("the installed copy %s is on %q (%v), want tmpfs", bin, out, err)
		}
	}
	InAppliance(t, func(t *testing.T) {
		if out, err := Local(t.Context(), "stat", "-f", "-c", "%T", os.Args[0]); err != nil || strings.TrimSpace(out) != "tmpfs" {
			t.Errorf("the test binary %s runs from %q (%v), want the appliance's tmpfs", os.Args[0], out, err)
		}
		if fi, err := os.Stat(ShareDir()); ShareDir() == "" || err != nil || !fi.IsDir() {
			t.Errorf("ShareDir %q inside: %v", ShareDir(), err)
		}
	})
}
