package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// DefaultJournalDir holds the journals of runs (a crashed run's stays there).
const DefaultJournalDir = "/var/lib/kvmbackup/journal"

// CleanupTimeout bounds each undo step (thaw, unmount, snapshot removal, rollback)
// of a run whose context was cancelled (SIGINT, SIGTERM): they run on a fresh context.
var CleanupTimeout = 2 * time.Minute

// Options tune a run.
type Options struct {
	Config *config.Config
	VMs    []string // --vm: only these
	Paths  []string // --path: only these paths: entries (with neither: every VM and entry)
	DryRun bool     // plan only, change nothing
	// RunID names the run in LVM tags, libvirt marks, the journal and the snapshot
	// properties; default: the start time, UTC (20261125T030000Z).
	RunID      string
	Now        func() time.Time // default time.Now
	JournalDir string           // default DefaultJournalDir
	LockPath   string           // default DefaultLockPath
	// Workers is how many volumes are copied at once (default 2).
	Workers int
	// FillInterval is how often a snapshot's fill is checked while it is read
	// (default 1s).
	FillInterval time.Duration
	Version      string
	Location     *time.Location // retention periods (default time.Local)
	// Progress, when set, is called as disks are copied.
	Progress func(vm, disk string, done, total int64)
	// Sleep is the freeze window's settle wait (default: a timer), for tests.
	Sleep func(ctx context.Context, d time.Duration) error
}

// EnvError is a run that could not start: bad selection, the lock held, the target
// unfit, libvirt unreachable. Nothing was changed (exit status 2).
type EnvError struct{ Err error }

func (e *EnvError) Error() string { return e.Err.Error() }
func (e *EnvError) Unwrap() error { return e.Err }

// Run is one backup night (DESIGN.md, "The pipeline"): lock, recover, plan, then per
// group the freeze window, the copies and the commits, then prune. It returns the
// report; an *EnvError when the run could not start (nothing changed). VM failures
// are in the report (Report.OK), never lost: each failed VM's dataset is rolled back.
func Run(ctx context.Context, d Deps, o Options) (*Report, error) {
	r, err := newRun(d, o)
	if err != nil {
		return nil, &EnvError{err}
	}
	return r.run(ctx)
}

type run struct {
	Deps
	o       Options
	cfg     *config.Config
	rep     *Report
	journal *Journal
	log     *zerolog.Logger
	mu      sync.Mutex // guards the VM states' results and errors
	vms     map[string]*vmState
	paths   map[string]*pathState
	snapAt  time.Time
}

// vmState is one VM during a run.
type vmState struct {
	plan    *VMPlan
	res     *VMResult
	mount   string // the dataset's files
	dirty   bool   // journal says the dataset may be written
	created bool   // this run created the dataset
	errs    []error
}

