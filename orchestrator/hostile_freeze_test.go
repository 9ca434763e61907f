package orchestrator

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
)

// twoVolumeScene: big (vda the LV vg0/big, vdb an image on vg0/images) and small (an
// image on vg0/images) form one group of two volumes; alone is a group of its own.
func twoVolumeScene(t *testing.T) *world {
	w := newWorld(t)
	w.fileVM("small", "small v1")
	w.blockVM("big", hypervisor.StateRunning, "big v1")
	w.lvs["vg0/images"].files["big-b.raw"] = []byte("big b v1")
	d := w.doms["big"]
	d.d.Disks = append(d.d.Disks, hypervisor.Disk{Target: "vdb", Device: "disk", Type: "file", Source: "/srv/images/big-b.raw", Format: "raw"})
	w.blockVM("alone", hypervisor.StateRunning, "alone v1")
	return w
}

func maxPauseConfig(t *testing.T, maxPause string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(`
target: {dataset: backup/vms}
quiesce: {mode: sysrq-suspend, settle: 0s, max-pause: `+maxPause+`}
retention: {keep-last: 2, keep-hourly: 0, keep-daily: 0, keep-weekly: 0}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// An lvcreate that hangs inside the freeze window: at quiesce.max-pause the group is
// resumed whatever is pending; the VM whose snapshot was pending fails naming
// max-pause (its late snapshot removed), the others are backed up.
func TestHostileMaxPause(t *testing.T) {
	w := twoVolumeScene(t)
	resumed := make(chan struct{})
	var once sync.Once
	w.onThaw = func(paused []string) {
		if slices.Contains(paused, "big") {
			once.Do(func() { close(resumed) })
		}
	}
	var resumedFirst bool
	w.onSnapshot = func(vg, origin string) {
		if origin != "big" {
			return
		}
		select { // this lvcreate returns only once the group is resumed (or after 3s)
		case <-resumed:
			resumedFirst = true
		case <-time.After(3 * time.Second):
		}
	}
	env := runEnv{t.TempDir()}
	rep, err := Run(context.Background(), w.deps(), env.opts(maxPauseConfig(t, "300ms"), night1))
	if err != nil {
		t.Fatal(err)
	}
	if !resumedFirst {
		t.Error("the group was resumed only after its pending lvcreate returned, not at max-pause")
	}
	for _, v := range rep.VMs {
		switch {
		case v.Name == "big" && (v.Status != StatusFailed || !strings.Contains(v.Error, "max-pause")):
			t.Errorf("big: status %s, error %q: want failed, naming max-pause", v.Status, v.Error)
		case v.Name != "big" && v.Status != StatusOK:
			t.Errorf("%s: status %s (%s): want ok", v.Name, v.Status, v.Error)
		}
	}
	checkWorld(t, w, map[string]string{"small": "small v1", "alone": "alone v1", "big": ""}, []string{"big"})
}

// The lvcreate calls of a group's window start together: each waits (up to 2s) for
// the other to have started.
func TestHostileSnapshotsInParallel(t *testing.T) {
	w := twoVolumeScene(t)
	var mu sync.Mutex
	started := 0
	both := make(chan struct{})
	alone := false
	w.onSnapshot = func(vg, origin string) {
		if origin != "big" && origin != "images" {
			return
		}
		mu.Lock()
		if started++; started == 2 {
			close(both)
		}
		mu.Unlock()
		select {
		case <-both:
		case <-time.After(2 * time.Second):
			mu.Lock()
			alone = true
			mu.Unlock()
		}
	}
	env := runEnv{t.TempDir()}
	rep, err := Run(context.Background(), w.deps(), env.opts(maxPauseConfig(t, "10s"), night1))
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep)
	}
	if alone {
		t.Fatal("the group's lvcreate calls ran one after another, not in parallel")
	}
}
