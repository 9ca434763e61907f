package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/render"
	"github.com/kvmbackup/kvmbackup/testenv"
)

// Trees end to end, no fakes, no nested guests: the real binary inside the appliance
// (real LVM, a real OpenZFS mirror with lz4, real rsync), libvirt's in-process test
// driver (no VM: exclude: ["*"]). A `path` entry on an ext4 LV holds hard links,
// symlinks, a FIFO, xattrs, a sparse big file, an excluded directory and glob, and
// another filesystem mounted inside; a `volume` entry is an ext4 LV written to while
// the run snapshots it. Night 1 backs up both; 1% of the tree's files change; night 2
// (run --path) writes only those; restore --at night 1 gives what rsync -aHxX gave
// then; restore --only, mount --path, list and prune see the entries; bad input exits 2.
func TestPathsOnRealLVMAndZFS(t *testing.T) {
	if testenv.Inside() {
		t.Skip("drives the appliance from the machine")
	}
	a := testenv.SharedAppliance(t)
	l := &lab{t: t, a: a, bin: a.Install(t, buildKVMBackup(t, a.Dir)), dir: filepath.Join(a.Dir, testenv.UniqueName("paths"))}
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(l.dir) })
	l.state = filepath.Join(l.dir, "state")
	base := filepath.Join(testenv.ScratchDir, testenv.UniqueName("paths"))
	l.sh("mkdir -p " + base)
	t.Cleanup(func() { cleanupShell(a, "rm -rf "+base) })

	pool := testenv.ZPool(t, a.Run, testenv.PoolOptions{Mirror: true})
	vg := testenv.VolumeGroup(t, a.Run, 1<<30)
	tree, vol := base+"/tree", base+"/vol"
	for _, lv := range []string{"tree", "vol"} {
		dev := testenv.LogicalVolume(t, a.Run, vg, lv, 300<<20)
		l.sh(fmt.Sprintf("mkfs.ext4 -q %s && mkdir -p %s/%s && mount %s %s/%s", dev, base, lv, dev, base, lv))
		t.Cleanup(func() {
			cleanupShell(a, fmt.Sprintf("umount -l %s/%s/* 2>/dev/null; umount %s/%s", base, lv, base, lv))
		})
	}

	// The tree: 1000 small files, hard links, symlinks, a FIFO, xattrs, a sparse
	// 100 MiB file (a big file: copied by changed blocks) with a second name,
	// excluded things, and a tmpfs inside (another filesystem: not entered).
	l.sh(fmt.Sprintf(`set -e
cd %[1]s
python3 -c '
import os
for d in range(10):
    os.makedirs("data/d%%d" %% d)
    for f in range(100):
        open("data/d%%d/f%%02d" %% (d, f), "wb").write(os.urandom(16384))'
mkdir -p links cache mnt && echo hello > links/orig && ln links/orig links/hard && ln -s orig links/rel && ln -s /etc/hostname links/abs && ln -s nowhere links/dangling
mkfifo links/fifo && chmod 0620 links/fifo && chown 1234:5678 links/orig
echo drop > cache/big.bin && echo drop > data/x.tmp
truncate -s 100M sparse.img && printf 'START' | dd of=sparse.img conv=notrunc 2>/dev/null && printf 'MIDDLE' | dd of=sparse.img bs=1 seek=52428800 conv=notrunc 2>/dev/null
ln sparse.img links/sparse-hard
python3 -c 'import os; os.setxattr("links/orig", "user.note", b"kept"); os.setxattr("data", "user.dir", b"d")'
mount -t tmpfs tmpfs mnt && echo other-fs > mnt/not-copied`, tree))
	l.sh(fmt.Sprintf("mkdir -p %s/seq && echo before > %s/state", vol, vol))
	excludes := []string{"/cache", "*.tmp"}
	ref1 := base + "/ref1"
	rsyncRef := func(dst string) {
		args := "-aHxX --numeric-ids --delete --delete-excluded"
		for _, e := range excludes {
			args += fmt.Sprintf(" --exclude='%s'", e)
		}
		l.sh(fmt.Sprintf("rsync %s %s/ %s/", args, tree, dst))
	}
	rsyncRef(ref1) // what rsync -aHxX gives of the tree at night 1

	l.cfg = filepath.Join(l.dir, "config.yaml")
	cfg := fmt.Sprintf(`libvirt: {uri: "test:///default"}
quiesce: {mode: suspend, settle: 0s}
snapshot: {size: 50%%}
target: {dataset: %s/vms}
retention: {keep-last: 5, keep-hourly: 0, keep-daily: 0, keep-weekly: 0}
exclude: ["*"]
paths:
  - name: tree
    path: %s
    exclude: ["/cache", "*.tmp"]
  - name: vol
    volume: %s/vol
report: {metrics-file: %s/kvmbackup.prom}
`, pool, tree, vg, l.dir)
	if err := os.WriteFile(l.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := l.kvmbackup("run", "--dry-run", "--config", l.cfg, "--state-dir", l.state, "--lock", l.state+"/run.lock")
	if code != 0 || !strings.Contains(out, "live, one filesystem") || !strings.Contains(out, "LVM snapshot, own window") || !strings.Contains(out, pool+"/vms/_paths/tree") {
		t.Fatalf("run --dry-run: exit %d\n%s\n%s", code, out, stderr)
	}
	t.Logf("kvmbackup run --dry-run:\n%s", out)

	// A writer changes the volume's origin all through night 1: numbered files, one
	// after the other.
	l.sh(fmt.Sprintf(`setsid sh -c 'i=0; while [ ! -e %[1]s/stop ]; do i=$((i+1)); printf "%%s" $i > %[2]s/seq/$(printf %%06d $i); sleep 0.02; done; echo $i > %[1]s/writer.done' </dev/null >/dev/null 2>&1 &
until [ "$(ls %[2]s/seq | wc -l)" -ge 20 ]; do sleep 0.1; done`, base, vol))
	t.Cleanup(func() { cleanupShell(a, "touch "+base+"/stop; sleep 0.5") })

	// Night 1: both entries.
	start := time.Now()
	out, stderr, code = l.kvmbackup("run", "--json", "--log-level", "debug", "--config", l.cfg, "--state-dir", l.state, "--lock", l.state+"/run.lock")
	night1 := time.Since(start)
	l.sh(fmt.Sprintf("touch %[1]s/stop; until [ -e %[1]s/writer.done ]; do sleep 0.1; done", base))
	rep := l.decode(out, stderr, code, 0)
	t.Logf("night 1 took %.1fs", night1.Seconds())
	pr := l.paths(rep, "tree", "vol")
	treeDS, volDS := pool+"/vms/_paths/tree", pool+"/vms/_paths/vol"
	for _, want := range []string{`"fsck -p /dev/` + vg + `/vol.kvmbackup-`, `-o ro,noload,nosuid,nodev,noexec /dev/` + vg + `/vol.kvmbackup-`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the run's debug log lacks %q: the snapshot was not fsck'd and mounted read-only", want)
		}
	}
	l.checkNoLeftovers()

	// The volume's backup holds the snapshot's content: a gapless prefix of the
	// writer's files (the last one possibly empty: created, not yet written), ending
	// well before the files the writer made after the snapshot.
	volMP := l.sh("zfs get -H -o value mountpoint " + volDS)
	seq := strings.Fields(l.sh("ls " + volMP + "/seq"))
	final, _ := strconv.Atoi(l.sh("cat " + base + "/writer.done"))
	if len(seq) < 20 || len(seq) >= final {
		t.Fatalf("volume backup holds %d of the writer's %d files: want a prefix made before the copy ended", len(seq), final)
	}
	contents := strings.Split(l.sh(fmt.Sprintf(`cd %s/seq && python3 -c '
import os
for f in sorted(os.listdir(".")):
    print(f + "=" + open(f).read())'`, volMP)), "\n")
	for i, line := range contents {
		name, got, _ := strings.Cut(line, "=")
		want := strconv.Itoa(i + 1)
		if name != fmt.Sprintf("%06d", i+1) || (got != want && !(i == len(contents)-1 && got == "")) {
			t.Fatalf("volume backup: file %d is %q holding %q: not the snapshot's gapless prefix", i+1, name, got)
		}
	}
	if got := l.sh("cat " + volMP + "/state"); got != "before" {
		t.Errorf("volume backup: state holds %q", got)
	}
	t.Logf("volume: the backup holds the writer's first %d files of %d; the volume entry wrote %d bytes", len(seq), final, pr["vol"].Written)

	// The tree's backup is what rsync -aHxX gave, with holes kept.
	treeMP := l.sh("zfs get -H -o value mountpoint " + treeDS)
	l.sameTree(ref1, treeMP)
	f := strings.Fields(l.sh("stat -c '%h %b %B' " + treeMP + "/sparse.img"))
	blocks, _ := strconv.ParseInt(f[1], 10, 64)
	bsize, _ := strconv.ParseInt(f[2], 10, 64)
	if f[0] != "2" || blocks*bsize > 1<<20 {
		t.Errorf("backup of sparse.img: links %s, %d bytes allocated: want 2 links and its holes kept", f[0], blocks*bsize)
	}
	if m := l.sh("ls " + treeMP + "/mnt | wc -l"); m != "0" {
		t.Errorf("the tmpfs inside the tree was entered")
	}
	snap1 := pr["tree"].Snapshot[strings.IndexByte(pr["tree"].Snapshot, '@')+1:]

	// 1% of the tree's files change (10 of 1000 small ones, 16 KiB each).
	l.sh(fmt.Sprintf(`cd %s && python3 -c '
import os
for f in ["d3/f10", "d3/f20", "d5/f01", "d5/f02", "d5/f03", "d7/f50", "d7/f51", "d8/f99", "d9/f00", "d0/f42"]:
    open("data/" + f, "r+b").write(os.urandom(16384))
    os.utime("data/" + f, (1924992000, 1924992000))'`, tree))
	changed := int64(10 * 16384)
	// Night 2 (paths alone, no journal left) never connects to libvirt: its config
	// names a libvirt that cannot be reached, and the run must not care.
	cfg2 := filepath.Join(l.dir, "config-nolibvirt.yaml")
	if err := os.WriteFile(cfg2, []byte(strings.Replace(cfg, "test:///default", "test:///nonexistent/kvmbackup-no-such.xml", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	l.cfg = cfg2
	start = time.Now()
	rep = l.run(0, "--path", "tree")
	night2 := time.Since(start)
	l.cfg = filepath.Join(l.dir, "config.yaml")
	pr = l.paths(rep, "tree")
	zw, _ := strconv.ParseInt(l.sh("zfs get -Hp -o value written "+pr["tree"].Snapshot), 10, 64)
	t.Logf("1%% of the tree's files changed (%d files, %d bytes): night 2 (run --path tree) took %.1fs, wrote %d bytes (small files %d, big files %d), %d files transferred of %d; ZFS written of %s: %d bytes",
		10, changed, night2.Seconds(), pr["tree"].Written, pr["tree"].Tree.SmallWritten, pr["tree"].Tree.BigWritten, pr["tree"].Transferred, pr["tree"].Files, pr["tree"].Snapshot, zw)
	if w := pr["tree"].Written; w < changed || w > changed+changed/4 || pr["tree"].Transferred != 10 || pr["tree"].Tree.BigWritten != 0 {
		t.Errorf("night 2 wrote %d bytes, %d files (big: %d bytes) for 10 changed files of %d bytes", w, pr["tree"].Transferred, pr["tree"].Tree.BigWritten, changed)
	}
	if zw > 4*changed+(1<<20) {
		t.Errorf("night 2's snapshot took %d bytes for %d changed", zw, changed)
	}
	if len(rep.VMs) != 0 || len(rep.Paths) != 1 {
		t.Errorf("run --path tree backed up %d VMs and %d paths", len(rep.VMs), len(rep.Paths))
	}
	// The target read once, synced, by one channel program run in the process
	// (libzfs_core), and the dated snapshot made there too: no zfs command at all
	// (no zfs list or get: the tree's dataset not read again, the view was read
	// just now), no zpool sync; the pool checked by one zpool list -v (health, free,
	// layout), no zpool status.
	bc := rep.ByCommand
	for c := range bc {
		if strings.HasPrefix(c, "zfs ") {
			t.Errorf("night 2 ran %s: %v", c, bc)
		}
	}
	if bc["zpool sync"] != 0 || bc["zpool list"] != 1 || bc["zpool status"] != 0 || rep.Commands.Commands != 1 {
		t.Errorf("night 2 read the target with %v, want one zpool list alone", bc)
	}
	if got := l.sh("zfs list -H -t snapshot -o name " + volDS + " | wc -l"); got != "1" {
		t.Errorf("run --path tree touched vol: %s snapshots", got)
	}
	// Night 2 trusted night 1's copy for what did not change since (its files were
	// written a second before night 1 began, the dataset unwritten since): it listed
	// no directory and read no file of the copy it did not have to; and the copy is
	// still exactly what rsync gives.
	ref2 := base + "/ref2"
	rsyncRef(ref2)
	l.sameTree(ref2, treeMP)
	if p := pr["tree"]; p.CopiedAt == nil || p.Tree.Unchanged < 990 {
		t.Errorf("night 2 did not trust night 1's complete copy: copied at %v, %d entries taken as copied", p.CopiedAt, p.Tree.Unchanged)
	}
	// The attack on that trust: the copy changed behind kvmbackup's back (a file's
	// mode alone: a few bytes of metadata), right before the next night. The dataset
	// was written since its snapshot: night 3 trusts nothing and mends it.
	l.sh("chmod 0606 " + treeMP + "/data/d1/f05")
	l.cfg = cfg2
	rep = l.run(0, "--path", "tree")
	l.cfg = filepath.Join(l.dir, "config.yaml")
	pr = l.paths(rep, "tree")
	if p := pr["tree"]; p.CopiedAt != nil || p.Tree.Unchanged != 0 {
		t.Errorf("night 3 trusted a copy written since its snapshot: copied at %v, %d entries taken as copied", p.CopiedAt, p.Tree.Unchanged)
	}
	l.sameTree(ref2, treeMP)

	// SIGKILL while the volume entry's snapshot is mounted and copied: the next
	// recover removes the snapshot and the mount and rolls the dataset back to night
	// 1's backup; no dated snapshot for the killed run.
	l.sh(fmt.Sprintf(`cd %s && python3 -c '
import os
os.makedirs("more")
for i in range(300):
    open("more/f%%03d" %% i, "wb").write(os.urandom(4096))'`, vol))
	killed := l.killDuring(`"path":"vol","from"`, "KILL")
	if !strings.Contains(killed, "exit=137") {
		t.Fatalf("SIGKILL during the volume's copy: %s", killed)
	}
	if out, stderr, code = l.kvmbackup("recover", "--config", l.cfg, "--state-dir", l.state, "--lock", l.state+"/run.lock"); code != 0 {
		t.Fatalf("recover: exit %d\n%s\n%s", code, out, stderr)
	}
	t.Logf("killed during the volume's copy; kvmbackup recover:\n%s", out)
	l.checkNoLeftovers()
	if got := l.sh("zfs get -Hp -o value written " + volDS + "; zfs list -H -t snapshot -o name " + volDS + " | wc -l"); got != "0\n1" {
		t.Errorf("after recover, %s: written since its last snapshot, snapshots: %q, want 0 and 1 (night 1's)", volDS, got)
	}

	// restore --at night 1: the tree as rsync -aHxX copied it then.
	restored := base + "/restored"
	out, stderr, code = l.kvmbackup("restore", "--config", l.cfg, "--lock", l.state+"/run.lock", "--path", "tree", "--at", snap1, "--to", restored)
	if code != 0 {
		t.Fatalf("restore --path tree --at %s: exit %d\n%s\n%s", snap1, code, out, stderr)
	}
	t.Logf("%s", out)
	l.sameTree(ref1, restored)
	if x := l.sh(fmt.Sprintf(`python3 -c 'import os; print(os.getxattr("%s/links/orig", "user.note").decode())'`, restored)); x != "kept" {
		t.Errorf("restored xattr user.note: %q", x)
	}
	if l.sh("test -p "+restored+"/links/fifo && stat -c '%h %u:%g' "+restored+"/links/orig") != "2 1234:5678" {
		t.Errorf("restored FIFO, hard link or owner wrong")
	}
	if l.sh("cmp "+restored+"/data/d3/f10 "+tree+"/data/d3/f10 >/dev/null && echo same || echo differs") != "differs" {
		t.Errorf("restore --at %s gave the changed file of night 2", snap1)
	}
	// --only: a part, with the directories leading to it.
	part := base + "/part"
	if out, stderr, code = l.kvmbackup("restore", "--config", l.cfg, "--lock", l.state+"/run.lock", "--path", "tree", "--at", "latest", "--only", "links/orig", "--only", "data/d3", "--to", part); code != 0 {
		t.Fatalf("restore --only: exit %d\n%s\n%s", code, out, stderr)
	}
	if got := l.sh("cd " + part + " && find . | sort | head -4 | tr '\\n' ' '; find . -type f | wc -l"); got != ". ./data ./data/d3 ./data/d3/f00 101" {
		t.Errorf("restore --only links/orig --only data/d3 gave: %s", got)
	}

	// mount --path: night 1's tree read-only at DIR/tree; umount undoes it.
	mdir := base + "/look"
	l.sh("mkdir " + mdir)
	if out, stderr, code = l.kvmbackup("mount", "--config", l.cfg, "--path", "tree", "--at", snap1, mdir); code != 0 {
		t.Fatalf("mount --path: exit %d\n%s\n%s", code, out, stderr)
	}
	if got := l.sh("cat " + mdir + "/tree/links/orig; touch " + mdir + "/tree/x 2>/dev/null && echo writable || echo read-only"); got != "hello\nread-only" {
		t.Errorf("mounted tree: %q", got)
	}
	if out, stderr, code = l.kvmbackup("umount", mdir); code != 0 || l.sh("ls "+mdir+" | wc -l") != "0" {
		t.Errorf("umount: exit %d\n%s\n%s", code, out, stderr)
	}

	// list and prune see the entries.
	out, stderr, code = l.kvmbackup("list", "--json", "--config", l.cfg, "--path", "tree")
	var listed []listedVM
	if err := json.Unmarshal([]byte(out), &listed); code != 0 || err != nil || len(listed) != 1 || listed[0].Path != "tree" || len(listed[0].Snapshots) != 3 {
		t.Errorf("list --path tree: exit %d %v\n%s\n%s", code, err, out, stderr)
	}
	if out, stderr, code = l.kvmbackup("prune", "--dry-run", "--config", l.cfg); code != 0 || !strings.Contains(out, "keep "+treeDS+"@") || !strings.Contains(out, "keep "+volDS+"@") {
		t.Errorf("prune --dry-run: exit %d\n%s\n%s", code, out, stderr)
	}

	// Bad input: exit 2 naming it, nothing written.
	before := l.sh("zfs list -H -t all -o name -r " + pool)
	l.sh("mkdir -p " + base + "/full && echo mine > " + base + "/full/mine")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--config", l.cfg, "--path", "nosuch"}, "--path nosuch: no such paths: entry (entries: tree, vol)"},
		{[]string{"restore", "--config", l.cfg, "--path", "tree", "--at", "latest", "--to", "/"}, "never restored over / in place"},
		{[]string{"restore", "--config", l.cfg, "--path", "tree", "--at", "latest", "--to", base + "/full"}, "is not empty"},
		{[]string{"restore", "--config", l.cfg, "--path", "nosuch", "--at", "latest", "--to", base + "/new"}, "nosuch (under " + pool + "/vms/_paths: tree, vol)"},
		{[]string{"restore", "--config", l.cfg, "--path", "tree", "--at", "latest", "--only", "nothing/here", "--to", base + "/new"}, "nothing in"},
	} {
		args := append(tc.args, "--lock", l.state+"/run.lock")
		if tc.args[0] == "run" {
			args = append(args, "--state-dir", l.state)
		}
		if out, stderr, code = l.kvmbackup(args...); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 naming %q\n%s\n%s", tc.args, code, tc.want, out, stderr)
		}
	}
	// An entry valid in the config but unusable at run time fails alone: exit 1,
	// naming its path or LV, nothing written for it (alone here, so nothing at all).
	for _, bad := range []struct{ entry, want string }{
		{"path: " + base + "/full/mine", base + "/full/mine is not a directory"},
		{"volume: " + vg + "/nosuch", vg + "/nosuch"},
		{"path: " + treeMP + "/data", "inside the target's mount point"},
	} {
		p := filepath.Join(l.dir, "bad.yaml")
		os.WriteFile(p, []byte(strings.Replace(cfg, "path: "+tree, bad.entry, 1)), 0o644)
		if out, stderr, code = l.kvmbackup("run", "--config", p, "--path", "tree", "--state-dir", l.state, "--lock", l.state+"/run.lock"); code != 1 || !strings.Contains(out, "path tree: ") || !strings.Contains(out, bad.want) {
			t.Errorf("paths: entry %s: exit %d, want 1 naming %q\n%s\n%s", bad.entry, code, bad.want, out, stderr)
		}
	}
	if after := l.sh("zfs list -H -t all -o name -r " + pool); after != before || l.sh("ls "+base+"/full") != "mine" || l.sh("test -e "+base+"/new && echo made || echo none") != "none" {
		t.Errorf("bad input changed something: datasets\n%s\nthen\n%s", before, after)
	}
	l.checkNoLeftovers()
}

