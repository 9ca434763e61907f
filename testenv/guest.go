package testenv

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/qga"
	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// GuestDisk is an extra disk of a guest.
type GuestDisk struct {
	Target string // vdb, vdc, …
	Source string // a file (raw) or a block device
	Block  bool   // Source is a block device
}

// GuestOptions describe a tiny guest.
type GuestOptions struct {
	Name       string // default: a unique lab name
	URI        string // default: qemu:///system
	MemoryMiB  int    // default 192
	Persistent bool   // define then start (else a transient domain)
	Agent      bool   // a qemu-guest-agent channel, and start qemu-ga inside
	// AgentChannel: the channel only, no agent listening (a guest whose agent is
	// down: freezing through it fails at once).
	AgentChannel bool
	Disks        []GuestDisk
	Cmdline      string // extra kernel command line (kvmbackup.mount=DEV:DIR …)
	// Virsh runs virsh (default: virsh in PATH): the miniature KVM host sets it to run
	// inside the appliance.
	Virsh func(ctx context.Context, args ...string) ([]byte, error)
	// Dir holds the console log and the initramfs; default a fresh WorkDir. Inside the
	// appliance it must be a path both sides see (the lab share).
	Dir string
	// Initramfs overrides the guest initramfs (built into Dir when empty).
	Initramfs string
	// ReadLog reads a log file where the guest's QEMU runs (default: the machine's),
	// for the message of a guest that did not become ready.
	ReadLog func(ctx context.Context, path string) string
	nested  bool // on the miniature KVM host: boot deadlines for TCG inside TCG
}

// Guest is a running tiny Linux guest: the Debian kernel and a busybox initramfs
// whose /init turns on sysrq, prints GuestReadyLine on ttyS0 and waits.
type Guest struct {
	Name    string
	URI     string
	Console string // the serial console's log file
	virsh   func(ctx context.Context, args ...string) ([]byte, error)
	readLog func(ctx context.Context, path string) string
	nested  bool
	// start starts it again (virsh start, or create for a transient one); restarts
	// counts how often waitReady did (a boot that panicked).
	start    func(ctx context.Context) error
	restarts int
}

var guestInitramfsOnce struct {
	sync.Mutex
	path string
}

// StartGuest defines and starts a tiny guest and waits until it is ready (its ready
// line on the console). It is destroyed (and undefined) at cleanup, also on failure.
func StartGuest(t TB, opts GuestOptions) *Guest {
	t.Helper()
	return StartGuests(t, opts)[0]
}

// StartGuests starts one guest per options, all at once, and waits until every one
// is ready: their boots overlap.
func StartGuests(t TB, opts ...GuestOptions) []*Guest {
	t.Helper()
	start := time.Now()
	guests := make([]*Guest, len(opts))
	for i, o := range opts {
		guests[i] = createGuest(t, o)
	}
	waitReady(t, start, guests)
	return guests
}

// waitReady waits until every guest has printed its ready line. The wait scales with
// the machine's Pace and goes on past its deadline while a guest's console still
// grows (the kernel's boot log, then /init's lines); a guest that fails shows its
// state, its console's last lines and QEMU's log. Each guest's kernel must have had
// its random number generator ready before /init ran (CheckEntropy).
func waitReady(t TB, start time.Time, guests []*Guest) {
	t.Helper()
	base, stall := guestBootBase, guestBootStall
	for _, g := range guests {
		if g.nested {
			base, stall = nestedBootBase, nestedBootStall
		}
	}
	pending := func() []*Guest {
		var out []*Guest
		for _, g := range guests {
			if !strings.Contains(g.ConsoleText(), GuestReadyLine) {
				out = append(out, g)
			}
		}
		return out
	}
	names := func(gs []*Guest) string {
		var n []string
		for _, g := range gs {
			n = append(n, g.Name)
		}
		return strings.Join(n, ", ")
	}
	w := progressWait{
		what:     "guests " + names(guests) + " to boot",
		deadline: Scaled(base),
		stall:    Scaled(stall),
		logf:     t.Logf,
		done: func() (bool, error) {
			for _, g := range pending() {
				if err := g.restartPanicked(t); err != nil {
					return false, err
				}
			}
			return len(pending()) == 0, nil
		},
		progress: func() (int64, string) {
			var n int64
			var where []string
			for _, g := range pending() {
				c := g.ConsoleText()
				n += int64(len(c))
				where = append(where, fmt.Sprintf("%s's console at %d lines: %q", g.Name, strings.Count(c, "\n"), lastLine(c, 72)))
			}
			return n, strings.Join(where, "; ")
		},
	}
	if err := w.run(t.Context()); err != nil {
		var why strings.Builder
		for _, g := range pending() {
			why.WriteString(g.notReady(err))
		}
		t.Fatalf("%v\n%s", err, why.String())
	}
	for _, g := range guests {
		if err := g.CheckEntropy(); err != nil {
			t.Fatalf("%v", err)
		}
	}
	t.Logf("guests %s ready in %.1fs", names(guests), time.Since(start).Seconds())
}

