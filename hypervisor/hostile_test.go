package hypervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// fakeOps is a libvirt of running domains for domainOps, whose calls can be held
// in libvirt (a gate) and made to land after the caller gave up on them.
type fakeOps struct {
	mu     sync.Mutex
	doms   map[string]*fakeDom
	events []string // "suspend landed vm1", "resume vm1", "mark vm1", "unmark vm1", …
	calls  sync.WaitGroup
	// gate, when set for a domain, holds its suspend until closed.
	gate map[string]chan struct{}
	// onSuspend is called when a suspend enters libvirt, onResume when a resume does
	// (outside the lock).
	onSuspend, onResume func(name string)
	// lost: the connection is dead (libvirtd restarted): every call fails until
	// reconnect, which fails refused more times first (the daemon starting up).
	lost       bool
	refused    int
	reconnects int
}

var errLost = errors.New("internal error: client socket is closed")

// lose kills the connection; the daemon then refuses the next refused connects.
func (f *fakeOps) lose(refused int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lost, f.refused = true, refused
}

func (f *fakeOps) reconnect(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reconnects++
	if !f.lost {
		return nil
	}
	if f.refused > 0 {
		f.refused--
		return errors.New("Failed to connect socket to '/var/run/libvirt/libvirt-sock': Connection refused")
	}
	f.lost = false
	return nil
}

type fakeDom struct {
	state State
	mark  string
}

func newFakeOps(names ...string) *fakeOps {
	f := &fakeOps{doms: map[string]*fakeDom{}, gate: map[string]chan struct{}{}}
	for _, n := range names {
		f.doms[n] = &fakeDom{state: StateRunning}
	}
	return f
}

// enter starts a call: it counts, and fails for an unknown domain.
func (f *fakeOps) enter(name string) (*fakeDom, func(), error) {
	f.calls.Add(1)
	f.mu.Lock()
	if f.lost {
		f.mu.Unlock()
		f.calls.Done()
		return nil, nil, errLost
	}
	d := f.doms[name]
	if d == nil {
		f.mu.Unlock()
		f.calls.Done()
		return nil, nil, fmt.Errorf("%w %q", ErrNotFound, name)
	}
	return d, func() { f.mu.Unlock(); f.calls.Done() }, nil
}

func (f *fakeOps) event(format string, a ...any) {
	f.events = append(f.events, fmt.Sprintf(format, a...))
}

func (f *fakeOps) describe(name string) (Domain, error) {
	d, done, err := f.enter(name)
	if err != nil {
		return Domain{}, err
	}
	defer done()
	return Domain{Name: name, State: d.state, Persistent: true}, nil
}

func (f *fakeOps) state(name string) (State, error) {
	d, done, err := f.enter(name)
	if err != nil {
		return "", err
	}
	defer done()
	return d.state, nil
}

func (f *fakeOps) mark(name, xml string) error {
	d, done, err := f.enter(name)
	if err != nil {
		return err
	}
	defer done()
	d.mark = xml
	if xml == "" {
		f.event("unmark %s", name)
	} else {
		f.event("mark %s", name)
	}
	return nil
}

func (f *fakeOps) fsFreeze(name string) error      { return errors.New("no guest agent") }
func (f *fakeOps) fsThaw(name string) error        { return errors.New("no guest agent") }
func (f *fakeOps) sendSysrqSync(name string) error { return nil }

func (f *fakeOps) suspend(name string) error {
	f.calls.Add(1)
	defer f.calls.Done()
	f.mu.Lock()
	gate := f.gate[name]
	f.event("suspend entered %s", name)
	f.mu.Unlock()
	if f.onSuspend != nil {
		f.onSuspend(name)
	}
	if gate != nil {
		<-gate
	}
	d, done, err := f.enter(name)
	if err != nil {
		return err
	}
	defer done()
	d.state = StatePaused
	f.event("suspend landed %s", name)
	return nil
}

func (f *fakeOps) resume(name string) error {
	if f.onResume != nil {
		f.onResume(name)
	}
	d, done, err := f.enter(name)
	if err != nil {
		return err
	}
	defer done()
	f.event("resume %s", name)
	if d.state == StatePaused {
		d.state = StateRunning
	}
	return nil
}

// settled waits for every call, abandoned or not, to return.
func (f *fakeOps) settled() { f.calls.Wait() }

