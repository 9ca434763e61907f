package orchestrator

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// StateReplica is a replication: target's last replication, as `replicate` and a
// run's after-run replication leave it in the state file. A target that a
// replication did not reach keeps what the last one that did said.
type StateReplica struct {
	Target   string        `json:"target"`
	To       string        `json:"to"`
	Last     time.Time     `json:"last"`        // the last replication's start
	Duration time.Duration `json:"duration_ns"` // its duration
	Bytes    int64         `json:"bytes"`       // what it sent
	// Error: why it failed or was interrupted ("" it succeeded).
	Error string `json:"error,omitempty"`
	// LastSuccess is the start of the newest replication that succeeded entirely;
	// one that failed or was interrupted never moves it.
	LastSuccess time.Time `json:"last_success,omitempty"`
	// Units: each unit's newest dated snapshot there, as last seen.
	Units []*StateReplicaUnit `json:"units"`
}

// Failed: its last replication failed.
func (r *StateReplica) Failed() bool { return r.Error != "" }

// StateReplicaUnit is the newest dated snapshot a target holds of one unit.
type StateReplicaUnit struct {
	Kind       zfs.Kind  `json:"kind"`
	Name       string    `json:"name"`
	Newest     string    `json:"newest,omitempty"` // "" none
	NewestTime time.Time `json:"newest_time,omitempty"`
	Seen       time.Time `json:"seen"` // when a replication last read it
}

// Unit is the state of unit u on the target, nil when no replication has seen it.
func (r *StateReplica) Unit(u zfs.Unit) *StateReplicaUnit {
	for _, x := range r.Units {
		if x.Kind == u.Kind && x.Name == u.Name {
			return x
		}
	}
	return nil
}

// Replica is target name's state, nil when no replication has been recorded.
func (s *State) Replica(name string) *StateReplica {
	for _, r := range s.Replicas {
		if r.Target == name {
			return r
		}
	}
	return nil
}

// RecordReplication merges the results of a replication (not a dry run's) into the
// state: each target it reached gets its time, bytes and error; LastSuccess moves
// only when the target and every unit succeeded. A unit's newest snapshot there is
// replaced when the replication learned it (a unit that failed before the
// receiver's listing was read, or was skipped, keeps the previous one). cfg, when
// not nil, then drops the targets and units it no longer configures.
func (s *State) RecordReplication(cfg *config.Config, res []ReplicatedTarget) {
	for _, rt := range res {
		r := s.Replica(rt.Target)
		if r == nil {
			r = &StateReplica{Target: rt.Target, Units: []*StateReplicaUnit{}}
			s.Replicas = append(s.Replicas, r)
		}
		r.To, r.Last, r.Duration, r.Bytes, r.Error = rt.To, rt.Time, rt.Duration, rt.Bytes, replicationError(rt)
		if r.Error == "" {
			r.LastSuccess = rt.Time
		}
		for _, ru := range rt.Units {
			if ru.Newest == "" && (ru.Error != "" || ru.Skipped != "") {
				continue // what the target holds was not learned
			}
			u := zfs.VMUnit(ru.VM)
			if ru.Path != "" {
				u = zfs.PathUnit(ru.Path)
			}
			x := r.Unit(u)
			if x == nil {
				x = &StateReplicaUnit{Kind: u.Kind, Name: u.Name}
				r.Units = append(r.Units, x)
			}
			x.Newest, x.NewestTime, x.Seen = ru.Newest, ru.NewestTime, rt.Time.Add(rt.Duration)
		}
		slices.SortFunc(r.Units, func(a, b *StateReplicaUnit) int {
			return strings.Compare(string(a.Kind)+"/"+a.Name, string(b.Kind)+"/"+b.Name)
		})
	}
	slices.SortFunc(s.Replicas, func(a, b *StateReplica) int { return strings.Compare(a.Target, b.Target) })
	if cfg != nil {
		s.configuredReplicas(cfg)
	}
}

// replicationError is why a target's replication failed, "" when it did not.
func replicationError(rt ReplicatedTarget) string {
	if rt.Error != "" {
		return rt.Error
	}
	var errs []string
	for _, u := range rt.Units {
		if u.Error != "" {
			errs = append(errs, fmt.Sprintf("%s: %s", u.Dataset, u.Error))
		}
	}
	return strings.Join(errs, "; ")
}

// configuredReplicas drops the targets cfg no longer configures and, of each, the
// units cfg no longer configures; a configured target the state lacks is added with
// no replication (its metrics say never).
func (s *State) configuredReplicas(cfg *config.Config) {
	s.Replicas = slices.DeleteFunc(s.Replicas, func(r *StateReplica) bool {
		_, ok := cfg.ReplicationTarget(r.Target)
		return !ok
	})
	for _, r := range cfg.Replication {
		if x := s.Replica(r.Name); x != nil {
			x.To = r.To
			continue
		}
		s.Replicas = append(s.Replicas, &StateReplica{Target: r.Name, To: r.To, Units: []*StateReplicaUnit{}})
	}
	slices.SortFunc(s.Replicas, func(a, b *StateReplica) int { return strings.Compare(a.Target, b.Target) })
	for _, r := range s.Replicas {
		r.Units = slices.DeleteFunc(r.Units, func(u *StateReplicaUnit) bool {
			if u.Kind == zfs.KindPath {
				return !slices.ContainsFunc(cfg.Paths, func(e config.PathEntry) bool { return e.Name == u.Name })
			}
			return !cfg.Selects(u.Name)
		})
	}
}
