package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/testenv"
)

// The tree-only night (issue 24: "a tree-only night no slower than `rsync -aHx
// --inplace` + `zfs snapshot` of the same tree on the same machine"), in the lab's
// appliance: a mirrored pool; a source tree of FILES files of 4–64 KiB random data
// in 50 directories, with a few symlinks and hard links, on the appliance's ext4
// scratch disk. Per night, page cache dropped before each, the tools take turns:
//   - kvmbackup: `kvmbackup run --json --path tree`, the whole night (recover, target
//     check, plan, the tree copy, the dated snapshot, prune) into POOL/vms/_paths/tree
//     as a tree-only config (libvirt's test driver, exclude: ["*"]) dictates;
//   - the peer: `rsync -aHx --inplace --delete SRC/ DST/ && zfs snapshot POOL/peer@N`
//     into the plain dataset POOL/peer of the same pool.
// Both run from copies of their programs and libraries in the appliance's memory
// (until 2026-12-04 from the lab's 9p root, where each page of a program is one
// round trip when first touched: a night's figure was then mostly the size of the
// program; the cold start from either place is printed after the nights).
// Night 1 copies the tree whole; before each later night PCT% of its files change
// (most rewritten, a few added, a few deleted). Goal: kvmbackup's night takes at
// most the peer's time (ratio ≤ 1.0): the median of night 1's ratios (it is run
// firstNights times, each from nothing) and the median of the later nights'.
// Checked too: both copies equal the source, and each report's FILES counts the
// tree's regular files. Then as many later nights again with the page cache left
// warm, shown beside the goal's cold measure (not judged): what of a cold night is
// the cold start of binaries and inodes.

// firstNights is how many times night 1 is measured (its verdict: the median of
// their ratios).
const firstNights = 3

