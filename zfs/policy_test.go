package zfs

import (
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/policies"
)

// A dated snapshot carries its name's time; a foreign one its creation time, not
// ours; a held one is held.
func TestPolicySnapshots(t *testing.T) {
	at := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	created := at.Add(time.Hour)
	got := PolicySnapshots([]Snapshot{
		{Name: SnapshotName(at), Created: created, Holds: []string{PinTag}},
		{Name: "autosnap_daily", Created: created},
	})
	want := []policies.Snapshot{{Name: SnapshotName(at), Time: at, Ours: true, Held: true}, {Name: "autosnap_daily", Time: created}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("PolicySnapshots: %+v, want %+v", got, want)
	}
}
