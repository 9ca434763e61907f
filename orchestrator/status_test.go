package orchestrator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/zfs"
)

type fakeTimer struct {
	next time.Time
	err  error
}

func (f fakeTimer) NextRun(context.Context) (time.Time, error) { return f.next, f.err }

// statusWorld is pathScene after one run of everything at night1, its state file
// written; web1's backup pinned.
func statusWorld(t *testing.T) (*world, runEnv, StatusOptions) {
	w := pathScene(t)
	env := runEnv{t.TempDir()}
	cfg := pathsConfig(t, "")
	o := env.opts(cfg, night1)
	rep, err := Run(context.Background(), w.deps(), o)
	if err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	path := filepath.Join(env.dir, StateFile)
	record(t, path, o, rep, nil)
	w.datasets["backup/vms/web1"].snaps[0].s.Holds = []string{zfs.PinTag}
	return w, env, StatusOptions{Config: cfg, StatePath: path, Now: night1.Add(2 * time.Hour)}
}

func problemsOf(s *StatusReport) string { return strings.Join(s.Problems, "\n") }

// Fresh: every configured unit (the VMs the last run of everything planned, the
// paths: entries) has a dated backup younger than status.max-age, the last run
// succeeded, the pool is ONLINE; the pins, the pool's space and the next run shown.
func TestStatusFresh(t *testing.T) {
	w, _, o := statusWorld(t)
	next := night1.Add(25 * time.Hour)
	s := Status(context.Background(), fakeZFS{w}, fakeTimer{next: next}, o)
	if s.Verdict != VerdictFresh || len(s.Problems) != 0 {
		t.Fatalf("verdict %s: %s", s.Verdict, problemsOf(s))
	}
	var names []string
	for _, u := range s.Units {
		names = append(names, u.String())
		if u.Stale || u.Failed || u.Snapshots != 1 || u.Age != 2*time.Hour || u.LastStatus != StatusOK {
			t.Errorf("%s: %+v", u.String(), u)
		}
	}
	if got := strings.Join(names, ","); got != "app1,db1,old1,web1,path images,path iso,path root" {
		t.Errorf("units %s", got)
	}
	if web1 := s.Units[3]; !slices.Equal(web1.Pins, []string{zfs.SnapshotName(night1)}) {
		t.Errorf("web1's pins: %v", web1.Pins)
	}
	// web1's disk is a thin LV: the base its newest backup recorded.
	if web1 := s.Units[3]; len(web1.Bases) != 1 || !strings.HasPrefix(web1.Bases[0], "vda=vg0/web1:") || len(s.Units[0].Bases) != 0 {
		t.Errorf("bases: web1 %v, app1 %v", web1.Bases, s.Units[0].Bases)
	}
	if s.Pool == nil || s.Pool.Health != zfs.PoolOnline || s.Pool.Free != 100<<30 || !s.NextRun.Equal(next) || s.LastRun == nil || !s.LastRun.Success() {
		t.Errorf("pool %+v, next run %v, last run %+v", s.Pool, s.NextRun, s.LastRun)
	}
}

