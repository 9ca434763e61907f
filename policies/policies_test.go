package policies

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin and friends without the system's tzdata
)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var berlin = mustLoad("Europe/Berlin")

// ours returns one snapshot of kvmbackup's per time, each named by its time as
// written: "2026-10-25T02:10:00+02:00" (an offset) or "2026-10-25T00:10:00Z".
func ours(times ...string) []Snapshot {
	var out []Snapshot
	for _, s := range times {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		out = append(out, Snapshot{Name: s, Time: t, Ours: true})
	}
	return out
}

// decide applies p in Berlin and returns each snapshot's reasons, comma-separated
// ("" when removed), by name; it fails t on an error or an inconsistent Keep.
func decide(t *testing.T, p Policy, snaps []Snapshot) map[string]string {
	t.Helper()
	ds, err := Apply(p, snaps, berlin)
	if err != nil {
		t.Fatalf("Apply(%v): %v", p, err)
	}
	if len(ds) != len(snaps) {
		t.Fatalf("%d decisions for %d snapshots", len(ds), len(snaps))
	}
	got := map[string]string{}
	for i, d := range ds {
		if d.Name != snaps[i].Name {
			t.Fatalf("decision %d is for %q, want %q (input order)", i, d.Name, snaps[i].Name)
		}
		if d.Keep != (len(d.Reasons) > 0) {
			t.Fatalf("%s: keep %v with reasons %q", d.Name, d.Keep, d.Reasons)
		}
		got[d.Name] = strings.Join(d.Reasons, ",")
	}
	return got
}

func wantDecisions(t *testing.T, got, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: reasons %q, want %q", name, got[name], w)
		}
	}
	for name, g := range got {
		if _, ok := want[name]; !ok && g != "" {
			t.Errorf("%s: kept (%s), want removed", name, g)
		}
	}
}

func TestKeepLast(t *testing.T) {
	snaps := ours("2026-11-20T03:00:00Z", "2026-11-24T03:00:00Z", "2026-11-21T03:00:00Z", "2026-11-23T03:00:00Z")
	wantDecisions(t, decide(t, Policy{KeepLast: 2}, snaps), map[string]string{
		"2026-11-24T03:00:00Z": "newest,last 1",
		"2026-11-23T03:00:00Z": "last 2",
	})
	// More than there are: all of them.
	got := decide(t, Policy{KeepLast: 10}, snaps)
	if got["2026-11-20T03:00:00Z"] != "last 4" {
		t.Errorf("keep-last 10 of 4: the oldest has %q", got["2026-11-20T03:00:00Z"])
	}
}

// An hour without a snapshot is not counted; the newest of each hour is kept.
func TestKeepHourly(t *testing.T) {
	snaps := ours("2026-11-24T10:05:00+01:00", "2026-11-24T10:40:00+01:00", "2026-11-24T11:10:00+01:00",
		"2026-11-24T13:00:00+01:00", "2026-11-24T09:59:59+01:00")
	wantDecisions(t, decide(t, Policy{KeepHourly: 3}, snaps), map[string]string{
		"2026-11-24T13:00:00+01:00": "newest,hourly 1",
		"2026-11-24T11:10:00+01:00": "hourly 2",
		"2026-11-24T10:40:00+01:00": "hourly 3",
	})
}

// Days are local days: 23:30 UTC on the 23rd is the 24th in Berlin.
func TestKeepDaily(t *testing.T) {
	snaps := ours("2026-11-20T12:00:00Z", "2026-11-22T08:00:00Z", "2026-11-22T20:00:00Z",
		"2026-11-23T12:00:00Z", "2026-11-23T23:30:00Z", "2026-11-24T01:00:00Z")
	wantDecisions(t, decide(t, Policy{KeepDaily: 3}, snaps), map[string]string{
		"2026-11-24T01:00:00Z": "newest,daily 1", // 02:00 on the 24th; 23:30Z (00:30 on the 24th) is older
		"2026-11-23T12:00:00Z": "daily 2",
		"2026-11-22T20:00:00Z": "daily 3",
	})
}

