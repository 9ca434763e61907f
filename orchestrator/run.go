package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/policies"
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
	mu      sync.Mutex // guards the units' results and errors
	units   map[zfs.Unit]*unit
	order   []*unit // the units in the report's order
	snapAt  time.Time
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
	return &run{Deps: d, o: o, cfg: o.Config, units: map[zfs.Unit]*unit{}}, nil
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
		res := &VMResult{Quiesce: vm.Quiesce}
		r.newUnit(zfs.VMUnit(vm.Name), vm.Dataset, &res.Result, vmKind{vm, res})
		if vm.Error != "" {
			res.Status, res.Error = StatusFailed, vm.Error
		}
		r.rep.VMs = append(r.rep.VMs, res)
	}
	for _, pp := range plan.Paths {
		res := &PathResult{Source: pp.Source()}
		r.newUnit(zfs.PathUnit(pp.Name), pp.Dataset, &res.Result, treeKind{pp, res})
		r.rep.Paths = append(r.rep.Paths, res)
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
	for _, u := range r.order {
		if u.dirty { // neither committed nor rolled back
			undone = false
			r.rep.Errors = append(r.rep.Errors, fmt.Sprintf("%s: left for the next run to roll back", u.dataset))
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

// cleanupCtx is for undo steps: they run even when the run was cancelled.
func cleanupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
}

// group backs up one consistency group: its units prepared, the freeze window
// (snapshot every volume), the copies, then each unit committed or rolled back.
func (r *run) group(ctx context.Context, g *Group) {
	gstart := r.o.Now()
	units := r.groupUnits(g)
	for _, u := range units {
		r.prepare(ctx, u, gstart)
	}
	snaps := r.freezeWindow(ctx, g)
	r.copyVolumes(ctx, g, snaps)
	for _, u := range units {
		r.commit(ctx, u, r.snapAt)
	}
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
		if !r.failed(r.vmUnit(vm)) {
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
		if u := r.units[zfs.VMUnit(rep.Name)]; u != nil {
			res := u.kind.(vmKind).res
			res.Pause = rep.Window
			if rep.Mode != "" {
				res.Quiesce = rep.Mode
			}
			res.Note = strings.TrimSpace(strings.Join([]string{rep.Skipped, rep.Note}, " "))
		}
	}
}

func (r *run) failAll(g *Group, err error) {
	for _, u := range r.groupUnits(g) {
		r.fail(u, err)
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
			for _, u := range r.volumeUnits(vp) {
				r.fail(u, s.err)
			}
		}
		return
	}
	defer r.removeSnapshot(ctx, vp, s.snap)
	var todo []*DiskPlan
	for _, d := range vp.Disks {
		if !r.failed(r.vmUnit(d.vm)) {
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
		for _, u := range trees {
			if err != nil {
				r.fail(u, err)
				continue
			}
			r.syncPath(wctx, u, dir)
		}
		if err == nil {
			r.unmountSnapshot(ctx, dir)
		}
	}
	if err := stop(); err != nil {
		for _, d := range todo {
			errs[d] = fmt.Errorf("disk %s: %w", d.Target, err)
		}
		for _, u := range trees {
			r.fail(u, fmt.Errorf("volume %s: %w", vp.LV.FullName(), err))
		}
	}
	for _, d := range todo {
		if errs[d] != nil {
			r.fail(r.vmUnit(d.vm), errs[d])
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
		for _, u := range r.volumeUnits(vp) {
			r.fail(u, fmt.Errorf("remove snapshot %s: %w", snap.FullName(), err))
		}
		return
	}
	_ = r.record(OpRemove, snap.FullName(), "")
}

func (r *run) prune(ctx context.Context) {
	var vms, paths []string
	for _, u := range r.order {
		switch {
		case u.res.Status != StatusOK:
		case u.id.Kind == zfs.KindVM:
			vms = append(vms, u.id.Name)
		default:
			paths = append(paths, u.id.Name)
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

// lastSuccess finds each unit's newest dated snapshot, for the report and metrics.
func (r *run) lastSuccess(ctx context.Context) {
	for _, u := range r.order {
		snaps, err := r.Target.Snapshots(ctx, u.dataset)
		if err != nil {
			continue // no dataset yet: never backed up
		}
		for _, s := range snaps {
			if s.Ours() && s.Time().After(u.res.LastSuccess) {
				u.res.LastSuccess = s.Time()
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
