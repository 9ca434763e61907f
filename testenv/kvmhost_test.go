package testenv

import (
	"context"
	"testing"
	"time"
)

// The miniature KVM host: a nested guest whose disk is a real LV boots under libvirt
// inside the appliance, and answers Alt+SysRq+S with an emergency sync.
func TestNestedGuestOnLV(t *testing.T) {
	if Inside() {
		t.Skip("drives the appliance from the machine")
	}
	a := SharedAppliance(t)
	h := StartKVMHost(t, a)
	vg := VolumeGroup(t, a.Run, 256<<20)
	lv := LogicalVolume(t, a.Run, vg, "g1", 64<<20)
	start := time.Now()
	g := h.StartGuest(t, GuestOptions{Disks: []GuestDisk{{Target: "vdb", Source: lv, Block: true}}})
	t.Logf("nested guest on %s: boot %.1fs", lv, time.Since(start).Seconds())
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if _, err := g.Virsh(ctx, "send-key", g.Name, "KEY_LEFTALT", "KEY_SYSRQ", "KEY_S"); err != nil {
		t.Fatal(err)
	}
	if err := g.WaitConsole(ctx, "sysrq: Emergency Sync"); err != nil {
		t.Fatalf("no emergency sync on the nested console: %v\n%s", err, tail(g.ConsoleText(), 2000))
	}
	if st, err := g.State(ctx); err != nil || st != "running" {
		t.Fatalf("nested guest state %q %v", st, err)
	}
}
