package orchestrator

import (
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/policies"
)

// The default config's retention is the default policy (the policies.Policy
// conversion; from policies' TestStringAndFromConfig). The checks themselves are
// tested with the config they check, in internal/config.
func TestConfigPolicy(t *testing.T) {
	c, err := config.Parse(nil, nil, ConfigChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	p := policies.Policy(c.Retention)
	if got, want := p.String(), "keep-last 1, keep-hourly 12, keep-daily 3, keep-weekly 2"; got != want {
		t.Errorf("default policy: %q, want %q", got, want)
	}
}
