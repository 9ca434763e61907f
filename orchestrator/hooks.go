package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/internal/beneath"
	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// HookPhase is a point of a run where the admin's hook script is called
// (hooks.script), in vzdump's convention: SCRIPT PHASE [NAME] (docs/hooks.md).
type HookPhase string

// The phases, in the order a run reaches them. A "before" phase that fails stops what
// follows it: job-start fails the run before anything is touched (exit 2),
// backup-start and pre-freeze fail their unit. An "after" phase that fails is logged
// and changes nothing: the backup it follows is what it is.
const (
	HookJobStart    HookPhase = "job-start"    // before: the run has its lock, nothing else yet
	HookBackupStart HookPhase = "backup-start" // before: a unit (VM or paths: entry) is about to be written
	HookPreFreeze   HookPhase = "pre-freeze"   // before: a VM is about to be quiesced (outside its pause window)
	HookPostThaw    HookPhase = "post-thaw"    // after: the VM's group was resumed; for every VM whose pre-freeze ran
	HookBackupEnd   HookPhase = "backup-end"   // after: the unit's dated snapshot was taken
	HookBackupAbort HookPhase = "backup-abort" // after: the unit failed (its dataset rolled back)
	HookJobEnd      HookPhase = "job-end"      // after: the run ended (BACKUP_STATUS says how)
	HookJobAbort    HookPhase = "job-abort"    // after: the run stopped early (could not start, or interrupted)
)

// Hooks is the admin's hook script.
type Hooks interface {
	// Hook runs the script for phase with the arguments PHASE [NAME] (NAME: the unit's,
	// for the unit phases) and env (K=V) added to its environment, and returns when
	// it exits. It kills the script (its whole process group) at the configured
	// timeout, or when ctx ends. A non-zero exit, a kill, or a script that cannot
	// start is an error naming the phase and the script, with the end of its output.
	Hook(ctx context.Context, phase HookPhase, name string, env []string) error
}

// ScriptHooks runs hooks.script through the runner: no shell, its output kept for
// the error and logged.
type ScriptHooks struct {
	Script  string
	Timeout time.Duration // default 5m
}

// Hook runs the script as Hooks says.
func (s ScriptHooks) Hook(ctx context.Context, phase HookPhase, name string, env []string) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := []string{string(phase)}
	if name != "" {
		args = append(args, name)
	}
	tool := runner.New(s.Script)
	tool.Env = append(runner.AdminEnv(), env...)
	// Checked at each call: kvmbackup runs it as root.
	if err := beneath.CheckExecutable(s.Script); err != nil {
		return fmt.Errorf("hook %s: hooks.script: %w", phase, err)
	}
	res, err := tool.Run(hctx, args...)
	if out := strings.TrimSpace(string(res.Stdout)); out != "" {
		zerolog.Ctx(ctx).Info().Str("hook", string(phase)).Str("name", name).Str("output", out).Msg("hook script")
	}
	if err != nil { // the runner's error names the script and its arguments
		if errors.Is(hctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Errorf("hook killed after hooks.timeout (%v): %w", timeout, err)
		}
		return fmt.Errorf("hook: %w", err)
	}
	return nil
}

// hook calls the before-phase hook for u (nil: a job phase); its error is the
// caller's to act on. Without a hook script it does nothing.
func (r *run) hook(ctx context.Context, phase HookPhase, u *unit, env ...string) error {
	if r.Hooks == nil {
		return nil
	}
	name, all := r.hookEnv(phase, u)
	err := r.Hooks.Hook(ctx, phase, name, append(all, env...))
	if err != nil {
		r.log.Error().Str("hook", string(phase)).Str("name", name).Err(err).Msg("hook failed")
	}
	return err
}

// afterHook calls an after-phase hook: it runs even when the run was cancelled
// (bounded by CleanupTimeout and hooks.timeout), and its failure is only logged.
func (r *run) afterHook(ctx context.Context, phase HookPhase, u *unit, env ...string) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	_ = r.hook(cctx, phase, u, env...)
}

// hookEnv is what every hook of phase is told: BACKUP_PHASE, BACKUP_RUN,
// BACKUP_TARGET, and for a unit BACKUP_KIND (vm or path), BACKUP_NAME,
// BACKUP_DATASET, and BACKUP_VM for a VM.
func (r *run) hookEnv(phase HookPhase, u *unit) (string, []string) {
	env := []string{"BACKUP_PHASE=" + string(phase), "BACKUP_RUN=" + r.o.RunID, "BACKUP_TARGET=" + r.cfg.Target.Dataset}
	if r.o.LogFile != "" {
		env = append(env, "BACKUP_LOGFILE="+r.o.LogFile)
	}
	if u == nil {
		return "", env
	}
	env = append(env, "BACKUP_KIND="+string(u.id.Kind), "BACKUP_NAME="+u.id.Name, "BACKUP_DATASET="+u.dataset)
	if u.id.Kind == zfs.KindVM {
		env = append(env, "BACKUP_VM="+u.id.Name)
	}
	return u.id.Name, env
}

// unitEnded calls backup-end or backup-abort for a unit whose commit (or rollback) is
// done.
func (r *run) unitEnded(ctx context.Context, u *unit) {
	if u.res.Status == StatusOK {
		r.afterHook(ctx, HookBackupEnd, u, "BACKUP_STATUS=ok", "BACKUP_SNAPSHOT="+u.res.Snapshot)
		return
	}
	r.afterHook(ctx, HookBackupAbort, u, "BACKUP_STATUS=failed", "BACKUP_ERROR="+u.res.Error)
}
