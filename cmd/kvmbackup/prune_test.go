package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// On real OpenZFS: 40 dated snapshots of one VM (taken with an injected clock) and 5
// of another, a foreign snapshot and a pinned one. prune --dry-run decides exactly
// what policy simulate says for the same list; prune destroys exactly the removed
// ones; the foreign and the pinned snapshot survive; a second prune removes nothing.
func TestPruneOnRealZFSMatchesTheSimulator(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		testenv.Require(t, testenv.ZFS)
		ctx := t.Context()
		pool := testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Mirror: true})
		root := pool + "/backup/vms"
		cfg := writeConfig(t, "target:\n  dataset: "+root+"\n") // the seed's retention: the defaults
		m := zfs.New()
		clock := time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC)
		take := func(vm string) string {
			ds := root + "/" + vm
			if _, err := m.EnsureDataset(ctx, ds, zfs.VMOwner(vm)); err != nil {
				t.Fatal(err)
			}
			s, err := m.TakeSnapshot(ctx, ds, clock, map[string]string{zfs.PropRun: clock.Format("20060102T150405")})
			if err != nil {
				t.Fatal(err)
			}
			return s.Name
		}
		var web1 []string
		for i := range 40 {
			// Nightly at first, then every few hours, then a burst of on-demand runs.
			switch {
			case i < 20:
				clock = clock.Add(24 * time.Hour)
			case i < 34:
				clock = clock.Add(5 * time.Hour)
			default:
				clock = clock.Add(7 * time.Minute)
			}
			web1 = append(web1, take("web1"))
			if i%8 == 0 {
				take("db1")
			}
		}
		if _, err := testenv.Local(ctx, "zfs", "snapshot", root+"/web1@before-upgrade"); err != nil {
			t.Fatal(err)
		}
		out, err, code := runCLI(t, "pin", "--config", cfg, "web1", web1[3])
		if code != exitOK || !strings.Contains(out, "pinned "+root+"/web1@"+web1[3]) {
			t.Fatalf("pin: exit %d %v\n%s", code, err, out)
		}

		list, err := testenv.Local(ctx, "zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-s", "createtxg", "-r", root)
		if err != nil {
			t.Fatal(err)
		}
		// zfs lists db1's before web1's? Order the list as prune prints: by dataset.
		lines := strings.Split(strings.TrimSpace(list), "\n")
		slices.SortStableFunc(lines, func(a, b string) int {
			return strings.Compare(strings.Split(a, "@")[0], strings.Split(b, "@")[0])
		})
		sim, _, err, code := runCLIStdin(t, strings.Join(lines, "\n")+"\n", policyZone, "policy", "simulate", "--config", cfg)
		if code != exitOK {
			t.Fatalf("simulate: exit %d %v", code, err)
		}
		// The simulator only knows the names: it sees the pinned snapshot as unheld.
		// Mark it held the way prune will see it.
		pinned := root + "/web1@" + web1[3]
		dry, stderr, err, code := runCLIStdin(t, "", policyZone, "prune", "--dry-run", "--config", cfg)
		if code != exitOK {
			t.Fatalf("prune --dry-run: exit %d %v\n%s", code, err, stderr)
		}
		simLines, dryLines := strings.Split(strings.TrimSpace(sim), "\n"), strings.Split(strings.TrimSpace(dry), "\n")
		if len(simLines) != 46 || len(dryLines) != 46 {
			t.Fatalf("simulate gave %d lines, prune --dry-run %d (want 46)\n%s\n---\n%s", len(simLines), len(dryLines), sim, dry)
		}
		var keep []string
		for i := range simLines {
			want := simLines[i]
			if strings.HasPrefix(want, "remove "+pinned) {
				want = "keep " + pinned + " held"
			} else if strings.HasPrefix(want, "keep "+pinned+" ") {
				want += ",held"
			}
			if dryLines[i] != want {
				t.Errorf("line %d: prune --dry-run %q, simulate %q", i+1, dryLines[i], want)
			}
			if f := strings.Fields(dryLines[i]); f[0] == "keep" {
				keep = append(keep, f[1])
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		if now, _ := testenv.Local(ctx, "zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-r", root); len(strings.Fields(now)) != 46 {
			t.Fatalf("the dry run destroyed something:\n%s", now)
		}

		real, stderr, err, code := runCLIStdin(t, "", policyZone, "prune", "--config", cfg)
		t.Logf("kvmbackup prune, the seed's policy (keep-last 1, hourly 12, daily 3, weekly 2), Europe/Berlin:\n%s%s", real, stderr)
		if code != exitOK || real != dry {
			t.Fatalf("prune: exit %d %v; output differs from the dry run:\n%s", code, err, real)
		}
		now, _ := testenv.Local(ctx, "zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-r", root)
		left := strings.Fields(now)
		slices.Sort(left)
		slices.Sort(keep)
		if !slices.Equal(left, keep) {
			t.Fatalf("after prune:\n%v\nwant what was kept:\n%v", left, keep)
		}
		for _, must := range []string{root + "/web1@before-upgrade", pinned, root + "/web1@" + web1[39]} {
			if !slices.Contains(left, must) {
				t.Fatalf("%s did not survive prune", must)
			}
		}
		again, _, _, code := runCLIStdin(t, "", policyZone, "prune", "--config", cfg)
		if code != exitOK || strings.Contains(again, "remove ") {
			t.Fatalf("a second prune removed more (exit %d):\n%s", code, again)
		}

		// Bad input: exit 2, naming what exists.
		out, err, code = runCLI(t, "prune", "--config", cfg, "--vm", "mail")
		if code != exitEnvironment || !strings.Contains(err.Error(), "mail") || !strings.Contains(err.Error(), "db1, web1") {
			t.Fatalf("prune --vm mail: exit %d %v", code, err)
		}
		_, err, code = runCLI(t, "pin", "--config", cfg, "web1", "kvmbackup_2020-01-01T00:00:00Z")
		if code != exitEnvironment || !strings.Contains(err.Error(), web1[39]) {
			t.Fatalf("pin of a missing snapshot: exit %d %v", code, err)
		}
		_, err, code = runCLI(t, "unpin", "--config", cfg, "web1", web1[39])
		if code != exitEnvironment || !strings.Contains(err.Error(), "not pinned") {
			t.Fatalf("unpin of an unpinned snapshot: exit %d %v", code, err)
		}
		out, err, code = runCLI(t, "pin", "--config", cfg, "web1", "latest")
		if code != exitOK || !strings.Contains(out, "pinned "+root+"/web1@"+web1[39]) {
			t.Fatalf("pin latest: exit %d %v %s", code, err, out)
		}
		out, err, code = runCLI(t, "unpin", "--config", cfg, "web1", web1[3])
		if code != exitOK || !strings.Contains(out, "unpinned") {
			t.Fatalf("unpin: exit %d %v %s", code, err, out)
		}
		_, err, code = runCLI(t, "prune", "--config", writeConfig(t, fmt.Sprintf("target:\n  dataset: %s/nothing\n", pool)))
		if code != exitEnvironment || !strings.Contains(err.Error(), pool+"/nothing") {
			t.Fatalf("prune of a missing target: exit %d %v", code, err)
		}
	})
}
