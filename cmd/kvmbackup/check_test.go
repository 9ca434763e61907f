package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/orchestrator"
)

// checkHV is libvirt as check's plan sees it: the domains only (check can make no
// other call: it takes an orchestrator.DomainLister).
type checkHV struct {
	doms []hypervisor.Domain
}

func (h checkHV) Domains(context.Context) ([]hypervisor.Domain, error) { return h.doms, nil }

// checkLVM resolves /dev/VG/LV to the LVs it holds (all in one VG of vgFree bytes
// free) and counts its calls.
type checkLVM struct {
	lvs    map[string]lvm.LV // snapshots and mounts: check makes none (it takes an orchestrator.LVLookup)
	vgFree int64
	calls  *int
}

func (m checkLVM) LV(_ context.Context, vg, name string) (lvm.LV, error) {
	*m.calls++
	if l, ok := m.lvs[vg+"/"+name]; ok {
		return l, nil
	}
	return lvm.LV{}, fmt.Errorf("lv %s/%s: not found", vg, name)
}

// Volumes counts as a call (the one read); the view it returns counts each question.
func (m checkLVM) Volumes(context.Context) (orchestrator.LVView, error) {
	*m.calls++
	return m, nil
}

func (m checkLVM) ResolveDevice(ctx context.Context, path string) (lvm.LV, error) {
	vg, name, _ := strings.Cut(strings.TrimPrefix(path, "/dev/"), "/")
	return m.LV(ctx, vg, name)
}

func (m checkLVM) ResolveFile(_ context.Context, path string) (lvm.FileOnLV, error) {
	*m.calls++
	return lvm.FileOnLV{}, fmt.Errorf("%s: not on an LV", path)
}

func (m checkLVM) Base(ctx context.Context, vg, origin string) (lvm.LV, error) {
	if l, ok := m.lvs[vg+"/"+lvm.BaseName(origin)]; ok {
		return l, nil
	}
	return lvm.LV{}, fmt.Errorf("base of %s/%s: %w", vg, origin, lvm.ErrNotFound)
}

func (m checkLVM) Bases(context.Context) ([]lvm.LV, error) {
	var out []lvm.LV
	for _, k := range slices.Sorted(maps.Keys(m.lvs)) {
		if m.lvs[k].IsBase() {
			out = append(out, m.lvs[k])
		}
	}
	return out, nil
}

func (m checkLVM) VG(_ context.Context, name string) (lvm.VG, error) {
	*m.calls++
	return lvm.VG{Name: name, Free: m.vgFree}, nil
}

var (
	_ orchestrator.DomainLister = checkHV{}
	_ orchestrator.LVLookup     = checkLVM{}
	_ orchestrator.VGLookup     = checkLVM{}
)

// checkWith makes check's plan of doms under the config yaml, as runCheck does.
func checkWith(t *testing.T, yaml string, doms []hypervisor.Domain, lvs checkLVM) checkReport {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := checkReport{OK: true}
	if err := rep.plan(t.Context(), cfg, checkHV{doms: doms}, checkVolumes{lvs, true}, nil, nil); err != nil {
		t.Fatal(err)
	}
	return rep
}

func newCheckLVM(lvs ...lvm.LV) checkLVM {
	m := checkLVM{lvs: map[string]lvm.LV{}, vgFree: 100 << 30, calls: new(int)}
	for _, l := range lvs {
		m.lvs[l.FullName()] = l
	}
	return m
}

