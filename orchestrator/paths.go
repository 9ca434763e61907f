package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// Trees is what the plan, a run and a tree restore need to check and copy
// directory trees.
type Trees interface {
	// CheckDir returns nil when path is an existing directory, else an error naming
	// it; it changes nothing.
	CheckDir(ctx context.Context, path string) error
	// SyncTree is transfer.SyncTree's contract: dst made a copy of src with rsync
	// -aHx --delete semantics, big files in place by changed blocks; on error dst may
	// be half written, and the caller rolls it back.
	SyncTree(ctx context.Context, src, dst string, opts transfer.TreeOptions) (transfer.TreeStats, error)
}

// TransferTrees is transfer.SyncTree and os.Stat as Trees.
type TransferTrees struct{}

// SyncTree calls transfer.SyncTree.
func (TransferTrees) SyncTree(ctx context.Context, src, dst string, opts transfer.TreeOptions) (transfer.TreeStats, error) {
	return transfer.SyncTree(ctx, src, dst, opts)
}

// CheckDir stats path.
func (TransferTrees) CheckDir(_ context.Context, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", path)
	}
	return nil
}

// PathPlan is one `paths:` entry of a run: a live tree (Path) or an LV (Volume)
// snapshotted, fsck'd, mounted read-only and copied.
type PathPlan struct {
	Name    string   `json:"name"`
	Dataset string   `json:"dataset"`
	Path    string   `json:"path,omitempty"`
	Volume  string   `json:"volume,omitempty"` // VG/LV
	Exclude []string `json:"exclude,omitempty"`
	// Skip: the target's own mount points below Path, never copied.
	Skip []string `json:"skip,omitempty"`
	// With: the VMs in whose freeze window the volume is snapshotted (none: its own).
	With []string `json:"with,omitempty"`
	// Error: why the entry cannot be backed up now (its directory gone, its LV
	// removed, ...): it is in Plan.FailedPaths, and a run fails it alone.
	Error string `json:"error,omitempty"`
}

// Source is what the entry copies: its path, or its volume.
func (p *PathPlan) Source() string {
	if p.Volume != "" {
		return p.Volume
	}
	return p.Path
}

// ErrBadPath: a paths: entry that cannot be backed up now (a path that is not a
// directory or lies in the target, a volume that is not an LV, or a VM's disk). A run
// fails that entry alone (exit 1); an unknown --path is ErrBadSelection (exit 2).
var ErrBadPath = errors.New("bad paths: entry")

// selectPaths returns the entries a run backs up: --path names (each must be a
// configured entry), else every entry.
func selectPaths(cfg *config.Config, names []string) ([]config.PathEntry, error) {
	if len(names) == 0 {
		return cfg.Paths, nil
	}
	var have []string
	for _, p := range cfg.Paths {
		have = append(have, p.Name)
	}
	var out []config.PathEntry
	for _, n := range names {
		i := slices.IndexFunc(cfg.Paths, func(p config.PathEntry) bool { return p.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("%w: --path %s: no such paths: entry (entries: %s)", ErrBadSelection, n, orNone(have))
		}
		if !slices.ContainsFunc(out, func(p config.PathEntry) bool { return p.Name == n }) {
			out = append(out, cfg.Paths[i])
		}
	}
	return out, nil
}

// PathError is one paths: entry that a run cannot back up (it wraps ErrBadPath).
type PathError struct {
	Name string // the entry's name
	Why  string // what is wrong with it, naming the path or volume
}

func (e *PathError) Error() string {
	return fmt.Sprintf("%v: paths: %s: %s", ErrBadPath, e.Name, e.Why)
}
func (e *PathError) Unwrap() error { return ErrBadPath }

// PathErrors lists the *PathErrors in err (one, or those errors.Join joined).
func PathErrors(err error) []*PathError {
	var out []*PathError
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, PathErrors(e)...)
		}
		return out
	}
	var pe *PathError
	if errors.As(err, &pe) {
		out = append(out, pe)
	}
	return out
}

