package transfer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// benchTree writes the benchmark's source: files (4–64 KiB) in dirs directories.
func benchTree(b *testing.B, src string, files, dirs int) []string {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var paths []string
	for i := range files {
		p := filepath.Join(src, fmt.Sprintf("dir%02d", i%dirs), fmt.Sprintf("file%05d", i))
		if i < dirs {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		if err := os.WriteFile(p, testenv.RandomBytes(uint64(i), 4<<10+r.IntN(60<<10)), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// benchChange changes n of the files: a few bytes each, a new mtime.
func benchChange(b *testing.B, paths []string, n int, round int) {
	b.Helper()
	r := rand.New(rand.NewPCG(uint64(round), 3))
	ts := unix.NsecToTimespec(int64(1_700_000_000+round*60) * 1e9)
	for range n {
		p := paths[r.IntN(len(paths))]
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.WriteAt([]byte(fmt.Sprintf("round %d", round)), int64(r.IntN(4<<10))); err != nil {
			b.Fatal(err)
		}
		f.Close()
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts}, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSyncTreeVsRsync times SyncTree and `rsync -aHx --inplace --delete` on
// equal copies of a 5000-file tree (4–64 KiB files in 50 directories), in the same
// run: a night's backup (2% of the files changed since the last), and a first copy.
// It reports both and their ratio (synctree/rsync).
func BenchmarkSyncTreeVsRsync(b *testing.B) {
	if _, err := exec.LookPath("rsync"); err != nil {
		b.Skip("no rsync")
	}
	const files, dirs = 5000, 50
	xattrs := false // -X: as kvmbackup runs it (TreeOptions.Xattrs), rsync -X
	rsync := func(src, dst string) {
		args := []string{"-aHx", "--inplace", "--delete"}
		if xattrs {
			args = append(args, "-X")
		}
		if out, err := exec.Command("rsync", append(args, src+"/", dst+"/")...).CombinedOutput(); err != nil {
			b.Fatalf("rsync: %v: %s", err, out)
		}
	}
	ours := func(src, dst string) {
		if _, err := SyncTree(context.Background(), src, dst, TreeOptions{Xattrs: xattrs}); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time (user+system) of this process and of its children (rsync and the
	// processes it forks): a busy host stretches the wall times of both.
	cpu := func(who int) time.Duration {
		var ru unix.Rusage
		if err := unix.Getrusage(who, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	var cOurs, cRsync time.Duration
	timed := func(d, c *time.Duration, who int, f func()) {
		c0, t := cpu(who), time.Now()
		f()
		*d += time.Since(t)
		*c += cpu(who) - c0
	}
	report := func(b *testing.B, tOurs, tRsync time.Duration) {
		b.ReportMetric(float64(tOurs.Microseconds())/1e3/float64(b.N), "synctree-ms/op")
		b.ReportMetric(float64(tRsync.Microseconds())/1e3/float64(b.N), "rsync-ms/op")
		b.ReportMetric(float64(tOurs)/float64(tRsync), "ratio")
		b.ReportMetric(float64(cOurs.Microseconds())/1e3/float64(b.N), "synctree-cpu-ms/op")
		b.ReportMetric(float64(cRsync.Microseconds())/1e3/float64(b.N), "rsync-cpu-ms/op")
		b.ReportMetric(float64(cOurs)/float64(cRsync), "cpu-ratio")
		cOurs, cRsync = 0, 0
	}
	changed := func(b *testing.B) {
		base := b.TempDir()
		src, d1, d2 := filepath.Join(base, "src"), filepath.Join(base, "ours"), filepath.Join(base, "rsync")
		paths := benchTree(b, src, files, dirs)
		ours(src, d1)
		rsync(src, d2)
		var tOurs, tRsync time.Duration
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			benchChange(b, paths, files*2/100, i+1)
			b.StartTimer()
			timed(&tOurs, &cOurs, unix.RUSAGE_SELF, func() { ours(src, d1) })
			timed(&tRsync, &cRsync, unix.RUSAGE_CHILDREN, func() { rsync(src, d2) })
		}
		report(b, tOurs, tRsync)
	}
	first := func(b *testing.B) {
		base := b.TempDir()
		src := filepath.Join(base, "src")
		benchTree(b, src, files, dirs)
		var tOurs, tRsync time.Duration
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			d1, d2 := filepath.Join(base, fmt.Sprint("ours", i)), filepath.Join(base, fmt.Sprint("rsync", i))
			timed(&tOurs, &cOurs, unix.RUSAGE_SELF, func() { ours(src, d1) })
			timed(&tRsync, &cRsync, unix.RUSAGE_CHILDREN, func() { rsync(src, d2) })
			b.StopTimer()
			os.RemoveAll(d1)
			os.RemoveAll(d2)
			b.StartTimer()
		}
		report(b, tOurs, tRsync)
	}
	b.Run("2pct-changed", changed)
	b.Run("first-copy", first)
	xattrs = true
	b.Run("2pct-changed-X", changed)
	b.Run("first-copy-X", first)
}
