package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// Disk modes: how a disk's content is read from its LV's snapshot.
const (
	ModeBlock = "block" // the LV is the disk: the snapshot device is the image
	ModeFile  = "file"  // the image is a file on a filesystem on the LV
)

// Plan is what a run will do: VMs in consistency groups, each with its disks and the
// volumes to snapshot. VMs that cannot be backed up carry an Error and are in no
// group.
type Plan struct {
	Root   string    `json:"target"` // POOL/DATASET
	Groups []*Group  `json:"groups"`
	Failed []*VMPlan `json:"failed,omitempty"`
	// Paths: the paths: entries (volume entries are also in their group).
	Paths []*PathPlan `json:"paths,omitempty"`
	// FailedPaths: the paths: entries that cannot be backed up now, each with its
	// Error (in no group).
	FailedPaths []*PathPlan `json:"failed_paths,omitempty"`
}

// Group is VMs that share an LV: they are frozen together and their volumes
// snapshotted inside one freeze window, with the volume paths: entries on those LVs.
// A volume entry whose LV no VM of the run uses has a group of its own, without VMs.
type Group struct {
	VMs     []*VMPlan     `json:"vms"`
	Volumes []*VolumePlan `json:"volumes"`
	Paths   []*PathPlan   `json:"paths,omitempty"`
}

// VMPlan is one VM of a run.
type VMPlan struct {
	Name       string            `json:"name"`
	State      hypervisor.State  `json:"state"`
	Quiesce    hypervisor.Mode   `json:"quiesce"`
	QuiesceWhy string            `json:"quiesce_why,omitempty"`
	Dataset    string            `json:"dataset"`
	Disks      []*DiskPlan       `json:"disks"`
	LeftOut    []LeftOutDisk     `json:"left_out,omitempty"` // disks not backed up, and why
	Error      string            `json:"error,omitempty"`
	domain     hypervisor.Domain // as discovered
}

// DiskPlan is one disk of a VM and where its backup comes from and goes.
type DiskPlan struct {
	Target  string `json:"target"` // vda, or the LV name for a whole explicit volume
	Source  string `json:"source"` // the disk's path on the host
	Format  string `json:"format"`
	Mode    string `json:"mode"`               // ModeBlock or ModeFile
	Volume  string `json:"volume"`             // VG/LV
	RelPath string `json:"rel_path,omitempty"` // file mode: the image below the LV's filesystem
	Image   string `json:"image"`              // file name in the VM's dataset: vda.raw
	vm      *VMPlan
	// mountPoint: file mode, where the LV's filesystem holding the image is mounted.
	mountPoint string
}

// LeftOutDisk is a disk of a VM that its backup does not hold, on purpose: excluded
// by the config, or with nothing to keep (a CD-ROM, an empty or read-only drive).
type LeftOutDisk struct {
	Target string             `json:"target"`
	Source string             `json:"source,omitempty"`
	Use    hypervisor.DiskUse `json:"use"` // hypervisor.DiskExcluded or DiskSkipped
	Why    string             `json:"why"`
}

// String says what happened to the disk: "vdb excluded by vms[].exclude-disks".
func (d LeftOutDisk) String() string {
	if d.Use == hypervisor.DiskExcluded {
		return d.Target + " " + d.Why
	}
	return fmt.Sprintf("%s %s: %s", d.Target, d.Use, d.Why)
}

// VolumePlan is one LV a group snapshots, and the disks read from its snapshot.
type VolumePlan struct {
	LV           lvm.LV      `json:"lv"`
	Mode         string      `json:"mode"`
	SnapshotSize int64       `json:"snapshot_size"` // 0: a thin snapshot
	Disks        []*DiskPlan `json:"-"`
	vms          []*VMPlan
	paths        []*PathPlan // volume paths: entries copied from its snapshot
}

// VMs lists every VM of the plan: grouped ones, then failed ones.
func (p *Plan) VMs() []*VMPlan {
	var out []*VMPlan
	for _, g := range p.Groups {
		out = append(out, g.VMs...)
	}
	return append(out, p.Failed...)
}

