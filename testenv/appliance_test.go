package testenv

import (
	"bytes"
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
