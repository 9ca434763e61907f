package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/render"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// defaultStateDir holds kvmbackup's journals (a crashed run's stays there) and its
// state file (orchestrator.StateFile: what status and the metrics file are made of).
const defaultStateDir = "/var/lib/kvmbackup"

type runOptions struct {
	vms      []string
	paths    []string
	dryRun   bool
	progress string
	stateDir string
	lockPath string
}

func newRunCommand(g *globalOptions) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run [--vm NAME]... [--path NAME]... [--dry-run]",
		Short: "Back up the VMs and paths: quiesce, snapshot, copy changed blocks, dated ZFS snapshot, prune",
		Long: `Run is the backup night. It takes the host's run lock, undoes what a crashed run
left when its journal is there (as 'kvmbackup recover' does; a run keeps its journal
while anything it did is not undone, so with none there is nothing to sweep, and a
run of --path alone then never connects to libvirt), checks the target, and plans: every domain (or
the config's vms:, or --vm) minus exclude:, each disk resolved to its LV (a raw LV
used as the disk, or an image file on a filesystem on an LV); VMs sharing an LV
form one group. A disk left out is listed with the reason (vms[].exclude-disks, a
CD-ROM, an empty or read-only drive); a VM with a disk a run cannot back up (a LUN,
a floppy, a network disk, an image on no LV, a qcow2 with a backing chain) fails,
naming the disk, unless vms[].exclude-disks names it. A VM (or entry) whose dataset
under target.dataset kvmbackup did not make (no kvmbackup:vm or kvmbackup:path
property, and not adoptable: see README) fails, its dataset untouched. Then, group
by group: the guests are quiesced (guest agent, or
Alt+SysRq+S, settle, suspend), every LV of the group is snapshotted (all at once),
the guests are resumed at once, and at the latest after quiesce.max-pause (10s:
a VM whose snapshot is still pending then fails, the others go on); each snapshot is copied into the VM's dataset (changed blocks
only, in place) and removed; each VM whose copies all succeeded gets domain.xml,
kvmbackup.json and a dated ZFS snapshot (holding only that night's disks: the
images of disks removed from the VM are removed first), and any other is rolled
back to its last complete backup.

The trees of the config's paths: entries are kept too, each in its own dataset
(target.dataset/_paths/NAME) with the same dated snapshots and retention: a 'path'
entry (a mounted filesystem, that filesystem only) is copied live after the groups;
a 'volume' entry (an LV) is snapshotted inside the freeze window of the VMs whose
images it holds (or alone when no VM of the run uses it), fsck'd, mounted read-only,
copied and removed. Trees are copied with rsync -aHxX --delete semantics (owners,
modes, times, hard links, symlinks, special files, xattrs), big files by changed
blocks, the entry's exclude: globs left out, and the target's own mount points
never copied into themselves. An entry whose copy fails gets no dated snapshot and
its dataset is rolled back. An entry that cannot be backed up tonight (its path is
no longer a directory or lies in the target, its volume is no longer an LV or is a
VM's disk) fails alone, naming its path or LV, with nothing written for it: the VMs
and the other entries are backed up all the same. A plain run backs up every VM and every entry; --vm
alone only those VMs, --path alone only those entries (a volume entry then gets a
window of its own: the VMs whose images it holds are not frozen for it).
Last, old snapshots are pruned by the retention policy.

A journal under --state-dir is written before every side effect, so that the next
run undoes what a killed run left. SIGINT/SIGTERM stop the run cleanly: guests
resumed, snapshots removed, unfinished datasets rolled back.

Every run but a dry run, whatever its exit status, records how it ended in
--state-dir/state.json (the last run, the pool, the newest result of every VM and
paths: entry: 'run --vm web1' updates web1's and keeps the others') and renders
report.metrics-file from it: kvmbackup_run_success, kvmbackup_run_exit_code and,
when it failed, kvmbackup_run_failure_info{reason} (config, selection, lock,
hook, libvirt, target, plan, journal, interrupted, units, prune or other), the pool's
health and free space, and per VM and path its last success, dated snapshots and
last backup. A config that does not load still reports to the metrics file it
names; one that cannot be read at all leaves only the error on stderr. A DEGRADED
pool (a mirror side gone) is a warning: the run goes on.

EXIT STATUS
  0  every VM and path backed up
  1  the run went through but some VM or path failed (its dataset was rolled back),
     or a paths: entry could not be backed up (its path or LV gone)
  2  bad configuration or selection (an unknown --vm or --path), another run holds
     the lock, the target or libvirt unusable: nothing was changed`,
		Example: `  kvmbackup run                      # the nightly run (kvmbackup.timer)
  kvmbackup run --vm web1            # one VM, on demand
  kvmbackup run --path root          # one paths: entry, on demand
  kvmbackup run --dry-run            # the plan: VMs, disks, volumes, modes, targets
  kvmbackup run --json > report.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkProgressMode(o.progress); err != nil {
				return err
			}
			return runRun(cmd.Context(), g, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.vms, "vm", nil, "back up only this VM (repeatable)")
	f.StringArrayVar(&o.paths, "path", nil, "back up only this paths: entry (repeatable)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the plan and change nothing")
	f.StringVar(&o.progress, "progress", "auto", "progress bar: auto (on a terminal), always or never")
	f.StringVar(&o.stateDir, "state-dir", defaultStateDir, "where run journals and the state file (state.json) are kept")
	lockFlag(f, &o.lockPath)
	return cmd
}

// realDeps connects to libvirt and returns the real components, and a closer.
func realDeps(ctx context.Context, cfg *config.Config) (orchestrator.Deps, func(), error) {
	c, err := hypervisor.Connect(ctx, cfg.Libvirt.URI)
	if err != nil {
		return orchestrator.Deps{}, nil, err
	}
	d := components(cfg)
	d.Hypervisor, d.Boot = orchestrator.Libvirt(c), c
	return d, func() { c.Close() }, nil
}

// pathsDeps are the real components of a run of paths: entries alone (--path, no
// --vm): libvirt is connected only if the run asks it something (its recover finds
// a journal naming a VM), so a night of host trees never loads libvirt.
func pathsDeps(cfg *config.Config) (orchestrator.Deps, func()) {
	c := orchestrator.LazyLibvirt(cfg.Libvirt.URI)
	d := components(cfg)
	d.Hypervisor, d.Boot = c, c
	return d, func() { c.Close() }
}

// components are the real components but libvirt's.
func components(cfg *config.Config) orchestrator.Deps {
	t := zfs.New()
	var replicas []orchestrator.ReplicaTarget
	for _, r := range cfg.Replication {
		if r.AfterRun {
			replicas = append(replicas, orchestrator.ReplicaTarget{Name: r.Name, To: r.To, Root: r.Dataset, Replica: replicaClient(r)})
		}
	}
	return orchestrator.Deps{LVM: orchestrator.LVM{Manager: lvm.New()}, Target: t, Copier: orchestrator.TransferCopier{},
		Replicas: replicas, ReplicaSource: t, Loops: loopdev.New()}
}

// lockedDeps takes the host's run lock, then connects the real components; release
// undoes both.
func lockedDeps(ctx context.Context, cfg *config.Config, lockPath string) (orchestrator.Deps, func(), error) {
	lock, err := orchestrator.Lock(lockPath)
	if err != nil {
		return orchestrator.Deps{}, nil, err
	}
	deps, closeDeps, err := realDeps(ctx, cfg)
	if err != nil {
		lock.Unlock()
		return orchestrator.Deps{}, nil, err
	}
	return deps, func() { closeDeps(); lock.Unlock() }, nil
}

func runRun(ctx context.Context, g *globalOptions, o *runOptions, out, errOut io.Writer) error {
	rec := &runRecorder{o: o, start: time.Now(), errOut: errOut}
	cfg, err := loadConfig(g)
	if err != nil {
		if !o.dryRun {
			rec.configFailed(ctx, g, err)
		}
		return err
	}
	rec.cfg = cfg
	if err := checkNameFlags("--path", o.paths); err != nil {
		return rec.failed(ctx, nil, orchestrator.ReasonSelection, err)
	}
	opts := orchestrator.Options{Config: cfg, VMs: o.vms, Paths: o.paths, DryRun: o.dryRun, Version: version,
		JournalDir: filepath.Join(o.stateDir, "journal"), LockPath: o.lockPath,
		RunID: time.Now().UTC().Format("20060102T150405Z")}
	if !o.dryRun {
		f := newRunLog(filepath.Join(o.stateDir, "log"), opts.RunID, os.Stderr)
		defer f.Close()
		l := zerolog.Ctx(ctx).Output(zerolog.MultiLevelWriter(g.logOut, f))
		ctx, opts.LogFile = l.WithContext(ctx), f.path
	}
	var deps orchestrator.Deps
	var closeDeps func()
	if len(o.paths) > 0 && len(o.vms) == 0 {
		deps, closeDeps = pathsDeps(cfg)
	} else if deps, closeDeps, err = realDeps(ctx, cfg); err != nil {
		if !o.dryRun {
			notifyRun(ctx, cfg, startFailed(cfg, opts, err))
		}
		return rec.failed(ctx, nil, orchestrator.ReasonLibvirt, err)
	}
	defer closeDeps()
	if cfg.Hooks.Script != "" {
		deps.Hooks = orchestrator.ScriptHooks{Script: cfg.Hooks.Script, Timeout: cfg.Hooks.Timeout}
	}
	if !g.json && !o.dryRun {
		opts.Progress = runProgress(ctx, o.progress)
	}
	// The state and metrics files are written while the run lock is held (Record),
	// else (the lock not taken) after.
	recorded := false
	record := func(rep *orchestrator.Report, err error) {
		recorded = true
		if err == nil {
			rec.done(rep)
			return
		}
		reason := orchestrator.ReasonOther
		var env *orchestrator.EnvError
		if errors.As(err, &env) {
			reason = env.Reason
		}
		rec.failed(ctx, rep, reason, err)
	}
	opts.Record = record
	rep, err := orchestrator.Run(ctx, deps, opts)
	if err != nil {
		if !o.dryRun {
			notifyRun(ctx, cfg, startFailed(cfg, opts, err))
			if !recorded {
				record(rep, err)
			}
		}
		return err
	}
	if g.json {
		if err := render.JSON(out, rep); err != nil {
			return err
		}
	} else if o.dryRun {
		fmt.Fprintf(out, "plan (dry run, nothing changed): target %s\n", rep.Target)
		render.Plan(out, rep.Plan)
	} else {
		if rep.Recovered != nil && !rep.Recovered.Empty() {
			printRecovery(out, rep.Recovered)
		}
		render.Table(out, rep)
	}
	if !o.dryRun && (!rep.OK() || cfg.Notify.On == config.NotifyAlways) {
		notifyRun(ctx, cfg, rep)
	}
	return runResult(rep)
}

// runResult is the error a finished run exits with: nil (exit 0), or a failure
// (exit 1) saying what failed.
func runResult(rep *orchestrator.Report) error {
	if rep.OK() {
		return nil
	}
	what := fmt.Sprintf("%d of %d VMs failed", rep.Failed(), len(rep.VMs))
	if len(rep.Paths) > 0 {
		what = fmt.Sprintf("%d of %d VMs and %d of %d paths failed", rep.Failed(), len(rep.VMs), rep.FailedPaths(), len(rep.Paths))
	}
	if rep.Failed()+rep.FailedPaths() == 0 {
		what = "the run had errors"
	}
	if rep.Interrupted {
		what += " (interrupted)"
	}
	return failure{errors.New(what)}
}

// runRecorder writes how a run ended, on every exit but a dry run's: into the state
// file (STATE_DIR/state.json: the last run, the pool, each unit's newest result),
// then the metrics file rendered from it (report.metrics-file), both 0600 and
// replaced atomically.
type runRecorder struct {
	o      *runOptions
	cfg    *config.Config // nil: the config did not load
	start  time.Time
	errOut io.Writer
}

func (rc *runRecorder) statePath() string {
	return filepath.Join(rc.o.stateDir, orchestrator.StateFile)
}

// outcome is what every outcome of this run says: its selection and version.
func (rc *runRecorder) outcome(out orchestrator.RunOutcome) orchestrator.RunOutcome {
	out.VMs, out.Paths, out.Version = rc.o.vms, rc.o.paths, version
	return out
}

// done records a run that went through; a state or metrics file that cannot be
// written is an error of the run (exit status 1).
func (rc *runRecorder) done(rep *orchestrator.Report) {
	record := func(st *orchestrator.State) {
		out := rc.outcome(rep.Outcome())
		out.ExitCode = exitCode(runResult(rep))
		st.Record(rc.cfg, rep, out)
	}
	err := orchestrator.UpdateState(rc.statePath(), func(st *orchestrator.State, err error) error {
		if err != nil {
			rep.Warnings = append(rep.Warnings, err.Error()+" (started afresh)")
		}
		record(st)
		return nil
	}, func(st *orchestrator.State, err error) error {
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			record(st) // the metrics say the run failed
		}
		return writeMetrics(rc.cfg.Report.MetricsFile, st)
	})
	if err != nil {
		rep.Errors = append(rep.Errors, err.Error())
	}
}

// failed records a run that could not run (exit status 2) for reason, and returns
// its error (a dry run records nothing). What cannot be written is said on errOut.
func (rc *runRecorder) failed(ctx context.Context, rep *orchestrator.Report, reason string, err error) error {
	if rc.o.dryRun {
		return err
	}
	if ctx.Err() != nil {
		reason = orchestrator.ReasonInterrupted
	}
	out := orchestrator.RunOutcome{Start: rc.start.UTC(), Duration: time.Since(rc.start)}
	if rep != nil {
		out = rep.Outcome()
	}
	out = rc.outcome(out)
	out.ExitCode, out.Reason, out.Error = exitCode(err), reason, err.Error()
	metrics := ""
	if rc.cfg != nil {
		metrics = rc.cfg.Report.MetricsFile
	}
	rc.write(rep, out, metrics)
	return err
}

// configFailed records a run whose config did not load, in the state file and the
// metrics file the config names, when its report.metrics-file can still be read;
// else says on errOut that no metrics were written.
func (rc *runRecorder) configFailed(ctx context.Context, g *globalOptions, err error) {
	reason := orchestrator.ReasonConfig
	if ctx.Err() != nil {
		reason = orchestrator.ReasonInterrupted
	}
	out := rc.outcome(orchestrator.RunOutcome{Start: rc.start.UTC(), Duration: time.Since(rc.start),
		ExitCode: exitCode(err), Reason: reason, Error: err.Error()})
	metrics, merr := config.MetricsFileOf(g.configFile, os.Environ())
	if merr != nil {
		fmt.Fprintf(rc.errOut, "kvmbackup: no metrics written: report.metrics-file is unknown (%v)\n", merr)
	}
	rc.write(nil, out, metrics)
}

// write records out (and rep, when the run got that far) in the state file, then
// renders the metrics file from it; failures are said on errOut.
func (rc *runRecorder) write(rep *orchestrator.Report, out orchestrator.RunOutcome, metrics string) {
	err := orchestrator.UpdateState(rc.statePath(), func(st *orchestrator.State, err error) error {
		if err != nil {
			fmt.Fprintf(rc.errOut, "kvmbackup: %v (started afresh)\n", err)
		}
		st.Record(rc.cfg, rep, out)
		return nil
	}, func(st *orchestrator.State, err error) error {
		if err != nil {
			fmt.Fprintf(rc.errOut, "kvmbackup: %v\n", err)
		}
		if err := writeMetrics(metrics, st); err != nil {
			fmt.Fprintf(rc.errOut, "kvmbackup: %v\n", err)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(rc.errOut, "kvmbackup: %v: the run is not recorded\n", err)
	}
}

// writeMetrics renders the metrics file f (none when f is "") from st.
func writeMetrics(f string, st *orchestrator.State) error {
	if f == "" {
		return nil
	}
	return render.MetricsFile(f, st, build())
}

// build is this binary, as the metrics name it.
func build() render.Build { return render.Build{Version: version, GoVersion: runtime.Version()} }

// runProgress shows the copies of a run as one: the bytes of every disk copied so
// far or being copied, and which disks are in progress (see progressSink).
func runProgress(ctx context.Context, mode string) func(vm, disk string, done, total int64) {
	p := newProgress(ctx, mode)
	if p == nil {
		return nil
	}
	type pos struct{ done, total int64 }
	var mu sync.Mutex
	disks := map[string]pos{}
	return func(vm, disk string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		disks[vm+"/"+disk] = pos{done, total}
		var d, t int64
		var names []string
		for k, p := range disks {
			d, t = d+p.done, t+p.total
			if p.done < p.total {
				names = append(names, k)
			}
		}
		sort.Strings(names)
		p.update("copying "+strings.Join(names, ", "), d, t)
	}
}

func printRecovery(out io.Writer, r *orchestrator.Recovery) {
	for _, v := range r.VMs {
		fmt.Fprintf(out, "recovered: %s %s (left marked by run %q)\n", v.Name, v.Action, v.Run)
	}
	for _, p := range r.Released {
		fmt.Fprintf(out, "recovered: released the metadata snapshot of thin pool %s\n", p)
	}
	for _, m := range r.LVM.Unmounted {
		fmt.Fprintf(out, "recovered: unmounted %s\n", m)
	}
	for _, s := range r.LVM.Removed {
		fmt.Fprintf(out, "recovered: removed LVM snapshot %s\n", s)
	}
	for _, c := range r.Clones.Destroyed {
		fmt.Fprintf(out, "recovered: destroyed clone %s\n", c)
	}
	for _, d := range r.RolledBack {
		fmt.Fprintf(out, "recovered: rolled back %s\n", d)
	}
	for _, d := range r.Throwaways {
		fmt.Fprintf(out, "recovered: destroyed the throwaway domain %s of a verify\n", d)
	}
	for _, l := range r.Loops {
		fmt.Fprintf(out, "recovered: detached loop device %s of a verify\n", l)
	}
	for _, run := range r.Runs {
		fmt.Fprintf(out, "recovered: run %s closed\n", run)
	}
}
