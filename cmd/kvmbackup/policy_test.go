package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin without the system's tzdata
)

// A flag of its own, so that it cannot clash with another test file's -update.
var updatePolicyGolden = flag.Bool("update-policy", false, "rewrite testdata/policy/*.golden")

var policyZone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// runCLIStdin runs kvmbackup in-process like runCLI, with stdin as its standard
// input and policy periods taken in loc, and returns stdout and stderr apart.
func runCLIStdin(t *testing.T, stdin string, loc *time.Location, args ...string) (stdout, stderr string, err error, code int) {
	t.Helper()
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(withLocation(t.Context(), loc))
	return out.String(), errOut.String(), err, exitCode(err)
}

func TestPolicySimulateFlags(t *testing.T) {
	in := "# a comment\n\n2026-11-20T03:00:00Z\n  2026-11-21T03:00:00Z  \nkvmbackup_2026-11-22T03:00:00Z\n2026-11-23T04:00:00+01:00\nkvmbackup_2026-11-24T03:00:00Z\n"
	out, stderr, err, code := runCLIStdin(t, in, policyZone, "policy", "simulate", "--keep-last", "2", "--keep-weekly", "2")
	if code != exitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	want := `remove 2026-11-20T03:00:00Z
remove 2026-11-21T03:00:00Z
keep kvmbackup_2026-11-22T03:00:00Z weekly 2
keep 2026-11-23T04:00:00+01:00 last 2
keep kvmbackup_2026-11-24T03:00:00Z newest,last 1,weekly 1
`
	if out != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if s := "simulated keep-last 2, keep-weekly 2, from the --keep-* flags: 3 kept, 2 removed\n"; stderr != s {
		t.Fatalf("stderr %q, want %q", stderr, s)
	}
}

// Without --keep-* flags the policy is the configuration's retention (env overrides
// included); with them the configuration is not read, and --config with them is refused.
func TestPolicySimulateConfig(t *testing.T) {
	in := "2026-11-22T03:00:00Z\n2026-11-23T03:00:00Z\n2026-11-24T03:00:00Z\n"
	cfg := writeConfig(t, "retention: {keep-last: 2, keep-hourly: 0, keep-daily: 0, keep-weekly: 0}\n")
	out, stderr, err, code := runCLIStdin(t, in, policyZone, "policy", "simulate", "--config", cfg)
	if code != exitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	if want := "remove 2026-11-22T03:00:00Z\nkeep 2026-11-23T03:00:00Z last 2\nkeep 2026-11-24T03:00:00Z newest,last 1\n"; out != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if !strings.Contains(stderr, "simulated keep-last 2, from the retention in "+cfg+": 2 kept, 1 removed") {
		t.Fatalf("stderr: %q", stderr)
	}

	t.Setenv("KVMBACKUP_RETENTION_KEEP_LAST", "3")
	out, _, err, _ = runCLIStdin(t, in, policyZone, "policy", "simulate", "--config", cfg)
	if strings.Contains(out, "remove") {
		t.Fatalf("KVMBACKUP_RETENTION_KEEP_LAST=3 ignored (%v):\n%s", err, out)
	}

	// The flags alone: an unreadable configuration is not read.
	t.Setenv("KVMBACKUP_RETENTION_KEEP_LAST", "many")
	out, _, err, code = runCLIStdin(t, in, policyZone, "policy", "simulate", "--keep-daily", "1")
	if code != exitOK || out != "remove 2026-11-22T03:00:00Z\nremove 2026-11-23T03:00:00Z\nkeep 2026-11-24T03:00:00Z newest,daily 1\n" {
		t.Fatalf("exit %d (%v):\n%s", code, err, out)
	}
	_, _, err, code = runCLIStdin(t, in, policyZone, "policy", "simulate", "--keep-daily", "1", "--config", cfg)
	if code != exitEnvironment || !strings.Contains(err.Error(), "--config and --keep-daily") {
		t.Fatalf("--config with --keep-daily: exit %d, %v", code, err)
	}
}

