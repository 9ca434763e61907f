package orchestrator

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// manifestDir holds the block manifests of a VM's images, in its dataset.
const manifestDir = ".manifest"

// vmKind is a VM as a unit: its disks copied as images by changed blocks, with its
// domain XML and kvmbackup.json beside them.
type vmKind struct {
	plan *VMPlan
	res  *VMResult
}

// ready makes the manifest directory.
func (vmKind) ready(_ context.Context, _ *run, u *unit) error {
	if err := os.MkdirAll(filepath.Join(u.mount, manifestDir), 0o700); err != nil {
		return fmt.Errorf("dataset %s: %w", u.dataset, err)
	}
	return nil
}

// seal removes what is no disk of the VM now, and writes domain.xml and
// kvmbackup.json.
func (k vmKind) seal(ctx context.Context, r *run, u *unit) error {
	gone, err := removeStale(u.mount, k.plan)
	if err != nil {
		return err
	}
	if len(gone) > 0 {
		r.log.Info().Str("vm", k.plan.Name).Strs("removed", gone).Msg("removed what is no disk of the VM now")
	}
	return k.writeMeta(ctx, r, u)
}

func (k vmKind) props(r *run, u *unit) map[string]string {
	bases := map[string]string{}
	r.mu.Lock()
	for _, d := range k.res.Disks {
		if d.Base != "" && d.Error == "" {
			bases[d.Disk] = d.Base
		}
	}
	r.mu.Unlock()
	return zfs.BackupProps{Run: r.o.RunID, Version: r.o.Version, Quiesce: string(k.res.Quiesce),
		Pause: k.res.Pause, Duration: k.res.Duration, Written: k.res.Written, Bases: bases}.Props(zfs.KindVM)
}

// copyDisk copies one disk's image from src (its snapshot's device, or its file in
// the snapshot's mount) into the VM's dataset.
// tr says what changed since the last backup (changed-block tracking), or why that
// is not known.
func (r *run) copyDisk(ctx context.Context, src string, d *DiskPlan, tr tracking) error {
	u := r.vmUnit(d.vm)
	res := u.kind.(vmKind).res
	dst := filepath.Join(u.mount, d.Image)
	opts := transfer.Options{Manifest: filepath.Join(u.mount, manifestDir, d.Image), Tracked: tr.on, Changed: tr.changed}
	if r.o.Progress != nil {
		opts.Progress = func(done, total int64) { r.o.Progress(d.vm.Name, d.Target, done, total) }
	}
	r.log.Info().Str("vm", d.vm.Name).Str("disk", d.Target).Str("from", src).Str("to", dst).Msg("copy")
	stats, err := r.Copier.Copy(ctx, src, dst, opts)
	if tr.on && err == nil && stats.Mode != "cbt" { // the image changed since its dated snapshot
		tr.why = "cbt: dataset changed since the last backup: " + stats.Note
	}
	if err == nil && tr.extents != nil { // file mode: the next run maps its changes through it
		if err = transfer.WriteExtents(r.extentsPath(u, d), tr.extents); err != nil {
			err = fmt.Errorf("extent map of %s: %w", d.Image, err)
		}
	}
	r.mu.Lock()
	res.Disks = append(res.Disks, DiskResult{Disk: d.Target, Volume: d.Volume, Mode: d.Mode, Image: d.Image, Stats: stats, Error: errString(err),
		Tracking: tr.why, Base: tr.keep})
	res.Read += stats.SrcRead + stats.DstRead
	res.Written += stats.Written
	r.mu.Unlock()
	if err != nil {
		return fmt.Errorf("copy disk %s (%s) to %s: %w", d.Target, src, dst, err)
	}
	return nil
}

// Meta is kvmbackup.json in each backup: what it holds.
type Meta struct {
	VM       string          `json:"vm"`
	Run      string          `json:"run"`
	Version  string          `json:"version"`
	Time     time.Time       `json:"time"` // the LVM snapshots' instant
	Quiesce  hypervisor.Mode `json:"quiesce"`
	PauseNS  time.Duration   `json:"pause_window_ns"`
	Disks    []MetaDisk      `json:"disks"`
	DomainOK bool            `json:"domain_xml"`
}

// MetaDisk is one disk of a backup.
type MetaDisk struct {
	Disk    string `json:"disk"`
	Source  string `json:"source"`
	Volume  string `json:"volume"`
	Mode    string `json:"mode"`
	Format  string `json:"format"`
	Image   string `json:"image"`
	Size    int64  `json:"size"`
	Written int64  `json:"written"`
}

func (k vmKind) writeMeta(ctx context.Context, r *run, u *unit) error {
	vm := k.plan
	x, err := r.Hypervisor.DomainXML(ctx, vm.Name)
	if err != nil {
		return fmt.Errorf("domain XML of %s: %w", vm.Name, err)
	}
	if err := atomicfile.Write(filepath.Join(u.mount, "domain.xml"), []byte(x), 0o600); err != nil {
		return err
	}
	m := Meta{VM: vm.Name, Run: r.o.RunID, Version: r.o.Version, Time: r.snapAt, Quiesce: k.res.Quiesce, PauseNS: k.res.Pause, DomainOK: true}
	for _, d := range vm.Disks {
		md := MetaDisk{Disk: d.Target, Source: d.Source, Volume: d.Volume, Mode: d.Mode, Format: d.Format, Image: d.Image}
		for _, dr := range k.res.Disks {
			if dr.Disk == d.Target {
				md.Size, md.Written = dr.Stats.Size, dr.Stats.Written
			}
		}
		m.Disks = append(m.Disks, md)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(u.mount, "kvmbackup.json"), append(b, '\n'), 0o600)
}