func newRun(d Deps, o Options) (*run, error) {
	if o.Config == nil {
		return nil, errors.New("no configuration")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.JournalDir == "" {
		o.JournalDir = DefaultJournalDir
	}
	if o.LockPath == "" {
		o.LockPath = DefaultLockPath
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.FillInterval <= 0 {
		o.FillInterval = time.Second
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.RunID == "" {
		o.RunID = o.Now().UTC().Format("20060102T150405Z")
	}
	if err := policies.Policy(o.Config.Retention).Validate(); err != nil {
		return nil, err
	}
	if d.Trees == nil {
		d.Trees = TransferTrees{}
	}
	return &run{Deps: d, o: o, cfg: o.Config, vms: map[string]*vmState{}, paths: map[string]*pathState{}}, nil
}

func (r *run) run(ctx context.Context) (*Report, error) {
	r.log = zerolog.Ctx(ctx)
	start := r.o.Now()
	r.rep = &Report{RunID: r.o.RunID, Start: start.UTC(), DryRun: r.o.DryRun, Target: r.cfg.Target.Dataset}
	step := r.stepper()

	lock, err := Lock(r.o.LockPath)
	if err != nil {
		return nil, &EnvError{err}
	}
	defer lock.Unlock()

	if !r.o.DryRun {
		rec, err := Recover(ctx, r.Deps, RecoverOptions{JournalDir: r.o.JournalDir, Root: r.cfg.Target.Dataset})
		r.rep.Recovered = rec
		if err != nil {
			r.rep.Errors = append(r.rep.Errors, "recover: "+err.Error())
		}
		step("recover")
	}

	tr, err := r.Target.CheckTarget(ctx, zfs.TargetOptions{Dataset: r.cfg.Target.Dataset,
		RequireMirror: r.cfg.Target.RequireMirror, RequireCompression: r.cfg.Target.RequireCompression})
	if err == nil {
		err = tr.Err()
	}
	if err != nil {
		return nil, &EnvError{fmt.Errorf("target %s: %w", r.cfg.Target.Dataset, err)}
	}
	step("target check")

	var mounts []string
	if len(r.cfg.Paths) > 0 {
		if mounts, err = TargetMounts(ctx, r.Target, r.cfg.Target.Dataset); err != nil {
			return nil, &EnvError{fmt.Errorf("target %s: %w", r.cfg.Target.Dataset, err)}
		}
	}
	plan, err := MakePlan(ctx, r.Hypervisor, r.LVM, PlanOptions{Config: r.cfg, VMs: r.o.VMs, Paths: r.o.Paths, Trees: r.Trees, TargetMounts: mounts})
	if err != nil {
		if errors.Is(err, ErrBadSelection) || errors.Is(err, ErrBadPath) {
			return nil, &EnvError{err}
		}
		return nil, &EnvError{fmt.Errorf("plan: %w", err)}
	}
	r.rep.Plan = plan
	step("plan")
	for _, vm := range plan.VMs() {
		res := &VMResult{Name: vm.Name, Dataset: vm.Dataset, Quiesce: vm.Quiesce, Status: StatusPlanned}
		if vm.Error != "" {
			res.Status, res.Error = StatusFailed, vm.Error
		}
		r.rep.VMs = append(r.rep.VMs, res)
		r.vms[vm.Name] = &vmState{plan: vm, res: res}
	}
	for _, pp := range plan.Paths {
		res := &PathResult{Name: pp.Name, Dataset: pp.Dataset, Source: pp.Source(), Status: StatusPlanned}
		r.rep.Paths = append(r.rep.Paths, res)
		r.paths[pp.Name] = &pathState{plan: pp, res: res}
	}
	if r.o.DryRun {
		r.rep.Duration = r.o.Now().Sub(start)
		return r.rep, nil
	}

	j, err := OpenJournal(r.o.JournalDir, r.o.RunID)
	if err != nil {
		return nil, &EnvError{err}
	}
	r.journal = j
	for i, g := range plan.Groups {
		r.group(ctx, g)
		step(fmt.Sprintf("group %d (%s)", i+1, groupNames(g)))
	}
	if slices.ContainsFunc(plan.Paths, func(pp *PathPlan) bool { return pp.Path != "" }) {
		r.livePaths(ctx)
		step("paths")
	}
	r.prune(ctx)
	r.lastSuccess(ctx)
	step("prune")

	undone := true
	for _, st := range r.vms {
		if st.dirty { // neither committed nor rolled back
			undone = false
			r.rep.Errors = append(r.rep.Errors, fmt.Sprintf("%s: left for the next run to roll back", st.plan.Dataset))
		}
	}
	for _, st := range r.paths {
		if st.dirty {
			undone = false
			r.rep.Errors = append(r.rep.Errors, fmt.Sprintf("%s: left for the next run to roll back", st.plan.Dataset))
		}
	}
	if undone {
		if err := j.Finish(); err != nil {
			r.rep.Errors = append(r.rep.Errors, err.Error())
		}
	} else {
		j.Close()
	}
	r.rep.Duration = r.o.Now().Sub(start)
	if ctx.Err() != nil {
		r.rep.Interrupted = true
	}
	return r.rep, nil
}

// stepper returns a function that records how long the step just ended took.
func (r *run) stepper() func(name string) {
	last := r.o.Now()
	return func(name string) {
		now := r.o.Now()
		r.rep.Steps = append(r.rep.Steps, Step{Name: name, Duration: now.Sub(last)})
		r.log.Info().Str("step", name).Dur("took", now.Sub(last)).Msg("step done")
		last = now
	}
}

// record journals a side effect before it happens; a journal that cannot be written
// stops the side effect.
func (r *run) record(op Op, key, detail string) error {
	if err := r.journal.Record(op, key, detail); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

func (r *run) fail(vm *VMPlan, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.vms[vm.Name]
	st.errs = append(st.errs, err)
	r.log.Error().Str("vm", vm.Name).Err(err).Msg("backup failed")
}

func (r *run) failed(vm *VMPlan) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.vms[vm.Name].errs) > 0
}

// cleanupCtx is for undo steps: they run even when the run was cancelled.
func cleanupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
}

// group backs up one consistency group: datasets ready, freeze window (snapshot
// every volume), copies, then commit or roll back each VM.
func (r *run) group(ctx context.Context, g *Group) {
	gstart := r.o.Now()
	for _, vm := range g.VMs {
		st := r.vms[vm.Name]
		st.res.Status = StatusRunning
		if err := r.prepareDataset(ctx, st); err != nil {
			r.fail(vm, err)
		}
	}
	for _, pp := range g.Paths {
		r.preparePath(ctx, r.paths[pp.Name])
	}
	snaps := r.freezeWindow(ctx, g)
	r.copyVolumes(ctx, g, snaps)
	for _, vm := range g.VMs {
		r.vms[vm.Name].res.Duration = r.o.Now().Sub(gstart) // to the commit
		r.commit(ctx, r.vms[vm.Name])
	}
	for _, pp := range g.Paths {
		r.commitPath(ctx, r.paths[pp.Name], r.snapAt)
	}
}

// prepareDataset creates the VM's dataset if needed and journals it dirty; a dataset
// kvmbackup did not make fails the VM before anything is written (ownDataset).
func (r *run) prepareDataset(ctx context.Context, st *vmState) error {
	ds := st.plan.Dataset
	made, err := r.ensureOwn(ctx, ds, zfs.VMUnit(st.plan.Name), &st.dirty)
	st.created = made
	if err != nil {
		return err
	}
	mp, err := r.Target.Mountpoint(ctx, ds)
	if err != nil {
		return fmt.Errorf("dataset %s: %w", ds, err)
	}
	if err := os.MkdirAll(filepath.Join(mp, manifestDir), 0o700); err != nil {
		return fmt.Errorf("dataset %s: %w", ds, err)
	}
	st.mount = mp
	return nil
}

// ensureOwn makes ds ready to be written for the unit u: an existing dataset must be
// u's (or adoptable: it is adopted), a missing one is created carrying u's owner;
// the journal records it dirty first (*dirty set). It reports whether this run
// created it. A dataset that is not u's is an error naming it, and left alone.
func (r *run) ensureOwn(ctx context.Context, ds string, u zfs.Unit, dirty *bool) (bool, error) {
	owner := u.Owner()
	exists, err := ownDataset(ctx, r.Target, ds, u, true)
	if err != nil {
		return false, err
	}
	created := "existing"
	if !exists {
		created = "created"
	}
	if err := r.record(OpDirty, ds, created); err != nil {
		return false, err
	}
	*dirty = true
	made, err := r.Target.EnsureDataset(ctx, ds, owner)
	if err != nil {
		return made || !exists, fmt.Errorf("dataset %s: %w", ds, err)
	}
	if !exists && !made { // made by someone else since ownDataset looked: whose?
		if got, err := r.Target.Owner(ctx, ds); err != nil || got != owner {
			*dirty = false
			_ = r.record(OpRollback, ds, "not kvmbackup's: left alone")
			return false, fmt.Errorf("dataset %s: %w: it appeared while the run prepared it (%s)", ds, zfs.ErrForeign, got)
		}
	}
	return !exists, nil
}

// snapshotOf is a volume's LVM snapshot, or why it has none.
type snapshotOf struct {
	snap lvm.LV
	err  error
}

// freezeWindow quiesces the group, snapshots every volume, and resumes the group:
// the resume runs on every path. It returns each volume's snapshot (or error).
func (r *run) freezeWindow(ctx context.Context, g *Group) map[*VolumePlan]snapshotOf {
	out := map[*VolumePlan]snapshotOf{}
	var names []string
	for _, vm := range g.VMs {
		if !r.failed(vm) {
			names = append(names, vm.Name)
		}
	}
	if len(names) == 0 {
		// No VM to freeze: the volumes of paths: entries are snapshotted alone.
		r.snapAt = r.o.Now().UTC().Truncate(time.Second)
		for _, vp := range g.Volumes {
			if len(r.volumePaths(vp)) > 0 {
				out[vp] = r.snapshotVolume(ctx, vp)
			}
		}
		return out
	}
	for _, n := range names {
		if err := r.record(OpFreeze, n, r.o.RunID); err != nil {
			r.failAll(g, err)
			return out
		}
	}
	frozen, err := r.Hypervisor.Freeze(ctx, names, hypervisor.FreezeOptions{
		Mode: hypervisor.Mode(r.cfg.Quiesce.Mode), Settle: r.cfg.Quiesce.Settle, MaxPause: r.cfg.Quiesce.MaxPause,
		RunID: r.o.RunID, Now: r.o.Now, Sleep: r.o.Sleep})
	if err != nil {
		r.failAll(g, fmt.Errorf("freeze: %w", err))
		for _, n := range names {
			_ = r.record(OpThaw, n, "freeze failed")
		}
		return out
	}
	thawed := false
	thaw := func() {
		if thawed {
			return
		}
		thawed = true
		tctx, cancel := cleanupCtx(ctx)
		defer cancel()
		reps, err := frozen.Thaw(tctx)
		r.applyFreezeReports(reps)
		r.log.Info().Strs("vms", names).Err(err).Msg("resumed")
		if err != nil {
			r.failAll(g, fmt.Errorf("resume: %w", err))
			return // the VM stays marked: the next run's recover resumes it
		}
		for _, n := range names {
			_ = r.record(OpThaw, n, "")
		}
	}
	defer thaw()
	r.log.Info().Strs("vms", names).Msg("frozen")
	r.snapAt = r.o.Now().UTC().Truncate(time.Second)
	// Every lvcreate at once, until the window's deadline (quiesce.max-pause): then
	// the group is resumed whatever is pending, and each snapshot still pending
	// fails its volume's VMs; it is removed when its lvcreate ends.
	results := make(chan volumeSnapshot, len(g.Volumes))
	for _, vp := range g.Volumes {
		go func() { results <- volumeSnapshot{vp, r.snapshotVolume(ctx, vp)} }()
	}
	var deadline <-chan time.Time
	if dl := frozen.Deadline(); !dl.IsZero() {
		t := time.NewTimer(time.Until(dl))
		defer t.Stop()
		deadline = t.C
	}
	pending := len(g.Volumes)
	var cut error // why the window ended with snapshots pending
collect:
	for pending > 0 {
		select {
		case vs := <-results:
			out[vs.vp] = vs.s
			pending--
		case <-deadline:
			cut = fmt.Errorf("still pending when the freeze window reached quiesce.max-pause (%v): the group was resumed without it", r.cfg.Quiesce.MaxPause)
			break collect
		case <-ctx.Done():
			cut = fmt.Errorf("interrupted in the freeze window: %w", context.Cause(ctx))
			break collect
		}
	}
	thaw()
	if cut != nil {
		r.log.Error().Strs("vms", names).Int("pending", pending).Err(cut).Msg("resumed with snapshots pending")
	}
	for ; pending > 0; pending-- { // a started lvcreate runs to its end (snapshotVolume)
		vs := <-results
		if vs.s.err == nil {
			r.removeSnapshot(ctx, vs.vp, vs.s.snap)
		}
		out[vs.vp] = snapshotOf{err: errors.Join(fmt.Errorf("snapshot %s: %w", vs.vp.LV.FullName(), cut), vs.s.err)}
	}
	return out
}

// volumeSnapshot is a volume's snapshot as its lvcreate ends.
type volumeSnapshot struct {
	vp *VolumePlan
	s  snapshotOf
}

// snapshotVolume takes the LVM snapshot of one volume, journaled first.
func (r *run) snapshotVolume(ctx context.Context, vp *VolumePlan) snapshotOf {
	if ctx.Err() != nil {
		return snapshotOf{err: fmt.Errorf("snapshot %s: %w", vp.LV.FullName(), context.Cause(ctx))}
	}
	name := lvm.SnapshotName(vp.LV.Name, r.o.RunID)
	if err := r.record(OpSnapshot, vp.LV.VG+"/"+name, vp.LV.FullName()); err != nil {
		return snapshotOf{err: err}
	}
	// A started lvcreate runs to its end even when the run is cancelled: killed
	// midway it could leave the origin suspended (dm), and the guests' I/O with it.
	sctx, cancel := cleanupCtx(ctx)
	s, err := r.LVM.Snapshot(sctx, vp.LV.VG, vp.LV.Name, lvm.SnapshotOptions{RunID: r.o.RunID,
		Size: config.Size{Bytes: vp.SnapshotSize}, Chunksize: r.cfg.Snapshot.Chunksize})
	cancel()
	if err != nil {
		err = fmt.Errorf("snapshot %s: %w", vp.LV.FullName(), err)
		_ = r.record(OpRemove, vp.LV.VG+"/"+name, "not created")
	}
	return snapshotOf{snap: s, err: err}
}

func (r *run) applyFreezeReports(reps []hypervisor.VMReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rep := range reps {
		if st := r.vms[rep.Name]; st != nil {
			st.res.Pause = rep.Window
			if rep.Mode != "" {
				st.res.Quiesce = rep.Mode
			}
			st.res.Note = strings.TrimSpace(strings.Join([]string{rep.Skipped, rep.Note}, " "))
		}
	}
}

func (r *run) failAll(g *Group, err error) {
	for _, vm := range g.VMs {
		r.fail(vm, err)
	}
	for _, pp := range g.Paths {
		r.failPath(pp, err)
	}
}

// copyVolumes copies every volume of the group from its snapshot, Workers at a time,
// and removes each snapshot as soon as its copy ends.
func (r *run) copyVolumes(ctx context.Context, g *Group, snaps map[*VolumePlan]snapshotOf) {
	work := make(chan *VolumePlan)
	var wg sync.WaitGroup
	for i := 0; i < r.o.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for vp := range work {
				r.copyVolume(ctx, vp, snaps[vp])
			}
		}()
	}
	for _, vp := range g.Volumes {
		work <- vp
	}
	close(work)
	wg.Wait()
}

