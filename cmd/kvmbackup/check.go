package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/internal/hostcheck"
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
(tools and kernel module), fsck, and rsync when paths are configured. Each line
says what was found; an unusable component says what to do about it. Then it lists
each libvirt domain with its state, its disks and the quiesce mode a run would use
for it now (auto: agent when a guest agent is connected, else sysrq-suspend); a
disk a run leaves out says why (vms[].exclude-disks, a CD-ROM, an empty or
read-only drive), and one a run cannot back up (a LUN, a floppy, a network disk,
a qcow2 with a backing chain) is a problem unless vms[].exclude-disks names it.
Then every volume a run would snapshot (from vms[].volumes, paths[].volume and
the disks of the VMs it would back up), and whether each volume group has room
for those snapshots at once. Then each paths: entry, planned as a run would plan
it: a path must be a directory outside the target, a volume an origin LV that is
no VM's disk; the target's mount points below a path are skipped. Last, the target (target.dataset): its pool is
imported and ONLINE, every data vdev is a mirror or raidz (target.require-mirror),
compression is on (target.require-compression), and at least 1 GiB is free.
Nothing is changed; no guest is touched.

EXIT STATUS
  0  the configuration is valid and every required component is usable
  2  the configuration is invalid, a required component is missing, a disk is
     not on LVM or cannot be backed up (and is not in vms[].exclude-disks), a volume group lacks room for its snapshots, a paths: entry
     cannot be backed up, or the target fails a check`,
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
	Config     string                   `json:"config"`
	OK         bool                     `json:"ok"`
	Components []hostcheck.Result       `json:"components"`
	Domains    []hostcheck.DomainReport `json:"domains"`
	Volumes    []hostcheck.VolumeReport `json:"volumes"`
	VGs        []hostcheck.VGReport     `json:"volume_groups"`
	Paths      []pathCheck              `json:"paths"`
	Target     *zfs.TargetReport        `json:"target"`
}

// checkMinAvailable is the free space below which check reports the target as full.
const checkMinAvailable = 1 << 30

func runCheck(ctx context.Context, g *globalOptions, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	rep := checkReport{Config: configSource(g.configFile)}
	p := hostcheck.NewProber(cfg.Libvirt.URI, len(cfg.Paths) > 0)
	rep.Components = p.Run(ctx)
	rep.OK = hostcheck.OK(rep.Components)
	if hostcheck.Usable(rep.Components, "libvirt") { // list what a run would see
		doms, err := p.Domains(ctx, hypervisor.Mode(cfg.Quiesce.Mode))
		if err != nil {
			return err
		}
		rep.Domains = doms
		hostcheck.DiskUses(cfg, rep.Domains)
	}
	if hostcheck.Usable(rep.Components, "lvm2") { // what a run would snapshot, and room for it
		var ok bool
		rep.Volumes, rep.VGs, ok = hostcheck.Volumes(ctx, lvm.New(), cfg, rep.Domains)
		rep.OK = rep.OK && ok
	}
	if len(cfg.Paths) > 0 { // each paths: entry, planned as a run would plan it
		var ok bool
		rep.Paths, ok = checkPaths(ctx, cfg, rep.Components)
		rep.OK = rep.OK && ok
	}
	if hostcheck.Usable(rep.Components, "zfs") { // the target: pool health, mirror, compression, space
		rep.Target, err = zfs.New().CheckTarget(ctx, zfs.TargetOptions{
			Dataset: cfg.Target.Dataset, RequireMirror: cfg.Target.RequireMirror,
			RequireCompression: cfg.Target.RequireCompression, MinAvailable: checkMinAvailable,
		})
		if err != nil {
			return err
		}
		rep.OK = rep.OK && len(rep.Target.Problems) == 0
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
		for _, v := range rep.Volumes {
			if v.Error != "" {
				bad = append(bad, "volume "+v.Volume)
			}
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

// checkPaths plans the paths: entries with the very code a run plans them with
// (orchestrator.MakePlan), so check finds every entry a run would refuse: a path that
// is not a directory or lies in the target, a volume that is no LV, a snapshot, or a
// VM's disk. Without libvirt the entries are planned alone (a volume that is a VM's
// disk goes unseen); without ZFS, without the target's mount points.
func checkPaths(ctx context.Context, cfg *config.Config, comps []hostcheck.Result) ([]pathCheck, bool) {
	var mountErr error
	var mounts []string
	if hostcheck.Usable(comps, "zfs") {
		mounts, mountErr = orchestrator.TargetMounts(ctx, zfs.New(), cfg.Target.Dataset)
	}
	o := orchestrator.PlanOptions{Config: cfg, TargetMounts: mounts}
	var hv orchestrator.Hypervisor
	if hostcheck.Usable(comps, "libvirt") {
		if c, err := hypervisor.Connect(ctx, cfg.Libvirt.URI); err == nil {
			defer c.Close()
			hv = orchestrator.Libvirt(c)
		}
	}
	if hv == nil { // the entries alone, no VM
		for _, p := range cfg.Paths {
			o.Paths = append(o.Paths, p.Name)
		}
	}
	plan, err := orchestrator.MakePlan(ctx, hv, lvm.New(), o)
	why := map[string]string{}
	for _, pe := range orchestrator.PathErrors(err) {
		why[pe.Name] = pe.Why
	}
	ok := true
	var out []pathCheck
	for _, e := range cfg.Paths {
		c := pathCheck{Name: e.Name, Source: e.Path, Dataset: orchestrator.PathDataset(cfg.Target.Dataset, e.Name)}
		if e.Volume != nil {
			c.Source = e.Volume.String()
		}
		switch {
		case why[e.Name] != "":
			c.Error = why[e.Name]
		case err != nil && len(why) == 0: // not about an entry: planning itself failed
			c.Error = err.Error()
		case mountErr != nil && e.Volume == nil:
			c.Error = fmt.Sprintf("the target's mount points (%s): %v", cfg.Target.Dataset, mountErr)
		}
		if plan != nil {
			for _, pp := range plan.Paths {
				if pp.Name == e.Name {
					c.Skip, c.With = pp.Skip, pp.With
				}
			}
		}
		ok = ok && c.Error == ""
		out = append(out, c)
	}
	return out, ok
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
}

func printDomains(w io.Writer, doms []hostcheck.DomainReport) {
	fmt.Fprintf(w, "\n%d domains\n", len(doms))
	for _, d := range doms {
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

func printVolumes(w io.Writer, rep checkReport) {
	if len(rep.Volumes) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d volumes to snapshot\n", len(rep.Volumes))
	for _, v := range rep.Volumes {
		switch {
		case v.Error != "":
			fmt.Fprintf(w, "  %-28s MISSING  %s: %s\n", v.Volume, v.Source, v.Error)
		case v.Thin:
			fmt.Fprintf(w, "  %-28s ok       %s, %s, thin snapshot\n", v.Volume, v.Source, config.FormatBytes(v.Size))
		default:
			fmt.Fprintf(w, "  %-28s ok       %s, %s, snapshot %s\n", v.Volume, v.Source, config.FormatBytes(v.Size), config.FormatBytes(v.Needed))
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
