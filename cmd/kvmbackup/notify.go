package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
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
	tool.Env = runner.AdminEnv()
	if _, err := tool.RunWith(nctx, runner.Options{Stdin: stdin}, argv[1:]...); err != nil {
		return fmt.Errorf("notify.command %s: %w", strings.Join(argv, " "), err)
	}
	return nil
}

// runLog is the run's log file, dir/RUNID.log: created (0600, in a 0700 dir,
// following no symlink) at the first line logged, so that a run refused before it
// logs anything (another run holds the lock) leaves no file; then all but the newest
// keepRunLogs logs are removed. A log that cannot be created is said once on warn.
type runLog struct {
	dir, path string
	warn      io.Writer
	once      sync.Once
	f         *os.File
}

func newRunLog(dir, runID string, warn io.Writer) *runLog {
	return &runLog{dir: dir, path: filepath.Join(dir, runID+".log"), warn: warn}
}

func (l *runLog) Write(p []byte) (int, error) {
	l.once.Do(func() {
		var err error
		if l.f, err = openRunLog(l.dir, l.path); err != nil {
			fmt.Fprintf(l.warn, "kvmbackup: the run's log is not kept in a file: %v\n", err)
		}
	})
	if l.f == nil {
		return len(p), nil
	}
	return l.f.Write(p)
}

// Close closes the file, if it was made.
func (l *runLog) Close() error {
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}

func openRunLog(dir, path string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
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
	return f, nil
}

type notifyOptions struct {
	unit string
	test bool
}

// systemctl and journalctl are how `notify --unit` reads a failed unit.
var (
	systemctlTool  = runner.New("systemctl")
	journalctlTool = runner.New("journalctl")
)

func newNotifyCommand(g *globalOptions) *cobra.Command {
	o := &notifyOptions{}
	cmd := &cobra.Command{
		Use:   "notify (--unit NAME | --test)",
		Short: "Tell notify.command that a systemd unit failed, or send it a test report",
		Long: `Notify runs notify.command (no shell) with a JSON report on its stdin, the shape
'kvmbackup run --json' prints.

--unit NAME is what kvmbackup.service's OnFailure= runs (kvmbackup-notify@.service):
the night failed as a unit (exit 2, killed, timed out, crashed). The report's
errors say how the unit ended (systemctl show) and hold its last 40 log lines
(journalctl). A night that exited 1 (some VM or path failed) already sent its own
report, so nothing is sent for it again.

--test sends a report of a failed night that never was (run "test"), to try the
command: the mail or webhook should arrive.

EXIT STATUS
  0  sent, or nothing to send (no notify.command; a unit that exited 1)
  2  bad usage or config, or notify.command failed`,
		Example: `  kvmbackup notify --test                    # does the mail arrive?
  kvmbackup notify --unit kvmbackup.service  # what OnFailure= runs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (o.unit == "") == !o.test {
				return errors.New("notify: give exactly one of --unit NAME or --test")
			}
			return runNotify(cmd.Context(), g, o, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&o.unit, "unit", "", "the systemd unit that failed (kvmbackup.service)")
	cmd.Flags().BoolVar(&o.test, "test", false, "send a test report")
	return cmd
}

func runNotify(ctx context.Context, g *globalOptions, o *notifyOptions, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if len(cfg.Notify.Command) == 0 {
		fmt.Fprintln(out, "notify.command is not set: nothing sent")
		return nil
	}
	rep := &orchestrator.Report{RunID: "test", Start: time.Now().UTC(), Target: cfg.Target.Dataset, VMs: []*orchestrator.VMResult{}}
	if o.test {
		rep.Errors = []string{"a test of notify.command (kvmbackup notify --test): no run failed"}
	} else {
		errs, sent, err := unitFailure(ctx, o.unit)
		if err != nil {
			return err
		}
		if sent {
			fmt.Fprintf(out, "%s exited 1: the run sent its own report\n", o.unit)
			return nil
		}
		rep.RunID, rep.Errors = "", errs
	}
	var b bytes.Buffer
	if err := render.JSON(&b, rep); err != nil {
		return err
	}
	if err := sendNotice(ctx, cfg.Notify.Command, &b); err != nil {
		return err
	}
	fmt.Fprintf(out, "sent to %s\n", strings.Join(cfg.Notify.Command, " "))
	return nil
}

// unitFailure says how unit ended and its last log lines; sent when it exited 1 (a
// run that sent its own report).
func unitFailure(ctx context.Context, unit string) (errs []string, sent bool, err error) {
	if strings.HasPrefix(unit, "-") || strings.ContainsAny(unit, " /") {
		return nil, false, fmt.Errorf("--unit %q is not a unit name", unit)
	}
	res, err := systemctlTool.Run(ctx, "show", "--property=Result,ExecMainCode,ExecMainStatus", "--", unit)
	if err != nil {
		return nil, false, fmt.Errorf("systemctl show %s: %w", unit, err)
	}
	props := map[string]string{}
	for _, line := range strings.Split(string(res.Stdout), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			props[k] = v
		}
	}
	// ExecMainCode 1 is CLD_EXITED: the status is an exit code, not a signal.
	if props["ExecMainCode"] == "1" && props["ExecMainStatus"] == "1" {
		return nil, true, nil
	}
	errs = []string{fmt.Sprintf("%s failed: result %s, main process code %s, status %s", unit, orUnknown(props["Result"]),
		orUnknown(props["ExecMainCode"]), orUnknown(props["ExecMainStatus"]))}
	if res, err := journalctlTool.Run(ctx, "--unit", unit, "--lines", "40", "--no-pager", "--output", "cat"); err == nil {
		errs = append(errs, "its last log lines:\n"+strings.TrimRight(string(res.Stdout), "\n"))
	} else {
		errs = append(errs, fmt.Sprintf("its log could not be read: %v", err))
	}
	return errs, false, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
