// Package testenv owns kvmbackup's lab: real libvirt/QEMU guests on the machine's
// libvirtd, the appliance VM (the Debian kernel under QEMU with the machine's root
// shared read-only) that gives tests real device-mapper, LVM and OpenZFS, and the
// miniature KVM host inside it. Nothing here is a mock: tests of the hypervisor, lvm
// and zfs packages run against these.
//
// Lab tests never skip silently: with KVMBACKUP_LAB=1 (CI) a missing component fails
// the test; otherwise it skips with a message naming what is missing and how to get it.
// Every resource is created under a unique name and removed in Cleanup, also on failure.
package testenv

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// TB is what the lab needs of a test: *testing.T and *testing.B satisfy it, and so
// does a Session for programs (the demo).
type TB interface {
	Helper()
	Name() string
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	Cleanup(func())
	Context() context.Context
}

// Component is a part of the lab a test needs.
type Component string

const (
	// Libvirt is a running libvirtd with the QEMU driver, virsh, qemu-system-x86_64,
	// the lab kernel and busybox: enough for real guests on the machine.
	Libvirt Component = "libvirt"
	// Appliance is QEMU, the lab kernel with its modules, busybox, lvm2, the ZFS
	// modules and tools and the Go toolchain: enough to boot the appliance VM.
	Appliance Component = "appliance"
	// DeviceMapper is a kernel with device-mapper (inside the appliance).
	DeviceMapper Component = "device-mapper"
	// ZFS is a loaded ZFS module and the zfs/zpool tools (inside the appliance).
	ZFS Component = "zfs"
	// Root is root privileges with loop devices and mounts (losetup, tmpfs).
	Root Component = "root"
	// SSHD is OpenSSH's sshd extracted into the lab dir by `make deps` (not installed
	// on the machine), with ssh and ssh-keygen: enough for StartSSHD inside the
	// appliance.
	SSHD Component = "sshd"
)

// EnvLab is set to 1 by CI: then a missing lab component fails instead of skipping.
const EnvLab = "KVMBACKUP_LAB"

// envInAppliance is set inside the appliance by its agent.
const envInAppliance = "KVMBACKUP_IN_APPLIANCE"

// LabRequired reports whether missing lab components must fail (CI).
func LabRequired() bool { return os.Getenv(EnvLab) == "1" }

// Inside reports whether this process runs inside the appliance.
func Inside() bool { return os.Getenv(envInAppliance) == "1" }