// planPaths checks each entry and plans it: a volume entry joins the group of the
// VMs that use its LV (in file mode: the LV holds their images), or gets a group of
// its own. targetMounts are the target's mount points: a path inside one is refused,
// those inside a path are skipped. Every entry is checked: each bad entry is listed
// in p.FailedPaths with the reason and the error joins one *PathError per bad entry;
// the good ones are planned all the same.
func planPaths(ctx context.Context, m LVView, tr Trees, cfg *config.Config, entries []config.PathEntry,
	targetMounts []string, vols map[string]*VolumePlan, p *Plan) error {
	var errs []error
	for _, e := range entries {
		pp, why := planPath(ctx, m, tr, cfg, e, targetMounts, vols)
		if why != "" {
			errs = append(errs, &PathError{Name: e.Name, Why: why})
			failed := &PathPlan{Name: e.Name, Dataset: zfs.Layout{Root: cfg.Target.Dataset}.Dataset(zfs.PathUnit(e.Name)),
				Path: e.Path, Exclude: e.Exclude, Error: why}
			if e.Volume != nil {
				failed.Volume = e.Volume.String()
			}
			p.FailedPaths = append(p.FailedPaths, failed)
			continue
		}
		p.Paths = append(p.Paths, pp)
	}
	return errors.Join(errs...)
}

// planPath plans one entry, or says why it cannot be backed up.
func planPath(ctx context.Context, m LVView, tr Trees, cfg *config.Config, e config.PathEntry,
	targetMounts []string, vols map[string]*VolumePlan) (*PathPlan, string) {
	pp := &PathPlan{Name: e.Name, Dataset: zfs.Layout{Root: cfg.Target.Dataset}.Dataset(zfs.PathUnit(e.Name)), Path: e.Path, Exclude: e.Exclude}
	if err := zfs.CheckComponent(e.Name); err != nil {
		return nil, fmt.Sprintf("the name cannot be a dataset name: %v", err)
	}
	if e.Volume == nil {
		if err := tr.CheckDir(ctx, e.Path); err != nil {
			return nil, fmt.Sprintf("path %s: %v", e.Path, err)
		}
		for _, mp := range targetMounts {
			if within(e.Path, mp) {
				return nil, fmt.Sprintf("path %s is inside the target's mount point %s: a backup cannot hold itself", e.Path, mp)
			}
			if within(mp, e.Path) && !slices.Contains(pp.Skip, mp) {
				pp.Skip = append(pp.Skip, mp)
			}
		}
		return pp, ""
	}
	l, err := m.LV(ctx, e.Volume.VG, e.Volume.LV)
	if err != nil {
		return nil, fmt.Sprintf("volume %s: %v", e.Volume, err)
	}
	if l.Origin != "" {
		return nil, fmt.Sprintf("volume %s is a snapshot of %s/%s, not an origin LV", e.Volume, l.VG, l.Origin)
	}
	pp.Volume = l.FullName()
	vp := vols[pp.Volume]
	switch {
	case vp != nil && vp.Mode == ModeBlock:
		return nil, fmt.Sprintf("volume %s is a VM's disk (%s): it is backed up as the VM's image", pp.Volume, strings.Join(vmNames(vp.vms), ", "))
	case vp == nil:
		vp = &VolumePlan{LV: l, Mode: ModeFile}
		if !l.IsThin() {
			vp.SnapshotSize = cfg.Snapshot.Size.Resolve(l.Size)
		}
		vols[pp.Volume] = vp
	}
	vp.paths = append(vp.paths, pp)
	pp.With = vmNames(vp.vms)
	return pp, ""
}

// within: path p is dir or below it.
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

func vmNames(vms []*VMPlan) []string {
	var out []string
	for _, v := range vms {
		out = append(out, v.Name)
	}
	return out
}

// pathGroups adds the volume entries to the groups: to the group of the VMs that use
// their LV, or to a group of their own (no VM to freeze).
func pathGroups(p *Plan, vols map[string]*VolumePlan) {
	for _, pp := range p.Paths {
		if pp.Volume == "" {
			continue
		}
		vp := vols[pp.Volume]
		var g *Group
		for _, cand := range p.Groups {
			if slices.Contains(cand.Volumes, vp) {
				g = cand
			}
		}
		if g == nil {
			g = &Group{Volumes: []*VolumePlan{vp}}
			p.Groups = append(p.Groups, g)
		}
		g.Paths = append(g.Paths, pp)
	}
}

