package orchestrator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/zfs"
)

// Restore's choices and refusals, on the fake world after two nights. (Writing a
// VM's own LV is tested on real LVM in the end-to-end test.)
func TestRestoreChoosesAndRefuses(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	cfg := testConfig(t)
	for _, night := range []struct {
		at   string
		data string
	}{{"v1", "db1 v1"}, {"v2", "db1 v2"}} {
		w.setData("db1", night.data)
		at := night1
		if night.at == "v2" {
			at = night2
		}
		if rep, err := Run(context.Background(), w.deps(), env.opts(cfg, at)); err != nil || !rep.OK() {
			t.Fatalf("night %s: %v", night.at, err)
		}
	}
	d := RestoreDeps{Hypervisor: fakeHV{w}, Target: fakeZFS{w}, Copier: fakeCopier{w}, Verifier: fakeCopier{w}}
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
