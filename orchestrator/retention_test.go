package orchestrator

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/policies"
)

// A run prunes each VM and paths: entry by its own retention when its entry has one
// (replacing the top-level policy whole), else by the top-level one (keep-last 2
// here), and its report names the policy each was pruned by.
func TestRunPrunesEachUnitByItsOwnPolicy(t *testing.T) {
	w := pathScene(t)
	env := runEnv{t.TempDir()}
	cfg := pathsConfig(t, `    retention: {keep-last: 3}
vms:
  - name: web1
    retention: {keep-last: 1}
  - name: old1
`)
	var rep *Report
	for night := range 4 {
		var err error
		if rep, err = Run(context.Background(), w.deps(), env.opts(cfg, night1.AddDate(0, 0, night))); err != nil || !rep.OK() {
			t.Fatalf("night %d: %v %+v", night+1, err, rep)
		}
	}
	for ds, n := range map[string]int{"backup/vms/web1": 1, "backup/vms/old1": 2, "backup/vms/_paths/iso": 3, "backup/vms/_paths/root": 2} {
		if got := len(w.datasets[ds].snaps); got != n {
			t.Errorf("%s: %d dated snapshots after 4 nights, want %d", ds, got, n)
		}
	}
	sources := map[string]string{}
	for _, pd := range rep.Pruned {
		sources[pd.Dataset] = pd.PolicySource + ": " + pd.Policy
	}
	for ds, want := range map[string]string{
		"backup/vms/web1":        "vms[web1].retention: keep-last 1",
		"backup/vms/old1":        "retention: keep-last 2",
		"backup/vms/_paths/iso":  "paths[iso].retention: keep-last 3",
		"backup/vms/_paths/root": "retention: keep-last 2",
	} {
		if sources[ds] != want {
			t.Errorf("%s pruned by %q, want %q", ds, sources[ds], want)
		}
	}
}

// A config loaded without the checks is refused by the run all the same when an
// entry's own policy keeps nothing, naming it, before anything is touched.
func TestRunRefusesABadOwnPolicy(t *testing.T) {
	w := scene(t)
	cfg := configWith(t, "vms: [{name: web1, retention: {keep-last: 0}}]\n")
	_, err := Run(context.Background(), w.deps(), runEnv{t.TempDir()}.opts(cfg, night1))
	var ee *EnvError
	if !errors.As(err, &ee) || !errors.Is(err, policies.ErrKeepsNothing) || !strings.Contains(err.Error(), "vms[web1].retention") {
		t.Fatalf("got %v, want an *EnvError naming vms[web1].retention", err)
	}
	if len(w.log) != 0 {
		t.Errorf("a refused run called %v", w.log)
	}
	if _, err := config.Parse([]byte("vms: [{name: web1, retention: {keep-last: 0}}]"), nil, ConfigChecks()...); err == nil {
		t.Error("ConfigChecks accept an entry's policy that keeps nothing")
	}
}
