package testenv

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// The modules each image loads, by name; their dependencies are found and loaded
// first (from each module's .modinfo), so these lists name only what is wanted.
var (
	// The tiny guest kernel has its drivers built in (guest-kernel.config).
	guestModules     []string
	applianceModules = []string{
		"virtio_pci", "virtio_blk", "virtio_console",
		"9pnet_virtio", "9p", "overlay", "loop",
		"crc32c_generic", "ext4",
		"dm_mod", "dm_snapshot", "dm_thin_pool",
		"zfs",
	}
)

// initPreamble starts both /init scripts: /proc, /sys, /dev. busybox's applets are
// symlinks in the archive (buildInitramfs): no process to install them.
const initPreamble = `#!/bin/busybox sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
`

// GuestReadyLine is what the tiny guest prints on its console when it is up.
const GuestReadyLine = "KVMBACKUP-GUEST-READY"

// guestInit is the tiny guest's /init. Under TCG inside TCG every process costs
// seconds (an exec is page faults and page-table work, which nested emulation makes
// hundreds of times slower), so it starts as few as it can: the shell reads the
// command line and the port names itself, and the kernel has its drivers built in.
// Each step prints the guest's uptime, so a slow boot shows where it spent its time.
// Kernel command line options it reads:
//
//	kvmbackup.mount=DEV:DIR   mount the ext4 filesystem DEV on DIR
//	kvmbackup.agent=1         start qemu-ga on the org.qemu.guest_agent.0 port
const guestInit = initPreamble + `stamp() { read -r up _ </proc/uptime; echo "kvmbackup-guest: [$up] $*"; }
stamp "/init started"
echo 1 >/proc/sys/kernel/sysrq
read -r cmdline </proc/cmdline
agent=
for arg in $cmdline; do
	case "$arg" in
	kvmbackup.mount=*)
		spec=${arg#kvmbackup.mount=}
		i=0 # a device probed asynchronously: wait for its node
		while [ ! -b "${spec%%:*}" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
		mkdir -p "${spec#*:}"
		mount -t ext4 "${spec%%:*}" "${spec#*:}" && stamp "mounted ${spec%%:*} on ${spec#*:}"
		;;
	kvmbackup.agent=1) agent=1 ;;
	esac
done
if [ -n "$agent" ]; then
	for p in /sys/class/virtio-ports/*; do
		name=
		read -r name <"$p/name"
		[ "$name" = org.qemu.guest_agent.0 ] || continue
		port=/dev/${p##*/}
		qemu-ga -m virtio-serial -p "$port" -t /tmp -f /tmp/qga.pid -d && stamp "qemu-ga on $port"
	done
fi
echo "` + GuestReadyLine + `"
while :; do sleep 3600; done
`

// ApplianceReadyLine is what the appliance prints on its console before its agent starts.
const ApplianceReadyLine = "KVMBACKUP-APPLIANCE-READY"

// applianceInit is the appliance's /init: the machine's root (9p, read-only) under a
// tmpfs overlay becomes the root, /dev /proc /sys are real, /run and /root are empty
// tmpfs (/tmp is the machine's, through the overlay: a checkout under /tmp is visible
// inside), the lab share is mounted read-write at the same path as on the machine,
// the scratch disk (vda, ext4) on /scratch; then the control agent runs in that root.
// When the agent ends the appliance powers off.
const applianceInit = initPreamble + `fail() { echo "kvmbackup-appliance: $*"; echo o >/proc/sysrq-trigger; sleep 10; }
while read -r m; do
	insmod "$m" || echo "kvmbackup-appliance: insmod $m failed"
done </etc/modules.load
echo 1 >/proc/sys/kernel/sysrq
share= agent=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	kvmbackup.share=*) share=${arg#kvmbackup.share=} ;;
	kvmbackup.agent=*) agent=${arg#kvmbackup.agent=} ;;
	esac
done
mkdir -p /lower /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 hostroot /lower || fail "mount of the machine's root failed"
mount -t tmpfs -o mode=755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || fail "overlay mount failed"
mount -o bind /dev /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t tmpfs -o mode=755 tmpfs /newroot/run
# root's home of its own: the machine's (its shell rc files) must not shape the lab.
# bash started by sshd reads ~/.bashrc even for a forced command; one that set up a
# toolchain made every ssh connection 4 s slower under TCG.
mount -t tmpfs -o mode=700 tmpfs /newroot/root
mkdir -p /newroot/run/lock /newroot/run/lvm /newroot/run/libvirt
mkdir -p "/newroot$share" /newroot/scratch
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 labshare "/newroot$share" || fail "mount of the lab share failed"
mount -t ext4 -o noinit_itable /dev/vda /newroot/scratch || fail "mount of the scratch disk failed"
echo "` + ApplianceReadyLine + `"
chroot /newroot "$agent" serve
fail "agent exited"
`

