package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/beneath"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/render"
)

// notifyTimeout bounds notify.command: a mail or webhook that hangs must not hold the
// run (and its lock) forever.
var notifyTimeout = 2 * time.Minute

// keepRunLogs is how many run logs STATE/log keeps (the newest).
const keepRunLogs = 30

// startFailed is the report of a run that could not start (exit 2): its error alone.
func startFailed(cfg *config.Config, o orchestrator.Options, err error) *orchestrator.Report {
	return &orchestrator.Report{RunID: o.RunID, Start: time.Now().UTC(), Target: cfg.Target.Dataset, VMs: []*orchestrator.VMResult{},
		Errors: []string{err.Error()}}
}

// notifyRun sends rep, as `run --json` prints it, to notify.command on its stdin.
// Its failure is logged: the run's own outcome stands.
func notifyRun(ctx context.Context, cfg *config.Config, rep *orchestrator.Report) {
	if len(cfg.Notify.Command) == 0 {
		return
	}
	var b bytes.Buffer
	if err := render.JSON(&b, rep); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("notify: the report")
		return
	}
	if err := sendNotice(ctx, cfg.Notify.Command, &b); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("notify failed")
		return
	}
	zerolog.Ctx(ctx).Info().Strs("command", cfg.Notify.Command).Msg("notified")
}

// sendNotice runs argv (no shell) with stdin, bounded by notifyTimeout. The program
// must be one that only root can change (beneath.CheckExecutable): kvmbackup runs it
// as root.
func sendNotice(ctx context.Context, argv []string, stdin *bytes.Buffer) error {
	if err := beneath.CheckExecutable(argv[0]); err != nil {
		return fmt.Errorf("notify.command: %w", err)
	}
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), notifyTimeout)
	defer cancel()
	tool := runner.New(argv[0])
	tool.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=/root"}
	if _, err := tool.RunWith(nctx, runner.Options{Stdin: stdin}, argv[1:]...); err != nil {
		return fmt.Errorf("notify.command %s: %w", strings.Join(argv, " "), err)
	}
	return nil
}

// openRunLog creates dir/RUNID.log (0600, in a 0700 dir, following no symlink) for
// the run's log, and removes all but the newest keepRunLogs logs.
func openRunLog(dir, runID string) (*os.File, string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	path := filepath.Join(dir, runID+".log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, "", err
	}
	if ents, err := os.ReadDir(dir); err == nil {
		var logs []string
		for _, e := range ents {
			if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".log") {
				logs = append(logs, e.Name())
			}
		}
		slices.Sort(logs) // run ids sort by time
		for len(logs) > keepRunLogs {
			if err := os.Remove(filepath.Join(dir, logs[0])); err != nil && !errors.Is(err, os.ErrNotExist) {
				break
			}
			logs = logs[1:]
		}
	}
	return f, path, nil
}
