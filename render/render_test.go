package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var night = time.Date(2026, 11, 3, 1, 30, 0, 0, time.UTC)

// report is a run with a bit of everything the table and the metrics show: an ok VM,
// a failed and rolled back one, one shut off (no quiesce, no pause), one never
// backed up; ok, failed and noted paths: entries; run-level errors and steps.
func report() *orchestrator.Report {
	return &orchestrator.Report{
		RunID: "20261103T013000Z", Start: night, Duration: 83*time.Second + 412*time.Millisecond, Target: "backup/vms",
		Steps: []orchestrator.Step{{Name: "recover", Duration: 12 * time.Millisecond, Counted: runner.Counted{Commands: 3, Time: 9 * time.Millisecond}},
			{Name: "target check", Duration: 140 * time.Millisecond, Counted: runner.Counted{Commands: 4, Time: 120 * time.Millisecond}},
			{Name: "group 1 (app1, db1)", Duration: 61*time.Second + 3*time.Millisecond, Counted: runner.Counted{Commands: 41, Time: 58 * time.Second}},
			{Name: "prune", Duration: 2 * time.Second, Counted: runner.Counted{Commands: 6, Time: 1900 * time.Millisecond}}},
		Commands:  runner.Counted{Commands: 54, Time: 60*time.Second + 29*time.Millisecond},
		ByCommand: map[string]int{"zfs list": 9, "zfs snapshot": 2, "lvm lvs": 3, "lvm lvcreate": 3, "lvm lvremove": 3, "rsync": 1, "zfs get": 33},
		VMs: []*orchestrator.VMResult{
			{Result: orchestrator.Result{Name: "web1", Dataset: "backup/vms/web1", Status: orchestrator.StatusOK, Written: 345 << 20,
				Duration: 41*time.Second + 17*time.Millisecond, Snapshot: "backup/vms/web1@kvmbackup-20261103T013000Z", LastSuccess: night, DatedSnapshots: 14},
				Quiesce: hypervisor.ModeSysrqSuspend, Pause: 1234567 * time.Microsecond, Read: 10 << 30,
				Disks: []orchestrator.DiskResult{
					{Disk: "vda", Volume: "vg0/web1", Mode: "block", Image: "vda.raw", Base: "vg0/web1:7",
						Stats: transfer.Stats{Mode: "cbt", Size: 80 << 30, Changed: 96 << 20, SrcRead: 100 << 20, Written: 40 << 20}},
					{Disk: "vdb", Volume: "vg0/web1-data", Mode: "block", Image: "vdb.raw", Tracking: "cbt: base missing",
						Stats: transfer.Stats{Mode: "manifest", Size: 10 << 30, SrcRead: 10<<30 - 100<<20, Written: 305 << 20}}}},
			{Result: orchestrator.Result{Name: "db1", Dataset: "backup/vms/db1", Status: orchestrator.StatusFailed, Duration: 9 * time.Second,
				Error: "copy vda: no space left on device", RolledBackTo: "backup/vms/db1@kvmbackup-20261102T013000Z", LastSuccess: night.AddDate(0, 0, -1), DatedSnapshots: 9},
				Quiesce: hypervisor.ModeAgent, Pause: 800 * time.Millisecond, Read: 1 << 30},
			{Result: orchestrator.Result{Name: "old1", Dataset: "backup/vms/old1", Status: orchestrator.StatusOK, Written: 0,
				Duration: 3 * time.Second, Snapshot: "backup/vms/old1@kvmbackup-20261103T013000Z", LastSuccess: night, DatedSnapshots: 3}, Read: 2048,
				Disks: []orchestrator.DiskResult{{Disk: "vda", Volume: "vg0/old1", Mode: "block", Image: "vda.raw", Tracking: "classic LV: thin LVs get changed-block tracking",
					Stats: transfer.Stats{Mode: "compare", Size: 1024, SrcRead: 1024, DstRead: 1024}}}},
			{Result: orchestrator.Result{Name: "new1", Dataset: "backup/vms/new1", Status: orchestrator.StatusFailed, Error: "disk vdb: not on an LV"}},
		},
		Paths: []*orchestrator.PathResult{
			{Result: orchestrator.Result{Name: "root", Dataset: "backup/vms/_paths/root", Status: orchestrator.StatusOK, Written: 7,
				Duration: 1500 * time.Millisecond, Snapshot: "backup/vms/_paths/root@kvmbackup-20261103T013000Z",
				Note: "2 paths vanished or changed while copied", LastSuccess: night, DatedSnapshots: 5}, Source: "/srv/root", Files: 12, Transferred: 3},
			{Result: orchestrator.Result{Name: "iso", Dataset: "backup/vms/_paths/iso", Status: orchestrator.StatusFailed, Duration: 200 * time.Millisecond,
				Error: "snapshot vg0/iso: volume group vg0 is full", RolledBackTo: "(gone)"}, Source: "vg0/iso"},
		},
		// After the prune: usb got web1 and path root (db1 failed, not replicated); offsite unreachable.
		Replicated: []orchestrator.ReplicatedTarget{
			{Target: "usb", To: "zfs://usb/replica", Time: night.Add(83 * time.Second), Duration: 30 * time.Second, Bytes: 120 << 20, Lag: 113 * time.Second,
				Units: []orchestrator.ReplicatedUnit{
					{Dataset: "backup/vms/web1", VM: "web1", Start: "snapshot kvmbackup_2026-11-02T01:30:00Z", Bytes: 100 << 20,
						Streams: []orchestrator.ReplicatedStream{{Snapshot: "kvmbackup_2026-11-03T01:30:00Z", From: "@kvmbackup_2026-11-02T01:30:00Z", Bytes: 100 << 20}},
						Newest:  "kvmbackup_2026-11-03T01:30:00Z", NewestTime: night, Lag: 113 * time.Second},
					{Dataset: "backup/vms/_paths/root", Path: "root", Start: "full", Bytes: 20 << 20,
						Streams: []orchestrator.ReplicatedStream{{Snapshot: "kvmbackup_2026-11-03T01:30:00Z", Bytes: 20 << 20}},
						Newest:  "kvmbackup_2026-11-03T01:30:00Z", NewestTime: night, Lag: 113 * time.Second},
				}},
			{Target: "offsite", To: "ssh://kvmbackup@b2.example/tank/replica", Time: night.Add(113 * time.Second), Duration: 3 * time.Second,
				Units: []orchestrator.ReplicatedUnit{}, Error: "replication target offsite (ssh://kvmbackup@b2.example/tank/replica): connection refused"},
		},
		Errors: []string{"prune: backup/vms/web1@kvmbackup-20261001T013000Z: held",
			"replicate: replication target offsite (ssh://kvmbackup@b2.example/tank/replica): connection refused"},
		Warnings: []string{"pool backup is DEGRADED: a device is missing or failing, and the next failure may lose data: see `zpool status -x backup`"},
		Pool:     &orchestrator.PoolState{Pool: "backup", Health: "DEGRADED", Free: 812 << 30, Dataset: "backup/vms", Available: 790 << 30, Checked: night.Add(140 * time.Millisecond)},
	}
}