// A policy that keeps nothing, or a negative count, exits 2 naming it.
func TestPolicySimulateRefusesPolicy(t *testing.T) {
	in := "2026-11-24T03:00:00Z\n"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--keep-last", "0", "--keep-daily", "0"}, "keeps nothing"},
		{[]string{"--keep-daily", "-1", "--keep-last", "1"}, "keep-daily -1"},
		{[]string{"--config", writeConfig(t, "retention: {keep-last: 0, keep-hourly: 0, keep-daily: 0, keep-weekly: 0}\n")}, "retention"},
		{[]string{"--config", writeConfig(t, "retention: {keep-weekly: -2}\n")}, "retention.keep-weekly"},
		{[]string{"--keep-daily", "three"}, "--keep-daily"},
	} {
		out, _, err, code := runCLIStdin(t, in, policyZone, append([]string{"policy", "simulate"}, tc.args...)...)
		if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), tc.want) || out != "" {
			t.Errorf("%v: exit %d, %v, stdout %q: want exit 2 naming %q and no output", tc.args, code, err, out, tc.want)
		}
	}
}

// Any bad line: exit 2, every bad line named with its number, no decision printed.
func TestPolicySimulateBadLines(t *testing.T) {
	in := "kvmbackup_2026-11-24T03:00:00Z\n# fine\n\nyesterday\nbackup/vms/web1@kvmbackup_2026-11-24T03:00:00Z 1.2M\nkvmbackup_2026-11-31T03:00:00Z\n@snap\nkvmbackup_2026-11-24T03:00:00Z\n"
	out, stderr, err, code := runCLIStdin(t, in, policyZone, "policy", "simulate", "--keep-last", "1")
	if code != exitEnvironment || out != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q: want exit 2 and nothing printed", code, out, stderr)
	}
	for _, want := range []string{
		"5 bad lines",
		`line 4: "yesterday" is not a kvmbackup snapshot name`,
		`line 5: "backup/vms/web1@kvmbackup_2026-11-24T03:00:00Z 1.2M" has white space`,
		`line 6: "kvmbackup_2026-11-31T03:00:00Z" is not a kvmbackup snapshot name`,
		`line 7: "@snap" is not DATASET@SNAPSHOT`,
		`line 8: "kvmbackup_2026-11-24T03:00:00Z" repeats line 1`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	_, _, err, code = runCLIStdin(t, "2026-11-24 03:00\n", policyZone, "policy", "simulate", "--keep-last", "1")
	if code != exitEnvironment || !strings.Contains(err.Error(), `standard input, line 1: "2026-11-24 03:00"`) {
		t.Fatalf("one bad line: exit %d, %v", code, err)
	}
	if _, _, err, code := runCLIStdin(t, "", policyZone, "policy", "simulate", "extra"); code != exitEnvironment {
		t.Fatalf("an argument: exit %d, %v", code, err)
	}
}