func (r *run) copyVolume(ctx context.Context, vp *VolumePlan, s snapshotOf) {
	if s.err != nil || s.snap.Name == "" { // no snapshot: its VMs failed before, or now
		if s.err != nil {
			for _, d := range vp.Disks {
				r.fail(d.vm, s.err)
			}
			for _, pp := range vp.paths {
				r.failPath(pp, s.err)
			}
		}
		return
	}
	defer r.removeSnapshot(ctx, vp, s.snap)
	var todo []*DiskPlan
	for _, d := range vp.Disks {
		if !r.failed(d.vm) {
			todo = append(todo, d)
		}
	}
	trees := r.volumePaths(vp)
	if len(todo) == 0 && len(trees) == 0 {
		return
	}
	wctx, stop := r.LVM.Watch(ctx, s.snap, r.cfg.Snapshot.MaxFill, r.o.FillInterval)
	errs := map[*DiskPlan]error{}
	switch vp.Mode {
	case ModeBlock:
		for _, d := range todo {
			errs[d] = r.copyDisk(wctx, s.snap.Path, d)
		}
	case ModeFile:
		dir, err := r.mountSnapshot(wctx, s.snap)
		for _, d := range todo {
			if err != nil {
				errs[d] = err
				continue
			}
			errs[d] = r.copyDisk(wctx, filepath.Join(dir, d.RelPath), d)
		}
		for _, st := range trees {
			if err != nil {
				r.failPath(st.plan, err)
				continue
			}
			r.syncPath(wctx, st, dir)
		}
		if err == nil {
			r.unmountSnapshot(ctx, dir)
		}
	}
	if err := stop(); err != nil {
		for _, d := range todo {
			errs[d] = fmt.Errorf("disk %s: %w", d.Target, err)
		}
		for _, st := range trees {
			r.failPath(st.plan, fmt.Errorf("volume %s: %w", vp.LV.FullName(), err))
		}
	}
	for _, d := range todo {
		if errs[d] != nil {
			r.fail(d.vm, errs[d])
		}
	}
}

