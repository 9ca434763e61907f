package hypervisor

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Mode is how a guest is quiesced (config quiesce.mode).
type Mode string

const (
	// ModeAuto uses the guest agent when one is connected and answers; else
	// ModeSysrq for a group whose disks are one LV (FreezeOptions.Atomic), and
	// ModeSysrqSuspend for one whose disks span several.
	ModeAuto Mode = "auto"
	// ModeAgent freezes the guest's filesystems through qemu-guest-agent (no pause).
	ModeAgent Mode = "agent"
	// ModeSysrqSuspend sends Alt+SysRq+S (emergency sync), waits the settle delay,
	// then suspends the guest: the seed script's method.
	ModeSysrqSuspend Mode = "sysrq-suspend"
	// ModeSuspend suspends the guest without a sync.
	ModeSuspend Mode = "suspend"
	// ModeNone leaves the guest running: the snapshot is crash-consistent only.
	ModeNone Mode = "none"
	// ModeSysrq is never configured, only used by auto (and reported): Alt+SysRq+S
	// and the settle delay, no pause, for a group whose disks are all on one LV:
	// its one snapshot is atomic, as a power cut is, and holds what the guest synced.
	ModeSysrq Mode = "sysrq"
)

// Modes lists every Mode, in the order the config documents them: the one list
// the config's quiesce.mode is checked against.
func Modes() []Mode { return []Mode{ModeAuto, ModeAgent, ModeSysrqSuspend, ModeSuspend, ModeNone} }

// Valid reports whether m is one of Modes.
func (m Mode) Valid() bool { return slices.Contains(Modes(), m) }

// ModeList gives Modes for a message: "auto, agent, sysrq-suspend, suspend, none".
func ModeList() string {
	var b strings.Builder
	for i, m := range Modes() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(m))
	}
	return b.String()
}

// Linux input keycodes for Alt+SysRq+S.
const (
	keyLeftAlt = 56
	keySysRq   = 99
	keyS       = 31
)

// markNS is the XML namespace of the live-metadata mark set on a domain before it is
// paused or frozen, and cleared after it is resumed or thawed.
const markNS = "https://kvmbackup.dev/xmlns/freeze/1"

// mark is the content of that metadata element.
type mark struct {
	XMLName xml.Name `xml:"freeze"`
	Run     string   `xml:"run,attr"`
	Time    string   `xml:"time,attr"`
	Mode    Mode     `xml:"mode,attr"`
	PID     int      `xml:"pid,attr"`
}

// QuiesceBase is the mode a freeze configured with mode would use for d when its
// group is not known, and why: auto is agent when libvirt sees a guest agent
// connected, else sysrq-suspend (QuiesceMode says sysrq for a group on one LV).
func QuiesceBase(d Domain, mode Mode) (Mode, string) {
	switch {
	case mode != ModeAuto:
		return mode, "configured"
	case d.AgentConnected:
		return ModeAgent, "guest agent connected"
	case d.AgentChannel:
		return ModeSysrqSuspend, "no guest agent connected"
	default:
		return ModeSysrqSuspend, "no guest agent channel"
	}
}

// QuiesceMode is the mode a freeze configured with mode would use for d now, and why:
// auto is agent when libvirt sees a guest agent connected, else sysrq when atomic
// (the group's disks are all on one LV, whose one snapshot is atomic: no pause is
// needed) and sysrq-suspend when not (its snapshots are taken one after another).
// (The agent may still fail to freeze; auto then falls back the same way.)
func QuiesceMode(d Domain, mode Mode, atomic bool) (Mode, string) {
	m, why := QuiesceBase(d, mode)
	switch {
	case mode != ModeAuto || m == ModeAgent:
		return m, why
	case atomic:
		return ModeSysrq, why + "; its group's disks are one LV, whose snapshot is atomic: synced, not paused"
	}
	return ModeSysrqSuspend, why + "; its group's disks span several LVs, snapshotted one after another: paused"
}

// syncs reports whether m sends Alt+SysRq+S (then the settle delay).
func (m Mode) syncs() bool { return m == ModeSysrqSuspend || m == ModeSysrq }

