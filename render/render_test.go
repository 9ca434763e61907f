package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/orchestrator"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var night = time.Date(2026, 11, 3, 1, 30, 0, 0, time.UTC)

// report is a run with a bit of everything the table and the metrics show: an ok VM,
// a failed and rolled back one, one shut off (no quiesce, no pause), one never
// backed up; ok, failed and noted paths: entries; run-level errors and steps.
func report() *orchestrator.Report {
	return &orchestrator.Report{
		RunID: "20261103T013000Z", Start: night, Duration: 83*time.Second + 412*time.Millisecond, Target: "backup/vms",
		Steps: []orchestrator.Step{{Name: "recover", Duration: 12 * time.Millisecond}, {Name: "target check", Duration: 140 * time.Millisecond},
			{Name: "group 1 (app1, db1)", Duration: 61*time.Second + 3*time.Millisecond}, {Name: "prune", Duration: 2 * time.Second}},
		VMs: []*orchestrator.VMResult{
			{Result: orchestrator.Result{Name: "web1", Dataset: "backup/vms/web1", Status: orchestrator.StatusOK, Written: 345 << 20,
				Duration: 41*time.Second + 17*time.Millisecond, Snapshot: "backup/vms/web1@kvmbackup-20261103T013000Z", LastSuccess: night},
				Quiesce: hypervisor.ModeSysrqSuspend, Pause: 1234567 * time.Microsecond, Read: 10 << 30},
			{Result: orchestrator.Result{Name: "db1", Dataset: "backup/vms/db1", Status: orchestrator.StatusFailed, Duration: 9 * time.Second,
				Error: "copy vda: no space left on device", RolledBackTo: "backup/vms/db1@kvmbackup-20261102T013000Z", LastSuccess: night.AddDate(0, 0, -1)},
				Quiesce: hypervisor.ModeAgent, Pause: 800 * time.Millisecond, Read: 1 << 30},
			{Result: orchestrator.Result{Name: "old1", Dataset: "backup/vms/old1", Status: orchestrator.StatusOK, Written: 0,
				Duration: 3 * time.Second, Snapshot: "backup/vms/old1@kvmbackup-20261103T013000Z", LastSuccess: night}, Read: 2048},
			{Result: orchestrator.Result{Name: "new1", Dataset: "backup/vms/new1", Status: orchestrator.StatusFailed, Error: "disk vdb: not on an LV"}},
		},
		Paths: []*orchestrator.PathResult{
			{Result: orchestrator.Result{Name: "root", Dataset: "backup/vms/_paths/root", Status: orchestrator.StatusOK, Written: 7,
				Duration: 1500 * time.Millisecond, Snapshot: "backup/vms/_paths/root@kvmbackup-20261103T013000Z",
				Note: "2 paths vanished or changed while copied", LastSuccess: night}, Source: "/srv/root", Files: 12, Transferred: 3},
			{Result: orchestrator.Result{Name: "iso", Dataset: "backup/vms/_paths/iso", Status: orchestrator.StatusFailed, Duration: 200 * time.Millisecond,
				Error: "snapshot vg0/iso: volume group vg0 is full", RolledBackTo: "(gone)"}, Source: "vg0/iso"},
		},
		Errors: []string{"prune: backup/vms/web1@kvmbackup-20261001T013000Z: held"},
	}
}

// plan is a dry run's plan: a group of two VMs on one LV (file mode, thick
// snapshot), one VM alone on its own thin LV, a left-out disk, a failed VM, and
// live, volume and frozen-with paths: entries.
func plan() *orchestrator.Plan {
	web1 := &orchestrator.VMPlan{Name: "web1", Quiesce: hypervisor.ModeSysrqSuspend, Dataset: "backup/vms/web1",
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

func TestMetricsFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		rep  func() *orchestrator.Report
	}{
		{"metrics.golden", report},
		{"metrics-vms.golden", func() *orchestrator.Report { r := report(); r.Paths = nil; return r }},
	} {
		path := filepath.Join(t.TempDir(), "kvmbackup.prom")
		if err := MetricsFile(path, tc.rep()); err != nil {
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

// A metrics file that cannot be written is an error naming it.
func TestMetricsFileUnwritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "kvmbackup.prom")
	if err := MetricsFile(path, report()); err == nil {
		t.Errorf("metrics file %s written", path)
	}
}