// restartPanicked starts g again, at most twice, when its kernel panicked while it
// booted: under TCG inside TCG the tiny kernel has been seen to die at 0.24 s of a
// boot ("Fatal exception in interrupt"), an emulation fault kvmbackup cannot cause
// (nothing of it runs before the ready line). Its panic=1 reboot ends the domain
// (on_reboot destroy); it is destroyed again in case, its console started afresh.
func (g *Guest) restartPanicked(t TB) error {
	c := g.ConsoleText()
	if !strings.Contains(c, "Kernel panic - not syncing") || g.restarts >= 2 || g.start == nil {
		return nil
	}
	g.restarts++
	why, _, _ := strings.Cut(c[strings.Index(c, "Kernel panic"):], "\n")
	t.Logf("guest %s: its kernel panicked while it booted (%q): started again (%d of 2)", g.Name, why, g.restarts)
	g.virsh(t.Context(), "destroy", g.Name)
	if err := os.Truncate(g.Console, 0); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("guest %s: %w", g.Name, err)
	}
	if err := g.start(t.Context()); err != nil {
		return fmt.Errorf("start guest %s again: %w", g.Name, err)
	}
	return nil
}

// The boot deadlines on the reference machine (scaled by Pace), and how long a boot
// past its deadline may show no progress. A tiny guest boots in ~1 s on the machine;
// nested (TCG inside TCG) in under a minute.
var (
	guestBootBase   = 2 * time.Minute
	guestBootStall  = time.Minute
	nestedBootBase  = 5 * time.Minute
	nestedBootStall = 3 * time.Minute
)

// notReady says why g did not become ready: its state, the last lines of its console
// (its boot log) and of QEMU's log.
func (g *Guest) notReady(err error) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, serr := g.virsh(ctx, "domstate", "--reason", g.Name)
	state := strings.TrimSpace(string(st))
	if serr != nil {
		state = serr.Error()
	}
	qemuLog := "/var/log/libvirt/qemu/" + g.Name + ".log"
	return fmt.Sprintf("guest %s did not become ready (%v)\nstate: %s\nconsole %s, last lines:\n%s\n%s, last lines:\n%s\n",
		g.Name, err, state, g.Console, lastLines(g.ConsoleText(), 40), qemuLog, lastLines(g.readLog(ctx, qemuLog), 15))
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// crngRe matches what the kernel logs when its random number generator is ready, and
// initRe when it starts /init: "[    0.123456] random: crng init done".
var (
	crngRe = regexp.MustCompile(`\[\s*(\d+\.\d+)\] random: crng init done`)
	initRe = regexp.MustCompile(`\[\s*(\d+\.\d+)\] Run /init as init process`)
)

