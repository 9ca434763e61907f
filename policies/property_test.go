package policies

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// zones the random cases are decided in: with DST, without, half-hour offsets, and a
// DST shift of half an hour.
var zones = []*time.Location{time.UTC, berlin, mustLoad("America/St_Johns"), mustLoad("Asia/Kolkata"),
	mustLoad("Australia/Lord_Howe"), mustLoad("America/Sao_Paulo")}

// randomCase returns a random policy (valid), snapshot list and zone. Times fall in
// a span of hours to years, at whole minutes, so that ties and crowded periods occur;
// one case in six is around the hour that Berlin's clocks run twice.
func randomCase(r *rand.Rand) (Policy, []Snapshot, *time.Location) {
	var p Policy
	for p.Validate() != nil {
		c := func() int {
			if r.IntN(3) == 0 {
				return 0
			}
			return r.IntN(8)
		}
		p = Policy{KeepLast: c(), KeepHourly: c(), KeepDaily: c(), KeepWeekly: c(), KeepMonthly: c(), KeepYearly: c()}
	}
	spans := []time.Duration{3 * time.Hour, 72 * time.Hour, 60 * 24 * time.Hour, 4 * 365 * 24 * time.Hour}
	span := int64(spans[r.IntN(len(spans))] / time.Minute)
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(10*365*24*60)) * time.Minute)
	if r.IntN(6) == 0 { // six hours around a fall-back to winter time in Berlin
		start, span = time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC), 6*60
	}
	n := r.IntN(80)
	snaps := make([]Snapshot, n)
	for i := range snaps {
		snaps[i] = Snapshot{
			Name: fmt.Sprintf("s%03d", r.IntN(1000)*1000+i), // unique, in no order
			Time: start.Add(time.Duration(r.Int64N(span)) * time.Minute),
			Ours: r.IntN(10) != 0,
			Held: r.IntN(12) == 0,
		}
	}
	return p, snaps, zones[r.IntN(len(zones))]
}

// reference decides the counted rules the slow way, independently of Apply: group
// ours by period, order the periods by their newest snapshot, keep the newest of
// the first N. It returns the reasons of each snapshot by name, held/foreign aside.
func reference(p Policy, snaps []Snapshot, loc *time.Location) map[string][]string {
	var o []Snapshot
	for _, s := range snaps {
		if s.Ours {
			o = append(o, s)
		}
	}
	newer := func(a, b Snapshot) bool { // a is newer than b
		return a.Time.After(b.Time) || a.Time.Equal(b.Time) && a.Name > b.Name
	}
	out := map[string][]string{}
	slices.SortFunc(o, func(a, b Snapshot) int {
		if newer(a, b) {
			return -1
		}
		return 1
	})
	if len(o) > 0 {
		out[o[0].Name] = append(out[o[0].Name], "newest")
	}
	for i := 0; i < p.KeepLast && i < len(o); i++ {
		out[o[i].Name] = append(out[o[i].Name], fmt.Sprintf("last %d", i+1))
	}
	for _, rule := range []struct {
		name string
		n    int
		key  func(t time.Time) string
	}{
		{"hourly", p.KeepHourly, func(t time.Time) string { return t.Format("2006-01-02 15 -0700") }},
		{"daily", p.KeepDaily, func(t time.Time) string { return t.Format("2006-01-02") }},
		{"weekly", p.KeepWeekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprint(y, w) }},
		{"monthly", p.KeepMonthly, func(t time.Time) string { return t.Format("2006-01") }},
		{"yearly", p.KeepYearly, func(t time.Time) string { return t.Format("2006") }},
	} {
		best := map[string]Snapshot{} // period → its newest
		for _, s := range o {
			k := rule.key(s.Time.In(loc))
			if b, ok := best[k]; !ok || newer(s, b) {
				best[k] = s
			}
		}
		var tops []Snapshot
		for _, s := range best {
			tops = append(tops, s)
		}
		slices.SortFunc(tops, func(a, b Snapshot) int {
			if newer(a, b) {
				return -1
			}
			return 1
		})
		for i := 0; i < rule.n && i < len(tops); i++ {
			out[tops[i].Name] = append(out[tops[i].Name], fmt.Sprintf("%s %d", rule.name, i+1))
		}
	}
	return out
}

