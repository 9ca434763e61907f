// Package hostcheck owns `kvmbackup check`'s probes of a host: for each component
// kvmbackup needs (libvirt, lvm2 with device-mapper, OpenZFS, fsck; trees are copied
// in process, no rsync) whether it is usable here, what was found, and what to do when it is not.
// Each probe runs the real tool through the runner; nothing is changed.
package hostcheck

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// Result is one component's verdict.
type Result struct {
	Component string `json:"component"`
	Required  bool   `json:"required"`
	OK        bool   `json:"ok"`
	Detail    string `json:"detail"`         // what was found, or what failed
	Hint      string `json:"hint,omitempty"` // what to do when not OK
}

// Prober runs the probes. Tool paths are fields so tests can point them elsewhere.
type Prober struct {
	LibvirtURI string
	LVM        runner.Tool
	ZFS        runner.Tool
	E2fsck     runner.Tool
	ZFSDevice  string // the ZFS control node
	Timeout    time.Duration
}

// NewProber returns a Prober with the standard tool names and device paths.
func NewProber(libvirtURI string) *Prober {
	return &Prober{
		LibvirtURI: libvirtURI,
		LVM:        runner.New("lvm"),
		ZFS:        runner.New("zfs"),
		E2fsck:     runner.New("e2fsck"),
		ZFSDevice:  "/dev/zfs",
		Timeout:    10 * time.Second,
	}
}

// Run probes every component and returns their results in a fixed order.
func (p *Prober) Run(ctx context.Context) []Result {
	rs, c := p.Probe(ctx)
	c.Close()
	return rs
}

// Probe probes as Run does and keeps the connection the libvirt probe opened, for
// the caller to plan with (one connection for all of check): nil when libvirt is not
// usable. The caller closes it.
func (p *Prober) Probe(ctx context.Context) ([]Result, *hypervisor.Conn) {
	lv, c := p.libvirt(ctx)
	return []Result{
		lv,
		p.lvm(ctx),
		p.zfs(ctx),
		p.fsck(ctx),
	}, c
}

// Usable reports whether the named component was found usable.
func Usable(results []Result, component string) bool {
	for _, r := range results {
		if r.Component == component {
			return r.OK
		}
	}
	return false
}

// OK reports whether every required component is usable.
func OK(results []Result) bool {
	for _, r := range results {
		if r.Required && !r.OK {
			return false
		}
	}
	return true
}

func (p *Prober) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, p.Timeout)
}

// libvirt probes libvirt and returns the open connection when it is usable.
func (p *Prober) libvirt(ctx context.Context) (Result, *hypervisor.Conn) {
	r := Result{Component: "libvirt", Required: true}
	ctx, cancel := p.ctx(ctx)
	defer cancel()
	c, err := hypervisor.Connect(ctx, p.LibvirtURI)
	if err != nil {
		r.Detail = err.Error()
		r.Hint = "start libvirtd (systemctl start libvirtd), or set libvirt.uri to the host's libvirt URI"
		return r, nil
	}
	in, err := c.Info()
	if err != nil {
		c.Close()
		r.Detail = err.Error()
		r.Hint = "check that the libvirt connection allows read access (run as root)"
		return r, nil
	}
	r.OK = true
	r.Detail = fmt.Sprintf("%s: %s %s, libvirt %s, %d domains", p.LibvirtURI, in.Hypervisor, in.HypervisorVersion, in.LibvirtVersion, in.Domains)
	return r, c
}

func (p *Prober) lvm(ctx context.Context) Result {
	r := Result{Component: "lvm2", Required: true}
	ctx, cancel := p.ctx(ctx)
	defer cancel()
	out, err := p.LVM.Output(ctx, "version")
	if err != nil {
		r.Detail = err.Error()
		r.Hint = "install lvm2 (apt-get install lvm2)"
		if !runner.IsNotInstalled(err) {
			r.Hint = "lvm version failed: see the message; run as root"
		}
		return r
	}
	// lvm prints the kernel driver's version only when it can talk to it (a
	// /dev/mapper/control node alone proves nothing: it may have no driver behind it).
	ver := firstValue(string(out), "LVM version:")
	drv := firstValue(string(out), "Driver version:")
	if drv == "" {
		r.Detail = fmt.Sprintf("lvm2 %s, but the kernel's device-mapper driver does not answer", ver)
		r.Hint = "the kernel needs device-mapper with snapshots: modprobe dm-snapshot"
		return r
	}
	r.OK = true
	r.Detail = fmt.Sprintf("lvm2 %s, device-mapper driver %s", ver, drv)
	return r
}

func (p *Prober) zfs(ctx context.Context) Result {
	r := Result{Component: "zfs", Required: true}
	ctx, cancel := p.ctx(ctx)
	defer cancel()
	out, err := p.ZFS.Output(ctx, "version")
	if runner.IsNotInstalled(err) {
		r.Detail = err.Error()
		r.Hint = "install OpenZFS (apt-get install zfsutils-linux zfs-dkms, from Debian's contrib)"
		return r
	}
	lines := strings.Fields(string(out))
	if _, serr := os.Stat(p.ZFSDevice); serr != nil || err != nil {
		r.Detail = "OpenZFS tools present, but the zfs kernel module is not loaded"
		if len(lines) > 0 {
			r.Detail = lines[0] + ": the zfs kernel module is not loaded (" + p.ZFSDevice + " missing)"
		}
		r.Hint = "load the module: modprobe zfs (install zfs-dkms for this kernel first)"
		return r
	}
	r.OK = true
	r.Detail = strings.Join(lines, ", ")
	return r
}

func (p *Prober) fsck(ctx context.Context) Result {
	r := Result{Component: "fsck", Required: true}
	ctx, cancel := p.ctx(ctx)
	defer cancel()
	res, err := p.E2fsck.Run(ctx, "-V")
	if err != nil {
		r.Detail = err.Error()
		r.Hint = "install e2fsprogs (apt-get install e2fsprogs): file-mode volumes are checked with fsck -p"
		return r
	}
	r.OK = true
	r.Detail = strings.TrimSpace(firstLine(string(res.Stderr) + string(res.Stdout)))
	return r
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(l)
}

// firstValue returns what follows prefix on the first line that has it.
func firstValue(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if v, ok := strings.CutPrefix(l, prefix); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
