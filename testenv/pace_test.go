package testenv

import (
	"context"
	"os"
	"path/filepath"
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
