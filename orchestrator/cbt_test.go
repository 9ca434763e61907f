package orchestrator

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// The glue of changed-block tracking, with fakes: which disks are tracked, the base
// each dated snapshot records and the LV keeps, and every fallback with its reason;
// a failed night keeps the chain; no metadata snapshot is left reserved.
func TestThinDiskTracking(t *testing.T) {
	cfg := testConfig(t)
	w := newWorld(t)
	w.thinVM("web1", hypervisor.StateRunning, "web1 v1")
	w.blockVM("old1", hypervisor.StateShutoff, "old1 v1")
	w.fileVM("db1", "db1 v1")
	env := runEnv{t.TempDir()}
	night := night1
	runNight := func(t *testing.T, wantOK bool) *Report {
		t.Helper()
		night = night.Add(24 * 60 * 60 * 1e9)
		rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night))
		if err != nil || rep.OK() != wantOK {
			t.Fatalf("night %s: ok %v, want %v (%v) %+v", night, rep.OK(), wantOK, err, rep.Errors)
		}
		if len(w.misuse) > 0 || len(w.metaHeld) > 0 {
			t.Fatalf("misuse %v, metadata snapshots held %v", w.misuse, w.metaHeld)
		}
		return rep
	}
	disk := func(rep *Report, vm string) DiskResult {
		for _, v := range rep.VMs {
			if v.Name == vm && len(v.Disks) == 1 {
				return v.Disks[0]
			}
		}
		t.Fatalf("%s: no single disk result", vm)
		return DiskResult{}
	}
	// The base web1's LV keeps, and the one its newest dated snapshot records.
	bases := func() (kept, recorded string) {
		if b := w.lvs["vg0/"+lvm.BaseName("web1")]; b != nil {
			kept = fmt.Sprintf("vg0/web1:%d", b.lv.ThinID)
		}
		d := w.datasets["backup/vms/web1"]
		return kept, d.snaps[len(d.snaps)-1].s.Backup().Bases["vda"]
	}
	check := func(t *testing.T, rep *Report, mode, why string) {
		t.Helper()
		d := disk(rep, "web1")
		if d.Stats.Mode != mode || !strings.HasPrefix(d.Tracking, why) || (why == "" && d.Tracking != "") {
			t.Fatalf("web1: mode %s, tracking %q; want %s, %q", d.Stats.Mode, d.Tracking, mode, why)
		}
		if kept, rec := bases(); kept == "" || kept != rec || d.Base != rec {
			t.Fatalf("web1's base: kept %q, recorded %q, reported %q", kept, rec, d.Base)
		}
	}

	rep := runNight(t, true)
	check(t, rep, "compare", "cbt: base missing")
	if d := disk(rep, "old1"); d.Tracking != whyClassic || d.Base != "" {
		t.Fatalf("old1 (classic LV): %+v", d)
	}
	if d := disk(rep, "db1"); d.Tracking != whyClassic || d.Base != "" {
		t.Fatalf("db1 (file mode on a classic LV): %+v", d)
	}
	thin := lvm.LV{Attr: "Vwi-aotz--", Pool: "pool"}
	for _, c := range []struct {
		vp  VolumePlan
		why string
	}{
		{VolumePlan{LV: thin, Mode: ModeFile, Disks: []*DiskPlan{{}, {}}, paths: []*PathPlan{{}}}, ""},
		{VolumePlan{LV: thin, Mode: ModeBlock, Disks: []*DiskPlan{{}, {}}}, whyShared},
		{VolumePlan{LV: thin, Mode: ModeBlock, Disks: []*DiskPlan{{}}, paths: []*PathPlan{{}}}, whyShared},
		{VolumePlan{LV: thin, Mode: ModeBlock, Disks: []*DiskPlan{{}}}, ""},
	} {
		if ok, why := tracked(&c.vp); why != c.why || ok != (why == "") {
			t.Errorf("tracked(%s, %d disks, %d paths) = %v %q, want %q", c.vp.Mode, len(c.vp.Disks), len(c.vp.paths), ok, why, c.why)
		}
	}
	check(t, runNight(t, true), "cbt", "")
	check(t, runNight(t, true), "cbt", "")

	// The base gone (forget-base, an admin's lvremove): a whole compare, and a new base.
	delete(w.lvs, "vg0/"+lvm.BaseName("web1"))
	check(t, runNight(t, true), "compare", "cbt: base missing")
	check(t, runNight(t, true), "cbt", "")

	// A base the newest backup does not record (a crash between the dated snapshot and
	// the base's change, or a rollback of the dataset).
	w.lvs["vg0/"+lvm.BaseName("web1")].lv.ThinID += 100
	check(t, runNight(t, true), "compare", "cbt: base missing: backup/vms/web1@")

	// thin_delta fails: a whole compare, the metadata snapshot released, the journal
	// closed.
	w.failOn = "ThinDelta "
	check(t, runNight(t, true), "compare", "cbt: thin_delta failed: injected failure")
	w.failOn = ""
	if left, err := Leftovers(filepath.Join(env.dir, "journal")); err != nil || len(left) != 0 {
		t.Fatalf("journals left: %v %+v", err, left)
	}

	// web1's copy fails: its snapshot is removed, the old base and the dated
	// snapshot that records it stay: the next night is still tracked.
	keptBefore, _ := bases()
	w.failOn = "Copy /dev/vg0/web1."
	rep = runNight(t, false)
	w.failOn = ""
	if kept, rec := bases(); kept != keptBefore || rec != keptBefore {
		t.Fatalf("after a failed copy: base %q, recorded %q; want %q", kept, rec, keptBefore)
	}
	for k, l := range w.lvs {
		if l.lv.Origin != "" && !l.lv.IsBase() {
			t.Fatalf("snapshot %s left after a failed copy", k)
		}
	}
	check(t, runNight(t, true), "cbt", "")

	// The base cannot be kept: the backup stands, a warning says the next one is
	// whole, and it is.
	w.failOn = "KeepAsBase "
	rep = runNight(t, true)
	w.failOn = ""
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "its next backup compares it whole") {
		t.Fatalf("warnings %q", rep.Warnings)
	}
	check(t, runNight(t, true), "compare", "cbt: base missing: backup/vms/web1@")
	check(t, runNight(t, true), "cbt", "")
	if d := w.datasets["backup/vms/web1"]; d.snaps[len(d.snaps)-1].s.Props[zfs.PropBases] == "" {
		t.Fatal("no bases property on the dated snapshot")
	}

	// A thin pool over snapshot.max-fill (90%): the bases in it go first; when that
	// frees enough, the VM is backed up (whole), and a warning says why.
	pool := &w.lvs["vg0/pool"].lv
	pool.DataPercent = 95
	rep = runNight(t, true)
	check(t, rep, "compare", "cbt: base missing")
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "thin pool vg0/pool is 95.0% full (data)") ||
		!strings.Contains(rep.Warnings[0], "dropped the base vg0/web1.kvmbackup-base") {
		t.Fatalf("warnings %q", rep.Warnings)
	}
	// When it does not (metadata full), the VM fails saying why, and no snapshot is
	// taken of its LV.
	pool.MetadataPercent = 96
	w.log = nil
	rep = runNight(t, false)
	var e string
	for _, v := range rep.VMs {
		if v.Name == "web1" {
			e = v.Error
		}
	}
	if !strings.Contains(e, "thin pool vg0/pool is 75.0% full (data) and 96.0% (metadata), over snapshot.max-fill 90%: no snapshot taken") {
		t.Fatalf("web1's error: %q", e)
	}
	for _, call := range w.log {
		if strings.HasPrefix(call, "Snapshot vg0/web1") || call == "Freeze web1" {
			t.Fatalf("%s with the pool full", call)
		}
	}
	if w.lvs["vg0/"+lvm.BaseName("web1")] != nil {
		t.Fatal("the base outlived a full pool")
	}
	pool.DataPercent, pool.MetadataPercent = 20, 5
	check(t, runNight(t, true), "compare", "cbt: base missing")
	check(t, runNight(t, true), "cbt", "")
}