// Each dataset has its own newest and its own counts; a snapshot kvmbackup did not
// make is kept and not counted; names and times without a dataset form one more list.
func TestPolicySimulateForeignAndDatasets(t *testing.T) {
	in := `backup/vms/web1@kvmbackup_2026-11-23T03:00:00Z
backup/vms/web1@kvmbackup_2026-11-24T03:00:00Z
backup/vms/db1@kvmbackup_2026-11-22T03:00:00Z
backup/vms/db1@kvmbackup_2026-11-23T03:00:00Z
backup/vms/web1@before-upgrade
backup/vms/web1@kvmbackup_2026-13-01T00:00:00Z
kvmbackup_2026-11-20T03:00:00Z
2026-11-19T03:00:00Z
`
	out, stderr, err, code := runCLIStdin(t, in, policyZone, "policy", "simulate", "--keep-last", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	want := `remove backup/vms/web1@kvmbackup_2026-11-23T03:00:00Z
keep backup/vms/web1@kvmbackup_2026-11-24T03:00:00Z newest,last 1
remove backup/vms/db1@kvmbackup_2026-11-22T03:00:00Z
keep backup/vms/db1@kvmbackup_2026-11-23T03:00:00Z newest,last 1
keep backup/vms/web1@before-upgrade foreign
keep backup/vms/web1@kvmbackup_2026-13-01T00:00:00Z foreign
keep kvmbackup_2026-11-20T03:00:00Z newest,last 1
remove 2026-11-19T03:00:00Z
`
	if out != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if !strings.Contains(stderr, "5 kept, 3 removed (3 lists by dataset, each decided on its own)") {
		t.Fatalf("stderr: %q", stderr)
	}
}

// --json: an array of {snapshot, time, keep, reasons}; time in the local zone, null for
// a foreign snapshot; reasons [] (not null) for a removed one. Nothing else on stdout.
func TestPolicySimulateJSON(t *testing.T) {
	in := "pool/vm@kvmbackup_2026-11-23T03:00:00Z\npool/vm@kvmbackup_2026-11-24T03:00:00Z\npool/vm@manual\n"
	out, _, err, code := runCLIStdin(t, in, policyZone, "--json", "--log-level", "warn", "policy", "simulate", "--keep-last", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	var got []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	want := []map[string]string{
		{"snapshot": `"pool/vm@kvmbackup_2026-11-23T03:00:00Z"`, "time": `"2026-11-23T04:00:00+01:00"`, "keep": "false", "reasons": "[]"},
		{"snapshot": `"pool/vm@kvmbackup_2026-11-24T03:00:00Z"`, "time": `"2026-11-24T04:00:00+01:00"`, "keep": "true", "reasons": `["newest","last 1"]`},
		{"snapshot": `"pool/vm@manual"`, "time": "null", "keep": "true", "reasons": `["foreign"]`},
	}
	if len(got) != len(want) {
		t.Fatalf("%d elements, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Errorf("element %d has keys %v, want snapshot, time, keep, reasons", i, got[i])
		}
		for k, v := range want[i] {
			if string(got[i][k]) != v {
				t.Errorf("element %d: %s is %s, want %s", i, k, got[i][k], v)
			}
		}
	}
}

// A 40-snapshot list of one VM's dataset (testdata/policy/snapshots.txt) under the
// default policy; the expected output is snapshots.golden (go test -run
// TestPolicySimulateGolden ./cmd/kvmbackup -update-policy rewrites it).
//
// Checked by hand (every 6 hours, 00, 06, 12, 18Z; Berlin is CEST (+2) until 01:00Z
// on 2026-10-25, then CET (+1)): the 12 newest are 12 hours, so hourly 1–12 are
// 2026-10-28T18:00Z back to 2026-10-26T00:00Z; daily 1–3 are 18:00Z on the 28th,
// 27th and 26th (19:00 CET, the last of each Berlin day); weekly 1 is the newest
// (2026-W44, from Monday 2026-10-26 00:00 CET = 10-25T23:00Z) and weekly 2 is
// 2026-10-25T18:00Z (Sunday 19:00 CET, the last of W43); before-upgrade is foreign.
func TestPolicySimulateGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "policy", "snapshots.txt"))
	if err != nil {
		t.Fatal(err)
	}
	out, _, err, code := runCLIStdin(t, string(in), policyZone, "policy", "simulate",
		"--keep-last", "1", "--keep-hourly", "12", "--keep-daily", "3", "--keep-weekly", "2")
	if code != exitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	golden := filepath.Join("testdata", "policy", "snapshots.golden")
	if *updatePolicyGolden {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (-update-policy writes it)", err)
	}
	if out != string(want) {
		t.Fatalf("output differs from %s (-update-policy rewrites it; check the diff by hand):\n%s", golden, out)
	}
	if n := strings.Count(out, "\n"); n != 41 {
		t.Fatalf("%d lines, want 40 snapshots and before-upgrade", n)
	}
}