// ISO weeks: 2026-12-31 (Thursday) and 2027-01-01 (Friday) are both in 2026-W53,
// which runs to Sunday 2027-01-03; Monday 2027-01-04 starts 2027-W01.
func TestKeepWeeklyAtYearBoundary(t *testing.T) {
	snaps := ours("2026-12-24T12:00:00+01:00", "2026-12-31T12:00:00+01:00", "2027-01-01T12:00:00+01:00")
	wantDecisions(t, decide(t, Policy{KeepWeekly: 2}, snaps), map[string]string{
		"2027-01-01T12:00:00+01:00": "newest,weekly 1",
		"2026-12-24T12:00:00+01:00": "weekly 2", // 2026-W52; the 31st lost to the 1st in W53
	})
	snaps = ours("2026-12-27T23:00:00+01:00", "2026-12-28T00:30:00+01:00", "2027-01-03T23:59:00+01:00",
		"2027-01-04T00:00:00+01:00")
	wantDecisions(t, decide(t, Policy{KeepWeekly: 5}, snaps), map[string]string{
		"2027-01-04T00:00:00+01:00": "newest,weekly 1", // 2027-W01
		"2027-01-03T23:59:00+01:00": "weekly 2",        // 2026-W53, from Monday 2026-12-28
		"2026-12-27T23:00:00+01:00": "weekly 3",        // 2026-W52
	})
	// The same instants in UTC: 2027-01-03T23:30Z is Monday 00:30 in Berlin, 2027-W01.
	snaps = ours("2027-01-03T22:30:00Z", "2027-01-03T23:30:00Z")
	wantDecisions(t, decide(t, Policy{KeepWeekly: 2}, snaps), map[string]string{
		"2027-01-03T23:30:00Z": "newest,weekly 1",
		"2027-01-03T22:30:00Z": "weekly 2",
	})
}

func TestKeepMonthlyAndYearly(t *testing.T) {
	snaps := ours("2024-12-31T22:59:00Z", "2024-12-31T23:30:00Z", "2025-06-15T12:00:00Z", "2025-06-30T12:00:00Z",
		"2025-11-01T00:00:00Z", "2026-01-10T12:00:00Z")
	wantDecisions(t, decide(t, Policy{KeepMonthly: 3, KeepYearly: 3}, snaps), map[string]string{
		"2026-01-10T12:00:00Z": "newest,monthly 1,yearly 1",
		"2025-11-01T00:00:00Z": "monthly 2,yearly 2",
		"2025-06-30T12:00:00Z": "monthly 3",
		"2024-12-31T22:59:00Z": "yearly 3", // 23:59 on 2024-12-31 in Berlin; 23:30Z is 2025-01-01 00:30
	})
	wantDecisions(t, decide(t, Policy{KeepMonthly: 6}, snaps), map[string]string{
		"2026-01-10T12:00:00Z": "newest,monthly 1",
		"2025-11-01T00:00:00Z": "monthly 2",
		"2025-06-30T12:00:00Z": "monthly 3",
		"2024-12-31T23:30:00Z": "monthly 4", // January 2025 in Berlin
		"2024-12-31T22:59:00Z": "monthly 5",
	})
}

// The fall-back to winter time on 2026-10-25 in Berlin runs 02:00–03:00 twice, first
// in CEST (+02), then in CET (+01): two hours, each with its own newest snapshot.
func TestKeepHourlyAcrossFallBack(t *testing.T) {
	snaps := ours(
		"2026-10-24T23:30:00Z", // 01:30 CEST
		"2026-10-25T00:10:00Z", // 02:10 CEST
		"2026-10-25T00:50:00Z", // 02:50 CEST
		"2026-10-25T01:10:00Z", // 02:10 CET
		"2026-10-25T01:50:00Z", // 02:50 CET
	)
	wantDecisions(t, decide(t, Policy{KeepHourly: 2}, snaps), map[string]string{
		"2026-10-25T01:50:00Z": "newest,hourly 1",
		"2026-10-25T00:50:00Z": "hourly 2",
	})
	// Spring forward (2026-03-29, 02:00 CET → 03:00 CEST): 01:59 CET and 03:00 CEST
	// are one minute apart, in two hours.
	snaps = ours("2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z")
	wantDecisions(t, decide(t, Policy{KeepHourly: 2}, snaps), map[string]string{
		"2026-03-29T01:00:00Z": "newest,hourly 1",
		"2026-03-29T00:59:00Z": "hourly 2",
	})
}

// A zone 5:30 from UTC: its hours are not UTC hours.
func TestKeepHourlyHalfHourZone(t *testing.T) {
	snaps := ours("2026-11-24T10:20:00Z", "2026-11-24T10:40:00Z") // 15:50 and 16:10 in Kolkata
	ds, err := Apply(Policy{KeepHourly: 2}, snaps, mustLoad("Asia/Kolkata"))
	if err != nil {
		t.Fatal(err)
	}
	if !ds[0].Keep || !ds[1].Keep {
		t.Fatalf("15:50 and 16:10 are two hours in Kolkata: %+v", ds)
	}
}

