package testenv

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/testenv/internal/labctl"
)

// ApplianceOptions describe the appliance VM.
type ApplianceOptions struct {
	MemoryMiB   int     // default 3072 (room for the miniature KVM host)
	CPUs        int     // default 2
	ScratchSize int64   // the scratch ext4 disk (vda, on /scratch): default 32 GiB, sparse
	Disks       []int64 // extra raw disks, sparse: vdb, vdc, …
}

// ApplianceVM is a running appliance: the Debian kernel under QEMU (TCG) with the
// machine's root as its own (read-only 9p + tmpfs overlay), so every binary of the
// machine runs inside with real device-mapper, LVM and OpenZFS. Dir is shared
// read-write at the same path on both sides.
//
// The overlay assumes its lower layer (the machine's root) does not change while
// mounted: files the machine makes or changes after boot may not be seen inside, or
// fail with ESTALE. Pass everything made after boot through Dir.
type ApplianceVM struct {
	Dir      string        // the lab share: same path inside and out
	Console  string        // the serial console log
	Disks    []string      // device paths inside of the extra disks (/dev/vdb, …)
	BootTime time.Duration // QEMU start → agent ready
	// Retried: why the first boot was given up for a second one ("" when it was not).
	Retried string

	client  *labctl.Client
	cancel  context.CancelFunc
	exited  chan error
	binOnce sync.Once
	binPath string
	binErr  error
}

// StartAppliance boots an appliance for one test; it is powered off at cleanup.
func StartAppliance(t TB, opts ApplianceOptions) *ApplianceVM {
	t.Helper()
	dir := WorkDir(t)
	stop := sayWhileWaiting(t.Logf, "the appliance to boot")
	a, err := BootAppliance(t.Context(), dir, opts)
	stop()
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(a.Close)
	t.Logf("appliance booted in %.1fs (this machine's pace: %.1f× the reference machine's)%s", a.BootTime.Seconds(), Pace(), a.retriedNote())
	return a
}

// retriedNote is ", after ..." when the first boot was given up, for a log line.
func (a *ApplianceVM) retriedNote() string {
	if a.Retried == "" {
		return ""
	}
	return "; a first boot was killed and booted again: " + a.Retried
}

// BootAppliance boots an appliance whose files live in dir (which must exist and
// outlive it). Close powers it off. A boot whose agent has not answered within
// firstBootTimeout is killed and booted once more, with applianceBootTimeout: QEMU
// under TCG has hung at boot, its console empty, for 5 minutes (CI, 2026-12-03),
// where a boot takes 6–15 s. Retried then says why.
func BootAppliance(ctx context.Context, dir string, opts ApplianceOptions) (*ApplianceVM, error) {
	a, err := bootAppliance(ctx, dir, opts, firstBootTimeout)
	if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
		return a, err
	}
	again, err2 := bootAppliance(ctx, dir, opts, applianceBootTimeout)
	if err2 != nil {
		return nil, fmt.Errorf("%w; booted again: %w", err, err2)
	}
	again.Retried = fmt.Sprintf("not ready in %v", firstBootTimeout)
	return again, nil
}

