package lvm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/internal/mounts"
	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m, testenv.ApplianceOptions{}) }

// lab returns a Manager whose mounts go under a test directory, and a fresh VG.
func lab(t *testing.T, vgSize int64) (*Manager, string) {
	t.Helper()
	testenv.Require(t, testenv.DeviceMapper)
	m := New()
	m.RunDir = filepath.Join(t.TempDir(), "mnt")
	return m, testenv.VolumeGroup(t, testenv.Local, vgSize)
}

// imageOnExt4 makes an ext4 filesystem on dev, mounts it (until cleanup) and writes
// data to the file rel below it: it returns the mount point and the file's path.
func imageOnExt4(t *testing.T, dev, rel string, data []byte) (mnt, img string) {
	t.Helper()
	ctx := t.Context()
	if _, err := testenv.Local(ctx, "mkfs.ext4", "-q", dev); err != nil {
		t.Fatal(err)
	}
	mnt = t.TempDir()
	if _, err := testenv.Local(ctx, "mount", dev, mnt); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { testenv.Local(context.Background(), "umount", mnt) })
	img = filepath.Join(mnt, rel)
	os.MkdirAll(filepath.Dir(img), 0o755)
	if err := os.WriteFile(img, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return mnt, img
}

func random(seed uint64, n int) []byte { return testenv.RandomBytes(seed, n) }

func writeDev(t *testing.T, path string, off int64, data []byte) { testenv.WriteAt(t, path, off, data) }

// snapshot takes a snapshot that is removed at cleanup.
func snapshot(t *testing.T, m *Manager, vg, origin string, o SnapshotOptions) LV {
	t.Helper()
	snap, err := m.Snapshot(t.Context(), vg, origin, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Remove(context.Background(), vg, snap.Name) })
	return snap
}

func sum(t *testing.T, path string, n int64) [32]byte {
	s, _ := testenv.SHA256(t, path, n)
	return s
}

func opts(run string, size string) SnapshotOptions {
	s, err := config.ParseSize(size)
	if err != nil {
		panic(err)
	}
	return SnapshotOptions{RunID: run, Size: s, Chunksize: 64 << 10}
}

// A snapshot reads what the origin held when it was taken, whatever is written after;
// it carries kvmbackup's tags; removing it leaves the origin.
func TestSnapshotKeepsBlockContent(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 256<<20)
		ctx := t.Context()
		origin := testenv.LogicalVolume(t, testenv.Local, vg, "web1", 64<<20)
		old := random(1, 16<<20)
		writeDev(t, origin, 0, old)
		start := time.Now()
		snap, err := m.Snapshot(ctx, vg, "web1", opts("r1", "32M"))
		if err != nil {
			t.Fatal(err)
		}
		created := time.Since(start)
		writeDev(t, origin, 0, random(2, 16<<20))
		if sum(t, snap.Path, 16<<20) != sha256.Sum256(old) {
			t.Fatal("the snapshot does not hold the origin's content at snapshot time")
		}
		if sum(t, origin, 16<<20) == sha256.Sum256(old) {
			t.Fatal("the origin did not change")
		}
		if !snap.IsSnapshot() || snap.Origin != "web1" || !snap.HasTag(Tag) || !snap.HasTag(RunTagPrefix+"r1") ||
			snap.Name != "web1.kvmbackup-r1" || snap.Size != 32<<20 || snap.ChunkSize != 64<<10 {
			t.Fatalf("snapshot facts: %+v", snap)
		}
		if err := m.CheckFill(ctx, snap, 90); err != nil {
			t.Fatalf("healthy snapshot reported: %v", err)
		}
		start = time.Now()
		if err := m.Remove(ctx, vg, snap.Name); err != nil {
			t.Fatal(err)
		}
		removed := time.Since(start)
		t.Logf("classic snapshot: create %v, remove %v", created, removed)
		if _, err := m.LV(ctx, vg, snap.Name); !IsNotFound(err) {
			t.Fatalf("snapshot still there: %v", err)
		}
		if _, err := m.LV(ctx, vg, "web1"); err != nil {
			t.Fatalf("origin gone: %v", err)
		}
		if err := m.Remove(ctx, vg, snap.Name); err != nil {
			t.Fatalf("removing a removed snapshot: %v", err)
		}
	})
}

