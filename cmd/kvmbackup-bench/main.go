// Command kvmbackup-bench is `make bench`: it measures `kvmbackup copy` against its
// named peer, `rsync --inplace --no-whole-file`, in the same run on the same files,
// and prints times, bytes written and ratios. Two cases run in the lab's appliance:
// changed-block tracking of a thin LV (thin.go) and the tree-only night against
// rsync + zfs snapshot (tree.go).
//
// Per case: SRC is an image of random data; DST is SRC as it was before a fraction of
// its 64 KiB blocks changed, each change 64 KiB of new data at an unaligned offset in
// its block. Before every timed run DST is restored, everything is synced and the page
// cache dropped. The tools take turns, once each per round (five rounds; three for
// 10 GiB), so that the disk's swings (~2× here, over minutes) fall on all of them
// alike; a tool's ratio is the median of its per-round ratios to rsync. "written" is
// what the tool's whole process tree dirtied (getrusage's ru_oublock of the reaped
// child, which includes rsync's forked receiver), i.e. what reaches the disk.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/config"
)

type result struct {
	name    string
	times   []time.Duration
	written []int64
}

func (r result) median() (time.Duration, int64) {
	t := append([]time.Duration(nil), r.times...)
	w := append([]int64(nil), r.written...)
	sort.Slice(t, func(i, j int) bool { return t[i] < t[j] })
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	if len(w) == 0 { // not measured
		return t[len(t)/2], -1
	}
	return t[len(t)/2], w[len(w)/2]
}

// ratios gives, round by round, how many times faster than r (the peer) o ran.
func (r result) ratios(o result) []float64 {
	q := make([]float64, len(r.times))
	for i := range q {
		q[i] = r.times[i].Seconds() / o.times[i].Seconds()
	}
	return q
}