// Stale or failed (exit 1): too old, never backed up, a last backup that failed, a
// failed last run, a degraded pool; each says so, naming the unit.
func TestStatusStaleOrFailed(t *testing.T) {
	w, _, o := statusWorld(t)
	o.Now = night1.Add(27 * time.Hour)
	s := Status(context.Background(), fakeZFS{w}, fakeTimer{err: errors.New("systemd is not running")}, o)
	if s.Verdict != VerdictStale || !strings.Contains(problemsOf(s), "web1: newest backup 27h old, older than status.max-age 26h") ||
		!strings.Contains(problemsOf(s), "path root: newest backup 27h old") || !strings.HasPrefix(s.NextRunNote, "unknown: systemd") {
		t.Fatalf("27h later: %s: %s (next run %q)", s.Verdict, problemsOf(s), s.NextRunNote)
	}

	// vms: now lists new9 too (never backed up); web1's last backup failed and the
	// last run with it; the pool is DEGRADED.
	o.Now = night1.Add(time.Hour)
	o.Config = configWith(t, "vms: [{name: web1}, {name: new9}]\n")
	st, err := LoadState(o.StatePath)
	if err != nil {
		t.Fatal(err)
	}
	stateVM(st, "web1").Status, stateVM(st, "web1").Error = StatusFailed, "copy vda: no space left on device"
	st.LastRun.ExitCode, st.LastRun.Reason = 1, ReasonUnits
	if err := st.Save(o.StatePath); err != nil {
		t.Fatal(err)
	}
	w.checkTarget = func(r *zfs.TargetReport) {
		r.Health = zfs.PoolDegraded
		r.Warnings = []zfs.Problem{{What: "pool backup is DEGRADED: a device is missing or failing", Fix: "zpool status -x"}}
	}
	s = Status(context.Background(), fakeZFS{w}, nil, o)
	for _, want := range []string{"new9: no dated backup yet", "web1: its last backup failed: copy vda: no space left on device",
		"the last run (", "exit status 1 (units)", "pool backup is DEGRADED"} {
		if !strings.Contains(problemsOf(s), want) {
			t.Errorf("problems lack %q:\n%s", want, problemsOf(s))
		}
	}
	if s.Verdict != VerdictStale || len(s.Units) != 2 || !s.Units[0].Stale || !s.Units[1].Failed || s.Units[1].Stale || s.NextRunNote != "unknown" || len(s.Warnings) != 0 {
		t.Errorf("verdict %s, units %+v, next run %q, warnings %v", s.Verdict, s.Units, s.NextRunNote, s.Warnings)
	}
}

// A unit's last verify (the newest recorded on any of its dated snapshots) is shown;
// a failed one is a problem, naming the snapshot and why.
func TestStatusVerified(t *testing.T) {
	w, _, o := statusWorld(t)
	snaps := w.datasets["backup/vms/web1"].snaps
	at := night1.Add(time.Hour)
	snaps[0].s.Props = map[string]string{}
	for k, v := range (zfs.Verification{At: at, What: "data,boot", OK: true, Boot: 30 * time.Second}).Props() {
		snaps[0].s.Props[k] = v
	}
	s := Status(context.Background(), fakeZFS{w}, nil, o)
	web1 := s.Units[3]
	if s.Verdict != VerdictFresh || web1.Verified == nil || !web1.Verified.OK || web1.Verified.Boot != 30*time.Second || web1.VerifiedSnapshot != snaps[0].s.Name {
		t.Fatalf("%s %s: %+v", s.Verdict, problemsOf(s), web1)
	}
	for k, v := range (zfs.Verification{At: at.Add(time.Minute), What: "data", Reason: "disk vda: vda.raw: 1 of 64 blocks differ"}).Props() {
		snaps[0].s.Props[k] = v
	}
	// Any retained snapshot whose last verify failed is a problem, even when a newer
	// one verified since (verify --all): a restore point that may not restore.
	s = Status(context.Background(), fakeZFS{w}, nil, o)
	if want := "web1: the last verify (data of @" + snaps[0].s.Name; s.Verdict != VerdictStale || !strings.Contains(problemsOf(s), want) ||
		!strings.Contains(problemsOf(s), "failed: disk vda: vda.raw: 1 of 64 blocks differ") {
		t.Errorf("%s: %s", s.Verdict, problemsOf(s))
	}
}