// plan is a dry run's plan: a group of two VMs on one LV (file mode, thick
// snapshot), one VM alone on its own thin LV, a left-out disk, a failed VM, and
// live, volume and frozen-with paths: entries.
func plan() *orchestrator.Plan {
	web1 := &orchestrator.VMPlan{Name: "web1", Quiesce: hypervisor.ModeSysrq, QuiesceWhy: "no guest agent channel; its group's disks are one LV, whose snapshot is atomic: synced, not paused", Dataset: "backup/vms/web1",
		Disks: []*orchestrator.DiskPlan{{Target: "vda", Mode: orchestrator.ModeBlock, Volume: "vg0/web1", Image: "vda.raw"}},
		LeftOut: []orchestrator.LeftOutDisk{{Target: "hdc", Use: hypervisor.DiskSkipped, Why: "a CD-ROM"},
			{Target: "vdb", Use: hypervisor.DiskExcluded, Why: "excluded by vms[].exclude-disks"}}}
	db1 := &orchestrator.VMPlan{Name: "db1", Quiesce: hypervisor.ModeAgent, Dataset: "backup/vms/db1",
		Disks: []*orchestrator.DiskPlan{{Target: "vda", Mode: orchestrator.ModeFile, Volume: "vg0/images", RelPath: "db1.raw", Image: "vda.raw"}}}
	app1 := &orchestrator.VMPlan{Name: "app1", Quiesce: hypervisor.ModeAgent, Dataset: "backup/vms/app1",
		Disks: []*orchestrator.DiskPlan{{Target: "vda", Mode: orchestrator.ModeFile, Volume: "vg0/images", RelPath: "app1.qcow2", Image: "vda.qcow2"}}}
	images := &orchestrator.PathPlan{Name: "images", Dataset: "backup/vms/_paths/images", Volume: "vg0/images", With: []string{"app1", "db1"}}
	return &orchestrator.Plan{
		Root: "backup/vms",
		Groups: []*orchestrator.Group{
			{VMs: []*orchestrator.VMPlan{web1}, Volumes: []*orchestrator.VolumePlan{{LV: lvm.LV{VG: "vg0", Name: "web1"}, Mode: orchestrator.ModeBlock}}},
			{VMs: []*orchestrator.VMPlan{app1, db1}, Volumes: []*orchestrator.VolumePlan{{LV: lvm.LV{VG: "vg0", Name: "images"}, Mode: orchestrator.ModeFile, SnapshotSize: 3 << 30}},
				Paths: []*orchestrator.PathPlan{images}},
		},
		Failed: []*orchestrator.VMPlan{{Name: "new1", Dataset: "backup/vms/new1", Error: "disk vdb: /var/lib/libvirt/images/new1.qcow2 is not on an LV"}},
		Paths: []*orchestrator.PathPlan{
			{Name: "root", Dataset: "backup/vms/_paths/root", Path: "/srv/root", Exclude: []string{"*.swp", "/cache"}},
			{Name: "home", Dataset: "backup/vms/_paths/home", Path: "/home", Skip: []string{"/home/backup"}},
			images,
			{Name: "iso", Dataset: "backup/vms/_paths/iso", Volume: "vg0/iso"},
		},
	}
}