// cleanupShell runs a cleanup script in the appliance on a fresh bounded context (the
// test's own is cancelled before its cleanups run).
func cleanupShell(a *testenv.ApplianceVM, script string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a.Shell(ctx, script)
}

// decode reads a `run --json` report, checking its exit status.
func (l *lab) decode(out, stderr string, code, wantExit int) *orchestrator.Report {
	l.t.Helper()
	if code != wantExit {
		l.t.Fatalf("kvmbackup run: exit %d, want %d\nstdout: %s\nstderr: %s", code, wantExit, out, tail(stderr, 3000))
	}
	var rep orchestrator.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		l.t.Fatalf("run --json: %v\n%s", err, out)
	}
	var b strings.Builder
	render.Table(&b, &rep)
	l.t.Logf("kvmbackup run:\n%s", b.String())
	return &rep
}

// paths checks that each named entry was backed up, and returns their results.
func (l *lab) paths(rep *orchestrator.Report, names ...string) map[string]*orchestrator.PathResult {
	l.t.Helper()
	out := map[string]*orchestrator.PathResult{}
	for _, p := range rep.Paths {
		out[p.Name] = p
	}
	for _, n := range names {
		if p := out[n]; p == nil || p.Status != orchestrator.StatusOK || p.Snapshot == "" {
			l.t.Fatalf("path %s not backed up: %+v", n, p)
		}
	}
	return out
}

// sameTree fails unless b is identical to a as rsync -aHXx sees it: contents
// (checksums), owners, modes, times, hard links, symlinks, special files, xattrs.
func (l *lab) sameTree(a, b string) {
	l.t.Helper()
	diff := l.sh(fmt.Sprintf("rsync -naHXxc --numeric-ids --delete -i %s/ %s/", a, b))
	if diff != "" {
		l.t.Errorf("%s differs from %s:\n%s", b, a, tail(diff, 3000))
	}
}
