package orchestrator

import (
	"context"
	"sort"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"
)

// QuiesceFor is the quiesce mode a run configured with mode uses for domain d now,
// and why: none for a shut-off domain (its disks are at rest), else
// hypervisor.QuiesceMode for its group g (whose disks all on one LV need no pause),
// or hypervisor.QuiesceBase when g is nil (not planned: its group is not known). The
// plan and check's listing of every domain both use it.
func QuiesceFor(d hypervisor.Domain, mode hypervisor.Mode, g *Group) (hypervisor.Mode, string) {
	switch {
	case d.State == hypervisor.StateShutoff:
		return hypervisor.ModeNone, "shut off: its disks are at rest"
	case g == nil:
		return hypervisor.QuiesceBase(d, mode)
	}
	return hypervisor.QuiesceMode(d, mode, g.Atomic())
}

// Atomic reports whether the group's snapshot is atomic: its disks (and volumes)
// are all on one LV, snapshotted at once.
func (g *Group) Atomic() bool { return len(g.Volumes) == 1 }

// Volumes lists every volume the plan snapshots, group by group (a volume is in one
// group only).
func (p *Plan) Volumes() []*VolumePlan {
	var out []*VolumePlan
	for _, g := range p.Groups {
		out = append(out, g.Volumes...)
	}
	return out
}

// VM is the name of the VM whose disk this is.
func (d *DiskPlan) VM() string {
	if d.vm == nil {
		return ""
	}
	return d.vm.Name
}

// MountPoint is, in file mode, where the filesystem on the disk's LV that holds the
// image was mounted when the plan was made; "" in block mode.
func (d *DiskPlan) MountPoint() string { return d.mountPoint }

// PathNames lists the paths: entries copied from the volume's snapshot.
func (v *VolumePlan) PathNames() []string {
	var out []string
	for _, pp := range v.paths {
		out = append(out, pp.Name)
	}
	return out
}

// VGLookup is what the plan's space check needs of LVM.
type VGLookup interface {
	// VG returns the named volume group with its free bytes as they are now; a
	// volume group that does not exist (or cannot be read) is an error naming it.
	// Nothing is changed.
	VG(ctx context.Context, name string) (lvm.VG, error)
}

// VGSpace is one volume group's room for the snapshots a plan takes in it.
type VGSpace struct {
	VG     string `json:"vg"`
	Free   int64  `json:"free"`
	Needed int64  `json:"needed"` // the plan's snapshots in it, all at once
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"` // the VG could not be read
}

// VGSpace sums, per volume group, the snapshots the plan takes in it (a thin
// snapshot takes none of the VG's free extents) and says whether the VG has room
// for all of them at once. Sorted by VG name; a plan without volumes has none.
func (p *Plan) VGSpace(ctx context.Context, vgs VGLookup) []VGSpace {
	byVG := map[string]*VGSpace{}
	var names []string
	for _, v := range p.Volumes() {
		vg := v.LV.VG
		if byVG[vg] == nil {
			byVG[vg] = &VGSpace{VG: vg}
			names = append(names, vg)
		}
		byVG[vg].Needed += v.SnapshotSize
	}
	sort.Strings(names)
	out := make([]VGSpace, 0, len(names))
	for _, n := range names {
		s := byVG[n]
		if g, err := vgs.VG(ctx, n); err != nil {
			s.Error = err.Error()
		} else {
			s.Free, s.OK = g.Free, s.Needed <= g.Free
		}
		out = append(out, *s)
	}
	return out
}
