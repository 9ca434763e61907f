// Package policies owns kvmbackup's retention rules (docs/retention.md):
// given a policy and the snapshots of one dataset, which to keep, which to remove,
// and every rule that keeps each kept one.
//
// It is pure: no I/O and no clock. The caller lists the snapshots of one dataset
// (one VM), says which kvmbackup made and which carry a hold, passes the time zone
// the calendar periods are taken in, and destroys what Apply says to remove.
//
// The rules are a union, as restic's forget applies them: a snapshot is kept when any
// rule keeps it. keep-last N keeps the N newest; keep-hourly/daily/weekly/monthly/
// yearly N keep, for each of the N most recent hours/days/ISO weeks/months/years that
// have a snapshot, the newest snapshot in it. Whatever the policy, the newest
// snapshot, held snapshots and foreign snapshots (not made by kvmbackup) are kept.
package policies

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Policy is how many snapshots each rule keeps. Zero turns a rule off; a policy
// whose every count is zero is refused (Validate), never read as "keep nothing".
// The config's retention section has the same fields in the same order: the caller
// converts it, policies.Policy(cfg.Retention) (this package imports nothing of
// kvmbackup).
type Policy struct {
	KeepLast    int // the N newest
	KeepHourly  int // the newest of each of the N most recent hours that have one
	KeepDaily   int // ... days
	KeepWeekly  int // ... ISO weeks (Monday to Sunday; ISO week-numbering year)
	KeepMonthly int // ... months
	KeepYearly  int // ... years
}

// A RuleError is what Validate finds wrong with a policy: one count (Key, N), or the
// policy as a whole (Key "").
type RuleError struct {
	Key    string // the count's key: "keep-daily"; "" for the whole policy
	N      int    // the count's value
	Reason string // "must not be negative"
}

// Error reads "keep-daily -1: must not be negative", or "the retention policy " and
// the reason for the whole policy.
func (e *RuleError) Error() string {
	if e.Key == "" {
		return "the retention policy " + e.Reason
	}
	return fmt.Sprintf("%s %d: %s", e.Key, e.N, e.Reason)
}

// ErrKeepsNothing is the error of Validate (and Apply) for a policy whose every count
// is zero: a *RuleError with Key "".
var ErrKeepsNothing error = &RuleError{Reason: `keeps nothing (every keep-* is 0): ` +
	`such a policy is refused, not read as "delete everything"; set at least one keep-* above 0`}

// count is one keep-* key of a policy and its value, in the order of the rules.
type count struct {
	key string // keep-daily
	n   int
}

func (p Policy) counts() []count {
	return []count{
		{"keep-last", p.KeepLast}, {"keep-hourly", p.KeepHourly}, {"keep-daily", p.KeepDaily},
		{"keep-weekly", p.KeepWeekly}, {"keep-monthly", p.KeepMonthly}, {"keep-yearly", p.KeepYearly},
	}
}

// Validate returns an error naming each negative count (keep-daily -1), or
// ErrKeepsNothing when every count is zero: *RuleError values, joined. It is the
// one rule of a retention policy: the config's retention keys are checked with it
// (orchestrator.ConfigChecks), as Apply checks its policy.
func (p Policy) Validate() error {
	var errs []error
	some := false
	for _, c := range p.counts() {
		switch {
		case c.n < 0:
			errs = append(errs, &RuleError{Key: c.key, N: c.n, Reason: "must not be negative"})
		case c.n > 0:
			some = true
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if !some {
		return ErrKeepsNothing
	}
	return nil
}

// String lists the counts that are not zero, in rule order:
// "keep-last 1, keep-hourly 12, keep-daily 3, keep-weekly 2"; "keep nothing" when
// every count is zero.
func (p Policy) String() string {
	var parts []string
	for _, c := range p.counts() {
		if c.n != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.key, c.n))
		}
	}
	if len(parts) == 0 {
		return "keep nothing"
	}
	return strings.Join(parts, ", ")
}

// Snapshot is one snapshot of a dataset, as the caller found it.
type Snapshot struct {
	Name string    // the snapshot name (after @), or whatever the caller shows; unique
	Time time.Time // when it was taken (for kvmbackup's own: the time in its name)
	Ours bool      // kvmbackup made it (its name parses as its own); foreign ones are always kept and never counted
	Held bool      // it has a hold (a pin): always kept
}