func (r *run) mountSnapshot(ctx context.Context, snap lvm.LV) (string, error) {
	if err := r.record(OpMount, snap.FullName(), ""); err != nil {
		return "", err
	}
	dir, err := r.LVM.MountSnapshot(ctx, snap, r.o.RunID)
	if err != nil {
		_ = r.record(OpUnmount, snap.FullName(), "not mounted")
		return "", fmt.Errorf("mount %s: %w", snap.FullName(), err)
	}
	return dir, nil
}

func (r *run) unmountSnapshot(ctx context.Context, dir string) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	if err := r.LVM.Unmount(cctx, dir); err != nil {
		// The snapshot's removal fails too; the next run's recover retries both.
		r.rep.addError(fmt.Sprintf("unmount %s: %v", dir, err))
		return
	}
	_ = r.record(OpUnmount, dir, "")
}

func (r *run) removeSnapshot(ctx context.Context, vp *VolumePlan, snap lvm.LV) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	if err := r.LVM.Remove(cctx, snap.VG, snap.Name); err != nil {
		r.rep.addError(fmt.Sprintf("remove snapshot %s of %s: %v", snap.FullName(), vp.LV.FullName(), err))
		for _, d := range vp.Disks {
			r.fail(d.vm, fmt.Errorf("remove snapshot %s: %w", snap.FullName(), err))
		}
		for _, pp := range vp.paths {
			r.failPath(pp, fmt.Errorf("remove snapshot %s: %w", snap.FullName(), err))
		}
		return
	}
	_ = r.record(OpRemove, snap.FullName(), "")
}

