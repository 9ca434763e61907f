package policies

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenSnapshots is a dataset's history as the golden files see it, oldest first as
// zfs list shows it:
//   - one snapshot on the 1st of each month at 03:00Z, 2024-01 to 2026-08 (an old
//     monthly schedule);
//   - then every 4 hours from 2026-08-27T00:00Z to 2026-10-25T20:00Z (60 days), except
//     2026-10-12 to 2026-10-18 in Berlin: ISO week 2026-W42 has none (host down);
//   - manual runs on 2026-10-22 at 10:07Z, 10:09Z and 10:52Z;
//   - runs every 30 minutes through the night of 2026-10-25, when Berlin's clocks go
//     back from 03:00 CEST to 02:00 CET: the hour 02:00–03:00 comes twice;
//   - 2026-09-15T08:00Z is held; autosnap_2026-10-01_00:00:00_daily is foreign.
func goldenSnapshots() []Snapshot {
	var snaps []Snapshot
	add := func(t time.Time) {
		snaps = append(snaps, Snapshot{Name: "kvmbackup_" + t.Format("2006-01-02T15:04:05Z"), Time: t, Ours: true})
	}
	for m := time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		add(m)
	}
	downFrom, downTo := time.Date(2026, 10, 12, 0, 0, 0, 0, berlin), time.Date(2026, 10, 19, 0, 0, 0, 0, berlin)
	extra := map[time.Time]bool{}
	for _, s := range []string{"2026-10-22T10:07:00Z", "2026-10-22T10:09:00Z", "2026-10-22T10:52:00Z",
		"2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z"} {
		t, _ := time.Parse(time.RFC3339, s)
		extra[t] = true
	}
	end := time.Date(2026, 10, 25, 20, 0, 0, 0, time.UTC)
	for t := time.Date(2026, 8, 27, 0, 0, 0, 0, time.UTC); !t.After(end); t = t.Add(30 * time.Minute) {
		regular := t.Hour()%4 == 0 && t.Minute() == 0 && (t.Before(downFrom) || !t.Before(downTo))
		if regular || extra[t] {
			add(t)
		}
		if t.Equal(time.Date(2026, 9, 15, 8, 0, 0, 0, time.UTC)) {
			snaps[len(snaps)-1].Held = true
		}
		if t.Equal(time.Date(2026, 9, 30, 22, 0, 0, 0, time.UTC)) {
			snaps = append(snaps, Snapshot{Name: "autosnap_2026-10-01_00:00:00_daily"})
		}
	}
	return snaps
}

// The golden files were read and checked by hand against the rules in docs/retention.md. For the
// seed's policy (seed.txt: keep-last 1, hourly 12, daily 3, weekly 2), for example:
//   - kvmbackup_2026-10-25T20:00:00Z (21:00 CET) is the newest: newest, last 1,
//     hourly 1, daily 1 and weekly 1 (2026-W43).
//   - the night of the clock change: 02:30Z (03:30 CET) is "hourly 6"; 01:30Z
//     (02:30 CET) is "hourly 7", the newest of the second 02:00–03:00; 00:30Z
//     (02:30 CEST) is "hourly 8", the newest of the first; 01:00Z and 00:00Z (02:00
//     CET and CEST) are removed: each is not the newest of its hour.
//   - "hourly 12" is 2026-10-24T08:00:00Z: 12 hours that have a snapshot back (4h
//     apart, but 4 of them in the night of the change), not 12 hours of the clock.
//   - daily 2 and 3 are 2026-10-24T20:00Z and 2026-10-23T20:00Z, 22:00 CEST, the
//     last snapshot of those Berlin days (a day ends at 22:00Z in summer time).
//   - weekly 2 is 2026-10-11T20:00:00Z, Sunday 22:00 CEST, the newest of 2026-W41:
//     2026-W42 has no snapshot and does not count.
//   - 2026-09-15T08:00Z is kept as "held" only; the autosnap_ one as "foreign".
//
// synology.txt (no keep-last) keeps the same 16, the newest without "last 1". In
// monthly-yearly.txt, weekly 2–4 are the Sundays 22:00 CEST of W41, W40 and W39 (W42
// empty); "monthly 2" is 2026-09-30T20:00Z (22:00 CEST, the last of September in
// Berlin; 22:00Z is already October), "monthly 4–6" the lone snapshots of July, June
// and May; "yearly 2" and "yearly 3" are 2025-12-01 and 2024-12-01, the newest of
// their years. last-only.txt keeps 20:00Z, 16:00Z, 12:00Z, 08:00Z and 04:00Z of
// 2026-10-25 (the 5 newest), the held and the foreign one.
func TestGolden(t *testing.T) {
	snaps := goldenSnapshots()
	for _, tc := range []struct {
		file string
		p    Policy
	}{
		{"seed.txt", Policy{KeepLast: 1, KeepHourly: 12, KeepDaily: 3, KeepWeekly: 2}},
		{"synology.txt", Policy{KeepHourly: 12, KeepDaily: 3, KeepWeekly: 2}},
		{"monthly-yearly.txt", Policy{KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 6, KeepYearly: 3}},
		{"last-only.txt", Policy{KeepLast: 5}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			ds, err := Apply(tc.p, snaps, berlin)
			if err != nil {
				t.Fatal(err)
			}
			got := formatGolden(tc.p, ds)
			path := filepath.Join("testdata", "golden", tc.file)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./policies -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("decisions differ from %s (go test ./policies -update rewrites it; check the diff by hand):\n%s", path, diffLines(want, got))
			}
		})
	}
}

// formatGolden writes one line per decision, "keep NAME REASONS" or "remove NAME",
// then as a comment the snapshot's local time and ISO week, which the rules count in.
func formatGolden(p Policy, ds []Decision) []byte {
	var b bytes.Buffer
	kept := 0
	for _, d := range ds {
		if d.Keep {
			kept++
		}
	}
	fmt.Fprintf(&b, "# policy: %s\n# periods in Europe/Berlin; %d kept, %d removed\n", p, kept, len(ds)-kept)
	w := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	for _, d := range ds {
		verb := "remove"
		if d.Keep {
			verb = "keep"
		}
		local := "-"
		if d.Ours {
			lt := d.Time.In(berlin)
			y, wk := lt.ISOWeek()
			local = fmt.Sprintf("%s %d-W%02d", lt.Format("Mon 2006-01-02 15:04 MST"), y, wk)
		}
		fmt.Fprintf(w, "%s %s\t%s\t# %s\n", verb, d.Name, strings.Join(d.Reasons, ","), local)
	}
	w.Flush()
	return b.Bytes()
}

// diffLines lists the lines of got that differ from want, by line number.
func diffLines(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	var out []string
	for i := 0; i < max(len(wl), len(gl)) && len(out) < 20; i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			out = append(out, fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, w, g))
		}
	}
	return strings.Join(out, "\n")
}
