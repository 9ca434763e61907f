package orchestrator

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/transfer"
)

// ConfigChecks are the checks of the config values whose rule belongs to a domain
// package, which internal/config may not import: quiesce.mode (hypervisor.Modes),
// retention (policies.Policy.Validate) and paths[].exclude (transfer.CheckExclude).
// Pass them to config.Load, so that a config is refused at load time, naming the key,
// by the same rule the run applies.
func ConfigChecks() []config.Check {
	return []config.Check{checkQuiesceMode, checkRetention, checkPathExcludes}
}

func checkQuiesceMode(c *config.Config) []*config.KeyError {
	if hypervisor.Mode(c.Quiesce.Mode).Valid() {
		return nil
	}
	return []*config.KeyError{{Key: "quiesce.mode", Value: c.Quiesce.Mode,
		Reason: "is not a quiesce mode (want one of " + hypervisor.ModeList() + ")"}}
}

// checkRetention checks every retention policy of the config: the top-level one and
// each vms[]/paths[] entry's own, naming the key (vms[web1].retention.keep-daily).
func checkRetention(c *config.Config) []*config.KeyError {
	var errs []*config.KeyError
	for _, r := range c.Retentions() {
		errs = append(errs, retentionErrors(r.Key, policies.Policy(r.Retention).Validate())...)
	}
	return errs
}

// retentionErrors turns what policies.Policy.Validate found into KeyErrors on the
// section key ("retention") and its keys ("retention.keep-daily").
func retentionErrors(key string, err error) []*config.KeyError {
	if err == nil {
		return nil
	}
	all := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		all = j.Unwrap()
	}
	var errs []*config.KeyError
	for _, err := range all {
		var re *policies.RuleError
		switch {
		case !errors.As(err, &re):
			errs = append(errs, &config.KeyError{Key: key, Reason: err.Error()})
		case re.Key == "":
			errs = append(errs, &config.KeyError{Key: key, Reason: re.Reason})
		default:
			errs = append(errs, &config.KeyError{Key: key + "." + re.Key, Value: strconv.Itoa(re.N), Reason: re.Reason})
		}
	}
	return errs
}

func checkPathExcludes(c *config.Config) []*config.KeyError {
	var errs []*config.KeyError
	for i, p := range c.Paths {
		for j, g := range p.Exclude {
			if err := transfer.CheckExclude(g); err != nil {
				errs = append(errs, &config.KeyError{Key: fmt.Sprintf("paths[%d].exclude[%d]", i, j), Value: g,
					Reason: "is not an exclude glob: " + strings.TrimPrefix(err.Error(), fmt.Sprintf("exclude %q: ", g))})
			}
		}
	}
	return errs
}
