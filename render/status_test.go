package render

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// status is a morning after report()'s night: web1 fresh with a pin, db1 stale and
// failed, new1 never backed up, path root fresh; the pool DEGRADED; the next run due.
func status() *orchestrator.StatusReport {
	now := night.Add(7*time.Hour + 42*time.Minute)
	_, out := failedRun()
	snap := func(t time.Time) string { return zfs.SnapshotName(t) }
	return &orchestrator.StatusReport{
		Time: now, MaxAge: 26 * time.Hour, Target: "backup/vms", Verdict: orchestrator.VerdictStale,
		LastRun: &out,
		Pool:    &orchestrator.PoolState{Pool: "backup", Health: "DEGRADED", Free: 812 << 30, Dataset: "backup/vms", Available: 790 << 30, Checked: now},
		Units: []orchestrator.UnitStatus{
			{Kind: zfs.KindVM, Name: "db1", Dataset: "backup/vms/db1", Newest: snap(night.AddDate(0, 0, -2)), NewestTime: night.AddDate(0, 0, -2),
				Age: now.Sub(night.AddDate(0, 0, -2)), Snapshots: 9, LastStatus: "failed", LastError: "copy vda: no space left on device", Stale: true, Failed: true,
				VerifiedSnapshot: snap(night.AddDate(0, 0, -2)), Verified: &zfs.Verification{At: night.AddDate(0, 0, -1), What: "data", Reason: "disk vda: ext4 filesystem on partition 1: e2fsck -n -f /dev/loop4p1: exit status 4"},
				VerifyFailed: []orchestrator.FailedVerify{{Snapshot: snap(night.AddDate(0, 0, -2)), Verification: zfs.Verification{At: night.AddDate(0, 0, -1), What: "data", Reason: "disk vda: ext4 filesystem on partition 1: e2fsck -n -f /dev/loop4p1: exit status 4"}}}},
			{Kind: zfs.KindVM, Name: "new1", Dataset: "backup/vms/new1", LastStatus: "never", Stale: true},
			{Kind: zfs.KindVM, Name: "web1", Dataset: "backup/vms/web1", Newest: snap(night), NewestTime: night, Age: now.Sub(night), Snapshots: 14,
				Pins: []string{snap(night.AddDate(0, -1, 0))}, LastStatus: "ok", Bases: []string{"vda=vg0/web1:7"},
				VerifiedSnapshot: snap(night), Verified: &zfs.Verification{At: night.Add(3 * time.Hour), What: "data,boot", OK: true, Boot: 41200 * time.Millisecond}},
			{Kind: zfs.KindPath, Name: "root", Dataset: "backup/vms/_paths/root", Newest: snap(night), NewestTime: night, Age: now.Sub(night), Snapshots: 5, LastStatus: "ok"},
		},
		Problems: []string{"the last run (2026-11-03 01:30 UTC) failed, exit status 1 (units)",
			"pool backup is DEGRADED: a device is missing or failing, and the next failure may lose data: see `zpool status -x backup`",
			"db1: newest backup 2d7h old, older than status.max-age 26h", "db1: its last backup failed: copy vda: no space left on device",
			"db1: the last verify (data of @" + snap(night.AddDate(0, 0, -2)) + ", 2026-11-02 01:30 UTC) failed: disk vda: ext4 filesystem on partition 1: e2fsck -n -f /dev/loop4p1: exit status 4",
			"new1: no dated backup yet",
			"replication usb: db1: newest there 2d7h old, older than status.max-age 26h",
			"replication offsite: the last replication (2026-11-03 03:30 UTC) failed: replication target offsite (ssh://kvmbackup@b2.example/tank/replica): connection refused"},
		// usb: replicated an hour after the night, db1 behind; offsite never.
		Replicas: []orchestrator.ReplicaStatus{
			{Target: "usb", To: "zfs://usb/replica", Last: night.Add(time.Hour), Duration: 95 * time.Second, LastSuccess: night.Add(time.Hour),
				Bytes: 345 << 20, Lag: now.Sub(night.AddDate(0, 0, -2)), Stale: true, Units: []orchestrator.ReplicaUnitStatus{
					{Kind: zfs.KindVM, Name: "db1", Newest: snap(night.AddDate(0, 0, -2)), NewestTime: night.AddDate(0, 0, -2), Lag: now.Sub(night.AddDate(0, 0, -2)), Stale: true},
					{Kind: zfs.KindVM, Name: "web1", Newest: snap(night), NewestTime: night, Lag: now.Sub(night)},
					{Kind: zfs.KindPath, Name: "root", Newest: snap(night), NewestTime: night, Lag: now.Sub(night)},
				}},
			{Target: "offsite", To: "ssh://kvmbackup@b2.example/tank/replica", Last: night.Add(2 * time.Hour), Duration: 3 * time.Second,
				Error: "replication target offsite (ssh://kvmbackup@b2.example/tank/replica): connection refused", Failed: true,
				Units: []orchestrator.ReplicaUnitStatus{}},
		},
		Warnings: []string{"state file /var/lib/kvmbackup/state.json: unexpected end of JSON input"},
		NextRun:  night.AddDate(0, 0, 1),
	}
}

func TestStatus(t *testing.T) {
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.UTC
	var b bytes.Buffer
	Status(&b, status())
	golden(t, "status.golden", b.Bytes())

	// Fresh, with no run recorded and no timer: said so.
	s := status()
	s.Verdict, s.Problems, s.Warnings, s.LastRun, s.Pool, s.Replicas = orchestrator.VerdictFresh, nil, nil, nil, nil, nil
	s.Units, s.NextRun, s.NextRunNote = s.Units[2:], time.Time{}, "unknown: systemd is not running here (no /run/systemd/system), so kvmbackup.timer is not either"
	b.Reset()
	Status(&b, s)
	golden(t, "status-fresh.golden", b.Bytes())

	b.Reset()
	if err := StatusJSON(&b, status()); err != nil {
		t.Fatal(err)
	}
	var back orchestrator.StatusReport
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Verdict != orchestrator.VerdictStale || len(back.Units) != 4 || back.Units[0].Failed != true {
		t.Errorf("status --json: %v %+v", err, back)
	}
	golden(t, "status.json.golden", b.Bytes())
}
