package render

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

const statusTime = "2006-01-02 15:04 MST"

// Status prints `kvmbackup status`: one screen. The verdict first, then the last
// run, the pool, the next timer run, one line per VM and paths: entry (its newest
// dated backup, its age, how many, pins, its last result, fresh or STALE/FAILED),
// then the pins, the problems and the warnings. Times are local.
func Status(w io.Writer, s *orchestrator.StatusReport) {
	now := s.Time
	verdict := s.Verdict
	if n := len(s.Problems); n > 0 {
		verdict += fmt.Sprintf(" (%d %s)", n, plural(n, "problem"))
	}
	fmt.Fprintf(w, "kvmbackup status: %s, at %s, status.max-age %s, target %s\n", verdict, now.Local().Format(statusTime), orchestrator.ShortAge(s.MaxAge), s.Target)
	switch lr := s.LastRun; {
	case lr == nil && s.StateError != "":
		fmt.Fprintf(w, "last run:  unknown (the state file could not be read)\n")
	case lr == nil:
		fmt.Fprintf(w, "last run:  none recorded\n")
	default:
		result := "ok"
		if !lr.Success() {
			result = fmt.Sprintf("FAILED, exit status %d (%s)", lr.ExitCode, lr.Reason)
			if lr.Error != "" {
				result += ": " + lr.Error
			}
		}
		what := ""
		if len(lr.VMs)+len(lr.Paths) > 0 {
			var sel []string
			for _, v := range lr.VMs {
				sel = append(sel, "--vm "+v)
			}
			for _, p := range lr.Paths {
				sel = append(sel, "--path "+p)
			}
			what = " " + strings.Join(sel, " ")
		}
		fmt.Fprintf(w, "last run:  %s (%s ago)%s, took %s: %s\n", lr.Start.Local().Format(statusTime), orchestrator.ShortAge(now.Sub(lr.Start)), what,
			lr.Duration.Round(time.Second), result)
	}
	if p := s.Pool; p != nil {
		fmt.Fprintf(w, "pool:      %s %s, %s free; %s can take %s\n", p.Pool, zfs.PoolState(p.Health), config.FormatBytes(p.Free), p.Dataset, config.FormatBytes(p.Available))
	} else {
		fmt.Fprintf(w, "pool:      unknown\n")
	}
	if s.NextRun.IsZero() {
		fmt.Fprintf(w, "next run:  %s\n", s.NextRunNote)
	} else {
		fmt.Fprintf(w, "next run:  %s (in %s)\n", s.NextRun.Local().Format(statusTime), orchestrator.ShortAge(s.NextRun.Sub(now)))
	}
	if len(s.Units) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "UNIT\tNEWEST BACKUP\tAGE\tBACKUPS\tPINNED\tLAST RESULT\tSTATE")
		for _, u := range s.Units {
			newest, age := "-", "-"
			if u.Newest != "" {
				newest, age = u.NewestTime.Local().Format(statusTime), orchestrator.ShortAge(u.Age)
			}
			var state []string
			switch {
			case u.Error != "":
				state = append(state, "UNKNOWN")
			case u.Stale:
				state = append(state, "STALE")
			}
			if u.Failed {
				state = append(state, "FAILED")
			}
			if len(state) == 0 {
				state = append(state, "fresh")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", u.String(), newest, age, u.Snapshots, len(u.Pins), orDash(u.LastStatus), strings.Join(state, ", "))
		}
		tw.Flush()
	}
	replicas(w, s)
	for _, u := range s.Units {
		for _, p := range u.Pins {
			fmt.Fprintf(w, "pinned:    %s@%s\n", u.Dataset, p)
		}
	}
	for _, u := range s.Units {
		if v := u.Verified; v != nil {
			res := "ok"
			if !v.OK {
				res = "FAILED: " + v.Reason
			}
			boot := ""
			if v.Boot > 0 {
				boot = fmt.Sprintf(", ready in %.1fs", v.Boot.Seconds())
			}
			fmt.Fprintf(w, "verified:  %s@%s %s %s ago (%s%s): %s\n", u.Dataset, u.VerifiedSnapshot, v.At.Local().Format(statusTime),
				orchestrator.ShortAge(now.Sub(v.At)), v.What, boot, res)
		}
	}
	for _, u := range s.Units {
		for _, b := range u.Bases {
			disk, rec, _ := strings.Cut(b, "=")
			lv, id, _ := strings.Cut(rec, ":")
			vg, name, _ := strings.Cut(lv, "/")
			fmt.Fprintf(w, "base:      %s %s: %s/%s (thin id %s), kept for changed-block tracking\n", u.String(), disk, vg, lvm.BaseName(name), id)
		}
	}
	for _, p := range s.Problems {
		fmt.Fprintf(w, "problem:   %s\n", p)
	}
	for _, x := range s.Warnings {
		fmt.Fprintf(w, "warning:   %s\n", x)
	}
}

// StatusJSON writes the status as `kvmbackup status --json` prints it: one JSON
// object (the shape of orchestrator.StatusReport's json tags), then a newline.
func StatusJSON(w io.Writer, s *orchestrator.StatusReport) error { return json.NewEncoder(w).Encode(s) }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// replicas prints each replication: target's last replication, then one table of
// what each holds of each unit backed up here: the newest there, its lag, STALE past
// status.max-age.
func replicas(w io.Writer, s *orchestrator.StatusReport) {
	now := s.Time
	rows := 0
	for _, r := range s.Replicas {
		if r.Last.IsZero() {
			fmt.Fprintf(w, "replica:   %s (%s): no replication recorded\n", r.Target, r.To)
			continue
		}
		rows += len(r.Units)
		result := "ok"
		if r.Failed {
			result = "FAILED, last success "
			if r.LastSuccess.IsZero() {
				result += "never"
			} else {
				result += fmt.Sprintf("%s (%s ago)", r.LastSuccess.Local().Format(statusTime), orchestrator.ShortAge(now.Sub(r.LastSuccess)))
			}
		}
		lag := "-"
		if slices.ContainsFunc(r.Units, func(u orchestrator.ReplicaUnitStatus) bool { return u.Newest != "" }) {
			lag = orchestrator.ShortAge(r.Lag)
		}
		fmt.Fprintf(w, "replica:   %s (%s): last %s (%s ago), took %s, %s sent: %s; worst lag %s\n", r.Target, r.To, r.Last.Local().Format(statusTime),
			orchestrator.ShortAge(now.Sub(r.Last)), r.Duration.Round(time.Second), config.FormatBytes(r.Bytes), result, lag)
	}
	if rows == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REPLICA\tUNIT\tNEWEST THERE\tLAG\tSTATE")
	for _, r := range s.Replicas {
		if r.Last.IsZero() {
			continue
		}
		for _, u := range r.Units {
			newest, lag, state := "-", "-", "fresh"
			if u.Newest != "" {
				newest, lag = u.NewestTime.Local().Format(statusTime), orchestrator.ShortAge(u.Lag)
			}
			if u.Stale {
				state = "STALE"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Target, u.String(), newest, lag, state)
		}
	}
	tw.Flush()
}
