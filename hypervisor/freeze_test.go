package hypervisor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"libvirt.org/go/libvirt"

	"github.com/kvmbackup/kvmbackup/testenv"
)

const uri = "qemu:///system"

func connect(t *testing.T) *Conn {
	t.Helper()
	c, err := Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func state(t *testing.T, g *testenv.Guest) string {
	t.Helper()
	st, err := g.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func marked(t *testing.T, g *testenv.Guest) bool {
	t.Helper()
	_, err := g.Virsh(context.Background(), "metadata", g.Name, "--uri", markNS, "--live")
	return err == nil
}

// requireRunningUnmarked checks the invariant after every path: running, no mark.
func requireRunningUnmarked(t *testing.T, gs ...*testenv.Guest) {
	t.Helper()
	for _, g := range gs {
		if st := state(t, g); st != "running" {
			t.Errorf("%s is %s, want running", g.Name, st)
		}
		if marked(t, g) {
			t.Errorf("%s still carries kvmbackup's mark", g.Name)
		}
	}
}

func names(gs ...*testenv.Guest) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Name)
	}
	return out
}

// countingSleep sleeps for real and counts its calls.
func countingSleep(n *atomic.Int32) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		n.Add(1)
		return sleepCtx(ctx, d)
	}
}

// The guests of these tests boot once (together) and serve every subtest; each
// subtest leaves them running and unmarked, which it checks.
func TestFreeze(t *testing.T) {
	testenv.Require(t, testenv.Libvirt)
	data := testenv.Ext4Image(t, 64<<20)
	opts := []testenv.GuestOptions{{}, {}, {}, {},
		{Agent: true, Disks: []testenv.GuestDisk{{Target: "vdb", Source: data}}, Cmdline: "kvmbackup.mount=/dev/vda:/data"},
		{AgentChannel: true},
	}
	start := time.Now()
	gs := testenv.StartGuests(t, opts...)
	t.Logf("6 guests booted together in %.1fs", time.Since(start).Seconds())
	four, agent, noAgent := gs[:4], gs[4], gs[5]
	c := connect(t)
	ctx := t.Context()
	// The agent connects a moment after the ready line.
	if err := waitAgent(ctx, c, agent.Name); err != nil {
		t.Fatalf("%v\n%s", err, agent.ConsoleText())
	}

	t.Run("domains and disks", func(t *testing.T) {
		d, err := c.Domain(ctx, agent.Name)
		if err != nil {
			t.Fatal(err)
		}
		if d.State != StateRunning || d.Persistent || !d.AgentChannel || !d.AgentConnected {
			t.Fatalf("domain facts: %+v", d)
		}
		if len(d.Disks) != 1 || d.Disks[0] != (Disk{Target: "vdb", Device: "disk", Type: "file", Source: data, Format: "raw"}) {
			t.Fatalf("disks: %+v", d.Disks)
		}
		if d, _ := c.Domain(ctx, noAgent.Name); !d.AgentChannel || d.AgentConnected {
			t.Fatalf("channel without agent: %+v", d)
		}
		all, err := c.Domains(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, d := range all {
			for _, g := range gs {
				if d.Name == g.Name {
					seen++
				}
			}
		}
		if seen != len(gs) {
			t.Fatalf("Domains lists %d of the %d lab guests", seen, len(gs))
		}
		x, err := c.DomainXML(ctx, agent.Name)
		if err != nil || !strings.Contains(x, "<name>"+agent.Name+"</name>") {
			t.Fatalf("DomainXML: %v", err)
		}
	})

	t.Run("unknown domain", func(t *testing.T) {
		_, err := c.Domain(ctx, "kvmblab-no-such-vm")
		if !IsNotFound(err) || !strings.Contains(err.Error(), "kvmblab-no-such-vm") {
			t.Fatalf("want not-found naming the domain, got %v", err)
		}
		// In a group, the unknown VM fails the freeze and the known one is resumed.
		_, err = c.Freeze(ctx, []string{four[0].Name, "kvmblab-no-such-vm"}, FreezeOptions{Mode: ModeSysrqSuspend})
		if !IsNotFound(err) {
			t.Fatalf("want not-found, got %v", err)
		}
		requireRunningUnmarked(t, four[0])
	})

	t.Run("sysrq-suspend", func(t *testing.T) {
		g := four[0]
		before := strings.Count(g.ConsoleText(), "sysrq: Emergency Sync")
		grp, err := c.Freeze(ctx, []string{g.Name}, FreezeOptions{Mode: ModeSysrqSuspend, Settle: time.Second, RunID: "t1"})
		if err != nil {
			t.Fatal(err)
		}
		defer grp.Thaw(ctx)
		if st := state(t, g); st != "paused" || !marked(t, g) {
			t.Fatalf("after Freeze: %s, marked %v", st, marked(t, g))
		}
		// The sync was printed before the pause (the console cannot change while paused).
		if n := strings.Count(g.ConsoleText(), "sysrq: Emergency Sync"); n != before+1 {
			t.Fatalf("%d new emergency syncs on the console, want 1", n-before)
		}
		reps, err := grp.Thaw(ctx)
		if err != nil {
			t.Fatal(err)
		}
		requireRunningUnmarked(t, g)
		if reps[0].Mode != ModeSysrqSuspend || reps[0].Window <= 0 {
			t.Fatalf("report %+v", reps[0])
		}
		t.Logf("pause window of 1 VM: %v", reps[0].Window)
		if _, err := grp.Thaw(ctx); err != nil {
			t.Fatalf("second Thaw: %v", err)
		}
		requireRunningUnmarked(t, g)
	})

	// auto on a group whose disks are one LV (Atomic): a guest without an agent, and
	// one whose agent channel has no agent behind it, are synced (Alt+SysRq+S, the
	// settle) and never paused; a guest with an agent is frozen through it.
	t.Run("auto, atomic: sync without a pause", func(t *testing.T) {
		g := four[1]
		before, beforeNA := strings.Count(g.ConsoleText(), "sysrq: Emergency Sync"), strings.Count(noAgent.ConsoleText(), "sysrq: Emergency Sync")
		var sleeps atomic.Int32
		grp, err := c.Freeze(ctx, []string{g.Name, noAgent.Name}, FreezeOptions{Mode: ModeAuto, Atomic: true, Settle: 500 * time.Millisecond,
			AgentTimeout: 2 * time.Second, Sleep: countingSleep(&sleeps), RunID: "t-atomic"})
		if err != nil {
			t.Fatal(err)
		}
		defer grp.Thaw(ctx)
		for _, x := range []*testenv.Guest{g, noAgent} {
			if st := state(t, x); st != "running" {
				t.Errorf("%s is %s in an atomic group's window, want running", x.Name, st)
			}
		}
		if n := strings.Count(g.ConsoleText(), "sysrq: Emergency Sync"); n != before+1 || sleeps.Load() != 1 {
			t.Errorf("%d new emergency syncs, %d settles", n-before, sleeps.Load())
		}
		if n := strings.Count(noAgent.ConsoleText(), "sysrq: Emergency Sync"); n != beforeNA+1 {
			t.Errorf("the guest whose agent is down: %d new emergency syncs", n-beforeNA)
		}
		reps, err := grp.Thaw(ctx)
		if err != nil {
			t.Fatal(err)
		}
		requireRunningUnmarked(t, g, noAgent)
		for _, r := range reps {
			if r.Mode != ModeSysrq || r.Window != 0 {
				t.Errorf("report %+v, want sysrq and no pause", r)
			}
		}
		// The same group not atomic: paused.
		grp, err = c.Freeze(ctx, []string{g.Name}, FreezeOptions{Mode: ModeAuto, Settle: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if st := state(t, g); st != "paused" {
			t.Errorf("%s is %s in a group over several LVs, want paused", g.Name, st)
		}
		if reps, err := grp.Thaw(ctx); err != nil || reps[0].Mode != ModeSysrqSuspend || reps[0].Window <= 0 {
			t.Errorf("%+v %v", reps, err)
		}
		// With an agent, atomic or not: the agent freezes.
		grp, err = c.Freeze(ctx, []string{agent.Name}, FreezeOptions{Mode: ModeAuto, Atomic: true})
		if err != nil {
			t.Fatal(err)
		}
		if reps, err := grp.Thaw(ctx); err != nil || reps[0].Mode != ModeAgent {
			t.Errorf("%+v %v", reps, err)
		}
		requireRunningUnmarked(t, g, agent)
	})

	t.Run("group of four, one settle", func(t *testing.T) {
		var sleeps atomic.Int32
		start := time.Now()
		grp, err := c.Freeze(ctx, names(four...), FreezeOptions{Mode: ModeSysrqSuspend, Settle: time.Second, Sleep: countingSleep(&sleeps)})
		if err != nil {
			t.Fatal(err)
		}
		frozeIn := time.Since(start)
		for _, g := range four {
			if st := state(t, g); st != "paused" {
				t.Errorf("%s is %s", g.Name, st)
			}
		}
		reps, err := grp.Thaw(ctx)
		if err != nil {
			t.Fatal(err)
		}
		requireRunningUnmarked(t, four...)
		if n := sleeps.Load(); n != 1 {
			t.Fatalf("%d settle delays for a group of 4, want 1", n)
		}
		for _, r := range reps {
			t.Logf("%s: mode %s, pause window %v", r.Name, r.Mode, r.Window)
		}
		t.Logf("group of 4: Freeze took %v (settle 1s included), Freeze+Thaw %v", frozeIn, time.Since(start))
	})

	t.Run("agent freeze blocks writes; auto picks agent or falls back", func(t *testing.T) {
		// A writer in the guest appends its uptime every 100 ms to the data disk.
		// (In the background, its output away from the agent's pipes: Exec returns at once.)
		if _, err := agent.Exec(ctx, "/bin/sh", "-c", "while :; do cat /proc/uptime >>/data/log; sync; sleep 0.1; done >/dev/null 2>&1 </dev/null &"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		grp, err := c.Freeze(ctx, []string{agent.Name, noAgent.Name}, FreezeOptions{Mode: ModeAuto, Settle: 500 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer grp.Thaw(ctx)
		st, err := agent.AgentCommand(ctx, `{"execute":"guest-fsfreeze-status"}`)
		if err != nil || !strings.Contains(st, "frozen") {
			t.Fatalf("fsfreeze status %q %v", st, err)
		}
		if s := state(t, agent); s != "running" {
			t.Fatalf("agent-frozen guest is %s: agent mode must not pause", s)
		}
		if s := state(t, noAgent); s != "paused" {
			t.Fatalf("guest without agent is %s: auto should have fallen back to sysrq-suspend", s)
		}
		time.Sleep(2 * time.Second) // the freeze holds; the writer must block
		reps, err := grp.Thaw(ctx)
		if err != nil {
			t.Fatal(err)
		}
		requireRunningUnmarked(t, agent, noAgent)
		if reps[0].Mode != ModeAgent || reps[1].Mode != ModeSysrqSuspend || reps[1].Note == "" {
			t.Fatalf("reports %+v", reps)
		}
		t.Logf("auto: %s → %s (frozen %v); %s → %s (%s, paused %v)", reps[0].Name, reps[0].Mode, reps[0].Window, reps[1].Name, reps[1].Mode, reps[1].Note, reps[1].Window)
		time.Sleep(time.Second)
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		out, err := agent.Exec(cctx, "/bin/sh", "-c", "cat /data/log")
		if err != nil {
			t.Fatal(err)
		}
		gap := maxGap(out)
		t.Logf("longest gap between the writer's appends: %.2fs (frozen %v)", gap, reps[0].Window)
		if gap < 1.5 {
			t.Fatalf("the writer never stalled for the freeze (longest gap %.2fs): writes were not blocked", gap)
		}
		st, _ = agent.AgentCommand(ctx, `{"execute":"guest-fsfreeze-status"}`)
		if !strings.Contains(st, "thawed") {
			t.Fatalf("after Thaw, fsfreeze status %q", st)
		}
	})

	t.Run("agent mode without an agent fails and pauses nothing", func(t *testing.T) {
		start := time.Now()
		_, err := c.Freeze(ctx, []string{noAgent.Name, four[1].Name}, FreezeOptions{Mode: ModeAgent})
		if err == nil || !strings.Contains(err.Error(), noAgent.Name) {
			t.Fatalf("want an error naming %s, got %v", noAgent.Name, err)
		}
		t.Logf("refused in %v: %v", time.Since(start), err)
		requireRunningUnmarked(t, noAgent, four[1])
	})

	t.Run("cancelled in the window", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		sleep := func(ctx context.Context, d time.Duration) error { cancel(); return sleepCtx(ctx, d) }
		_, err := c.Freeze(cctx, names(four...), FreezeOptions{Mode: ModeSysrqSuspend, Settle: time.Second, Sleep: sleep})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context canceled, got %v", err)
		}
		requireRunningUnmarked(t, four...)
		// A signal after the freeze: Thaw with the cancelled context still resumes.
		cctx, cancel = context.WithCancel(ctx)
		grp, err := c.Freeze(cctx, names(four...), FreezeOptions{Mode: ModeSuspend})
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := grp.Thaw(cctx); err != nil {
			t.Fatal(err)
		}
		requireRunningUnmarked(t, four...)
	})

	t.Run("cost of each libvirt call", func(t *testing.T) {
		timeCalls(t, c, four[0].Name, false)
		timeCalls(t, c, agent.Name, true)
		requireRunningUnmarked(t, four[0], agent)
	})

	t.Run("recover after SIGKILL", func(t *testing.T) {
		victim, bystander := four[2], four[3]
		// Someone else pauses the bystander: no mark, Recover must leave it paused.
		if _, err := bystander.Virsh(ctx, "suspend", bystander.Name); err != nil {
			t.Fatal(err)
		}
		defer bystander.Virsh(context.Background(), "resume", bystander.Name)
		cmd := exec.Command(os.Args[0], "-test.run", "^TestFreezeHelperProcess$")
		cmd.Env = append(os.Environ(), "KVMBACKUP_HV_HELPER="+victim.Name)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		if strings.TrimSpace(line) != "frozen" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper said %q", line)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if st := state(t, victim); st != "paused" || !marked(t, victim) {
			t.Fatalf("after SIGKILL the victim is %s (marked %v), want paused and marked", st, marked(t, victim))
		}
		start := time.Now()
		recs, err := c.Recover(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Recover took %v: %+v", time.Since(start), recs)
		requireRunningUnmarked(t, victim)
		if len(recs) != 1 || recs[0].Name != victim.Name || recs[0].Action != "resumed" || recs[0].Run != "helper" {
			t.Fatalf("recovered %+v", recs)
		}
		if st := state(t, bystander); st != "paused" {
			t.Fatalf("Recover touched %s, paused by someone else: now %s", bystander.Name, st)
		}
	})
}

// TestFreezeHelperProcess is not a test: TestFreeze runs it as a separate process that
// pauses a VM and is then killed with SIGKILL.
func TestFreezeHelperProcess(t *testing.T) {
	name := os.Getenv("KVMBACKUP_HV_HELPER")
	if name == "" {
		return
	}
	c, err := Connect(context.Background(), uri)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if _, err := c.Freeze(context.Background(), []string{name}, FreezeOptions{Mode: ModeSuspend, RunID: "helper"}); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("frozen")
	time.Sleep(time.Minute)
	os.Exit(1)
}

func waitAgent(ctx context.Context, c *Conn, name string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if d, err := c.Domain(ctx, name); err == nil && d.AgentConnected {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("guest agent of %s never connected", name)
}

// maxGap returns the longest interval between consecutive /proc/uptime samples.
func maxGap(log string) float64 {
	var prev, gap float64
	for i, l := range strings.Split(strings.TrimSpace(log), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue
		}
		if i > 0 && v-prev > gap {
			gap = v - prev
		}
		prev = v
	}
	return gap
}

// timeCalls measures each libvirt call a freeze makes, on one guest, and logs it.
func timeCalls(t *testing.T, c *Conn, name string, agent bool) {
	t.Helper()
	var lines []string
	timed := func(what string, f func() error) {
		start := time.Now()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		lines = append(lines, fmt.Sprintf("%-28s %6.1f ms", what, float64(time.Since(start).Microseconds())/1000))
	}
	ctx := t.Context()
	timed("Domain (lookup, state, XML)", func() error { _, err := c.Domain(ctx, name); return err })
	err := c.withDomain(ctx, name, "time calls on", func(dom *libvirt.Domain) error {
		m := `<freeze run="timing" time="" mode="suspend" pid="0"/>`
		timed("SetMetadata (mark)", func() error {
			return dom.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, m, "kvmbackup", markNS, libvirt.DOMAIN_AFFECT_LIVE)
		})
		timed("GetMetadata", func() error {
			_, err := dom.GetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, markNS, libvirt.DOMAIN_AFFECT_LIVE)
			return err
		})
		if agent {
			timed("GetFSInfo (agent)", func() error { _, err := dom.GetFSInfo(0); return err })
			timed("FSFreeze (agent)", func() error { return dom.FSFreeze(nil, 0) })
			timed("FSThaw (agent)", func() error { return dom.FSThaw(nil, 0) })
		} else {
			timed("SendKey Alt+SysRq+S", func() error {
				return dom.SendKey(uint(libvirt.KEYCODE_SET_LINUX), 0, []uint{keyLeftAlt, keySysRq, keyS}, 0)
			})
			timed("Suspend", dom.Suspend)
			timed("Resume", dom.Resume)
		}
		timed("SetMetadata (clear mark)", func() error { return clearMark(dom) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("libvirt call costs on %s:\n  %s", name, strings.Join(lines, "\n  "))
}
