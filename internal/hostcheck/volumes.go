package hostcheck

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
)

// VolumeReport is one volume a run would snapshot, and what its snapshot needs.
type VolumeReport struct {
	Volume string `json:"volume"` // VG/LV, or the disk when it is not on an LV
	Source string `json:"source"` // "config vms[0]", "vm web1 disk vda (block)", …
	Size   int64  `json:"size"`   // the LV's size
	Needed int64  `json:"needed"` // the snapshot's size; 0 for a thin snapshot
	Thin   bool   `json:"thin,omitempty"`
	Error  string `json:"error,omitempty"`
}

// VGReport sums what one volume group must hold at once.
type VGReport struct {
	VG     string `json:"vg"`
	Free   int64  `json:"free"`
	Needed int64  `json:"needed"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
}

// DiskUse is what a run would do with one disk of a domain (hypervisor.Disk.Use).
type DiskUse struct {
	Target string             `json:"target"`
	Use    hypervisor.DiskUse `json:"use"`
	Why    string             `json:"why,omitempty"`
}

// DiskUses sets, on each domain a run would back up, what it would do with each of
// its disks under cfg (vms[].exclude-disks): check shows every disk left out, and why.
func DiskUses(cfg *config.Config, doms []DomainReport) {
	for i, d := range doms {
		if !cfg.Selects(d.Name) {
			continue
		}
		for _, k := range d.Disks {
			use, why := k.Use(cfg.ExcludedDisks(d.Name))
			doms[i].DiskUses = append(doms[i].DiskUses, DiskUse{Target: k.Target, Use: use, Why: why})
		}
	}
}

// Volumes finds every volume a run would snapshot, from the config (vms[].volumes,
// paths[].volume) and from the disks of the domains a run would back up (block
// disks on an LV, image files on a filesystem on an LV), and checks each VG's free
// space against the snapshots it would hold at once. ok is false when a disk cannot
// be backed up (hypervisor.Disk.Use) or resolved to an LV, when vms[].exclude-disks
// names a disk the domain lacks, or when a VG lacks space.
func Volumes(ctx context.Context, m *lvm.Manager, cfg *config.Config, doms []DomainReport) (vols []VolumeReport, vgs []VGReport, ok bool) {
	ok = true
	seen := map[string]bool{}
	add := func(lv lvm.LV, source string) {
		key := lv.FullName()
		if seen[key] {
			return
		}
		seen[key] = true
		r := VolumeReport{Volume: key, Source: source, Size: lv.Size, Thin: lv.IsThin()}
		if !r.Thin {
			r.Needed = cfg.Snapshot.Size.Resolve(lv.Size)
		}
		vols = append(vols, r)
	}
	fail := func(vol, source string, err error) {
		ok = false
		vols = append(vols, VolumeReport{Volume: vol, Source: source, Error: err.Error()})
	}
	for i, vm := range cfg.VMs {
		for j, v := range vm.Volumes {
			src := fmt.Sprintf("config vms[%d].volumes[%d] (%s)", i, j, vm.Name)
			if lv, err := m.LV(ctx, v.VG, v.LV); err != nil {
				fail(v.String(), src, err)
			} else {
				add(lv, src)
			}
		}
	}
	for i, p := range cfg.Paths {
		if p.Volume == nil {
			continue
		}
		src := fmt.Sprintf("config paths[%d] (%s)", i, p.Name)
		if lv, err := m.LV(ctx, p.Volume.VG, p.Volume.LV); err != nil {
			fail(p.Volume.String(), src, err)
		} else {
			add(lv, src)
		}
	}
	for _, d := range doms {
		if !cfg.Selects(d.Name) {
			continue
		}
		exclude := cfg.ExcludedDisks(d.Name)
		if err := hypervisor.CheckExclude(d.Disks, exclude); err != nil {
			fail(d.Name, "vm "+d.Name, err)
		}
		for _, k := range d.Disks {
			src := fmt.Sprintf("vm %s disk %s (%s)", d.Name, k.Target, k.Type)
			switch use, why := k.Use(exclude); use {
			case hypervisor.DiskUnsupported:
				fail(k.Source, src, fmt.Errorf("cannot be backed up: %s; exclude it on purpose with vms[].exclude-disks", why))
				continue
			case hypervisor.DiskExcluded, hypervisor.DiskSkipped:
				continue // DiskUses shows them
			}
			switch k.Type {
			case "block":
				if lv, err := m.ResolveDevice(ctx, k.Source); err != nil {
					fail(k.Source, src, err)
				} else {
					add(lv, src)
				}
			case "file":
				if f, err := m.ResolveFile(ctx, k.Source); err != nil {
					fail(k.Source, src, err)
				} else {
					add(f.LV, src+" on "+f.MountPoint)
				}
			}
		}
	}
	byVG := map[string]*VGReport{}
	for _, v := range vols {
		if v.Error != "" {
			continue
		}
		vg, _, _ := strings.Cut(v.Volume, "/")
		if byVG[vg] == nil {
			byVG[vg] = &VGReport{VG: vg}
		}
		byVG[vg].Needed += v.Needed
	}
	for _, r := range byVG {
		g, err := m.VG(ctx, r.VG)
		if err != nil {
			r.Error = err.Error()
		} else {
			r.Free = g.Free
			r.OK = r.Needed <= g.Free
		}
		ok = ok && r.OK
		vgs = append(vgs, *r)
	}
	sort.Slice(vgs, func(i, j int) bool { return vgs[i].VG < vgs[j].VG })
	return vols, vgs, ok
}