// Require checks that every component is usable here. A missing one skips the test
// with a message naming it and what installs it, or fails it when KVMBACKUP_LAB=1.
func Require(t TB, components ...Component) {
	t.Helper()
	var missing []string
	for _, c := range components {
		if err := Check(c); err != nil {
			missing = append(missing, err.Error())
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "lab component missing: " + strings.Join(missing, "; ")
	if LabRequired() {
		t.Fatalf("%s (%s=1: lab tests may not skip)", msg, EnvLab)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", msg, EnvLab)
}

// Check returns nil when the component is usable here, or an error naming what is
// missing and how to install it.
func Check(c Component) error {
	var errs []error
	need := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	switch c {
	case Libvirt:
		need(needBinary("virsh", "libvirt-clients"))
		need(needBinary("qemu-system-x86_64", "qemu-system-x86"))
		need(needFile("/run/libvirt/libvirt-sock", "libvirtd is not running: run `make deps` (it starts virtlogd and libvirtd)"))
		need(needKernel())
		_, err := GuestKernel()
		need(err)
		need(needFile(busyboxPath, "install busybox-static (`make deps`)"))
	case Appliance:
		need(needBinary("qemu-system-x86_64", "qemu-system-x86"))
		need(needBinary("lvm", "lvm2"))
		need(needBinary("zfs", "zfsutils-linux"))
		need(needBinary("go", "the Go toolchain"))
		need(needFile(busyboxPath, "install busybox-static (`make deps`)"))
		_, err := GuestKernel() // the miniature KVM host's guests boot it
		need(err)
		if err := needKernel(); err != nil {
			need(err)
		} else {
			kv, _ := KernelVersion()
			need(needFile(filepath.Join(dkmsModuleDir(kv), "zfs.ko"),
				"the ZFS module is not built for the lab kernel "+kv+": run `make deps` (about 8 minutes once)"))
		}
	case DeviceMapper:
		need(needKernelMisc("device-mapper", "no device-mapper in this kernel: run the test inside the appliance (testenv.InAppliance)"))
		need(needBinary("lvm", "lvm2"))
	case ZFS:
		need(needKernelMisc("zfs", "no ZFS module loaded: run the test inside the appliance (testenv.InAppliance)"))
		need(needBinary("zfs", "zfsutils-linux"))
		need(needBinary("zpool", "zfsutils-linux"))
	case Root:
		if os.Geteuid() != 0 {
			need(errors.New("not root: run the tests as root (make test)"))
		}
		need(needKernelMisc("loop-control", "no loop devices in this kernel"))
		need(needBinary("losetup", "mount"))
	case SSHD:
		need(needFile(SSHDPath(), "run `make deps` (it extracts openssh-server into the lab dir; nothing is installed or started on the machine)"))
		need(needBinary("ssh", "openssh-client"))
		need(needBinary("ssh-keygen", "openssh-client"))
		need(needBinary("ip", "iproute2"))
		need(needBinary("useradd", "passwd"))
	default:
		return fmt.Errorf("unknown lab component %q", c)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s: %w", c, errors.Join(errs...))
	}
	return nil
}

const busyboxPath = "/bin/busybox"

func needBinary(name, pkg string) error {
	if _, err := exec.LookPath(name); err != nil {
		return fmt.Errorf("%s not found in PATH (install %s: `make deps`)", name, pkg)
	}
	return nil
}

func needFile(path, hint string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%s missing: %s", path, hint)
	}
	return nil
}

// needKernelMisc checks that the kernel registered the misc device name (a /dev node
// alone proves nothing: it can exist with no driver behind it).
func needKernelMisc(name, hint string) error {
	b, err := os.ReadFile("/proc/misc")
	if err != nil {
		return fmt.Errorf("/proc/misc: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[1] == name {
			return nil
		}
	}
	return fmt.Errorf("kernel has no %s driver: %s", name, hint)
}

// LabDir is where `make deps` keeps the lab's assets (the extracted kernel).
func LabDir() string {
	if d := os.Getenv("KVMBACKUP_LAB_DIR"); d != "" {
		return d
	}
	return "/var/lib/kvmbackup-lab"
}

// KernelVersion is the version of the Debian kernel the lab boots.
func KernelVersion() (string, error) {
	b, err := os.ReadFile(filepath.Join(LabDir(), "kernel", "VERSION"))
	if err != nil {
		return "", fmt.Errorf("lab kernel not extracted (%v): run `make deps`", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// KernelImage is the path of the Debian kernel that the appliance boots, uncompressed
// (`make deps` extracts it from the vmlinuz): an ELF that QEMU starts at its PVH entry,
// which skips the BIOS's real-mode loader and the xz decompression, both slow under
// TCG. The appliance needs this kernel: its modules are device-mapper's and the
// ZFS modules DKMS built for it.
func KernelImage() (string, error) {
	kv, err := KernelVersion()
	if err != nil {
		return "", err
	}
	return filepath.Join(LabDir(), "kernel", "boot", "vmlinux-"+kv), nil
}

// GuestKernel is the path of the tiny kernel the lab's guests boot: built by `make
// deps` from Debian's linux-source with only what a tiny guest uses, all built in
// (testenv/guest-kernel.config), and booted at its PVH entry. A guest of the Debian
// kernel spent most of its boot in initcalls and module loads; nested (TCG inside
// TCG) that was minutes on a slow machine. An error names a kernel that is missing or
// was built from another guest-kernel.config than this tree's.
func GuestKernel() (string, error) {
	dir := filepath.Join(LabDir(), "guest-kernel")
	img := filepath.Join(dir, "vmlinux")
	if err := needFile(img, "run `make deps` (it builds the tiny guest kernel once, ~5 minutes)"); err != nil {
		return "", err
	}
	conf, err := os.ReadFile(filepath.Join(moduleRoot(), "testenv", "guest-kernel.config"))
	if err != nil {
		return "", fmt.Errorf("the guest kernel's config: %w", err)
	}
	key, err := os.ReadFile(filepath.Join(dir, "KEY"))
	if err != nil {
		return "", fmt.Errorf("the guest kernel's build key: %w: run `make deps`", err)
	}
	// KEY is "<source package version> <sha256 of the config>" (scripts/deps.sh).
	sum := fmt.Sprintf("%x", sha256.Sum256(conf))
	if f := strings.Fields(string(key)); len(f) != 2 || f[1] != sum {
		return "", fmt.Errorf("%s was built from another testenv/guest-kernel.config than this tree's: run `make deps` to build it again", img)
	}
	return img, nil
}

func needKernel() error {
	img, err := KernelImage()
	if err != nil {
		return err
	}
	return needFile(img, "run `make deps` (it extracts the Debian kernel and uncompresses it)")
}

func kernelModuleDir(kv string) string {
	return filepath.Join(LabDir(), "kernel", "lib", "modules", kv, "kernel")
}

func dkmsModuleDir(kv string) string { return filepath.Join("/usr/lib/modules", kv, "updates", "dkms") }

// workRoot holds every lab run's files. Not /tmp: inside the appliance /tmp is a
// tmpfs of its own, while /var/tmp is the machine's, seen through the shared root.
const workRoot = "/var/tmp/kvmbackup-lab"

// WorkDir makes a fresh directory under the lab's work root, removed at cleanup.
func WorkDir(t TB) string {
	t.Helper()
	if err := os.MkdirAll(workRoot, 0o755); err != nil {
		t.Fatalf("lab work dir: %v", err)
	}
	dir, err := os.MkdirTemp(workRoot, safeName(t.Name())+"-")
	if err != nil {
		t.Fatalf("lab work dir: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

var uniqueMu sync.Mutex
var uniqueSeq int

// UniqueName returns a name for a lab resource (domain, VG, pool) unique on this
// machine: prefix, the process id and a sequence number. Only [a-z0-9-] are used so
// the name is valid for libvirt, LVM and ZFS alike.
func UniqueName(prefix string) string {
	uniqueMu.Lock()
	uniqueSeq++
	n := uniqueSeq
	uniqueMu.Unlock()
	return fmt.Sprintf("%s%d-%d", prefix, os.Getpid(), n)
}

// LabPrefix starts the name of every lab resource, so `make lab-clean` finds leftovers.
const LabPrefix = "kvmblab-"

func safeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := b.String()
	if len(out) > 40 {
		out = out[:40]
	}
	return out
}

// Session is a TB for programs (the demo): cleanups run in reverse order when Run
// returns, logs go to a function, and Fatalf ends Run's function with an error (through
// runtime.Goexit, as testing does), so it must be called from inside that function.
type Session struct {
	ctx      context.Context
	name     string
	logf     func(format string, args ...any)
	mu       sync.Mutex
	cleanups []func()
	fatal    string
}

// NewSession returns a Session named name that logs through logf.
func NewSession(ctx context.Context, name string, logf func(string, ...any)) *Session {
	return &Session{ctx: ctx, name: name, logf: logf}
}

func (s *Session) Helper()                          {}
func (s *Session) Name() string                     { return s.name }
func (s *Session) Context() context.Context         { return s.ctx }
func (s *Session) Logf(format string, args ...any)  { s.logf(format, args...) }
func (s *Session) Skipf(format string, args ...any) { s.Fatalf(format, args...) }

// Fatalf records the message and ends the function Run is running.
func (s *Session) Fatalf(format string, args ...any) {
	s.mu.Lock()
	s.fatal = fmt.Sprintf(format, args...)
	s.mu.Unlock()
	runtime.Goexit()
}

// Cleanup registers f to run when Run returns.
func (s *Session) Cleanup(f func()) {
	s.mu.Lock()
	s.cleanups = append(s.cleanups, f)
	s.mu.Unlock()
}

// Run calls f, turning a Fatalf inside it into an error, and then runs every cleanup.
func (s *Session) Run(f func() error) error {
	defer s.close()
	done := make(chan error, 1)
	go func() {
		finished := false
		defer func() {
			if !finished { // Fatalf called runtime.Goexit
				s.mu.Lock()
				done <- errors.New(s.fatal)
				s.mu.Unlock()
			}
		}()
		err := f()
		finished = true
		done <- err
	}()
	return <-done
}

func (s *Session) close() {
	s.mu.Lock()
	cs := s.cleanups
	s.cleanups = nil
	s.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

// waitFor polls cond every interval until it returns true, an error, or ctx ends.
func waitFor(ctx context.Context, interval time.Duration, cond func() (bool, error)) error {
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}