// golden compares got with testdata/name (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func TestTable(t *testing.T) {
	var b bytes.Buffer
	Table(&b, report())
	golden(t, "table.golden", b.Bytes())

	// VMs only: no paths table, no "paths" in the last line.
	r := report()
	r.Paths, r.Errors = nil, nil
	b.Reset()
	Table(&b, r)
	golden(t, "table-vms.golden", b.Bytes())

	// Paths only (run --path): no VM table.
	r = report()
	r.VMs, r.Errors = nil, nil
	b.Reset()
	Table(&b, r)
	golden(t, "table-paths.golden", b.Bytes())
}

func TestPlan(t *testing.T) {
	var b bytes.Buffer
	Plan(&b, plan())
	golden(t, "plan.golden", b.Bytes())

	// VMs only: no paths table.
	p := plan()
	p.Paths = nil
	b.Reset()
	Plan(&b, p)
	golden(t, "plan-vms.golden", b.Bytes())

	// Paths only (run --path --dry-run): no VM table.
	p = plan()
	p.Groups, p.Failed = nil, nil
	b.Reset()
	Plan(&b, p)
	if strings.Contains(b.String(), "GROUP") || !strings.Contains(b.String(), "PATH") {
		t.Errorf("a plan of paths alone:\n%s", b.String())
	}
}