// File mode: an image file on an ext4 LV; its snapshot, fsck'd and mounted read-only,
// holds the file as it was; ResolveFile finds the LV, mount point and relative path.
func TestSnapshotKeepsExt4FileContent(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 256<<20)
		ctx := t.Context()
		dev := testenv.LogicalVolume(t, testenv.Local, vg, "images", 96<<20)
		old := random(3, 8<<20)
		mnt, img := imageOnExt4(t, dev, "vms/web2.raw", old)
		testenv.Local(ctx, "sync")

		f, err := m.ResolveFile(ctx, img)
		if err != nil {
			t.Fatal(err)
		}
		if f.LV.FullName() != vg+"/images" || f.MountPoint != mnt || f.RelPath != "vms/web2.raw" || f.FSType != "ext4" {
			t.Fatalf("ResolveFile: %+v", f)
		}
		snap := snapshot(t, m, vg, "images", opts("r2", "32M"))
		writeDev(t, img, 0, random(4, 8<<20)) // the guest writes on

		dir, err := m.MountSnapshot(ctx, snap, "r2")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(dir, m.RunDir) {
			t.Fatalf("mounted at %s, outside the run dir %s", dir, m.RunDir)
		}
		got, err := os.ReadFile(filepath.Join(dir, f.RelPath))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, old) {
			t.Fatal("the snapshot's file is not the file as it was at snapshot time")
		}
		if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err == nil {
			t.Fatal("the snapshot mount is writable")
		}
		// A host volume's snapshot may hold set-user-ID programs and device nodes: none
		// works through kvmbackup's mount.
		if e, err := mounts.Of(dir); err != nil || e.Point != dir {
			t.Fatalf("mount of %s: %+v %v", dir, e, err)
		} else if o := strings.Split(e.Options, ","); !slices.Contains(o, "nosuid") || !slices.Contains(o, "nodev") || !slices.Contains(o, "noexec") {
			t.Errorf("the snapshot is mounted with %s, want nosuid,nodev,noexec", e.Options)
		}
		if err := m.Unmount(ctx, dir); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("mount point left behind: %v", err)
		}
	})
}

// A busy mount is retried, then reported; once free it unmounts.
func TestUnmountBusy(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 128<<20)
		ctx := t.Context()
		dev := testenv.LogicalVolume(t, testenv.Local, vg, "fs", 32<<20)
		testenv.Local(ctx, "mkfs.ext4", "-q", dev)
		snap := snapshot(t, m, vg, "fs", opts("r3", "8M"))
		dir, err := m.MountSnapshot(ctx, snap, "r3")
		if err != nil {
			t.Fatal(err)
		}
		busy, err := os.Open(filepath.Join(dir, "lost+found"))
		if err != nil {
			t.Fatal(err)
		}
		old := mounts.Retries
		mounts.Retries = 3
		defer func() { mounts.Retries = old }()
		err = m.Unmount(ctx, dir)
		if err == nil || !strings.Contains(err.Error(), "busy") || !strings.Contains(err.Error(), dir) {
			t.Fatalf("want a busy error naming %s, got %v", dir, err)
		}
		busy.Close()
		if err := m.Unmount(ctx, dir); err != nil {
			t.Fatal(err)
		}
	})
}

// A size given as a percentage of the origin; too little free space fails naming the
// VG, its free and needed bytes, and creates nothing.
func TestSnapshotSizeAndSpace(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 128<<20)
		ctx := t.Context()
		testenv.LogicalVolume(t, testenv.Local, vg, "a", 64<<20)
		// In three steps, as a run takes it: the freeze window holds CreateSnapshot's
		// one lvcreate alone.
		cctx, counter := runner.WithCounter(ctx)
		p, err := m.PrepareSnapshot(cctx, vg, "a", opts("p1", "25%"))
		if err != nil {
			t.Fatal(err)
		}
		prepared := counter.Read()
		made, err := m.CreateSnapshot(cctx, p)
		if err != nil {
			t.Fatal(err)
		}
		created := counter.Read().Since(prepared)
		snap, err := m.ReadySnapshot(cctx, made)
		if err != nil {
			t.Fatal(err)
		}
		if prepared.Commands != 2 || created.Commands != 1 || counter.Read().Commands != 4 {
			t.Fatalf("commands: prepare %d (want lvs, vgs), create %d (want lvcreate alone), in all %d (want 4): %v",
				prepared.Commands, created.Commands, counter.Read().Commands, counter.ByCommand())
		}
		if made.FullName() != snap.FullName() || made.Path != snap.Path || made.Origin != snap.Origin || !slices.Equal(made.Tags, snap.Tags) {
			t.Fatalf("the snapshot as made %+v, as read back %+v", made, snap)
		}
		if snap.Size != 16<<20 {
			t.Fatalf("25%% of 64 MiB gave %d bytes", snap.Size)
		}
		m.Remove(ctx, vg, snap.Name)

		before, _ := m.LVs(ctx, "vg_name="+vg)
		_, err = m.Snapshot(ctx, vg, "a", opts("p2", "100M"))
		if !errors.Is(err, ErrNoSpace) {
			t.Fatalf("want ErrNoSpace, got %v", err)
		}
		for _, want := range []string{vg, "104857600 bytes", "free"} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not name %q", err, want)
			}
		}
		after, _ := m.LVs(ctx, "vg_name="+vg)
		if len(after) != len(before) {
			t.Fatalf("a failed snapshot left LVs: %d before, %d after", len(before), len(after))
		}
		if _, err := m.Snapshot(ctx, vg, "nosuch", opts("p3", "8M")); !IsNotFound(err) {
			t.Fatalf("snapshot of a missing LV: %v", err)
		}
		if _, err := m.Snapshot(ctx, vg, "a", opts("bad run/id", "8M")); err == nil {
			t.Fatal("a bad run id was accepted")
		}
	})
}

