package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// KVMHost is the miniature KVM host: libvirtd and virtlogd running inside an
// appliance, whose guests can have LVs as disks. Its guests boot in minutes (TCG
// inside TCG), so tests boot one host and run several scenarios in it.
type KVMHost struct {
	App *ApplianceVM

	initOnce  sync.Once
	initramfs string
	initErr   error
}

// StartKVMHost starts virtlogd and libvirtd inside the appliance (when not already
// running) and waits until libvirt's QEMU driver answers.
func StartKVMHost(t TB, a *ApplianceVM) *KVMHost {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), Scaled(libvirtdStartTimeout))
	defer cancel()
	// The daemons detach; their output goes to a file on the share for post-mortems.
	log := filepath.Join(a.Dir, "libvirtd.log")
	stop := sayWhileWaiting(t.Logf, "libvirtd inside the appliance (it probes QEMU first)")
	defer stop()
	_, err := a.Shell(ctx, `
pgrep -x virtlogd >/dev/null || virtlogd -d </dev/null >>`+log+` 2>&1
pgrep -x libvirtd >/dev/null || libvirtd -d </dev/null >>`+log+` 2>&1
until virsh -c qemu:///system capabilities 2>/dev/null | grep -q "domain type='qemu'"; do sleep 1; done`)
	if err != nil {
		b, _ := os.ReadFile(log)
		t.Fatalf("libvirtd inside the appliance: %v\n%s", err, Tail(string(b), 2000))
	}
	t.Logf("libvirtd inside the appliance ready in %.1fs", time.Since(start).Seconds())
	return &KVMHost{App: a}
}

// libvirtdStartTimeout bounds libvirtd's start inside the appliance on the reference
// machine (scaled by Pace): it probes QEMU's capabilities under TCG first.
var libvirtdStartTimeout = 4 * time.Minute

// Virsh runs virsh on the miniature host.
func (h *KVMHost) Virsh(ctx context.Context, args ...string) ([]byte, error) {
	out, err := h.App.Run(ctx, append([]string{"virsh", "-c", "qemu:///system"}, args...)...)
	return []byte(out), err
}

// StartGuest starts a tiny guest on the miniature host (see StartGuest); its console
// log and initramfs live on the lab share, so both sides see them.
func (h *KVMHost) StartGuest(t TB, opts GuestOptions) *Guest {
	t.Helper()
	return h.StartGuests(t, opts)[0]
}

// StartGuests starts one tiny guest per options on the miniature host, all at once
// (their slow boots overlap), and waits until every one is ready.
func (h *KVMHost) StartGuests(t TB, opts ...GuestOptions) []*Guest {
	t.Helper()
	h.initOnce.Do(func() { h.initramfs, h.initErr = GuestInitramfs(t.Context(), h.App.Dir) })
	if h.initErr != nil {
		t.Fatalf("nested guest initramfs: %v", h.initErr)
	}
	for i := range opts {
		opts[i].Virsh = h.Virsh
		opts[i].nested = true
		opts[i].ReadLog = h.readLog
		if opts[i].Initramfs == "" {
			opts[i].Initramfs = h.initramfs
		}
		if opts[i].Dir == "" {
			opts[i].Dir = filepath.Join(h.App.Dir, UniqueName("guest"))
			if err := os.MkdirAll(opts[i].Dir, 0o755); err != nil {
				t.Fatalf("%v", err)
			}
		}
	}
	return StartGuests(t, opts...)
}

// String names the host for messages.
func (h *KVMHost) String() string { return fmt.Sprintf("miniature KVM host in %s", h.App.Dir) }

// readLog reads a file inside the appliance, for messages (an error reads as empty).
func (h *KVMHost) readLog(ctx context.Context, path string) string {
	out, _ := h.App.Run(ctx, "tail", "-c", "4000", path)
	return out
}
