package orchestrator

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/hypervisor"
)

// lvmCalls counts the plan's questions to LVM in w's log: the one read (Volumes),
// and any question asked of LVM itself (ResolveDevice, ResolveFile, LV).
func lvmCalls(w *world) (reads, questions int) {
	for _, c := range w.log {
		switch {
		case c == "Volumes":
			reads++
		case strings.HasPrefix(c, "ResolveDevice "), strings.HasPrefix(c, "ResolveFile "), strings.HasPrefix(c, "LV "):
			questions++
		}
	}
	return reads, questions
}

// However many VMs, disks and volumes a plan resolves (block disks, thin disks,
// images on an LV's filesystem, vms[].volumes, paths: volumes), it reads LVM once
// (LVLookup.Volumes) and asks that read for each: one lvs for the plan, not one per
// disk. A plan that needs no LV (a --path of a directory) does not read LVM at all.
func TestPlanReadsLVMOnceForAnyNumberOfVMs(t *testing.T) {
	for _, n := range []int{1, 2, 5, 20} {
		t.Run(fmt.Sprint(n, " VMs"), func(t *testing.T) {
			w := newWorld(t)
			var vms strings.Builder
			for i := range n {
				name := fmt.Sprintf("vm%02d", i)
				switch i % 3 {
				case 0:
					w.blockVM(name, hypervisor.StateRunning, name)
				case 1:
					w.thinVM(name, hypervisor.StateRunning, name)
				default:
					w.fileVM(name, name)
				}
				fmt.Fprintf(&vms, "\n  - name: %s", name)
			}
			w.fsLV("extra", nil) // a vms[].volumes entry of vm00
			w.fsLV("iso", map[string][]byte{"version": []byte("iso v1")})
			w.trees["/srv/root"] = map[string][]byte{"etc/version": []byte("root v1")}
			cfg := configWith(t, "vms:"+strings.Replace(vms.String(), "vm00", "vm00\n    volumes: [vg0/extra]", 1)+`
paths:
  - name: root
    path: /srv/root
  - name: iso
    volume: vg0/iso
`)
			d := w.deps()
			p, err := MakePlan(context.Background(), d.Hypervisor, d.LVM, PlanOptions{Config: cfg, Trees: d.Trees})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Failed) != 0 || len(p.VMs()) != n {
				t.Fatalf("planned %d VMs, failed %d, want %d planned", len(p.VMs()), len(p.Failed), n)
			}
			if len(p.Paths) != 2 || p.Paths[1].Volume != "vg0/iso" {
				t.Fatalf("paths: %+v", p.Paths)
			}
			disks := 0
			for _, vm := range p.VMs() {
				disks += len(vm.Disks)
			}
			reads, questions := lvmCalls(w)
			t.Logf("%d VMs, %d disks and volumes, %d paths: LVM read %d times, asked %d questions itself (calls: %s)",
				n, disks, len(p.Paths), reads, questions, strings.Join(w.log, "; "))
			if reads != 1 || questions != 0 {
				t.Errorf("the plan read LVM %d times and asked it %d questions, want one read and none", reads, questions)
			}
		})
	}

	t.Run("no LV needed", func(t *testing.T) {
		w := pathScene(t)
		d := w.deps()
		if _, err := MakePlan(context.Background(), d.Hypervisor, d.LVM, PlanOptions{Config: pathsConfig(t, ""), Paths: []string{"root"}, Trees: d.Trees}); err != nil {
			t.Fatal(err)
		}
		if reads, questions := lvmCalls(w); reads+questions != 0 {
			t.Errorf("a plan of a directory alone read LVM %d times, asked %d questions (%v)", reads, questions, w.log)
		}
	})
}

// A failed read fails only the VM that met it (with the read's error); the next VM
// reads again, and that read serves the rest.
func TestPlanReadsLVMAgainAfterAFailedRead(t *testing.T) {
	w := scene(t)
	w.failAt, w.mode = 2, faultError // Domains, then the first read
	d := w.deps()
	p, err := MakePlan(context.Background(), d.Hypervisor, d.LVM, PlanOptions{Config: testConfig(t), Trees: d.Trees})
	if err != nil {
		t.Fatal(err)
	}
	if w.failed != "Volumes" {
		t.Fatalf("the fault fell on %q, not on the read", w.failed)
	}
	if len(p.Failed) != 1 || !strings.Contains(p.Failed[0].Error, "injected failure in Volumes") {
		t.Fatalf("failed VMs: %+v, want the first alone, failed by the read", p.Failed)
	}
	if n := len(p.VMs()); n != 4 {
		t.Errorf("%d VMs in the plan, want 4 (web1, old1, db1, app1)", n)
	}
	if reads, questions := lvmCalls(w); reads != 2 || questions != 0 {
		t.Errorf("LVM read %d times, asked %d questions; want 2 reads (the failed one, then one for the rest)", reads, questions)
	}
}
