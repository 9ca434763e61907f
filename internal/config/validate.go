package config

import (
	"errors"
	"fmt"
	"math/bits"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/names"
)

// KeyError is one problem with one config key. Validation errors are joined KeyErrors:
// find them with errors.As, or by walking the join's Unwrap() []error.
type KeyError struct {
	Key    string // full key path, e.g. "snapshot.size", "vms[1].volumes[0]"
	Value  string // the value as written; "" when empty or not a single value
	Reason string // what is wrong, e.g. "is not a size (want e.g. 10G, 512M or 20%)"
	Env    string // the KVMBACKUP_* variable the value came from; "" for the file or defaults
	// Key is "" and Env set: the variable names no key (KVMBACKUP_TARGET_DATSET).
}

// Error reads e.g. `config: snapshot.size: "10X" is not a size (want e.g. 10G, 512M or 20%)`.
func (e *KeyError) Error() string {
	if e.Key == "" && e.Env != "" {
		return fmt.Sprintf("config: environment variable %s %s", e.Env, e.Reason)
	}
	if rest, ok := strings.CutPrefix(e.Reason, unknownKey); ok {
		return fmt.Sprintf("config: %s %q%s", unknownKey, e.Key, rest)
	}
	var b strings.Builder
	b.WriteString("config: " + e.Key)
	if e.Env != "" {
		b.WriteString(" (from " + e.Env + ")")
	}
	b.WriteString(": ")
	if e.Value != "" {
		b.WriteString(strconv.Quote(e.Value) + " ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

func joinErrors(errs []*KeyError) error {
	all := make([]error, len(errs))
	for i, e := range errs {
		all[i] = e
	}
	return errors.Join(all...)
}

// Validate checks every field of c, with checks too, and reports every problem, as
// *KeyError values joined with errors.Join; nil when c is valid. Load and Parse call it.
func (c *Config) Validate(checks ...Check) error {
	return joinErrors(c.check(checks))
}

// A Check checks the values of a config whose rule belongs to a domain package:
// quiesce.mode (hypervisor), retention (policies), paths[].exclude (transfer).
// config imports no domain package, so whoever loads a config passes the domains'
// checks to Load, Parse or Validate: orchestrator.ConfigChecks. A Check reads c and
// changes nothing; it returns one KeyError per problem, with the full key
// ("retention.keep-daily") and the value as c holds it (Parse shows the value as
// written), or nil. Each domain package also refuses a bad value itself when it is
// used (a freeze, a retention policy, a tree copy): a config loaded without checks is
// never acted on wrongly, only refused later and less plainly.
type Check func(c *Config) []*KeyError

// maxStatusAge bounds status.max-age: a year and a day.
const maxStatusAge = 366 * 24 * time.Hour

var (
	lvmNameRe = regexp.MustCompile(`^[A-Za-z0-9+_.-]+$`)
	// diskTargetRe: a libvirt disk target (<target dev=…>): vda, sdb, hdc, nvme0n1.
	diskTargetRe = regexp.MustCompile(`^[a-z][a-z0-9]{0,31}$`)

	reservedLVParts = []string{"_cdata", "_cmeta", "_corig", "_mlog", "_mimage", "_pmspare",
		"_rimage", "_rmeta", "_tdata", "_tmeta", "_vorigin", "_vdata"}
)

func (c *Config) check(checks []Check) []*KeyError {
	var errs []*KeyError
	bad := func(key, value, reason string) {
		errs = append(errs, &KeyError{Key: key, Value: value, Reason: reason})
	}

	if u, err := url.Parse(c.Libvirt.URI); c.Libvirt.URI == "" {
		bad("libvirt.uri", "", "must not be empty (want e.g. qemu:///system)")
	} else if err != nil || u.Scheme == "" {
		bad("libvirt.uri", c.Libvirt.URI, "is not a libvirt URI (want e.g. qemu:///system or qemu+ssh://host/system)")
	}

	if s := c.Quiesce.Settle; s < 0 || s > time.Minute {
		bad("quiesce.settle", s.String(), "is out of range (want 0s to 60s)")
	}
	if m := c.Quiesce.MaxPause; m <= 0 || m > 10*time.Minute {
		bad("quiesce.max-pause", m.String(), "is out of range (want above 0s, at most 10m)")
	}

	if s := c.Snapshot.Size; (s.Bytes != 0) == (s.Percent != 0) || s.Bytes < 0 || s.Percent < 0 || s.Percent > 100 {
		bad("snapshot.size", s.String(), "is not a size: give bytes above 0 or a percentage above 0% and at most 100%")
	}
	if n := c.Snapshot.Chunksize; n < 4<<10 || n > 512<<10 || bits.OnesCount64(uint64(n)) != 1 {
		bad("snapshot.chunksize", FormatBytes(n), "is not a valid LVM chunk size (want a power of two from 4K to 512K)")
	}
	if p := c.Snapshot.MaxFill; !(p > 0 && p <= 100) {
		bad("snapshot.max-fill", strconv.FormatFloat(p, 'f', -1, 64)+"%", "is out of range (want above 0% and at most 100%)")
	}

	if reason := names.DatasetBelowPool(c.Target.Dataset); reason != "" {
		bad("target.dataset", c.Target.Dataset, reason)
	}

	vmAt := map[string]int{}
	for i, vm := range c.VMs {
		key := fmt.Sprintf("vms[%d].name", i)
		if reason := names.Component(vm.Name); reason != "" {
			bad(key, vm.Name, reason)
		} else if j, dup := vmAt[vm.Name]; dup {
			bad(key, vm.Name, fmt.Sprintf("is already the name of vms[%d]", j))
		} else {
			vmAt[vm.Name] = i
		}
		for j, vol := range vm.Volumes {
			if reason := vol.problem(); reason != "" {
				bad(fmt.Sprintf("vms[%d].volumes[%d]", i, j), vol.String(), reason)
			}
		}
		for j, t := range vm.ExcludeDisks {
			key := fmt.Sprintf("vms[%d].exclude-disks[%d]", i, j)
			if !diskTargetRe.MatchString(t) {
				bad(key, t, "is not a disk target (want the name the VM's XML gives it: vda, sdb, hdc)")
			} else if slices.Index(vm.ExcludeDisks, t) < j {
				bad(key, t, "is listed twice")
			}
		}
	}

	for i, pat := range c.Exclude {
		key := fmt.Sprintf("exclude[%d]", i)
		if pat == "" {
			bad(key, "", "must not be empty (want a domain name glob, e.g. test-*)")
		} else if _, err := path.Match(pat, ""); err != nil {
			bad(key, pat, "is not a valid glob (see path.Match)")
		}
	}

	pathAt := map[string]int{}
	for i, p := range c.Paths {
		key := fmt.Sprintf("paths[%d]", i)
		if reason := names.Component(p.Name); reason != "" {
			bad(key+".name", p.Name, reason)
		} else if j, dup := pathAt[p.Name]; dup {
			bad(key+".name", p.Name, fmt.Sprintf("is already the name of paths[%d]", j))
		} else {
			pathAt[p.Name] = i
		}
		switch {
		case p.Path != "" && p.Volume != nil:
			bad(key+".volume", p.Volume.String(), "is set together with "+key+".path: give exactly one of them")
		case p.Path == "" && p.Volume == nil:
			bad(key+".path", "", "is missing: give exactly one of "+key+".path or "+key+".volume")
		case p.Volume != nil:
			if reason := p.Volume.problem(); reason != "" {
				bad(key+".volume", p.Volume.String(), reason)
			}
		case !filepath.IsAbs(p.Path):
			bad(key+".path", p.Path, "is not an absolute path")
		case filepath.Clean(p.Path) != p.Path:
			bad(key+".path", p.Path, fmt.Sprintf("is not clean (want %q)", filepath.Clean(p.Path)))
		}
	}

	if reason := metricsFileProblem(c.Report.MetricsFile); reason != "" {
		bad("report.metrics-file", c.Report.MetricsFile, reason)
	}
	if m := c.Status.MaxAge; m <= 0 || m > maxStatusAge {
		bad("status.max-age", m.String(), "is out of range (want above 0s, at most 8784h: 366 days)")
	}
	if f := c.Hooks.Script; f != "" && (!filepath.IsAbs(f) || filepath.Clean(f) != f) {
		bad("hooks.script", f, "is not a clean absolute path")
	}
	if t := c.Hooks.Timeout; t < time.Second || t > 24*time.Hour {
		bad("hooks.timeout", t.String(), "is not between 1s and 24h")
	}
	if len(c.Notify.Command) > 0 && !filepath.IsAbs(c.Notify.Command[0]) {
		bad("notify.command", strings.Join(c.Notify.Command, " "), "does not start with an absolute path (it runs without a shell: [/usr/local/bin/notify-mail, admin@example.org])")
	}
	if on := c.Notify.On; on != NotifyOnFailure && on != NotifyAlways {
		bad("notify.on", on, fmt.Sprintf("is not %q or %q", NotifyOnFailure, NotifyAlways))
	}
	c.checkReplication(bad)
	if _, err := regexp.Compile(c.Verify.Boot.ReadyPattern); err != nil {
		bad("verify.boot.ready-pattern", c.Verify.Boot.ReadyPattern, "is not a regular expression: "+err.Error())
	}
	if t := c.Verify.Boot.Timeout; t < 10*time.Second || t > time.Hour {
		bad("verify.boot.timeout", t.String(), "is not between 10s and 1h")
	}
	for i, cmd := range c.Verify.Boot.Check {
		if strings.TrimSpace(cmd) == "" {
			bad(fmt.Sprintf("verify.boot.check[%d]", i), cmd, "is empty")
		}
	}
	for _, check := range checks {
		errs = append(errs, check(c)...)
	}
	return errs
}

// metricsFileProblem says what is wrong with a report.metrics-file value; "" when
// nothing is (an empty one: no metrics file).
func metricsFileProblem(f string) string {
	switch {
	case f == "":
		return ""
	case !filepath.IsAbs(f) || filepath.Clean(f) != f:
		return "is not a clean absolute path"
	case !strings.HasSuffix(f, ".prom") || filepath.Base(f) == ".prom":
		return `does not end in ".prom" (the node_exporter textfile collector reads only *.prom)`
	}
	return ""
}

// Volume is an LVM logical volume, VG/LV.
type Volume struct {
	VG, LV string
}

// String gives "vg/lv".
func (v Volume) String() string { return v.VG + "/" + v.LV }

// ParseVolume parses "VG/LV" and checks both names against LVM's naming rules.
func ParseVolume(s string) (Volume, error) {
	v, reason := parseVolume(s)
	if reason != "" {
		return Volume{}, fmt.Errorf("%q %s", s, reason)
	}
	return v, nil
}

func parseVolume(s string) (Volume, string) {
	vg, lv, ok := strings.Cut(s, "/")
	v := Volume{VG: vg, LV: lv}
	if !ok || strings.Contains(lv, "/") {
		return v, "is not an LVM volume (want VG/LV, e.g. vg0/web1-root)"
	}
	return v, v.problem()
}

// problem says what is wrong with v by LVM's naming rules; "" when nothing is.
func (v Volume) problem() string {
	for _, n := range []struct{ what, name string }{{"volume group", v.VG}, {"logical volume", v.LV}} {
		switch {
		case n.name == "":
			return "has an empty " + n.what + " name (want VG/LV, e.g. vg0/web1-root)"
		case len(n.name) > 127:
			return "has a " + n.what + " name longer than 127 characters"
		case !lvmNameRe.MatchString(n.name):
			return "has a " + n.what + " name with characters other than letters, digits and + _ . -"
		case n.name[0] == '-':
			return "has a " + n.what + ` name starting with "-"`
		case n.name == "." || n.name == "..":
			return "has " + n.what + " name " + strconv.Quote(n.name)
		}
	}
	for _, prefix := range []string{"snapshot", "pvmove"} {
		if strings.HasPrefix(v.LV, prefix) {
			return fmt.Sprintf("has a logical volume name starting with %q, which LVM reserves", prefix)
		}
	}
	for _, part := range reservedLVParts {
		if strings.Contains(v.LV, part) {
			return fmt.Sprintf("has a logical volume name containing %q, which LVM reserves", part)
		}
	}
	return ""
}