// Cannot tell (exit 2): the target's check fails, the pool is not imported, a unit's
// snapshots cannot be listed. Without a state file and before any run, the VMs are
// the datasets under the target, and no run recorded is a problem.
func TestStatusUnknown(t *testing.T) {
	w, _, o := statusWorld(t)
	w.checkTarget = func(r *zfs.TargetReport) {
		r.Health = ""
		r.Problems = []zfs.Problem{{What: "pool backup (of target.dataset backup/vms) does not exist or is not imported", Fix: "zpool import backup"}}
	}
	s := Status(context.Background(), fakeZFS{w}, nil, o)
	if s.Verdict != VerdictUnknown || !strings.Contains(problemsOf(s), "not imported") || len(s.Units) != 0 || s.Pool.Health != zfs.PoolMissing {
		t.Errorf("pool missing: %s %s %+v", s.Verdict, problemsOf(s), s.Pool)
	}
	w.checkTarget = nil
	w.failAt, w.calls = 2, 0 // the first Snapshots, after CheckTarget, fails
	s = Status(context.Background(), fakeZFS{w}, nil, o)
	if s.Verdict != VerdictUnknown || !strings.Contains(problemsOf(s), "injected failure") {
		t.Errorf("a listing fails: %s %s", s.Verdict, problemsOf(s))
	}
	w.failAt = 0

	o.StatePath = filepath.Join(t.TempDir(), StateFile)
	o.Config = configWith(t, "")
	s = Status(context.Background(), fakeZFS{w}, nil, o)
	var names []string
	for _, u := range s.Units {
		names = append(names, u.Name)
	}
	if s.Verdict != VerdictStale || s.LastRun != nil || !strings.Contains(problemsOf(s), "no run recorded") || strings.Join(names, ",") != "app1,db1,old1,web1" {
		t.Errorf("no state file: %s %s %v", s.Verdict, problemsOf(s), names)
	}
	if err := os.WriteFile(o.StatePath, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s = Status(context.Background(), fakeZFS{w}, nil, o); s.StateError == "" || !strings.Contains(s.Warnings[0], o.StatePath) {
		t.Errorf("a corrupt state file: %+v", s)
	}
}

// The next run is the timer's NextElapseUSecRealtime, asked of systemctl with Unix
// timestamps; without systemd, or a timer not scheduled, it is unknown and says why.
func TestSystemdTimer(t *testing.T) {
	dir := t.TempDir()
	script := func(out string) runner.Tool {
		p := filepath.Join(dir, "systemctl")
		body := "#!/bin/sh\n[ \"$*\" = \"show kvmbackup.timer --property=NextElapseUSecRealtime --value --timestamp=unix\" ] || { echo \"bad args: $*\" >&2; exit 1; }\nprintf '%s' '" + out + "'\n"
		if err := os.WriteFile(p, []byte(body), 0o700); err != nil {
			t.Fatal(err)
		}
		return runner.New(p)
	}
	booted := t.TempDir()
	for out, want := range map[string]string{"@1795834800\n": "", "\n": "not scheduled", "n/a\n": "not scheduled", "Wed 2026-11-25 03:00:00 UTC\n": "cannot read"} {
		tm := SystemdTimer{Unit: "kvmbackup.timer", Systemctl: script(out), Booted: booted}
		next, err := tm.NextRun(t.Context())
		switch {
		case want == "" && (err != nil || next.Unix() != 1795834800):
			t.Errorf("%q: %v %v", out, next, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "kvmbackup.timer")):
			t.Errorf("%q: %v, want an error saying %q", out, err, want)
		}
	}
	tm := SystemdTimer{Unit: "kvmbackup.timer", Systemctl: script("@1"), Booted: filepath.Join(dir, "nosuch")}
	if _, err := tm.NextRun(t.Context()); err == nil || !strings.Contains(err.Error(), "systemd is not running") {
		t.Errorf("without systemd: %v", err)
	}
}