// manifestDir holds the block manifests of a VM's images, in its dataset.
const manifestDir = ".manifest"

func (r *run) copyDisk(ctx context.Context, src string, d *DiskPlan) error {
	st := r.vms[d.vm.Name]
	dst := filepath.Join(st.mount, d.Image)
	opts := transfer.Options{Manifest: filepath.Join(st.mount, manifestDir, d.Image)}
	if r.o.Progress != nil {
		opts.Progress = func(done, total int64) { r.o.Progress(d.vm.Name, d.Target, done, total) }
	}
	r.log.Info().Str("vm", d.vm.Name).Str("disk", d.Target).Str("from", src).Str("to", dst).Msg("copy")
	stats, err := r.Copier.Copy(ctx, src, dst, opts)
	r.mu.Lock()
	st.res.Disks = append(st.res.Disks, DiskResult{Disk: d.Target, Volume: d.Volume, Mode: d.Mode, Image: d.Image, Stats: stats, Error: errString(err)})
	st.res.Read += stats.SrcRead + stats.DstRead
	st.res.Written += stats.Written
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

// commit writes domain.xml and kvmbackup.json and takes the dated snapshot of a VM
// whose copies all succeeded; any other VM's dataset is rolled back.
func (r *run) commit(ctx context.Context, st *vmState) {
	vm := st.plan
	if !r.failed(vm) && ctx.Err() != nil {
		r.fail(vm, fmt.Errorf("interrupted: %w", context.Cause(ctx)))
	}
	if !r.failed(vm) {
		if gone, err := removeStale(st.mount, vm); err != nil {
			r.fail(vm, err)
		} else if len(gone) > 0 {
			r.log.Info().Str("vm", vm.Name).Strs("removed", gone).Msg("removed what is no disk of the VM now")
		}
	}
	if !r.failed(vm) {
		if err := r.writeMeta(ctx, st); err != nil {
			r.fail(vm, err)
		}
	}
	if !r.failed(vm) {
		props := zfs.BackupProps{Run: r.o.RunID, Version: r.o.Version, Quiesce: string(st.res.Quiesce),
			Pause: st.res.Pause, Duration: st.res.Duration, Written: st.res.Written}.Props(zfs.KindVM)
		s, err := r.Target.TakeSnapshot(ctx, vm.Dataset, r.snapAt, props)
		if err == nil {
			st.res.Snapshot = s.FullName()
			st.res.Status = StatusOK
			st.dirty = false
			_ = r.record(OpCommit, vm.Dataset, s.Name)
			return
		}
		r.fail(vm, fmt.Errorf("dated snapshot of %s: %w", vm.Dataset, err))
	}
	st.res.Status = StatusFailed
	r.mu.Lock()
	st.res.Error = errors.Join(st.errs...).Error()
	r.mu.Unlock()
	r.rollback(ctx, st)
}

func (r *run) writeMeta(ctx context.Context, st *vmState) error {
	vm := st.plan
	x, err := r.Hypervisor.DomainXML(ctx, vm.Name)
	if err != nil {
		return fmt.Errorf("domain XML of %s: %w", vm.Name, err)
	}
	if err := atomicfile.Write(filepath.Join(st.mount, "domain.xml"), []byte(x), 0o600); err != nil {
		return err
	}
	m := Meta{VM: vm.Name, Run: r.o.RunID, Version: r.o.Version, Time: r.snapAt, Quiesce: st.res.Quiesce, PauseNS: st.res.Pause, DomainOK: true}
	for _, d := range vm.Disks {
		md := MetaDisk{Disk: d.Target, Source: d.Source, Volume: d.Volume, Mode: d.Mode, Format: d.Format, Image: d.Image}
		for _, dr := range st.res.Disks {
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
	return atomicfile.Write(filepath.Join(st.mount, "kvmbackup.json"), append(b, '\n'), 0o600)
}

// rollback returns a failed VM's dataset to its last complete backup; a dataset this
// run created (a first backup) is destroyed instead.
func (r *run) rollback(ctx context.Context, st *vmState) {
	if !st.dirty {
		return
	}
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	ds := st.plan.Dataset
	what, err := rollbackDataset(cctx, r.Target, ds, st.created)
	st.res.RolledBackTo = what
	if err != nil {
		r.rep.addError(fmt.Sprintf("roll back %s: %v", ds, err))
		return
	}
	st.dirty = false
	_ = r.record(OpRollback, ds, st.res.RolledBackTo)
}

func (r *run) prune(ctx context.Context) {
	var vms, paths []string
	for _, res := range r.rep.VMs {
		if res.Status == StatusOK {
			vms = append(vms, res.Name)
		}
	}
	for _, res := range r.rep.Paths {
		if res.Status == StatusOK {
			paths = append(paths, res.Name)
		}
	}
	if len(vms)+len(paths) == 0 || ctx.Err() != nil {
		return
	}
	pol := policies.Policy(r.cfg.Retention) // validated in newRun
	pruned, err := Prune(ctx, r.Target, PruneOptions{Root: r.cfg.Target.Dataset, VMs: vms, Paths: paths, Policy: pol, Location: r.o.Location})
	r.rep.Pruned = pruned
	if err != nil {
		r.rep.addError("prune: " + err.Error())
	}
}

// lastSuccess finds each VM's newest dated snapshot, for the report and metrics.
func (r *run) lastSuccess(ctx context.Context) {
	for _, res := range r.rep.VMs {
		snaps, err := r.Target.Snapshots(ctx, res.Dataset)
		if err != nil {
			continue // no dataset yet: never backed up
		}
		for _, s := range snaps {
			if s.Ours() && s.Time().After(res.LastSuccess) {
				res.LastSuccess = s.Time()
			}
		}
	}
	for _, res := range r.rep.Paths {
		snaps, err := r.Target.Snapshots(ctx, res.Dataset)
		if err != nil {
			continue
		}
		for _, s := range snaps {
			if s.Ours() && s.Time().After(res.LastSuccess) {
				res.LastSuccess = s.Time()
			}
		}
	}
}

func groupNames(g *Group) string {
	var n []string
	for _, vm := range g.VMs {
		n = append(n, vm.Name)
	}
	for _, pp := range g.Paths {
		n = append(n, "path "+pp.Name)
	}
	return strings.Join(n, ", ")
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