// The newest, held and foreign snapshots are kept whatever the policy; held ones of
// ours are counted, foreign ones are not.
func TestAlwaysKept(t *testing.T) {
	snaps := ours("2026-11-21T03:00:00Z", "2026-11-22T03:00:00Z", "2026-11-23T03:00:00Z", "2026-11-24T03:00:00Z")
	snaps[0].Held = true
	snaps = append(snaps,
		Snapshot{Name: "manual-before-upgrade", Time: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
		Snapshot{Name: "autosnap_old", Held: true},
	)
	wantDecisions(t, decide(t, Policy{KeepDaily: 1}, snaps), map[string]string{
		"2026-11-24T03:00:00Z":  "newest,daily 1",
		"2026-11-21T03:00:00Z":  "held",
		"manual-before-upgrade": "foreign", // newer, but not ours: not "newest", not counted
		"autosnap_old":          "held,foreign",
	})
	// A held snapshot takes its place in the counts.
	snaps[3].Held = true
	wantDecisions(t, decide(t, Policy{KeepLast: 2}, snaps), map[string]string{
		"2026-11-24T03:00:00Z":  "newest,last 1,held",
		"2026-11-23T03:00:00Z":  "last 2",
		"2026-11-21T03:00:00Z":  "held",
		"manual-before-upgrade": "foreign",
		"autosnap_old":          "held,foreign",
	})
	// Nothing of ours: only what is always kept.
	ds, err := Apply(Policy{KeepLast: 1}, snaps[4:], berlin)
	if err != nil || !ds[0].Keep || !ds[1].Keep {
		t.Fatalf("only foreign snapshots: %+v, %v", ds, err)
	}
	if ds, err := Apply(Policy{KeepLast: 1}, nil, berlin); err != nil || len(ds) != 0 {
		t.Fatalf("no snapshots: %+v, %v", ds, err)
	}
}

// Of two snapshots taken at the same time, the name that sorts last is the newer,
// whatever the input order.
func TestTiesBrokenByName(t *testing.T) {
	at := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	for _, order := range [][]string{{"a", "b"}, {"b", "a"}} {
		snaps := []Snapshot{{Name: order[0], Time: at, Ours: true}, {Name: order[1], Time: at, Ours: true}}
		wantDecisions(t, decide(t, Policy{KeepLast: 1, KeepDaily: 1}, snaps), map[string]string{
			"b": "newest,last 1,daily 1",
		})
	}
}

func TestApplyRefuses(t *testing.T) {
	snaps := ours("2026-11-24T03:00:00Z")
	if _, err := Apply(Policy{}, snaps, berlin); !errors.Is(err, ErrKeepsNothing) {
		t.Errorf("all zero: %v", err)
	}
	if _, err := Apply(Policy{KeepDaily: -1, KeepLast: 1}, snaps, berlin); err == nil || !strings.Contains(err.Error(), "keep-daily") {
		t.Errorf("negative keep-daily: %v", err)
	}
	if _, err := Apply(Policy{KeepLast: 1}, snaps, nil); err == nil {
		t.Error("nil location: no error")
	}
	dup := append(ours("2026-11-24T03:00:00Z"), Snapshot{Name: "2026-11-24T03:00:00Z"})
	if _, err := Apply(Policy{KeepLast: 1}, dup, berlin); err == nil || !strings.Contains(err.Error(), `"2026-11-24T03:00:00Z"`) {
		t.Errorf("duplicate name: %v", err)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		p    Policy
		want []string // substrings of the error; nil: valid
	}{
		{Policy{KeepLast: 1}, nil},
		{Policy{KeepYearly: 1}, nil},
		{Policy{}, []string{"keeps nothing", "delete everything"}},
		{Policy{KeepDaily: -1}, []string{"keep-daily -1", "negative"}},
		{Policy{KeepHourly: -2, KeepMonthly: -3, KeepLast: 4}, []string{"keep-hourly -2", "keep-monthly -3"}},
	} {
		err := tc.p.Validate()
		if (err == nil) != (tc.want == nil) {
			t.Errorf("%+v: %v", tc.p, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not say %q", tc.p, err, w)
			}
		}
	}
}

// TestString; the default config's policy is in orchestrator's TestConfigPolicy.
func TestString(t *testing.T) {
	if got := (Policy{KeepMonthly: 6, KeepYearly: 2}).String(); got != "keep-monthly 6, keep-yearly 2" {
		t.Errorf("String: %q", got)
	}
	if got := (Policy{}).String(); got != "keep nothing" {
		t.Errorf("String of the zero policy: %q", got)
	}
}