// TestStatusReplication: each replication: target from the state file: none
// recorded is a problem; then each unit backed up here with its newest there and
// its lag; a lag past status.max-age, a unit the target lacks and a failed last
// replication are problems (exit 1), each naming the target.
func TestStatusReplication(t *testing.T) {
	w, _, o := statusWorld(t)
	o.Config = pathsConfig(t, "replication:\n  - {name: usb, to: zfs://pool2/usb}\n")
	s := Status(context.Background(), fakeZFS{w}, nil, o)
	if s.Verdict != VerdictStale || !strings.Contains(problemsOf(s), "replication usb (zfs://pool2/usb): no replication recorded in "+o.StatePath+" yet") {
		t.Fatalf("nothing recorded: %s: %s", s.Verdict, problemsOf(s))
	}
	// A replication an hour after the night: every unit but path iso got there.
	rt := ReplicatedTarget{Target: "usb", To: "zfs://pool2/usb", Time: night1.Add(time.Hour), Duration: time.Minute, Bytes: 1 << 20}
	for _, u := range s.Units {
		ru := ReplicatedUnit{Dataset: u.Dataset, Newest: u.Newest, NewestTime: u.NewestTime}
		if u.Kind == zfs.KindPath {
			ru.Path = u.Name
		} else {
			ru.VM = u.Name
		}
		if u.Name == "iso" {
			ru.Newest, ru.NewestTime = "", time.Time{}
		}
		rt.Units = append(rt.Units, ru)
	}
	st, err := LoadState(o.StatePath)
	if err != nil {
		t.Fatal(err)
	}
	st.RecordReplication(o.Config, []ReplicatedTarget{rt})
	if err := st.Save(o.StatePath); err != nil {
		t.Fatal(err)
	}
	s = Status(context.Background(), fakeZFS{w}, nil, o)
	if s.Verdict != VerdictStale || len(s.Problems) != 1 || s.Problems[0] != "replication usb: path iso: no dated backup there yet" {
		t.Fatalf("iso missing there: %s: %s", s.Verdict, problemsOf(s))
	}
	r := s.Replicas[0]
	if !r.Last.Equal(rt.Time) || !r.LastSuccess.Equal(rt.Time) || r.Bytes != 1<<20 || r.Failed || r.Lag != 2*time.Hour || !r.Stale || len(r.Units) != 7 {
		t.Errorf("usb: %+v", r)
	}

	// iso got there too; 27h later the lag is past status.max-age.
	rt.Units = []ReplicatedUnit{{Path: "iso", Newest: zfs.SnapshotName(night1), NewestTime: night1}}
	st.RecordReplication(o.Config, []ReplicatedTarget{rt})
	if err := st.Save(o.StatePath); err != nil {
		t.Fatal(err)
	}
	if s = Status(context.Background(), fakeZFS{w}, nil, o); s.Verdict != VerdictFresh {
		t.Fatalf("all there: %s: %s", s.Verdict, problemsOf(s))
	}
	o.Now = night1.Add(27 * time.Hour)
	s = Status(context.Background(), fakeZFS{w}, nil, o)
	if !strings.Contains(problemsOf(s), "replication usb: web1: newest there 27h old, older than status.max-age 26h") || s.Replicas[0].Lag != 27*time.Hour {
		t.Errorf("27h later: %s", problemsOf(s))
	}

	// A failed replication: said, the last success kept.
	o.Now = night1.Add(3 * time.Hour)
	st.RecordReplication(o.Config, []ReplicatedTarget{{Target: "usb", To: "zfs://pool2/usb", Time: night1.Add(2 * time.Hour), Error: "replication target usb (zfs://pool2/usb): connection refused"}})
	if err := st.Save(o.StatePath); err != nil {
		t.Fatal(err)
	}
	s = Status(context.Background(), fakeZFS{w}, nil, o)
	if s.Verdict != VerdictStale || len(s.Problems) != 1 || !strings.Contains(s.Problems[0], "replication usb: the last replication (") ||
		!strings.HasSuffix(s.Problems[0], "failed: replication target usb (zfs://pool2/usb): connection refused") || !s.Replicas[0].LastSuccess.Equal(rt.Time) {
		t.Errorf("failed: %s: %s", s.Verdict, problemsOf(s))
	}
}
