package testenv

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// The lab's waits scale with how fast this machine emulates, and a wait that is still
// making progress goes on instead of failing. Machines of the project's kind differ by
// 2× or more in TCG speed from one day to the next, and nested emulation (TCG inside
// TCG) compounds the factor: a fixed deadline tuned on a fast machine fails on a slow
// one while the guest is still booting.

// ReferenceApplianceBoot is the appliance's boot (QEMU start → agent ready) on the
// machine the lab's base deadlines were set on: Pace is measured against it.
const ReferenceApplianceBoot = 5400 * time.Millisecond

var pace struct {
	sync.Mutex
	factor float64 // 0 until an appliance has booted in this process
}

// Pace is how much slower than the reference machine this one emulates (1 = as fast,
// 2.5 = two and a half times slower), measured by the appliance's boot in this
// process: the slowest seen so far, never below 1. Before any appliance booted it is 1.
func Pace() float64 {
	pace.Lock()
	defer pace.Unlock()
	if pace.factor < 1 {
		return 1
	}
	return pace.factor
}

// recordApplianceBoot measures Pace by one appliance boot.
func recordApplianceBoot(d time.Duration) {
	f := float64(d) / float64(ReferenceApplianceBoot)
	pace.Lock()
	if f > pace.factor {
		pace.factor = f
	}
	pace.Unlock()
}

// Scaled is base (a deadline on the reference machine) scaled by Pace.
func Scaled(base time.Duration) time.Duration {
	return time.Duration(float64(base) * Pace())
}

// progressWait waits for something slow (a boot) that shows its progress (a console
// log that grows).
type progressWait struct {
	what     string        // "guests a, b to become ready", for messages
	deadline time.Duration // what it may take on this machine (scaled by Pace)
	// stall: past the deadline the wait goes on while progress changed within the
	// last stall; it ends at 3× the deadline whatever happens.
	stall    time.Duration
	every    time.Duration // how often a long wait says where it is (0: 30 s)
	logf     func(format string, args ...any)
	done     func() (bool, error)
	progress func() (n int64, last string) // a counter that grows, and where it is
}

// run waits; it returns nil once done, ctx's error, or an error saying how long it
// waited and since when nothing progressed.
func (w progressWait) run(ctx context.Context) error {
	if w.every == 0 {
		w.every = 30 * time.Second
	}
	start := time.Now()
	lastN, _ := w.progress()
	lastMove := start
	nextSay := start.Add(w.every)
	extended := false
	for {
		ok, err := w.done()
		if err != nil || ok {
			return err
		}
		now := time.Now()
		n, last := w.progress()
		if n != lastN {
			lastN, lastMove = n, now
		}
		elapsed := now.Sub(start)
		if elapsed > w.deadline {
			switch {
			case elapsed > 3*w.deadline:
				return fmt.Errorf("%s: not done after %.0fs (3× the %.0fs this machine's pace %.1f allows), though still moving", w.what, elapsed.Seconds(), w.deadline.Seconds(), Pace())
			case now.Sub(lastMove) > w.stall:
				return fmt.Errorf("%s: not done after %.0fs (%.0fs allowed at this machine's pace %.1f), and no progress for %.0fs", w.what, elapsed.Seconds(), w.deadline.Seconds(), Pace(), now.Sub(lastMove).Seconds())
			case !extended:
				extended = true
				w.logf("%s: past the %.0fs allowed, but still making progress (%s): waiting on", w.what, w.deadline.Seconds(), last)
			}
		}
		if now.After(nextSay) {
			nextSay = now.Add(w.every)
			w.logf("waiting for %s: %.0fs so far (%s)", w.what, elapsed.Seconds(), last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lastLine is the last non-empty line of s, shortened to n runes.
func lastLine(s string, n int) string {
	s = strings.TrimRight(s, "\r\n ")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

// sayWhileWaiting logs every 30 s how long a wait that shows no progress of its own
// (an appliance's boot, libvirtd's start) has lasted, until the returned func is called.
func sayWhileWaiting(logf func(string, ...any), what string) (stop func()) {
	done := make(chan struct{})
	start := time.Now()
	go func() {
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				logf("waiting for %s: %.0fs so far", what, time.Since(start).Seconds())
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}