// bootAppliance is one boot, given up after timeout.
func bootAppliance(ctx context.Context, dir string, opts ApplianceOptions, timeout time.Duration) (*ApplianceVM, error) {
	if err := Check(Appliance); err != nil {
		return nil, err
	}
	if opts.MemoryMiB == 0 {
		opts.MemoryMiB = 3072
	}
	if opts.CPUs == 0 {
		opts.CPUs = 2
	}
	if opts.ScratchSize == 0 {
		opts.ScratchSize = 32 << 30
	}
	kernel, err := KernelImage()
	if err != nil {
		return nil, err
	}
	agent := filepath.Join(dir, "labagent")
	if err := buildAgent(ctx, agent); err != nil {
		return nil, err
	}
	initrd := filepath.Join(dir, "appliance-initramfs.cpio")
	if err := buildInitramfs(initrd, applianceInit, applianceModules, nil); err != nil {
		return nil, fmt.Errorf("appliance: %w", err)
	}
	scratch := filepath.Join(dir, "scratch.img")
	if err := sparseFile(scratch, opts.ScratchSize); err != nil {
		return nil, err
	}
	if _, err := runner.New("mkfs.ext4").Run(ctx, "-F", "-q", "-E", "lazy_itable_init=1,lazy_journal_init=1", scratch); err != nil {
		return nil, fmt.Errorf("appliance scratch disk: %w", err)
	}
	a := &ApplianceVM{Dir: dir, Console: filepath.Join(dir, "appliance.console"), exited: make(chan error, 1)}
	sock := filepath.Join(dir, "ctl.sock")
	for _, f := range []string{sock, a.Console} { // an earlier boot's
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("appliance: %w", err)
		}
	}
	args := []string{
		"-name", "kvmbackup-lab-appliance", "-machine", "pc", "-accel", "tcg,thread=multi",
		"-cpu", "max", "-smp", fmt.Sprint(opts.CPUs), "-m", fmt.Sprint(opts.MemoryMiB),
		"-display", "none", "-monitor", "none", "-no-reboot", "-nic", "none",
		"-serial", "file:" + a.Console,
		"-kernel", kernel, "-initrd", initrd,
		"-append", "console=ttyS0 quiet panic=-1 " + fastBoot + " kvmbackup.share=" + dir + " kvmbackup.agent=" + agent,
		"-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
		"-virtfs", "local,path=" + dir + ",mount_tag=labshare,security_model=none,multidevs=remap",
		"-drive", "file=" + scratch + ",format=raw,if=virtio,cache=unsafe",
	}
	for i, size := range opts.Disks {
		f := filepath.Join(dir, fmt.Sprintf("disk%d.img", i))
		if err := sparseFile(f, size); err != nil {
			return nil, err
		}
		args = append(args, "-drive", "file="+f+",format=raw,if=virtio,cache=unsafe")
		a.Disks = append(a.Disks, "/dev/vd"+string(rune('b'+i)))
	}
	args = append(args, "-device", "virtio-serial-pci",
		"-chardev", "socket,id=ctl,path="+sock+",server=on,wait=off",
		"-device", "virtserialport,chardev=ctl,name="+labctl.PortName)

	qctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	start := time.Now()
	go func() {
		_, err := runner.New("qemu-system-x86_64").RunWith(qctx, runner.Options{KillWithParent: true}, args...)
		a.exited <- err
		close(a.exited)
	}()
	fail := func(err error) (*ApplianceVM, error) {
		a.Close()
		b, _ := os.ReadFile(a.Console)
		return nil, fmt.Errorf("appliance did not start: %w\nconsole:\n%s", err, Tail(string(b), 3000))
	}
	var conn net.Conn
	bctx, bcancel := context.WithTimeout(ctx, timeout)
	defer bcancel()
	err = waitFor(bctx, 20*time.Millisecond, func() (bool, error) {
		select {
		case err := <-a.exited:
			return false, fmt.Errorf("qemu exited: %v", err)
		default:
		}
		c, err := net.Dial("unix", sock)
		if err != nil {
			return false, nil
		}
		conn = c
		return true, nil
	})
	if err != nil {
		return fail(err)
	}
	a.client = labctl.NewClient(conn)
	if err := a.client.WaitReady(bctx); err != nil {
		return fail(err)
	}
	a.BootTime = time.Since(start)
	recordApplianceBoot(a.BootTime)
	return a, nil
}

// applianceBootTimeout bounds the appliance's boot, which measures the machine's Pace
// (5.4 s on the reference machine, 12–15 s on a slow one): so it cannot scale with it.
// firstBootTimeout: a first boot not ready by then is killed and booted again
// (BootAppliance): about ten times the slowest boot seen.
var (
	applianceBootTimeout = 5 * time.Minute
	firstBootTimeout     = 150 * time.Second
)

// Close powers the appliance off (kills QEMU: its disks are scratch) and waits for it.
func (a *ApplianceVM) Close() {
	if a.client != nil {
		a.client.Close()
	}
	a.cancel()
	<-a.exited
}

// Exec runs a command inside. Stdout streams to stdout when it is not nil.
func (a *ApplianceVM) Exec(ctx context.Context, req labctl.Request, stdout io.Writer) (labctl.Result, error) {
	return a.client.Exec(ctx, req, stdout)
}