// requireRunningUnmarked: every domain running, without a mark, and each mark
// cleared after the last suspend of that domain landed.
func (f *fakeOps) requireRunningUnmarked(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for n, d := range f.doms {
		if d.state != StateRunning || d.mark != "" {
			t.Errorf("%s is %s, mark %q: want running and unmarked\nevents: %s", n, d.state, d.mark, strings.Join(f.events, "; "))
		}
		landed := slices.Index(f.events, "suspend landed "+n)
		unmarked := slices.Index(f.events, "unmark "+n)
		if landed >= 0 && unmarked >= 0 && unmarked < landed {
			t.Errorf("%s was unmarked before its suspend landed: %s", n, strings.Join(f.events, "; "))
		}
	}
}

// A SIGTERM while a Suspend is inside libvirt: call returns at once, the C call goes
// on and lands after Freeze already undid the group. Nothing may stay paused, and the
// mark (Recover's only clue) must outlive every call that could still pause it.
func TestHostileSuspendAfterCancel(t *testing.T) {
	f := newFakeOps("vm1", "vm2")
	gate := make(chan struct{})
	f.gate["vm1"] = gate
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	f.onSuspend = func(name string) {
		if name == "vm1" {
			cancel() // SIGTERM while vm1's Suspend is in libvirt
		}
	}
	// The held Suspend lands at the worst moment: just after the first resume of
	// vm1 started (or, if there is none, once Freeze has returned).
	f.onResume = func(name string) {
		if name == "vm1" {
			release()
		}
	}
	_, err := freeze(ctx, f, f, []string{"vm1", "vm2"}, FreezeOptions{Mode: ModeSuspend, RunID: "hostile"})
	release()
	f.settled()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context canceled, got %v", err)
	}
	f.requireRunningUnmarked(t)
}

// libvirtd restarts while the group is paused: the connection dies, the daemon
// refuses connections for a moment, and the guests stay paused in it. Thaw must
// reconnect and resume them.
func TestHostileConnectionLost(t *testing.T) {
	f := newFakeOps("vm1", "vm2")
	g, err := freeze(t.Context(), f, f, []string{"vm1", "vm2"}, FreezeOptions{Mode: ModeSuspend, RunID: "hostile"})
	if err != nil {
		t.Fatal(err)
	}
	f.lose(2)
	if _, err := g.Thaw(t.Context()); err != nil {
		t.Fatalf("Thaw after the connection was lost: %v", err)
	}
	f.settled()
	f.requireRunningUnmarked(t)
	if f.reconnects == 0 {
		t.Fatal("Thaw never reconnected")
	}
}

// A Suspend that hangs in libvirt past quiesce.max-pause: Freeze gives up at the
// deadline, names it, and resumes the group, the hung VM once its call returns.
func TestHostileSuspendPastMaxPause(t *testing.T) {
	f := newFakeOps("vm1", "vm2")
	gate := make(chan struct{})
	f.gate["vm1"] = gate
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	f.onResume = func(name string) {
		if name == "vm1" {
			release() // libvirt answers at last, once the group is being resumed
		}
	}
	fallback := time.AfterFunc(3*time.Second, release) // without a deadline, Freeze would wait forever
	defer fallback.Stop()
	start := time.Now()
	_, err := freeze(t.Context(), f, f, []string{"vm1", "vm2"}, FreezeOptions{Mode: ModeSuspend, MaxPause: 200 * time.Millisecond, RunID: "hostile"})
	took := time.Since(start)
	release()
	f.settled()
	if !errors.Is(err, ErrMaxPause) || !strings.Contains(err.Error(), "max-pause") || !strings.Contains(err.Error(), "vm1") {
		t.Fatalf("want an error naming the max pause and vm1, got %v (after %v)", err, took)
	}
	if took > 2*time.Second {
		t.Fatalf("Freeze returned after %v, long past its 200ms max pause", took)
	}
	f.requireRunningUnmarked(t)
}

// lateOps holds each real Suspend until gate is closed, calls the hooks as a suspend
// or a resume enters, and reports when the held suspend returned.
type lateOps struct {
	domainOps
	gate                chan struct{}
	landed              chan error
	onSuspend, onResume func(name string)
}

func (o *lateOps) suspend(name string) error {
	o.onSuspend(name)
	<-o.gate
	err := o.domainOps.suspend(name)
	o.landed <- err
	return err
}

