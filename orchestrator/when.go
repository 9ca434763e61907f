package orchestrator

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/zfs"
)

// ErrNoSuchSnapshot: WHEN names no snapshot of the VM; the error lists what exists.
var ErrNoSuchSnapshot = errors.New("no such snapshot")

var ageRe = regexp.MustCompile(`^(\d+)(m|h|d|w)$`)

// ResolveWhen picks the snapshot that WHEN names among a VM's snapshots (any order):
//   - "latest": the newest kvmbackup snapshot;
//   - a snapshot name (kvmbackup_2026-11-24T03:00:00Z, or any snapshot's name, with
//     or without "DATASET@" or "@" in front);
//   - a date (2026-11-24: the end of that day) or a date-time (2026-11-24T03:00,
//     2026-11-24 03:00:00, or RFC 3339 with a zone), in loc unless a zone is given:
//     the newest kvmbackup snapshot at or before it;
//   - an age (90m, 12h, 3d, 2w): the newest kvmbackup snapshot at or before now minus
//     the age.
//
// Anything else, or nothing at or before the time, is an error wrapping
// ErrNoSuchSnapshot that lists the snapshots there are.
func ResolveWhen(when string, snaps []zfs.Snapshot, now time.Time, loc *time.Location) (zfs.Snapshot, error) {
	if loc == nil {
		loc = time.Local
	}
	w := strings.TrimSpace(when)
	if i := strings.LastIndexByte(w, '@'); i >= 0 {
		w = w[i+1:]
	}
	for _, s := range snaps {
		if s.Name == w {
			return s, nil
		}
	}
	var at time.Time
	switch {
	case w == "latest":
		at = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	case ageRe.MatchString(w):
		m := ageRe.FindStringSubmatch(w)
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
		at = now.Add(-time.Duration(n) * unit)
	default:
		t, ok := parseWhenTime(w, loc)
		if !ok {
			return zfs.Snapshot{}, fmt.Errorf("%w: --at %q is not a snapshot name, a date (2026-11-24), a date-time (2026-11-24T03:00), \"latest\" or an age (3d, 12h); %s",
				ErrNoSuchSnapshot, when, listSnapshots(snaps))
		}
		at = t
	}
	var best zfs.Snapshot
	found := false
	for _, s := range snaps {
		if s.Ours() && !s.Time().After(at) && (!found || s.Time().After(best.Time())) {
			best, found = s, true
		}
	}
	if !found {
		what := "no kvmbackup snapshot"
		if w != "latest" {
			what += " at or before " + at.In(loc).Format(time.RFC3339)
		}
		return zfs.Snapshot{}, fmt.Errorf("%w: --at %q: %s; %s", ErrNoSuchSnapshot, when, what, listSnapshots(snaps))
	}
	return best, nil
}

// parseWhenTime reads a date (its end) or a date-time.
func parseWhenTime(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t.AddDate(0, 0, 1).Add(-time.Nanosecond), true
	}
	return time.Time{}, false
}

// listSnapshots names what exists, for an error: the newest ten.
func listSnapshots(snaps []zfs.Snapshot) string {
	if len(snaps) == 0 {
		return "it has no snapshots"
	}
	sorted := append([]zfs.Snapshot(nil), snaps...)
	for i := 1; i < len(sorted); i++ { // newest first
		for j := i; j > 0 && sorted[j].Time().After(sorted[j-1].Time()); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	var names []string
	for i, s := range sorted {
		if i == 10 {
			names = append(names, fmt.Sprintf("… %d older", len(sorted)-10))
			break
		}
		names = append(names, s.Name)
	}
	return fmt.Sprintf("snapshots (newest first): %s", strings.Join(names, ", "))
}