// ExecRequest is a command for Exec; ExecResult what it left.
type (
	ExecRequest = labctl.Request
	ExecResult  = labctl.Result
)

// Run runs argv inside and returns its stdout; a non-zero exit is an error with stderr.
func (a *ApplianceVM) Run(ctx context.Context, argv ...string) (string, error) {
	return a.RunStdin(ctx, "", argv...)
}

// RunStdin is Run with stdin.
func (a *ApplianceVM) RunStdin(ctx context.Context, stdin string, argv ...string) (string, error) {
	res, err := a.Exec(ctx, labctl.Request{Argv: argv, Stdin: []byte(stdin)}, nil)
	if err != nil {
		return string(res.Stdout), err
	}
	if res.Exit != 0 {
		return string(res.Stdout), fmt.Errorf("in the appliance: %s: exit status %d: %s",
			strings.Join(argv, " "), res.Exit, strings.TrimSpace(string(res.Stderr)))
	}
	return string(res.Stdout), nil
}

// Shell runs a /bin/sh script inside (for the lab's own set-up steps only).
func (a *ApplianceVM) Shell(ctx context.Context, script string) (string, error) {
	return a.Run(ctx, "/bin/sh", "-ec", script)
}

func sparseFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// moduleRoot is the source tree this package was built from.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func buildAgent(ctx context.Context, dst string) error {
	tool := runner.Tool{Path: "go", Env: append(os.Environ(), "CGO_ENABLED=0")}
	_, err := tool.RunWith(ctx, runner.Options{Dir: moduleRoot()}, "build", "-o", dst, "./testenv/labagent")
	if err != nil {
		return fmt.Errorf("build the appliance agent: %w", err)
	}
	return nil
}

// The appliance shared by one package's tests: booted at the first InAppliance call,
// powered off when Main's m.Run returns.
var shared struct {
	sync.Mutex
	enabled bool
	opts    ApplianceOptions
	dir     string
	app     *ApplianceVM
	err     error
}

