package orchestrator

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"
)

// callKind sorts a fake world's call as a night spends it: the freeze windows, the
// copies (and what changed-block tracking and the LVM snapshots' life need), libvirt
// (API calls, no command), or bookkeeping: every other call to the target or to LVM,
// each at least one external command on the real adapters.
func callKind(call string) string {
	name, _, _ := strings.Cut(call, " ")
	switch name {
	case "Freeze", "Thaw", "Snapshot":
		return "window"
	case "PrepareSnapshot", "ReadySnapshot", "Copy", "WatchStop", "Remove", "MountSnapshot", "Unmount", "Base", "ThinDelta", "KeepAsBase", "DropBase", "LV":
		return "copy"
	case "Domains", "DomainXML", "Recover":
		return "libvirt"
	}
	return "bookkeeping"
}

// TestNightBookkeepingGrowsByAFewCallsPerVM runs three nights of 1, 10 and 50 VMs
// (block, thin and image-file ones in turn; the third night prunes one snapshot of
// each) and counts the third night's calls by kind: the bookkeeping beyond the freeze
// windows and the copies grows by at most three calls per VM (its dataset's mount,
// its dated snapshot, its prune's destroy) over a constant part.
func TestNightBookkeepingGrowsByAFewCallsPerVM(t *testing.T) {
	counts := map[int]map[string]int{}
	var table strings.Builder
	fmt.Fprintf(&table, "%4s %6s %7s %6s %8s %12s\n", "VMs", "calls", "window", "copy", "libvirt", "bookkeeping")
	for _, n := range []int{1, 10, 50} {
		w := newWorld(t)
		for i := range n {
			name := fmt.Sprintf("vm%02d", i)
			switch i % 3 {
			case 0:
				w.blockVM(name, hypervisor.StateRunning, name+" v1")
			case 1:
				w.thinVM(name, hypervisor.StateRunning, name+" v1")
			default:
				w.fileVM(name, name+" v1")
			}
		}
		env := runEnv{t.TempDir()}
		cfg := testConfig(t)
		for _, at := range []struct{ night, data string }{{"1", "v1"}, {"2", "v2"}, {"3", "v3"}} {
			w.log = nil
			for i := range n {
				name := fmt.Sprintf("vm%02d", i)
				w.setData(name, name+" "+at.data)
			}
			when := map[string]func() Options{"1": func() Options { return env.opts(cfg, night1) },
				"2": func() Options { return env.opts(cfg, night2) }, "3": func() Options { return env.opts(cfg, night3) }}[at.night]
			rep, err := Run(context.Background(), w.deps(), when())
			if err != nil || !rep.OK() || len(rep.VMs) != n {
				t.Fatalf("%d VMs, night %s: %v %+v", n, at.night, err, rep)
			}
		}
		c := map[string]int{"calls": len(w.log)}
		destroys := 0
		for _, call := range w.log {
			c[callKind(call)]++
			if strings.HasPrefix(call, "Destroy ") {
				destroys++
			}
			for _, read := range []string{"Owner ", "Claim ", "Children ", "Snapshots ", "EnsureDataset "} {
				if strings.HasPrefix(call, read) { // answered by the run's one read (ReadView)
					t.Errorf("%d VMs, night 3: %s: the target read again", n, call)
				}
			}
		}
		if destroys != n {
			t.Fatalf("%d VMs: night 3 destroyed %d snapshots, want one per VM (keep-last 2)", n, destroys)
		}
		counts[n] = c
		fmt.Fprintf(&table, "%4d %6d %7d %6d %8d %12d\n", n, c["calls"], c["window"], c["copy"], c["libvirt"], c["bookkeeping"])
	}
	t.Logf("night 3's calls by kind:\n%s", table.String())
	perVM := float64(counts[50]["bookkeeping"]-counts[10]["bookkeeping"]) / 40
	fixed := counts[1]["bookkeeping"] - int(perVM)
	if perVM > 3 || fixed > 6 {
		t.Errorf("bookkeeping: %.1f calls per VM over %d (want at most 3 per VM over at most 6)", perVM, fixed)
	}
}

// TestFreezeWindowHoldsOnlyTheLVCreates: a VM whose disks span two LVs is suspended
// (its snapshots are taken one after another), and its window holds the two
// lvcreates alone, started together: each snapshot is prepared (origin, VG room)
// before the window and read back after it.
func TestFreezeWindowHoldsOnlyTheLVCreates(t *testing.T) {
	w := newWorld(t)
	w.blockVM("two", hypervisor.StateRunning, "two v1")
	l := lvm.LV{VG: "vg0", Name: "two-data", Path: "/dev/vg0/two-data", Size: 1 << 30, Attr: "-wi-ao----"}
	w.lvs[l.FullName()] = &flv{lv: l, data: []byte("data v1")}
	d := &w.doms["two"].d
	d.Disks = append(d.Disks, hypervisor.Disk{Target: "vdb", Device: "disk", Type: "block", Source: l.Path, Format: "raw"})
	env := runEnv{t.TempDir()}
	cfg := configWith(t, "")
	cfg.Quiesce.Mode = string(hypervisor.ModeAuto)
	rep, err := Run(context.Background(), w.deps(), env.opts(cfg, night1))
	if err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	if q := rep.VMs[0].Quiesce; q != hypervisor.ModeSysrqSuspend {
		t.Errorf("a VM on two LVs was quiesced by %s, want %s", q, hypervisor.ModeSysrqSuspend)
	}
	var window []string
	in := false
	for _, c := range w.log {
		switch {
		case strings.HasPrefix(c, "Freeze"):
			in = true
		case strings.HasPrefix(c, "Thaw"):
			in = false
		case in:
			window = append(window, c)
		}
	}
	slices.Sort(window)
	if want := []string{"Snapshot vg0/two", "Snapshot vg0/two-data"}; !slices.Equal(window, want) {
		t.Errorf("the window held %q, want %q only\ncalls: %q", window, want, w.log)
	}
	for _, want := range []string{"PrepareSnapshot vg0/two-data", "ReadySnapshot vg0/two-data.kvmbackup-" + rep.RunID} {
		if !slices.Contains(w.log, want) {
			t.Errorf("no %q: %q", want, w.log)
		}
	}
}
