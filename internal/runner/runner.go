// Package runner owns how kvmbackup runs external tools (lvm, zfs, fsck, mount, virsh,
// qemu): exec.CommandContext with an argument slice and never a shell, the binary path as
// a field, the child in its own process group and killed as a group on cancel, stderr
// kept for the error, and start/exit/duration logged at debug through the context's
// zerolog logger.
package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// Tool is one external program. The zero value is not usable: Path must be set.
type Tool struct {
	// Path of the binary: absolute, or a name looked up in PATH when it runs.
	Path string
	// Env, when not nil, is the child's whole environment (as os/exec's Cmd.Env).
	Env []string
	// WaitDelay bounds how long Run waits for the output pipes after the process
	// group was killed on cancel (default 5s).
	WaitDelay time.Duration
}

// AdminEnv is the whole environment of a program the admin named (a hook script, a
// notify command): the basics a shell script needs, and nothing of kvmbackup's own
// (its KVMBACKUP_* overrides must not reach a kvmbackup the program calls).
func AdminEnv() []string {
	return []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=/root"}
}

// New returns a Tool for the binary at path.
func New(path string) Tool { return Tool{Path: path} }

// Options are the optional parts of one run.
type Options struct {
	Stdin  io.Reader
	Stdout io.Writer // when set, stdout streams here instead of into Result.Stdout
	Dir    string
	// KillWithParent kills the child (SIGKILL) when this process dies, for long-lived
	// children such as a VM's QEMU that must not outlive a crashed test. RunWith then
	// forks from, and waits on, a locked OS thread, since the kernel ties the signal
	// to the thread that forked.
	KillWithParent bool
}

// Result is what a finished command left.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	Duration time.Duration
}

// ExitError is a command that ran and exited non-zero (or was killed by a signal).
type ExitError struct {
	Path     string
	Args     []string
	ExitCode int // -1 when killed by a signal
	Stderr   string
}

func (e *ExitError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = "no output on stderr"
	}
	return fmt.Sprintf("%s: exit status %d: %s", commandLine(e.Path, e.Args), e.ExitCode, msg)
}

// StartError is a command that could not run at all (missing binary, bad argument).
type StartError struct {
	Path string
	Args []string
	Err  error
}

func (e *StartError) Error() string {
	return fmt.Sprintf("%s: %v", commandLine(e.Path, e.Args), e.Err)
}

func (e *StartError) Unwrap() error { return e.Err }

// ErrBadArgument marks an argument that cannot be passed to a program (a NUL byte).
var ErrBadArgument = errors.New("argument contains a NUL byte")

// Run runs the tool with args and waits for it. A non-zero exit returns the Result and
// an *ExitError holding stderr; a cancelled ctx kills the whole process group and
// returns an error wrapping ctx.Err().
func (t Tool) Run(ctx context.Context, args ...string) (Result, error) {
	return t.RunWith(ctx, Options{}, args...)
}

// Output runs the tool and returns its stdout (see Run).
func (t Tool) Output(ctx context.Context, args ...string) ([]byte, error) {
	res, err := t.Run(ctx, args...)
	return res.Stdout, err
}

// RunWith is Run with stdin, a stdout stream or a working directory.
func (t Tool) RunWith(ctx context.Context, opts Options, args ...string) (Result, error) {
	if t.Path == "" {
		return Result{}, &StartError{Path: "(empty)", Args: args, Err: errors.New("no binary path set")}
	}
	for _, a := range args {
		if strings.IndexByte(a, 0) >= 0 {
			return Result{}, &StartError{Path: t.Path, Args: args, Err: fmt.Errorf("%w: %q", ErrBadArgument, a)}
		}
	}
	log := zerolog.Ctx(ctx).With().Str("component", "runner").Logger()
	cmd := exec.CommandContext(ctx, t.Path, args...)
	cmd.Env = t.Env
	cmd.Dir = opts.Dir
	cmd.Stdin = opts.Stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	if opts.Stdout != nil {
		cmd.Stdout = opts.Stdout
	}
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if opts.KillWithParent {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		// The child leads its own group: kill it and everything it started.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = t.WaitDelay
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = 5 * time.Second
	}

	start := time.Now()
	log.Debug().Str("cmd", commandLine(t.Path, args)).Msg("start")
	err := cmd.Run()
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Duration: time.Since(start)}
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	log.Debug().Str("cmd", commandLine(t.Path, args)).Int("exit", code).
		Dur("duration", res.Duration).Msg("exit")
	count(ctx, t.Path, args, res.Duration)
	if err == nil {
		return res, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return res, fmt.Errorf("%s: %w (stderr: %s)", commandLine(t.Path, args), ctxErr,
			strings.TrimSpace(stderr.String()))
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return res, &ExitError{Path: t.Path, Args: args, ExitCode: code, Stderr: stderr.String()}
	}
	return res, &StartError{Path: t.Path, Args: args, Err: err}
}

// ExitCode returns the exit status carried by err, or -1 if err is not an *ExitError.
func ExitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode
	}
	return -1
}

// IsNotInstalled reports whether err says the binary does not exist.
func IsNotInstalled(err error) bool {
	return errors.Is(err, exec.ErrNotFound) || errors.Is(err, syscall.ENOENT)
}

// commandLine renders a command for messages; arguments with spaces are quoted.
func commandLine(path string, args []string) string {
	var b strings.Builder
	b.WriteString(path)
	for _, a := range args {
		b.WriteByte(' ')
		if a == "" || strings.ContainsAny(a, " \t\n'\"") {
			fmt.Fprintf(&b, "%q", a)
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}
