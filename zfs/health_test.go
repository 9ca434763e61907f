package zfs

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/mounts"
	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/testenv"
)

// fakeTools is a Manager whose zpool and zfs are scripts that print, for each
// subcommand, the file out[subcommand] holds (no ZFS needed).
func fakeTools(t *testing.T, out map[string]string) *Manager {
	t.Helper()
	dir := t.TempDir()
	for name, text := range out {
		if err := os.WriteFile(filepath.Join(dir, name+".out"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\nf=\"" + dir + "/$1.out\"\n[ -f \"$f\" ] || { echo \"$0 $1: no such pool\" >&2; exit 1; }\ncat \"$f\"\n"
	for _, tool := range []string{"zpool", "zfs"} {
		if err := os.WriteFile(filepath.Join(dir, tool), []byte(strings.ReplaceAll(script, "$1.out", tool+"-$1.out")), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	m := New()
	m.Zpool, m.ZFS = runner.New(filepath.Join(dir, "zpool")), runner.New(filepath.Join(dir, "zfs"))
	m.Core = nil // the fake zfs, not the library
	return m
}

// mirrorList is `zpool list -v -p -P -o name,health,free` of a two-way mirror of
// 5 GiB free whose second side is in state side.
func mirrorList(pool, health, side string) string {
	return "NAME              HEALTH        FREE\n" + pool + "              " + health + "  5368709120\n" +
		"  mirror-0        " + health + "  5368709120\n    /dev/loop0    ONLINE  -\n    /dev/loop1    " + side + "  -\n"
}

// The pool's health decides: ONLINE passes; DEGRADED (a mirror side gone) is a
// warning naming the pool, and the run goes on; FAULTED, UNAVAIL, SUSPENDED and the
// other states are problems that stop it. The pool's free bytes are read too.
func TestCheckTargetHealth(t *testing.T) {
	for _, tc := range []struct {
		health, side string
		warn, prob   bool
	}{
		{PoolOnline, "ONLINE", false, false},
		{PoolDegraded, "OFFLINE", true, false},
		{PoolDegraded, "REMOVED", true, false},
		{PoolFaulted, "FAULTED", false, true},
		{PoolUnavail, "UNAVAIL", false, true},
		{PoolSuspended, "UNAVAIL", false, true},
	} {
		t.Run(tc.health+"-"+tc.side, func(t *testing.T) {
			m := fakeTools(t, map[string]string{
				"zpool-list": mirrorList("tank", tc.health, tc.side),
				"zfs-get": "tank/vms\tcompression\tlz4\ntank/vms\tavailable\t4294967296\ntank/vms\tmounted\tyes\n" +
					"tank/vms\tmountpoint\t/tank/vms\ntank\tcompression\tlz4\ntank\tavailable\t4294967296\ntank\tmounted\tno\ntank\tmountpoint\t/tank\n",
			})
			r, err := m.CheckTarget(t.Context(), TargetOptions{Dataset: "tank/vms", RequireMirror: true, RequireCompression: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(r.Warnings) > 0; got != tc.warn || (got && !strings.Contains(r.Warnings[0].What, "pool tank is DEGRADED")) {
				t.Errorf("warnings %+v, want one: %v", r.Warnings, tc.warn)
			}
			if got := len(r.Problems) > 0; got != tc.prob || (got && !strings.Contains(problems(r), "pool tank is "+tc.health)) {
				t.Errorf("problems %q, want one: %v", problems(r), tc.prob)
			}
			if r.Free != 5<<30 || r.Available != 4<<30 || r.Health != tc.health || PoolState(r.Health) != tc.health ||
				!r.Exists || r.FiguresFrom != "tank/vms" || r.Compression != "lz4" || !r.PoolMountRead || r.PoolMountpoint != "" {
				t.Errorf("report %+v", r)
			}
		})
	}
	if PoolState("") != PoolMissing || PoolState("WEIRD") != PoolUnknown {
		t.Error("PoolState: a missing pool or an unknown word is not mapped into the closed set")
	}
}

// A degraded mirror on real ZFS (a mirror of two files; one side taken offline, then
// one faulted as a failing disk is): a warning naming the pool, no problem (a run goes
// on), the vdev still a redundant mirror; back online it is clean again. A lab test.
func TestDegradedMirrorOfFilesIsAWarning(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		testenv.Require(t, testenv.ZFS)
		ctx := t.Context()
		// Loop devices, as every lab pool (file vdevs on the appliance's /tmp, a
		// tmpfs, cannot make a pool).
		pool := testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Mirror: true, DeviceSize: 256 << 20})
		var b string // the mirror's second side
		for _, line := range strings.Split(sh(t, "zpool", "list", "-H", "-P", "-v", "-o", "name", pool), "\n") {
			if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "/dev/") {
				b = f[0]
			}
		}
		if b == "" {
			t.Fatalf("zpool list -v %s: no device", pool)
		}
		m := New()
		opts := TargetOptions{Dataset: pool + "/backup/vms", RequireMirror: true, RequireCompression: true, MinAvailable: 64 << 20}
		check := func(what string, wantWarn bool) {
			t.Helper()
			r, err := m.CheckTarget(ctx, opts)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if len(r.Problems) != 0 {
				t.Fatalf("%s: problems %s (a degraded mirror must not stop a run)", what, problems(r))
			}
			warned := len(r.Warnings) == 1 && strings.Contains(r.Warnings[0].What, "pool "+pool+" is DEGRADED")
			if warned != wantWarn || (wantWarn && r.Health != PoolDegraded) || r.Layout() != "mirror-0 (redundant)" || r.Free <= 0 {
				t.Fatalf("%s: health %s, warnings %+v, layout %s, free %d", what, r.Health, r.Warnings, r.Layout(), r.Free)
			}
		}
		check("healthy mirror", false)
		sh(t, "zpool", "offline", pool, b)
		check("one side offline", true)
		sh(t, "zpool", "online", pool, b)
		sh(t, "zpool", "wait", "-t", "resilver", pool)
		check("back online", false)
		sh(t, "zpool", "offline", "-f", pool, b) // FAULTED, as a failing disk is
		check("one side faulted", true)
	})
}

// CheckTarget runs two commands (zpool list -v, one zfs get), and reads
// where the pool's root dataset is mounted from the mount table, as CheckTargetView
// does: where it is mounted in fact (here a legacy mount, whose mountpoint property
// says none), not a bind mount of a directory of it.
func TestCheckTargetReadsThePoolMountInThreeCommands(t *testing.T) {
	m := fakeTools(t, map[string]string{
		"zpool-list": mirrorList("tank", "ONLINE", "ONLINE"),
		"zfs-get":    "tank/vms\tcompression\toff\ntank/vms\tavailable\t4294967296\n",
	})
	m.Mounts = func() ([]mounts.Entry, error) {
		return []mounts.Entry{{Point: "/srv/sub", Root: "/sub", FSType: "zfs", Source: "tank"}, {Point: "/tank", Root: "/", FSType: "zfs", Source: "tank"}}, nil
	}
	ctx, counter := runner.WithCounter(t.Context())
	r, err := m.CheckTarget(ctx, TargetOptions{Dataset: "tank/vms", RequireMirror: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.Read().Commands; n != 2 {
		t.Errorf("%d commands, want 2", n)
	}
	if !r.Exists || r.FiguresFrom != "tank/vms" || r.Compression != "off" || r.Available != 4<<30 ||
		!r.PoolMountRead || r.PoolMountpoint != "/tank" || len(r.Problems) != 0 || r.Layout() != "mirror-0 (redundant)" {
		t.Errorf("report %+v", r)
	}
}

// A run's CheckTargetView: three commands at once (zpool list -v, the view's zfs
// list and zfs get), no zfs get of its own; the dataset's figures are the
// view's listing's, the pool's root dataset's mount the mount table's (a bind mount
// of a directory of it is not its mount). A report with problems has no view.
func TestCheckTargetViewReadsInFourCommands(t *testing.T) {
	hard := "off\toff\toff\toff" // atime, devices, exec, setuid (sorted)
	m := fakeTools(t, map[string]string{
		"zpool-list": mirrorList("tank", "ONLINE", "ONLINE"),
		"zfs-list":   "tank/vms\t1\t0\t0\t0\t0\tfilesystem\t11\tyes\t/tank/vms\toff\t4294967296\t" + hard + "\n",
		"zfs-get":    "",
	})
	for _, tc := range []struct {
		name  string
		table []mounts.Entry
		want  string
	}{
		{"mounted", []mounts.Entry{{Point: "/elsewhere", Root: "/sub", FSType: "zfs", Source: "tank"}, {Point: "/tank", Root: "/", FSType: "zfs", Source: "tank"}}, "/tank"},
		{"not mounted", []mounts.Entry{{Point: "/tank/vms", Root: "/", FSType: "zfs", Source: "tank/vms"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m.Mounts = func() ([]mounts.Entry, error) { return tc.table, nil }
			ctx, counter := runner.WithCounter(t.Context())
			r, v, err := m.CheckTargetView(ctx, TargetOptions{Dataset: "tank/vms", RequireMirror: true})
			if err != nil {
				t.Fatal(err)
			}
			if n := counter.Read().Commands; n != 3 {
				t.Errorf("%d commands, want 3", n)
			}
			if !r.Exists || r.FiguresFrom != "tank/vms" || r.Compression != "off" || r.Available != 4<<30 || r.Free != 5<<30 ||
				!r.PoolMountRead || r.PoolMountpoint != tc.want || len(r.Problems) != 0 || r.Layout() != "mirror-0 (redundant)" {
				t.Errorf("report %+v", r)
			}
			if v == nil || v.Datasets["tank/vms"] == nil || v.Datasets["tank/vms"].Mountpoint != "/tank/vms" {
				t.Errorf("view %+v", v)
			}
			r, v, err = m.CheckTargetView(ctx, TargetOptions{Dataset: "tank/vms", RequireCompression: true})
			if err != nil || !strings.Contains(problems(r), "compression is off for tank/vms") || v != nil {
				t.Errorf("compression required: %v, %s, view %v", err, problems(r), v)
			}
		})
	}
}

// When the view cannot be read, CheckTargetView still makes the report as
// CheckTarget does (a run records the pool's state and names the pool): a pool it
// refuses is that problem, with no view and no error of the view's; a healthy pool's
// report comes with the view's error.
func TestCheckTargetViewReportsWhenTheViewFails(t *testing.T) {
	for _, tc := range []struct {
		health  string
		wantErr bool
	}{{"FAULTED", false}, {"ONLINE", true}} {
		t.Run(tc.health, func(t *testing.T) {
			m := fakeTools(t, map[string]string{
				"zpool-list": mirrorList("tank", tc.health, "ONLINE"),
				"zfs-list":   "garbage\n",
				"zfs-get":    "tank/vms\tcompression\tlz4\ntank/vms\tavailable\t4294967296\n",
			})
			m.Mounts = func() ([]mounts.Entry, error) { return nil, nil }
			r, v, err := m.CheckTargetView(t.Context(), TargetOptions{Dataset: "tank/vms", RequireMirror: true})
			if r == nil || r.Health != tc.health || r.Free != 5<<30 || r.Available != 4<<30 || v != nil || (err != nil) != tc.wantErr {
				t.Fatalf("report %+v, view %v, err %v", r, v, err)
			}
			if tc.wantErr && !strings.Contains(err.Error(), "unexpected zfs list line") {
				t.Errorf("the view's error: %v", err)
			}
			if !tc.wantErr && !strings.Contains(problems(r), "pool tank is FAULTED") {
				t.Errorf("problems: %s", problems(r))
			}
		})
	}
}

// A pool zpool list refuses is not waited on to be listed whole: the view's zfs list
// (here one that would take a minute, as on a pool whose I/O hangs) is stopped.
func TestCheckTargetViewDoesNotWaitOnARefusedPool(t *testing.T) {
	m := fakeTools(t, map[string]string{
		"zpool-list": mirrorList("tank", "SUSPENDED", "ONLINE"),
		"zfs-get":    "tank/vms\tcompression\tlz4\ntank/vms\tavailable\t4294967296\n",
	})
	slow := filepath.Join(t.TempDir(), "zfs")
	script := "#!/bin/sh\n[ \"$1\" = list ] && exec sleep 60\nexec " + m.ZFS.Path + " \"$@\"\n"
	if err := os.WriteFile(slow, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	m.ZFS = runner.New(slow)
	m.Mounts = func() ([]mounts.Entry, error) { return nil, nil }
	start := time.Now()
	r, v, err := m.CheckTargetView(t.Context(), TargetOptions{Dataset: "tank/vms"})
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("took %s: waited on the listing of a SUSPENDED pool", took)
	}
	if err != nil || v != nil || !strings.Contains(problems(r), "pool tank is SUSPENDED") {
		t.Errorf("report %+v, view %v, err %v", r, v, err)
	}
}

// A tree night's CheckTargetView (SyncPool): two commands at once (zpool list -v,
// zfs program), the view read by `zfs program` (ReadViewSynced) as zfs list and zfs
// get would show it: a mount's nosuid is setuid off (zfs's temporary value), an unmounted dataset has no mount
// point, a guid above 2^63 (Lua's signed integer) reads unsigned, a snapshot's
// holds and local user properties are its own, a property a child inherits is not
// its owner. When zfs program fails, the view is ReadView's, not synced, SyncErr
// saying why.
func TestCheckTargetViewReadsSyncedByOneProgram(t *testing.T) {
	program := `{"return":{"filesystems":{
		"tank/vms":{"guid":11,"createtxg":5,"creation":1,"used":0,"written":0,"referenced":0,"available":4294967296,
			"mountpoint":"/tank/vms","compression":"lz4","atime":"off","devices":"off","exec":"off","setuid":"off","local":{"kvmbackup:layout":"1"}},
		"tank/vms/a":{"guid":-2,"createtxg":7,"creation":2,"used":0,"written":4096,"referenced":0,"available":4294967296,
			"mountpoint":"/tank/vms/a","compression":"lz4","atime":"off","devices":"off","exec":"off","setuid":"on","local":{"kvmbackup:vm":"a"}},
		"tank/vms/a/b":{"guid":13,"createtxg":9,"creation":3,"used":0,"written":0,"referenced":0,"available":4294967296,
			"mountpoint":"/tank/vms/a/b","compression":"lz4","atime":"off","devices":"off","exec":"off","setuid":"off","local":{}}},
		"snapshots":{
		"tank/vms/a@kvmbackup_2026-12-01T00:00:00Z":{"guid":21,"createtxg":8,"creation":1796083200,"used":8192,"written":12288,"referenced":16384,"userrefs":1,
			"local":{"kvmbackup:tree":"m1"},"holds":{"kvmbackup":true,"keep":true}}}}}`
	m := fakeTools(t, map[string]string{
		"zpool-list":  mirrorList("tank", "ONLINE", "ONLINE"),
		"zfs-program": program,
	})
	m.Mounts = func() ([]mounts.Entry, error) {
		return []mounts.Entry{{Point: "/tank/vms", Root: "/", FSType: "zfs", Source: "tank/vms", Options: "rw,nodev,noatime"},
			{Point: "/tank/vms/a", Root: "/", FSType: "zfs", Source: "tank/vms/a", Options: "rw,nosuid,noatime"},
			{Point: "/elsewhere", Root: "/", FSType: "zfs", Source: "tank/vms/a", Options: "rw"}}, nil
	}
	ctx, counter := runner.WithCounter(t.Context())
	r, v, err := m.CheckTargetView(ctx, TargetOptions{Dataset: "tank/vms", RequireMirror: true, SyncPool: true})
	if err != nil || len(r.Problems) != 0 {
		t.Fatalf("%+v %v", r, err)
	}
	if n := counter.Read().Commands; n != 2 {
		t.Errorf("%d commands, want 2", n)
	}
	if !v.Synced || v.SyncErr != nil || r.Compression != "lz4" || r.Available != 4<<30 {
		t.Fatalf("view %+v, report %+v", v, r)
	}
	a := v.Datasets["tank/vms/a"]
	if a == nil || a.GUID != "18446744073709551614" || a.Mountpoint != "/tank/vms/a" || a.Written != 4096 ||
		a.Hardening["setuid"] != "off" || a.Hardening["exec"] != "off" || !maps.Equal(a.Owners, map[string]string{PropVM: "a"}) {
		t.Errorf("tank/vms/a: %+v", a)
	}
	if b := v.Datasets["tank/vms/a/b"]; b == nil || b.Mountpoint != "" || len(b.Owners) != 0 {
		t.Errorf("tank/vms/a/b (not mounted, its parent's owner inherited): %+v", b)
	}
	if len(a.Snapshots) != 1 {
		t.Fatalf("tank/vms/a's snapshots: %+v", a.Snapshots)
	}
	if s := a.Snapshots[0]; s.Name != "kvmbackup_2026-12-01T00:00:00Z" || !slices.Equal(s.Holds, []string{"keep", "kvmbackup"}) ||
		s.Props[PropTree] != "m1" || s.Used != 8192 || s.Written != 12288 || s.Referenced != 16384 || s.Created.Unix() != 1796083200 {
		t.Errorf("the snapshot: %+v", s)
	}
	if o, err := v.Owner("tank/vms/a"); err != nil || o != VMOwner("a") {
		t.Errorf("owner %v %v", o, err)
	}

	// No channel program: ReadView's two commands, after it.
	m = fakeTools(t, map[string]string{
		"zpool-list": mirrorList("tank", "ONLINE", "ONLINE"),
		"zfs-list":   "tank/vms\t1\t0\t0\t0\t0\tfilesystem\t11\tyes\t/tank/vms\tlz4\t4294967296\toff\toff\toff\toff\n",
		"zfs-get":    "",
	})
	m.Mounts = func() ([]mounts.Entry, error) { return nil, nil }
	ctx, counter = runner.WithCounter(t.Context())
	r, v, err = m.CheckTargetView(ctx, TargetOptions{Dataset: "tank/vms", SyncPool: true})
	if err != nil || len(r.Problems) != 0 || v == nil || v.Synced || v.SyncErr == nil || v.Datasets["tank/vms"] == nil {
		t.Fatalf("no zfs program: %+v, view %+v, %v", r, v, err)
	}
	if n := counter.Read().Commands; n != 4 {
		t.Errorf("no zfs program: %d commands, want 4", n)
	}
}

// CheckMount: a directory on the device the dataset is mounted from lies in it; one
// on another device (where the dataset was mounted before it was remounted), or a
// dataset not mounted, is an error naming the dataset and where it is mounted.
func TestCheckMount(t *testing.T) {
	m := New()
	m.Mounts = func() ([]mounts.Entry, error) {
		return []mounts.Entry{{Point: "/tank/vms", Root: "/", FSType: "zfs", Source: "tank/vms", Major: 0, Minor: 50},
			{Point: "/tank/vms/a", Root: "/", FSType: "zfs", Source: "tank/vms/a", Major: 0, Minor: 51},
			{Point: "/elsewhere", Root: "/", FSType: "ext4", Source: "tank/vms/b", Major: 0, Minor: 52}}, nil
	}
	if err := m.CheckMount("tank/vms/a", &unix.Stat_t{Dev: unix.Mkdev(0, 51)}); err != nil {
		t.Errorf("a directory of tank/vms/a: %v", err)
	}
	for _, tc := range []struct {
		ds   string
		dev  uint64
		want string
	}{
		{"tank/vms/a", unix.Mkdev(0, 50), "not in dataset tank/vms/a (device 0:50; the dataset is mounted at /tank/vms/a)"},
		{"tank/vms/b", unix.Mkdev(0, 52), "dataset tank/vms/b is not mounted"},
		{"tank/vms/c", unix.Mkdev(0, 50), "dataset tank/vms/c is not mounted"},
	} {
		if err := m.CheckMount(tc.ds, &unix.Stat_t{Dev: tc.dev}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s on %d: %v, want %q", tc.ds, tc.dev, err, tc.want)
		}
	}
}
