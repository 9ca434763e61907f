package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// fakeStatusTarget is a target status reads: a pool's health, datasets and their dated
// snapshots (no ZFS needed).
type fakeStatusTarget struct {
	health string
	err    error
	snaps  map[string][]time.Time // dataset → its dated snapshots
}

func (f fakeStatusTarget) CheckTarget(_ context.Context, o zfs.TargetOptions) (*zfs.TargetReport, error) {
	if f.err != nil {
		return nil, f.err
	}
	r := &zfs.TargetReport{Pool: zfs.Pool(o.Dataset), Dataset: o.Dataset, Health: f.health, Free: 5 << 30, Available: 4 << 30}
	if f.health == zfs.PoolDegraded {
		r.Warnings = []zfs.Problem{{What: "pool backup is DEGRADED", Fix: "zpool status -x backup"}}
	}
	return r, nil
}

func (f fakeStatusTarget) Children(_ context.Context, ds string) ([]string, error) {
	var out []string
	for d := range f.snaps {
		if strings.HasPrefix(d, ds+"/") && !strings.Contains(strings.TrimPrefix(d, ds+"/"), "/") {
			out = append(out, d)
		}
	}
	return out, nil
}

func (f fakeStatusTarget) Snapshots(_ context.Context, ds string) ([]zfs.Snapshot, error) {
	times, ok := f.snaps[ds]
	if !ok {
		return nil, fmt.Errorf("dataset %s: %w", ds, zfs.ErrNotFound)
	}
	var out []zfs.Snapshot
	for _, t := range times {
		out = append(out, zfs.Snapshot{Dataset: ds, Name: zfs.SnapshotName(t)})
	}
	return out, nil
}

type noTimer struct{}

func (noTimer) NextRun(context.Context) (time.Time, error) {
	return time.Time{}, errors.New("no systemd in this test")
}

// withStatusTarget makes status read t for the rest of the test.
func withStatusTarget(tb testing.TB, t fakeStatusTarget) {
	old := statusDeps
	statusDeps = func() (orchestrator.StatusTarget, orchestrator.TimerSchedule) { return t, noTimer{} }
	tb.Cleanup(func() { statusDeps = old })
}

// status is a monitoring check: exit 0 all fresh, 1 something stale or failed (the
// output and the error say what), 2 cannot tell (no usable config, the target
// unreadable); --json says the same.
func TestStatusExitCodes(t *testing.T) {
	now := time.Now()
	cfg := writeConfig(t, "vms: [{name: web1}, {name: db1}]\nstatus: {max-age: 26h}\n")
	state := t.TempDir()
	fresh := map[string][]time.Time{"backup/vms/web1": {now.Add(-3 * time.Hour)}, "backup/vms/db1": {now.Add(-49 * time.Hour), now.Add(-time.Hour)}}
	st := &orchestrator.State{}
	st.Record(nil, nil, orchestrator.RunOutcome{Start: now.Add(-time.Hour), Duration: time.Minute, Version: "test"})
	if err := st.Save(filepath.Join(state, orchestrator.StateFile)); err != nil {
		t.Fatal(err)
	}

	withStatusTarget(t, fakeStatusTarget{health: zfs.PoolOnline, snaps: fresh})
	out, err, code := runCLI(t, "status", "--config", cfg, "--state-dir", state)
	if code != exitOK || !strings.Contains(out, "kvmbackup status: fresh") || !strings.Contains(out, "db1 ") || !strings.Contains(out, "no systemd in this test") {
		t.Fatalf("fresh: exit %d %v\n%s", code, err, out)
	}
	t.Logf("kvmbackup status:\n%s", out)

	stale := map[string][]time.Time{"backup/vms/web1": {now.Add(-30 * time.Hour)}}
	withStatusTarget(t, fakeStatusTarget{health: zfs.PoolOnline, snaps: stale})
	out, err, code = runCLI(t, "status", "--config", cfg, "--state-dir", state)
	if code != exitSomeFailed || !strings.Contains(err.Error(), "web1: newest backup 30h old") || !strings.Contains(err.Error(), "db1: no dated backup yet") || !strings.Contains(out, "STALE") {
		t.Fatalf("stale: exit %d %v\n%s", code, err, out)
	}
	out, _, code = runCLI(t, "status", "--json", "--config", cfg, "--state-dir", state)
	var rep orchestrator.StatusReport
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil || code != exitSomeFailed || rep.Verdict != orchestrator.VerdictStale || len(rep.Units) != 2 {
		t.Fatalf("status --json: exit %d %v\n%s", code, jerr, out)
	}

	withStatusTarget(t, fakeStatusTarget{health: zfs.PoolDegraded, snaps: fresh})
	if out, err, code = runCLI(t, "status", "--config", cfg, "--state-dir", state); code != exitSomeFailed || !strings.Contains(out, "DEGRADED") {
		t.Fatalf("degraded pool: exit %d %v\n%s", code, err, out)
	}

	withStatusTarget(t, fakeStatusTarget{err: errors.New("zpool: exit status 1: no such pool")})
	if out, err, code = runCLI(t, "status", "--config", cfg, "--state-dir", state); code != exitEnvironment || !strings.Contains(err.Error(), "cannot tell") || !strings.Contains(err.Error(), "no such pool") {
		t.Fatalf("target unreadable: exit %d %v\n%s", code, err, out)
	}
	if _, err, code = runCLI(t, "status", "--config", writeConfig(t, "status: {max-age: 0s}\n"), "--state-dir", state); code != exitEnvironment || !strings.Contains(err.Error(), "status.max-age") {
		t.Fatalf("bad config: exit %d %v", code, err)
	}
	if _, err, code = runCLI(t, "status", "--config", "/nonexistent/config.yaml"); code != exitEnvironment || !strings.Contains(err.Error(), "/nonexistent/config.yaml") {
		t.Fatalf("no config: exit %d %v", code, err)
	}
}