// PathResult is one paths: entry's backup in a run (Written: the small files'
// differing blocks + big files' changed blocks).
type PathResult struct {
	Result
	Source      string             `json:"source"` // the path, or VG/LV
	Files       int                `json:"files"`
	Transferred int                `json:"files_transferred"`
	Tree        transfer.TreeStats `json:"tree"`
	// CopiedAt: the time of the copy this night trusted for what did not change
	// since (transfer.TreeOptions.Unchanged); absent when everything was compared.
	CopiedAt *time.Time `json:"copied_at,omitempty"`
	mark     string     // the sync's mark (TreeStats.Mark), for its snapshot when it was complete
}

// treeKind is a paths: entry as a unit: its tree copied with rsync semantics.
type treeKind struct {
	plan *PathPlan
	res  *PathResult
}

// ready fences the copy (fenceCopy).
func (k treeKind) ready(ctx context.Context, r *run, u *unit) error {
	return r.fenceCopy(ctx, u.dataset, u.mount)
}

// seal: the tree is all the backup holds.
func (treeKind) seal(context.Context, *run, *unit) error { return nil }

func (k treeKind) props(r *run, u *unit) map[string]string {
	return zfs.BackupProps{Run: r.o.RunID, Version: r.o.Version, Source: k.plan.Source(),
		Duration: u.res.Duration, Written: u.res.Written, Tree: k.res.mark}.Props(zfs.KindPath)
}

// fenceCopy keeps users out of a tree's copy: rsync -a semantics give them their own
// directories in it, where they could write while a run works (or plant links). The
// directory the path datasets are mounted in (ROOT/_paths's mount point) is made
// root's alone (0700), and the copy at mount must lie below it.
func (r *run) fenceCopy(ctx context.Context, ds, mount string) error {
	parent := path.Dir(ds)
	pmp, err := r.Target.Mountpoint(ctx, parent)
	if err != nil {
		return fmt.Errorf("dataset %s: %w", parent, err)
	}
	if !strings.HasPrefix(filepath.Clean(mount)+"/", filepath.Clean(pmp)+"/") || filepath.Clean(mount) == filepath.Clean(pmp) {
		return fmt.Errorf("dataset %s is mounted at %s, not below %s (%s, root's alone): users could reach into the copy there; let it inherit its mount point (zfs inherit mountpoint %s)", ds, mount, pmp, parent, ds)
	}
	fd, err := privateDir(pmp)
	if err != nil {
		return fmt.Errorf("dataset %s: %w", parent, err)
	}
	return unix.Close(fd)
}

// syncPath copies the tree at src into the entry's dataset.
func (r *run) syncPath(ctx context.Context, u *unit, src string) {
	k := u.kind.(treeKind)
	pp := k.plan
	// The copy is written through a directory of the unit's dataset, whatever its
	// mount point read said: remounted since, it writes nothing.
	opts := transfer.TreeOptions{Exclude: pp.Exclude, Skip: pp.Skip, Xattrs: true,
		CheckDest: func(dir *unix.Stat_t) error { return r.Target.CheckMount(u.dataset, dir) }}
	live := src == pp.Path // a volume's snapshot is mounted anew each night: never trusted
	if at, mark, ok := r.view.copiedAt(u.dataset); ok && live {
		opts.Unchanged, opts.Mark = at, mark
	}
	r.log.Info().Str("path", pp.Name).Str("from", src).Str("to", u.mount).Time("unchanged_since", opts.Unchanged).Msg("tree copy")
	ts, err := r.Trees.SyncTree(ctx, src, u.mount, opts)
	r.mu.Lock()
	k.res.Tree = ts
	if ts.Trusted {
		k.res.CopiedAt = &opts.Unchanged
	}
	if err == nil && live && !ts.Vanished && ts.Changed == 0 { // complete: the next night may trust it
		k.res.mark = ts.Mark
	}
	k.res.Written = ts.SmallWritten + ts.BigWritten
	k.res.Files, k.res.Transferred = ts.Files, ts.Transferred
	if ts.Vanished {
		k.res.Note = "some files vanished while they were read (a live tree)"
	}
	if ts.Changed > 0 {
		k.res.Note = fmt.Sprintf("%d paths vanished or changed while copied (a live tree): skipped, never followed", ts.Changed)
	}
	r.mu.Unlock()
	if err != nil {
		r.fail(u, fmt.Errorf("copy %s to %s: %w", src, pp.Dataset, err))
	}
}

