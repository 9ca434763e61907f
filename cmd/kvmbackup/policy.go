package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/zfs"
)

func newPolicyCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Try out the retention policy",
		Long: `The retention policy decides which of kvmbackup's dated snapshots prune keeps
(retention: in the configuration). A snapshot is kept when any rule keeps it:

  keep-last N      the N newest
  keep-hourly N    the newest snapshot of each of the N most recent hours that have one
  keep-daily N     the same for days
  keep-weekly N    the same for ISO weeks (Monday to Sunday)
  keep-monthly N   the same for months
  keep-yearly N    the same for years

Periods without a snapshot do not count, and periods are taken in the host's local
time zone. Whatever the policy, the newest snapshot of each VM, held snapshots and
snapshots kvmbackup did not make are kept. A policy that keeps nothing (every
keep-* 0) is refused.

EXIT STATUS
  0  help shown
  2  an unknown subcommand`,
		Example: `  kvmbackup policy simulate --keep-daily 7 < snapshots.txt`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(newPolicySimulateCommand(g))
	return cmd
}

// keepFlags are the flags of policy simulate that give the policy, in rule order.
var keepFlags = []string{"keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly"}

// simulateOptions are the flags of policy simulate besides the --keep-* ones.
type simulateOptions struct {
	vm, path string
}