// PlanOptions select what a run backs up.
type PlanOptions struct {
	Config *config.Config
	// VMs (--vm): back up only these; each must be a defined domain, and not excluded.
	VMs []string
	// Paths (--path): back up only these paths: entries. With VMs or Paths set, only
	// what they name is backed up; with neither, every VM and every entry.
	Paths []string
	// Trees checks the path entries' directories (default TransferTrees).
	Trees Trees
	// TargetMounts: the target's mount points (a path inside one is refused, one
	// inside a path is skipped).
	TargetMounts []string
}

// ErrBadSelection: a --vm that is not a domain, or that exclude: rules out.
var ErrBadSelection = errors.New("bad VM selection")

// MakePlan discovers the domains to back up, resolves each disk to its LV, and
// forms the consistency groups; then it plans the paths: entries. A VM that cannot be
// backed up (a disk that is not on an LV, a name that cannot be a dataset) is listed
// in Failed with the reason; a bad --vm or --path is an error wrapping
// ErrBadSelection, and no plan. Paths: entries that cannot be backed up are listed
// in FailedPaths with the reason, and are an error joining one *PathError (wrapping
// ErrBadPath) for each, returned with the plan (check fails on it; a run fails those
// entries and backs up all the rest).
//
// LVM is read once, when the first disk or volume needs it (LVLookup.Volumes), and
// that one read answers for every disk and volume of the plan (a failed read is
// tried again by the next disk or volume).
func MakePlan(ctx context.Context, hv DomainLister, lookup LVLookup, o PlanOptions) (*Plan, error) {
	cfg := o.Config
	lv := &readOnce{lookup: lookup}
	if o.Trees == nil {
		o.Trees = TransferTrees{}
	}
	var entries []config.PathEntry
	if len(o.Paths) > 0 || len(o.VMs) == 0 {
		var err error
		if entries, err = selectPaths(cfg, o.Paths); err != nil {
			return nil, err
		}
	}
	p := &Plan{Root: cfg.Target.Dataset}
	vols := map[string]*VolumePlan{}
	if len(o.Paths) > 0 && len(o.VMs) == 0 { // --path alone: no VM
		err := planPaths(ctx, lv, o.Trees, cfg, entries, o.TargetMounts, vols, p)
		pathGroups(p, vols)
		return p, err
	}
	doms, err := hv.Domains(ctx)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	byName := map[string]hypervisor.Domain{}
	var names []string
	for _, d := range doms {
		byName[d.Name] = d
		names = append(names, d.Name)
	}
	explicit := map[string]config.VM{}
	for _, v := range cfg.VMs {
		explicit[v.Name] = v
	}
	var chosen []string
	switch {
	case len(o.VMs) > 0:
		for _, n := range o.VMs {
			if _, ok := byName[n]; !ok {
				return nil, fmt.Errorf("%w: --vm %s: no such domain (domains: %s)", ErrBadSelection, n, orNone(names))
			}
			if g := cfg.ExcludedBy(n); g != "" {
				return nil, fmt.Errorf("%w: --vm %s: excluded by exclude pattern %q", ErrBadSelection, n, g)
			}
			if !slices.Contains(chosen, n) {
				chosen = append(chosen, n)
			}
		}
	case len(cfg.VMs) > 0:
		for _, v := range cfg.VMs {
			if cfg.ExcludedBy(v.Name) == "" {
				if !slices.Contains(chosen, v.Name) {
					chosen = append(chosen, v.Name)
				}
			}
		}
	default:
		for _, n := range names {
			if cfg.ExcludedBy(n) == "" {
				chosen = append(chosen, n)
			}
		}
	}

	var ok []*VMPlan
	for _, n := range chosen {
		vm := &VMPlan{Name: n, Dataset: zfs.Layout{Root: cfg.Target.Dataset}.Dataset(zfs.VMUnit(n))}
		d, found := byName[n]
		if !found {
			vm.Error = fmt.Sprintf("vms: %s: no such domain (domains: %s)", n, orNone(names))
			p.Failed = append(p.Failed, vm)
			continue
		}
		vm.domain, vm.State = d, d.State
		vm.Quiesce, vm.QuiesceWhy = QuiesceFor(d, hypervisor.Mode(cfg.Quiesce.Mode), nil)
		if err := planVM(ctx, lv, cfg, vm, explicit[n], vols); err != nil {
			vm.Error = err.Error()
			p.Failed = append(p.Failed, vm)
			continue
		}
		ok = append(ok, vm)
	}
	p.Groups = groups(ok, vols)
	err = planPaths(ctx, lv, o.Trees, cfg, entries, o.TargetMounts, vols, p)
	pathGroups(p, vols)
	for _, g := range p.Groups { // each VM's mode, now that its group is known
		for _, vm := range g.VMs {
			vm.Quiesce, vm.QuiesceWhy = QuiesceFor(vm.domain, hypervisor.Mode(cfg.Quiesce.Mode), g)
		}
	}
	return p, err
}