// Decision is what Apply decided for one snapshot.
type Decision struct {
	Snapshot
	Keep bool
	// Reasons lists every rule that keeps the snapshot, in rule order: "newest",
	// "last 1", "hourly 3", "daily 1", "weekly 2", "monthly 1", "yearly 1", "held",
	// "foreign". The number is the rank: "last 2" is the second newest, "daily 1" the
	// newest snapshot of the most recent day that has one. Empty when Keep is false.
	Reasons []string
}

// Reason names of the rules that are not counted.
const (
	ReasonNewest  = "newest"
	ReasonHeld    = "held"
	ReasonForeign = "foreign"
)

// period identifies one calendar period of a snapshot in the policy's time zone.
type period struct{ a, b, c, d, offset int }

// calendarRule is one of the keep-hourly ... keep-yearly rules.
type calendarRule struct {
	name   string                   // the reason's word: "hourly"
	n      int                      // how many periods it keeps
	period func(t time.Time) period // t's period; t is in the policy's zone
}

// calendarRules are the calendar rules of p, in rule order.
func calendarRules(p Policy) []calendarRule {
	return []calendarRule{
		{"hourly", p.KeepHourly, func(t time.Time) period {
			// The zone offset keeps apart the two hours that a fall-back to winter
			// time gives the same wall clock (02:00–03:00 CEST, then CET).
			_, off := t.Zone()
			return period{t.Year(), int(t.Month()), t.Day(), t.Hour(), off}
		}},
		{"daily", p.KeepDaily, func(t time.Time) period {
			return period{a: t.Year(), b: int(t.Month()), c: t.Day()}
		}},
		{"weekly", p.KeepWeekly, func(t time.Time) period {
			y, w := t.ISOWeek() // 2027-01-01 is in week 53 of 2026
			return period{a: y, b: w}
		}},
		{"monthly", p.KeepMonthly, func(t time.Time) period {
			return period{a: t.Year(), b: int(t.Month())}
		}},
		{"yearly", p.KeepYearly, func(t time.Time) period {
			return period{a: t.Year()}
		}},
	}
}

// Apply decides, by policy p, which of the snapshots of one dataset to keep. Calendar
// periods are taken in loc (the host's zone: time.Local). It returns one Decision per
// snapshot, in the order of snaps.
//
// Only kvmbackup's own snapshots (Ours) are counted, held ones included; of two with
// the same Time, the one whose Name sorts last counts as the newer. The newest of
// them, every held snapshot and every foreign snapshot are always kept.
//
// It fails, deciding nothing, when p does not validate, loc is nil or two snapshots
// have the same Name.
func Apply(p Policy, snaps []Snapshot, loc *time.Location) ([]Decision, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if loc == nil {
		return nil, errors.New("policies: no time zone to take the periods in (loc is nil)")
	}
	seen := make(map[string]bool, len(snaps))
	var ours []int // indexes into snaps, newest first
	for i, s := range snaps {
		if seen[s.Name] {
			return nil, fmt.Errorf("policies: snapshot %q is listed twice", s.Name)
		}
		seen[s.Name] = true
		if s.Ours {
			ours = append(ours, i)
		}
	}
	slices.SortFunc(ours, func(i, j int) int {
		if c := snaps[j].Time.Compare(snaps[i].Time); c != 0 {
			return c
		}
		return strings.Compare(snaps[j].Name, snaps[i].Name)
	})

	reasons := make([][]string, len(snaps))
	if len(ours) > 0 {
		reasons[ours[0]] = append(reasons[ours[0]], ReasonNewest)
	}
	for rank, i := range ours[:min(p.KeepLast, len(ours))] {
		reasons[i] = append(reasons[i], fmt.Sprintf("last %d", rank+1))
	}
	for _, r := range calendarRules(p) {
		if r.n <= 0 {
			continue
		}
		// Newest first, the first snapshot met in a period is its newest. A map
		// rather than "differs from the previous one": a zone whose clock goes back
		// across midnight can make a day start again.
		ranked := map[period]bool{}
		for _, i := range ours {
			k := r.period(snaps[i].Time.In(loc))
			if ranked[k] {
				continue
			}
			ranked[k] = true
			if len(ranked) > r.n {
				break
			}
			reasons[i] = append(reasons[i], fmt.Sprintf("%s %d", r.name, len(ranked)))
		}
	}

	out := make([]Decision, len(snaps))
	for i, s := range snaps {
		rs := reasons[i]
		if s.Held {
			rs = append(rs, ReasonHeld)
		}
		if !s.Ours {
			rs = append(rs, ReasonForeign)
		}
		out[i] = Decision{Snapshot: s, Keep: len(rs) > 0, Reasons: rs}
	}
	return out, nil
}