func runTree(bin string, files, pct, rounds int) bool {
	ctx := context.Background()
	ok := true
	s := testenv.NewSession(ctx, "treebench", func(f string, a ...any) { fmt.Printf("    "+f+"\n", a...) })
	err := s.Run(func() error {
		a := testenv.StartAppliance(s, testenv.ApplianceOptions{})
		sh := func(script string) string {
			out, err := a.Shell(s.Context(), script)
			if err != nil {
				s.Fatalf("%v\n%s", err, out)
			}
			return strings.TrimSpace(out)
		}
		// Two copies of the tree (~34 KiB a file) and their snapshots, with room.
		dev := max(int64(3<<29), int64(files)*34<<10*4+512<<20)
		pool := testenv.ZPool(s, a.Run, testenv.PoolOptions{Mirror: true, DeviceSize: dev})
		dir := testenv.ScratchDir + "/" + testenv.UniqueName("treebench")
		s.Cleanup(func() {
			c, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			a.Shell(c, "rm -rf "+dir)
		})
		src, state := dir+"/src", dir+"/state"
		sh(fmt.Sprintf("mkdir -p %s %s && zfs create %s/peer", src, state, pool))
		peer := sh("zfs get -H -o value mountpoint " + pool + "/peer")

		start := time.Now()
		sh(fmt.Sprintf(`cd %s && python3 -c '
import os, random
r = random.Random(1)
for i in range(%d):
    d = "d%%02d" %% (i %% 50)
    os.makedirs(d, exist_ok=True)
    open("%%s/f%%05d" %% (d, i), "wb").write(r.randbytes(r.randint(4, 64) * 1024))
os.makedirs("links")
for i in range(5):
    os.link("d%%02d/f%%05d" %% (i, i), "links/hard%%d" %% i)
    os.symlink("../d%%02d/f%%05d" %% (i, i), "links/sym%%d" %% i)
os.symlink("nowhere", "links/dangling")' && sync`, src, files))
		size := sh("du -sh " + src + " | cut -f1")
		// The pool's first big write pays for its fresh metaslabs (loaded and
		// allocated from for the first time), and night 1's first tool would pay it
		// alone: a copy of the tree is written into the pool and destroyed first.
		// zpool wait -t free: the destroy's frees are done in the background.
		warmup := time.Now()
		sh(fmt.Sprintf("zfs create %s/warmup && cp -a %s/. $(zfs get -H -o value mountpoint %s/warmup)/ && zpool sync %s && zfs destroy %s/warmup && zpool wait -t free %s && zpool sync %s",
			pool, src, pool, pool, pool, pool, pool))
		fmt.Printf("  the pool warmed up: a copy of the tree written and destroyed (%.0fs)\n", time.Since(warmup).Seconds())
		fmt.Printf("  tree: %d files of 4–64 KiB in 50 directories, 5 hard links, 6 symlinks, %s, made in %.0fs; pool %s (mirror, lz4)\n",
			files, size, time.Since(start).Seconds(), pool)

		// Both tools' programs and libraries in the appliance's memory: kvmbackup,
		// rsync, zfs and zpool, and every library they load (libzfs_core and
		// libnvpair, which kvmbackup loads itself, included), found first by PATH and
		// LD_LIBRARY_PATH. The lab's root is the machine's, read through 9p, and
		// without a cache a page of a program is one round trip through the emulated
		// device when it is first touched (no readahead): a 14 MiB program's start
		// costs it a second there, on a disk a few milliseconds. The tree and the
		// pool stay where they are, their caches dropped before each night.
		ram := "/run/kvmblab-bench"
		sh(fmt.Sprintf(`set -e; R=%s; mkdir -p $R/bin $R/lib; install -m 0755 %s $R/bin/kvmbackup
for b in rsync zfs zpool; do cp "$(command -v $b)" $R/bin/; done
for f in $R/bin/* /lib/x86_64-linux-gnu/libzfs_core.so.3 /lib/x86_64-linux-gnu/libnvpair.so.3; do echo $f; ldd $f | awk '$3 ~ /^\// {print $3}'; done | grep '\.so' | sort -u | while read l; do cp -L $l $R/lib/; done`, ram, bin))
		inRAM := fmt.Sprintf("export PATH=%s/bin:$PATH LD_LIBRARY_PATH=%s/lib; ", ram, ram)
		kvmBin := ram + "/bin/kvmbackup"
		fmt.Printf("  both tools' programs and libraries copied into the appliance's memory (%s: %s), as a disk's page cache would hold them after their first pages\n",
			ram, sh("du -sh "+ram+" | cut -f1"))

		cfg := dir + "/config.yaml"
		sh(fmt.Sprintf(`cat >%s <<'EOF'
libvirt: {uri: "test:///default"}
target: {dataset: %s/vms}
retention: {keep-last: 5, keep-hourly: 0, keep-daily: 0, keep-weekly: 0}
exclude: ["*"]
paths:
  - name: tree
    path: %s
EOF`, cfg, pool, src))

		type night struct {
			kvm, peer       time.Duration
			kvmCPU, peerCPU time.Duration // user + sys of every process the tool started
			rep             *orchestrator.Report
		}
		var nights []night
		drop := "echo 3 >/proc/sys/vm/drop_caches" // "true" for the warm nights
		// timed runs cmd and returns its time and the CPU time (user + sys) of the
		// processes it started: what the shell's `times` says of its children (the
		// waited-for processes below them included) before and after, written by the
		// shell itself (in a $(…) it would be a subshell's).
		timed := func(cmd string) (wall, cpu time.Duration) {
			out := sh(fmt.Sprintf(`sync; %s; times >%s/c0; t0=$(date +%%s.%%N); { %s; } || exit 1; t1=$(date +%%s.%%N); times >%s/c1; echo "T $t0 $t1 $(tail -n 1 %s/c0) $(tail -n 1 %s/c1)"`, drop, dir, cmd, dir, dir, dir))
			lines := strings.Split(out, "\n")
			var t0, t1 float64
			var c [4]string
			if n, _ := fmt.Sscanf(lines[len(lines)-1], "T %f %f %s %s %s %s", &t0, &t1, &c[0], &c[1], &c[2], &c[3]); n != 6 {
				s.Fatalf("no time in %q", out)
			}
			var d [4]time.Duration
			for i, v := range c { // 0m1.230000s
				m, sec, _ := strings.Cut(strings.TrimSuffix(v, "s"), "m")
				mf, err1 := strconv.ParseFloat(m, 64)
				sf, err2 := strconv.ParseFloat(sec, 64)
				if err1 != nil || err2 != nil {
					s.Fatalf("times printed %q", lines[len(lines)-1])
				}
				d[i] = time.Duration((mf*60 + sf) * float64(time.Second))
			}
			return time.Duration((t1 - t0) * float64(time.Second)), d[2] + d[3] - d[0] - d[1]
		}
		runKVM := func(n *night) {
			n.kvm, n.kvmCPU = timed(fmt.Sprintf("%s%s run --json --config %s --path tree --state-dir %s --lock %s/run.lock >%s/report.json", inRAM, kvmBin, cfg, state, state, dir))
			n.rep = new(orchestrator.Report)
			if err := json.Unmarshal([]byte(sh("cat "+dir+"/report.json")), n.rep); err != nil {
				s.Fatalf("run --json: %v", err)
			}
			if len(n.rep.Paths) != 1 || n.rep.Paths[0].Status != orchestrator.StatusOK || !n.rep.OK() {
				s.Fatalf("kvmbackup run did not back up the tree: %s", sh("cat "+dir+"/report.json"))
			}
			// The report's FILES: the tree's regular files, by name (rsync's count).
			if want := sh("find " + src + " -type f | wc -l"); fmt.Sprint(n.rep.Paths[0].Files) != want {
				fmt.Printf("  MISS the report says the tree has %d files; find counts %s\n", n.rep.Paths[0].Files, want)
				ok = false
			}
		}
		snaps := 0
		runPeer := func(n *night) {
			snaps++ // a name of its own: night 1's runs and the later nights'
			n.peer, n.peerCPU = timed(fmt.Sprintf("%srsync -aHx --inplace --delete %s/ %s/ && zfs snapshot %s/peer@round%d", inRAM, src, peer, pool, snaps))
		}
		show := func(i int, n night) {
			p := n.rep.Paths[0]
			trust := "the last copy not trusted"
			if p.Tree.Trusted {
				trust = fmt.Sprintf("%d entries taken as the last copy's", p.Tree.Unchanged)
			}
			fmt.Printf("  night %d: kvmbackup %.2fs, peer %.2fs (%.2f×); CPU (user+sys) kvmbackup %.2fs, peer %.2fs; kvmbackup: %d commands (%.2fs in them), tree %d files, %d written (%s), small files %.2fs of the copy's %.2fs, %s\n",
				i+1, n.kvm.Seconds(), n.peer.Seconds(), n.kvm.Seconds()/n.peer.Seconds(), n.kvmCPU.Seconds(), n.peerCPU.Seconds(), n.rep.Commands.Commands, n.rep.Commands.Time.Seconds(),
				p.Files, p.Transferred, human(p.Written), p.Tree.SmallTook.Seconds(), p.Tree.Duration.Seconds(), trust)
			var steps []string
			for _, st := range n.rep.Steps {
				steps = append(steps, fmt.Sprintf("%s %.2fs/%d", st.Name, st.Duration.Seconds(), st.Commands))
			}
			fmt.Printf("    steps (time/commands): %s; the report's %.2fs of the process's %.2fs\n", strings.Join(steps, ", "), n.rep.Duration.Seconds(), n.kvm.Seconds())
			var progs []string
			for prog, c := range n.rep.ByCommand {
				progs = append(progs, fmt.Sprintf("%s %d", prog, c))
			}
			sort.Strings(progs)
			fmt.Printf("    commands: %s\n", strings.Join(progs, ", "))
		}
		// PCT% of the files change: most rewritten (new size, new data), a tenth of
		// them deleted and as many added.
		change := func(i int) {
			out := sh(fmt.Sprintf(`cd %s && python3 -c '
import os, random
r = random.Random(%d)
files = sorted(os.path.join(d, f) for d in os.listdir(".") if d.startswith("d") for f in os.listdir(d))
n = max(1, len(files) * %d // 100)
k = n // 10
pick = r.sample(files, n)
for f in pick[:n-2*k]:
    open(f, "wb").write(r.randbytes(r.randint(4, 64) * 1024))
for f in pick[n-2*k:n-k]:
    os.remove(f)
for j in range(k):
    open("d%%02d/new%d-%%d" %% (r.randrange(50), j), "wb").write(r.randbytes(r.randint(4, 64) * 1024))
print("%%d rewritten, %%d deleted, %%d added" %% (n-2*k, k, k))'`, src, 100+i, pct, i))
			fmt.Printf("  before night %d: %s\n", i+1, out)
		}
		// night i: both tools, who goes first alternating.
		turn := func(i int) night {
			var n night
			if i%2 == 0 {
				runKVM(&n)
				runPeer(&n)
			} else {
				runPeer(&n)
				runKVM(&n)
			}
			return n
		}
		// Night 1 is measured firstNights times, who goes first alternating: each
		// time from nothing (kvmbackup's datasets and state destroyed, the peer's
		// dataset made anew, untimed, and the pool's frees done), as the later
		// nights are measured several times: one full copy's figure swings by a
		// tenth from run to run on this machine. The last one's copies go on.
		var firsts []night
		for r := range firstNights {
			if r > 0 {
				sh(fmt.Sprintf("set -e; zfs destroy -r %s/vms; rm -rf %s; mkdir -p %s; zfs destroy -r %s/peer; zfs create %s/peer; zpool sync %s; zpool wait -t free %s; zpool sync %s",
					pool, state, state, pool, pool, pool, pool, pool))
			}
			n := turn(r)
			firsts = append(firsts, n)
			show(0, n)
		}
		nights = append(nights, firsts[len(firsts)-1])
		for i := 1; i <= rounds; i++ {
			change(i)
			n := turn(i)
			nights = append(nights, n)
			show(i, n)
		}

		// Both copies are the tree as it is now: checksums, owners, modes, times, links.
		kvmDst := sh("zfs get -H -o value mountpoint " + pool + "/vms/_paths/tree")
		checkCopies := func() {
			for _, d := range []string{kvmDst, peer} {
				if diff := sh(fmt.Sprintf("rsync -naHxc --delete -i %s/ %s/", src, d)); diff != "" {
					s.Fatalf("%s differs from the source:\n%s", d, testenv.Tail(diff, 2000))
				}
			}
			if diff := sh(fmt.Sprintf("diff -r --no-dereference %s %s && echo same", kvmDst, peer)); diff != "same" {
				s.Fatalf("kvmbackup's copy differs from the peer's:\n%s", testenv.Tail(diff, 2000))
			}
			fmt.Printf("  checked: kvmbackup's copy (%s) and the peer's (%s) both equal the source (rsync -nc lists nothing; diff -r between them: none)\n", kvmDst, peer)
		}
		checkCopies()
		// One more night, not in the figures: its human report as an admin reads it,
		// and its debug log's commands, each with its time.
		change(rounds + 1)
		d, _ := timed(fmt.Sprintf("%s%s run --log-level debug --log-format json --config %s --path tree --state-dir %s --lock %s/run.lock >%s/human.txt 2>%s/debug.log", inRAM, kvmBin, cfg, state, state, dir, dir))
		fmt.Printf("  night %d, not in the figures: kvmbackup run (human output, %.2fs):\n", rounds+2, d.Seconds())
		for _, l := range strings.Split(sh("cat "+dir+"/human.txt"), "\n") {
			fmt.Printf("    | %s\n", l)
		}
		// What a night spends outside its report's duration (process start, libvirt
		// loaded and connected, the config read, state files written): how much of
		// it is the cold start of the binary alone.
		v, _ := timed(inRAM + kvmBin + " version >/dev/null")
		rv, _ := timed(inRAM + "rsync --version >/dev/null")
		zv, _ := timed(inRAM + "zfs version >/dev/null")
		v9, _ := timed(bin + " version >/dev/null")
		rv9, _ := timed("rsync --version >/dev/null")
		zv9, _ := timed("zfs version >/dev/null")
		fmt.Printf("    the process took %.2fs (its report's duration above); cache dropped, the cold start of each binary alone: \"kvmbackup version\" %.2fs, \"rsync --version\" %.2fs, \"zfs version\" %.2fs (from the lab's 9p root instead: %.2fs, %.2fs, %.2fs)\n",
			d.Seconds(), v.Seconds(), rv.Seconds(), zv.Seconds(), v9.Seconds(), rv9.Seconds(), zv9.Seconds())
		fmt.Printf("    its commands (debug log), each with its time:\n")
		for _, l := range strings.Split(sh("cat "+dir+"/debug.log"), "\n") {
			var e struct {
				Message, Cmd string
				Duration     float64 // ms
			}
			if json.Unmarshal([]byte(l), &e) == nil && e.Message == "exit" && e.Cmd != "" {
				fmt.Printf("    %7.2fs %.110s\n", e.Duration/1000, e.Cmd)
			}
		}

		// The same later nights with the page cache left warm (binaries and the
		// trees' inodes cached, as on a host that ran them a moment before): what
		// the cold nights' fixed costs are made of, not the goal's measure.
		drop = "true"
		var warm []night
		for i := rounds + 2; i <= 2*rounds+1; i++ {
			change(i)
			n := turn(i)
			warm = append(warm, n)
			fmt.Printf("  warm night %d: kvmbackup %.2fs, peer %.2fs (%.2f×); report %.2fs, %d commands (%.2fs in them)\n",
				i+1, n.kvm.Seconds(), n.peer.Seconds(), n.kvm.Seconds()/n.peer.Seconds(), n.rep.Duration.Seconds(), n.rep.Commands.Commands, n.rep.Commands.Time.Seconds())
		}
		checkCopies()
		medians := func(ns []night) (km, pm time.Duration, ratios []float64) {
			var kt, pt []time.Duration
			for _, n := range ns {
				ratios = append(ratios, n.kvm.Seconds()/n.peer.Seconds())
				kt, pt = append(kt, n.kvm), append(pt, n.peer)
			}
			km, _ = result{times: kt}.median()
			pm, _ = result{times: pt}.median()
			return km, pm, ratios
		}
		km, pm, ratios := medians(nights[1:])
		var kc, pc []time.Duration
		for _, n := range nights[1:] {
			kc, pc = append(kc, n.kvmCPU), append(pc, n.peerCPU)
		}
		kcm, _ := result{times: kc}.median()
		pcm, _ := result{times: pc}.median()
		k1, p1, ratios1 := medians(firsts)
		r1 := median(ratios1)
		rn := median(ratios)
		wk, wp, wratios := medians(warm)
		fmt.Printf("  %-44s %10s %10s %8s\n", "", "kvmbackup", "peer", "ratio")
		fmt.Printf("  %-44s %9.2fs %9.2fs %7.2f×  (each time: %s)\n", fmt.Sprintf("night 1, full copy (medians of %d)", firstNights), k1.Seconds(), p1.Seconds(), r1, ratioList(ratios1))
		fmt.Printf("  %-44s %9.2fs %9.2fs %7.2f×  (per night: %s)\n", fmt.Sprintf("later nights, %d%% changed (medians of %d)", pct, rounds), km.Seconds(), pm.Seconds(), rn, ratioList(ratios))
		fmt.Printf("  %-44s %9.2fs %9.2fs %7.2f×  (user + sys of every process: kvmbackup and its %d commands; rsync and zfs)\n", "later nights' CPU time (medians)", kcm.Seconds(), pcm.Seconds(), kcm.Seconds()/pcm.Seconds(), nights[len(nights)-1].rep.Commands.Commands)
		fmt.Printf("  %-44s %9.2fs %9.2fs %7.2f×  (per night: %s; not the goal's measure)\n", fmt.Sprintf("the same, page cache warm (medians of %d)", rounds), wk.Seconds(), wp.Seconds(), median(wratios), ratioList(wratios))
		check := func(name string, r float64) {
			mark := "ok  "
			if r > 1.0 {
				mark, ok = "MISS", false
			}
			fmt.Printf("  goal %s %s: kvmbackup/peer %.2f× (goal ≤ 1.00×: no slower than rsync -aHx --inplace + zfs snapshot)\n", mark, name, r)
		}
		check("night 1", r1)
		check(fmt.Sprintf("later nights (%d%% changed)", pct), rn)
		return nil
	})
	if err != nil {
		fmt.Printf("  tree case failed: %v\n", err)
		return false
	}
	return ok
}
