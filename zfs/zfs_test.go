package zfs

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/mounts"
	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/transfer"
)

func TestMain(m *testing.M) { testenv.Main(m, testenv.ApplianceOptions{}) }

// lab returns a Manager whose mounts go under a test directory, and a fresh pool.
func lab(t *testing.T, o testenv.PoolOptions) (*Manager, string) {
	t.Helper()
	testenv.Require(t, testenv.ZFS)
	m := New()
	m.RunDir = filepath.Join(t.TempDir(), "mnt")
	return m, testenv.ZPool(t, testenv.Local, o)
}

func zfsCmd(t *testing.T, args ...string) string {
	t.Helper()
	return sh(t, append([]string{"zfs"}, args...)...)
}

func sh(t *testing.T, argv ...string) string {
	t.Helper()
	out, err := testenv.Local(t.Context(), argv...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var t0 = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)

func TestNames(t *testing.T) {
	if got := SnapshotName(t0.In(time.FixedZone("x", 3600))); got != "kvmbackup_2026-11-24T03:00:00Z" {
		t.Fatalf("SnapshotName = %s", got)
	}
	for name, want := range map[string]bool{
		"kvmbackup_2026-11-24T03:00:00Z":               true,
		"pool/vms/web1@kvmbackup_2026-11-24T03:00:00Z": true,
		"kvmbackup_2026-11-24T03:00:00+01:00":          false,
		"kvmbackup_2026-11-24T3:00:00Z":                false,
		"kvmbackup_2026-13-24T03:00:00Z":               false,
		"daily.2026-11-24":                             false,
		"kvmbackup_":                                   false,
	} {
		if _, ok := ParseSnapshotName(name); ok != want {
			t.Errorf("ParseSnapshotName(%q) ok = %v", name, ok)
		}
	}
	for _, bad := range []string{"", "pool//x", "/pool", "pool/", "pool/-x", "pool/a b", "pool/x@y", "pool/..", "pool/ä"} {
		if CheckDatasetName(bad) == nil {
			t.Errorf("CheckDatasetName(%q) accepted", bad)
		}
	}
	for _, good := range []string{"backup", "backup/vms", "tank/b.k_p:1-2/web1"} {
		if err := CheckDatasetName(good); err != nil {
			t.Errorf("CheckDatasetName(%q): %v", good, err)
		}
	}
}

// parsePoolList on what zpool list -v printed for real pools (OpenZFS 2.1): every
// class, a raidz beside a single device, a dRAID, a degraded mirror; the pool's
// health and free bytes, the top-level vdevs (not a mirror's devices) in their class.
func TestParsePoolList(t *testing.T) {
	const all = `NAME              HEALTH       FREE
px                ONLINE  251473920
  mirror-0        ONLINE   83886080
    /dev/loop2    ONLINE  -
    /dev/loop3   OFFLINE  -
dedup                  -  -
  /dev/loop6      ONLINE   83886080
special                -  -
  mirror-1        ONLINE   83701760
    /dev/loop4    ONLINE  -
    /dev/loop5    ONLINE  -
logs                   -  -
  /dev/loop7      ONLINE   83886080
cache                  -  -
  /dev/loop8      ONLINE  100138496
spare                  -  -
  /dev/loop9       AVAIL  -
`
	pl, err := parsePoolList("px", all)
	want := []Vdev{{"mirror-0", "data", "ONLINE", true}, {"/dev/loop6", "dedup", "ONLINE", false}, {"mirror-1", "special", "ONLINE", true},
		{"/dev/loop7", "logs", "ONLINE", false}, {"/dev/loop8", "cache", "ONLINE", false}, {"/dev/loop9", "spares", "AVAIL", false}}
	if err != nil || pl.health != "ONLINE" || pl.free != 251473920 || !slices.Equal(pl.vdevs, want) {
		t.Errorf("every class: %+v %v", pl, err)
	}
	const mixed = `NAME                      HEALTH       FREE
py                        DEGRADED  435881984
  raidz1-0                ONLINE  268149760
    /dev/loop2            ONLINE  -
    /dev/loop3            ONLINE  -
  /dev/loop5              ONLINE   83846144
  draid1:2d:4c:0s-1       DEGRADED  201079296
    /dev/loop10           FAULTED  -
special                        -  -
  /dev/loop6              ONLINE   83886080
`
	pl, err = parsePoolList("py", mixed)
	want = []Vdev{{"raidz1-0", "data", "ONLINE", true}, {"/dev/loop5", "data", "ONLINE", false},
		{"draid1:2d:4c:0s-1", "data", "DEGRADED", true}, {"/dev/loop6", "special", "ONLINE", false}}
	if err != nil || pl.health != "DEGRADED" || pl.free != 435881984 || !slices.Equal(pl.vdevs, want) {
		t.Errorf("mixed: %+v %v", pl, err)
	}
	for name, bad := range map[string]string{
		"no header":      "py ONLINE 1\n",
		"another pool":   "NAME HEALTH FREE\npz ONLINE 1\n",
		"no pool line":   "NAME HEALTH FREE\n",
		"free not bytes": "NAME HEALTH FREE\npy ONLINE 1G\n",
		"indented pool":  "NAME HEALTH FREE\n  py ONLINE 1\n",
		"nothing":        "",
	} {
		if _, err := parsePoolList("py", bad); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func problems(r *TargetReport) string {
	var s []string
	for _, p := range r.Problems {
		s = append(s, p.Error())
	}
	return strings.Join(s, "\n")
}

// Target checks on real pools: a mirror with lz4 passes; a single-device pool fails
// the mirror check naming the pool and device; compression off fails naming the
// dataset; a missing child dataset is checked by what it inherits; a degraded mirror
// is a warning and a missing pool a problem; too little space is one.
func TestCheckTarget(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, mirror := lab(t, testenv.PoolOptions{Mirror: true, Devices: 3})
		opts := TargetOptions{Dataset: mirror + "/backup/vms", RequireMirror: true, RequireCompression: true, MinAvailable: 64 << 20}
		// Every check is made both ways: CheckTarget, and CheckTargetView (a run's
		// one round), whose report must be the same and whose view ReadView's.
		check := func(o TargetOptions) (*TargetReport, error) {
			t.Helper()
			r, err := m.CheckTarget(ctx, o)
			rv, v, errv := m.CheckTargetView(ctx, o)
			if (err == nil) != (errv == nil) || !reflect.DeepEqual(space(r), space(rv)) ||
				(r != nil && (!near(r.Free, rv.Free) || !near(r.Available, rv.Available))) {
				t.Fatalf("%s: CheckTarget %+v, %v; CheckTargetView %+v, %v", o.Dataset, r, err, rv, errv)
			}
			if err != nil || len(r.Problems) > 0 {
				if v != nil {
					t.Fatalf("%s: a view with problems %s", o.Dataset, problems(r))
				}
				return r, err
			}
			want, err := m.ReadView(ctx, o.Dataset)
			if err != nil || !reflect.DeepEqual(viewSpace(v), viewSpace(want)) {
				t.Fatalf("%s: CheckTargetView's view %+v, ReadView's %+v (%v)", o.Dataset, v, want, err)
			}
			if d := v.Datasets[o.Dataset]; d != nil && (d.Compression != r.Compression || !near(d.Available, r.Available)) {
				t.Fatalf("%s: the view's compression %s and available %d, the check's %s and %d", o.Dataset, d.Compression, d.Available, r.Compression, r.Available)
			}
			return r, nil
		}
		r, err := check(opts)
		if err != nil || len(r.Problems) != 0 {
			t.Fatalf("mirror+lz4: %v\n%s", err, problems(r))
		}
		if r.Exists || r.FiguresFrom != mirror || r.Compression != "lz4" || r.Health != "ONLINE" || r.Layout() != "mirror-0 (redundant)" || r.Available < 1<<30 {
			t.Fatalf("report %+v (layout %s)", r, r.Layout())
		}
		big := opts
		big.MinAvailable = 1 << 40
		if r, _ := check(big); !strings.Contains(problems(r), "bytes available") {
			t.Fatalf("1 TiB wanted: %s", problems(r))
		}
		if r.PoolMountpoint != "/scratch/"+mirror && !strings.HasSuffix(r.PoolMountpoint, "/"+mirror) {
			t.Fatalf("the pool's root dataset mounted at %q", r.PoolMountpoint)
		}
		zfsCmd(t, "create", "-p", "-o", "compression=off", mirror+"/backup/vms")
		r, _ = check(opts)
		if !r.Exists || r.FiguresFrom != mirror+"/backup/vms" || !strings.Contains(problems(r), "compression is off for "+mirror+"/backup/vms") {
			t.Fatalf("compression off: %+v\n%s", r, problems(r))
		}
		opts.RequireCompression = false
		if r, _ := check(opts); len(r.Problems) != 0 {
			t.Fatalf("compression not required: %s", problems(r))
		}

		_, single := lab(t, testenv.PoolOptions{Devices: 1})
		r, _ = check(TargetOptions{Dataset: single, RequireMirror: true, RequireCompression: true})
		p := problems(r)
		if !strings.Contains(p, "pool "+single+" is not redundant") || !strings.Contains(p, "/dev/loop") || !strings.Contains(p, "zpool attach") {
			t.Fatalf("single device: %s", p)
		}
		if r, _ := check(TargetOptions{Dataset: single}); len(r.Problems) != 0 {
			t.Fatalf("single device, mirror not required: %s", problems(r))
		}
		// Every class, as zpool list -v prints it: a raidz beside the single device
		// (its devices are not top-level vdevs), a special vdev of one device (data
		// lives there too: not redundant), and a log, a cache and a spare of one
		// device each (not data: no mirror needed).
		first := r.Vdevs[0].Name
		loops := make([]string, 7)
		for i := range loops {
			loops[i] = testenv.LoopDevice(t, testenv.Local, 128<<20)
		}
		sh(t, "zpool", "add", "-f", single, "raidz1", loops[0], loops[1], loops[2])
		sh(t, "zpool", "add", "-f", single, "special", loops[3])
		sh(t, "zpool", "add", "-f", single, "log", loops[4], "cache", loops[5], "spare", loops[6])
		r, _ = check(TargetOptions{Dataset: single, RequireMirror: true})
		wantLayout := first + " (single device), raidz1-1 (redundant), special " + loops[3] + " (single device), logs " + loops[4] +
			" (single device), cache " + loops[5] + " (single device), spares " + loops[6] + " (single device)"
		if r.Layout() != wantLayout || r.Health != PoolOnline || r.Free <= 0 {
			t.Fatalf("every class: layout %q, want %q; health %s, free %d", r.Layout(), wantLayout, r.Health, r.Free)
		}
		if p := problems(r); !strings.Contains(p, "not redundant: "+first+", "+loops[3]+" without a mirror") {
			t.Fatalf("every class: %s", p)
		}

		dev := strings.Fields(sh(t, "zpool", "list", "-H", "-P", "-v", mirror))
		var loop string
		for _, f := range dev {
			if strings.HasPrefix(f, "/dev/loop") {
				loop = f
				break
			}
		}
		sh(t, "zpool", "offline", mirror, loop)
		r, _ = check(opts)
		if len(r.Problems) != 0 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].What, "pool "+mirror+" is DEGRADED") {
			t.Fatalf("degraded: a warning, not a problem: problems %s; warnings %+v", problems(r), r.Warnings)
		}
		sh(t, "zpool", "online", mirror, loop)
		// The pool's root dataset not mounted: both say so.
		zfsCmd(t, "umount", mirror+"/backup/vms")
		zfsCmd(t, "umount", mirror+"/backup")
		zfsCmd(t, "umount", mirror)
		if r, _ := check(opts); r.PoolMountpoint != "" || !r.PoolMountRead {
			t.Fatalf("pool root not mounted: %+v", r)
		}
		zfsCmd(t, "mount", "-a")

		r, err = check(TargetOptions{Dataset: "kvmblab-nopool/vms"})
		if err != nil || !strings.Contains(problems(r), "pool kvmblab-nopool (of target.dataset kvmblab-nopool/vms) does not exist") {
			t.Fatalf("no pool: %v %s", err, problems(r))
		}
		if _, err := check(TargetOptions{Dataset: "bad name"}); err == nil || !strings.Contains(err.Error(), "target.dataset") {
			t.Fatalf("bad name: %v", err)
		}
	})
}