// check fails a domain with a disk a run cannot back up (a network disk, a floppy, a
// LUN) naming the disk, and shows it excluded once vms[].exclude-disks names it; an
// exclude-disks name the domain lacks is a problem naming it. No LVM call is made for
// such disks.
func TestHostileUnsupportedDiskShownByCheck(t *testing.T) {
	doms := func() []hypervisor.Domain {
		return []hypervisor.Domain{{Name: "web1", Disks: []hypervisor.Disk{
			{Target: "vda", Device: "disk", Type: "block", Source: "/dev/vg0/web1"},
			{Target: "vdb", Device: "disk", Type: "network", Source: "rbd:pool/img"},
			{Target: "fda", Device: "floppy", Type: "file", Source: "/srv/boot.img"},
			{Target: "sdb", Device: "lun", Type: "block", Source: "/dev/sdx"},
			{Target: "hdc", Device: "cdrom", Type: "file", Source: "/iso/x.iso", ReadOnly: true},
		}}}
	}
	lvs := newCheckLVM(lvm.LV{VG: "vg0", Name: "web1", Path: "/dev/vg0/web1", Size: 1 << 30})
	rep := checkWith(t, "", doms(), lvs)
	var out bytes.Buffer
	printCheck(&out, rep)
	t.Logf("check:\n%s", out.String())
	if rep.OK || len(rep.Failed) != 1 || rep.Failed[0].Name != "web1" || !strings.Contains(rep.Failed[0].Error, "cannot be backed up") {
		t.Fatalf("check accepts a VM whose network, floppy and LUN disks a run cannot back up: %+v", rep.Failed)
	}
	for _, target := range []string{"vdb", "fda", "sdb"} {
		found := false
		for _, l := range strings.Split(out.String(), "\n") {
			found = found || strings.Contains(l, " "+target+" ") && strings.Contains(l, "CANNOT BE BACKED UP")
		}
		if !found {
			t.Errorf("check does not name disk %s as one a run cannot back up:\n%s", target, out.String())
		}
	}
	if *lvs.calls != 2 { // the read and vda only, before the plan stops at vdb
		t.Errorf("%d LVM calls, want 2 (the read, vda): no LVM call is made for a disk a run cannot back up", *lvs.calls)
	}

	rep = checkWith(t, "vms:\n  - name: web1\n    exclude-disks: [vdb, fda, sdb]\n", doms(), lvs)
	if !rep.OK {
		t.Fatalf("excluded on purpose, yet check fails: %+v %+v", rep.Failed, rep.VGs)
	}
	want := map[string]hypervisor.DiskUse{"vda": hypervisor.DiskCopied, "vdb": hypervisor.DiskExcluded, "fda": hypervisor.DiskExcluded, "sdb": hypervisor.DiskExcluded, "hdc": hypervisor.DiskSkipped}
	uses := rep.Domains[0].DiskUses
	if len(uses) != len(want) {
		t.Fatalf("disk uses %+v", uses)
	}
	for _, u := range uses {
		if u.Use != want[u.Target] || u.Why == "" && u.Use != hypervisor.DiskCopied {
			t.Errorf("disk %s: %s (%s), want %s", u.Target, u.Use, u.Why, want[u.Target])
		}
	}
	if len(rep.Volumes) != 1 || rep.Volumes[0].Volume != "vg0/web1" || rep.Volumes[0].Source != "vm web1 disk vda (block)" {
		t.Errorf("volumes to snapshot: %+v", rep.Volumes)
	}

	rep = checkWith(t, "vms:\n  - name: web1\n    exclude-disks: [vdb, fda, sdb, vdz]\n", doms(), lvs)
	if rep.OK || len(rep.Failed) != 1 || !strings.Contains(rep.Failed[0].Error, "vdz") {
		t.Errorf("exclude-disks names vdz, which web1 lacks: ok=%v %+v", rep.OK, rep.Failed)
	}
}

// check is the run's plan: a VM the run would fail, check fails, with the run's
// reason. hostcheck's own plan (gone) passed each of these.
func TestCheckFailsWhatARunFails(t *testing.T) {
	disk := func(target, src string) hypervisor.Disk {
		return hypervisor.Disk{Target: target, Device: "disk", Type: "block", Source: src}
	}
	lvs := newCheckLVM(lvm.LV{VG: "vg0", Name: "a", Path: "/dev/vg0/a", Size: 1 << 30}, lvm.LV{VG: "vg0", Name: "b", Path: "/dev/vg0/b", Size: 1 << 30})
	for _, tc := range []struct {
		name, yaml string
		doms       []hypervisor.Domain
		want       string
	}{
		{"a vms: entry that is no domain", "vms:\n  - name: web1\n    volumes: [vg0/a]\n", nil, "no such domain"},
		{"every disk excluded", "vms:\n  - name: web1\n    exclude-disks: [vda]\n",
			[]hypervisor.Domain{{Name: "web1", Disks: []hypervisor.Disk{disk("vda", "/dev/vg0/a")}}}, "no disk to back up"},
		{"a domain name that is kvmbackup's", "",
			[]hypervisor.Domain{{Name: "_paths", Disks: []hypervisor.Disk{disk("vda", "/dev/vg0/a")}}}, "kvmbackup's own datasets"},
		{"two disks saved as one image", "",
			[]hypervisor.Domain{{Name: "web1", Disks: []hypervisor.Disk{disk("vda", "/dev/vg0/a"), {Target: "vda", Device: "disk", Type: "block", Source: "/dev/vg0/b"}}}}, "both be saved as vda.raw"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := checkWith(t, tc.yaml, tc.doms, lvs)
			if rep.OK || len(rep.Failed) != 1 || !strings.Contains(rep.Failed[0].Error, tc.want) {
				t.Fatalf("check: ok=%v, failed %+v; want the VM failed for %q", rep.OK, rep.Failed, tc.want)
			}
		})
	}
	// The VG's room is the plan's: each volume's snapshot, once.
	lvs.vgFree = 100 << 20
	doms := []hypervisor.Domain{{Name: "web1", Disks: []hypervisor.Disk{disk("vda", "/dev/vg0/a")}}, {Name: "web2", Disks: []hypervisor.Disk{disk("vda", "/dev/vg0/a"), disk("vdb", "/dev/vg0/b")}}}
	rep := checkWith(t, "snapshot:\n  size: 60M\n", doms, lvs)
	if rep.OK || len(rep.VGs) != 1 || rep.VGs[0].Needed != 120<<20 || rep.VGs[0].OK {
		t.Fatalf("two 60M snapshots in a VG with 100M free: ok=%v %+v", rep.OK, rep.VGs)
	}
}

