package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/internal/runner"
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
	// LogFile is where the run's log is kept, told to the hook script
	// (BACKUP_LOGFILE); "": none.
	LogFile string
	// Sleep is the freeze window's settle wait (default: a timer), for tests.
	Sleep func(ctx context.Context, d time.Duration) error
	// Record, when set, is called with what Run returns while the run lock is still
	// held (not for a dry run, nor for a run that did not get the lock): the caller
	// writes its state file there, so that no replicate writes it at the same time.
	Record func(rep *Report, err error)
}

// EnvError is a run that could not start: bad selection, the lock held, the target
// unfit, libvirt unreachable. Nothing was changed (exit status 2). Reason says which
// (one of Reasons).
type EnvError struct {
	Err    error
	Reason string
}

func (e *EnvError) Error() string { return e.Err.Error() }
func (e *EnvError) Unwrap() error { return e.Err }

// Run is one backup night (docs/layout.md shows what it writes): lock, recover, plan, then per
// group the freeze window, the copies and the commits, then prune. It returns the
// report; an *EnvError when the run could not start (nothing changed), with the report
// of what it found until then (its start, the target's pool and warnings), or nil
// when it did not get that far. VM failures are in the report (Report.OK), never
// lost: each failed VM's dataset is rolled back.
func Run(ctx context.Context, d Deps, o Options) (*Report, error) {
	r, err := newRun(d, o)
	if err != nil {
		return nil, &EnvError{err, ReasonConfig}
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
	kept    map[*VolumePlan]lvm.LV // thin snapshots kept past their copy (keepBases); guarded by mu
	view    *viewedTarget          // the target as read once, after its check (nil before)
	// commands counts the external commands the run starts (the runner sees them all).
	commands *runner.Counter
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
	for _, r := range o.Config.Retentions() {
		if err := policies.Policy(r.Retention).Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Key, err)
		}
	}
	if d.Trees == nil {
		d.Trees = TransferTrees{}
	}
	return &run{Deps: d, o: o, cfg: o.Config, units: map[zfs.Unit]*unit{}, kept: map[*VolumePlan]lvm.LV{}}, nil
}

func (r *run) run(ctx context.Context) (*Report, error) {
	ctx, r.commands = runner.WithCounter(ctx)
	r.log = zerolog.Ctx(ctx)
	start := r.o.Now()
	r.rep = &Report{RunID: r.o.RunID, Start: start.UTC(), DryRun: r.o.DryRun, Target: r.cfg.Target.Dataset}

	lock, err := Lock(r.o.LockPath)
	if err != nil {
		return r.stop(ctx, start, ReasonLock, err)
	}
	defer lock.Unlock()
	rep, err := r.locked(ctx, start)
	rep.Commands, rep.ByCommand = r.commands.Read(), r.commands.ByCommand() // the job-end hook's too
	if r.o.Record != nil && !r.o.DryRun {
		r.o.Record(rep, err)
	}
	return rep, err
}

// locked is the run with the run lock held: the job hooks around the night.
func (r *run) locked(ctx context.Context, start time.Time) (*Report, error) {
	if r.o.DryRun {
		return r.night(ctx, start)
	}
	if err := r.hook(ctx, HookJobStart, nil); err != nil {
		r.afterHook(ctx, HookJobAbort, nil, "BACKUP_STATUS=failed", "BACKUP_ERROR="+err.Error())
		return r.stop(ctx, start, ReasonHook, err)
	}
	rep, err := r.night(ctx, start)
	switch {
	case err != nil:
		r.afterHook(ctx, HookJobAbort, nil, "BACKUP_STATUS=failed", "BACKUP_ERROR="+err.Error())
	case rep.Interrupted:
		r.afterHook(ctx, HookJobAbort, nil, "BACKUP_STATUS=failed", "BACKUP_ERROR=interrupted")
	case rep.OK():
		r.afterHook(ctx, HookJobEnd, nil, "BACKUP_STATUS=ok")
	default:
		r.afterHook(ctx, HookJobEnd, nil, "BACKUP_STATUS=failed", fmt.Sprintf("BACKUP_FAILED=%d", rep.Failed()+rep.FailedPaths()))
	}
	return rep, err
}

// stop ends a run that could not start, for reason (ReasonInterrupted when ctx was
// cancelled): its report so far, and an *EnvError.
func (r *run) stop(ctx context.Context, start time.Time, reason string, err error) (*Report, error) {
	r.rep.Duration = r.o.Now().Sub(start)
	if r.commands != nil {
		r.rep.Commands, r.rep.ByCommand = r.commands.Read(), r.commands.ByCommand()
	}
	if ctx.Err() != nil {
		reason = ReasonInterrupted
	}
	return r.rep, &EnvError{err, reason}
}

