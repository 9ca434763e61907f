package hostcheck

import (
	"context"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
)

// check fails a domain with a disk a run cannot back up (a network disk, a floppy, a
// LUN) naming the disk, and shows it excluded once vms[].exclude-disks names it; an
// exclude-disks name the domain lacks is a problem naming it. No LVM call is made for
// such disks.
func TestHostileUnsupportedDiskShownByCheck(t *testing.T) {
	doms := func() []DomainReport {
		return []DomainReport{{Domain: hypervisor.Domain{Name: "web1", Disks: []hypervisor.Disk{
			{Target: "vdb", Device: "disk", Type: "network", Source: "rbd:pool/img"},
			{Target: "fda", Device: "floppy", Type: "file", Source: "/srv/boot.img"},
			{Target: "sdb", Device: "lun", Type: "block", Source: "/dev/sdx"},
			{Target: "hdc", Device: "cdrom", Type: "file", Source: "/iso/x.iso", ReadOnly: true},
		}}}}
	}
	parse := func(yaml string) *config.Config {
		cfg, err := config.Parse([]byte(yaml), nil)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	vols, _, ok := Volumes(context.Background(), lvm.New(), parse(""), doms())
	if ok {
		t.Fatalf("check accepts a VM whose network, floppy and LUN disks a run cannot back up: %+v", vols)
	}
	for _, target := range []string{"vdb", "fda", "sdb"} {
		found := false
		for _, v := range vols {
			found = found || strings.Contains(v.Source, "disk "+target) && strings.Contains(v.Error, "cannot be backed up")
		}
		if !found {
			t.Errorf("check does not name disk %s as one a run cannot back up: %+v", target, vols)
		}
	}

	cfg := parse("vms:\n  - name: web1\n    exclude-disks: [vdb, fda, sdb]\n")
	ds := doms()
	DiskUses(cfg, ds)
	if vols, _, ok := Volumes(context.Background(), lvm.New(), cfg, ds); !ok {
		t.Fatalf("excluded on purpose, yet check fails: %+v", vols)
	}
	want := map[string]hypervisor.DiskUse{"vdb": hypervisor.DiskExcluded, "fda": hypervisor.DiskExcluded, "sdb": hypervisor.DiskExcluded, "hdc": hypervisor.DiskSkipped}
	if len(ds[0].DiskUses) != len(want) {
		t.Fatalf("disk uses %+v", ds[0].DiskUses)
	}
	for _, u := range ds[0].DiskUses {
		if u.Use != want[u.Target] || u.Why == "" {
			t.Errorf("disk %s: %s (%s), want %s", u.Target, u.Use, u.Why, want[u.Target])
		}
	}

	cfg = parse("vms:\n  - name: web1\n    exclude-disks: [vdb, fda, sdb, vdz]\n")
	if vols, _, ok := Volumes(context.Background(), lvm.New(), cfg, doms()); ok || !strings.Contains(vols[0].Error, "vdz") {
		t.Errorf("exclude-disks names vdz, which web1 lacks: ok=%v %+v", ok, vols)
	}
}
