// Command demo is `make demo`: it builds kvmbackup's lab on this machine and shows,
// narrated for a newcomer, the real components a backup night is made of: a running
// guest on libvirt answering Alt+SysRq+S, then inside the appliance VM an LVM snapshot
// that keeps what the disk held, and a mirrored, compressed ZFS pool taking a dated
// snapshot. Everything it creates is removed when it ends, also on failure.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/testenv"
)

func main() {
	bin := flag.String("kvmbackup", "bin/kvmbackup", "the kvmbackup binary to show (make build)")
	flag.Parse()
	abs, err := filepath.Abs(*bin)
	if err != nil || !exists(abs) {
		fmt.Fprintf(os.Stderr, "demo: kvmbackup binary %s not found: run make build\n", *bin)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	s := testenv.NewSession(ctx, "demo", func(f string, a ...any) { fmt.Printf("    "+f+"\n", a...) })
	if err := s.Run(func() error { return demo(s, abs) }); err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("\nDemo done in %.0fs; everything it made is removed.\n", time.Since(start).Seconds())
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func step(n int, title, text string) {
	fmt.Printf("\n== %d. %s\n%s\n", n, title, text)
}

func show(label, out string) {
	fmt.Printf("  $ %s\n", label)
	if strings.TrimSpace(out) == "" {
		return
	}
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		fmt.Printf("    %s\n", l)
	}
}

func demo(s *testenv.Session, bin string) error {
	ctx := s.Context()
	must := func(out string, err error) string {
		if err != nil {
			s.Fatalf("%v", err)
		}
		return out
	}
	for _, c := range []testenv.Component{testenv.Libvirt, testenv.Appliance} {
		if err := testenv.Check(c); err != nil {
			return fmt.Errorf("%v (run make deps)", err)
		}
	}

	step(1, "This machine", `kvmbackup backs up KVM guests whose disks are LVM volumes into a ZFS pool. This
machine has libvirt and QEMU, but its kernel has no device-mapper and no ZFS module:
kvmbackup check says so, and exits 2.`)
	out, err := testenv.Local(ctx, bin, "check")
	show("kvmbackup check", out+fmt.Sprintf("(exit status: %v)", errOrZero(err)))

	step(2, "A real guest on libvirt", `A tiny Linux guest (the Debian kernel and a busybox initramfs) boots under QEMU through
libvirtd. kvmbackup quiesces guests the way careful admins do: Alt+SysRq+S makes the
guest's kernel write its dirty pages to disk, then the guest is suspended for the moment
the snapshots take, then resumed.`)
	g := testenv.StartGuest(s, testenv.GuestOptions{})
	show("virsh send-key "+g.Name+" KEY_LEFTALT KEY_SYSRQ KEY_S", must(g.Virsh(ctx, "send-key", g.Name, "KEY_LEFTALT", "KEY_SYSRQ", "KEY_S")))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = g.WaitConsole(wctx, "sysrq: Emergency Sync")
	cancel()
	if err != nil {
		s.Fatalf("the guest did not sync: %v", err)
	}
	show("grep sysrq "+filepath.Base(g.Console), grepLines(g.ConsoleText(), "sysrq"))
	for _, c := range []string{"suspend", "resume"} {
		t := time.Now()
		must(g.Virsh(ctx, c, g.Name))
		st, _ := g.State(ctx)
		fmt.Printf("    virsh %s: %.0f ms, state now %s\n", c, float64(time.Since(t).Microseconds())/1000, st)
	}

	step(3, "The appliance: real device-mapper, LVM and OpenZFS", `For the storage side the lab boots the same Debian kernel as a VM with this machine's
own root shared read-only, so the very same lvm2, zfs and kvmbackup binaries run there
against a kernel that has device-mapper and the ZFS module. There, check passes.`)
	a := testenv.StartAppliance(s, testenv.ApplianceOptions{MemoryMiB: 1024})
	cfg := filepath.Join(a.Dir, "demo.yaml")
	if err := os.WriteFile(cfg, []byte("libvirt:\n  uri: test:///default\nexclude: [test]   # the test driver's sample domain\n"), 0o644); err != nil {
		return err
	}
	show("kvmbackup check   (inside the appliance)", must(a.Run(ctx, bin, "check", "--config", cfg)))

	step(4, "An LVM snapshot keeps what the disk held", `A VM disk is an LV. kvmbackup snapshots it while the guest is paused; the guest then
runs on and writes, but the snapshot still reads what the disk held at that moment,
and that is what gets copied.`)
	vg := testenv.VolumeGroup(s, a.Run, 256<<20)
	lv := testenv.LogicalVolume(s, a.Run, vg, "web1-root", 64<<20)
	data := filepath.Join(a.Dir, "before.bin")
	writeRandom(s, data, 4<<20)
	must(a.Run(ctx, "dd", "if="+data, "of="+lv, "bs=1M", "oflag=direct", "status=none"))
	show("sha256sum of the first 4 MiB of "+lv, sum(s, a, lv))
	show("lvcreate -s -L 32M --chunksize 64k -n web1-root.snap "+vg+"/web1-root",
		must(a.Run(ctx, "lvm", "lvcreate", "-s", "-L", "32m", "--chunksize", "64k", "-n", "web1-root.snap", vg+"/web1-root")))
	writeRandom(s, data, 4<<20)
	must(a.Run(ctx, "dd", "if="+data, "of="+lv, "bs=1M", "oflag=direct", "status=none"))
	fmt.Println("    (the guest writes 4 MiB of new data to its disk)")
	show("sha256sum of the origin, then of the snapshot", sum(s, a, lv)+sum(s, a, "/dev/"+vg+"/web1-root.snap"))
	show("lvs "+vg, must(a.Run(ctx, "lvm", "lvs", "-o", "lv_name,origin,lv_size,data_percent", vg)))

	step(5, "A mirrored, compressed ZFS pool with dated snapshots", `Backups land in a ZFS mirror with lz4 compression; each backup is a dated snapshot, and
a snapshot takes only the space of what changed since the one before.`)
	var parts []string
	for range 2 {
		dev := testenv.LoopDevice(s, a.Run, 256<<20)
		must(a.RunStdin(ctx, ",,\n", "sfdisk", "-q", dev))
		parts = append(parts, dev+"p1")
	}
	pool := testenv.UniqueName(testenv.LabPrefix + "backup")
	must(a.Run(ctx, append([]string{"zpool", "create", "-f", "-O", "compression=lz4", "-m", testenv.ScratchDir + "/" + pool, pool, "mirror"}, parts...)...))
	s.Cleanup(func() { a.Run(context.Background(), "zpool", "destroy", "-f", pool) })
	show("zpool status "+pool, must(a.Run(ctx, "zpool", "status", pool)))
	ds := pool + "/web1"
	must(a.Run(ctx, "zfs", "create", ds))
	img := testenv.ScratchDir + "/" + ds + "/vda.raw"
	must(a.Run(ctx, "dd", "if=/dev/"+vg+"/web1-root.snap", "of="+img, "bs=1M", "status=none"))
	snap1 := ds + "@kvmbackup_" + time.Now().UTC().Format("2006-01-02T15:04:05Z")
	must(a.Run(ctx, "zfs", "snapshot", snap1))
	must(a.Run(ctx, "dd", "if="+data, "of="+img, "bs=64k", "count=2", "seek=17", "conv=notrunc", "status=none"))
	snap2 := ds + "@kvmbackup_" + time.Now().UTC().Add(time.Second).Format("2006-01-02T15:04:05Z")
	must(a.Run(ctx, "zfs", "snapshot", snap2))
	fmt.Println("    (a second backup changed 128 KiB of the 64 MiB image, across two 128 KiB records)")
	show("zfs list -t snapshot -o name,written,referenced "+ds, must(a.Run(ctx, "zfs", "list", "-t", "snapshot", "-o", "name,written,referenced", ds)))
	show("zfs get compression,compressratio "+ds, must(a.Run(ctx, "zfs", "get", "-o", "property,value", "compression,compressratio", ds)))
	fmt.Println(`    The 64 MiB image references 4 MiB: its zeros are not stored at all (with compression
    on, ZFS keeps all-zero records as holes), and the random data does not compress. The
    second snapshot holds only the two records that changed.`)

	step(6, "What comes next", `kvmbackup run will do all of the above for every VM of a host in one night: quiesce each
group of guests for about a second, snapshot, resume, copy only the changed blocks into
each VM's dataset, take the dated snapshot, and prune by the retention policy.`)
	return nil
}

func errOrZero(err error) string {
	if err == nil {
		return "0"
	}
	if code := runner.ExitCode(err); code >= 0 {
		return fmt.Sprint(code)
	}
	return err.Error()
}

func grepLines(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n")
}

func writeRandom(s *testenv.Session, path string, n int) {
	b := make([]byte, n)
	rand.Read(b)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		s.Fatalf("%v", err)
	}
}

func sum(s *testenv.Session, a *testenv.ApplianceVM, dev string) string {
	out, err := a.Shell(s.Context(), "head -c 4194304 "+dev+" | sha256sum")
	if err != nil {
		s.Fatalf("%v", err)
	}
	return strings.Fields(out)[0] + "  " + dev + "\n"
}