// planVM resolves vm's disks (and explicit volumes) to LVs, adding them to vols.
func planVM(ctx context.Context, m LVView, cfg *config.Config, vm *VMPlan, ex config.VM, vols map[string]*VolumePlan) error {
	if strings.HasPrefix(vm.Name, zfs.OwnPrefix) {
		return fmt.Errorf("domain name %q: names starting with _ are kvmbackup's own datasets", vm.Name)
	}
	if err := zfs.CheckComponent(vm.Name); err != nil {
		return fmt.Errorf("domain name %q cannot be a dataset name: %v", vm.Name, err)
	}
	if err := hypervisor.CheckExclude(vm.domain.Disks, ex.ExcludeDisks); err != nil {
		return err
	}
	var disks []*DiskPlan
	lvs := map[string]lvm.LV{}
	for _, k := range vm.domain.Disks {
		switch use, why := k.Use(ex.ExcludeDisks); use {
		case hypervisor.DiskUnsupported:
			return fmt.Errorf("disk %s cannot be backed up: %s; exclude it on purpose with vms[].exclude-disks: [%s]", k.Target, why, k.Target)
		case hypervisor.DiskExcluded, hypervisor.DiskSkipped:
			vm.LeftOut = append(vm.LeftOut, LeftOutDisk{Target: k.Target, Source: k.Source, Use: use, Why: why})
			continue
		}
		format := k.Format
		if format == "" {
			format = "raw"
		}
		dp := &DiskPlan{Target: k.Target, Source: k.Source, Format: format, Image: k.Target + "." + format}
		switch k.Type {
		case "block":
			l, err := m.ResolveDevice(ctx, k.Source)
			if err != nil {
				return fmt.Errorf("disk %s (%s): %w", k.Target, k.Source, err)
			}
			dp.Mode, dp.Volume, lvs[l.FullName()] = ModeBlock, l.FullName(), l
		case "file":
			f, err := m.ResolveFile(ctx, k.Source)
			if err != nil {
				return fmt.Errorf("disk %s (%s): %w", k.Target, k.Source, err)
			}
			dp.Mode, dp.Volume, dp.RelPath, dp.mountPoint, lvs[f.LV.FullName()] = ModeFile, f.LV.FullName(), f.RelPath, f.MountPoint, f.LV
		}
		disks = append(disks, dp)
	}
	for _, v := range ex.Volumes {
		if _, seen := lvs[v.String()]; seen {
			continue
		}
		l, err := m.LV(ctx, v.VG, v.LV)
		if err != nil {
			return fmt.Errorf("volume %s: %w", v, err)
		}
		lvs[l.FullName()] = l
		disks = append(disks, &DiskPlan{Target: l.Name, Source: l.Path, Format: "raw", Mode: ModeBlock, Volume: l.FullName(), Image: l.Name + ".raw"})
	}
	if len(disks) == 0 {
		if len(vm.LeftOut) == 0 {
			return errors.New("no disk to back up: the domain has none")
		}
		return fmt.Errorf("no disk to back up (left out: %s)", leftOut(vm.LeftOut))
	}
	images := map[string]string{}
	for _, d := range disks {
		if other, dup := images[d.Image]; dup {
			return fmt.Errorf("disks %s and %s would both be saved as %s", other, d.Target, d.Image)
		}
		images[d.Image] = d.Target
	}
	for _, d := range disks {
		if vp := vols[d.Volume]; vp != nil && vp.Mode != d.Mode {
			return fmt.Errorf("volume %s is used both as a disk and as a filesystem holding images", d.Volume)
		}
	}
	for _, d := range disks {
		vp := vols[d.Volume]
		if vp == nil {
			l := lvs[d.Volume]
			vp = &VolumePlan{LV: l, Mode: d.Mode}
			if !l.IsThin() {
				vp.SnapshotSize = cfg.Snapshot.Size.Resolve(l.Size)
			}
			vols[d.Volume] = vp
		}
		vp.Disks = append(vp.Disks, d)
		if !slices.Contains(vp.vms, vm) {
			vp.vms = append(vp.vms, vm)
		}
	}
	for _, d := range disks {
		d.vm = vm
	}
	vm.Disks = disks
	return nil
}