func (o *lateOps) resume(name string) error {
	o.onResume(name)
	return o.domainOps.resume(name)
}

// The same race against a real guest: its real Suspend is held in the seam until
// after the cancellation, and reaches libvirt at the worst moment.
func TestHostileSuspendAfterCancelLab(t *testing.T) {
	testenv.Require(t, testenv.Libvirt)
	g := testenv.StartGuest(t, testenv.GuestOptions{})
	c := connect(t)
	// Thaw resumes unconditionally: libvirt's answer for a running domain is no error.
	if err := (libvirtOps{c}).resume(g.Name); err != nil {
		t.Fatalf("resume of a running domain: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var once sync.Once
	ops := &lateOps{domainOps: libvirtOps{c}, gate: make(chan struct{}), landed: make(chan error, 1)}
	release := func() { once.Do(func() { close(ops.gate) }) }
	ops.onSuspend = func(string) { cancel() }
	ops.onResume = func(string) { release() }
	_, err := freeze(ctx, ops, c, []string{g.Name}, FreezeOptions{Mode: ModeSuspend, RunID: "hostile-lab"})
	release()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context canceled, got %v", err)
	}
	if err := <-ops.landed; err != nil {
		t.Fatalf("the held suspend: %v", err)
	}
	requireRunningUnmarked(t, g)
}

// sockProxy forwards a unix socket to libvirtd's, and can cut every connection it
// carries: to the client, the daemon went away (as when libvirtd restarts), without
// restarting the daemon other tests use.
type sockProxy struct {
	path  string
	mu    sync.Mutex
	conns []net.Conn
}

func newSockProxy(t *testing.T, target string) *sockProxy {
	t.Helper()
	p := &sockProxy{path: filepath.Join(t.TempDir(), "libvirt.sock")}
	l, err := net.Listen("unix", p.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(); p.cut() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("unix", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
	return p
}

// cut closes every connection carried so far.
func (p *sockProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// The connection to the real libvirtd is lost while a real guest is paused; Thaw
// reconnects and resumes it.
func TestHostileConnectionLostLab(t *testing.T) {
	testenv.Require(t, testenv.Libvirt)
	g := testenv.StartGuest(t, testenv.GuestOptions{})
	p := newSockProxy(t, "/var/run/libvirt/libvirt-sock")
	ctx := t.Context()
	c, err := Connect(ctx, "qemu:///system?socket="+p.path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	grp, err := c.Freeze(ctx, []string{g.Name}, FreezeOptions{Mode: ModeSuspend, RunID: "hostile-lab"})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Virsh(context.Background(), "resume", g.Name) // whatever happens
	if st := state(t, g); st != "paused" {
		t.Fatalf("after Freeze: %s", st)
	}
	p.cut()
	if _, err := grp.Thaw(ctx); err != nil {
		t.Fatalf("Thaw after the connection was lost: %v", err)
	}
	requireRunningUnmarked(t, g)
}

// QuiesceMode: auto's choice and why, by what the domain has and the group's LVs.
func TestQuiesceMode(t *testing.T) {
	for _, c := range []struct {
		d      Domain
		mode   Mode
		atomic bool
		want   Mode
		why    string
	}{
		{Domain{AgentChannel: true, AgentConnected: true}, ModeAuto, true, ModeAgent, "guest agent connected"},
		{Domain{AgentChannel: true}, ModeAuto, true, ModeSysrq, "no guest agent connected; its group's disks are one LV"},
		{Domain{}, ModeAuto, true, ModeSysrq, "no guest agent channel; its group's disks are one LV, whose snapshot is atomic: synced, not paused"},
		{Domain{}, ModeAuto, false, ModeSysrqSuspend, "no guest agent channel; its group's disks span several LVs"},
		{Domain{}, ModeSysrqSuspend, true, ModeSysrqSuspend, "configured"},
	} {
		if m, why := QuiesceMode(c.d, c.mode, c.atomic); m != c.want || !strings.HasPrefix(why, c.why) {
			t.Errorf("%+v %s atomic %v: %s (%s), want %s (%s)", c.d, c.mode, c.atomic, m, why, c.want, c.why)
		}
	}
	if ModeSysrq.Valid() {
		t.Error("sysrq is auto's choice, not a quiesce.mode")
	}
}
