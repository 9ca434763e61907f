package testenv

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A tiny real guest boots on the machine's libvirtd and answers Alt+SysRq+S with an
// emergency sync on its console; suspend/resume change its state.
func TestGuestBootsAndSyncsOnSysrq(t *testing.T) {
	Require(t, Libvirt)
	start := time.Now()
	g := StartGuest(t, GuestOptions{})
	t.Logf("guest boot (define → ready line): %.1fs", time.Since(start).Seconds())

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if strings.Contains(g.ConsoleText(), "Emergency Sync") {
		t.Fatal("console shows an emergency sync before any key was sent")
	}
	if _, err := g.Virsh(ctx, "send-key", g.Name, "KEY_LEFTALT", "KEY_SYSRQ", "KEY_S"); err != nil {
		t.Fatal(err)
	}
	if err := g.WaitConsole(ctx, "sysrq: Emergency Sync"); err != nil {
		t.Fatalf("no emergency sync on the console: %v\n%s", err, tail(g.ConsoleText(), 2000))
	}
	for _, step := range []struct{ cmd, want string }{{"suspend", "paused"}, {"resume", "running"}} {
		if _, err := g.Virsh(ctx, step.cmd, g.Name); err != nil {
			t.Fatal(err)
		}
		if st, err := g.State(ctx); err != nil || st != step.want {
			t.Fatalf("after %s: state %q (%v), want %s", step.cmd, st, err, step.want)
		}
	}
}

// A guest is gone after its test: the cleanup destroys and undefines it.
func TestGuestRemovedAtCleanup(t *testing.T) {
	Require(t, Libvirt)
	var name string
	var g *Guest
	t.Run("inner", func(t *testing.T) {
		g = StartGuest(t, GuestOptions{Persistent: true})
		name = g.Name
	})
	out, err := g.Virsh(t.Context(), "list", "--all", "--name")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, name) {
		t.Fatalf("guest %s still defined after its test ended:\n%s", name, out)
	}
}
