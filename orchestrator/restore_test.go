package orchestrator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// Restore's choices and refusals, on the fake world after two nights. (Writing a
// VM's own LV is tested on real LVM in the end-to-end test.)
func TestRestoreChoosesAndRefuses(t *testing.T) {
	w := twoVMNights(t)
	d := RestoreDeps{Hypervisor: fakeHV{w}, Target: fakeZFS{w}, Volumes: fakeLVM{w}, Copier: fakeCopier{w}, Verifier: fakeCopier{w}}
	o := func(vm, at, to string, disks ...string) RestoreOptions {
		return RestoreOptions{Root: "backup/vms", VM: vm, At: at, To: to, Disks: disks, RunID: "r1", Now: night3, Location: time.UTC}
	}
	ctx := context.Background()
	dir := t.TempDir()
	for name, c := range map[string]struct {
		o    RestoreOptions
		want error
		text string
	}{
		"unknown VM":      {o("mail", "latest", dir), ErrUnknownVM, "app1, db1, old1, web1"},
		"bad WHEN":        {o("db1", "yesterday", dir), ErrNoSuchSnapshot, zfs.SnapshotName(night2)},
		"too early":       {o("db1", "2026-01-01", dir), ErrNoSuchSnapshot, zfs.SnapshotName(night1)},
		"unknown disk":    {o("db1", "latest", dir, "vdz"), nil, "disks: vda"},
		"running VM":      {o("db1", "latest", ""), ErrVMRunning, "running"},
		"not a directory": {o("db1", "latest", filepath.Join(dir, "x.raw"), "vda", "vda"), nil, ""},
	} {
		res, err := Restore(ctx, d, c.o)
		if name == "not a directory" { // one disk named twice is still one disk: fine
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if res != nil || err == nil || (c.want != nil && !errors.Is(err, c.want)) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v %v", name, res, err)
		}
	}
	if len(w.mounts) != 0 {
		t.Errorf("mounts left: %v", w.mounts)
	}
	res, err := Restore(ctx, d, o("db1", zfs.SnapshotName(night1), dir))
	if err != nil || len(res.Disks) != 1 || res.Disks[0].Verified == nil {
		t.Fatalf("restore --to dir: %v %+v", err, res)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "vda.raw")); string(b) != "db1 v1" {
		t.Errorf("restored %q, want night 1's", b)
	}
	res, err = Restore(ctx, d, RestoreOptions{Root: "backup/vms", VM: "db1", At: "latest", To: filepath.Join(dir, "y.raw"), DryRun: true, RunID: "r2", Now: night3})
	if err != nil || !res.DryRun {
		t.Fatalf("dry run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "y.raw")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dry run wrote %s", filepath.Join(dir, "y.raw"))
	}
	if len(w.mounts) != 0 {
		t.Errorf("mounts left: %v", w.mounts)
	}
}

// twoVMNights backs the scene up on night 1 ("db1 v1") and night 2 ("db1 v2").
func twoVMNights(t *testing.T) *world {
	t.Helper()
	w := scene(t)
	env := runEnv{t.TempDir()}
	cfg := testConfig(t)
	for i, at := range []time.Time{night1, night2} {
		w.setData("db1", []string{"db1 v1", "db1 v2"}[i])
		if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, at)); err != nil || !rep.OK() {
			t.Fatalf("night %d: %v", i+1, err)
		}
	}
	return w
}

// hvWrap changes what a restore sees of libvirt: Define fails, or a VM is started
// between the planning and the end of the writes.
type hvWrap struct {
	fakeHV
	failDefine bool
	startAfter string // this VM is running from the second Domains call on
	calls      *int
}

func (h hvWrap) Define(ctx context.Context, xml string) (string, error) {
	if h.failDefine {
		return "", errors.New("operation failed: domain already exists")
	}
	return h.fakeHV.Define(ctx, xml)
}

func (h hvWrap) Domains(ctx context.Context) ([]hypervisor.Domain, error) {
	doms, err := h.fakeHV.Domains(ctx)
	if h.calls != nil {
		if *h.calls++; *h.calls > 1 {
			for i := range doms {
				if doms[i].Name == h.startAfter {
					doms[i].State = hypervisor.StateRunning
				}
			}
		}
	}
	return doms, err
}