// volumePaths are the volume entries of vp not failed so far.
func (r *run) volumePaths(vp *VolumePlan) []*unit {
	var out []*unit
	for _, pp := range vp.paths {
		if u := r.pathUnit(pp); !r.failed(u) {
			out = append(out, u)
		}
	}
	return out
}

// livePaths backs up the path entries (live trees), one after the other, each its
// own group: its dated snapshot is dated when its copy starts.
func (r *run) livePaths(ctx context.Context) {
	r.view.resync(ctx, r.log)
	for _, pp := range r.rep.Plan.Paths {
		if pp.Path == "" {
			continue
		}
		u := r.pathUnit(pp)
		at := r.o.Now().UTC().Truncate(time.Second)
		if ctx.Err() != nil { // interrupted: touch nothing more
			u.start = r.o.Now()
			r.fail(u, fmt.Errorf("interrupted: %w", context.Cause(ctx)))
			r.commit(ctx, u, at)
			continue
		}
		r.prepare(ctx, u, r.o.Now())
		if !r.failed(u) {
			r.syncPath(ctx, u, pp.Path)
		}
		r.commit(ctx, u, at)
	}
}

// Mounter says where a dataset's files are.
type Mounter interface {
	// Mountpoint returns where a dataset is mounted ("" when it is not mounted, an
	// error satisfying zfs.IsNotFound when it does not exist). Nothing is changed.
	Mountpoint(ctx context.Context, dataset string) (string, error)
}

// TargetMounts are the mount points of the target dataset (unless the first run is
// yet to create it) and, when it is mounted, of the pool's root dataset (often
// mountpoint=none: then it holds no files): a tree never holds them. A target dataset
// that exists must be mounted (an error otherwise).
func TargetMounts(ctx context.Context, t Mounter, dataset string) ([]string, error) {
	var out []string
	mp, err := t.Mountpoint(ctx, dataset)
	switch {
	case err == nil:
		out = append(out, filepath.Clean(mp))
	case !zfs.IsNotFound(err):
		return nil, err
	}
	if mp, err := t.Mountpoint(ctx, zfs.Pool(dataset)); err == nil && mp != "" {
		out = append(out, filepath.Clean(mp))
	}
	return out, nil
}

// ErrUnknownPath: a paths: entry asked for by name has no dataset under the target
// (the layout's: zfs.Layout.Units).
var ErrUnknownPath = zfs.ErrUnknownPath

// CheckedTargetMounts is TargetMounts with the pool's root dataset's mount as the
// target check read it (tr; nil: t's): where a run and `kvmbackup check` read it
// alike, both fence the same directories.
func CheckedTargetMounts(ctx context.Context, t Mounter, tr *zfs.TargetReport, dataset string) ([]string, error) {
	return TargetMounts(ctx, checkedMounts{t, tr}, dataset)
}

// checkedMounts answers Mountpoint for the pool's root dataset from the target
// check's report, which read it (from the mount table, with the target's figures),
// and for every other dataset as Mounter does.
//
// TargetMounts always wants the pool's root dataset's mount, even for a night
// whose entries look far from it: its mountpoint may be any directory (/srv,
// /home, ...), so no entry's path can be judged clear of it without reading it. Read
// with the check, it costs no command of its own, and a tree never holds it
// whatever the entries are.
type checkedMounts struct {
	Mounter
	tr *zfs.TargetReport
}

func (c checkedMounts) Mountpoint(ctx context.Context, ds string) (string, error) {
	if c.tr == nil || ds != c.tr.Pool || !c.tr.PoolMountRead {
		return c.Mounter.Mountpoint(ctx, ds)
	}
	if c.tr.PoolMountpoint == "" {
		return "", fmt.Errorf("dataset %s is not mounted (as the target check read it): `zfs mount %s`", ds, ds)
	}
	return c.tr.PoolMountpoint, nil
}
