package orchestrator

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/zfs"
)

func TestResolveWhen(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ds := "backup/vms/web1"
	var snaps []zfs.Snapshot
	for _, s := range []string{"2026-11-20T02:00:00Z", "2026-11-22T02:00:00Z", "2026-11-23T23:30:00Z", "2026-11-24T02:00:00Z"} {
		at, _ := time.Parse(time.RFC3339, s)
		snaps = append(snaps, zfs.Snapshot{Dataset: ds, Name: zfs.SnapshotName(at)})
	}
	snaps = append(snaps, zfs.Snapshot{Dataset: ds, Name: "before-upgrade", Created: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for when, want := range map[string]string{
		"latest":                               "kvmbackup_2026-11-24T02:00:00Z", // the foreign one is newer, but not ours
		"kvmbackup_2026-11-22T02:00:00Z":       "kvmbackup_2026-11-22T02:00:00Z",
		ds + "@kvmbackup_2026-11-22T02:00:00Z": "kvmbackup_2026-11-22T02:00:00Z",
		"@before-upgrade":                      "before-upgrade",
		"2026-11-23":                           "kvmbackup_2026-11-22T02:00:00Z", // 23:30Z is Nov 24 in Berlin
		"2026-11-24":                           "kvmbackup_2026-11-24T02:00:00Z",
		"2026-11-24T03:00":                     "kvmbackup_2026-11-24T02:00:00Z", // 02:00Z, Berlin
		"2026-11-24T02:30":                     "kvmbackup_2026-11-23T23:30:00Z", // 01:30Z: before 02:00Z
		"2026-11-24T02:00:00Z":                 "kvmbackup_2026-11-24T02:00:00Z",
		"2026-11-24 00:30":                     "kvmbackup_2026-11-23T23:30:00Z",
		"3d":                                   "kvmbackup_2026-11-22T02:00:00Z", // 2026-11-22T12:00Z
		"35h":                                  "kvmbackup_2026-11-23T23:30:00Z", // 01:00Z on the 24th
		"1w":                                   "",
	} {
		got, err := ResolveWhen(when, snaps, now, berlin)
		if want == "" {
			if !errors.Is(err, ErrNoSuchSnapshot) || !strings.Contains(err.Error(), "at or before") || !strings.Contains(err.Error(), "kvmbackup_2026-11-20T02:00:00Z") {
				t.Errorf("%q: %v, want an error listing the snapshots", when, err)
			}
			continue
		}
		if err != nil || got.Name != want {
			t.Errorf("%q: %s %v, want %s", when, got.Name, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "3y", "2026-13-01", "kvmbackup_2020-01-01T00:00:00Z", ""} {
		_, err := ResolveWhen(bad, snaps, now, berlin)
		if !errors.Is(err, ErrNoSuchSnapshot) || !strings.Contains(err.Error(), "kvmbackup_2026-11-24T02:00:00Z") {
			t.Errorf("%q: %v, want an error naming what exists", bad, err)
		}
	}
	if _, err := ResolveWhen("latest", nil, now, berlin); err == nil || !strings.Contains(err.Error(), "no snapshots") {
		t.Errorf("latest of nothing: %v", err)
	}
}