// space is a report without its free and available bytes (near checks them): two
// reads a moment apart may see a transaction group's frees between them.
func space(r *TargetReport) *TargetReport {
	if r == nil {
		return nil
	}
	c := *r
	c.Free, c.Available = 0, 0
	return &c
}

// viewSpace is a view without each dataset's available bytes, as space.
func viewSpace(v *View) *View {
	c := &View{Root: v.Root, Datasets: map[string]*ViewDataset{}}
	for k, d := range v.Datasets {
		dc := *d
		dc.Available = 0
		c.Datasets[k] = &dc
	}
	return c
}

// near: two byte counts read a moment apart are within 64 MiB of each other.
func near(a, b int64) bool { return a-b < 64<<20 && b-a < 64<<20 }

// Dated snapshots with user properties; a collision is refused; listing shows
// creation, space, holds and properties; pins protect; destroy takes only ours.
func TestSnapshotsPinsDestroy(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, pool := lab(t, testenv.PoolOptions{Mirror: true})
		ds := pool + "/vms/web1"
		if created, err := m.EnsureDataset(ctx, ds, VMOwner(path.Base(ds))); err != nil || !created {
			t.Fatalf("EnsureDataset: %v %v", created, err)
		}
		if created, err := m.EnsureDataset(ctx, ds, VMOwner(path.Base(ds))); err != nil || created {
			t.Fatalf("EnsureDataset again: %v %v", created, err)
		}
		if c, _ := m.Property(ctx, ds, "compression"); c != "lz4" {
			t.Fatalf("the VM dataset does not inherit compression: %q", c)
		}
		dir, err := m.Mountpoint(ctx, ds)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "vda.raw"), testenv.RandomBytes(1, 1<<20), 0o644)
		props := map[string]string{PropRun: "r1", PropVersion: "test"}
		s1, err := m.TakeSnapshot(ctx, ds, t0, props)
		if err != nil {
			t.Fatal(err)
		}
		if s1.Name != "kvmbackup_2026-11-24T03:00:00Z" || s1.Props[PropRun] != "r1" || time.Since(s1.Created) > time.Hour {
			t.Fatalf("snapshot %+v", s1)
		}
		if got, err := m.GetSnapshot(ctx, ds, s1.Name); err != nil || got.Props[PropRun] != "r1" || got.Props[PropVersion] != "test" ||
			got.Written < 1<<20 || got.Referenced < 1<<20 {
			t.Fatalf("the snapshot as zfs lists it: %+v %v", got, err)
		}
		if _, err := m.TakeSnapshot(ctx, ds, t0, nil); !errors.Is(err, ErrExists) {
			t.Fatalf("collision: %v", err)
		}
		// The library's descriptor of /dev/zfs is not handed to the commands
		// started after it was loaded.
		if err := m.Core.Available(); err != nil {
			t.Fatal(err)
		}
		childFDs := func() string { return sh(t, "sh", "-c", "ls -l /proc/$$/fd") }
		if fds := childFDs(); strings.Contains(fds, "/dev/zfs") {
			t.Fatalf("a command started after libzfs_core was loaded holds /dev/zfs:\n%s", fds)
		}
		// A release whose libzfs_core_init opens it without O_CLOEXEC (as some do):
		// the child would hold it, but for closeOnExec.
		leak, err := unix.Open("/dev/zfs", unix.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(leak)
		if fds := childFDs(); !strings.Contains(fds, "/dev/zfs") {
			t.Fatalf("a descriptor without O_CLOEXEC is not seen in the child:\n%s", fds)
		}
		if err := closeOnExec("/dev/zfs"); err != nil {
			t.Fatal(err)
		}
		if fds := childFDs(); strings.Contains(fds, "/dev/zfs") {
			t.Fatalf("after closeOnExec, a command still holds /dev/zfs:\n%s", fds)
		}
		// Made in this process (libzfs_core) or by zfs snapshot, the same snapshot;
		// both say a collision is one, and a missing dataset is ErrNotFound.
		byCommand := *m
		byCommand.Core = nil
		for name, mm := range map[string]*Manager{"libzfs_core": m, "zfs snapshot": &byCommand} {
			cctx, counter := runner.WithCounter(ctx)
			at := t0.Add(30 * time.Minute)
			if name == "zfs snapshot" {
				at = at.Add(time.Minute)
			}
			s, err := mm.TakeSnapshot(cctx, ds, at, props)
			got, gerr := m.GetSnapshot(ctx, ds, s.Name)
			if err != nil || gerr != nil || !maps.Equal(got.Props, props) {
				t.Fatalf("%s: %+v %v; listed %+v %v", name, s, err, got, gerr)
			}
			if n, want := counter.Read().Commands, map[bool]int{true: 1}[name == "zfs snapshot"]; n != want {
				t.Errorf("%s: %d commands, want %d", name, n, want)
			}
			if _, err := mm.TakeSnapshot(ctx, ds, at, nil); !errors.Is(err, ErrExists) {
				t.Fatalf("%s: collision: %v", name, err)
			}
			if _, err := mm.TakeSnapshot(ctx, pool+"/nothing", at, nil); !IsNotFound(err) {
				t.Fatalf("%s: no dataset: %v", name, err)
			}
			zfsCmd(t, "destroy", ds+"@"+s.Name)
		}
		if _, err := m.TakeSnapshot(ctx, ds, t0.Add(time.Second), map[string]string{"run": "x"}); err == nil {
			t.Fatal("a property without ':' was accepted")
		}
		s2, err := m.TakeSnapshot(ctx, ds, t0.Add(time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		zfsCmd(t, "snapshot", ds+"@manual")
		zfsCmd(t, "hold", "admin", ds+"@manual")
		defer testenv.Local(context.Background(), "zfs", "release", "admin", ds+"@manual")

		snaps, err := m.Snapshots(ctx, ds)
		if err != nil || len(snaps) != 3 {
			t.Fatalf("Snapshots: %v %+v", err, snaps)
		}
		if snaps[0].Name != s1.Name || snaps[1].Name != s2.Name || snaps[2].Name != "manual" || snaps[2].Ours() || !snaps[0].Ours() ||
			!snaps[2].Held() || snaps[2].Pinned() || snaps[0].Held() || snaps[0].Props[PropVersion] != "test" {
			t.Fatalf("Snapshots: %+v", snaps)
		}
		if n, err := m.Newest(ctx, ds); err != nil || n.Name != s2.Name {
			t.Fatalf("Newest: %v %v", n.Name, err)
		}

		if pinned, err := m.Pin(ctx, ds, s1.Name); err != nil || !pinned {
			t.Fatalf("Pin: %v %v", pinned, err)
		}
		if pinned, err := m.Pin(ctx, ds, s1.Name); err != nil || pinned {
			t.Fatalf("Pin again: %v %v", pinned, err)
		}
		checkView(t, m, pool, ds)
		// zfs refuses a held snapshot itself: one libzfs_core call, or one command.
		for _, mm := range []*Manager{m, &byCommand} {
			cctx, counter := runner.WithCounter(ctx)
			if err := mm.Destroy(cctx, ds, s1.Name); !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), ds+"@"+s1.Name) {
				t.Fatalf("destroy a pinned snapshot (libzfs_core %v): %v", mm.Core != nil, err)
			}
			if n, want := counter.Read().Commands, map[bool]int{true: 1}[mm.Core == nil]; n != want {
				t.Fatalf("Destroy ran %d commands, want %d (libzfs_core %v)", n, want, mm.Core != nil)
			}
			// One already gone: nothing to destroy, no error.
			if err := mm.Destroy(cctx, ds, "kvmbackup_2020-01-01T00:00:00Z"); err != nil {
				t.Fatalf("destroy a snapshot already gone (libzfs_core %v): %v", mm.Core != nil, err)
			}
		}
		if err := m.Destroy(ctx, ds, "manual"); !errors.Is(err, ErrNotOurs) {
			t.Fatalf("destroy a foreign snapshot: %v", err)
		}
		if err := m.Unpin(ctx, ds, "manual"); err == nil || !strings.Contains(err.Error(), "admin") {
			t.Fatalf("unpin a snapshot held by another tag: %v", err)
		}
		if err := m.Unpin(ctx, ds, s1.Name); err != nil {
			t.Fatal(err)
		}
		if err := m.Unpin(ctx, ds, s1.Name); err == nil {
			t.Fatal("unpin of an unpinned snapshot succeeded")
		}
		if err := m.Destroy(ctx, ds, s1.Name); err != nil {
			t.Fatal(err)
		}
		if _, err := m.GetSnapshot(ctx, ds, s1.Name); !IsNotFound(err) {
			t.Fatalf("destroyed snapshot still found: %v", err)
		}
		if _, err := m.Pin(ctx, ds, "kvmbackup_2020-01-01T00:00:00Z"); !IsNotFound(err) || !strings.Contains(err.Error(), ds) {
			t.Fatalf("pin of a missing snapshot: %v", err)
		}
		if _, err := m.Snapshots(ctx, pool+"/nope"); !IsNotFound(err) {
			t.Fatalf("snapshots of a missing dataset: %v", err)
		}
	})
}