func TestJSON(t *testing.T) {
	r := report()
	r.Plan = plan()
	var b bytes.Buffer
	if err := JSON(&b, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json.golden", b.Bytes())
}

// cfg configures what report() holds: every domain, the paths root and iso.
func cfg(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte("target: {dataset: backup/vms}\npaths: [{name: root, path: /srv/root}, {name: iso, volume: vg0/iso}]\n"+
		"replication: [{name: usb, to: zfs://usb/replica, after-run: true}, {name: offsite, to: ssh://kvmbackup@b2.example/tank/replica, after-run: true, ssh: {key: /etc/kvmbackup/id_ed25519, known-hosts: /etc/kvmbackup/known_hosts}}]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// stateAfter is the state file after the runs, each with its exit status (and, for
// exit status 2, its reason), as kvmbackup run records them.
func stateAfter(c *config.Config, runs ...func() (*orchestrator.Report, orchestrator.RunOutcome)) *orchestrator.State {
	st := &orchestrator.State{}
	for _, run := range runs {
		rep, out := run()
		st.Record(c, rep, out)
	}
	return st
}

// failedRun is report(): VMs and paths failed (exit status 1) on a DEGRADED pool.
func failedRun() (*orchestrator.Report, orchestrator.RunOutcome) {
	r := report()
	r.Plan = plan()
	out := r.Outcome()
	out.ExitCode, out.Version = 1, "v1.2.3"
	return r, out
}

// goodRun: everything backed up the next night, the pool ONLINE.
func goodRun() (*orchestrator.Report, orchestrator.RunOutcome) {
	r := report()
	r.Plan = plan()
	next := night.AddDate(0, 0, 1)
	r.RunID, r.Start, r.Errors, r.Warnings = "20261104T013000Z", next, nil, nil
	// usb only this time, every unit (offsite not attempted: its series stay the
	// last night's).
	usb := r.Replicated[0]
	usb.Time, usb.Units = next.Add(83*time.Second), nil
	for _, u := range r.Units() {
		ru := orchestrator.ReplicatedUnit{Dataset: u.Dataset, VM: u.Name, Newest: zfs.SnapshotName(next), NewestTime: next, Lag: 113 * time.Second}
		if strings.Contains(u.Dataset, "/_paths/") {
			ru.VM, ru.Path = "", u.Name
		}
		usb.Units = append(usb.Units, ru)
	}
	r.Replicated = []orchestrator.ReplicatedTarget{usb}
	r.Pool = &orchestrator.PoolState{Pool: "backup", Health: "ONLINE", Free: 800 << 30, Dataset: "backup/vms", Available: 700 << 30, Checked: next}
	for _, u := range r.Units() {
		u.Status, u.Error, u.RolledBackTo, u.LastSuccess = orchestrator.StatusOK, "", "", next
		u.DatedSnapshots++
	}
	r.Pruned = []orchestrator.PrunedDataset{{Dataset: "backup/vms/web1", VM: "web1", Snapshots: []orchestrator.PrunedSnapshot{
		{Snapshot: "backup/vms/web1@kvmbackup_2026-10-01T01:30:00Z", Destroyed: true}, {Snapshot: "backup/vms/web1@kvmbackup_2026-11-03T01:30:00Z", Keep: true}}}}
	out := r.Outcome()
	out.Version = "v1.2.3"
	return r, out
}

// lockedRun: the night after, a run --vm web1 that found the run lock held (exit 2).
func lockedRun() (*orchestrator.Report, orchestrator.RunOutcome) {
	start := night.AddDate(0, 0, 2)
	return nil, orchestrator.RunOutcome{Start: start, Duration: 20 * time.Millisecond, ExitCode: 2, Reason: orchestrator.ReasonLock,
		Error: "another kvmbackup run holds /run/kvmbackup/run.lock: process 4242", VMs: []string{"web1"}, Version: "v1.2.3"}
}

func TestMetricsFile(t *testing.T) {
	c := cfg(t)
	for _, tc := range []struct {
		name string
		st   func() *orchestrator.State
	}{
		// A run that failed some units, on a degraded pool.
		{"metrics.golden", func() *orchestrator.State { return stateAfter(c, failedRun) }},
		{"metrics-vms.golden", func() *orchestrator.State {
			r, out := failedRun()
			r.Paths = nil
			c := *c
			c.Paths = nil
			return stateAfter(&c, func() (*orchestrator.Report, orchestrator.RunOutcome) { return r, out })
		}},
		// The good night after it, and a verify (web1 booted, db1's data failed).
		{"metrics-good.golden", func() *orchestrator.State {
			st := stateAfter(c, failedRun, goodRun)
			st.RecordVerify(&orchestrator.VerifyReport{Start: night.Add(4 * time.Hour), Duration: time.Minute, Results: []*orchestrator.UnitVerified{
				{Unit: "web1", Kind: zfs.KindVM, Snapshot: "backup/vms/web1@" + zfs.SnapshotName(night), Checked: "data,boot", OK: true,
					Boot: &orchestrator.BootVerified{Ready: 41200 * time.Millisecond}},
				{Unit: "db1", Kind: zfs.KindVM, Snapshot: "backup/vms/db1@" + zfs.SnapshotName(night), Checked: "data", Reason: "disk vda: exit status 4"},
				{Unit: "path root", Kind: zfs.KindPath, Snapshot: "backup/vms/_paths/root@" + zfs.SnapshotName(night), Checked: "data", OK: true},
			}})
			return st
		}},
		// Then a run that could not start: every unit's series kept, the run's failed.
		{"metrics-exit2.golden", func() *orchestrator.State { return stateAfter(c, failedRun, goodRun, lockedRun) }},
	} {
		path := filepath.Join(t.TempDir(), "kvmbackup.prom")
		if err := MetricsFile(path, tc.st(), Build{Version: "v1.2.3", GoVersion: "go1.24.0"}); err != nil {
			t.Fatal(err)
		}
		// Every file kvmbackup writes is 0600 (it names every VM and volume).
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v (%v), want 0600", path, fi.Mode().Perm(), err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, tc.name, got)
	}
}

// Every reason a run fails for is one of the closed set, as the label says; one
// outside it (a newer kvmbackup's state file) is "other".
func TestMetricsFailureReason(t *testing.T) {
	for _, reason := range append(slices.Clone(orchestrator.Reasons), "bogus") {
		st := &orchestrator.State{LastRun: &orchestrator.RunOutcome{ExitCode: 2, Reason: reason}}
		var b bytes.Buffer
		if err := Metrics(&b, st, Build{}); err != nil {
			t.Fatal(err)
		}
		want := reason
		if reason == "bogus" {
			want = orchestrator.ReasonOther
		}
		if !strings.Contains(b.String(), `kvmbackup_run_failure_info{reason="`+want+`"} 1`) || strings.Count(b.String(), "kvmbackup_run_failure_info{") != 1 {
			t.Errorf("reason %s:\n%s", reason, b.String())
		}
	}
}

// A metrics file that cannot be written is an error naming it.
func TestMetricsFileUnwritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "kvmbackup.prom")
	if err := MetricsFile(path, stateAfter(cfg(t), failedRun), Build{}); err == nil {
		t.Errorf("metrics file %s written", path)
	}
}