// Main is the TestMain of a package whose tests use InAppliance: inside the appliance
// it just runs the tests; on the machine it powers the shared appliance off at the end.
func Main(m *testing.M, opts ApplianceOptions) {
	if Inside() {
		os.Exit(m.Run())
	}
	shared.Lock()
	shared.enabled, shared.opts = true, opts
	shared.Unlock()
	code := m.Run()
	shared.Lock()
	if shared.app != nil {
		shared.app.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	shared.Unlock()
	os.Exit(code)
}

// SharedAppliance returns the package's appliance, booting it on first use.
func SharedAppliance(t TB) *ApplianceVM {
	t.Helper()
	Require(t, Appliance)
	shared.Lock()
	defer shared.Unlock()
	if !shared.enabled {
		t.Fatalf("testenv: the package's TestMain must call testenv.Main(m, opts) to share an appliance")
	}
	if shared.app == nil && shared.err == nil {
		if err := os.MkdirAll(workRoot, 0o755); err != nil {
			t.Fatalf("%v", err)
		}
		shared.dir, shared.err = os.MkdirTemp(workRoot, "appliance-")
		if shared.err == nil {
			shared.app, shared.err = BootAppliance(context.Background(), shared.dir, shared.opts)
		}
		if shared.err == nil {
			t.Logf("appliance booted in %.1fs (this machine's pace: %.1f× the reference machine's)%s", shared.app.BootTime.Seconds(), Pace(), shared.app.retriedNote())
		}
	}
	if shared.err != nil {
		t.Fatalf("%v", shared.err)
	}
	return shared.app
}

// InAppliance runs fn as the test t inside the package's shared appliance, where the
// kernel has device-mapper, loop and ZFS. On the machine it runs this same test binary
// inside (only this test) and the inner result decides t; inside it calls fn(t).
func InAppliance(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	if Inside() {
		fn(t)
		return
	}
	a := SharedAppliance(t)
	a.runTestInside(t)
}

func (a *ApplianceVM) runTestInside(t *testing.T) {
	t.Helper()
	a.binOnce.Do(func() {
		shared := filepath.Join(a.Dir, "test-"+filepath.Base(os.Args[0]))
		if a.binErr = copyFile(os.Args[0], shared); a.binErr != nil {
			return
		}
		a.binPath, a.binErr = installBin(t.Context(), a.Run, shared)
	})
	if a.binErr != nil {
		t.Fatalf("copy the test binary into the appliance: %v", a.binErr)
	}
	var pat []string
	for _, part := range strings.Split(t.Name(), "/") {
		pat = append(pat, "^"+regexp.QuoteMeta(part)+"$")
	}
	wd, _ := os.Getwd()
	argv := []string{a.binPath, "-test.run", strings.Join(pat, "/"), "-test.v", "-test.count=1"}
	env := []string{EnvLab + "=" + os.Getenv(EnvLab), envShare + "=" + a.Dir}
	if d := os.Getenv("KVMBACKUP_LAB_DIR"); d != "" {
		env = append(env, "KVMBACKUP_LAB_DIR="+d)
	}
	lw := &lineLogger{t: t, prefix: "appliance: "}
	res, err := a.Exec(t.Context(), labctl.Request{Argv: argv, Env: env, Dir: wd}, lw)
	lw.flush()
	if err != nil {
		t.Fatalf("run %s inside the appliance: %v", t.Name(), err)
	}
	if res.Exit != 0 {
		t.Fatalf("%s failed inside the appliance (exit %d)\nstderr: %s", t.Name(), res.Exit, res.Stderr)
	}
	// The inner run must really have run and passed this test: a pattern that matched
	// nothing also exits 0.
	if !strings.Contains(lw.all.String(), "--- PASS: "+t.Name()+" (") {
		t.Fatalf("%s did not report PASS inside the appliance (did it run?)", t.Name())
	}
}

// applianceBinDir is where the appliance keeps its own copies of executables from
// the share, on its tmpfs. Run from the share (9p without a cache, a fresh inode at
// each open), an executable's pages are read over 9p again at every start: `kvmbackup
// version` took 0.5–2.6 s from the share and 0.1–0.3 s from the copy (2026-12-03).
const applianceBinDir = "/run/kvmblab-bin"

// Install copies the executable src (a file in the share, Dir) into the appliance's
// own tmpfs and returns its path there: for a binary a test starts many times inside
// (a kvmbackup built for it). The copy goes with the appliance.
func (a *ApplianceVM) Install(t TB, src string) string {
	t.Helper()
	dst, err := installBin(t.Context(), a.Run, src)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return dst
}

// installBin copies src into applianceBinDir with install(1), run inside by run
// (ApplianceVM.Run from the machine, Local inside), and returns the copy's path.
func installBin(ctx context.Context, run Commander, src string) (string, error) {
	dst := filepath.Join(applianceBinDir, filepath.Base(src))
	if _, err := run(ctx, "install", "-D", "-m", "0755", src, dst); err != nil {
		return "", fmt.Errorf("install %s into the appliance: %w", src, err)
	}
	return dst, nil
}

// InstallInside is Install for a test already inside the appliance: it copies src
// (in the share) to the appliance's tmpfs and returns the copy's path.
func InstallInside(t TB, src string) string {
	t.Helper()
	if !Inside() {
		t.Fatalf("testenv.InstallInside runs only inside the appliance")
	}
	dst, err := installBin(t.Context(), Local, src)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return dst
}

// ShareDir is, inside the appliance, the share its test was started from (the
// machine's ApplianceVM.Dir, at the same path); "" elsewhere.
func ShareDir() string { return os.Getenv(envShare) }

const envShare = "KVMBLAB_SHARE" // not KVMBACKUP_*: kvmbackup refuses such a variable it does not know

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// lineLogger sends whole lines to t.Logf and keeps everything.
type lineLogger struct {
	t      *testing.T
	prefix string
	buf    bytes.Buffer
	all    bytes.Buffer
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.all.Write(p)
	l.buf.Write(p)
	for {
		i := bytes.IndexByte(l.buf.Bytes(), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(l.buf.Next(i + 1))
		l.t.Log(l.prefix + strings.TrimRight(line, "\n"))
	}
}

func (l *lineLogger) flush() {
	if l.buf.Len() > 0 {
		sc := bufio.NewScanner(&l.buf)
		for sc.Scan() {
			l.t.Log(l.prefix + sc.Text())
		}
	}
}