func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(20261124, 3))
	for iter := range 3000 {
		p, snaps, loc := randomCase(r)
		ds, err := Apply(p, snaps, loc)
		if err != nil {
			t.Fatalf("case %d: %v", iter, err)
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("case %d, %v in %s, %d snapshots: %s", iter, p, loc, len(snaps), fmt.Sprintf(format, args...))
		}
		if len(ds) != len(snaps) {
			fail("%d decisions", len(ds))
		}
		ref := reference(p, snaps, loc)
		var newest *Snapshot
		kept, alwaysKept := 0, 0
		var keptSnaps []Snapshot
		for i, d := range ds {
			s := snaps[i]
			if d.Snapshot != s {
				fail("decision %d is for %+v, want %+v", i, d.Snapshot, s)
			}
			if d.Keep != (len(d.Reasons) > 0) {
				fail("%s: keep %v, reasons %q", d.Name, d.Keep, d.Reasons)
			}
			if (s.Held || !s.Ours) && !d.Keep {
				fail("%s (held %v, ours %v) removed", s.Name, s.Held, s.Ours)
			}
			if s.Held || !s.Ours {
				alwaysKept++
			}
			if s.Held != slices.Contains(d.Reasons, ReasonHeld) || s.Ours == slices.Contains(d.Reasons, ReasonForeign) {
				fail("%s (held %v, ours %v): reasons %q", s.Name, s.Held, s.Ours, d.Reasons)
			}
			counted := slices.DeleteFunc(slices.Clone(d.Reasons), func(r string) bool { return r == ReasonHeld || r == ReasonForeign })
			if !slices.Equal(counted, ref[s.Name]) {
				fail("%s: reasons %q, the reference says %q", s.Name, d.Reasons, ref[s.Name])
			}
			if s.Ours && (newest == nil || s.Time.After(newest.Time) || s.Time.Equal(newest.Time) && s.Name > newest.Name) {
				newest = &snaps[i]
			}
			if d.Keep {
				kept++
				keptSnaps = append(keptSnaps, s)
			}
		}
		if newest != nil {
			for _, d := range ds {
				if d.Name == newest.Name && (!d.Keep || d.Reasons[0] != ReasonNewest) {
					fail("the newest, %s, has reasons %q", d.Name, d.Reasons)
				}
			}
		}
		sum := p.KeepLast + p.KeepHourly + p.KeepDaily + p.KeepWeekly + p.KeepMonthly + p.KeepYearly
		if kept > sum+alwaysKept {
			fail("kept %d > %d counted + %d held or foreign", kept, sum, alwaysKept)
		}

		// Idempotence: the kept set, decided again, keeps all of it for the same reasons.
		again, err := Apply(p, keptSnaps, loc)
		if err != nil {
			fail("again: %v", err)
		}
		j := 0
		for _, d := range ds {
			if !d.Keep {
				continue
			}
			if a := again[j]; !a.Keep || !slices.Equal(a.Reasons, d.Reasons) {
				fail("%s: kept for %q, then %v for %q", d.Name, d.Reasons, a.Keep, a.Reasons)
			}
			j++
		}
	}
}

// keep-last N alone keeps exactly the N newest of ours, plus held and foreign ones.
func TestPropertyKeepLastOnly(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for iter := range 2000 {
		_, snaps, loc := randomCase(r)
		n := 1 + r.IntN(10)
		ds, err := Apply(Policy{KeepLast: n}, snaps, loc)
		if err != nil {
			t.Fatal(err)
		}
		var o []string
		extras := 0
		for _, s := range snaps {
			if s.Ours {
				o = append(o, s.Name)
			}
		}
		slices.SortFunc(o, func(a, b string) int { // newest first
			sa, sb := byName(snaps, a), byName(snaps, b)
			if c := sb.Time.Compare(sa.Time); c != 0 {
				return c
			}
			return strings.Compare(b, a)
		})
		top := o[:min(n, len(o))]
		kept := 0
		for _, d := range ds {
			inTop := slices.Contains(top, d.Name)
			if !inTop && (d.Held || !d.Ours) {
				extras++
			}
			if d.Keep {
				kept++
			}
			if d.Keep != (inTop || d.Held || !d.Ours) {
				t.Fatalf("case %d, keep-last %d: %s kept %v (in the %d newest: %v)", iter, n, d.Name, d.Keep, n, inTop)
			}
		}
		if want := min(n, len(o)) + extras; kept != want {
			t.Fatalf("case %d, keep-last %d: kept %d, want %d", iter, n, kept, want)
		}
	}
}

func byName(snaps []Snapshot, name string) Snapshot {
	for _, s := range snaps {
		if s.Name == name {
			return s
		}
	}
	panic(name)
}