// night is the run past its lock and job-start hook: recover, the target check, the
// plan, the groups, the live trees and prune.
func (r *run) night(ctx context.Context, start time.Time) (*Report, error) {
	step := r.stepper()
	if !r.o.DryRun {
		rec, err := Recover(ctx, r.Deps, RecoverOptions{JournalDir: r.o.JournalDir, Root: r.cfg.Target.Dataset, JournalOnly: true})
		r.rep.Recovered = rec
		if err != nil {
			r.rep.Errors = append(r.rep.Errors, "recover: "+err.Error())
		}
		step("recover")
	}

	live := func(p config.PathEntry) bool { // a live tree this run backs up (plan's selection)
		return p.Path != "" && (len(r.o.Paths) > 0 && slices.Contains(r.o.Paths, p.Name) || len(r.o.VMs) == 0 && len(r.o.Paths) == 0)
	}
	// A live tree's copy may be trusted (copiedAt): what was written to the target
	// must count in the written that confirm reads, after the pool's sync.
	syncPool := !r.o.DryRun && slices.ContainsFunc(r.cfg.Paths, live)
	checkStart := time.Now()
	tr, v, err := checkTargetView(ctx, r.Target, zfs.TargetOptions{Dataset: r.cfg.Target.Dataset,
		RequireMirror: r.cfg.Target.RequireMirror, RequireCompression: r.cfg.Target.RequireCompression, SyncPool: syncPool})
	if tr != nil {
		r.rep.Pool = poolState(tr, r.o.Now())
		for _, w := range tr.Warnings {
			r.rep.Warnings = append(r.rep.Warnings, w.Error())
			r.log.Warn().Str("pool", tr.Pool).Msg(w.Error())
		}
		if err == nil {
			err = tr.Err()
		}
	}
	if err != nil {
		return r.stop(ctx, start, ReasonTarget, fmt.Errorf("target %s: %w", r.cfg.Target.Dataset, err))
	}
	r.view = newViewedTarget(r.Target, v)
	r.Target = r.view
	switch {
	case !syncPool:
	case v.Synced: // the view's read was the sync (zfs.Manager.ReadViewSynced)
		r.view.syncedWithView(zfs.Pool(r.cfg.Target.Dataset), checkStart, r.Hooks == nil)
	default:
		if v.SyncErr != nil {
			r.log.Debug().Err(v.SyncErr).Msg("the target's view not read synced: the pool is synced apart")
		}
		r.view.syncPool(ctx, zfs.Pool(r.cfg.Target.Dataset), r.log)
		defer r.view.syncDone() // the run never ends before it
	}
	step("target check")

	var mounts []string
	if len(r.cfg.Paths) > 0 {
		// No command once the target exists: its mount point is the view's, the
		// pool's root dataset's the check's (checkedMounts).
		if mounts, err = CheckedTargetMounts(ctx, r.Target, tr, r.cfg.Target.Dataset); err != nil {
			return r.stop(ctx, start, ReasonTarget, fmt.Errorf("target %s: %w", r.cfg.Target.Dataset, err))
		}
	}
	plan, err := MakePlan(ctx, r.Hypervisor, r.LVM, PlanOptions{Config: r.cfg, VMs: r.o.VMs, Paths: r.o.Paths, Trees: r.Trees, TargetMounts: mounts})
	switch {
	case err == nil:
	case errors.Is(err, ErrBadSelection):
		return r.stop(ctx, start, ReasonSelection, err)
	case plan != nil && len(PathErrors(err)) > 0:
		// Entries valid in the config but unusable now (a directory gone, an LV
		// removed): each fails alone (plan.FailedPaths), the rest is backed up.
	default:
		return r.stop(ctx, start, ReasonPlan, fmt.Errorf("plan: %w", err))
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
	for _, pp := range plan.FailedPaths {
		res := &PathResult{Source: pp.Source()}
		r.newUnit(zfs.PathUnit(pp.Name), pp.Dataset, &res.Result, treeKind{pp, res})
		res.Status, res.Error = StatusFailed, pp.Error
		r.log.Error().Str("path", pp.Name).Str("source", pp.Source()).Str("error", pp.Error).Msg("paths: entry cannot be backed up")
		r.rep.Paths = append(r.rep.Paths, res)
	}
	if r.o.DryRun {
		r.rep.Duration = r.o.Now().Sub(start)
		return r.rep, nil
	}

	j, err := OpenJournal(r.o.JournalDir, r.o.RunID)
	if err != nil {
		return r.stop(ctx, start, ReasonJournal, err)
	}
	r.journal = j
	for _, u := range r.order {
		if u.res.Status == StatusFailed { // by the plan: its backup ends here
			r.unitEnded(ctx, u)
		}
	}
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
	if r.replicate(ctx) {
		step("replicate")
	}

	undone := true
	for _, u := range r.order {
		if u.dirty { // neither committed nor rolled back
			undone = false
			r.rep.Errors = append(r.rep.Errors, fmt.Sprintf("%s: left for the next run to roll back", u.dataset))
		}
	}
	for _, e := range j.Pending() {
		if e.Op != OpDirty { // a VM not resumed, a snapshot not removed, …: said where it failed
			undone = false
			r.log.Warn().Str("op", string(e.Op)).Str("key", e.Key).Msg("left for the next run to undo")
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
	r.rep.Commands, r.rep.ByCommand = r.commands.Read(), r.commands.ByCommand()
	if ctx.Err() != nil {
		r.rep.Interrupted = true
	}
	return r.rep, nil
}

// stepper returns a function that records how long the step just ended took, and
// the external commands it started.
func (r *run) stepper() func(name string) {
	last, lastCmds := r.o.Now(), r.commands.Read()
	return func(name string) {
		now, cmds := r.o.Now(), r.commands.Read()
		s := Step{Name: name, Duration: now.Sub(last), Counted: cmds.Since(lastCmds)}
		r.rep.Steps = append(r.rep.Steps, s)
		r.rep.Commands, r.rep.ByCommand = cmds, r.commands.ByCommand()
		r.log.Info().Str("step", name).Dur("took", s.Duration).Int("commands", s.Commands).Dur("command_time", s.Time).Msg("step done")
		last, lastCmds = now, cmds
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
	r.thinRoom(ctx, g)
	snaps := r.freezeWindow(ctx, g, r.prepareSnapshots(ctx, g))
	r.copyVolumes(ctx, g, snaps)
	for _, u := range units {
		r.commit(ctx, u, r.snapAt)
	}
	r.keepBases(ctx, g)
}

func (r *run) prune(ctx context.Context) {
	vms, paths := r.okUnits()
	if len(vms)+len(paths) == 0 || ctx.Err() != nil {
		return
	}
	// Each unit by its own policy, else the top-level one (all validated in newRun).
	pruned, err := Prune(ctx, r.Target, PruneOptions{Root: r.cfg.Target.Dataset, VMs: vms, Paths: paths,
		Policy: policies.Policy(r.cfg.Retention), PolicyOf: UnitPolicies(r.cfg), Location: r.o.Location})
	r.rep.Pruned = pruned
	if err != nil {
		r.rep.addError("prune: " + err.Error())
	}
}

// replicate sends what the run backed up to the after-run targets, after the prune;
// it reports whether it ran. A failing target is an error of the run naming it.
func (r *run) replicate(ctx context.Context) bool {
	vms, paths := r.okUnits()
	if len(r.Replicas) == 0 || r.ReplicaSource == nil || r.o.DryRun || len(vms)+len(paths) == 0 || ctx.Err() != nil {
		return false
	}
	var src ReplicateSource = r.ReplicaSource
	if r.view != nil {
		src = viewedSource{src, r.view}
	}
	res, err := Replicate(ctx, src, ReplicateOptions{Root: r.cfg.Target.Dataset, Targets: r.Replicas, VMs: vms, Paths: paths, Now: r.o.Now})
	r.rep.Replicated = res
	if err != nil {
		r.rep.addError("replicate: " + err.Error())
	}
	return true
}

// okUnits are the names of the VMs and paths: entries the run backed up.
func (r *run) okUnits() (vms, paths []string) {
	for _, u := range r.order {
		switch {
		case u.res.Status != StatusOK:
		case u.id.Kind == zfs.KindVM:
			vms = append(vms, u.id.Name)
		default:
			paths = append(paths, u.id.Name)
		}
	}
	return vms, paths
}

// lastSuccess finds each unit's newest dated snapshot and counts them, for the
// report and metrics.
func (r *run) lastSuccess(ctx context.Context) {
	// Reads only, and what the report, the state and the metrics say of each unit:
	// done even when the run was interrupted (else they would say "never").
	ctx, cancel := cleanupCtx(ctx)
	defer cancel()
	for _, u := range r.order {
		snaps, err := r.Target.Snapshots(ctx, u.dataset)
		if err != nil {
			continue // no dataset yet: never backed up
		}
		for _, s := range snaps {
			if !s.Ours() {
				continue
			}
			u.res.DatedSnapshots++
			if s.Time().After(u.res.LastSuccess) {
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
