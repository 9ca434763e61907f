package zfs

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/testenv"
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