// buildInitramfs writes an uncompressed initramfs to dst: the static busybox, /init,
// the wanted kernel modules (dependencies first, listed in /etc/modules.load) and the
// given extra files (path inside → path on the machine).
func buildInitramfs(dst, init string, modules []string, extra map[string]string) error {
	var order []string
	if len(modules) > 0 {
		kv, err := KernelVersion()
		if err != nil {
			return err
		}
		idx, err := indexModules(kernelModuleDir(kv), dkmsModuleDir(kv))
		if err != nil {
			return err
		}
		if order, err = idx.loadOrder(modules...); err != nil {
			return fmt.Errorf("initramfs for %s: %w", kv, err)
		}
	}
	a := newCPIO()
	bb, err := os.ReadFile(busyboxPath)
	if err != nil {
		return fmt.Errorf("initramfs: %w (install busybox-static)", err)
	}
	a.add("bin/busybox", cpioFile|0o755, bb)
	applets, err := runner.New(busyboxPath).Output(context.Background(), "--list")
	if err != nil {
		return fmt.Errorf("initramfs: list busybox's applets: %w", err)
	}
	for _, name := range strings.Fields(string(applets)) {
		if name != "busybox" {
			a.add("bin/"+name, cpioSymlink|0o777, []byte("busybox"))
		}
	}
	a.add("init", cpioFile|0o755, []byte(init))
	for _, d := range []string{"dev", "proc", "sys", "tmp", "run", "etc", "root"} {
		a.addDir(d)
	}
	var load []string
	for _, p := range order {
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("initramfs: %w", err)
		}
		in := "lib/modules/" + filepath.Base(p)
		a.add(in, cpioFile|0o644, data)
		load = append(load, "/"+in)
	}
	a.add("etc/modules.load", cpioFile|0o644, []byte(strings.Join(load, "\n")+"\n"))
	for in, host := range extra {
		data, err := os.ReadFile(host)
		if err != nil {
			return fmt.Errorf("initramfs: %w", err)
		}
		a.add(in, cpioFile|0o755, data)
	}
	var buf bytes.Buffer
	if err := a.writeTo(&buf); err != nil {
		return err
	}
	// Written aside and renamed: a QEMU reading the previous one, or another test
	// process writing the same file, never sees half of it.
	tmp, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// qemuGAFiles lists qemu-ga and every shared library it needs (from ldd), for a
// guest initramfs; nil when qemu-ga is not installed.
func qemuGAFiles(ctx context.Context) (map[string]string, error) {
	const ga = "/usr/sbin/qemu-ga"
	if _, err := os.Stat(ga); err != nil {
		return nil, nil
	}
	out, err := runner.New("ldd").Output(ctx, ga)
	if err != nil {
		return nil, fmt.Errorf("list qemu-ga's libraries: %w", err)
	}
	files := map[string]string{"bin/qemu-ga": ga}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		// "libglib-2.0.so.0 => /lib/x86_64-linux-gnu/libglib-2.0.so.0 (0x...)" or
		// "/lib64/ld-linux-x86-64.so.2 (0x...)"
		f := strings.Fields(sc.Text())
		var p string
		switch {
		case len(f) >= 3 && f[1] == "=>":
			p = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			p = f[0]
		}
		if strings.HasPrefix(p, "/") {
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				return nil, err
			}
			files[strings.TrimPrefix(p, "/")] = real
		}
	}
	return files, nil
}

// GuestInitramfs builds the tiny guest's initramfs into dir and returns its path.
func GuestInitramfs(ctx context.Context, dir string) (string, error) {
	extra, err := qemuGAFiles(ctx)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "guest-initramfs.cpio")
	if err := buildInitramfs(dst, guestInit, guestModules, extra); err != nil {
		return "", err
	}
	return dst, nil
}
