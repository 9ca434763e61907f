package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// CheckEntropy reads a guest's boot log: the kernel's crng must be ready before /init.
func TestCheckEntropy(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, console, err string
		crng               float64
	}{
		{"rdrand", "[    0.000000] random: crng init done\n[    0.412000] Run /init as init process\n", "", 0},
		{"late", "[    0.400000] Run /init as init process\n[    4.600000] random: crng init done\n", "after /init started at 0.400s", 4.6},
		{"never", "[    0.400000] Run /init as init process\n", "not ready", -1},
		{"quiet", "KVMBACKUP-GUEST-READY\n", "is the console quiet", -1},
	} {
		g := &Guest{Name: c.name, Console: filepath.Join(dir, c.name)}
		if err := os.WriteFile(g.Console, []byte(c.console), 0o600); err != nil {
			t.Fatal(err)
		}
		err := g.CheckEntropy()
		if (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: CheckEntropy() = %v, want an error with %q", c.name, err, c.err)
		}
		if got := g.CrngTime(); got != c.crng {
			t.Errorf("%s: CrngTime() = %v, want %v", c.name, got, c.crng)
		}
	}
}

// A wait past its deadline goes on while progress moves, says so, and fails once
// nothing moves for the stall time.
func TestProgressWait(t *testing.T) {
	var n int64
	var logs []string
	start := time.Now()
	w := progressWait{
		what: "a boot", deadline: 300 * time.Millisecond, stall: 250 * time.Millisecond, every: time.Hour,
		logf: func(f string, a ...any) { logs = append(logs, f) },
		// moves for 600 ms (past the deadline), then done at 700 ms
		done: func() (bool, error) { return time.Since(start) > 700*time.Millisecond, nil },
		progress: func() (int64, string) {
			if time.Since(start) < 600*time.Millisecond {
				n++
			}
			return n, "moving"
		},
	}
	if err := w.run(context.Background()); err != nil {
		t.Fatalf("a wait still making progress failed: %v", err)
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "still making progress") {
		t.Errorf("logs %q", logs)
	}

	// Stuck: nothing moves; it fails after the deadline plus the stall, naming both.
	start = time.Now()
	w.done = func() (bool, error) { return false, nil }
	w.progress = func() (int64, string) { return 1, "stuck" }
	err := w.run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no progress") || !strings.Contains(err.Error(), "a boot") {
		t.Fatalf("a stuck wait: %v", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 2*time.Second {
		t.Errorf("a stuck wait ended after %v", d)
	}

	// Moving forever: it ends at 3× the deadline.
	start = time.Now()
	w.progress = func() (int64, string) { n++; return n, "busy" }
	if err := w.run(context.Background()); err == nil || !strings.Contains(err.Error(), "3×") {
		t.Fatalf("an endless wait: %v", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 3*time.Second {
		t.Errorf("an endless wait ended after %v", d)
	}
}

// Pace scales deadlines by the slowest appliance boot seen, never below 1.
func TestPace(t *testing.T) {
	pace.Lock()
	saved := pace.factor
	pace.factor = 0
	pace.Unlock()
	t.Cleanup(func() { pace.Lock(); pace.factor = saved; pace.Unlock() })
	if Pace() != 1 || Scaled(time.Minute) != time.Minute {
		t.Fatalf("Pace before any boot: %v", Pace())
	}
	recordApplianceBoot(ReferenceApplianceBoot / 2)
	if Pace() != 1 {
		t.Fatalf("a fast boot gave Pace %v", Pace())
	}
	recordApplianceBoot(ReferenceApplianceBoot * 5 / 2)
	recordApplianceBoot(ReferenceApplianceBoot * 2)
	if Pace() != 2.5 || Scaled(time.Minute) != 150*time.Second {
		t.Fatalf("Pace %v, Scaled(1m) %v; want 2.5, 2m30s", Pace(), Scaled(time.Minute))
	}
}

// A guest whose kernel panicked while it booted is started again, at most twice: the
// third panic is the failure, naming the guest.
func TestWaitReadyRestartsAPanickedBoot(t *testing.T) {
	boot := "[    0.000000] random: crng init done\n[    0.412000] Run /init as init process\n" + GuestReadyLine + "\n"
	panicked := "[    0.240000] Kernel panic - not syncing: Fatal exception in interrupt\n[    0.240000] Rebooting in 1 seconds..\n"
	for _, tc := range []struct {
		name   string
		panics int
		ok     bool
	}{{"once", 1, true}, {"twice", 2, true}, {"three times", 3, false}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			g := &Guest{Name: "g1", Console: filepath.Join(dir, "g1.console"), readLog: readLocalFile}
			if err := os.WriteFile(g.Console, []byte(panicked), 0o600); err != nil {
				t.Fatal(err)
			}
			var calls []string
			g.virsh = func(_ context.Context, args ...string) ([]byte, error) {
				calls = append(calls, strings.Join(args, " "))
				return nil, nil
			}
			starts := 0
			g.start = func(context.Context) error {
				starts++
				out := boot
				if starts < tc.panics {
					out = panicked
				}
				return os.WriteFile(g.Console, []byte(out), 0o600)
			}
			ft := waitReadyShort(t, g)
			if ft.failed != !tc.ok || (ft.failed && !strings.Contains(ft.msg, "g1")) {
				t.Errorf("%d panics: failed %v (%s), want failed %v", tc.panics, ft.failed, ft.msg, !tc.ok)
			}
			if want := min(tc.panics, 2); starts != want || g.restarts != want {
				t.Errorf("%d panics: started again %d times (restarts %d), want %d; virsh %q", tc.panics, starts, g.restarts, want, calls)
			}
		})
	}
}

// A sibling (a domain restore --define made) whose kernel panicked while it booted
// is started again too, by name: it is defined.
func TestWaitReadyRestartsAPanickedSibling(t *testing.T) {
	dir := t.TempDir()
	var calls []string
	g := &Guest{Name: "g1", Console: filepath.Join(dir, "g1.console"), readLog: readLocalFile}
	s := g.Sibling(t, "g1-copy", filepath.Join(dir, "g1-copy.console"))
	panicked := "[    0.140000] Kernel panic - not syncing: Fatal exception in interrupt\n[    0.140000] Rebooting in 1 seconds..\n"
	if err := os.WriteFile(s.Console, []byte(panicked), 0o600); err != nil {
		t.Fatal(err)
	}
	s.virsh = func(_ context.Context, args ...string) ([]byte, error) {
		calls = append(calls, strings.Join(args, " "))
		if strings.Join(args, " ") == "start g1-copy" {
			boot := "[    0.000000] random: crng init done\n[    0.412000] Run /init as init process\n" + GuestReadyLine + "\n"
			return nil, os.WriteFile(s.Console, []byte(boot), 0o600)
		}
		return nil, nil
	}
	ft := waitReadyShort(t, s)
	if ft.failed || s.restarts != 1 || !slices.Contains(calls, "start g1-copy") {
		t.Errorf("a sibling's panicked boot: failed %v (%s), restarts %d, virsh %q", ft.failed, ft.msg, s.restarts, calls)
	}
}

// waitReadyShort runs waitReady on gs with a 2 s deadline (1 s without progress) and
// returns its fakeTB: whether it failed, and why.
func waitReadyShort(t *testing.T, gs ...*Guest) *fakeTB {
	was, wasStall := guestBootBase, guestBootStall
	guestBootBase, guestBootStall = 2*time.Second, time.Second
	defer func() { guestBootBase, guestBootStall = was, wasStall }()
	ft := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		waitReady(ft, time.Now(), gs)
	}()
	<-done
	return ft
}

// fakeTB is a TB whose Fatalf records the failure and ends the goroutine that called
// it (run the code under test in a goroutine of its own).
type fakeTB struct {
	TB
	failed bool
	msg    string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