// A thin origin gets a thin snapshot: no size, active, tagged, holding the old content.
func TestThinSnapshot(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 256<<20)
		ctx := t.Context()
		if _, err := testenv.Local(ctx, "lvm", "lvcreate", "-q", "--type", "thin-pool", "-L", "128m", "--chunksize", "64k", "-n", "pool", vg); err != nil {
			t.Fatal(err)
		}
		if _, err := testenv.Local(ctx, "lvm", "lvcreate", "-q", "-V", "64m", "-T", vg+"/pool", "-n", "thin1"); err != nil {
			t.Fatal(err)
		}
		origin := "/dev/" + vg + "/thin1"
		old := random(5, 8<<20)
		writeDev(t, origin, 0, old)
		start := time.Now()
		snap, err := m.Snapshot(ctx, vg, "thin1", opts("t1", "1G")) // the size is ignored for thin
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("thin snapshot: create + activate %v", time.Since(start))
		defer m.Remove(context.Background(), vg, snap.Name)
		if !snap.IsThin() || !snap.IsSnapshot() || snap.Major < 0 || !snap.HasTag(Tag) {
			t.Fatalf("thin snapshot facts: %+v", snap)
		}
		writeDev(t, origin, 0, random(6, 8<<20))
		if sum(t, snap.Path, 8<<20) != sha256.Sum256(old) {
			t.Fatal("the thin snapshot does not hold the old content")
		}
		if err := m.CheckFill(ctx, snap, 90); err != nil {
			t.Fatalf("healthy thin snapshot: %v", err)
		}
	})
}

// While a slow copy reads a small snapshot and the origin is rewritten heavily, the
// monitor stops the copy with ErrSnapshotOverflow before the snapshot overflows.
func TestOverflowStopsTheCopy(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 256<<20)
		ctx := t.Context()
		origin := testenv.LogicalVolume(t, testenv.Local, vg, "busy", 64<<20)
		snap := snapshot(t, m, vg, "busy", SnapshotOptions{RunID: "o1", Size: config.Size{Bytes: 8 << 20}, Chunksize: 4 << 10})
		cctx, stop := m.Watch(ctx, snap, 50, 50*time.Millisecond)

		// The guest writes on: 64 KiB every 5 ms, far more than the snapshot holds.
		go func() {
			f, err := os.OpenFile(origin, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer f.Close()
			buf := random(7, 64<<10)
			for off := int64(0); off < 32<<20 && ctx.Err() == nil; off += 64 << 10 {
				f.WriteAt(buf, off)
				f.Sync()
				time.Sleep(5 * time.Millisecond)
			}
		}()
		copyErr := slowCopy(cctx, snap.Path)
		stopErr := stop()
		var oe *OverflowError
		if !errors.Is(copyErr, ErrSnapshotOverflow) || !errors.As(copyErr, &oe) {
			t.Fatalf("the copy ended with %v, want ErrSnapshotOverflow", copyErr)
		}
		t.Logf("monitor fired at %.1f%% full (limit 50%%): %v", oe.Fill, copyErr)
		if oe.Fill <= 50 || oe.Invalid || !strings.Contains(copyErr.Error(), snap.FullName()) {
			t.Fatalf("overflow error %+v", oe)
		}
		if !errors.Is(stopErr, ErrSnapshotOverflow) {
			t.Fatalf("stop after an overflow returned %v", stopErr)
		}
	})
}

// A snapshot that overflowed while nobody watched is invalid, and the check after the
// copy says so.
func TestInvalidSnapshotDetectedAfterTheFact(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 256<<20)
		ctx := t.Context()
		origin := testenv.LogicalVolume(t, testenv.Local, vg, "full", 64<<20)
		snap := snapshot(t, m, vg, "full", SnapshotOptions{RunID: "i1", Size: config.Size{Bytes: 4 << 20}, Chunksize: 4 << 10})
		_, stop := m.Watch(ctx, snap, 90, time.Hour) // never checks while running
		writeDev(t, origin, 0, random(8, 16<<20))
		err := stop()
		var oe *OverflowError
		if !errors.As(err, &oe) || !oe.Invalid {
			t.Fatalf("want an invalid-snapshot error, got %v", err)
		}
		t.Logf("after the fact: %v", err)
	})
}