// FreezeOptions tune a group freeze.
type FreezeOptions struct {
	Mode   Mode
	Settle time.Duration // after Alt+SysRq+S, once for the whole group
	// AgentTimeout bounds a guest agent freeze (default 10s); in auto mode a guest
	// whose agent does not answer in time falls back to sysrq-suspend.
	AgentTimeout time.Duration
	// Atomic: the group's disks are all on one LV, snapshotted at once; auto then
	// syncs a guest the agent does not freeze (ModeSysrq) and never pauses it.
	Atomic bool
	// MaxPause is the hard deadline of the freeze window, counted from the first
	// pause or filesystem freeze (0: none). Freeze fails, and thaws the group, when
	// the settle delay or a suspend is still pending at it; Deadline tells the caller
	// when the rest of its window (the snapshots) must end.
	MaxPause time.Duration
	RunID    string                                           // recorded in the mark
	Now      func() time.Time                                 // default time.Now
	Sleep    func(ctx context.Context, d time.Duration) error // default: a timer
}

// VMReport is what happened to one VM of a group.
type VMReport struct {
	Name string `json:"name"`
	// Mode actually used; "" when nothing was done (Skipped says why).
	Mode    Mode   `json:"mode,omitempty"`
	Skipped string `json:"skipped,omitempty"`
	// Window is how long the guest was paused (suspend → resume) or its filesystems
	// frozen (freeze → thaw); set by Thaw.
	Window time.Duration `json:"window_ns"`
	Note   string        `json:"note,omitempty"`
}

// Group is a frozen group of VMs. Thaw resumes or thaws exactly the VMs this Group
// paused or froze; it is idempotent and safe to defer.
type Group struct {
	ops   domainOps
	conn  connector
	opts  FreezeOptions
	mu    sync.Mutex
	vms   []*vmState
	winMu sync.Mutex
	start time.Time // the first pause or freeze was attempted (real clock)
}

// ErrMaxPause is a freeze window that reached FreezeOptions.MaxPause.
var ErrMaxPause = errors.New("the freeze window reached its max pause (quiesce.max-pause)")

// ErrNotResumed: a Freeze that failed could not resume (or thaw) every VM it had
// paused or frozen; they keep kvmbackup's mark, for recover. A Freeze error without
// it left no VM paused, frozen or marked.
var ErrNotResumed = errors.New("not every VM it paused was resumed (they stay marked for recover)")

// openWindow records the start of the freeze window, once: a pause or a freeze is
// about to be attempted. The deadline is wall time, whatever opts.Now says.
func (g *Group) openWindow() {
	g.winMu.Lock()
	defer g.winMu.Unlock()
	if g.start.IsZero() {
		g.start = time.Now()
	}
}

// Deadline is when the freeze window must end (FreezeOptions.MaxPause after the
// first pause or freeze); zero when there is no max pause or nothing was paused or
// frozen.
func (g *Group) Deadline() time.Time {
	g.winMu.Lock()
	defer g.winMu.Unlock()
	if g.start.IsZero() || g.opts.MaxPause <= 0 {
		return time.Time{}
	}
	return g.start.Add(g.opts.MaxPause)
}

// windowCtx is ctx ending at the window's deadline, with an ErrMaxPause cause.
func (g *Group) windowCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	dl := g.Deadline()
	if dl.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadlineCause(ctx, dl, fmt.Errorf("%w of %v: %w", ErrMaxPause, g.opts.MaxPause, context.DeadlineExceeded))
}

type vmState struct {
	report  VMReport
	marked  bool      // marking was attempted: Thaw must clear the mark
	paused  bool      // Suspend was attempted: Thaw resumes
	frozen  bool      // FSFreeze was attempted: Thaw thaws
	since   time.Time // when the pause or freeze took effect
	thawed  bool
	thawErr error
	calls   inflight // libvirt calls started on this VM that have not returned
}

// inflight counts the libvirt calls on one VM that have not returned, abandoned ones
// included: a C call given up at cancellation still lands when libvirt answers.
type inflight struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to 0
}

func (c *inflight) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		c.idle = make(chan struct{})
	}
	c.n++
}

func (c *inflight) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n--
	if c.n == 0 {
		close(c.idle)
	}
}

// busy reports whether a call is still in libvirt.
func (c *inflight) busy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n > 0
}