// Without --keep-* flags each dataset of the target is decided by its own policy, as
// prune decides it: its vms[] or paths[] entry's retention, else the top-level one;
// --vm and --path simulate one unit's policy for the whole list. The summary names
// each policy and where it is set.
func TestPolicySimulateOwnPolicies(t *testing.T) {
	cfg := writeConfig(t, `target: {dataset: tank/kvm}
retention: {keep-last: 1, keep-hourly: 0, keep-daily: 0, keep-weekly: 0}
vms:
  - name: web1
    retention: {keep-last: 2}
  - name: db1
paths:
  - name: root
    path: /
    retention: {keep-last: 3}
`)
	var in strings.Builder
	for _, ds := range []string{"tank/kvm/web1@", "tank/kvm/db1@", "tank/kvm/_paths/root@", "other/pool/web1@", ""} {
		for day := 20; day <= 23; day++ {
			fmt.Fprintf(&in, "%skvmbackup_2026-11-%dT03:00:00Z\n", ds, day)
		}
	}
	kept := func(out, prefix string) int {
		n := 0
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "keep "+prefix) && (prefix != "" || !strings.Contains(l, "@")) {
				n++
			}
		}
		return n
	}
	out, stderr, err, code := runCLIStdin(t, in.String(), policyZone, "policy", "simulate", "--config", cfg)
	if code != exitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	for prefix, n := range map[string]int{"tank/kvm/web1@": 2, "tank/kvm/db1@": 1, "tank/kvm/_paths/root@": 3, "other/pool/web1@": 1, "": 1} {
		if got := kept(out, prefix); got != n {
			t.Errorf("%q: %d kept, want %d\n%s", prefix, got, n, out)
		}
	}
	for _, want := range []string{
		"simulated each dataset by its own policy: 8 kept, 12 removed (5 lists by dataset, each decided on its own)",
		"\n  tank/kvm/web1: keep-last 2, from vms[web1].retention in " + cfg + "\n",
		"\n  tank/kvm/db1: keep-last 1, from the retention in " + cfg + "\n",
		"\n  tank/kvm/_paths/root: keep-last 3, from paths[root].retention in " + cfg + "\n",
		"\n  other/pool/web1: keep-last 1, from the retention in " + cfg + "\n",
		"\n  (names without a dataset): keep-last 1, from the retention in " + cfg + "\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	for _, tc := range []struct {
		args    []string
		kept    int
		summary string
	}{
		{[]string{"--vm", "web1"}, 10, "simulated keep-last 2, from vms[web1].retention in " + cfg + ": 10 kept"},
		{[]string{"--vm", "db1"}, 5, "simulated keep-last 1, from the retention in " + cfg + ": 5 kept"},
		{[]string{"--vm", "unlisted"}, 5, "simulated keep-last 1, from the retention in " + cfg + ": 5 kept"},
		{[]string{"--path", "root"}, 15, "simulated keep-last 3, from paths[root].retention in " + cfg + ": 15 kept"},
	} {
		out, stderr, err, code := runCLIStdin(t, in.String(), policyZone, append([]string{"policy", "simulate", "--config", cfg}, tc.args...)...)
		if code != exitOK || strings.Count(out, "keep ") != tc.kept || !strings.HasPrefix(stderr, tc.summary) {
			t.Errorf("%v: exit %d (%v), %d kept, stderr %q; want %d kept, %q", tc.args, code, err, strings.Count(out, "keep "), stderr, tc.kept, tc.summary)
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--vm", "web1", "--keep-daily", "1"}, "--vm web1 and --keep-daily"},
		{[]string{"--path", "root", "--keep-last", "1"}, "--path root and --keep-last"},
		{[]string{"--vm", "web1", "--path", "root", "--config", cfg}, "--vm web1 and --path root"},
		{[]string{"--vm", "a/b", "--config", cfg}, `--vm "a/b"`},
		{[]string{"--config", writeConfig(t, "vms: [{name: web1, retention: {keep-daily: -1}}]\n")}, "vms[web1].retention.keep-daily"},
	} {
		out, _, err, code := runCLIStdin(t, in.String(), policyZone, append([]string{"policy", "simulate"}, tc.args...)...)
		if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), tc.want) || out != "" {
			t.Errorf("%v: exit %d, %v, stdout %q: want exit 2 naming %q and no output", tc.args, code, err, out, tc.want)
		}
	}
}