// slowCopy reads a device 64 KiB at a time with pauses until EOF or ctx ends, and
// returns the context's cause.
func slowCopy(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if _, err := f.Read(buf); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Every path form of an LV resolves to it; a device or file not on LVM is refused.
func TestResolve(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 128<<20)
		ctx := t.Context()
		testenv.LogicalVolume(t, testenv.Local, vg, "disk0", 16<<20)
		dm, err := filepath.EvalSymlinks("/dev/mapper/" + vg + "-disk0")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/dev/" + vg + "/disk0", "/dev/mapper/" + vg + "-disk0", dm} {
			lv, err := m.ResolveDevice(ctx, p)
			if err != nil || lv.FullName() != vg+"/disk0" {
				t.Fatalf("ResolveDevice(%s) = %s, %v", p, lv.FullName(), err)
			}
		}
		pvs, err := testenv.Local(ctx, "lvm", "pvs", "--noheadings", "-o", "pv_name", "--select", "vg_name="+vg)
		if err != nil {
			t.Fatal(err)
		}
		pv := strings.TrimSpace(pvs)
		if _, err := m.ResolveDevice(ctx, pv); !errors.Is(err, ErrNotOnLV) || !strings.Contains(err.Error(), pv) {
			t.Fatalf("ResolveDevice of the PV %s: %v", pv, err)
		}
		plain := filepath.Join(testenv.ScratchDir, testenv.UniqueName("plain")+".img")
		os.WriteFile(plain, []byte("x"), 0o644)
		defer os.Remove(plain)
		if _, err := m.ResolveFile(ctx, plain); !errors.Is(err, ErrNotOnLV) || !strings.Contains(err.Error(), plain) {
			t.Fatalf("ResolveFile of a file not on LVM: %v", err)
		}
		if _, err := m.ResolveFile(ctx, "/nonexistent/disk.img"); err == nil || !strings.Contains(err.Error(), "/nonexistent/disk.img") {
			t.Fatalf("ResolveFile of a missing file: %v", err)
		}
	})
}

// Cleanup removes a crashed run's mounts and snapshots; another run's only when asked
// for all; never an untagged snapshot nor a tagged origin. It is idempotent.
func TestCleanupRemovesOnlyOurs(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 256<<20)
		ctx := t.Context()
		dev := testenv.LogicalVolume(t, testenv.Local, vg, "a", 32<<20)
		testenv.LogicalVolume(t, testenv.Local, vg, "b", 32<<20)
		testenv.Local(ctx, "mkfs.ext4", "-q", dev)
		crashed, err := m.Snapshot(ctx, vg, "a", opts("crashed1", "8M"))
		if err != nil {
			t.Fatal(err)
		}
		dir, err := m.MountSnapshot(ctx, crashed, "crashed1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Snapshot(ctx, vg, "b", opts("other", "8M")); err != nil {
			t.Fatal(err)
		}
		if _, err := testenv.Local(ctx, "lvm", "lvcreate", "-q", "-s", "-L", "8m", "-n", "foreign", vg+"/b"); err != nil {
			t.Fatal(err)
		}
		if _, err := testenv.Local(ctx, "lvm", "lvchange", "-q", "--addtag", Tag, vg+"/a"); err != nil {
			t.Fatal(err)
		}
		if err := m.Remove(ctx, vg, "foreign"); !errors.Is(err, ErrNotOurs) {
			t.Fatalf("Remove of an untagged snapshot: %v", err)
		}
		if err := m.Remove(ctx, vg, "a"); !errors.Is(err, ErrNotOurs) {
			t.Fatalf("Remove of a tagged origin: %v", err)
		}

		c, err := m.Cleanup(ctx, "crashed1")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Unmounted) != 1 || c.Unmounted[0] != dir || len(c.Removed) != 1 || c.Removed[0] != crashed.FullName() {
			t.Fatalf("Cleanup(crashed1) = %+v", c)
		}
		c, err = m.Cleanup(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Removed) != 1 || c.Removed[0] != vg+"/b.kvmbackup-other" {
			t.Fatalf("Cleanup(all) = %+v", c)
		}
		for _, name := range []string{"a", "b", "foreign"} {
			if _, err := m.LV(ctx, vg, name); err != nil {
				t.Fatalf("%s/%s gone after Cleanup: %v", vg, name, err)
			}
		}
		if c, err := m.Cleanup(ctx, ""); err != nil || len(c.Removed)+len(c.Unmounted) != 0 {
			t.Fatalf("second Cleanup: %+v %v", c, err)
		}
	})
}
