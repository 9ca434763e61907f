package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/render"
	"github.com/kvmbackup/kvmbackup/testenv"
)

// lab is the miniature KVM host of an end-to-end test, seen from the machine.
type lab struct {
	t     *testing.T
	a     *testenv.ApplianceVM
	bin   string // kvmbackup, built into the lab share
	cfg   string
	state string
	dir   string
	// phases: how long each part of the test took, logged as it ends and summed up
	// at the end (where its minutes go).
	phases []phase
	mark   time.Time
	// replica: the receiver's root on the second pool, a zfs:// replication target
	// (after-run) of every config the test writes.
	replica string
	// marker: what the block guest writes at 16 MiB of its disk before night 2.
	marker string
	// night1: the block guest's first dated snapshot (its name after the @).
	night1 string
}

type phase struct {
	name string
	took time.Duration
}

// phase ends the part of the test since the last mark (or the test's start).
func (l *lab) phase(name string) {
	now := time.Now()
	p := phase{name, now.Sub(l.mark)}
	l.phases, l.mark = append(l.phases, p), now
	l.t.Logf("phase %q took %.1fs", p.name, p.took.Seconds())
}

// logPhases logs every phase's share of the test's time.
func (l *lab) logPhases() {
	var all time.Duration
	for _, p := range l.phases {
		all += p.took
	}
	var b strings.Builder
	for _, p := range l.phases {
		fmt.Fprintf(&b, "%6.1fs %3.0f%%  %s\n", p.took.Seconds(), 100*p.took.Seconds()/all.Seconds(), p.name)
	}
	l.t.Logf("where the test's %.0fs went:\n%s", all.Seconds(), b.String())
}

// kvmbackup runs the real binary inside the appliance and returns its stdout, stderr
// and exit status.
func (l *lab) kvmbackup(args ...string) (string, string, int) {
	l.t.Helper()
	var out bytes.Buffer
	argv := append([]string{l.bin}, args...)
	res, err := l.a.Exec(l.t.Context(), testenv.ExecRequest{Argv: argv}, &out)
	if err != nil {
		l.t.Fatalf("%v: %v", argv, err)
	}
	return out.String(), string(res.Stderr), res.Exit
}

func (l *lab) sh(script string) string {
	l.t.Helper()
	out, err := l.a.Shell(l.t.Context(), script)
	if err != nil {
		l.t.Fatalf("appliance: %s: %v\n%s", script, err, out)
	}
	return strings.TrimSpace(out)
}