// A vms: list names every domain a run backs up: check marks each domain it leaves
// out (or that exclude: does), so that a vms: entry written for one VM's own
// retention does not silently stop the others' backups.
func TestCheckMarksDomainsARunLeavesOut(t *testing.T) {
	disk := hypervisor.Disk{Target: "vda", Device: "disk", Type: "block", Source: "/dev/vg0/a"}
	lvs := newCheckLVM(lvm.LV{VG: "vg0", Name: "a", Path: "/dev/vg0/a", Size: 1 << 30})
	doms := []hypervisor.Domain{{Name: "web1", Disks: []hypervisor.Disk{disk}}, {Name: "db1", Disks: []hypervisor.Disk{disk}}, {Name: "test-1", Disks: []hypervisor.Disk{disk}}}
	rep := checkWith(t, "vms:\n  - name: web1\n    retention: {keep-daily: 14}\nexclude: [test-*]\n", doms, lvs)
	left := map[string]string{}
	for _, d := range rep.Domains {
		left[d.Name] = d.LeftOut
	}
	if left["web1"] != "" || !strings.Contains(left["db1"], "not listed under vms:") || !strings.Contains(left["test-1"], `"test-*"`) {
		t.Fatalf("left out: %q", left)
	}
	var buf bytes.Buffer
	printDomains(&buf, rep.Domains)
	if !strings.Contains(buf.String(), "db1") || !strings.Contains(buf.String(), "NOT BACKED UP: not listed under vms:") {
		t.Errorf("check does not show db1 left out:\n%s", buf.String())
	}
	if rep = checkWith(t, "", doms[:2], lvs); rep.Domains[0].LeftOut != "" || rep.Domains[1].LeftOut != "" {
		t.Errorf("without vms: every domain is backed up: %+v", rep.Domains)
	}
}

// check shows each volume's copy mode and why it is not cbt, a thin LV's pool use, the
// base it keeps, and every base kvmbackup holds (one of an LV no VM uses any more too).
func TestCheckShowsChangedBlockTracking(t *testing.T) {
	doms := []hypervisor.Domain{{Name: "web1", Disks: []hypervisor.Disk{
		{Target: "vda", Device: "disk", Type: "block", Source: "/dev/vg0/web1"},
		{Target: "vdb", Device: "disk", Type: "block", Source: "/dev/vg0/web1-data"},
		{Target: "vdc", Device: "disk", Type: "block", Source: "/dev/vg0/web1-logs"}}}}
	thin := func(name string, id int) lvm.LV {
		return lvm.LV{VG: "vg0", Name: name, Path: "/dev/vg0/" + name, Size: 8 << 30, Attr: "Vwi-aotz--", Pool: "pool", ThinID: id}
	}
	base := func(origin string, id int) lvm.LV {
		b := thin(lvm.BaseName(origin), id)
		b.Attr, b.Origin, b.Tags = "Vri---tz-k", origin, []string{lvm.Tag, lvm.BaseTag}
		return b
	}
	lvs := newCheckLVM(thin("web1", 1), thin("web1-data", 2), lvm.LV{VG: "vg0", Name: "web1-logs", Path: "/dev/vg0/web1-logs", Size: 1 << 30, Attr: "-wi-ao----"},
		lvm.LV{VG: "vg0", Name: "pool", Attr: "twi-aotz--", DataPercent: 12.5, MetadataPercent: 3.25},
		base("web1", 7), base("gone", 9))
	rep := checkWith(t, "", doms, lvs)
	var out bytes.Buffer
	printCheck(&out, rep)
	t.Logf("check:\n%s", out.String())
	got := map[string]volumeCheck{}
	for _, v := range rep.Volumes {
		got[v.Volume] = v
	}
	if v := got["vg0/web1"]; v.Copy != "cbt" || v.Base != "vg0/web1.kvmbackup-base" || v.Pool != "vg0/pool" || v.PoolData != 12.5 || v.PoolMetadata != 3.25 {
		t.Errorf("vg0/web1: %+v", v)
	}
	if v := got["vg0/web1-data"]; v.Copy != "cbt" || v.Base != "" {
		t.Errorf("vg0/web1-data (no base yet): %+v", v)
	}
	if v := got["vg0/web1-logs"]; v.Copy != "manifest" || v.Why != "classic LV: thin LVs get changed-block tracking" {
		t.Errorf("vg0/web1-logs (classic): %+v", v)
	}
	if len(rep.Bases) != 2 || rep.Bases[0].Origin != "gone" || rep.Bases[1].Origin != "web1" {
		t.Errorf("bases %+v", rep.Bases)
	}
	for _, want := range []string{"copy: cbt, what changed since the base vg0/web1.kvmbackup-base", "copy: cbt, no base yet",
		"copy: manifest (classic LV: thin LVs get changed-block tracking)", "(pool vg0/pool: data 12.5%, metadata 3.2%)",
		"2 base(s) kept for changed-block tracking", "vg0/gone.kvmbackup-base               base of vg0/gone, thin id 9"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check does not say %q", want)
		}
	}
}
