package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/cmd/kvmbackup/internal/hostcheck"
	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

func newCheckCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check the configuration and whether this host can run backups",
		Long: `Check validates the configuration, then probes each component kvmbackup needs
on this host: libvirt (connects to libvirt.uri), lvm2 with device-mapper, OpenZFS
(tools and kernel module) and fsck. Each line
says what was found; an unusable component says what to do about it. Then it lists
each libvirt domain with its state, its disks and the quiesce mode a run would use
for it now, and why (auto: agent when a guest agent is connected, else sysrq, a
sync without a pause, for a VM whose group's disks are all on one LV, and
sysrq-suspend when they span several); a
disk a run leaves out says why (vms[].exclude-disks, a CD-ROM, an empty or
read-only drive), and one a run cannot back up (a LUN, a floppy, a network disk,
a qcow2 with a backing chain) is a problem unless vms[].exclude-disks names it.
Then the run's own plan, made by the code a run plans with, over the same libvirt
connection: each VM a run would fail and why (a vms: entry that is no domain, a disk
not on LVM or that cannot be backed up, an exclude-disks name the VM lacks, no disk
left to back up, a name that cannot be a dataset), every volume it would snapshot
(from vms[].volumes, paths[].volume and the VMs' disks), and whether each volume
group has room for those snapshots at once. Then each paths: entry, as the plan has
it: a path must be a directory outside the target, a volume an origin LV that is
no VM's disk; the target's mount points below a path are skipped. Last, the target (target.dataset): its pool is
imported and ONLINE, every data vdev is a mirror or raidz (target.require-mirror),
compression is on (target.require-compression), and at least 1 GiB is free.
Nothing is changed; no guest is touched.

EXIT STATUS
  0  the configuration is valid and every required component is usable
  2  the configuration is invalid, a required component is missing, a run would
     fail a VM (a disk not on LVM or that cannot be backed up and is not in
     vms[].exclude-disks, ...), a volume group lacks room for its snapshots, a
     paths: entry cannot be backed up, or the target fails a check`,
		Example: `  kvmbackup check
  kvmbackup check --config /etc/kvmbackup/config.yaml
  kvmbackup check --json | jq '.components[] | select(.ok == false)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd.Context(), g, cmd.OutOrStdout())
		},
	}
}

type checkReport struct {
	Config     string                 `json:"config"`
	OK         bool                   `json:"ok"`
	Components []hostcheck.Result     `json:"components"`
	Domains    []checkDomain          `json:"domains"`
	Failed     []vmCheck              `json:"failed_vms,omitempty"`
	Volumes    []volumeCheck          `json:"volumes"`
	VGs        []orchestrator.VGSpace `json:"volume_groups"`
	// Bases are the thin snapshots kvmbackup keeps past their run, one per thin LV
	// whose disk is copied by changed-block tracking.
	Bases  []lvm.LV          `json:"bases"`
	Paths  []pathCheck       `json:"paths"`
	Target *zfs.TargetReport `json:"target"`
}

// checkDomain is a domain as check shows it: its facts, the quiesce mode a run
// would use for it now (orchestrator.QuiesceFor) and, for a domain a run would back
// up, what it would do with each disk.
type checkDomain struct {
	hypervisor.Domain
	Quiesce    hypervisor.Mode `json:"quiesce"`
	QuiesceWhy string          `json:"quiesce_why"`
	DiskUses   []diskUse       `json:"disk_uses,omitempty"`
	// LeftOut: why a run does not back the domain up ("" when it does): not listed
	// under a vms: that is not empty, or excluded.
	LeftOut string `json:"left_out,omitempty"`
}

// diskUse is what a run would do with one disk of a domain (hypervisor.Disk.Use).
type diskUse struct {
	Target string             `json:"target"`
	Use    hypervisor.DiskUse `json:"use"`
	Why    string             `json:"why,omitempty"`
}

// vmCheck is a VM the run's plan fails, and why.
type vmCheck struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

// volumeCheck is one volume the run's plan snapshots, and what its snapshot needs.
type volumeCheck struct {
	Volume string `json:"volume"` // VG/LV
	Source string `json:"source"` // "config vms[0].volumes[0] (web1)", "vm web1 disk vda (block)", …
	Size   int64  `json:"size"`   // the LV's size
	Needed int64  `json:"needed"` // the snapshot's size; 0 for a thin snapshot
	Thin   bool   `json:"thin,omitempty"`
	// Copy is how a run copies the volume's disks: "cbt" (only what changed since the
	// base, thin_delta) or "manifest" (read whole, compared with the image's block
	// hashes); Why says why a volume is not "cbt".
	Copy string `json:"copy"`
	Why  string `json:"why,omitempty"`
	// Base is the base a cbt volume keeps ("": none yet: its next run reads it whole).
	Base string `json:"base,omitempty"`
	// A thin LV's pool and its data and metadata use (percent).
	Pool         string  `json:"pool,omitempty"`
	PoolData     float64 `json:"pool_data_percent,omitempty"`
	PoolMetadata float64 `json:"pool_metadata_percent,omitempty"`
}

// checkMinAvailable is the free space below which check reports the target as full.
const checkMinAvailable = 1 << 30

func runCheck(ctx context.Context, g *globalOptions, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	rep := checkReport{Config: configSource(g.configFile)}
	// One libvirt connection: the probe's, kept for the plan.
	comps, conn := hostcheck.NewProber(cfg.Libvirt.URI).Probe(ctx)
	defer conn.Close()
	rep.Components = comps
	rep.OK = hostcheck.OK(rep.Components)
	var hv orchestrator.DomainLister
	if conn != nil {
		hv = orchestrator.Libvirt(conn)
	}
	// The target (pool health, mirror, compression, space), read before the plan:
	// the paths: entries are fenced from the pool's root dataset's mount as the
	// check read it, as a run fences them.
	zfsUsable := hostcheck.Usable(comps, "zfs")
	if zfsUsable {
		rep.Target, err = zfs.New().CheckTarget(ctx, zfs.TargetOptions{
			Dataset: cfg.Target.Dataset, RequireMirror: cfg.Target.RequireMirror,
			RequireCompression: cfg.Target.RequireCompression, MinAvailable: checkMinAvailable,
		})
		if err != nil {
			return err
		}
		rep.OK = rep.OK && len(rep.Target.Problems) == 0
	}
	var mounts []string
	var mountErr error
	if len(cfg.Paths) > 0 && zfsUsable {
		mounts, mountErr = orchestrator.CheckedTargetMounts(ctx, zfs.New(), rep.Target, cfg.Target.Dataset)
	}
	if err := rep.plan(ctx, cfg, hv, checkVolumes{orchestrator.LVM{Manager: lvm.New()}, hostcheck.Usable(comps, "lvm2")}, mounts, mountErr); err != nil {
		return err
	}
	if g.json {
		if err := json.NewEncoder(out).Encode(rep); err != nil {
			return err
		}
	} else {
		printCheck(out, rep)
	}
	if !rep.OK {
		var bad []string
		for _, r := range rep.Components {
			if r.Required && !r.OK {
				bad = append(bad, r.Component)
			}
		}
		for _, v := range rep.Failed {
			bad = append(bad, fmt.Sprintf("vm %s (%s)", v.Name, v.Error))
		}
		for _, g := range rep.VGs {
			if !g.OK {
				bad = append(bad, "space in volume group "+g.VG)
			}
		}
		for _, p := range rep.Paths {
			if p.Error != "" {
				bad = append(bad, "paths entry "+p.Name)
			}
		}
		if rep.Target != nil && len(rep.Target.Problems) > 0 {
			bad = append(bad, "target "+rep.Target.Dataset)
		}
		return fmt.Errorf("this host cannot run backups yet: %s not usable", strings.Join(bad, ", "))
	}
	return nil
}

// checkVolumes is LVM as check plans with it: what a run resolves disks and
// volumes with, and the volume groups' free space. usable is false when the lvm2
// probe failed: then no VM is planned (each would fail on LVM alone).
type checkVolumes struct {
	lvm interface {
		orchestrator.LVLookup
		orchestrator.LVView // a thin pool's fill, as it is now
		orchestrator.VGLookup
		Base(ctx context.Context, vg, origin string) (lvm.LV, error)
		Bases(ctx context.Context) ([]lvm.LV, error)
	}
	usable bool
}

// listedDomains answers Domains with the one list check took, so that the domains
// it shows and the plan it makes see the same domains.
type listedDomains struct {
	doms []hypervisor.Domain
}

func (l listedDomains) Domains(context.Context) ([]hypervisor.Domain, error) { return l.doms, nil }

// plan makes the run's own plan (orchestrator.MakePlan, the very code a run plans
// with) and reports it: every domain, the VMs the plan fails, the volumes it
// snapshots and each volume group's room for them (Plan.VGSpace), and each paths:
// entry. hv nil (libvirt not usable) or LVM not usable: the paths: entries are
// planned alone (a volume that is a VM's disk goes unseen). mounts are the target's
// mount points (mountErr: they could not be read).
func (rep *checkReport) plan(ctx context.Context, cfg *config.Config, hv orchestrator.DomainLister, lv checkVolumes,
	mounts []string, mountErr error) error {
	if hv != nil {
		doms, err := hv.Domains(ctx)
		if err != nil {
			return fmt.Errorf("list domains: %w", err)
		}
		hv = listedDomains{doms}
		for _, d := range doms {
			cd := checkDomain{Domain: d}
			cd.Quiesce, cd.QuiesceWhy = orchestrator.QuiesceFor(d, hypervisor.Mode(cfg.Quiesce.Mode), nil) // its group's: below
			if cfg.Selects(d.Name) {
				for _, k := range d.Disks {
					use, why := k.Use(cfg.ExcludedDisks(d.Name))
					cd.DiskUses = append(cd.DiskUses, diskUse{Target: k.Target, Use: use, Why: why})
				}
			} else if g := cfg.ExcludedBy(d.Name); g != "" {
				cd.LeftOut = fmt.Sprintf("excluded by exclude pattern %q", g)
			} else {
				cd.LeftOut = "not listed under vms: (a vms: list names every domain a run backs up)"
			}
			rep.Domains = append(rep.Domains, cd)
		}
	}
	o := orchestrator.PlanOptions{Config: cfg, TargetMounts: mounts}
	if hv == nil || !lv.usable { // the entries alone, no VM
		if len(cfg.Paths) == 0 {
			return nil
		}
		for _, p := range cfg.Paths {
			o.Paths = append(o.Paths, p.Name)
		}
	}
	plan, err := orchestrator.MakePlan(ctx, hv, lv.lvm, o)
	if plan == nil {
		return err
	}
	why := map[string]string{}
	for _, pe := range orchestrator.PathErrors(err) {
		why[pe.Name] = pe.Why
	}
	if err != nil && len(why) == 0 { // not about an entry: planning itself failed
		return err
	}
	for _, vm := range plan.VMs() { // the mode its group gives it (one LV: no pause)
		for i := range rep.Domains {
			if rep.Domains[i].Name == vm.Name {
				rep.Domains[i].Quiesce, rep.Domains[i].QuiesceWhy = vm.Quiesce, vm.QuiesceWhy
			}
		}
	}
	for _, vm := range plan.Failed {
		rep.Failed = append(rep.Failed, vmCheck{Name: vm.Name, Error: vm.Error})
		rep.OK = false
	}
	for _, v := range plan.Volumes() {
		c := volumeCheck{Volume: v.LV.FullName(), Source: volumeSource(cfg, v), Size: v.LV.Size, Thin: v.LV.IsThin(), Needed: v.SnapshotSize, Copy: "manifest"}
		cbt, why := orchestrator.Tracked(v)
		if cbt {
			c.Copy = "cbt"
		}
		c.Why = why
		if v.LV.IsThin() && lv.usable {
			if p, err := lv.lvm.LV(ctx, v.LV.VG, v.LV.Pool); err == nil {
				c.Pool, c.PoolData, c.PoolMetadata = p.FullName(), p.DataPercent, p.MetadataPercent
			}
			if b, err := lv.lvm.Base(ctx, v.LV.VG, v.LV.Name); cbt && err == nil {
				c.Base = b.FullName()
			}
		}
		rep.Volumes = append(rep.Volumes, c)
	}
	if lv.usable {
		rep.VGs = plan.VGSpace(ctx, lv.lvm)
		for _, g := range rep.VGs {
			rep.OK = rep.OK && g.OK
		}
		if rep.Bases, err = lv.lvm.Bases(ctx); err != nil {
			return fmt.Errorf("list the changed-block tracking bases: %w", err)
		}
	}
	for _, e := range cfg.Paths {
		c := pathCheck{Name: e.Name, Source: e.Path, Dataset: zfs.Layout{Root: cfg.Target.Dataset}.Dataset(zfs.PathUnit(e.Name))}
		if e.Volume != nil {
			c.Source = e.Volume.String()
		}
		switch {
		case why[e.Name] != "":
			c.Error = why[e.Name]
		case mountErr != nil && e.Volume == nil:
			c.Error = fmt.Sprintf("the target's mount points (%s): %v", cfg.Target.Dataset, mountErr)
		}
		for _, pp := range plan.Paths {
			if pp.Name == e.Name {
				c.Skip, c.With = pp.Skip, pp.With
			}
		}
		rep.OK = rep.OK && c.Error == ""
		rep.Paths = append(rep.Paths, c)
	}
	return nil
}

// volumeSource says what a planned volume is snapshotted for: each VM disk read from
// it, each configured vms[].volumes and paths[].volume naming it.
func volumeSource(cfg *config.Config, v *orchestrator.VolumePlan) string {
	name := v.LV.FullName()
	var src []string
	for _, d := range v.Disks {
		if i, j := configVolume(cfg, d.VM(), name); i >= 0 && d.Target == v.LV.Name {
			src = append(src, fmt.Sprintf("config vms[%d].volumes[%d] (%s)", i, j, d.VM()))
			continue
		}
		s := fmt.Sprintf("vm %s disk %s (%s)", d.VM(), d.Target, d.Mode)
		if d.MountPoint() != "" {
			s += " on " + d.MountPoint()
		}
		src = append(src, s)
	}
	for _, n := range v.PathNames() {
		for i, p := range cfg.Paths {
			if p.Name == n {
				src = append(src, fmt.Sprintf("config paths[%d] (%s)", i, n))
			}
		}
	}
	return strings.Join(src, "; ")
}

// configVolume finds volume (VG/LV) in vm's vms[].volumes: its indices, or -1.
func configVolume(cfg *config.Config, vm, volume string) (int, int) {
	for i, v := range cfg.VMs {
		if v.Name != vm {
			continue
		}
		for j, vol := range v.Volumes {
			if vol.String() == volume {
				return i, j
			}
		}
	}
	return -1, -1
}

func configSource(path string) string {
	switch {
	case path != "":
		return path
	case fileExists(config.DefaultPath):
		return config.DefaultPath
	default:
		return "built-in defaults (no " + config.DefaultPath + ")"
	}
}

func printCheck(w io.Writer, rep checkReport) {
	fmt.Fprintf(w, "%-9s %-8s %s\n", "config", "ok", rep.Config)
	for _, r := range rep.Components {
		status := "ok"
		switch {
		case !r.OK && r.Required:
			status = "MISSING"
		case !r.OK:
			status = "absent"
		}
		fmt.Fprintf(w, "%-9s %-8s %s\n", r.Component, status, r.Detail)
		if !r.OK && r.Hint != "" {
			fmt.Fprintf(w, "%-9s %-8s → %s\n", "", "", r.Hint)
		}
	}
	printDomains(w, rep.Domains)
	printFailed(w, rep.Failed)
	printVolumes(w, rep)
	printPaths(w, rep.Paths)
	printTarget(w, rep.Target)
}

// pathCheck is one paths: entry as a run would plan it tonight.
type pathCheck struct {
	Name    string   `json:"name"`
	Source  string   `json:"source"`         // the path, or the volume (VG/LV)
	Dataset string   `json:"dataset"`        // where its backups go
	Skip    []string `json:"skip,omitempty"` // the target's mount points below the path
	With    []string `json:"with,omitempty"` // the VMs whose freeze window snapshots the volume
	Error   string   `json:"error,omitempty"`
}

func printPaths(w io.Writer, paths []pathCheck) {
	if len(paths) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d paths\n", len(paths))
	for _, p := range paths {
		if p.Error != "" {
			fmt.Fprintf(w, "  %-16s PROBLEM  %s\n", p.Name, p.Error)
			continue
		}
		var notes []string
		if len(p.With) > 0 {
			notes = append(notes, "snapshotted with "+strings.Join(p.With, ", "))
		}
		if len(p.Skip) > 0 {
			notes = append(notes, "skips "+strings.Join(p.Skip, ", "))
		}
		detail := p.Source + " → " + p.Dataset
		if len(notes) > 0 {
			detail += " (" + strings.Join(notes, "; ") + ")"
		}
		fmt.Fprintf(w, "  %-16s ok       %s\n", p.Name, detail)
	}
}

func printTarget(w io.Writer, r *zfs.TargetReport) {
	if r == nil {
		return
	}
	fmt.Fprintf(w, "\ntarget %s\n", r.Dataset)
	if r.Health != "" {
		fmt.Fprintf(w, "  pool %-22s %s; %s\n", r.Pool, r.Health, r.Layout())
	}
	if r.FiguresFrom != "" {
		exists := "exists"
		if !r.Exists {
			exists = "will be created, inheriting from " + r.FiguresFrom
		}
		fmt.Fprintf(w, "  dataset %-19s %s; compression %s; available %s\n", r.Dataset, exists, r.Compression, config.FormatBytes(r.Available))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  PROBLEM %s\n          → %s\n", p.What, p.Fix)
	}
	for _, p := range r.Warnings {
		fmt.Fprintf(w, "  WARNING %s\n          → %s\n", p.What, p.Fix)
	}
}

func printDomains(w io.Writer, doms []checkDomain) {
	fmt.Fprintf(w, "\n%d domains\n", len(doms))
	for _, d := range doms {
		if d.LeftOut != "" {
			fmt.Fprintf(w, "  %-24s %-10s NOT BACKED UP: %s\n", d.Name, d.State, d.LeftOut)
			continue
		}
		fmt.Fprintf(w, "  %-24s %-10s quiesce: %s (%s)\n", d.Name, d.State, d.Quiesce, d.QuiesceWhy)
		for i, k := range d.Disks {
			use := ""
			if i < len(d.DiskUses) {
				switch u := d.DiskUses[i]; u.Use {
				case hypervisor.DiskCopied:
				case hypervisor.DiskExcluded:
					use = " — " + u.Why
				case hypervisor.DiskUnsupported:
					use = " — CANNOT BE BACKED UP: " + u.Why + " (exclude it with vms[].exclude-disks)"
				default:
					use = fmt.Sprintf(" — %s: %s", u.Use, u.Why)
				}
			}
			fmt.Fprintf(w, "  %-24s   %-5s %-6s %-5s %s%s\n", "", k.Target, k.Device, k.Type, k.Source, use)
		}
	}
}

// printFailed lists the VMs the run's plan fails: a run would fail them too.
func printFailed(w io.Writer, vms []vmCheck) {
	if len(vms) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d VMs a run would fail\n", len(vms))
	for _, v := range vms {
		fmt.Fprintf(w, "  %-24s PROBLEM  %s\n", v.Name, v.Error)
	}
}

func printVolumes(w io.Writer, rep checkReport) {
	if len(rep.Volumes) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d volumes to snapshot\n", len(rep.Volumes))
	for _, v := range rep.Volumes {
		switch {
		case v.Thin && v.Pool != "":
			fmt.Fprintf(w, "  %-28s ok       %s, %s, thin snapshot (pool %s: data %.1f%%, metadata %.1f%%)\n", v.Volume, v.Source, config.FormatBytes(v.Size),
				v.Pool, v.PoolData, v.PoolMetadata)
		case v.Thin:
			fmt.Fprintf(w, "  %-28s ok       %s, %s, thin snapshot\n", v.Volume, v.Source, config.FormatBytes(v.Size))
		default:
			fmt.Fprintf(w, "  %-28s ok       %s, %s, snapshot %s\n", v.Volume, v.Source, config.FormatBytes(v.Size), config.FormatBytes(v.Needed))
		}
		switch {
		case v.Copy == "cbt" && v.Base != "":
			fmt.Fprintf(w, "  %-28s          copy: cbt, what changed since the base %s\n", "", v.Base)
		case v.Copy == "cbt":
			fmt.Fprintf(w, "  %-28s          copy: cbt, no base yet (the next run reads it whole and keeps one)\n", "")
		default:
			fmt.Fprintf(w, "  %-28s          copy: %s (%s)\n", "", v.Copy, v.Why)
		}
	}
	if len(rep.Bases) > 0 {
		fmt.Fprintf(w, "  %d base(s) kept for changed-block tracking (forget-base drops them):\n", len(rep.Bases))
		for _, b := range rep.Bases {
			fmt.Fprintf(w, "  %-28s          base of %s/%s, thin id %d\n", b.FullName(), b.VG, b.Origin, b.ThinID)
		}
	}
	for _, g := range rep.VGs {
		status := "ok"
		if !g.OK {
			status = "MISSING"
		}
		detail := fmt.Sprintf("free %s, snapshots need %s", config.FormatBytes(g.Free), config.FormatBytes(g.Needed))
		if g.Error != "" {
			detail = g.Error
		}
		fmt.Fprintf(w, "  volume group %-15s %-8s %s\n", g.VG, status, detail)
		if !g.OK && g.Error == "" {
			fmt.Fprintf(w, "  %-28s          → free space in %s, or lower snapshot.size\n", "", g.VG)
		}
	}
}