// forget-base drops the named VMs' bases, or every base, also a stale one (its origin
// removed: no origin, its name still says whose it was); an unknown VM drops nothing.
func TestForgetBases(t *testing.T) {
	cfg := testConfig(t)
	w := newWorld(t)
	w.thinVM("web1", hypervisor.StateRunning, "web1 v1")
	w.thinVM("web2", hypervisor.StateRunning, "web2 v1")
	w.blockVM("old1", hypervisor.StateShutoff, "old1 v1")
	env := runEnv{t.TempDir()}
	if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1)); err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	if _, err := ForgetBases(context.Background(), w.deps(), cfg, []string{"nosuch"}, false); err == nil {
		t.Fatal("forget-base of an unknown VM")
	}
	got, err := ForgetBases(context.Background(), w.deps(), cfg, []string{"web1", "old1"}, false)
	if err != nil || len(got) != 2 || got[0].Base != "vg0/web1.kvmbackup-base" || got[1].Reason != whyClassic {
		t.Fatalf("forget-base web1 old1: %+v %v", got, err)
	}
	stale := w.lvs["vg0/"+lvm.BaseName("web2")]
	stale.lv.Origin = ""
	got, err = ForgetBases(context.Background(), w.deps(), cfg, nil, true)
	if err != nil || len(got) != 1 || got[0].Volume != "vg0/web2" || w.lvs["vg0/"+lvm.BaseName("web2")] != nil {
		t.Fatalf("forget-base --all: %+v %v", got, err)
	}
}