// logTime is the time (seconds since boot) of the first boot log line re matches, -1
// when none does.
func logTime(re *regexp.Regexp, console string) float64 {
	m := re.FindStringSubmatch(console)
	if m == nil {
		return -1
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	return f
}

// CheckEntropy returns an error unless the guest's kernel logged `random: crng init
// done` before it ran /init: anything that calls getrandom() (qemu-ga, GLib) blocks
// until then, which takes seconds under TCG and many minutes nested without RDRAND
// (<cpu mode='maximum'/>) or a virtio-rng device.
func (g *Guest) CheckEntropy() error {
	c := g.ConsoleText()
	init := logTime(initRe, c)
	if init < 0 {
		return fmt.Errorf("guest %s: no %q in its boot log (is the console quiet?)\n%s", g.Name, "Run /init as init process", lastLines(c, 20))
	}
	crng := logTime(crngRe, c)
	if crng < 0 {
		return fmt.Errorf("guest %s: its kernel ran /init at %.3fs with its random number generator not ready (no %q before): the guest has no RDRAND and no virtio-rng", g.Name, init, "random: crng init done")
	}
	if crng > init {
		return fmt.Errorf("guest %s: crng init done at %.3fs, after /init started at %.3fs: the guest waits for entropy (no RDRAND, no virtio-rng?)", g.Name, crng, init)
	}
	return nil
}

// CrngTime is when the guest's kernel logged `random: crng init done`, in seconds
// since its boot; -1 when it has not (yet).
func (g *Guest) CrngTime() float64 { return logTime(crngRe, g.ConsoleText()) }

func createGuest(t TB, opts GuestOptions) *Guest {
	t.Helper()
	ctx := t.Context()
	if opts.Name == "" {
		opts.Name = UniqueName(LabPrefix + "g")
	}
	if opts.URI == "" {
		opts.URI = "qemu:///system"
	}
	if opts.MemoryMiB == 0 {
		opts.MemoryMiB = 192
	}
	if opts.Dir == "" {
		opts.Dir = WorkDir(t)
	}
	if opts.Virsh == nil {
		uri := opts.URI
		opts.Virsh = func(ctx context.Context, args ...string) ([]byte, error) {
			return runner.New("virsh").Output(ctx, append([]string{"-c", uri}, args...)...)
		}
	}
	kernel, err := GuestKernel()
	if err != nil {
		t.Fatalf("guest %s: %v", opts.Name, err)
	}
	if opts.Initramfs == "" {
		opts.Initramfs, err = sharedGuestInitramfs(ctx)
		if err != nil {
			t.Fatalf("guest %s: %v", opts.Name, err)
		}
	}
	g := &Guest{Name: opts.Name, URI: opts.URI, Console: filepath.Join(opts.Dir, opts.Name+".console"), virsh: opts.Virsh, readLog: opts.ReadLog, nested: opts.nested}
	if g.readLog == nil {
		g.readLog = readLocalFile
	}
	domXML, err := guestXML(opts, kernel, g.Console)
	if err != nil {
		t.Fatalf("guest %s: %v", opts.Name, err)
	}
	xmlFile := filepath.Join(opts.Dir, opts.Name+".xml")
	if err := os.WriteFile(xmlFile, domXML, 0o644); err != nil {
		t.Fatalf("guest %s: %v", opts.Name, err)
	}
	t.Cleanup(func() { g.remove(opts.Persistent) })
	g.start = func(ctx context.Context) error {
		if opts.Persistent {
			_, err := g.virsh(ctx, "start", opts.Name)
			return err
		}
		_, err := g.virsh(ctx, "create", xmlFile)
		return err
	}
	if opts.Persistent {
		if _, err := g.virsh(ctx, "define", xmlFile); err != nil {
			t.Fatalf("define guest %s: %v", opts.Name, err)
		}
		if _, err := g.virsh(ctx, "start", opts.Name); err != nil {
			t.Fatalf("start guest %s: %v", opts.Name, err)
		}
	} else if _, err := g.virsh(ctx, "create", xmlFile); err != nil {
		t.Fatalf("create guest %s: %v", opts.Name, err)
	}
	return g
}

// fastBoot is on the kernel command line of the appliance and the guests: the crypto
// API's self-tests at boot take ~0.3 s under TCG and test nothing of kvmbackup's; the
// timer check through the IO-APIC and the TSC's clocksource watchdog are slow under
// emulation (about 15% of a boot), and mitigations and KASLR protect nothing in a lab VM.
const fastBoot = "cryptomgr.notests no_timer_check tsc=reliable mitigations=off nokaslr"

// readLocalFile reads a file of the machine (for messages: an error reads as empty).
func readLocalFile(_ context.Context, path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// sharedGuestInitramfs builds the guest initramfs once per process into the lab's
// cache directory (rebuilt each process, so it always matches the code).
func sharedGuestInitramfs(ctx context.Context) (string, error) {
	guestInitramfsOnce.Lock()
	defer guestInitramfsOnce.Unlock()
	if guestInitramfsOnce.path != "" {
		return guestInitramfsOnce.path, nil
	}
	dir := filepath.Join(LabDir(), "cache")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p, err := GuestInitramfs(ctx, dir)
	if err != nil {
		return "", err
	}
	guestInitramfsOnce.path = p
	return p, nil
}

// Virsh runs virsh against the guest's connection.
func (g *Guest) Virsh(ctx context.Context, args ...string) (string, error) {
	out, err := g.virsh(ctx, args...)
	return string(out), err
}

// State returns the domain state as virsh domstate prints it (running, paused, …).
func (g *Guest) State(ctx context.Context) (string, error) {
	out, err := g.Virsh(ctx, "domstate", g.Name)
	return strings.TrimSpace(out), err
}

// ConsoleText returns the console log so far.
func (g *Guest) ConsoleText() string {
	b, _ := os.ReadFile(g.Console)
	return string(b)
}

// WaitConsole waits until the console log contains line.
func (g *Guest) WaitConsole(ctx context.Context, line string) error {
	return waitFor(ctx, 100*time.Millisecond, func() (bool, error) {
		return strings.Contains(g.ConsoleText(), line), nil
	})
}

// Sibling is a handle on the domain name that something else defined on g's host
// (restore --define --as), its serial console logged to console: destroyed and
// undefined at cleanup, also on failure. Defined, it is started again by name when
// its kernel panics while it boots (restartPanicked).
func (g *Guest) Sibling(t TB, name, console string) *Guest {
	s := &Guest{Name: name, URI: g.URI, Console: console, virsh: g.virsh, readLog: g.readLog, nested: g.nested}
	s.start = func(ctx context.Context) error {
		_, err := s.virsh(ctx, "start", name)
		return err
	}
	t.Cleanup(func() { s.remove(true) })
	return s
}

// BootGuests starts defined, shut-off guests, all at once, and waits until every one
// is ready (its ready line in a console log started afresh).
func BootGuests(t TB, gs ...*Guest) {
	t.Helper()
	start := time.Now()
	for _, g := range gs {
		if err := os.Truncate(g.Console, 0); err != nil && !os.IsNotExist(err) {
			t.Fatalf("guest %s: %v", g.Name, err)
		}
		if _, err := g.virsh(t.Context(), "start", g.Name); err != nil {
			t.Fatalf("start guest %s: %v", g.Name, err)
		}
	}
	waitReady(t, start, gs)
}

func (g *Guest) remove(persistent bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g.virsh(ctx, "destroy", g.Name)
	if persistent {
		g.virsh(ctx, "undefine", g.Name, "--nvram")
	}
}

// Tail is the end of s, at most n bytes of it (a long output in a message), led by
// "…" when cut.
func Tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func guestXML(o GuestOptions, kernel, console string) ([]byte, error) {
	esc := func(s string) string {
		var b strings.Builder
		xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	// Not quiet: the boot log shows where a slow boot is, and when the kernel's random
	// number generator became ready (CheckEntropy).
	cmdline := "console=ttyS0 panic=1 " + fastBoot + " " + o.Cmdline
	if o.Agent {
		cmdline += " kvmbackup.agent=1"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>%d</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>%s</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='maximum'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
`, esc(o.Name), o.MemoryMiB, esc(kernel), esc(o.Initramfs), esc(strings.TrimSpace(cmdline)))
	for _, d := range o.Disks {
		if d.Block {
			fmt.Fprintf(&b, `    <disk type='block' device='disk'><driver name='qemu' type='raw' cache='none'/><source dev='%s'/><target dev='%s' bus='virtio'/></disk>
`, esc(d.Source), esc(d.Target))
		} else {
			fmt.Fprintf(&b, `    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/><target dev='%s' bus='virtio'/></disk>
`, esc(d.Source), esc(d.Target))
		}
	}
	fmt.Fprintf(&b, `    <serial type='file'><source path='%s'/><target port='0'/></serial>
`, esc(console))
	if o.Agent || o.AgentChannel {
		b.WriteString("    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>\n")
	}
	// No USB controller (libvirt adds one by default): its early hand-off quirk alone
	// takes ~0.3 s of a boot under TCG.
	// No virtio-rng either: RDRAND (<cpu mode='maximum'/>) has the kernel's crng ready
	// at 0 s (CheckEntropy), and the device's probe and first reads took ~0.3 s of a
	// 1.5 s boot at one level of TCG.
	b.WriteString("    <controller type='usb' model='none'/>\n    <memballoon model='none'/>\n  </devices>\n</domain>\n")
	return []byte(b.String()), nil
}

// Ext4Image makes a sparse file of size bytes holding an empty ext4 filesystem, for a
// guest's data disk (mount it with Cmdline "kvmbackup.mount=/dev/vda:/data": the guest names its
// virtio disks in order, whatever their libvirt target).
func Ext4Image(t TB, size int64) string {
	t.Helper()
	f := filepath.Join(WorkDir(t), "data.ext4")
	if err := sparseFile(f, size); err != nil {
		t.Fatalf("%v", err)
	}
	if _, err := runner.New("mkfs.ext4").Run(t.Context(), "-F", "-q", f); err != nil {
		t.Fatalf("%v", err)
	}
	return f
}

// AgentCommand sends a raw guest agent command (JSON) through libvirt and returns the
// agent's JSON reply.
func (g *Guest) AgentCommand(ctx context.Context, cmd string) (string, error) {
	return g.Virsh(ctx, "qemu-agent-command", g.Name, cmd)
}

// execPoll is how often Exec asks the agent whether the command has ended.
const execPoll = 150 * time.Millisecond

// Exec runs the program argv[0] with the arguments argv[1:] inside the guest through
// its guest agent (guest-exec), waits for it to end (polling guest-exec-status every
// 150 ms) and returns its standard output.
//
// The guest must have been started with Agent: true, and its agent must be connected
// (it connects a moment after the ready line: until then the agent command fails).
// argv[0] is a path in the guest: the busybox applets are in /bin, e.g.
// g.Exec(ctx, "/bin/sh", "-c", "dd if=/dev/zero of=/dev/vda bs=4k count=1 && sync").
// It goes only through AgentCommand, so it works as well for a guest of the miniature
// KVM host (KVMHost.StartGuest).
//
// When the command exits with a non-zero code or is killed by a signal, the error
// names the command, the exit code (or the signal) and its standard error; the
// standard output is returned too. When ctx ends first, Exec returns ctx's error and
// the command goes on in the guest. A command that leaves a background process
// holding its stdout or stderr is not over for the agent: redirect that process's
// output (cmd >/dev/null 2>&1 &).
func (g *Guest) Exec(ctx context.Context, argv ...string) (stdout string, err error) {
	st, err := qga.Exec(ctx, g.AgentCommand, argv, execPoll)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		return "", fmt.Errorf("guest %s: exec %q: %w", g.Name, argv, err)
	}
	stderr := strings.TrimSpace(string(st.Stderr))
	switch {
	case st.Signal != 0:
		return string(st.Stdout), fmt.Errorf("guest %s: exec %q: killed by signal %d: stderr: %q", g.Name, argv, st.Signal, stderr)
	case st.Exit != 0:
		return string(st.Stdout), fmt.Errorf("guest %s: exec %q: exit code %d: stderr: %q", g.Name, argv, st.Exit, stderr)
	case st.OutTruncated || st.ErrTruncated:
		return string(st.Stdout), fmt.Errorf("guest %s: exec %q: the agent truncated its output", g.Name, argv)
	}
	return string(st.Stdout), nil
}

// WaitAgent waits until the guest's agent answers a ping (it connects a moment after
// the ready line), for at most two minutes scaled by the machine's Pace (more for a
// nested guest).
func (g *Guest) WaitAgent(ctx context.Context) error {
	limit := 2 * time.Minute
	if g.nested {
		limit = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, Scaled(limit))
	defer cancel()
	for {
		_, err := g.AgentCommand(ctx, `{"execute":"guest-ping"}`)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("guest %s: the guest agent never answered: %w", g.Name, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