// wait returns when no call is in libvirt, or ctx's error when it ends first.
func (c *inflight) wait(ctx context.Context) error {
	c.mu.Lock()
	n, idle := c.n, c.idle
	c.mu.Unlock()
	if n == 0 {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Freeze quiesces the named VMs as one group: every VM in parallel, ONE settle delay
// for the whole group. On any error, or when ctx ends, everything already paused or
// frozen is thawed before Freeze returns: it never leaves a VM paused on failure. A
// VM that is shut off is skipped (its disks are at rest); one already paused by
// someone else is left alone and not resumed later; both are reported.
func (c *Conn) Freeze(ctx context.Context, names []string, opts FreezeOptions) (*Group, error) {
	return freeze(ctx, libvirtOps{c}, c, names, opts)
}

// freeze is Freeze on any domainOps, conn replacing a lost connection.
func freeze(ctx context.Context, ops domainOps, conn connector, names []string, opts FreezeOptions) (*Group, error) {
	if opts.AgentTimeout == 0 {
		opts.AgentTimeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if !opts.Mode.Valid() {
		return nil, fmt.Errorf("quiesce mode %q is not one of %s", opts.Mode, ModeList())
	}
	g := &Group{ops: ops, conn: conn, opts: opts}
	for _, n := range names {
		g.vms = append(g.vms, &vmState{report: VMReport{Name: n}})
	}
	log := zerolog.Ctx(ctx).With().Str("component", "hypervisor").Logger()

	fail := func(err error) (*Group, error) {
		if _, terr := g.Thaw(ctx); terr != nil {
			err = errors.Join(err, fmt.Errorf("%w: %w", ErrNotResumed, terr))
		}
		return nil, err
	}
	// Phase 1, in parallel: look at each VM, mark it, then freeze (agent) or sync.
	if err := g.each(func(v *vmState) error { return g.prepare(ctx, v) }); err != nil {
		return fail(err)
	}
	// Phase 2: one settle delay for every VM that got Alt+SysRq+S (bounded by the
	// max pause when an agent already froze a guest).
	for _, v := range g.vms {
		if v.report.Mode.syncs() {
			log.Debug().Dur("settle", opts.Settle).Msg("settling after Alt+SysRq+S")
			wctx, cancel := g.windowCtx(ctx)
			err := opts.Sleep(wctx, opts.Settle)
			if err != nil && wctx.Err() != nil {
				err = context.Cause(wctx)
			}
			cancel()
			if err != nil {
				return fail(fmt.Errorf("settle after Alt+SysRq+S: %w", err))
			}
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return fail(fmt.Errorf("freeze: %w", err))
	}
	// Phase 3, in parallel: suspend, within the max pause.
	for _, v := range g.vms {
		if v.report.Mode == ModeSysrqSuspend || v.report.Mode == ModeSuspend {
			g.openWindow()
		}
	}
	wctx, cancel := g.windowCtx(ctx)
	err := g.each(func(v *vmState) error { return g.suspend(wctx, v) })
	cancel()
	if err != nil {
		return fail(err)
	}
	for _, v := range g.vms {
		e := log.Info().Str("vm", v.report.Name).Str("mode", string(v.report.Mode))
		if v.report.Skipped != "" {
			e = e.Str("skipped", v.report.Skipped)
		}
		if v.report.Note != "" {
			e = e.Str("note", v.report.Note)
		}
		e.Msg("quiesced")
	}
	return g, nil
}

// each runs f for every VM in parallel and joins the errors.
func (g *Group) each(f func(*vmState) error) error {
	errs := make([]error, len(g.vms))
	var wg sync.WaitGroup
	for i, v := range g.vms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(v)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// prepare decides v's mode, marks it, and freezes (agent) or sends Alt+SysRq+S.
func (g *Group) prepare(ctx context.Context, v *vmState) error {
	name := v.report.Name
	var d Domain
	err := g.call(ctx, v, "describe domain "+name, func() error {
		var err error
		d, err = g.ops.describe(name)
		return err
	})
	if err != nil {
		return err
	}
	switch d.State {
	case StateShutoff:
		v.report.Skipped = "shut off: its disks are at rest"
		return nil
	case StatePaused:
		v.report.Skipped = "already paused by someone else: left paused, not resumed"
		return nil
	case StateRunning, StateBlocked:
	default:
		return fmt.Errorf("domain %s is %s: cannot quiesce it", name, d.State)
	}
	mode, why := QuiesceMode(d, g.opts.Mode, g.opts.Atomic)
	if g.opts.Mode == ModeAuto && mode != ModeAgent {
		v.report.Note = why
	}
	if mode == ModeNone {
		v.report.Mode = ModeNone
		return nil
	}
	// The mark says what recover must undo: a sync alone (sysrq) leaves nothing, and a
	// mark would make recover resume a VM someone else paused after a crash.
	if mode != ModeSysrq {
		if err := g.setMark(ctx, v, mode); err != nil {
			return err
		}
	}
	if mode == ModeAgent {
		err := g.agentFreeze(ctx, v)
		if err == nil {
			v.report.Mode = ModeAgent
			return nil
		}
		if g.opts.Mode == ModeAgent || ctx.Err() != nil {
			return err
		}
		// auto: the agent did not freeze; thaw in case an abandoned freeze lands late,
		// and sync and suspend instead.
		if v.frozen {
			if terr := g.agentThaw(ctx, v); terr != nil {
				return errors.Join(err, terr)
			}
			// A freeze still in libvirt may land after this thaw: Thaw thaws again
			// once it has returned.
			v.frozen = v.calls.busy()
		}
		mode = ModeSysrqSuspend
		if g.opts.Atomic {
			mode = ModeSysrq
		}
		v.report.Note = fmt.Sprintf("guest agent did not freeze (%v): fell back to %s", err, mode)
		if err := g.setMark(ctx, v, mode); err != nil {
			return err
		}
	}
	v.report.Mode = mode
	if mode.syncs() {
		return g.call(ctx, v, "send Alt+SysRq+S to domain "+name, func() error { return g.ops.sendSysrqSync(name) })
	}
	return nil
}

// agentFreeze freezes v's filesystems through the guest agent. An agent that reports
// no filesystem is an error: libvirt would call freezing nothing a success.
func (g *Group) agentFreeze(ctx context.Context, v *vmState) error {
	actx, cancel := context.WithTimeout(ctx, g.opts.AgentTimeout)
	defer cancel()
	name := v.report.Name
	g.openWindow()
	err := g.call(actx, v, "freeze the filesystems of domain "+name, func() error { return g.ops.fsFreeze(name) })
	switch {
	case err == nil:
		v.frozen = true
		v.since = g.opts.Now()
	case actx.Err() != nil:
		// Abandoned at our timeout: the freeze may still land, so Thaw must thaw. Any
		// error libvirt returned means nothing was frozen.
		v.frozen = true
	}
	return err
}

func (g *Group) agentThaw(ctx context.Context, v *vmState) error {
	actx, cancel := context.WithTimeout(ctx, g.opts.AgentTimeout)
	defer cancel()
	name := v.report.Name
	return g.call(actx, v, "thaw the filesystems of domain "+name, func() error { return g.ops.fsThaw(name) })
}

func (g *Group) suspend(ctx context.Context, v *vmState) error {
	if v.report.Mode != ModeSysrqSuspend && v.report.Mode != ModeSuspend {
		return nil
	}
	v.paused = true // a late suspend is possible from here: Thaw resumes
	name := v.report.Name
	err := g.call(ctx, v, "suspend domain "+name, func() error { return g.ops.suspend(name) })
	if err == nil {
		v.since = g.opts.Now()
	}
	return err
}

func (g *Group) setMark(ctx context.Context, v *vmState, mode Mode) error {
	m := mark{Run: g.opts.RunID, Time: g.opts.Now().UTC().Format(time.RFC3339), Mode: mode, PID: os.Getpid()}
	b, err := xml.Marshal(m)
	if err != nil {
		return err
	}
	name := v.report.Name
	v.marked = true // an abandoned mark may land late: Thaw clears it in any case
	return g.call(ctx, v, "mark domain "+name, func() error { return g.ops.mark(name, string(b)) })
}

// ThawTimeout bounds Thaw; it runs with a fresh context, so a cancelled run (SIGINT,
// SIGTERM) still resumes its VMs.
var ThawTimeout = 60 * time.Second

// Thaw resumes the VMs this group paused and thaws those it froze, then clears their
// marks, each VM in parallel. It runs even when ctx is already cancelled (with a fresh
// bounded context carrying ctx's values), is idempotent, and returns every VM's report
// with its measured window. A VM's mark is cleared only once every libvirt call
// started on it has returned (a Suspend abandoned at cancellation lands late) and it
// is seen not paused; a lost connection is replaced (bounded retries). A VM that could
// not be resumed stays marked, so that Recover resumes it later; the error names it.
func (g *Group) Thaw(ctx context.Context) ([]VMReport, error) {
	if g == nil {
		return nil, nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ThawTimeout)
	defer cancel()
	log := zerolog.Ctx(ctx).With().Str("component", "hypervisor").Logger()
	err := g.each(func(v *vmState) error {
		if v.thawed {
			return nil
		}
		if err := g.thawOne(tctx, v); err != nil {
			v.thawErr = err
			return err
		}
		v.thawed = true
		if v.report.Mode != "" && v.report.Mode != ModeNone {
			log.Info().Str("vm", v.report.Name).Dur("window", v.report.Window).Msg("resumed")
		}
		return nil
	})
	return g.Reports(), err
}

// thawOne thaws and resumes v unconditionally (a domain that is not paused answers
// that it is fine), then waits for every call started on v to return, since an
// abandoned Suspend or FSFreeze lands when libvirt answers, and undoes what landed
// since. Only then, with v seen not paused, is the mark cleared: a VM whose calls do
// not return in time stays marked, for Recover.
func (g *Group) thawOne(ctx context.Context, v *vmState) error {
	name := v.report.Name
	if v.frozen {
		pending := v.calls.busy()
		if err := g.retry(ctx, func() error { return g.agentThaw(ctx, v) }); err != nil {
			return err
		}
		if pending { // a freeze abandoned in libvirt may land after that thaw
			if err := g.settle(ctx, v); err != nil {
				return err
			}
			if err := g.retry(ctx, func() error { return g.agentThaw(ctx, v) }); err != nil {
				return err
			}
		}
		v.frozen = false
		if !v.since.IsZero() {
			v.report.Window = g.opts.Now().Sub(v.since)
		}
	}
	if v.paused {
		if err := g.resume(ctx, v); err != nil {
			return err
		}
		if err := g.ensureRunning(ctx, v); err != nil {
			return err
		}
		v.paused = false
		if !v.since.IsZero() {
			v.report.Window = g.opts.Now().Sub(v.since)
		}
	}
	if v.marked {
		if err := g.settle(ctx, v); err != nil {
			return err
		}
		err := g.retry(ctx, func() error {
			return g.call(ctx, v, "unmark domain "+name, func() error { return g.ops.mark(name, "") })
		})
		if err != nil && !IsNotFound(err) {
			return err
		}
		v.marked = false
	}
	return nil
}

func (g *Group) resume(ctx context.Context, v *vmState) error {
	name := v.report.Name
	return g.retry(ctx, func() error {
		return g.call(ctx, v, "resume domain "+name, func() error { return g.ops.resume(name) })
	})
}

// ensureRunning waits for every call started on v to return, then checks that v is
// not paused, resuming it again when a late Suspend landed.
func (g *Group) ensureRunning(ctx context.Context, v *vmState) error {
	name := v.report.Name
	for range 3 {
		if err := g.settle(ctx, v); err != nil {
			return err
		}
		var st State
		err := g.retry(ctx, func() error {
			return g.call(ctx, v, "state of domain "+name, func() error {
				var err error
				st, err = g.ops.state(name)
				return err
			})
		})
		if IsNotFound(err) {
			return nil // gone: nothing of it is paused
		}
		if err != nil {
			return err
		}
		if st != StatePaused {
			return nil
		}
		if err := g.resume(ctx, v); err != nil {
			return err
		}
	}
	return fmt.Errorf("domain %s is paused again after 3 resumes: someone else pauses it", name)
}

// settle waits for every libvirt call started on v to return.
func (g *Group) settle(ctx context.Context, v *vmState) error {
	if err := v.calls.wait(ctx); err != nil {
		return fmt.Errorf("domain %s: a libvirt call on it has not returned (%w): left marked for kvmbackup recover", v.report.Name, err)
	}
	return nil
}

// call runs one libvirt call of the group aside (the C call takes no context): when
// ctx ends first, call returns ctx's error naming what, and the C call finishes on
// its own.
// The call is counted on v until it returns.
func (g *Group) call(ctx context.Context, v *vmState, what string, f func() error) error {
	v.calls.start()
	return callAside(ctx, what, func() error {
		defer v.calls.end()
		return f()
	})
}

// Reports returns every VM's report so far.
func (g *Group) Reports() []VMReport {
	out := make([]VMReport, len(g.vms))
	for i, v := range g.vms {
		out[i] = v.report
	}
	return out
}

// Retries of a Thaw step: up to retryAttempts tries, retryFirst apart at first, the
// wait doubling up to retryMax (some 9s in all: a libvirtd restart inside the window).
var (
	retryAttempts = 8
	retryFirst    = 200 * time.Millisecond
	retryMax      = 2 * time.Second
)

// retry runs f until it succeeds, a bounded number of times while ctx lasts. Before
// each new try the connection is replaced if it was lost (libvirtd restarted while
// the group was paused): the paused VMs are still there for the new one to resume.
func (g *Group) retry(ctx context.Context, f func() error) error {
	var err error
	wait := retryFirst
	for i := 0; i < retryAttempts; i++ {
		if err = f(); err == nil || IsNotFound(err) {
			return err
		}
		if i == retryAttempts-1 || sleepCtx(ctx, wait) != nil {
			break
		}
		wait = min(2*wait, retryMax)
		if cerr := g.conn.reconnect(ctx); cerr != nil {
			err = errors.Join(err, cerr)
			zerolog.Ctx(ctx).Warn().Str("component", "hypervisor").Err(cerr).Msg("libvirt connection lost; retrying")
		}
	}
	return err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
