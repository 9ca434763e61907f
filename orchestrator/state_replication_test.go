package orchestrator

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/zfs"
)

// TestStateRecordsReplication: a good replication moves the target's last success
// and each unit's newest there; a failed one records why and its bytes but keeps
// the last success, and a unit it could not learn keeps its newest; a target not
// attempted keeps everything; the state file round-trips it; a target the config
// drops goes.
func TestStateRecordsReplication(t *testing.T) {
	cfg := configWith(t, "replication:\n  - {name: usb, to: zfs://pool2/usb}\n  - {name: offsite, to: zfs://pool3/off}\n")
	src := newReplSrc(1, 2)
	usb, offsite := newReplDst(src), newReplDst(src)
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	now := at
	opts := func(d ...*replDst) ReplicateOptions {
		var tgs []ReplicaTarget
		for i, x := range d {
			name := []string{"usb", "offsite"}[i]
			tgs = append(tgs, ReplicaTarget{Name: name, To: "zfs://pool2/" + name, Replica: x})
		}
		return ReplicateOptions{Root: "backup/vms", Targets: tgs, Now: func() time.Time { return now }}
	}
	st := &State{}
	res, err := Replicate(context.Background(), src, opts(usb, offsite))
	if err != nil {
		t.Fatal(err)
	}
	st.RecordReplication(cfg, res)
	r := st.Replica("usb")
	if r == nil || !r.LastSuccess.Equal(at) || r.Failed() || r.Bytes != res[0].Bytes || r.Unit(zfs.VMUnit("web1")).Newest != dated(2) {
		t.Fatalf("usb after a good replication: %+v", r)
	}

	// The next night: usb's receiver is unreachable, offsite was not asked.
	src.snap(dated(3), 3)
	usb.listErr = errors.New("connection refused")
	now = at.Add(24 * time.Hour)
	res, err = Replicate(context.Background(), src, opts(usb))
	if err == nil {
		t.Fatal("no error")
	}
	st.RecordReplication(cfg, res)
	r = st.Replica("usb")
	if !r.Failed() || !r.Last.Equal(now) || !r.LastSuccess.Equal(at) || r.Unit(zfs.VMUnit("web1")).Newest != dated(2) {
		t.Errorf("usb after a failed replication: %+v", r)
	}
	if o := st.Replica("offsite"); o == nil || !o.Last.Equal(at) || o.Failed() {
		t.Errorf("offsite, not attempted: %+v", o)
	}

	// Saved and read back; then the config drops offsite.
	path := filepath.Join(t.TempDir(), StateFile)
	if err := st.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := LoadState(path)
	if err != nil || len(back.Replicas) != 2 || back.Replica("usb").Error != r.Error {
		t.Fatalf("read back: %v %+v", err, back.Replicas)
	}
	back.RecordReplication(configWith(t, "replication:\n  - {name: usb, to: zfs://pool2/usb}\n"), nil)
	if len(back.Replicas) != 1 || back.Replicas[0].Target != "usb" {
		t.Errorf("after offsite left the config: %+v", back.Replicas)
	}
}

// TestRunRecordsAfterRunReplication: a run's after-run replication lands in the
// state with the run's results.
func TestRunRecordsAfterRunReplication(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	src := newReplSrc(1, 2)
	d := w.deps()
	d.ReplicaSource = src
	d.Replicas = []ReplicaTarget{{Name: "usb", To: "zfs://pool2/r", Replica: newReplDst(src)}}
	cfg := configWith(t, `exclude: ["test-*"]
replication:
  - {name: usb, to: zfs://pool2/r, after-run: true}
`)
	rep, err := Run(context.Background(), d, env.opts(cfg, night1, "web1"))
	if err != nil {
		t.Fatal(err)
	}
	st := &State{}
	st.Record(cfg, rep, rep.Outcome())
	if r := st.Replica("usb"); r == nil || r.Failed() || r.Unit(zfs.VMUnit("web1")) == nil || r.Unit(zfs.VMUnit("web1")).Newest != dated(2) {
		t.Errorf("state replicas %+v", st.Replicas)
	}
}

// TestRunRecordsUnderItsLock: Options.Record gets the run's result while the run
// lock is still held (a replicate then cannot write the state file too), and is
// not called for a dry run.
func TestRunRecordsUnderItsLock(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	o := env.opts(testConfig(t), night1, "web1")
	var called int
	o.Record = func(rep *Report, err error) {
		called++
		var locked *LockedError
		if _, lerr := Lock(o.LockPath); !errors.As(lerr, &locked) {
			t.Errorf("the run lock is not held while recording: %v", lerr)
		}
		if err != nil || rep == nil || !rep.OK() {
			t.Errorf("recorded %v %+v", err, rep)
		}
	}
	if _, err := Run(context.Background(), w.deps(), o); err != nil || called != 1 {
		t.Fatalf("err %v, Record called %d times", err, called)
	}
	o.DryRun = true
	if _, err := Run(context.Background(), w.deps(), o); err != nil || called != 1 {
		t.Errorf("dry run: err %v, Record called %d times", err, called)
	}
}