// checkWritten: a dataset unwritten since its snapshot reads written 0 in the view
// and in Current; a change of one file's mode alone (a few bytes of metadata) reads
// more than 0 once SyncPool has returned, in both (what the trust of a tree's last
// copy rests on: orchestrator's copiedAt).
func checkWritten(t *testing.T, m *Manager, pool, ds string, v *View) {
	t.Helper()
	ctx := t.Context()
	now, err := m.Current(ctx, ds)
	if err != nil || now.Written != 0 || v.Datasets[ds].Written != 0 {
		t.Fatalf("%s unwritten since its snapshot: Current written %d %v, the view's %d", ds, now.Written, err, v.Datasets[ds].Written)
	}
	if err := os.WriteFile(filepath.Join(now.Mountpoint, "f"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := m.TakeSnapshot(ctx, ds, t0.Add(time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(now.Mountpoint, "f"), 0o640); err != nil {
		t.Fatal(err)
	}
	before, _ := m.Current(ctx, ds)
	if err := m.SyncPool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	after, err := m.Current(ctx, ds)
	v2, err2 := m.ReadView(ctx, pool+"/vms")
	if err != nil || err2 != nil || after.Written <= 0 || v2.Datasets[ds].Written <= 0 {
		t.Fatalf("%s after a chmod and zpool sync: Current written %d %v, the view's %+v %v", ds, after.Written, err, v2.Datasets[ds], err2)
	}
	t.Logf("%s: a chmod since its snapshot: written %d right after it, %d after zpool sync", ds, before.Written, after.Written)
	// ReadViewSynced's own sync: no zpool sync before it, the program run in this
	// process (libzfs_core) or by zfs program.
	byCommand := *m
	byCommand.Core = nil
	for i, mm := range []*Manager{m, &byCommand} {
		if _, err := m.TakeSnapshot(ctx, ds, t0.Add(time.Duration(2+i)*time.Hour), nil); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(now.Mountpoint, "f"), os.FileMode(0o600+i*0o40)); err != nil {
			t.Fatal(err)
		}
		before, _ = m.Current(ctx, ds)
		vs, err := mm.ReadViewSynced(ctx, pool+"/vms")
		if err != nil || vs.Datasets[ds].Written <= 0 {
			t.Fatalf("%s after a chmod, read synced (libzfs_core %v): %+v %v", ds, mm.Core != nil, vs.Datasets[ds], err)
		}
		t.Logf("%s: a chmod since its snapshot: written %d right after it, %d in ReadViewSynced's view (libzfs_core %v)", ds, before.Written, vs.Datasets[ds].Written, mm.Core != nil)
	}
	for _, bad := range []string{"", pool + "/vms", "-n"} {
		if err := m.SyncPool(ctx, bad); err == nil {
			t.Errorf("SyncPool(%q): no error", bad)
		}
	}
}

// checkView reads the view of pool/vms (with ds, a path dataset, a foreign dataset,
// an owned one with setuid=on, a promoted clone and a volume beside it) and checks
// it answers as the per-dataset listings do (mount points too), in three commands
// (a snapshot is held), that Current reads each as the view does; and that a
// missing root is an empty view.
func checkView(t *testing.T, m *Manager, pool, ds string) {
	t.Helper()
	ctx := t.Context()
	root := pool + "/vms"
	tree := root + "/_paths/etc"
	if _, err := m.EnsureDataset(ctx, tree, PathOwner("etc")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.TakeSnapshot(ctx, tree, t0, map[string]string{PropRun: "r9"}); err != nil {
		t.Fatal(err)
	}
	zfsCmd(t, "create", "-o", "setuid=on", root+"/other")
	zfsCmd(t, "snapshot", "-o", "com.example:note=x", root+"/other@theirs")
	zfsCmd(t, "create", "-o", "setuid=on", "-o", PropVM+"=suid", root+"/suid")
	// A promoted clone: its snapshots now sort before its own line (createtxg).
	zfsCmd(t, "create", root+"/promo")
	zfsCmd(t, "snapshot", root+"/promo@"+SnapshotName(t0))
	zfsCmd(t, "clone", root+"/promo@"+SnapshotName(t0), root+"/promoted")
	zfsCmd(t, "promote", root+"/promoted")
	zfsCmd(t, "create", "-V", "8M", root+"/zvol")
	zfsCmd(t, "snapshot", root+"/zvol@s")
	zfsCmd(t, "set", "com.example:inherited=y", root) // inherited: no dataset's own

	cctx, counter := runner.WithCounter(ctx)
	v, err := m.ReadView(cctx, root)
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.Read().Commands; n != 3 {
		t.Fatalf("ReadView ran %d commands, want 3 (list, get, holds)", n)
	}
	// ReadViewSynced reads the same view in one channel program, a mount's
	// temporary nosuid as zfs list reports it too.
	zfsCmd(t, "umount", root+"/other")
	zfsCmd(t, "mount", "-o", "nosuid", root+"/other")
	if v, err = m.ReadView(ctx, root); err != nil || v.Datasets[root+"/other"].Hardening["setuid"] != "off" {
		t.Fatalf("ReadView of a dataset mounted nosuid (setuid=on): %+v %v", v.Datasets[root+"/other"], err)
	}
	// The program run in this process (libzfs_core: no command), and by zfs
	// program (one): the same view.
	byCommand := *m
	byCommand.Core = nil
	for _, mm := range []*Manager{m, &byCommand} {
		cctx, counter = runner.WithCounter(ctx)
		vs, err := mm.ReadViewSynced(cctx, root)
		if err != nil || !vs.Synced {
			t.Fatalf("ReadViewSynced: %+v %v", vs, err)
		}
		if n, want := counter.Read().Commands, map[bool]int{true: 1}[mm.Core == nil]; n != want {
			t.Fatalf("ReadViewSynced ran %d commands, want %d (libzfs_core %v)", n, want, mm.Core != nil)
		}
		vs.Synced = false
		if !reflect.DeepEqual(v, vs) {
			for name, d := range v.Datasets {
				if !reflect.DeepEqual(d, vs.Datasets[name]) {
					t.Errorf("%s: ReadView's\n%+v\nReadViewSynced's\n%+v", name, d, vs.Datasets[name])
				}
			}
			t.Fatalf("ReadViewSynced's view (%d datasets) is not ReadView's (%d) (libzfs_core %v)", len(vs.Datasets), len(v.Datasets), mm.Core != nil)
		}
	}
	if e, err := m.ReadViewSynced(ctx, pool+"/nothing"); err != nil || len(e.Datasets) != 0 || !e.Synced {
		t.Fatalf("the synced view of a missing root: %+v %v", e, err)
	}
	// CheckMount: ds's mount point (and a directory in it) lies in ds, its parent's
	// does not.
	var dsDir, sub, parent unix.Stat_t
	os.MkdirAll(filepath.Join(v.Datasets[ds].Mountpoint, "sub"), 0o700)
	if unix.Stat(v.Datasets[ds].Mountpoint, &dsDir) != nil || unix.Stat(filepath.Join(v.Datasets[ds].Mountpoint, "sub"), &sub) != nil ||
		unix.Stat(v.Datasets[root].Mountpoint, &parent) != nil {
		t.Fatalf("stat the mount points of %s and %s", ds, root)
	}
	if err1, err2, err3 := m.CheckMount(ds, &dsDir), m.CheckMount(ds, &sub), m.CheckMount(ds, &parent); err1 != nil || err2 != nil ||
		err3 == nil || !strings.Contains(err3.Error(), ds) {
		t.Fatalf("CheckMount of %s: its mount point %v, a directory in it %v, its parent's mount point %v", ds, err1, err2, err3)
	}
	// Current: read in this process (libzfs_core, no command) as zfs get reads it.
	for _, d := range []string{root, ds, root + "/_paths", tree, root + "/other", root + "/suid", root + "/promo", root + "/promoted", root + "/nothing"} {
		cctx, counter := runner.WithCounter(ctx)
		now, err := m.Current(cctx, d)
		byCmd, cerr := byCommand.Current(ctx, d)
		if n := counter.Read().Commands; n != 0 || now != byCmd || (err == nil) != (cerr == nil) || IsNotFound(err) != IsNotFound(cerr) {
			t.Fatalf("%s: Current by libzfs_core %+v %v (%d commands), by zfs get %+v %v", d, now, err, n, byCmd, cerr)
		}
		if d == root+"/nothing" {
			if !IsNotFound(err) {
				t.Fatalf("Current of a missing dataset: %v", err)
			}
			continue
		}
		if err != nil || !v.Matches(d, now) || now.GUID == "" {
			t.Fatalf("%s: Current %+v %v does not match the view's %+v", d, now, err, v.Datasets[d])
		}
		cctx, counter = runner.WithCounter(ctx)
		lm, err1 := m.Mountpoint(cctx, d)
		vm, ok, err2 := v.Mountpoint(d)
		if !ok || lm != vm || (err1 == nil) != (err2 == nil) || now.Mountpoint != v.Datasets[d].Mountpoint {
			t.Fatalf("%s: mount point live %q %v, view %q %v %v, Current %q", d, lm, err1, vm, ok, err2, now.Mountpoint)
		}
		if cm, err := byCommand.Mountpoint(ctx, d); cm != lm || err != nil || counter.Read().Commands != 0 {
			t.Fatalf("%s: mount point by libzfs_core %q (%d commands), by zfs get %q %v", d, lm, counter.Read().Commands, cm, err)
		}
		if ok, err := m.Exists(cctx, d); !ok || err != nil || counter.Read().Commands != 0 {
			t.Fatalf("%s: Exists by libzfs_core %v %v (%d commands)", d, ok, err, counter.Read().Commands)
		}
		live, err1 := m.Snapshots(ctx, d)
		seen, err2 := v.Snapshots(d)
		if err1 != nil || err2 != nil || len(live) != len(seen) {
			t.Fatalf("%s: snapshots %v %v\nlive %+v\nview %+v", d, err1, err2, live, seen)
		}
		for i := range live {
			if live[i].FullName() != seen[i].FullName() || !live[i].Created.Equal(seen[i].Created) || live[i].Used != seen[i].Used ||
				live[i].Written != seen[i].Written || live[i].Referenced != seen[i].Referenced ||
				!slices.Equal(live[i].Holds, seen[i].Holds) || !maps.Equal(live[i].Props, seen[i].Props) {
				t.Fatalf("%s: snapshot %d\nlive %+v\nview %+v", d, i, live[i], seen[i])
			}
		}
		lo, err1 := m.Owner(ctx, d)
		vo, err2 := v.Owner(d)
		if lo != vo || err1 != nil || err2 != nil {
			t.Fatalf("%s: owner live %v %v, view %v %v", d, lo, err1, vo, err2)
		}
		lc, err1 := m.Children(ctx, d)
		vc, err2 := v.Children(d)
		if !slices.Equal(lc, vc) || err1 != nil || err2 != nil {
			t.Fatalf("%s: children live %v %v, view %v %v", d, lc, err1, vc, err2)
		}
	}
	// Not mounted, a volume, missing: Mountpoint fails both ways (the missing one
	// as ErrNotFound both ways); Exists says the same both ways.
	zfsCmd(t, "umount", root+"/other")
	for _, d := range []string{root + "/other", root + "/zvol", root + "/nothing"} {
		lm, err1 := m.Mountpoint(ctx, d)
		cm, err2 := byCommand.Mountpoint(ctx, d)
		if err1 == nil || err2 == nil || IsNotFound(err1) != IsNotFound(err2) || IsNotFound(err1) != (d == root+"/nothing") {
			t.Fatalf("%s: mount point by libzfs_core %q %v, by zfs get %q %v", d, lm, err1, cm, err2)
		}
		le, err1 := m.Exists(ctx, d)
		ce, err2 := byCommand.Exists(ctx, d)
		if le != ce || le != (d != root+"/nothing") || err1 != nil || err2 != nil {
			t.Fatalf("%s: exists by libzfs_core %v %v, by zfs list %v %v", d, le, err1, ce, err2)
		}
	}
	zfsCmd(t, "mount", root+"/other")
	if !v.Claimed(ds, VMOwner(path.Base(ds))) || v.Claimed(ds, VMOwner("other")) || v.Claimed(root+"/other", VMOwner("other")) ||
		v.Claimed(root+"/suid", VMOwner("suid")) {
		t.Fatalf("Claimed: %+v %+v %+v", v.Datasets[ds], v.Datasets[root+"/other"], v.Datasets[root+"/suid"])
	}
	if snaps, _ := v.Snapshots(root + "/promoted"); len(snaps) != 1 {
		t.Fatalf("the promoted clone's snapshot is not in the view: %+v", snaps)
	}
	if now, _ := m.Current(ctx, ds); v.Matches(ds, DatasetNow{Mountpoint: now.Mountpoint, GUID: "1", Owner: now.Owner}) ||
		v.Matches(ds, DatasetNow{Mountpoint: now.Mountpoint, GUID: now.GUID}) {
		t.Fatal("Matches accepts another guid, or the owner gone")
	}
	if v.Exists(root+"/zvol") || v.Exists(root+"/nope") {
		t.Fatal("a volume or a missing dataset is in the view")
	}
	if _, err := v.Snapshots(root + "/nope"); !IsNotFound(err) {
		t.Fatalf("snapshots of a missing dataset: %v", err)
	}
	if e, err := m.ReadView(ctx, pool+"/nothing"); err != nil || len(e.Datasets) != 0 {
		t.Fatalf("the view of a missing root: %+v %v", e, err)
	}
	checkWritten(t, m, pool, tree, v)
	// CheckTarget reads the pool's root dataset's mount with its figures: two
	// commands at once (zpool list -v, zfs get), one more zfs get per missing
	// ancestor of the target.
	poolMP, err := m.Mountpoint(ctx, pool)
	if err != nil {
		poolMP = ""
	}
	for _, tc := range []struct {
		dataset, from string
		commands      int
	}{{root, root, 2}, {pool + "/nothing/deeper", pool, 4}} {
		cctx, counter := runner.WithCounter(ctx)
		r, err := m.CheckTarget(cctx, TargetOptions{Dataset: tc.dataset})
		if err != nil || r.FiguresFrom != tc.from || r.Exists != (tc.from == tc.dataset) || !r.PoolMountRead || r.PoolMountpoint != poolMP ||
			r.Compression == "" || r.Available <= 0 || r.Health != PoolOnline {
			t.Fatalf("CheckTarget %s: %+v %v (the pool's root dataset is mounted at %q)", tc.dataset, r, err, poolMP)
		}
		if n := counter.Read().Commands; n != tc.commands {
			t.Fatalf("CheckTarget %s ran %d commands, want %d", tc.dataset, n, tc.commands)
		}
	}
	// A run's CheckTargetView: where libzfs_core runs the view's program, the
	// figures of a target not made yet come with it, its nearest ancestor's (a first
	// run): zpool list alone. By commands: the view's two (and zfs holds: a snapshot
	// here is pinned), then, for a target not made yet, one zfs get per dataset from
	// the target up to that ancestor. Both report the same.
	byCmd := *m
	byCmd.Core = nil
	for _, mm := range []*Manager{m, &byCmd} {
		for _, tc := range []struct {
			dataset, from string
			commands      int
		}{{root, root, map[bool]int{true: 4, false: 1}[mm.Core == nil]}, {pool + "/nothing/deeper", pool, map[bool]int{true: 6, false: 1}[mm.Core == nil]}} {
			cctx, counter := runner.WithCounter(ctx)
			r, v, err := mm.CheckTargetView(cctx, TargetOptions{Dataset: tc.dataset})
			if err != nil || v == nil || r.FiguresFrom != tc.from || r.Exists != (tc.from == tc.dataset) || r.Compression == "" || r.Available <= 0 {
				t.Fatalf("CheckTargetView %s (libzfs_core %v): %+v %v", tc.dataset, mm.Core != nil, r, err)
			}
			if want, err := m.CheckTarget(ctx, TargetOptions{Dataset: tc.dataset}); err != nil || want.FiguresFrom != r.FiguresFrom ||
				want.Compression != r.Compression || !near(want.Available, r.Available) {
				t.Fatalf("CheckTargetView %s (libzfs_core %v): figures from %s: %s, %d; CheckTarget's from %s: %s, %d (%v)", tc.dataset, mm.Core != nil,
					r.FiguresFrom, r.Compression, r.Available, want.FiguresFrom, want.Compression, want.Available, err)
			}
			if n := counter.Read().Commands; n != tc.commands {
				t.Fatalf("CheckTargetView %s ran %d commands, want %d (libzfs_core %v)", tc.dataset, n, tc.commands, mm.Core != nil)
			}
		}
	}
	zfsCmd(t, "destroy", "-R", root+"/promoted") // and promo, now its clone
	zfsCmd(t, "destroy", "-r", root+"/suid")
	zfsCmd(t, "destroy", "-r", root+"/other")
	zfsCmd(t, "destroy", "-r", root+"/zvol")
	zfsCmd(t, "destroy", "-r", root+"/_paths")
	zfsCmd(t, "inherit", "com.example:inherited", root)
}

// Rollback discards what was written after the newest kvmbackup snapshot; without
// one it says so; a newer foreign snapshot stops it with nothing changed.
func TestRollback(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, pool := lab(t, testenv.PoolOptions{Mirror: true})
		ds := pool + "/vms/db1"
		m.EnsureDataset(ctx, ds, VMOwner(path.Base(ds)))
		dir, _ := m.Mountpoint(ctx, ds)
		img := filepath.Join(dir, "vda.raw")
		if _, err := m.Rollback(ctx, ds); !errors.Is(err, ErrNoSnapshot) {
			t.Fatalf("rollback without a snapshot: %v", err)
		}
		// A first backup that failed: its new dataset is destroyed; one with a
		// snapshot or a child is refused and left alone.
		first := pool + "/vms/new1"
		m.EnsureDataset(ctx, first, VMOwner("new1"))
		os.WriteFile(filepath.Join(mustMountpoint(t, m, first), "vda.raw"), []byte("partial"), 0o644)
		if err := m.DestroyNewDataset(ctx, first); err != nil {
			t.Fatalf("DestroyNewDataset: %v", err)
		}
		if ok, _ := m.Exists(ctx, first); ok {
			t.Fatal("the failed first backup's dataset is still there")
		}
		if err := m.DestroyNewDataset(ctx, first); err != nil {
			t.Fatalf("DestroyNewDataset of a dataset already gone: %v", err)
		}
		if err := m.DestroyNewDataset(ctx, pool+"/vms"); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("DestroyNewDataset of a dataset with children: %v", err)
		}
		good := testenv.RandomBytes(1, 2<<20)
		os.WriteFile(img, good, 0o644)
		if _, err := m.TakeSnapshot(ctx, ds, t0, nil); err != nil {
			t.Fatal(err)
		}
		testenv.WriteAt(t, img, 4096, testenv.RandomBytes(2, 1<<20)) // a half-done copy
		if s, err := m.Rollback(ctx, ds); err != nil || s.Name != SnapshotName(t0) {
			t.Fatalf("Rollback: %v %v", s.Name, err)
		}
		if got, _ := os.ReadFile(img); string(got) != string(good) {
			t.Fatal("the image is not the snapshot's after rollback")
		}
		testenv.WriteAt(t, img, 0, testenv.RandomBytes(3, 4096))
		zfsCmd(t, "snapshot", ds+"@admin-took-this")
		if _, err := m.Rollback(ctx, ds); !errors.Is(err, ErrNewerSnapshots) || !strings.Contains(err.Error(), "admin-took-this") {
			t.Fatalf("rollback over a foreign snapshot: %v", err)
		}
		if got, _ := os.ReadFile(img); string(got) == string(good) {
			t.Fatal("a refused rollback changed the dataset")
		}
		if _, err := m.GetSnapshot(ctx, ds, "admin-took-this"); err != nil {
			t.Fatalf("the foreign snapshot is gone: %v", err)
		}
		if err := m.DestroyNewDataset(ctx, ds); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("DestroyNewDataset of a dataset with snapshots: %v", err)
		}
		if ok, _ := m.Exists(ctx, ds); !ok {
			t.Fatal("a dataset with snapshots was destroyed")
		}
	})
}

