// Command kvmbackup makes crash-consistent, space-efficient backups of the VMs of a
// KVM/libvirt host into a ZFS pool, keeps a dated history by a retention policy and
// restores from it. This package only wires: cobra commands, viper configuration,
// signals and exit codes; the work lives in the top-level packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, decided in one place (exitCode).
const (
	exitOK          = 0 // everything done
	exitSomeFailed  = 1 // the run went through, but some VM failed
	exitEnvironment = 2 // bad config, bad usage, or an environment that cannot work
)

// failure marks an error after which the work still went through but something
// failed (exit 1): a VM that could not be backed up or recovered, a verify mismatch.
type failure struct{ err error }

func (f failure) Error() string { return f.err.Error() }
func (f failure) Unwrap() error { return f.err }

func main() {
	// SIGINT/SIGTERM cancel the root context; the work underneath cleans up (resumes
	// VMs, removes snapshots) and returns. A second signal kills the process the
	// default way, and the next run recovers.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCommand().ExecuteContext(ctx)
	stop()
	code := exitCode(err)
	if err != nil && !errors.Is(err, errAlreadyReported) {
		msg := fmt.Sprintf("kvmbackup: %v\n", err)
		if stderrFormat == logJournal {
			msg = journalLines(msg) // an error, for the journal, on each of its lines
		}
		fmt.Fprint(os.Stderr, msg)
	}
	os.Exit(code)
}

// errAlreadyReported is an error whose details the command has printed itself.
var errAlreadyReported = errors.New("already reported")

// exitCode maps an error to the process's exit status.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, new(failure)):
		return exitSomeFailed
	default:
		// Config errors, usage errors, missing components, an interrupted run: the
		// environment or the input must change before trying again.
		return exitEnvironment
	}
}
