package testenv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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
		t.Fatalf("no emergency sync on the console: %v\n%s", err, Tail(g.ConsoleText(), 2000))
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

// Exec runs a command in a guest with an agent: busybox's dd and sync write a known
// pattern to its disk (the machine reads it back), a failing or signalled command is an
// error naming it with its exit code (or signal) and stderr, and ctx bounds the wait.
func TestGuestExec(t *testing.T) {
	Require(t, Libvirt)
	disk := filepath.Join(WorkDir(t), "disk.raw")
	if err := sparseFile(disk, 4<<20); err != nil {
		t.Fatal(err)
	}
	g := StartGuest(t, GuestOptions{Agent: true, Disks: []GuestDisk{{Target: "vdb", Source: disk}}})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	// The agent connects a moment after the ready line.
	if err := waitFor(ctx, 200*time.Millisecond, func() (bool, error) {
		_, err := g.AgentCommand(ctx, `{"execute":"guest-ping"}`)
		return err == nil, nil
	}); err != nil {
		t.Fatalf("agent never answered: %v\n%s", err, Tail(g.ConsoleText(), 2000))
	}

	start := time.Now()
	out, err := g.Exec(ctx, "/bin/echo", "hello", "guest")
	if err != nil || out != "hello guest\n" {
		t.Fatalf("echo: %q, %v", out, err)
	}
	t.Logf("an Exec round trip: %v", time.Since(start))

	const pattern = "KVMBACKUP-PATTERN"
	if _, err := g.Exec(ctx, "/bin/sh", "-c", "yes "+pattern+" | head -c 1048576 | dd of=/dev/vda bs=64k conv=fsync 2>/dev/null && sync"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat(pattern+"\n", 1<<20/len(pattern+"\n")+1)[:1<<20]
	if string(b[:1<<20]) != want || strings.Trim(string(b[1<<20:]), "\x00") != "" {
		t.Fatalf("the disk does not hold the pattern the guest wrote: %q…", b[:64])
	}

	out, err = g.Exec(ctx, "/bin/sh", "-c", "echo partial; echo boom >&2; exit 3")
	if err == nil || out != "partial\n" {
		t.Fatalf("failing command: %q, %v", out, err)
	}
	t.Logf("a failing command: %v", err)
	for _, s := range []string{"exit code 3", "boom", "/bin/sh", g.Name} {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("error %q does not name %q", err, s)
		}
	}
	if _, err := g.Exec(ctx, "/bin/sh", "-c", "kill -9 $$"); err == nil || !strings.Contains(err.Error(), "signal 9") {
		t.Fatalf("signalled command: %v", err)
	}

	short, cancelShort := context.WithTimeout(ctx, time.Second)
	defer cancelShort()
	start = time.Now()
	if _, err := g.Exec(short, "/bin/sleep", "30"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Exec past its deadline: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Exec returned %v after its 1s deadline", d)
	}
}