// prune decides each dataset by its own policy and names it and where it is set on
// standard error (standard output keeps simulate's format); --json has both.
func TestPruneNamesEachDatasetsPolicy(t *testing.T) {
	cfg := writeConfig(t, `target: {dataset: tank/kvm}
retention: {keep-last: 1, keep-hourly: 0, keep-daily: 0, keep-weekly: 0}
vms:
  - name: web1
    retention: {keep-last: 2}
paths:
  - name: root
    path: /
    retention: {keep-last: 3}
`)
	f := newFakeTarget("tank/kvm", 4, "web1", "db1", "_paths/root")
	run := func(args ...string) (string, string, int) {
		t.Helper()
		root := newRootCommand()
		var out, errOut bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&errOut)
		root.SetArgs(append(args, "--config", cfg))
		err := root.ExecuteContext(withTarget(withLocation(t.Context(), policyZone), f))
		if err != nil {
			t.Logf("%v: %v", args, err)
		}
		return out.String(), errOut.String(), exitCode(err)
	}
	out, stderr, code := run("prune", "--dry-run")
	if code != exitOK || len(f.destroy) != 0 {
		t.Fatalf("exit %d, destroyed %v", code, f.destroy)
	}
	for prefix, n := range map[string]int{"keep tank/kvm/web1@": 2, "keep tank/kvm/db1@": 1, "keep tank/kvm/_paths/root@": 3} {
		if got := strings.Count(out, prefix); got != n {
			t.Errorf("%s…: %d, want %d\n%s", prefix, got, n, out)
		}
	}
	for _, want := range []string{
		"policy of tank/kvm/db1: keep-last 1 (retention)\n",
		"policy of tank/kvm/web1: keep-last 2 (vms[web1].retention)\n",
		"policy of tank/kvm/_paths/root: keep-last 3 (paths[root].retention)\n",
		"3 datasets under tank/kvm, 6 snapshots kept, 6 would be destroyed (dry run)\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// The dry run decides what policy simulate decides for the same list.
	var list strings.Builder
	for _, ds := range []string{"tank/kvm/db1", "tank/kvm/web1", "tank/kvm/_paths/root"} {
		for _, s := range f.snaps[ds] {
			list.WriteString(s.FullName() + "\n")
		}
	}
	sim, _, err, code := runCLIStdin(t, list.String(), policyZone, "policy", "simulate", "--config", cfg)
	if code != exitOK || sim != out {
		t.Errorf("policy simulate (exit %d, %v):\n%s\nprune --dry-run:\n%s", code, err, sim, out)
	}

	out, _, code = run("prune", "--vm", "web1", "--json")
	var res []map[string]any
	if err := json.Unmarshal([]byte(out), &res); code != exitOK || err != nil || len(res) != 1 ||
		res[0]["policy"] != "keep-last 2" || res[0]["policy_source"] != "vms[web1].retention" {
		t.Fatalf("prune --vm web1 --json: exit %d, %v: %s", code, err, out)
	}
	if want := []string{"tank/kvm/web1@kvmbackup_2026-11-20T03:00:00Z", "tank/kvm/web1@kvmbackup_2026-11-21T03:00:00Z"}; !slices.Equal(f.destroy, want) {
		t.Errorf("destroyed %v, want %v", f.destroy, want)
	}
}