func median(q []float64) float64 {
	s := append([]float64(nil), q...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ratioList(q []float64) string {
	parts := make([]string, len(q))
	for i, x := range q {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(parts, " ")
}

func main() {
	bin := flag.String("kvmbackup", "bin/kvmbackup", "the kvmbackup binary")
	dir := flag.String("dir", "/var/tmp/kvmbackup-bench", "work directory (on a real disk, not tmpfs)")
	cases := flag.String("cases", "1G:1,1G:0,1G:10,1G:100,10G:1:3", "SIZE:PERCENT_CHANGED[:ROUNDS],...")
	reps := flag.Int("reps", 5, "rounds of a case that names none (each tool once per round; medians are reported)")
	thin := flag.String("thin", "8G:1:1", "the thin-LV case in the lab's appliance, SIZE:PERCENT_CHANGED:ROUNDS (\"\": none)")
	tree := flag.String("tree", "5000:2:3", "the tree-only night in the lab's appliance against rsync -aHx --inplace + zfs snapshot, FILES:PERCENT_CHANGED:ROUNDS (\"\": none)")
	flag.Parse()
	if os.Geteuid() != 0 {
		fail("run as root: dropping the page cache needs it")
	}
	abs, err := filepath.Abs(*bin)
	if err != nil || !exists(abs) {
		fail("kvmbackup binary %s not found (make build)", *bin)
	}
	if _, err := exec.LookPath("rsync"); err != nil {
		fail("rsync not found (make deps)")
	}
	type benchCase struct {
		size        int64
		pct, rounds int
	}
	var todo []benchCase
	for _, c := range strings.Split(*cases, ",") {
		if c == "" {
			continue
		}
		f := strings.Split(c, ":")
		bc := benchCase{pct: -1, rounds: *reps}
		if len(f) >= 2 && len(f) <= 3 {
			fmt.Sscanf(strings.TrimSuffix(f[0], "G"), "%d", &bc.size)
			fmt.Sscanf(f[1], "%d", &bc.pct)
			if len(f) == 3 {
				bc.rounds = 0
				fmt.Sscanf(f[2], "%d", &bc.rounds)
			}
		}
		if bc.size <= 0 || bc.pct < 0 || bc.pct > 100 || bc.rounds < 1 {
			fail("bad case %q: want SIZE:PERCENT[:ROUNDS], a size in GiB (1G), 0-100%% and at least one round", c)
		}
		todo = append(todo, bc)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fail("%v", err)
	}
	defer os.RemoveAll(*dir)
	fmt.Printf("kvmbackup-bench: %s; page cache dropped before each run; every tool once per round; medians\n", time.Now().UTC().Format(time.RFC3339))
	ok := true
	for i, bc := range todo {
		// The headline case carries the goals.
		ok = runCase(abs, *dir, bc.size<<30, bc.pct, bc.rounds, i == 0) && ok
	}
	if *thin != "" {
		var size int64
		var pct, rounds int
		if n, _ := fmt.Sscanf(strings.ReplaceAll(strings.TrimSuffix(*thin, ""), ":", " "), "%dG %d %d", &size, &pct, &rounds); n != 3 || size <= 0 || pct <= 0 || pct > 100 || rounds < 1 {
			fail("bad -thin %q: want SIZE:PERCENT:ROUNDS, a size in GiB (8G)", *thin)
		}
		fmt.Printf("\nthin LV, changed-block tracking (in the lab's appliance, under emulation): %dG, %d%% of its chunks changed, %d round(s)\n", size, pct, rounds)
		ok = runThin(abs, size<<30, pct, rounds) && ok
	}
	if *tree != "" {
		var files, pct, rounds int
		if n, _ := fmt.Sscanf(strings.ReplaceAll(*tree, ":", " "), "%d %d %d", &files, &pct, &rounds); n != 3 || files < 100 || pct <= 0 || pct > 100 || rounds < 1 {
			fail("bad -tree %q: want FILES:PERCENT:ROUNDS, at least 100 files (5000:2:3)", *tree)
		}
		fmt.Printf("\ntree-only night (in the lab's appliance, under emulation): %d files, %d%% of them changed per night, %d night(s) after the first\n", files, pct, rounds)
		ok = runTree(abs, files, pct, rounds) && ok
	}
	if !ok {
		fmt.Println("\nRESULT: a goal was missed")
		os.Exit(1)
	}
	fmt.Println("\nRESULT: all goals met")
}

func runCase(bin, dir string, size int64, pct, reps int, goals bool) bool {
	fmt.Printf("\n== %s image, %d%% of its 64 KiB blocks changed at unaligned offsets (%d rounds)\n", human(size), pct, reps)
	src, dst, pristine, man := filepath.Join(dir, "src.img"), filepath.Join(dir, "dst.img"), filepath.Join(dir, "pristine.img"), filepath.Join(dir, "dst.manifest")
	makeImage(pristine, size)
	run("cp", "--sparse=never", pristine, src)
	changed := change(src, size, pct)
	run("cp", "--sparse=never", pristine, dst)
	fmt.Printf("   %d blocks changed, %s of new data\n", changed, human(int64(changed)*64<<10))

	restore := func(withManifest bool) {
		// Only the blocks a tool wrote differ from pristine: restore them in place
		// (this keeps DST's inode), then, for the manifest run, describe DST as it is.
		run(bin, "copy", "--progress=never", pristine, dst)
		// rsync's quick check skips a file whose size and mtime (to the second) match
		// SRC's, which happens when SRC and DST were made within one second: an old
		// mtime on DST makes the peer do its work every time.
		old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := os.Chtimes(dst, old, old); err != nil {
			fail("%v", err)
		}
		if withManifest {
			os.Remove(man)
			run(bin, "copy", "--progress=never", "--manifest", man, pristine, dst)
		}
		syscall.Sync()
		if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0o200); err != nil {
			fail("drop caches: %v", err)
		}
	}
	tools := []struct {
		name     string
		manifest bool
		argv     []string
	}{
		{"rsync --inplace --no-whole-file", false, []string{"rsync", "--inplace", "--no-whole-file", src, dst}},
		{"kvmbackup copy", false, []string{bin, "copy", "--progress=never", src, dst}},
		{"kvmbackup copy --manifest", true, []string{bin, "copy", "--progress=never", "--manifest", man, src, dst}},
		{"limit: read SRC and DST at once", false, []string{"sh", "-c", "cat " + src + " >/dev/null & cat " + dst + " >/dev/null; wait"}},
		{"limit: read SRC alone", false, []string{"cat", src}},
	}
	// Rounds: every tool once per round, in the same order, so a disk that speeds up
	// or slows down over the minutes of a case (it does here, ~2×) weighs on all of
	// them alike; each tool's ratio is the median of its per-round ratios to rsync.
	res := make([]result, len(tools))
	for round := range reps {
		for i, tool := range tools {
			restore(tool.manifest)
			d, w := timed(tool.argv)
			res[i].name = tool.name
			res[i].times = append(res[i].times, d)
			res[i].written = append(res[i].written, w)
			if round == 0 && !strings.HasPrefix(tool.name, "limit") && !sameFile(src, dst) {
				fail("%s left DST different from SRC", tool.name)
			}
		}
	}
	_, rsyncW := res[0].median()
	fmt.Printf("   %-34s %9s %12s %9s  %s\n", "", "time", "written", "vs rsync", "(per-round ratios)")
	for _, r := range res {
		t, w := r.median()
		ratios := res[0].ratios(r)
		fmt.Printf("   %-34s %8.3fs %12s %8.2fx  (%s)\n", r.name, t.Seconds(), human(w), median(ratios), ratioList(ratios))
	}
	if !goals {
		return true
	}
	ok := true
	check := func(name string, cond bool) {
		mark := "ok  "
		if !cond {
			mark, ok = "MISS", false
		}
		fmt.Printf("   goal %s %s\n", mark, name)
	}
	_, cw := res[1].median()
	_, mw := res[2].median()
	cr, mr := median(res[0].ratios(res[1])), median(res[0].ratios(res[2]))
	check(fmt.Sprintf("copy ≥ 1.5× rsync: %.2f×", cr), cr >= 1.5)
	check(fmt.Sprintf("copy --manifest ≥ 3× rsync: %.2f×", mr), mr >= 3)
	check(fmt.Sprintf("bytes written ≤ rsync's (%s): copy %s, manifest %s (its 1 MiB/GiB manifest included)", human(rsyncW), human(cw), human(mw)), cw <= rsyncW && mw <= rsyncW)
	return ok
}

// timed runs argv and returns its wall time and the bytes its process tree dirtied.
func timed(argv []string) (time.Duration, int64) {
	cmd := exec.CommandContext(context.Background(), argv[0], argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fail("%s: %v: %s", strings.Join(argv, " "), err, stderr.String())
	}
	d := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return d, ru.Oublock * 512
}

func run(argv ...string) {
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		fail("%s: %v: %s", strings.Join(argv, " "), err, out)
	}
}

func makeImage(path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	r := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 4<<20)
	for off := int64(0); off < size; off += int64(len(buf)) {
		r.Read(buf)
		n := min(int64(len(buf)), size-off)
		if _, err := f.Write(buf[:n]); err != nil {
			fail("%v", err)
		}
	}
}

// change writes 64 KiB of new data at an unaligned offset into pct% of the 64 KiB
// blocks of path, and returns how many.
func change(path string, size int64, pct int) int {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	blocks := size / (64 << 10)
	n := int(blocks * int64(pct) / 100)
	src := rand.NewChaCha8([32]byte{2})
	r := rand.New(src)
	perm := r.Perm(int(blocks))[:n]
	buf := make([]byte, 64<<10)
	for _, b := range perm {
		src.Read(buf)
		off := int64(b)*64<<10 + r.Int64N(64<<10) // somewhere in the block, never 4 KiB aligned
		if off%4096 == 0 {
			off++
		}
		k := min(int64(len(buf)), size-off)
		if _, err := f.WriteAt(buf[:k], off); err != nil {
			fail("%v", err)
		}
	}
	return n
}

func sameFile(a, b string) bool {
	return exec.Command("cmp", "-s", a, b).Run() == nil
}

// human is a size as kvmbackup shows every size (IEC units).
func human(n int64) string { return config.FormatBytes(n) }

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kvmbackup-bench: "+format+"\n", args...)
	os.Exit(2)
}
