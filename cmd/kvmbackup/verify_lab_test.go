package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/fscheck"
	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// verifies is the end to end's verify part, on night 2's backups, the guests
// running: a data verify of both VMs; a boot verify of the block guest's backup,
// whose check command reads, inside the booted copy, what the guest wrote that
// night; then each failure for real (a check that fails, a guest that is not ready
// within verify.boot.timeout, a SIGKILL while the copy boots, then recover). After
// each: the originals still running, no throwaway domain, clone, mount or loop
// device left.
func (l *lab) verifies(bl *testenv.BackupLab) {
	t := l.t
	t.Helper()
	blk := bl.Block
	config := func(extra string) string {
		b, err := os.ReadFile(l.cfg)
		if err != nil {
			t.Fatal(err)
		}
		p := l.cfg + "." + testenv.UniqueName("verify")
		if err := os.WriteFile(p, append(b, extra...), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := config(fmt.Sprintf("verify:\n  boot:\n    check:\n      - \"dd if=/dev/vda bs=4096 skip=4096 count=1 2>/dev/null | grep -q %s\"\n    timeout: 10m\n", l.marker))

	// Data: every VM's newest backup read whole against its manifests.
	start := time.Now()
	rep, out := l.verify(0, good)
	t.Logf("kvmbackup verify (%.1fs):\n%s", time.Since(start).Seconds(), out)
	if len(rep.Results) != 2 {
		t.Fatalf("verify of every VM: %d results", len(rep.Results))
	}
	for _, r := range rep.Results {
		if !r.OK || r.Checked != "data" || len(r.Images) != 1 || r.Images[0].Blocks == 0 || r.Images[0].Mismatched != 0 || r.Bytes < testenv.PatternSize {
			t.Errorf("%s: %+v", r.Unit, r)
		}
	}
	l.checkVerifyLeftovers(bl)

	// Boot: the block guest's backup comes up beside the running original, with no
	// network, and reads tonight's data (which the backup holds: its disk vdb is
	// vdb.raw, the guest's /dev/vda).
	mp := l.sh("zfs get -H -o value mountpoint " + bl.Pool + "/vms/" + blk.Name)
	if n := l.sh("dd if=" + mp + "/vdb.raw bs=4096 skip=4096 count=1 2>/dev/null | grep -c " + l.marker + " || true"); n != "1" {
		t.Fatalf("the backup does not hold tonight's %s at 16 MiB", l.marker)
	}
	start = time.Now()
	rep, out = l.verify(0, good, blk.Name, "--boot")
	t.Logf("kvmbackup verify %s --boot (%.1fs):\n%s", blk.Name, time.Since(start).Seconds(), out)
	r := rep.Results[0]
	if b := r.Boot; !r.OK || r.Checked != "data,boot" || b == nil || b.ReadyBy != "guest-ping" || len(b.Checks) != 1 || b.Checks[0].Exit != 0 ||
		!strings.HasPrefix(b.Domain, "kvmbackup-verify-"+blk.Name+"-") {
		t.Fatalf("boot verify: %+v %+v", r, r.Boot)
	}
	t.Logf("boot verify of %s: ready (guest-ping) in %.1fs, the check read tonight's %s", r.Snapshot, r.Boot.Ready.Seconds(), l.marker)
	l.checkVerifyLeftovers(bl)
	if got := l.sh("zfs get -H -o value kvmbackup:verify,kvmbackup:verify-result " + r.Snapshot); got != "data,boot\nok" {
		t.Errorf("the snapshot records %q", got)
	}
	if out, _, _ := l.kvmbackup("list", "--config", good, "--vm", blk.Name); !strings.Contains(out, "ok data,boot") {
		t.Errorf("list does not show the verify:\n%s", out)
	}
	if m := l.sh("cat " + l.dir + "/kvmbackup.prom"); !strings.Contains(m, `kvmbackup_vm_verify_success{vm="`+blk.Name+`"} 1`) ||
		!strings.Contains(m, `kvmbackup_vm_verify_boot_ready_seconds{vm="`+blk.Name+`"}`) {
		t.Errorf("metrics file after the verify:\n%s", m)
	}

	// A check that fails: exit 1, the command and its status named, recorded.
	bad := config("verify:\n  boot:\n    check:\n      - \"test -e /no-such-file\"\n    timeout: 10m\n")
	rep, out = l.verify(1, bad, blk.Name, "--boot")
	t.Logf("a check that fails:\n%s", out)
	if r := rep.Results[0]; r.OK || !strings.Contains(r.Reason, `check "/bin/sh -c test -e /no-such-file": exit status 1`) {
		t.Errorf("a failing check: %+v", r)
	}
	l.checkVerifyLeftovers(bl)
	if got := l.sh("zfs get -H -o value kvmbackup:verify-result " + r.Snapshot); !strings.Contains(got, "exit status 1") {
		t.Errorf("the snapshot records %q", got)
	}
	if out, _, code := l.kvmbackup("status", "--config", bad, "--state-dir", l.state); code != 1 || !strings.Contains(out, "the last verify") {
		t.Errorf("status after a failed verify: exit %d\n%s", code, out)
	}

	// A guest that is not ready within verify.boot.timeout: the wait ends there.
	slow := config("verify:\n  boot:\n    timeout: 10s\n")
	start = time.Now()
	rep, out = l.verify(1, slow, blk.Name, "--boot")
	t.Logf("a guest not ready in 10s (%.1fs):\n%s", time.Since(start).Seconds(), out)
	if r := rep.Results[0]; r.OK || !strings.Contains(r.Reason, "did not become ready in 10s") {
		t.Errorf("not ready: %+v", r)
	}
	l.checkVerifyLeftovers(bl)

	// SIGKILL while the copy boots: recover removes what the verify left.
	res := l.killCommand(`"message":"verify: throwaway domain started"`, "KILL", "verify", blk.Name, "--boot", "--config", good)
	t.Logf("SIGKILL during a boot verify: %s", res)
	if !strings.Contains(res, "exit=137") {
		t.Fatalf("SIGKILL during a boot verify: %s", res)
	}
	out, stderr, code := l.kvmbackup("recover", "--config", good, "--state-dir", l.state, "--lock", l.state+"/run.lock")
	t.Logf("kvmbackup recover:\n%s", out)
	if code != 0 || !strings.Contains(out, "destroyed clone") {
		t.Fatalf("recover after a killed verify: exit %d\n%s\n%s", code, out, stderr)
	}
	l.checkVerifyLeftovers(bl)

	// The newest verify is a good one again (status is fresh for what follows).
	if rep, out = l.verify(0, good, blk.Name); !rep.OK {
		t.Fatalf("verify: %s", out)
	}
}

// verify runs `kvmbackup verify --json` with config and args, wants its exit
// status, and returns its report and its text for the log.
func (l *lab) verify(wantExit int, config string, args ...string) (*orchestrator.VerifyReport, string) {
	l.t.Helper()
	out, stderr, code := l.kvmbackup(append([]string{"verify", "--json", "--config", config, "--state-dir", l.state, "--lock", l.state + "/run.lock"}, args...)...)
	if code != wantExit {
		l.t.Fatalf("kvmbackup verify %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, wantExit, out, tail(stderr, 3000))
	}
	var rep orchestrator.VerifyReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Results) == 0 {
		l.t.Fatalf("verify --json: %v\n%s", err, out)
	}
	b, _ := json.MarshalIndent(rep.Results, "", "  ")
	return &rep, string(b) + "\n" + tail(stderr, 300)
}

// checkVerifyLeftovers: after a verify, the guests still running and nothing of it
// left: no throwaway domain, clone, mount or loop device.
func (l *lab) checkVerifyLeftovers(bl *testenv.BackupLab) {
	l.t.Helper()
	for _, g := range bl.Guests() {
		if st, err := g.State(l.t.Context()); err != nil || st != "running" {
			l.t.Errorf("%s is %s after a verify (%v)", g.Name, st, err)
		}
	}
	if d := l.sh("virsh -c qemu:///system list --all --name | grep kvmbackup-verify- || true"); d != "" {
		l.t.Errorf("throwaway domains left: %s", d)
	}
	if c := l.sh("zfs list -H -o name -r " + bl.Pool + "/vms/_clones 2>/dev/null | grep -v '_clones$' || true"); c != "" {
		l.t.Errorf("clones left: %s", c)
	}
	if lo := l.sh("losetup -a | grep _clones || true"); lo != "" {
		l.t.Errorf("loop devices left: %s", lo)
	}
	l.checkNoLeftovers()
}

// Data verify on real LVM, OpenZFS, loop devices and e2fsck, driven through the
// orchestrator (libvirt stood in for by oneVM: no guest is needed to write a disk).
// web1's disk is an LV with a partition table: partition 1 an ext4 mounted while it
// is backed up (its journal left to replay), partition 2 an ext4 with a directory;
// a paths: entry's tree is backed up beside it. A good backup verifies; then each
// failure is made for real and named: a filesystem with errors, an image that does
// not match its manifest (a backup made by hand into the dataset), and a SIGKILL in
// the middle of a verify, after which recover leaves nothing. After each verify, no
// clone and no loop device is left.
func TestVerifyOnRealLVMAndZFS(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		must := func(argv ...string) string {
			t.Helper()
			out, err := testenv.Local(ctx, argv...)
			if err != nil {
				t.Fatalf("%s: %v", strings.Join(argv, " "), err)
			}
			return strings.TrimSpace(out)
		}
		vg := testenv.VolumeGroup(t, testenv.Local, 1<<30)
		disk := testenv.LogicalVolume(t, testenv.Local, vg, "web1", 64<<20)
		must("sh", "-c", "printf 'size=24MiB\\n,\\n' | sfdisk -q "+disk)
		loop := must("losetup", "--find", "--show", "--partscan", disk)
		t.Cleanup(func() { testenv.Local(context.Background(), "losetup", "-d", loop) })
		must("mkfs.ext4", "-q", "-F", loop+"p1")
		must("mkfs.ext4", "-q", "-F", loop+"p2")
		must("debugfs", "-w", "-R", "mkdir d", loop+"p2")
		mnt := t.TempDir()
		must("mount", loop+"p1", mnt)
		mounted := true
		t.Cleanup(func() {
			if mounted {
				testenv.Local(context.Background(), "umount", mnt)
			}
		})
		if err := os.WriteFile(filepath.Join(mnt, "data"), testenv.RandomBytes(1, 1<<20), 0o600); err != nil {
			t.Fatal(err)
		}
		tree := t.TempDir()
		for i := range 50 {
			if err := os.WriteFile(filepath.Join(tree, fmt.Sprintf("f%02d", i)), testenv.RandomBytes(uint64(i), 4096), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		pool := testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Mirror: true})
		root, ds := pool+"/vms", pool+"/vms/web1"
		dir := t.TempDir()
		c := cbtRun{Disk: disk, Dir: dir, At: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			Config: fmt.Sprintf("target:\n  dataset: %s\nquiesce:\n  mode: none\nsnapshot:\n  size: 50%%\nretention:\n  keep-last: 100\npaths:\n  - name: tree\n    path: %s\n", root, tree)}
		night := func() string {
			t.Helper()
			c.At = c.At.Add(time.Hour)
			c.RunID = c.At.Format("20060102T150405Z")
			rep, err := c.run(ctx)
			if err != nil || !rep.OK() || len(rep.VMs) != 1 {
				t.Fatalf("night %s: %v %+v", c.RunID, err, rep)
			}
			return rep.VMs[0].Snapshot
		}
		deps := orchestrator.VerifyDeps{Target: zfs.New(), Loops: loopdev.New(), FS: fscheck.New(), Verifier: orchestrator.TransferCopier{}}
		verify := func(o orchestrator.VerifyOptions) *orchestrator.VerifyReport {
			t.Helper()
			o.Root, o.JournalDir, o.RunID = root, filepath.Join(dir, "journal"), testenv.UniqueName("verify")
			start := time.Now()
			rep, err := orchestrator.Verify(ctx, deps, o)
			if err != nil {
				t.Fatalf("verify %+v: %v", o, err)
			}
			b, _ := json.MarshalIndent(rep.Results, "", "  ")
			t.Logf("verify %v %v --at %q (%.1fs):\n%s", o.VMs, o.Paths, o.At, time.Since(start).Seconds(), b)
			if left := must("sh", "-c", "zfs list -H -o name -r "+root+"/_clones 2>/dev/null | grep -v '_clones$'; losetup -a | grep _clones; grep -c /run/kvmbackup /proc/mounts || true"); left != "0" {
				t.Fatalf("a verify left: %s", left)
			}
			return rep
		}

		snap := night()
		rep := verify(orchestrator.VerifyOptions{})
		if len(rep.Results) != 2 || !rep.OK {
			t.Fatalf("a good backup: %+v", rep)
		}
		vm, tr := rep.Results[0], rep.Results[1]
		if len(vm.Images) != 1 || vm.Images[0].Bytes != 64<<20 || len(vm.Filesystems) != 2 {
			t.Errorf("web1: %+v", vm)
		}
		for i, f := range vm.Filesystems {
			if f.Partition != i+1 || f.Type != "ext4" || f.Status != "ok" || f.Replayed != (i == 0) {
				t.Errorf("web1 partition %d: %+v (want ok; the journal replayed on partition 1 alone, mounted when backed up)", i+1, f)
			}
		}
		if tr.Unit != "path tree" || tr.Files != 50 || tr.Bytes != 50*4096 {
			t.Errorf("the tree: %+v", tr)
		}
		if got := must("zfs", "get", "-H", "-o", "value", "kvmbackup:verify,kvmbackup:verify-result", snap); got != "data\nok" {
			t.Errorf("%s records %q", snap, got)
		}

		// A filesystem with errors (partition 2's directory without links).
		must("debugfs", "-w", "-R", "sif d links_count 0", loop+"p2")
		snap = night()
		rep = verify(orchestrator.VerifyOptions{VMs: []string{"web1"}})
		if r := rep.Results[0]; rep.OK || !strings.Contains(r.Reason, "disk vda: ext4 filesystem on partition 2: e2fsck -n -f /dev/loop") ||
			!strings.Contains(r.Reason, "exit status 4") || r.Filesystems[0].Status != "ok" || r.Filesystems[1].Status != "errors" {
			t.Errorf("a damaged filesystem: %+v", r)
		}
		if got := must("zfs", "get", "-H", "-o", "value", "kvmbackup:verify-result", snap); !strings.Contains(got, "partition 2") {
			t.Errorf("%s records %q", snap, got)
		}

		// An image that does not match its manifest: a backup made by hand.
		must("umount", mnt)
		mounted = false
		mp := must("zfs", "get", "-H", "-o", "value", "mountpoint", ds)
		testenv.WriteAt(t, filepath.Join(mp, "vda.raw"), 40<<20, []byte("made by hand"))
		must("zfs", "snapshot", ds+"@kvmbackup_2026-11-02T00:00:00Z")
		rep = verify(orchestrator.VerifyOptions{VMs: []string{"web1"}, At: "kvmbackup_2026-11-02T00:00:00Z"})
		if r := rep.Results[0]; rep.OK || !strings.Contains(r.Reason, "vda.raw: 1 of 4096 blocks (16 KiB each) differ from its manifest in the backup") ||
			!strings.Contains(r.Reason, "the first at byte 41943040") || r.Images[0].Mismatched != 1 {
			t.Errorf("a backup made by hand: %+v", r)
		}
		// --all: every dated backup, each with its own result.
		rep = verify(orchestrator.VerifyOptions{VMs: []string{"web1"}, All: true})
		var oks []bool
		for _, r := range rep.Results {
			oks = append(oks, r.OK)
		}
		if fmt.Sprint(oks) != "[true false false]" {
			t.Errorf("--all: %v", oks)
		}

		// SIGKILL while a filesystem is checked (a clone mounted, a loop device on
		// it): recover detaches the loop device and destroys the clone.
		arg, _ := json.Marshal(verifyCrash{Root: root, Journal: filepath.Join(dir, "journal")})
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), verifyCrashEnv+"="+string(arg))
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != -1 {
			t.Fatalf("the verify that kills itself: %v\n%s", err, out)
		}
		if left := must("sh", "-c", "losetup -a | grep -c _clones || true"); left != "1" {
			t.Fatalf("the kill came elsewhere: %s loop devices on a clone", left)
		}
		rec, err := orchestrator.Recover(ctx, orchestrator.Deps{Hypervisor: oneVM{disk: disk}, LVM: orchestrator.LVM{Manager: lvm.New()}, Target: zfs.New(), Loops: loopdev.New()},
			orchestrator.RecoverOptions{JournalDir: filepath.Join(dir, "journal"), Root: root})
		if err != nil || len(rec.Loops) != 1 || len(rec.Clones.Destroyed) != 1 || len(rec.Runs) != 1 {
			t.Fatalf("recover after a killed verify: %v %+v", err, rec)
		}
		if left := must("sh", "-c", "zfs list -H -o name -r "+root+"/_clones | grep -v '_clones$'; losetup -a | grep _clones; ls "+filepath.Join(dir, "journal")+" | grep verify || true"); left != "" {
			t.Fatalf("recover left: %s", left)
		}
	})
}

// The crash child: a verify whose filesystem check SIGKILLs it.
const verifyCrashEnv = "KVMBACKUP_VERIFY_CRASH_CHILD"

type verifyCrash struct{ Root, Journal string }

type killingChecker struct{}

func (killingChecker) Check(context.Context, string, string) (fscheck.Result, error) {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

func init() {
	if v := os.Getenv(verifyCrashEnv); v != "" {
		var c verifyCrash
		if err := json.Unmarshal([]byte(v), &c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		_, err := orchestrator.Verify(context.Background(), orchestrator.VerifyDeps{Target: zfs.New(), Loops: loopdev.New(), FS: killingChecker{},
			Verifier: orchestrator.TransferCopier{}}, orchestrator.VerifyOptions{Root: c.Root, VMs: []string{"web1"}, RunID: "verify-crash", JournalDir: c.Journal})
		fmt.Fprintf(os.Stderr, "the verify was not killed: %v\n", err)
		os.Exit(3)
	}
}