// readOnce is the plan's LVView: LVLookup.Volumes, read when a disk or volume first
// asks, answers every later question. A failed read fails the question that met it
// (its VM or entry fails, with the read's error) and is tried again by the next, so
// that one failure fails no more than it did when each disk asked LVM alone.
type readOnce struct {
	lookup LVLookup
	view   LVView
}

func (r *readOnce) get(ctx context.Context) (LVView, error) {
	if r.view == nil {
		v, err := r.lookup.Volumes(ctx)
		if err != nil {
			return nil, err
		}
		r.view = v
	}
	return r.view, nil
}

func (r *readOnce) ResolveDevice(ctx context.Context, path string) (lvm.LV, error) {
	v, err := r.get(ctx)
	if err != nil {
		return lvm.LV{}, err
	}
	return v.ResolveDevice(ctx, path)
}

func (r *readOnce) ResolveFile(ctx context.Context, path string) (lvm.FileOnLV, error) {
	v, err := r.get(ctx)
	if err != nil {
		return lvm.FileOnLV{}, err
	}
	return v.ResolveFile(ctx, path)
}

func (r *readOnce) LV(ctx context.Context, vg, name string) (lvm.LV, error) {
	v, err := r.get(ctx)
	if err != nil {
		return lvm.LV{}, err
	}
	return v.LV(ctx, vg, name)
}

func leftOut(ds []LeftOutDisk) string {
	var s []string
	for _, d := range ds {
		s = append(s, d.String())
	}
	return strings.Join(s, ", ")
}

// groups joins VMs that share a volume (union-find), in a stable order.
func groups(vms []*VMPlan, vols map[string]*VolumePlan) []*Group {
	parent := map[*VMPlan]*VMPlan{}
	var find func(v *VMPlan) *VMPlan
	find = func(v *VMPlan) *VMPlan {
		if parent[v] == nil || parent[v] == v {
			parent[v] = v
			return v
		}
		r := find(parent[v])
		parent[v] = r
		return r
	}
	keys := make([]string, 0, len(vols))
	for k := range vols {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vp := vols[k]
		for _, v := range vp.vms[1:] {
			parent[find(v)] = find(vp.vms[0])
		}
	}
	var out []*Group
	byRoot := map[*VMPlan]*Group{}
	for _, v := range vms {
		r := find(v)
		g := byRoot[r]
		if g == nil {
			g = &Group{}
			byRoot[r] = g
			out = append(out, g)
		}
		g.VMs = append(g.VMs, v)
	}
	for _, k := range keys {
		vp := vols[k]
		if g := byRoot[find(vp.vms[0])]; g != nil {
			g.Volumes = append(g.Volumes, vp)
		}
	}
	return out
}