// A run that cannot run still writes the metrics file (exit status 2, its reason)
// and the state file, keeping every unit's series the state holds; a config that
// does not load reports to the metrics file it names; one that cannot be read at
// all says on stderr that no metrics were written.
func TestRunMetricsOnExitTwo(t *testing.T) {
	dir := t.TempDir()
	metrics := filepath.Join(dir, "kvmbackup.prom")
	state := filepath.Join(dir, "state")
	lock := "--lock=" + filepath.Join(dir, "run.lock")
	good := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	st := &orchestrator.State{}
	st.VMs = []*orchestrator.StateVM{{VMResult: orchestrator.VMResult{Result: orchestrator.Result{Name: "web1", Dataset: "backup/vms/web1",
		Status: orchestrator.StatusOK, LastSuccess: good, DatedSnapshots: 3}}}}
	if err := st.Save(filepath.Join(state, orchestrator.StateFile)); err != nil {
		t.Fatal(err)
	}
	read := func() string {
		t.Helper()
		b, err := os.ReadFile(metrics)
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(metrics); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want 0600", metrics, fi.Mode().Perm())
		}
		return string(b)
	}

	cfg := writeConfig(t, "report: {metrics-file: "+metrics+"}\n")
	out, err, code := runCLI(t, "run", "--config", cfg, "--path", "a/b", "--state-dir", state, lock)
	m := read()
	for _, want := range []string{"kvmbackup_run_success 0", "kvmbackup_run_exit_code 2", `kvmbackup_run_failure_info{reason="selection"} 1`,
		fmt.Sprintf(`kvmbackup_vm_last_success_timestamp_seconds{vm="web1"} %d`, good.Unix()), `kvmbackup_vm_snapshots{vm="web1"} 3`, `kvmbackup_build_info{goversion="go`} {
		if !strings.Contains(m, want) {
			t.Errorf("after a bad --path (exit %d %v): metrics lack %q:\n%s\n%s", code, err, want, m, out)
		}
	}
	if code != exitEnvironment {
		t.Errorf("exit %d", code)
	}
	back, err := orchestrator.LoadState(filepath.Join(state, orchestrator.StateFile))
	if err != nil || back.LastRun == nil || back.LastRun.Reason != orchestrator.ReasonSelection || len(back.VMs) != 1 {
		t.Errorf("state after: %v %+v", err, back)
	}

	bad := writeConfig(t, "snapshot: {size: 10X}\nreport: {metrics-file: "+metrics+"}\n")
	if _, err, code = runCLI(t, "run", "--config", bad, "--state-dir", state, lock); code != exitEnvironment || !strings.Contains(err.Error(), "snapshot.size") {
		t.Fatalf("bad config: exit %d %v", code, err)
	}
	if m := read(); !strings.Contains(m, `kvmbackup_run_failure_info{reason="config"} 1`) || !strings.Contains(m, `vm="web1"`) {
		t.Errorf("after a bad config: \n%s", m)
	}

	os.Remove(metrics)
	out, err, code = runCLI(t, "run", "--config", filepath.Join(dir, "missing.yaml"), "--state-dir", state, lock)
	if code != exitEnvironment || !strings.Contains(out, "no metrics written") || !strings.Contains(out, "missing.yaml") {
		t.Errorf("unreadable config: exit %d %v\n%s", code, err, out)
	}
	if _, err := os.Stat(metrics); !os.IsNotExist(err) {
		t.Errorf("a metrics file appeared: %v", err)
	}
}
