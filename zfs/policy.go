package zfs

import "github.com/kvmbackup/kvmbackup/policies"

// PolicySnapshots are snaps as the retention policy sees them (policies.Apply): the
// time a dated name carries (else the creation time), whether kvmbackup made it and
// whether it is held. Both the sender's prune and a receiver's retention use it.
func PolicySnapshots(snaps []Snapshot) []policies.Snapshot {
	out := make([]policies.Snapshot, len(snaps))
	for i, s := range snaps {
		out[i] = policies.Snapshot{Name: s.Name, Time: s.Time(), Ours: s.Ours(), Held: s.Held()}
	}
	return out
}
