package zfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/transfer"
)

// TestForeignSnapshots: another tool's snapshots (sanoid, zfs-auto-snapshot) in a
// VM's dataset, older than the dated ones, between them and newer than the newest.
// Rollback over the newer one is refused with nothing changed and its name in a
// *NewerSnapshotsError; the next backup's snapshot, prune and replication work
// around them: `zfs send -i` from one dated snapshot to the next skips the foreign
// one between, the receiver gets only the dated ones, and nothing foreign is ever
// destroyed.
func TestForeignSnapshots(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, src, rroot := replLab(t)
		img := filepath.Join(mustMountpoint(t, m, src), "vda.raw")
		writeImage(t, m, src, 1, 0, 4<<20)
		zfsCmd(t, "snapshot", src+"@autosnap_old")
		a, err := m.TakeSnapshot(ctx, src, t0, nil)
		if err != nil {
			t.Fatal(err)
		}
		writeImage(t, m, src, 2, 1<<20, 1<<20)
		zfsCmd(t, "snapshot", src+"@autosnap_between")
		writeImage(t, m, src, 3, 2<<20, 1<<20)
		b, err := m.TakeSnapshot(ctx, src, t0.Add(24*time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		writeImage(t, m, src, 6, 3<<20, 1<<20)       // a failed night's copy, which another
		zfsCmd(t, "snapshot", src+"@autosnap_newer") // tool snapshots in the middle
		writeImage(t, m, src, 4, 0, 512<<10)
		partial := fileSum(t, img)

		if n, err := m.Newest(ctx, src); err != nil || n.Name != b.Name {
			t.Fatalf("Newest with foreign snapshots around: %s %v", n.Name, err)
		}
		before := snapNames(t, m, src)
		_, err = m.Rollback(ctx, src)
		var ne *NewerSnapshotsError
		if !errors.Is(err, ErrNewerSnapshots) || !errors.As(err, &ne) || ne.Dataset != src || ne.Target != b.Name ||
			!slices.Equal(ne.Newer, []string{"autosnap_newer"}) {
			t.Fatalf("rollback over a newer foreign snapshot: %#v %v", ne, err)
		}
		if got := snapNames(t, m, src); !slices.Equal(got, before) {
			t.Fatalf("a refused rollback changed the snapshots: %q, were %q", got, before)
		}
		if fileSum(t, img) != partial {
			t.Fatal("a refused rollback changed the image")
		}

		// The next night rewrites every block that differs (here the first 2 MiB),
		// and takes its dated snapshot after the foreign one.
		writeImage(t, m, src, 5, 0, 2<<20)
		c, err := m.TakeSnapshot(ctx, src, t0.Add(48*time.Hour), nil)
		if err == nil {
			c, err = m.GetSnapshot(ctx, src, c.Name) // its sizes
		}
		if err != nil {
			t.Fatal(err)
		}
		if n, err := m.Newest(ctx, src); err != nil || n.Name != c.Name {
			t.Fatalf("Newest after the next night: %s %v", n.Name, err)
		}
		// zfs's written counts from the previous snapshot whoever made it: the 2 MiB
		// written since the foreign one, not the 1 MiB written before it since b
		// (docs/layout.md says so).
		t.Logf("written of %s: %d (referenced %d)", c.Name, c.Written, c.Referenced)
		if c.Written < 2<<20 || c.Written >= 3<<20 {
			t.Errorf("written of %s: %d, want the 2 MiB written since the foreign snapshot", c.Name, c.Written)
		}

		// Prune: the dated ones go, a foreign one is refused.
		if err := m.Destroy(ctx, src, a.Name); err != nil {
			t.Fatalf("destroy %s with foreign snapshots around it: %v", a.Name, err)
		}
		for _, f := range []string{"autosnap_old", "autosnap_between", "autosnap_newer"} {
			if err := m.Destroy(ctx, src, f); !errors.Is(err, ErrNotOurs) {
				t.Errorf("destroy of the foreign %s: %v", f, err)
			}
		}
		want := []string{"autosnap_old", "autosnap_between", b.Name, "autosnap_newer", c.Name}
		if got := snapNames(t, m, src); !slices.Equal(got, want) {
			t.Fatalf("snapshots after the prune: %q, want %q", got, want)
		}

		// Replication: b whole, then c -i from b over the foreign one between.
		dst := rroot + "/web1"
		ro := ReceiveOptions{Resumable: true, NoMount: true, Props: ReplicaProps("web1")}
		if _, err := m.SendReceive(ctx, b.FullName(), SendOptions{Compressed: true}, dst, ro); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		n, err := m.SendReceive(ctx, c.FullName(), SendOptions{From: b.FullName(), Compressed: true}, dst, ro)
		if err != nil {
			t.Fatalf("send -i %s %s over autosnap_newer: %v", b.Name, c.Name, err)
		}
		t.Logf("send -i %s..%s over a foreign snapshot: %d bytes in %v", b.Name, c.Name, n, time.Since(start))
		if got := snapNames(t, m, dst); !slices.Equal(got, []string{b.Name, c.Name}) {
			t.Errorf("the receiver holds %q: want only the dated ones", got)
		}
		if imageSum(t, m, dst, c.Name) != imageSum(t, m, src, c.Name) {
			t.Error("the replica of the next night differs")
		}
		if got := snapNames(t, m, src); !slices.Equal(got, want) {
			t.Errorf("replication changed the source's snapshots: %q", got)
		}
	})
}