func mustMountpoint(t *testing.T, m *Manager, ds string) string {
	t.Helper()
	dir, err := m.Mountpoint(t.Context(), ds)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// A snapshot mounted read-only and a read-only clone both show the old content and
// refuse writes; Cleanup removes exactly kvmbackup's mounts and clones.
func TestMountAndClone(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, pool := lab(t, testenv.PoolOptions{Mirror: true})
		root := pool + "/backup"
		ds := root + "/web1"
		m.EnsureDataset(ctx, ds, VMOwner(path.Base(ds)))
		dir, _ := m.Mountpoint(ctx, ds)
		os.WriteFile(filepath.Join(dir, "domain.xml"), []byte("old"), 0o644)
		snap, err := m.TakeSnapshot(ctx, ds, t0, nil)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "domain.xml"), []byte("new"), 0o644)

		mdir, err := m.MountSnapshot(ctx, snap, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(mdir, "domain.xml")); string(b) != "old" {
			t.Fatalf("mounted snapshot shows %q", b)
		}
		c, err := m.CloneSnapshot(ctx, snap, root, "r1", CloneOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Dataset != root+"/_clones/web1-r1" || c.Origin != snap.FullName() {
			t.Fatalf("clone %+v", c)
		}
		if b, _ := os.ReadFile(filepath.Join(c.Dir, "domain.xml")); string(b) != "old" {
			t.Fatalf("clone shows %q", b)
		}
		if err := os.WriteFile(filepath.Join(c.Dir, "x"), nil, 0o644); err == nil {
			t.Fatal("the clone is writable")
		}
		// A backup holds the guests' and the host's files: no set-user-ID program, device
		// node or executable of it works through kvmbackup's mounts.
		for _, d := range []string{mdir, c.Dir} {
			e, err := mounts.Of(d)
			if o := strings.Split(e.Options, ","); err != nil || e.Point != d || !slices.Contains(o, "nosuid") || !slices.Contains(o, "nodev") || !slices.Contains(o, "noexec") {
				t.Errorf("%s mounted with %q (%v), want nosuid,nodev,noexec", d, e.Options, err)
			}
		}
		// A dataset someone else made under _clones is not ours.
		zfsCmd(t, "create", "-o", "mountpoint=none", root+"/_clones/other")
		if err := m.RemoveClone(ctx, Clone{Dataset: root + "/_clones/other"}); err == nil {
			t.Fatal("RemoveClone took a dataset kvmbackup did not make")
		}
		if err := m.Destroy(ctx, ds, snap.Name); err == nil {
			t.Fatal("a snapshot with a clone was destroyed")
		}
		cl, err := m.Cleanup(ctx, root, "")
		if err != nil || len(cl.Unmounted) != 2 || len(cl.Destroyed) != 1 || cl.Destroyed[0] != c.Dataset {
			t.Fatalf("Cleanup: %+v %v", cl, err)
		}
		if ok, _ := m.Exists(ctx, root+"/_clones/other"); !ok {
			t.Fatal("Cleanup removed a dataset kvmbackup did not make")
		}
		if _, err := os.Stat(mdir); !os.IsNotExist(err) {
			t.Fatalf("mount point left: %v", err)
		}
		if cl, err := m.Cleanup(ctx, root, ""); err != nil || len(cl.Unmounted)+len(cl.Destroyed) != 0 {
			t.Fatalf("second Cleanup: %+v %v", cl, err)
		}
	})
}

