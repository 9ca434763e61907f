// Command demo is `make demo`: it builds kvmbackup's lab on this machine and shows,
// narrated for a newcomer, a real backup night on a miniature KVM host: two guests
// (one on a raw LV, one on an image file on an ext4 LV), the plan, the run, the dated
// ZFS snapshots it made, and a second night after the guests changed 1% of their
// disks, writing only that. Everything it creates is removed when it ends, also on
// failure.
package main

import (
	"context"
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
			s.Fatalf("%v\n%s", err, out)
		}
		return out
	}
	for _, c := range []testenv.Component{testenv.Libvirt, testenv.Appliance} {
		if err := testenv.Check(c); err != nil {
			return fmt.Errorf("%v (run make deps)", err)
		}
	}
	timed := func(n int, title, text string) func() {
		step(n, title, text)
		t := time.Now()
		return func() { fmt.Printf("  (step %d took %.1fs)\n", n, time.Since(t).Seconds()) }
	}

	done := timed(1, "This machine", `kvmbackup backs up KVM guests whose disks are LVM volumes into a ZFS pool. This
machine has libvirt and QEMU, but its kernel has no device-mapper and no ZFS module:
kvmbackup check says so, and exits 2.`)
	out, err := testenv.Local(ctx, bin, "check")
	show("kvmbackup check", out+fmt.Sprintf("(exit status: %v)", errOrZero(err)))
	done()

	done = timed(2, "A miniature KVM host", `The lab boots the same Debian kernel as a VM (the appliance) with this machine's root
shared read-only, so the very same libvirtd, QEMU, lvm2, zfs and kvmbackup binaries run
there against a kernel with device-mapper and ZFS. Inside it: a volume group, a
mirrored lz4 ZFS pool for the backups, and two guests under libvirtd:
  web-style guest: its disk vdb is a raw LV (block mode);
  db-style guest:  its disk vdb is a raw image file on an ext4 LV (file mode).
The nested guests run on QEMU inside QEMU without KVM: their boot takes about two
minutes.`)
	a := testenv.StartAppliance(s, testenv.ApplianceOptions{})
	lab := testenv.StartBackupLab(s, a, 256<<20)
	dir := filepath.Join(a.Dir, "demo")
	must("", os.MkdirAll(dir, 0o755))
	cfg := lab.Config(s, dir, 3)
	// A small host tree kept too (a paths: entry): a copy of the host's /etc on the
	// scratch filesystem, 200 files.
	tree := filepath.Join(testenv.ScratchDir, "demo-host-etc")
	must(a.Shell(ctx, "rm -rf "+tree+" && mkdir -p "+tree+" && find /etc -xdev -type f -size -64k 2>/dev/null | head -200 | cpio -pdm --quiet "+tree+" 2>/dev/null; find "+tree+" -type f | wc -l"))
	must("", appendFile(cfg, "paths:\n  - name: etc\n    path: "+tree+"\n    exclude: [\"*.dpkg-old\"]\n"))
	for _, g := range lab.Guests() {
		lab.WritePattern(s, g)
		fmt.Printf("    guest %s (vdb: %s) wrote %q over %d MiB and synced\n", g.Name, lab.Disks[g.Name], testenv.Pattern(g), testenv.PatternSize>>20)
	}
	show("zpool status "+lab.Pool, must(a.Run(ctx, "zpool", "status", lab.Pool)))
	done()

	kb := func(args ...string) string {
		args = append(args, "--config", cfg)
		if args[0] == "run" {
			args = append(args, "--state-dir", dir+"/state")
		}
		return must(a.Run(ctx, append([]string{bin}, args...)...))
	}
	done = timed(3, "kvmbackup check, inside the miniature host", `The host is ready: libvirt answers, every disk resolves to an LV, the VG has room for
the snapshots, the pool is a healthy mirror with compression.`)
	show("kvmbackup check", kb("check"))
	done()

	done = timed(4, "The plan", `What a run will do, without changing anything: each VM, its disk, the LV behind it,
the mode, the snapshot size, where the image lands and how the guest is quiesced.`)
	show("kvmbackup run --dry-run", kb("run", "--dry-run"))
	done()

	done = timed(5, "The backup night", `Per group of VMs: Alt+SysRq+S, settle, suspend, LVM snapshot, resume (the PAUSE column),
then the snapshot is copied into the VM's dataset and removed, domain.xml and
kvmbackup.json are written, and the dated ZFS snapshot is taken. A small host tree (the
paths: entry etc) is copied too, into its own dataset vms/_paths/etc, with its own dated
snapshot. On a terminal a progress bar follows the copies.`)
	show("kvmbackup run", kb("run"))
	show("zfs list -r -t snapshot -o name,used,written,referenced "+lab.Pool+"/vms",
		must(a.Run(ctx, "zfs", "list", "-r", "-t", "snapshot", "-o", "name,used,written,referenced", lab.Pool+"/vms")))
	show("lvs "+lab.VG+"   (no snapshot left)", must(a.Run(ctx, "lvm", "lvs", "-o", "lv_name,lv_size,lv_tags", lab.VG)))
	done()

	done = timed(6, "The next night writes only what changed", `Each guest now overwrites 1% of its 256 MiB disk, in 64 KiB blocks. The second run
finds the changed blocks from the manifest of the last backup (block hashes), reading
only the snapshot, and writes just those: the WRITTEN column, and ZFS's written.`)
	changed := lab.ChangeOnePercent(s)
	fmt.Printf("    each guest changed %.1f MiB\n", float64(changed)/(1<<20))
	must(a.Shell(ctx, "find "+tree+" -type f | head -2 | while read f; do echo 'changed by the demo' >> \"$f\"; done"))
	fmt.Printf("    2 of the host tree's 200 files changed (1%%)\n")
	show("kvmbackup run", kb("run"))
	show("zfs list -r -t snapshot -o name,used,written,referenced "+lab.Pool+"/vms",
		must(a.Run(ctx, "zfs", "list", "-r", "-t", "snapshot", "-o", "name,used,written,referenced", lab.Pool+"/vms")))
	show("zfs get compressratio "+lab.Pool+"/vms", must(a.Run(ctx, "zfs", "get", "-o", "name,property,value", "compressratio", lab.Pool+"/vms")))
	show("cat kvmbackup.prom   (Prometheus textfile metrics)", grepLines(must(a.Run(ctx, "cat", dir+"/kvmbackup.prom")), "kvmbackup_vm_"))
	done()

	show("kvmbackup list --path etc", kb("list", "--path", "etc"))
	step(7, "What comes next", `kvmbackup restore and mount bring a VM back from any dated snapshot, or show its files;
restore --path etc --at WHEN --to DIR [--only GLOB] does the same for a host tree.`)
	return nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
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