func snapNames(t *testing.T, m *Manager, ds string) []string {
	t.Helper()
	snaps, err := m.Snapshots(t.Context(), ds)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range snaps {
		out = append(out, s.Name)
	}
	return out
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestCopyCutShortUnderForeignSnapshot: what kvmbackup relies on when it leaves a
// failed VM's dataset as it is rather than destroy another tool's newer snapshot
// (orchestrator's rollbackDataset), on real OpenZFS with the real changed-block copy.
// Night 1 copies an image with its manifest; another tool snapshots the dataset;
// night 2's copy is cut short after writing part of a changed image; the rollback is
// refused. Night 3's source is night 1's again (what night 2 wrote is reverted at the
// source): a manifest trusted as night 1's would leave night 2's blocks in place, so
// the copy must not trust it (the image's times changed), compare every block, and
// its dated snapshot must be byte-identical to night 3's source.
func TestCopyCutShortUnderForeignSnapshot(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, pool := lab(t, testenv.PoolOptions{})
		ds := pool + "/vms/web1"
		if _, err := m.EnsureDataset(ctx, ds, VMOwner("web1")); err != nil {
			t.Fatal(err)
		}
		dir := mustMountpoint(t, m, ds)
		img, man := filepath.Join(dir, "vda.raw"), filepath.Join(dir, ".manifest", "vda.raw")
		os.MkdirAll(filepath.Dir(man), 0o700)
		night1 := testenv.RandomBytes(11, 8<<20)
		night2 := bytes.Clone(night1)
		copy(night2[0:], testenv.RandomBytes(12, 1<<20))     // the first chunk
		copy(night2[6<<20:], testenv.RandomBytes(13, 1<<20)) // and the seventh
		src := filepath.Join(t.TempDir(), "vda")
		opts := transfer.Options{Manifest: man, Streams: 1}

		os.WriteFile(src, night1, 0o600)
		if st, err := transfer.Copy(ctx, src, img, opts); err != nil || st.Mode != "new" {
			t.Fatalf("night 1: %+v %v", st, err)
		}
		a, err := m.TakeSnapshot(ctx, ds, t0, nil)
		if err != nil {
			t.Fatal(err)
		}
		zfsCmd(t, "snapshot", ds+"@autosnap_hourly")

		os.WriteFile(src, night2, 0o600)
		cctx, cancel := context.WithCancel(ctx)
		o2 := opts
		o2.Progress = func(done, total int64) {
			if done >= 2<<20 {
				cancel()
			}
		}
		st, err := transfer.Copy(cctx, src, img, o2)
		cancel()
		if err == nil {
			t.Fatalf("night 2's copy was not cut short: %+v", st)
		}
		t.Logf("night 2 cut short: %v (%+v)", err, st)
		if got := fileSum(t, img); got == sha256.Sum256(night1) || got == sha256.Sum256(night2) {
			t.Fatalf("night 2's copy wrote nothing or everything (night 1's image: %v)", got == sha256.Sum256(night1))
		}
		if _, err := m.Rollback(ctx, ds); !errors.Is(err, ErrNewerSnapshots) {
			t.Fatalf("rollback over autosnap_hourly: %v", err)
		}

		os.WriteFile(src, night1, 0o600) // night 3: as night 1
		st, err = transfer.Copy(ctx, src, img, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("night 3: mode %s (%s), written %d", st.Mode, st.Note, st.Written)
		if st.Mode != "compare" || st.Written == 0 {
			t.Errorf("night 3's copy over the half-written image: %+v", st)
		}
		c, err := m.TakeSnapshot(ctx, ds, t0.Add(48*time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		if imageSum(t, m, ds, c.Name) != sha256.Sum256(night1) || imageSum(t, m, ds, a.Name) != sha256.Sum256(night1) {
			t.Error("night 3's backup differs from its source")
		}
		if got := snapNames(t, m, ds); !slices.Equal(got, []string{a.Name, "autosnap_hourly", c.Name}) {
			t.Errorf("snapshots: %q", got)
		}
	})
}