// --define and --as: refusals before anything is written, a second copy under a new
// name and UUID on the --to images, the VM itself back when its definition is gone,
// a failed define reported with the disks written, a VM started meanwhile reported.
func TestRestoreDefines(t *testing.T) {
	w := twoVMNights(t)
	ctx := context.Background()
	d := RestoreDeps{Hypervisor: fakeHV{w}, Target: fakeZFS{w}, Volumes: fakeLVM{w}, Copier: fakeCopier{w}, Verifier: fakeCopier{w}}
	o := func(vm, to string, define bool, as string) RestoreOptions {
		return RestoreOptions{Root: "backup/vms", VM: vm, At: zfs.SnapshotName(night1), To: to, Define: define, As: as, RunID: "r1", Now: night3, Location: time.UTC}
	}
	dir := t.TempDir()
	for name, c := range map[string]struct {
		o    RestoreOptions
		want error
		text string
	}{
		"--as without --define": {o("db1", dir, false, "db1-copy"), ErrBadDefine, "add --define"},
		"--define, VM defined":  {o("db1", dir, true, ""), ErrBadDefine, "defined already"},
		"--as its own name":     {o("db1", dir, true, "db1"), ErrBadDefine, "name of its own"},
		"--as without --to":     {o("db1", "", true, "db1-copy"), ErrBadDefine, "--to DIR"},
		"--as a defined name":   {o("db1", dir, true, "web1"), ErrBadDefine, "web1: a domain of that name"},
		"--as a bad name":       {o("db1", dir, true, "db1+copy"), ErrBadDefine, "db1+copy"},
		"--to a running disk":   {o("old1", "/dev/vg0/web1", false, ""), ErrVMRunning, "disk vda of web1, which is running"},
	} {
		res, err := Restore(ctx, d, c.o)
		if res != nil || !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v %v", name, res, err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 || len(w.doms) != 5 || len(w.mounts) != 0 {
		t.Fatalf("refused restores left files %v, %d domains, mounts %v", ents, len(w.doms), w.mounts)
	}

	// A dry run says what it would define, and defines nothing.
	dry := o("db1", dir, true, "db1-copy")
	dry.DryRun = true
	if res, err := Restore(ctx, d, dry); err != nil || res.Defined != "db1-copy" || w.doms["db1-copy"] != nil {
		t.Fatalf("dry run of --define --as: %v %+v", err, res)
	}

	// A second copy of db1 as it was on night 1.
	res, err := Restore(ctx, d, o("db1", dir, true, "db1-copy"))
	if err != nil || res.Defined != "db1-copy" {
		t.Fatalf("--define --as: %v %+v", err, res)
	}
	cp := w.doms["db1-copy"]
	if cp == nil || cp.d.State != hypervisor.StateShutoff || cp.d.UUID != "" || len(cp.d.Disks) != 1 ||
		cp.d.Disks[0].Source != filepath.Join(dir, "vda.raw") || cp.d.Disks[0].Type != "file" || strings.Contains(cp.xml, "52:54:00") {
		t.Fatalf("the copy: %+v", cp)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "vda.raw")); string(b) != "db1 v1" {
		t.Errorf("the copy's disk holds %q", b)
	}
	if w.doms["db1"].d.Disks[0].Source != "/srv/images/db1.raw" {
		t.Errorf("the original changed: %+v", w.doms["db1"].d)
	}

	// db1's definition is lost: --define brings it back, same UUID, onto --to images.
	delete(w.doms, "db1")
	dir2 := t.TempDir()
	res, err = Restore(ctx, d, o("db1", dir2, true, ""))
	if err != nil || res.Defined != "db1" || w.doms["db1"] == nil || w.doms["db1"].d.UUID != "uuid-of-db1" || w.doms["db1"].d.Disks[0].Source != filepath.Join(dir2, "vda.raw") {
		t.Fatalf("--define: %v %+v", err, w.doms["db1"])
	}

	// A define that libvirt refuses: the disks are written, the error says so.
	dir3 := t.TempDir()
	bad := d
	bad.Hypervisor = hvWrap{fakeHV: fakeHV{w}, failDefine: true}
	res, err = Restore(ctx, bad, o("db1", dir3, true, "db1-third"))
	if err == nil || !strings.Contains(err.Error(), "written and verified") || res == nil || res.Defined != "" || res.Disks[0].Verified == nil {
		t.Errorf("failed define: %v %+v", err, res)
	}

	// db1 (shut off, its disk now in dir2) started by someone while that disk is
	// written: reported.
	n := 0
	started := d
	started.Hypervisor = hvWrap{fakeHV: fakeHV{w}, startAfter: "db1", calls: &n}
	if _, err := Restore(ctx, started, o("db1", dir2, false, "")); err == nil || !strings.Contains(err.Error(), "mix") {
		t.Errorf("VM started during the restore: %v", err)
	}
	if len(w.mounts) != 0 {
		t.Errorf("mounts left: %v", w.mounts)
	}
}