// run runs `kvmbackup run --json` and decodes its report.
func (l *lab) run(wantExit int, extra ...string) *orchestrator.Report {
	l.t.Helper()
	start := time.Now()
	out, stderr, code := l.kvmbackup(append([]string{"run", "--json", "--config", l.cfg, "--state-dir", l.state, "--lock", l.state + "/run.lock"}, extra...)...)
	if code != wantExit {
		l.t.Fatalf("kvmbackup run: exit %d, want %d\nstdout: %s\nstderr: %s", code, wantExit, out, tail(stderr, 3000))
	}
	var rep orchestrator.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		l.t.Fatalf("run --json: %v\n%s", err, out)
	}
	var b bytes.Buffer
	render.Table(&b, &rep)
	l.t.Logf("kvmbackup run %s (%.1fs):\n%s", strings.Join(extra, " "), time.Since(start).Seconds(), b.String())
	return &rep
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// buildKVMBackup builds the real binary where the appliance sees it.
func buildKVMBackup(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, testenv.UniqueName("kvmbackup"))
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The backup night end to end, no fakes: the miniature KVM host (libvirtd inside the
// appliance, nested guests), real LVM, a real OpenZFS mirror with lz4. Two VMs: one
// whose disk is a raw LV (block mode), one whose raw image lives on an ext4 LV (file
// mode). Then 1% changes, the verifies (data and boot), a SIGTERM during a copy, a
// SIGKILL inside the freeze window, and a short retention whose night is quiesced by
// auto (each guest alone on its LV: synced, not paused). Every night replicates to
// a second pool (zfs://, after-run), from which a test failover boots.
//
// Why it takes over 5 minutes (613 s alone on 2026-12-03 with every night replicated
// to a second pool, the verifies and the failover, at this machine's pace 1.0×; 785 s
// within the whole .ci/run that day; about twice that on a machine twice as slow): every step runs the real binary against
// guests nested two levels deep under TCG, where one zfs or lvm command costs a few
// hundred ms. Its log ends with where the time went; that run: the nested guests'
// boot 54 s; three nights (each replicated), a SIGTERM'd and a SIGKILL'd run 194 s;
// the verifies 137 s (a data verify of both VMs 11 s; three boot verifies of the
// block guest, the throwaway ready by guest-ping in about 21 s each, one of them
// not waited for past 10 s; a SIGKILL'd one and recover); restores, and the
// failover from the replica, booting the restored guest and the failover copy, 154 s;
// mounts 35 s.
// The parts share the guests, their disks and the backups the nights made: split
// into tests, each would boot its own guests and make its own backups again.
func TestRunOnTheMiniatureKVMHost(t *testing.T) {
	if testenv.Inside() {
		t.Skip("drives the appliance from the machine")
	}
	l := &lab{t: t, mark: time.Now()}
	defer l.logPhases()
	a := testenv.SharedAppliance(t)
	l.phase("the appliance booted (or shared)")
	l.a, l.bin, l.dir = a, a.Install(t, buildKVMBackup(t, a.Dir)), filepath.Join(a.Dir, testenv.UniqueName("e2e"))
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	l.state = filepath.Join(l.dir, "state")
	l.phase("kvmbackup built")
	bl := testenv.StartBackupLab(t, a, 256<<20)
	l.phase("the backup lab: pool, VG, two nested guests booted")
	gs, pool, vg := bl.Guests(), bl.Pool, bl.VG
	blk := bl.Block
	// The "second host": a second pool whose receiver root gets every night's
	// backups (replication to zfs://, after-run), read by the failover restore.
	l.replica = testenv.ZPool(t, a.Run, testenv.PoolOptions{Devices: 1, DeviceSize: 1 << 30}) + "/replica/host1"
	l.sh("zfs create -p " + l.replica)
	// The block guest's saved definition gets a NIC (persistent definition only,
	// never started: the lab has no network), so that the failover's --no-network
	// has one to remove.
	saved := filepath.Join(l.dir, "domain-"+blk.Name+".xml")
	l.sh(fmt.Sprintf(`set -e; virsh -c qemu:///system dumpxml --inactive --security-info %[1]s >%[2]s
sed "s#</devices>#<interface type='user'><mac address='52:54:00:6b:62:01'/><model type='virtio'/></interface></devices>#" %[2]s >%[2]s.nic
virsh -c qemu:///system define %[2]s.nic >/dev/null
virsh -c qemu:///system dumpxml --inactive %[1]s | grep -q "<interface type='user'>"`, blk.Name, saved))
	l.cfg = l.config(bl, 10)
	start := time.Now() // each guest writes a known pattern to its disk and syncs
	bl.WritePatterns(t)
	t.Logf("the guests wrote their patterns in %.1fs", time.Since(start).Seconds())
	l.phase("the guests wrote their patterns")

	// --dry-run: the plan, nothing changed.
	out, stderr, code := l.kvmbackup("run", "--dry-run", "--config", l.cfg, "--state-dir", l.state, "--lock", l.state+"/run.lock")
	if code != 0 || !strings.Contains(out, blk.Name) || !strings.Contains(out, "block") || !strings.Contains(out, "file") || !strings.Contains(out, vg+"/images:db1.raw") {
		t.Fatalf("run --dry-run: exit %d\n%s\n%s", code, out, stderr)
	}
	t.Logf("kvmbackup run --dry-run:\n%s", out)
	if got := l.sh("zfs list -H -o name -r " + pool + " | wc -l"); got != "1" {
		t.Fatalf("the dry run created datasets: %s", got)
	}

	l.phase("run --dry-run")

	// Night 1.
	rep := l.run(0)
	l.checkNight(rep, bl, 1)
	l.checkReplica(rep, bl, true)
	for _, v := range rep.VMs {
		if v.Name == blk.Name {
			_, l.night1, _ = strings.Cut(v.Snapshot, "@")
		}
	}
	// Its next boot (restoreAndBoot) is without the NIC again: the saved definition
	// of night 1 keeps it.
	l.sh("virsh -c qemu:///system define " + saved + " >/dev/null")
	for _, g := range gs { // sysrq-suspend: the run's Alt+SysRq+S reached each nested guest
		if !strings.Contains(g.ConsoleText(), "sysrq: Emergency Sync") {
			t.Errorf("%s: no emergency sync on its console after the run:\n%s", g.Name, tail(g.ConsoleText(), 1500))
		}
	}
	for _, v := range rep.VMs {
		if v.Pause <= 0 || v.Quiesce != "sysrq-suspend" {
			t.Errorf("%s: pause window %v, quiesce %s", v.Name, v.Pause, v.Quiesce)
		}
		if v.Written < testenv.PatternSize {
			t.Errorf("%s: first backup wrote %d bytes, want the pattern's %d at least", v.Name, v.Written, testenv.PatternSize)
		}
	}
	for _, g := range gs {
		mp := l.sh("zfs get -H -o value mountpoint " + pool + "/vms/" + g.Name)
		if head := l.sh("head -c " + strconv.Itoa(len(testenv.Pattern(g))) + " " + mp + "/vdb.raw"); head != testenv.Pattern(g) {
			t.Errorf("%s: the backup starts with %q, not the guest's pattern", g.Name, head)
		}
	}
	metrics := l.sh("cat " + l.dir + "/kvmbackup.prom")
	if !strings.Contains(metrics, `kvmbackup_vm_last_success_timestamp_seconds{vm="`+blk.Name+`"}`) || !strings.Contains(metrics, "kvmbackup_run_success 1") {
		t.Errorf("metrics file:\n%s", metrics)
	}

	l.phase("night 1 (full copy)")

	// Night 2: the guests change 1% of their disks; the run writes about that much.
	// With a hook script and notify.command (on: always) from here on.
	hooked := l.addHooks()
	changed := bl.ChangeOnePercent(t)
	// What the block guest writes tonight (its disk is /dev/vda inside), that a boot verify of tonight's backup
	// reads back inside the booted copy.
	l.marker = "KVMBACKUP-NIGHT2-" + testenv.UniqueName("m")
	if _, err := blk.Exec(t.Context(), "/bin/sh", "-c", "printf %s "+l.marker+" | dd of=/dev/vda bs=4096 seek=4096 conv=notrunc 2>/dev/null && sync"); err != nil {
		t.Fatal(err)
	}
	rep = l.run(0)
	l.checkNight(rep, bl, 2)
	l.checkReplica(rep, bl, true)
	l.replicationFigures(rep)
	l.checkHooks(hooked, rep)
	l.status(0, "fresh") // after a good night
	for _, v := range rep.VMs {
		// The block guest's thin LV: only what thin_delta named was read.
		if d := v.Disks[0]; v.Name == blk.Name && (d.Stats.Mode != "cbt" || d.Stats.SrcRead+d.Stats.DstRead > 2*d.Stats.Changed+64<<10) {
			t.Errorf("%s: copy %s (%s), read %d for %d changed: want cbt, reading about what changed", v.Name, d.Stats.Mode, d.Tracking, d.Stats.SrcRead+d.Stats.DstRead, d.Stats.Changed)
		}
		written := l.sh("zfs get -Hp -o value written " + v.Snapshot)
		w, _ := strconv.ParseInt(written, 10, 64)
		t.Logf("%s: 1%% changed (%d bytes): copy wrote %d bytes, read %d; ZFS written of %s: %d bytes", v.Name, changed, v.Written, v.Read, v.Snapshot, w)
		if v.Written < changed || v.Written > changed+changed/2 {
			t.Errorf("%s: wrote %d bytes for %d changed", v.Name, v.Written, changed)
		}
		if w > 4*changed {
			t.Errorf("%s: snapshot written %d bytes for %d changed", v.Name, w, changed)
		}
	}

	l.phase("night 2 (1% changed)")

	// list: two dated backups per VM, with their run's pause window and duration.
	out, stderr, code = l.kvmbackup("list", "--json", "--config", l.cfg)
	var listed []listedVM
	if err := json.Unmarshal([]byte(out), &listed); code != 0 || err != nil || len(listed) != 2 {
		t.Fatalf("list --json: exit %d %v\n%s\n%s", code, err, out, stderr)
	}
	for _, v := range listed {
		if len(v.Snapshots) != 2 || v.Snapshots[1].Pause <= 0 || v.Snapshots[1].Duration <= 0 || v.Snapshots[1].Run == "" || v.Snapshots[1].Written <= 0 {
			t.Errorf("list: %+v", v)
		}
	}
	out, _, _ = l.kvmbackup("list", "--config", l.cfg)
	t.Logf("kvmbackup list:\n%s", out)
	if _, stderr, code = l.kvmbackup("list", "--config", l.cfg, "--vm", "nosuch"); code != 2 || !strings.Contains(stderr, blk.Name) {
		t.Errorf("list --vm nosuch: exit %d: %s", code, stderr)
	}

	l.phase("list")

	l.verifies(bl)
	l.phase("verify: data, boot, a failing check, a guest never ready, SIGKILL")

	// A SIGTERM during a copy: the run stops cleanly: guests running, no snapshot or
	// mount left, no dated snapshot for it, every dataset equal to its last backup.
	bl.ChangeOnePercent(t)
	before := l.snapshots(pool, gs)
	res := l.killDuring(`"message":"copy"`, "TERM")
	t.Logf("SIGTERM during the copy: %s", res)
	if !strings.Contains(res, "exit=1") {
		t.Fatalf("SIGTERM during the copy: %s", res)
	}
	l.checkClean(pool, gs, before)
	l.status(1, "FAILED") // after a failed night
	l.phase("SIGTERM during a copy")

	// A SIGKILL inside the freeze window: the guests stay paused until `recover`.
	res = l.killDuring(`"message":"frozen"`, "KILL")
	t.Logf("SIGKILL in the freeze window: %s", res)
	paused := 0
	for _, g := range gs {
		if st, _ := g.State(t.Context()); st == "paused" {
			paused++
		}
	}
	if paused == 0 {
		t.Fatalf("killed inside the freeze window, yet no guest is paused: %s", res)
	}
	out, stderr, code = l.kvmbackup("recover", "--config", l.cfg, "--state-dir", l.state, "--lock", l.state+"/run.lock")
	t.Logf("kvmbackup recover:\n%s", out)
	if code != 0 || !strings.Contains(out, "resumed") {
		t.Fatalf("recover: exit %d\n%s\n%s", code, out, stderr)
	}
	l.checkClean(pool, gs, before)

	l.phase("SIGKILL in the freeze window, recover")

	// A short retention prunes: keep-last 1 leaves one dated snapshot per VM. With
	// quiesce.mode auto and the block guest's agent stopped, after it wrote (not
	// synced) a marker: its group is one LV, so it is synced (Alt+SysRq+S), not
	// paused, and the backup holds the marker; the file guest's agent freezes it.
	l.cfg = l.config(bl, 1)
	b, err := os.ReadFile(l.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(l.cfg, bytes.Replace(b, []byte("mode: sysrq-suspend"), []byte("mode: auto"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	mark3 := "KVMBACKUP-NIGHT3-" + testenv.UniqueName("m")
	if _, err := blk.Exec(t.Context(), "/bin/sh", "-c", "printf %s "+mark3+" | dd of=/dev/vda bs=4096 seek=4100 conv=notrunc 2>/dev/null; (sleep 1; kill $(cat /tmp/qga.pid)) >/dev/null 2>&1 &"); err != nil {
		t.Fatal(err)
	}
	l.sh(fmt.Sprintf(`i=0; until virsh -c qemu:///system dumpxml %s | grep -q "name='org.qemu.guest_agent.0' state='disconnected'"; do
	sleep 0.2; i=$((i+1)); [ $i -lt 150 ] || { echo "the agent is still connected"; exit 1; }; done`, blk.Name))
	syncs := strings.Count(blk.ConsoleText(), "sysrq: Emergency Sync")
	rep = l.run(0)
	l.checkNight(rep, bl, 1)
	l.checkReplica(rep, bl, false) // the replica keeps what the source pruned
	for _, v := range rep.VMs {
		// Each guest is alone on its LV: never paused. The file guest's agent, when
		// libvirt sees it connected, freezes it instead (a freeze window, no pause).
		t.Logf("night 3 (auto): %s quiesced %s, window %v (%s)", v.Name, v.Quiesce, v.Pause, v.Note)
		switch {
		case v.Name == blk.Name && (v.Quiesce != hypervisor.ModeSysrq || v.Pause != 0):
			t.Errorf("night 3 (auto): the block guest (agent stopped) quiesced %s, paused %v; want sysrq, no pause", v.Quiesce, v.Pause)
		case v.Quiesce != hypervisor.ModeSysrq && v.Quiesce != hypervisor.ModeAgent, v.Quiesce == hypervisor.ModeSysrq && v.Pause != 0:
			t.Errorf("night 3 (auto): %s quiesced %s, paused %v; want agent, or sysrq with no pause", v.Name, v.Quiesce, v.Pause)
		}
	}
	mp := l.sh("zfs get -H -o value mountpoint " + pool + "/vms/" + blk.Name)
	if n := l.sh("dd if=" + mp + "/vdb.raw bs=4096 skip=4100 count=1 2>/dev/null | grep -c " + mark3 + " || true"); n != "1" {
		t.Errorf("the backup of the synced, not paused guest lacks what it wrote before the night (%s)", mark3)
	}
	if n := strings.Count(blk.ConsoleText(), "sysrq: Emergency Sync"); n != syncs+1 {
		t.Errorf("%d emergency syncs on %s's console in night 3, want 1", n-syncs, blk.Name)
	}
	l.phase("night 3 (retention keep-last 1; auto: the block guest synced, not paused)")

	l.restores(bl)
	l.phase("restores: refusals, --to DIR, own volumes")
	l.restoreAndBoot(bl)
	l.phase("restore, failover --from the replica --define --as --no-network, both guests booted")
	l.mounts(bl)
	l.phase("mount: filesystems of a backup")
}

// restoreAndBoot: the block guest (shut off) is backed up again with other data at
// the start of its disk; its own LV is restored --at the backup before; and a test
// failover brings up a second copy from the replica on the second pool (the
// "second host", with a config of its own that names no target): --from ROOT --at
// night 1's backup, which local pruning removed here, --define --as --no-network;
// both boot, and both guests read the first backup's data from their disk.
func (l *lab) restoreAndBoot(bl *testenv.BackupLab) {
	t := l.t
	g := bl.Block
	keep := l.cfg
	l.cfg = l.config(bl, 10)
	defer func() { l.cfg = keep }()
	restore := func(args ...string) (string, string, int) {
		return l.kvmbackup(append([]string{"restore", "--config", l.cfg, "--lock", l.state + "/run.lock"}, args...)...)
	}
	// The receiving host's config: libvirt only, no backups of its own.
	recv := filepath.Join(l.dir, "receiver.yaml")
	if err := os.WriteFile(recv, []byte("libvirt:\n  uri: qemu:///system\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	failover := func(args ...string) (string, string, int) {
		return l.kvmbackup(append([]string{"restore", g.Name, "--config", recv, "--lock", l.state + "/run.lock", "--from", l.replica, "--at", l.night1}, args...)...)
	}
	first := l.sh("zfs list -H -t snapshot -o name -s createtxg " + bl.Pool + "/vms/" + g.Name + " | tail -1")
	_, first, _ = strings.Cut(first, "@")
	const second = "KVMBACKUP-SECOND"
	l.sh(fmt.Sprintf("printf %s | dd of=%s bs=%d count=1 conv=notrunc,fsync 2>/dev/null", second, bl.Disks[g.Name], len(second)))
	rep := l.run(0, "--vm", g.Name)
	if len(rep.VMs) != 1 || rep.VMs[0].Status != orchestrator.StatusOK {
		t.Fatalf("backup of the changed disk: %+v", rep.VMs)
	}
	mp := l.sh("zfs get -H -o value mountpoint " + bl.Pool + "/vms/" + g.Name)
	if head := l.sh(fmt.Sprintf("head -c %d %s/vdb.raw", len(second), mp)); head != second {
		t.Fatalf("the second backup starts with %q", head)
	}

	// Refusals: nothing written, nothing defined.
	copyName := g.Name + "-copy"
	dir := filepath.Join(l.dir, testenv.UniqueName("copy"))
	l.sh("mkdir -p " + dir)
	for _, c := range []struct {
		args []string
		text string
	}{
		{[]string{g.Name, "--at", first, "--define"}, "defined already"},
		{[]string{g.Name, "--at", first, "--define", "--as", copyName}, "--to DIR"},
		{[]string{g.Name, "--at", first, "--as", copyName, "--to", dir}, "add --define"},
		{[]string{g.Name, "--at", first, "--define", "--as", bl.File.Name, "--to", dir}, "defined already"},
	} {
		if out, stderr, code := restore(c.args...); code != 2 || !strings.Contains(stderr, c.text) {
			t.Errorf("restore %s: exit %d, want 2 and %q\n%s\n%s", strings.Join(c.args, " "), code, c.text, out, stderr)
		}
	}
	for _, c := range []struct {
		args []string
		text string
	}{
		{nil, "the sending host's"}, // no target: its LV is the source host's
		{[]string{"--disk", "vdb"}, "--disk DISK=/dev/VG/LV"},
		{[]string{"--to", dir, "--no-network"}, "add --define"},
		{[]string{"--to", dir, "--define"}, "defined already"}, // here the original is defined too
		{[]string{"--to", dir, "--define", "--as", copyName, "--no-network", "--from", bl.Pool + "/vms"}, "did not receive it"},
	} {
		if out, stderr, code := failover(c.args...); code != 2 || !strings.Contains(stderr, c.text) {
			t.Errorf("restore --from %s --at %s %s: exit %d, want 2 and %q\n%s\n%s", l.replica, l.night1, strings.Join(c.args, " "), code, c.text, out, stderr)
		}
	}
	if left := l.sh("ls -A " + dir + "; virsh -c qemu:///system list --all --name | grep -c -- -copy || true"); left != "0" {
		t.Fatalf("refused restores left: %q", left)
	}

	start := time.Now()
	out, stderr, code := restore(g.Name, "--at", first)
	if code != 0 || !strings.Contains(out, "verified") {
		t.Fatalf("restore --at %s: exit %d\n%s\n%s", first, code, out, stderr)
	}
	t.Logf("kvmbackup restore %s --at %s (%.1fs):\n%s", g.Name, first, time.Since(start).Seconds(), out)
	// The failover reads a backup that only the replica still has: night 1's was
	// pruned here by night 3's keep-last 1.
	if gone := l.sh("zfs list -H -o name " + bl.Pool + "/vms/" + g.Name + "@" + l.night1 + " >/dev/null 2>&1 && echo here || echo gone"); gone != "gone" {
		t.Errorf("%s@%s is still on the source: the failover proves less than it should", g.Name, l.night1)
	}
	ro := filepath.Join(l.dir, testenv.UniqueName("replica"))
	if n := l.sh(fmt.Sprintf("mkdir -p %[1]s && mount -t zfs -o ro %[2]s@%[3]s %[1]s && { grep -c '<interface' %[1]s/domain.xml; umount %[1]s; }", ro, l.replica+"/"+g.Name, l.night1)); n != "1" {
		t.Errorf("the replicated domain.xml of %s has %s interfaces, want the one attached before night 1", l.night1, n)
	}
	start = time.Now()
	out, stderr, code = failover("--to", dir, "--define", "--as", copyName, "--no-network")
	if code != 0 || !strings.Contains(out, "defined "+copyName) || !strings.Contains(out, "a replica received here") {
		t.Fatalf("failover restore --from %s --at %s --define --as --no-network: exit %d\n%s\n%s", l.replica, l.night1, code, out, stderr)
	}
	t.Logf("kvmbackup restore %s --from %s --at %s --to %s --define --as %s --no-network (%.1fs):\n%s", g.Name, l.replica, l.night1, dir, copyName, time.Since(start).Seconds(), out)
	// Defined from a replica, the copy names no file of the sending host: its serial
	// console is in DIR, beside its images (the replica's path is not used).
	cp := g.Sibling(t, copyName, filepath.Join(dir, copyName+".serial0.log"))
	if src := l.sh("virsh -c qemu:///system domblklist " + copyName + " | awk '$1==\"vdb\"{print $2}'"); src != filepath.Join(dir, "vdb.raw") {
		t.Errorf("the copy's vdb is %q", src)
	}
	iflist := l.sh("virsh -c qemu:///system domiflist " + copyName)
	if n := l.sh("virsh -c qemu:///system dumpxml " + copyName + " | grep -c '<interface' || true"); n != "0" {
		t.Errorf("the failover copy has %s interfaces:\n%s", n, iflist)
	}
	t.Logf("virsh domiflist %s:\n%s", copyName, iflist)
	l.checkNoLeftovers()
	if u1, u2 := l.sh("virsh -c qemu:///system domuuid "+g.Name), l.sh("virsh -c qemu:///system domuuid "+copyName); u1 == u2 {
		t.Errorf("the copy has the original's UUID %s", u1)
	}

	start = time.Now()
	testenv.BootGuests(t, g, cp)
	for _, vm := range []*testenv.Guest{g, cp} {
		if err := vm.WaitAgent(t.Context()); err != nil {
			t.Fatal(err)
		}
		want := testenv.Pattern(g)
		head, err := vm.Exec(t.Context(), "/bin/sh", "-c", fmt.Sprintf("head -c %d /dev/vda", len(want)))
		if err != nil || head != want {
			t.Errorf("%s booted and reads %q from its disk, want the first backup's %q (%v)", vm.Name, head, want, err)
		}
	}
	t.Logf("%s (restored) and %s (its failover copy from the replica) booted and read the first backup's data in %.1fs", g.Name, copyName, time.Since(start).Seconds())
	for _, vm := range []*testenv.Guest{g, cp} {
		if _, err := vm.Virsh(t.Context(), "destroy", vm.Name); err != nil {
			t.Fatal(err)
		}
	}
}

// config writes the backup lab's config (keep-last keepLast) with the second pool's
// receiver root as an after-run replication target (no retention of its own: it
// keeps everything).
func (l *lab) config(bl *testenv.BackupLab, keepLast int) string {
	p := bl.Config(l.t, l.dir, keepLast)
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = fmt.Fprintf(f, "replication:\n  - name: second\n    to: zfs://%s\n    after-run: true\n", l.replica)
		f.Close()
	}
	if err != nil {
		l.t.Fatal(err)
	}
	return p
}

// datedSnapshots: the names (after the @) of a dataset's dated snapshots, oldest first.
func (l *lab) datedSnapshots(ds string) []string {
	var out []string
	for _, line := range strings.Fields(l.sh("zfs list -H -t snapshot -o name -s createtxg " + ds + " | grep @kvmbackup_ || true")) {
		_, name, _ := strings.Cut(line, "@")
		out = append(out, name)
	}
	return out
}

// checkReplica: the run replicated to the second pool without error, and the
// receiver holds every dated snapshot each VM has here (same: exactly those; else
// more: what local pruning removed).
func (l *lab) checkReplica(rep *orchestrator.Report, bl *testenv.BackupLab, same bool) {
	t := l.t
	t.Helper()
	if len(rep.Replicated) != 1 || rep.Replicated[0].Error != "" || len(rep.Replicated[0].Units) != len(bl.Guests()) {
		t.Fatalf("the run's replication: %+v", rep.Replicated)
	}
	for _, u := range rep.Replicated[0].Units {
		if u.Error != "" {
			t.Errorf("replication of %s: %s", u.Dataset, u.Error)
		}
	}
	for _, g := range bl.Guests() {
		here, there := l.datedSnapshots(bl.Pool+"/vms/"+g.Name), l.datedSnapshots(l.replica+"/"+g.Name)
		if same && !slices.Equal(here, there) || !same && len(there) <= len(here) {
			t.Errorf("%s: dated snapshots here %v, on the replica %v", g.Name, here, there)
		}
		t.Logf("%s: dated snapshots here %v, on the replica %v", g.Name, here, there)
		for _, s := range here {
			if !slices.Contains(there, s) {
				t.Errorf("%s: %s is not on the replica (%v)", g.Name, s, there)
			}
		}
		if mark := l.sh("zfs get -H -s local -o value kvmbackup:replica " + l.replica + "/" + g.Name); mark != g.Name {
			t.Errorf("%s/%s: kvmbackup:replica is %q", l.replica, g.Name, mark)
		}
	}
}

// replicationFigures logs, for a night, each VM's bytes replicated against the
// ZFS written of the snapshot sent, and the replication's time against the run's.
func (l *lab) replicationFigures(rep *orchestrator.Report) {
	t := l.t
	var took time.Duration
	for _, st := range rep.Steps {
		if st.Name == "replicate" {
			took = st.Duration
		}
	}
	t.Logf("replication to %s: %.1fs of the run's %.1fs (%.0f%%), %d bytes", rep.Replicated[0].To, took.Seconds(), rep.Duration.Seconds(),
		100*took.Seconds()/rep.Duration.Seconds(), rep.Replicated[0].Bytes)
	if took <= 0 {
		t.Errorf("the report has no replicate step: %+v", rep.Steps)
	}
	for _, v := range rep.VMs {
		w, _ := strconv.ParseInt(l.sh("zfs get -Hp -o value written "+v.Snapshot), 10, 64)
		for _, u := range rep.Replicated[0].Units {
			if u.VM != v.Name {
				continue
			}
			t.Logf("%s: replicated %d bytes in %d stream(s) from %s; ZFS written of %s: %d bytes (%.2f×)", v.Name, u.Bytes, len(u.Streams), u.Start, v.Snapshot, w, float64(u.Bytes)/float64(w))
			if len(u.Streams) != 1 || u.Bytes <= 0 || u.Bytes > 2*w+1<<20 {
				t.Errorf("%s: replicated %d bytes in %d streams for a snapshot that wrote %d", v.Name, u.Bytes, len(u.Streams), w)
			}
		}
	}
}

// mounts: file-level looks into a backup. The (shut off) guests' disks get
// filesystems: a bare ext4 on the block LV, a partition table with an ext4 partition
// in the file-mode image; a run backs them up; mount shows their files read-only
// under DIR/vdb and DIR/vdb-p1; umount leaves nothing.
func (l *lab) mounts(bl *testenv.BackupLab) {
	t := l.t
	blk, img := bl.Disks[bl.Block.Name], bl.Disks[bl.File.Name]
	mnt := filepath.Join(l.dir, testenv.UniqueName("fs"))
	l.sh(fmt.Sprintf(`set -e
mkdir -p %[1]s
mkfs.ext4 -q -F %[2]s && mount %[2]s %[1]s && echo block-mode > %[1]s/hello.txt && umount %[1]s
printf 'label: dos
start=2048, type=83
' | sfdisk -q %[3]s
dev=$(losetup --find --show --partscan %[3]s)
mkfs.ext4 -q ${dev}p1 && mount ${dev}p1 %[1]s && echo file-mode > %[1]s/hello.txt && umount %[1]s
losetup -d $dev`, mnt, blk, img))
	rep := l.run(0)
	for _, v := range rep.VMs {
		if v.Quiesce != "" && v.Pause > 0 {
			t.Errorf("%s is shut off, yet was paused %v", v.Name, v.Pause)
		}
	}
	for g, want := range map[*testenv.Guest]string{bl.Block: "vdb/hello.txt", bl.File: "vdb-p1/hello.txt"} {
		dir := filepath.Join(l.dir, testenv.UniqueName("look"))
		l.sh("mkdir -p " + dir)
		out, stderr, code := l.kvmbackup("mount", "--config", l.cfg, g.Name, "--at", "latest", dir)
		if code != 0 {
			t.Fatalf("mount %s: exit %d\n%s\n%s", g.Name, code, out, stderr)
		}
		t.Logf("kvmbackup mount %s --at latest %s:\n%s", g.Name, dir, out)
		content := l.sh("cat " + dir + "/" + want)
		if content != map[*testenv.Guest]string{bl.Block: "block-mode", bl.File: "file-mode"}[g] {
			t.Errorf("%s: %s holds %q", g.Name, want, content)
		}
		if _, err := l.a.Shell(t.Context(), "touch "+dir+"/"+want); err == nil {
			t.Errorf("%s: the backup's filesystem is writable", g.Name)
		}
		_, stderr, code = l.kvmbackup("mount", "--config", l.cfg, g.Name, "--at", "latest", dir)
		if code != 2 || !strings.Contains(stderr, "not empty") {
			t.Errorf("a second mount on %s: exit %d %s", dir, code, stderr)
		}
		out, stderr, code = l.kvmbackup("umount", dir)
		if code != 0 {
			t.Fatalf("umount %s: exit %d\n%s\n%s", dir, code, out, stderr)
		}
		if left := l.sh("ls -A " + dir + "; grep -c " + dir + " /proc/mounts || true; losetup -a | grep -c " + bl.Pool + " || true"); left != "0\n0" {
			t.Errorf("umount left: %q", left)
		}
	}
	dir := filepath.Join(l.dir, testenv.UniqueName("look"))
	l.sh("mkdir -p " + dir)
	if _, stderr, code := l.kvmbackup("mount", "--config", l.cfg, bl.Block.Name, "--at", "latest", "--disk", "vdz", dir); code != 2 || !strings.Contains(stderr, "vdb") {
		t.Errorf("mount --disk vdz: exit %d %s", code, stderr)
	}
	if m := l.sh("grep -c /run/kvmbackup /proc/mounts || true"); m != "0" {
		t.Errorf("a refused mount left mounts: %s", m)
	}
}

// restores: a restore to a running VM is refused with nothing written; --to works
// whatever the VM's state; a shut-off VM's own volume (block mode: its LV; file mode:
// its image on the ext4 LV), damaged, is written back by changed blocks and verified.
func (l *lab) restores(bl *testenv.BackupLab) {
	t := l.t
	restore := func(args ...string) (string, string, int) {
		return l.kvmbackup(append([]string{"restore", "--config", l.cfg, "--lock", l.state + "/run.lock"}, args...)...)
	}
	backupSum := func(g *testenv.Guest) string {
		mp := l.sh("zfs get -H -o value mountpoint " + bl.Pool + "/vms/" + g.Name)
		return bl.FileSum(t, mp+"/vdb.raw")
	}
	for _, g := range bl.Guests() {
		before := bl.DiskSum(t, g)
		out, stderr, code := restore(g.Name, "--at", "latest")
		if code != 2 || !strings.Contains(stderr, "shut") || bl.DiskSum(t, g) != before {
			t.Fatalf("restore to running %s: exit %d\n%s\n%s", g.Name, code, out, stderr)
		}
		dir := filepath.Join(l.dir, testenv.UniqueName("restored"))
		l.sh("mkdir -p " + dir)
		out, stderr, code = restore(g.Name, "--at", "latest", "--to", dir)
		if code != 0 || !strings.Contains(out, "verified") {
			t.Fatalf("restore --to: exit %d\n%s\n%s", code, out, stderr)
		}
		if got := bl.FileSum(t, dir+"/vdb.raw"); got != backupSum(g) {
			t.Errorf("%s: restore --to wrote something else than the backup", g.Name)
		}
		t.Logf("kvmbackup restore %s --at latest --to %s:\n%s", g.Name, dir, out)
	}
	out, stderr, code := restore(bl.Block.Name, "--at", "latest", "--disk", "vdz")
	if code != 2 || !strings.Contains(stderr, "vdb") {
		t.Errorf("restore --disk vdz: exit %d %s %s", code, out, stderr)
	}
	out, stderr, code = restore(bl.Block.Name, "--at", "1999-01-01")
	if code != 2 || !strings.Contains(stderr, "kvmbackup_") {
		t.Errorf("restore --at 1999-01-01: exit %d %s %s", code, out, stderr)
	}
	// Shut off, then damage 1% of each disk, then restore the VM's own volumes.
	for _, g := range bl.Guests() {
		if _, err := g.Virsh(t.Context(), "destroy", g.Name); err != nil {
			t.Fatal(err)
		}
		l.sh(fmt.Sprintf("i=0; while [ $i -lt 40 ]; do dd if=/dev/urandom of=%s bs=64k count=1 seek=$((i*61+3)) conv=notrunc,fsync oflag=direct 2>/dev/null; i=$((i+1)); done", bl.Disks[g.Name]))
		if bl.DiskSum(t, g) == backupSum(g) {
			t.Fatal("the damage did not change the disk")
		}
		start := time.Now()
		out, stderr, code := restore(g.Name, "--at", "latest", "--json")
		var res orchestrator.Restored
		if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || len(res.Disks) != 1 {
			t.Fatalf("restore %s: exit %d %v\n%s\n%s", g.Name, code, err, out, stderr)
		}
		d := res.Disks[0]
		t.Logf("restore %s (%s mode) to its own volume %s: %.1fs, wrote %d and punched %d bytes of %d, read %d, verified %d blocks",
			g.Name, d.Mode, d.To, time.Since(start).Seconds(), d.Stats.Written, d.Stats.Punched, d.Size, d.Stats.SrcRead+d.Stats.DstRead, d.Verified.Blocks)
		// Where the backup holds zeros, a file is punched, not written.
		if d.To != bl.Disks[g.Name] || d.Stats.Written+d.Stats.Punched != 40*64<<10 || d.Verified == nil || d.Verified.Mismatched != 0 {
			t.Errorf("restore %s: %+v", g.Name, d)
		}
		if bl.DiskSum(t, g) != backupSum(g) {
			t.Errorf("%s: after the restore its disk differs from the backup", g.Name)
		}
	}
	l.checkNoLeftovers()
	if m := l.sh("grep -c /run/kvmbackup/zfs /proc/mounts || true"); m != "0" {
		t.Errorf("restore left its snapshot mounted: %s", m)
	}
}

// status runs `kvmbackup status` and checks its exit status and that its output
// holds want; it logs it and the metrics file, as an admin would see them.
func (l *lab) status(wantExit int, want string) {
	l.t.Helper()
	out, stderr, code := l.kvmbackup("status", "--config", l.cfg, "--state-dir", l.state)
	l.t.Logf("kvmbackup status (exit %d):\n%s%s", code, out, stderr)
	metrics := l.sh("grep -v '^#' " + l.dir + "/kvmbackup.prom")
	l.t.Logf("the metrics file:\n%s", metrics)
	if code != wantExit || !strings.Contains(out, want) {
		l.t.Errorf("kvmbackup status: exit %d, want %d and %q", code, wantExit, want)
	}
	// Both VMs have dated backups by now: the metrics never say otherwise, even
	// after a failed night.
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "kvmbackup_vm_last_success_timestamp_seconds{") && strings.HasSuffix(line, "} 0") ||
			strings.HasPrefix(line, "kvmbackup_vm_snapshots{") && strings.HasSuffix(line, "} 0") {
			l.t.Errorf("the metrics lie: %s", line)
		}
	}
}

// addHooks adds a hook script and notify.command (on: always) to the config; both
// live in a root-only directory of the appliance (kvmbackup runs only what nobody
// but root can change). The script records each call with the state its VM is in
// (virsh domstate) as it runs; notify.command keeps the report it is sent. It
// returns the directory.
func (l *lab) addHooks() string {
	dir := "/etc/kvmbackup-" + testenv.UniqueName("e2e")
	l.sh(fmt.Sprintf(`set -e; mkdir -m 0755 %[1]s
cat >%[1]s/hook.sh <<'EOF'
#!/bin/sh
state=
[ -n "$BACKUP_VM" ] && state=$(virsh -c qemu:///system domstate "$BACKUP_VM" | head -n1)
echo "$* ${BACKUP_STATUS:-} ${state}" >>%[1]s/calls
EOF
printf '#!/bin/sh\ncat >%[1]s/notice\n' >%[1]s/notify.sh
chmod 0755 %[1]s/hook.sh %[1]s/notify.sh`, dir))
	f, err := os.OpenFile(l.cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = fmt.Fprintf(f, "hooks:\n  script: %[1]s/hook.sh\n  timeout: 1m\nnotify:\n  command: [%[1]s/notify.sh]\n  on: always\n", dir)
		f.Close()
	}
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { l.a.Shell(context.Background(), "rm -rf "+dir) })
	return dir
}

// checkHooks checks the hook calls of a good night of both guests (one group each):
// job-start, each VM's backup-start, pre-freeze and post-thaw with the guest running
// (a hook never runs inside a pause window), backup-end ok, job-end ok; and the
// report notify.command got.
func (l *lab) checkHooks(dir string, rep *orchestrator.Report) {
	t := l.t
	var got []string
	for _, c := range strings.Split(l.sh("cat "+dir+"/calls"), "\n") {
		got = append(got, strings.Join(strings.Fields(c), " "))
	}
	t.Logf("hook calls:\n%s", strings.Join(got, "\n"))
	want := []string{"job-start"}
	for _, v := range rep.VMs {
		want = append(want, "backup-start "+v.Name+" running", "pre-freeze "+v.Name+" running", "post-thaw "+v.Name+" running",
			"backup-end "+v.Name+" ok running")
	}
	want = append(want, "job-end ok")
	if !slices.Equal(got, want) {
		t.Errorf("hook calls:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var notice orchestrator.Report
	if err := json.Unmarshal([]byte(l.sh("cat "+dir+"/notice")), &notice); err != nil || notice.RunID != rep.RunID || len(notice.VMs) != len(rep.VMs) || !notice.OK() {
		t.Errorf("notify.command got (%v): %+v", err, &notice)
	}
}

// checkNight checks a complete run: every VM ok, its guest running, its backup equal
// to its disk, n dated snapshots per VM, no kvmbackup LV or mount left.
func (l *lab) checkNight(rep *orchestrator.Report, bl *testenv.BackupLab, n int) {
	pool, gs := bl.Pool, bl.Guests()
	t := l.t
	t.Helper()
	if len(rep.VMs) != len(gs) {
		t.Fatalf("report has %d VMs", len(rep.VMs))
	}
	for _, v := range rep.VMs {
		if v.Status != orchestrator.StatusOK || v.Snapshot == "" {
			t.Errorf("%s: %s %s", v.Name, v.Status, v.Error)
		}
	}
	for _, g := range gs {
		if st, err := g.State(t.Context()); err != nil || st != "running" {
			t.Errorf("%s is %s after the run (%v)", g.Name, st, err)
		}
		ds := pool + "/vms/" + g.Name
		mp := l.sh("zfs get -H -o value mountpoint " + ds)
		src := bl.DiskSum(t, g)
		dst := bl.FileSum(t, mp+"/vdb.raw")
		if src != dst {
			t.Errorf("%s: backup %s/vdb.raw differs from the guest's disk %s", g.Name, mp, bl.Disks[g.Name])
		}
		if got := l.sh("zfs list -H -t snapshot -o name " + ds + " | grep -c @kvmbackup_ || true"); got != strconv.Itoa(n) {
			t.Errorf("%s: %s dated snapshots, want %d", ds, got, n)
		}
	}
	l.checkNoLeftovers()
}

func (l *lab) checkNoLeftovers() {
	l.t.Helper()
	// The block guest's thin LV keeps one base, and nothing else outlives a run.
	if lvs := l.sh("lvs --noheadings -o lv_name,lv_tags -S lv_tags=kvmbackup | grep -v ' web1.kvmbackup-base *kvmbackup,kvmbackup_base$' || true"); lvs != "" {
		l.t.Errorf("kvmbackup LVs left: %s", lvs)
	}
	if m := l.sh("grep /run/kvmbackup /proc/mounts || true"); m != "" {
		l.t.Errorf("mounts left: %s", m)
	}
}

// snapshots lists each VM dataset's snapshots.
func (l *lab) snapshots(pool string, gs []*testenv.Guest) string {
	var b strings.Builder
	for _, g := range gs {
		b.WriteString(l.sh("zfs list -H -t snapshot -o name " + pool + "/vms/" + g.Name))
		b.WriteString("\n")
	}
	return b.String()
}

// checkClean: after an interrupted run, guests running, nothing left, no new dated
// snapshot, each live dataset equal to its newest snapshot.
func (l *lab) checkClean(pool string, gs []*testenv.Guest, before string) {
	t := l.t
	t.Helper()
	for _, g := range gs {
		if st, err := g.State(t.Context()); err != nil || st != "running" {
			t.Errorf("%s is %s (%v)", g.Name, st, err)
		}
	}
	l.checkNoLeftovers()
	if after := l.snapshots(pool, gs); after != before {
		t.Errorf("snapshots changed by an interrupted run:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	for _, g := range gs {
		ds := pool + "/vms/" + g.Name
		mp := l.sh("zfs get -H -o value mountpoint " + ds)
		newest := l.sh("zfs list -H -t snapshot -o name -s createtxg " + ds + " | tail -1")
		_, name, _ := strings.Cut(newest, "@")
		// The last backup, mounted read-only, against the live dataset.
		ro := filepath.Join(l.dir, testenv.UniqueName("ro"))
		same := l.sh(fmt.Sprintf("mkdir -p %s && mount -t zfs -o ro %s %s && { cmp %s/vdb.raw %s/vdb.raw && cmp %s/kvmbackup.json %s/kvmbackup.json && echo same; umount %s; }",
			ro, newest, ro, mp, ro, mp, ro, ro))
		if same != "same" {
			t.Errorf("%s: the live dataset differs from its last backup %s: %s", ds, newest, same)
		}
		_ = name
	}
}

// killDuring starts `kvmbackup run` inside the appliance, sends it SIG when its log
// shows marker, and returns what happened.
func (l *lab) killDuring(marker, sig string) string {
	l.t.Helper()
	return l.killCommand(marker, sig, "run", "--json", "--progress=never", "--config", l.cfg)
}

// killCommand starts kvmbackup with args (and the lab's state directory and lock)
// inside the appliance, sends it SIG when its log shows marker, and returns what
// happened.
func (l *lab) killCommand(marker, sig string, args ...string) string {
	l.t.Helper()
	logf := filepath.Join(l.dir, testenv.UniqueName("run")+".log")
	script := fmt.Sprintf(`%s %s --state-dir %s --lock %s/run.lock >%s.json 2>%s &
pid=$!
i=0
until grep -q '%s' %s; do
	sleep 0.02; i=$((i+1))
	if [ $i -gt 6000 ] || ! kill -0 $pid 2>/dev/null; then echo "marker never seen"; break; fi
done
kill -%s $pid || true
code=0
wait $pid || code=$?
echo "exit=$code"`, l.bin, strings.Join(args, " "), l.state, l.state, logf, logf, marker, logf, sig)
	out := l.sh(script)
	b, _ := os.ReadFile(logf)
	var last []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if strings.Contains(line, `"message"`) {
			last = append(last, line)
		}
	}
	if len(last) > 6 {
		last = last[len(last)-6:]
	}
	return out + "\nlast log lines:\n" + strings.Join(last, "\n")
}

// Bad input stops a run before it changes anything: exit 2, naming what is wrong.
func TestRunRefusesBadInput(t *testing.T) {
	state := t.TempDir()
	lockFlag := "--lock=" + filepath.Join(state, "run.lock")
	bad := writeConfig(t, "snapshot:\n  size: 10X\n")
	out, err, code := runCLI(t, "run", "--config", bad, "--state-dir", state, lockFlag)
	if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), "snapshot.size") {
		t.Fatalf("bad config: exit %d, %v\n%s", code, err, out)
	}
	out, err, code = runCLI(t, "run", "--progress", "sometimes", "--state-dir", state, lockFlag)
	if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), "sometimes") {
		t.Fatalf("bad --progress: exit %d, %v\n%s", code, err, out)
	}
	l, lerr := orchestrator.Lock(filepath.Join(state, "run.lock"))
	if lerr != nil {
		t.Fatal(lerr)
	}
	defer l.Unlock()
	cfg := writeConfig(t, "libvirt:\n  uri: test:///default\n")
	out, err, code = runCLI(t, "run", "--config", cfg, "--state-dir", state, lockFlag)
	if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second run: exit %d, %v\n%s", code, err, out)
	}
	var left []string
	ents, _ := os.ReadDir(state)
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if strings.Join(left, " ") != "run.lock "+orchestrator.StateFile+" "+orchestrator.StateFile+".lock" { // the locks and the state file: no journal
		t.Fatalf("a refused run left %v", left)
	}
	// The state file says why the last run failed (the metrics file would too).
	if st, err := orchestrator.LoadState(filepath.Join(state, orchestrator.StateFile)); err != nil || st.LastRun.Reason != orchestrator.ReasonLock || st.LastRun.ExitCode != 2 {
		t.Fatalf("state file: %v %+v", err, st.LastRun)
	}
}
