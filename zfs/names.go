package zfs

import (
	"strings"
	"time"
)

// SnapshotPrefix starts the name of every dated snapshot kvmbackup takes:
// VM@kvmbackup_2026-11-24T03:00:00Z (UTC, sortable as text).
const SnapshotPrefix = "kvmbackup_"

const snapshotTimeLayout = "2006-01-02T15:04:05Z"

// SnapshotName is the name (the part after @) of the dated snapshot taken at t.
func SnapshotName(t time.Time) string {
	return SnapshotPrefix + t.UTC().Format(snapshotTimeLayout)
}

// ParseSnapshotName returns the time a kvmbackup snapshot name carries; ok is false
// for any other name (a foreign snapshot). name may include "DATASET@".
func ParseSnapshotName(name string) (t time.Time, ok bool) {
	if i := strings.LastIndexByte(name, '@'); i >= 0 {
		name = name[i+1:]
	}
	rest, found := strings.CutPrefix(name, SnapshotPrefix)
	if !found {
		return time.Time{}, false
	}
	t, err := time.Parse(snapshotTimeLayout, rest)
	if err != nil || t.Format(snapshotTimeLayout) != rest {
		return time.Time{}, false
	}
	return t, true
}
