// Package fscheck owns the read-only check of a filesystem found in a backup: the
// tool for its type (e2fsck -n, xfs_repair -n, fsck.vfat -n, btrfs check
// --readonly), run through the runner on a device of a throwaway clone, and what it
// found. A backup is crash-consistent: a journal the guest had not yet written back
// is replayed first (on the clone, never the backup), as the guest's next boot would.
// The filesystem is the guest's word: its tools' output is kept, bounded, as text.
package fscheck

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// Result is what a check found.
type Result struct {
	Tool string `json:"tool"` // the command line, device included
	// Status: "ok", "errors" (the tool found damage), "unchecked" (no read-only
	// checker for the type, or its tool is missing: Reason says which).
	Status   string `json:"status"`
	Replayed bool   `json:"journal_replayed,omitempty"` // the journal was replayed first
	Reason   string `json:"reason,omitempty"`
	Output   string `json:"output,omitempty"` // the tool's output (its last 4 KiB) when not ok
}

// Checker runs the checkers. The zero value is not usable: use New.
type Checker struct {
	E2fsck, XFSRepair, FsckVfat, Btrfs runner.Tool
}

// New uses the tools in PATH.
func New() Checker {
	return Checker{E2fsck: runner.New("e2fsck"), XFSRepair: runner.New("xfs_repair"), FsckVfat: runner.New("fsck.vfat"),
		Btrfs: runner.New("btrfs")}
}

// ErrUnusable: the check itself could not run (not a finding about the filesystem).
var ErrUnusable = errors.New("filesystem check could not run")

// Check checks the filesystem of type fstype on dev, a writable device of a
// throwaway clone. Its error means the check could not run (ErrUnusable); what the
// check found is the Result.
func (c Checker) Check(ctx context.Context, dev, fstype string) (Result, error) {
	switch fstype {
	case "ext2", "ext3", "ext4":
		// -E journal_only replays the journal and checks nothing; -n -f then checks
		// everything and changes nothing.
		r := Result{Tool: "e2fsck -n -f " + dev}
		res, err := c.E2fsck.RunWith(ctx, runner.Options{}, "-E", "journal_only", "-p", dev)
		if code := runner.ExitCode(err); err != nil && code != 1 {
			return c.missing(r, err, "e2fsprogs", res)
		} else if code == 1 || strings.Contains(string(res.Stdout)+string(res.Stderr), "recovering journal") {
			r.Replayed = true
		}
		res, err = c.E2fsck.RunWith(ctx, runner.Options{}, "-n", "-f", dev)
		return c.judge(r, res, err, "e2fsprogs", func(code int) bool { return code == 0 })
	case "xfs":
		r := Result{Tool: "xfs_repair -n " + dev}
		res, err := c.XFSRepair.RunWith(ctx, runner.Options{}, "-n", dev)
		if runner.ExitCode(err) == 2 && strings.Contains(string(res.Stderr), "log") {
			// A dirty log: only the kernel replays it (xfs_repair cannot without
			// zeroing it), by a mount, and mounting a guest's filesystem read-write in
			// this kernel is not a risk verify takes. A boot verify replays it in the
			// guest.
			r.Status = "unchecked"
			r.Reason = "its log holds changes a mount would replay (a live filesystem's backup): xfs_repair cannot check it without that, and verify does not mount a guest's filesystem; --boot replays it in the guest"
			return r, nil
		}
		return c.judge(r, res, err, "xfsprogs", func(code int) bool { return code == 0 })
	case "vfat":
		r := Result{Tool: "fsck.vfat -n " + dev}
		res, err := c.FsckVfat.RunWith(ctx, runner.Options{}, "-n", dev)
		return c.judge(r, res, err, "dosfstools", func(code int) bool { return code == 0 })
	case "btrfs":
		r := Result{Tool: "btrfs check --readonly " + dev}
		res, err := c.Btrfs.RunWith(ctx, runner.Options{}, "check", "--readonly", dev)
		return c.judge(r, res, err, "btrfs-progs", func(code int) bool { return code == 0 })
	}
	return Result{Status: "unchecked", Reason: fmt.Sprintf("no read-only check for filesystem type %q (checked: ext2/3/4, xfs, vfat, btrfs)", fstype)}, nil
}

// judge turns a checker's exit into a Result: ok, errors, or the tool missing.
func (c Checker) judge(r Result, res runner.Result, err error, pkg string, ok func(int) bool) (Result, error) {
	var ee *runner.ExitError
	switch {
	case err == nil:
		r.Status = "ok"
		return r, nil
	case errors.As(err, &ee) && ee.ExitCode > 0 && !ok(ee.ExitCode):
		r.Status = "errors"
		r.Reason = fmt.Sprintf("%s: exit status %d", r.Tool, ee.ExitCode)
		r.Output = tail(string(res.Stdout)+string(res.Stderr), 4096)
		return r, nil
	}
	return c.missing(r, err, pkg, res)
}

// missing reports a checker that did not run: its tool absent (unchecked, naming
// the package), else ErrUnusable.
func (c Checker) missing(r Result, err error, pkg string, res runner.Result) (Result, error) {
	if runner.IsNotInstalled(err) {
		r.Status, r.Reason = "unchecked", fmt.Sprintf("%v (install %s)", err, pkg)
		return r, nil
	}
	return r, fmt.Errorf("%w: %s: %v", ErrUnusable, r.Tool, err)
}

func tail(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