func newPolicySimulateCommand(g *globalOptions) *cobra.Command {
	var keep policies.Policy
	o := &simulateOptions{}
	cmd := &cobra.Command{
		Use:   "simulate [--keep-* N ... | --vm NAME | --path NAME] [--config FILE] [flags] < LIST",
		Short: "Show which snapshots of a list the retention policy keeps, and why",
		Long: `Simulate reads a list of snapshots on standard input and shows what the retention
policy keeps and removes, and every rule that keeps each kept snapshot: the
decisions prune makes. It touches nothing (no ZFS, no libvirt), so it works on any
machine, with any list.

Each line is one snapshot, one of:
  kvmbackup_2026-11-24T03:00:00Z                  a name kvmbackup gives (its time, UTC)
  backup/vms/web1@kvmbackup_2026-11-24T03:00:00Z  the same with its dataset, as
                                                  zfs list -H -t snapshot -o name prints it
  backup/vms/web1@before-upgrade                  a snapshot kvmbackup did not make:
                                                  foreign, always kept, never counted
  2026-11-24T04:00:00+01:00                       a time in RFC 3339, any offset
Blank lines and lines starting with # are skipped; any other line is an error. Each
dataset is decided on its own, as prune decides each VM's (each has its newest);
names and times without a dataset form one more list. Holds are not seen in a list:
prune also keeps every held snapshot.

The policy is the --keep-* flags when any is given (the others are 0; the
configuration is not read). Else it comes from the configuration, as prune takes
it: --vm NAME or --path NAME simulates that VM's or paths: entry's policy (its
vms[] or paths[] entry's own retention, which replaces the top-level one whole, or
the top-level retention when it has none) for the whole list; without them, each
dataset of target.dataset in the list (target.dataset/VM, target.dataset/_paths/NAME)
is decided by its own policy, and every other list by the top-level retention. The
summary names each policy used and where it is set (retention, vms[web1].retention).
Periods are taken in the local time zone (TZ).

Standard output has one line per snapshot, in input order: "keep NAME REASONS",
REASONS being every rule that keeps it, comma-separated (newest, last 1, hourly 3,
daily 1, weekly 2, monthly 1, yearly 1, foreign; the number is the rank of the
snapshot or its period), or "remove NAME". A summary follows on standard error.
With --json, a JSON array of {"snapshot", "time", "keep", "reasons"}: time is in
the local time zone, null for a foreign snapshot.

EXIT STATUS
  0  the list was simulated
  2  a bad line (each is named with its line number, and no decision is printed),
     an invalid policy (a negative count, or all zero), --config, --vm or --path
     with --keep-* flags, --vm with --path, or a configuration that cannot be read`,
		Example: `  zfs list -H -t snapshot -o name -r backup/vms | kvmbackup policy simulate
  zfs list -H -t snapshot -o name backup/vms/web1 | kvmbackup policy simulate --keep-daily 7 --keep-weekly 4
  zfs list -H -t snapshot -o name backup/vms/web1 | kvmbackup policy simulate --vm web1
  kvmbackup policy simulate --config ./config.yaml < snapshots.txt
  printf '%s\n' 2026-11-2{0,1,2,3,4}T03:00:00Z | kvmbackup policy simulate --keep-last 1 --keep-weekly 2
  kvmbackup policy simulate --json < snapshots.txt | jq -r '.[] | select(.keep | not) | .snapshot'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pol, err := simulatePolicy(cmd, g, keep, o)
			if err != nil {
				return err
			}
			return runSimulate(cmd.Context(), g, pol, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.IntVar(&keep.KeepLast, "keep-last", 0, "keep the N newest snapshots")
	f.IntVar(&keep.KeepHourly, "keep-hourly", 0, "keep the newest of each of the N most recent hours that have one")
	f.IntVar(&keep.KeepDaily, "keep-daily", 0, "keep the newest of each of the N most recent days that have one")
	f.IntVar(&keep.KeepWeekly, "keep-weekly", 0, "keep the newest of each of the N most recent ISO weeks that have one")
	f.IntVar(&keep.KeepMonthly, "keep-monthly", 0, "keep the newest of each of the N most recent months that have one")
	f.IntVar(&keep.KeepYearly, "keep-yearly", 0, "keep the newest of each of the N most recent years that have one")
	f.StringVar(&o.vm, "vm", "", "simulate this VM's policy (its vms[].retention, else retention)")
	f.StringVar(&o.path, "path", "", "simulate this paths: entry's policy (its paths[].retention, else retention)")
	return cmd
}

// simulation is the policy of policy simulate: of each list, by its dataset ("" for
// the names and times without one), and where it comes from.
type simulation struct {
	of func(dataset string) orchestrator.UnitPolicy
	// from: where the policy's Source is set: "" for the flags (the Source says it
	// all), else the configuration file, or the built-in defaults.
	from string
}

// describe says where a policy of the simulation comes from: "the --keep-* flags",
// "the retention in /etc/kvmbackup/config.yaml", "vms[web1].retention in ...".
func (s simulation) describe(up orchestrator.UnitPolicy) string {
	switch {
	case s.from == "":
		return up.Source
	case strings.HasPrefix(s.from, "built-in"):
		return "the default " + up.Source + " (no " + config.DefaultPath + ")"
	case up.Source == "retention":
		return "the retention in " + s.from
	}
	return up.Source + " in " + s.from
}

// simulatePolicy returns the policy to simulate: the --keep-* flags when any is
// given; else the configuration's, of --vm or --path, or of each dataset of the
// target (prune's).
func simulatePolicy(cmd *cobra.Command, g *globalOptions, flags policies.Policy, o *simulateOptions) (simulation, error) {
	var given []string
	for _, name := range keepFlags {
		if cmd.Flags().Changed(name) {
			given = append(given, "--"+name)
		}
	}
	switch {
	case o.vm != "" && o.path != "":
		return simulation{}, fmt.Errorf("--vm %s and --path %s: give one of them", o.vm, o.path)
	case len(given) == 0:
	case cmd.Flags().Changed("config"):
		return simulation{}, fmt.Errorf("--config and %s: give the policy by one or the other", strings.Join(given, ", "))
	case o.vm != "" || o.path != "":
		flag := "--vm " + o.vm
		if o.path != "" {
			flag = "--path " + o.path
		}
		return simulation{}, fmt.Errorf("%s and %s: give the policy by one or the other", flag, strings.Join(given, ", "))
	default:
		if err := flags.Validate(); err != nil {
			return simulation{}, fmt.Errorf("policy from %s: %w", strings.Join(given, ", "), err)
		}
		up := orchestrator.UnitPolicy{Policy: flags, Source: "the --keep-* flags"}
		return simulation{of: func(string) orchestrator.UnitPolicy { return up }}, nil
	}
	if err := checkNameFlags("--vm", nonEmpty(o.vm)); err != nil {
		return simulation{}, err
	}
	if err := checkNameFlags("--path", nonEmpty(o.path)); err != nil {
		return simulation{}, err
	}
	cfg, err := loadConfig(g)
	if err != nil {
		return simulation{}, err
	}
	unitPolicy := orchestrator.UnitPolicies(cfg)
	sim := simulation{from: configSource(g.configFile)}
	switch {
	case o.vm != "":
		up := unitPolicy(zfs.VMUnit(o.vm))
		sim.of = func(string) orchestrator.UnitPolicy { return up }
	case o.path != "":
		up := unitPolicy(zfs.PathUnit(o.path))
		sim.of = func(string) orchestrator.UnitPolicy { return up }
	default:
		root := cfg.Target.Dataset
		sim.of = func(ds string) orchestrator.UnitPolicy {
			rel, ok := strings.CutPrefix(ds, root+"/")
			if !ok {
				return unitPolicy(zfs.Unit{}) // not the target's: the top-level retention
			}
			u := zfs.DatasetUnit(ds)
			if rel != u.Name && rel != zfs.PathsChild+"/"+u.Name {
				return unitPolicy(zfs.Unit{}) // deeper than a unit's dataset
			}
			return unitPolicy(u)
		}
	}
	// Every policy of the configuration is valid (Load checks them): a bad one is
	// refused, naming its key, before anything is read.
	return sim, nil
}

// nonEmpty is []string{s}, or nothing for "".
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// locationKey is the context key of the time zone policy simulate takes periods in.
type locationKey struct{}

// withLocation returns ctx carrying the time zone that policy simulate takes the
// periods in, instead of time.Local: tests decide in a fixed zone.
func withLocation(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, locationKey{}, loc)
}

func locationFrom(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(locationKey{}).(*time.Location); ok && loc != nil {
		return loc
	}
	return time.Local
}

// listEntry is one snapshot of the list read by policy simulate.
type listEntry struct {
	dataset string            // the part before "@"; "" for a bare name or time
	snap    policies.Snapshot // Name: the line as given (trimmed)
}

// simulatedSnapshot is one element of policy simulate --json.
type simulatedSnapshot struct {
	Snapshot string     `json:"snapshot"`
	Time     *time.Time `json:"time"` // in the local zone; null for a foreign snapshot
	Keep     bool       `json:"keep"`
	Reasons  []string   `json:"reasons"`
}

func runSimulate(ctx context.Context, g *globalOptions, sim simulation, in io.Reader, out, errOut io.Writer) error {
	if f, ok := in.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		fmt.Fprintln(errOut, "reading snapshot names from standard input, one a line; end with Ctrl-D")
	}
	entries, err := readSnapshotList(in)
	if err != nil {
		return err
	}
	loc := locationFrom(ctx)

	// Each dataset on its own, in the order they first appear, by its own policy.
	groups := map[string][]int{}
	var order []string
	for i, e := range entries {
		if _, seen := groups[e.dataset]; !seen {
			order = append(order, e.dataset)
		}
		groups[e.dataset] = append(groups[e.dataset], i)
	}
	decisions := make([]policies.Decision, len(entries))
	used := map[string]orchestrator.UnitPolicy{} // dataset → its policy
	for _, ds := range order {
		up := sim.of(ds)
		used[ds] = up
		idx := groups[ds]
		snaps := make([]policies.Snapshot, len(idx))
		for j, i := range idx {
			snaps[j] = entries[i].snap
		}
		got, err := policies.Apply(up.Policy, snaps, loc)
		if err != nil {
			return fmt.Errorf("policy %s: %w", sim.describe(up), err)
		}
		for j, i := range idx {
			decisions[i] = got[j]
		}
	}

	kept := 0
	for _, d := range decisions {
		if d.Keep {
			kept++
		}
	}
	summary, policy := simulateSummary(sim, order, used)
	summary += fmt.Sprintf(": %d kept, %d removed", kept, len(decisions)-kept)
	if len(order) > 1 {
		summary += fmt.Sprintf(" (%d lists by dataset, each decided on its own)", len(order))
	}
	if policy == "" { // several policies: which list had which
		for _, ds := range order {
			name := ds
			if name == "" {
				name = "(names without a dataset)"
			}
			summary += fmt.Sprintf("\n  %s: %s, from %s", name, used[ds].Policy, sim.describe(used[ds]))
		}
	}

	if g.json {
		list := make([]simulatedSnapshot, len(decisions))
		for i, d := range decisions {
			s := simulatedSnapshot{Snapshot: d.Name, Keep: d.Keep, Reasons: d.Reasons}
			if s.Reasons == nil {
				s.Reasons = []string{}
			}
			if d.Ours {
				t := d.Time.In(loc)
				s.Time = &t
			}
			list[i] = s
		}
		if err := json.NewEncoder(out).Encode(list); err != nil {
			return err
		}
		zerolog.Ctx(ctx).Info().Str("policy", policy).Int("kept", kept).Int("removed", len(decisions)-kept).Msg(summary)
		return nil
	}
	w := bufio.NewWriter(out)
	for _, d := range decisions {
		fmt.Fprintln(w, decisionLine(d.Keep, d.Name, d.Reasons))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(errOut, summary)
	return nil
}

// simulateSummary starts the summary of a simulation: "simulated POLICY, from
// SOURCE" when every list had the one policy (returned too), else "simulated each
// dataset by its own policy" (and policy "").
func simulateSummary(sim simulation, order []string, used map[string]orchestrator.UnitPolicy) (summary, policy string) {
	var first orchestrator.UnitPolicy
	for i, ds := range order {
		if i == 0 {
			first = used[ds]
		} else if used[ds] != first {
			return "simulated each dataset by its own policy", ""
		}
	}
	if len(order) == 0 {
		first = sim.of("")
	}
	return fmt.Sprintf("simulated %s, from %s", first.Policy, sim.describe(first)), first.Policy.String()
}

// decisionLine is how policy simulate and prune print one decision:
// "keep NAME REASON,REASON" or "remove NAME".
func decisionLine(keep bool, name string, reasons []string) string {
	if keep {
		return "keep " + name + " " + strings.Join(reasons, ",")
	}
	return "remove " + name
}

// maxBadLines is how many bad lines of a list an error names.
const maxBadLines = 10

// readSnapshotList reads the list of policy simulate. Bad lines are an error naming
// each (up to maxBadLines of them) with its line number; then no entry is returned.
func readSnapshotList(r io.Reader) ([]listEntry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var (
		entries []listEntry
		bad     []string
		nbad    int
		at      = map[string]int{} // line → the number of its first occurrence
		n       int
	)
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		e, reason := parseListLine(text)
		if first, dup := at[text]; dup && reason == "" {
			reason = fmt.Sprintf("repeats line %d", first)
		}
		if reason != "" {
			if nbad++; nbad <= maxBadLines {
				bad = append(bad, fmt.Sprintf("line %d: %q %s", n, text, reason))
			}
			continue
		}
		at[text] = n
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("standard input, after line %d: %w", n, err)
	}
	switch {
	case nbad == 1:
		return nil, fmt.Errorf("standard input, %s", bad[0])
	case nbad > maxBadLines:
		bad = append(bad, fmt.Sprintf("and %d more", nbad-maxBadLines))
		fallthrough
	case nbad > 1:
		return nil, fmt.Errorf("standard input: %d bad lines, nothing simulated:\n  %s", nbad, strings.Join(bad, "\n  "))
	}
	return entries, nil
}

// parseListLine parses one non-blank line of the list; reason says what is wrong.
func parseListLine(text string) (e listEntry, reason string) {
	e.snap.Name = text
	if strings.ContainsFunc(text, unicode.IsSpace) {
		return e, "has white space in it: want one snapshot a line (zfs list -H -t snapshot -o name)"
	}
	if ds, name, ok := strings.Cut(text, "@"); ok {
		if ds == "" || name == "" || strings.Contains(name, "@") {
			return e, "is not DATASET@SNAPSHOT"
		}
		e.dataset = ds
		// A name kvmbackup did not give, even one that looks like a date, is foreign:
		// prune never destroys it, so neither does the simulation.
		e.snap.Time, e.snap.Ours = zfs.ParseSnapshotName(name)
		return e, ""
	}
	if strings.HasPrefix(text, zfs.SnapshotPrefix) {
		t, ok := zfs.ParseSnapshotName(text)
		if !ok {
			return e, "is not a kvmbackup snapshot name (want e.g. kvmbackup_2026-11-24T03:00:00Z)"
		}
		e.snap.Time, e.snap.Ours = t, true
		return e, ""
	}
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return e, "is not a kvmbackup snapshot name (kvmbackup_2026-11-24T03:00:00Z), DATASET@SNAPSHOT, or an RFC 3339 time (2026-11-24T04:00:00+01:00)"
	}
	e.snap.Time, e.snap.Ours = t, true
	return e, ""
}
