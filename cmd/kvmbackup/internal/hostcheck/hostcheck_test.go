package hostcheck

import (
	"os"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m, testenv.ApplianceOptions{}) }

func byName(rs []Result) map[string]Result {
	m := map[string]Result{}
	for _, r := range rs {
		m[r.Component] = r
	}
	return m
}

// On the machine (no device-mapper, no ZFS module) check says exactly what is missing
// and what to do; libvirt is found.
func TestProbesOnTheMachine(t *testing.T) {
	if testenv.Inside() {
		t.Skip("probes the machine")
	}
	testenv.Require(t, testenv.Libvirt)
	rs := byName(NewProber("qemu:///system").Run(t.Context()))
	if r := rs["libvirt"]; !r.OK || !strings.Contains(r.Detail, "QEMU") {
		t.Errorf("libvirt: %+v", r)
	}
	dm := testenv.Check(testenv.DeviceMapper) == nil
	if r := rs["lvm2"]; r.OK != dm || (!r.OK && !strings.Contains(r.Hint, "device-mapper")) {
		t.Errorf("lvm2 verdict does not match the kernel (device-mapper present: %v): %+v", dm, r)
	}
	_, zfsErr := os.Stat("/dev/zfs")
	if r := rs["zfs"]; r.OK != (zfsErr == nil) || (!r.OK && !strings.Contains(r.Hint, "modprobe zfs")) {
		t.Errorf("zfs verdict does not match the kernel (module loaded: %v): %+v", zfsErr == nil, r)
	}
}

// Inside the appliance (real device-mapper, real ZFS module) every component passes.
func TestProbesInTheAppliance(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		testenv.Require(t, testenv.DeviceMapper, testenv.ZFS)
		rs := NewProber("test:///default").Run(t.Context())
		for _, r := range rs {
			t.Logf("%-8s ok=%v %s", r.Component, r.OK, r.Detail)
		}
		if !OK(rs) {
			t.Fatalf("not every component passed: %+v", rs)
		}
		if r := byName(rs)["zfs"]; !strings.Contains(r.Detail, "zfs-kmod") {
			t.Fatalf("zfs detail lacks the kernel module version: %+v", r)
		}
	})
}

// A missing tool is named, with the package that provides it.
func TestMissingToolsAreNamed(t *testing.T) {
	p := NewProber("qemu:///system?socket=/nonexistent/sock")
	p.LVM = runner.New("/nonexistent/lvm")
	p.ZFS = runner.New("/nonexistent/zfs")
	rs := byName(p.Run(t.Context()))
	for name, pkg := range map[string]string{"libvirt": "libvirtd", "lvm2": "install lvm2", "zfs": "zfsutils-linux"} {
		r := rs[name]
		if r.OK || !strings.Contains(r.Hint, pkg) {
			t.Errorf("%s: want a failure whose hint names %q, got %+v", name, pkg, r)
		}
	}
	if OK(p.Run(t.Context())) {
		t.Error("OK with required components missing")
	}
}