// After a changed-block copy of a 1%-changed image into the dataset, the incremental
// snapshot's `written` is about the changed bytes rounded up to the record size: the
// records the changes touch, plus a little metadata.
func TestWrittenAfterOnePercentCopy(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, pool := lab(t, testenv.PoolOptions{Mirror: true})
		ds := pool + "/vms/web1"
		m.EnsureDataset(ctx, ds, VMOwner(path.Base(ds)))
		dir, _ := m.Mountpoint(ctx, ds)
		const size, block, record = 256 << 20, 64 << 10, 128 << 10
		src := filepath.Join(t.TempDir(), "src.raw")
		os.WriteFile(src, testenv.RandomBytes(1, size), 0o644)
		img, man := filepath.Join(dir, "vda.raw"), filepath.Join(dir, ".manifest-vda")
		if _, err := transfer.Copy(ctx, src, img, transfer.Options{Manifest: man}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.TakeSnapshot(ctx, ds, t0, nil); err != nil {
			t.Fatal(err)
		}
		// 1% of the 64 KiB blocks: 64 KiB of new data at an unaligned offset in each
		// (as `make bench` does), touching one or two 128 KiB records.
		rng := rand.New(rand.NewPCG(7, 7))
		touched := map[int64]bool{}
		var changed int64
		for _, b := range rng.Perm(size / block)[:size/block/100] {
			n := int64(block)
			off := min(int64(b)*block+1+rng.Int64N(block-1), size-n)
			testenv.WriteAt(t, src, off, testenv.RandomBytes(uint64(b+10), int(n)))
			changed += n
			for r := off / record; r <= (off+n-1)/record; r++ {
				touched[r] = true
			}
		}
		st, err := transfer.Copy(ctx, src, img, transfer.Options{Manifest: man})
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.TakeSnapshot(ctx, ds, t0.Add(24*time.Hour), nil)
		if err == nil {
			s, err = m.GetSnapshot(ctx, ds, s.Name) // its sizes
		}
		if err != nil {
			t.Fatal(err)
		}
		want := int64(len(touched)) * record
		t.Logf("1%% changed: %d bytes in %d blocks, %d records of 128 KiB touched (%d bytes); copy wrote %d bytes (%s mode); snapshot written %d bytes (%.2f× the touched records, %.2f× the changed bytes)",
			changed, size/block/100, len(touched), want, st.Written, st.Mode, s.Written, float64(s.Written)/float64(want), float64(s.Written)/float64(changed))
		if s.Written < changed || s.Written > want+want/10+(1<<20) {
			t.Fatalf("written %d: want about %d (the touched records)", s.Written, want)
		}
	})
}
