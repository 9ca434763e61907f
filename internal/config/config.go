// Package config owns kvmbackup's configuration: its keys, defaults, loading (viper,
// YAML, KVMBACKUP_* env overrides) and strict validation.
//
// The keys are a contract (examples/config.yaml shows them
// all). Every problem is a *KeyError naming the key and the bad value; Load, Parse and
// Validate report all of them at once, joined with errors.Join.
//
// config is the bottom of kvmbackup's layers and imports no domain package. The
// values whose rules belong to a domain (quiesce.mode: hypervisor; retention:
// policies; paths[].exclude: transfer) are checked by that domain's rule, through the
// Checks the caller passes (orchestrator.ConfigChecks); the rules of names are in
// internal/names, which zfs and lvm use too.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/kvmbackup/kvmbackup/internal/names"
)

// DefaultPath is the config file Load reads when it is given no path and the file exists.
const DefaultPath = "/etc/kvmbackup/config.yaml"

// EnvPrefix starts the environment variables that override config keys: the key
// upper-cased with "." and "-" turned into "_", e.g. KVMBACKUP_SNAPSHOT_MAX_FILL.
const EnvPrefix = "KVMBACKUP_"

// Config is kvmbackup's parsed and validated configuration. The mapstructure tags name
// each field's YAML key.
type Config struct {
	Libvirt   Libvirt     `mapstructure:"libvirt"`
	Quiesce   Quiesce     `mapstructure:"quiesce"`
	Snapshot  Snapshot    `mapstructure:"snapshot"`
	Target    Target      `mapstructure:"target"`
	Retention Retention   `mapstructure:"retention"`
	VMs       []VM        `mapstructure:"vms"`     // empty: every defined domain
	Exclude   []string    `mapstructure:"exclude"` // domain name globs (path.Match)
	Paths     []PathEntry `mapstructure:"paths"`   // trees to back up too
	Report    Report      `mapstructure:"report"`
	Hooks     Hooks       `mapstructure:"hooks"`
	Notify    Notify      `mapstructure:"notify"`
	Status    Status      `mapstructure:"status"`
	// Replication: where `kvmbackup replicate` sends the dated snapshots (empty: nowhere).
	Replication []Replication `mapstructure:"replication"`
	Verify      Verify        `mapstructure:"verify"`
}

// Verify holds the defaults of `kvmbackup verify` (docs/verify.md).
type Verify struct {
	Boot VerifyBoot `mapstructure:"boot"`
}

// VerifyBoot says how `verify --boot` knows a throwaway domain is up and well.
type VerifyBoot struct {
	// ReadyPattern: a regular expression (RE2) a console line matches once the
	// guest is up; used when the domain has no guest agent channel.
	ReadyPattern string `mapstructure:"ready-pattern"`
	// Check: commands run in the guest through the guest agent, each as
	// /bin/sh -c COMMAND; each must exit 0.
	Check []string `mapstructure:"check"`
	// Timeout bounds the wait for ready: 10s to 1h.
	Timeout time.Duration `mapstructure:"timeout"`
}

// Libvirt says which hypervisor to talk to.
type Libvirt struct {
	URI string `mapstructure:"uri"` // e.g. qemu:///system
}

// Quiesce says how guests are made consistent before their volumes are snapshotted.
type Quiesce struct {
	Mode   string        `mapstructure:"mode"`   // one of hypervisor.Modes (a Check)
	Settle time.Duration `mapstructure:"settle"` // wait after Alt+SysRq+S before suspend, 0–60s
	// MaxPause is the hard deadline of a freeze window, from the first guest paused
	// or frozen: past it the group is resumed, and the VMs whose snapshots are still
	// pending fail. Above 0s, at most 10m.
	MaxPause time.Duration `mapstructure:"max-pause"`
}

// Snapshot is how the classic LVM snapshots are made and watched.
type Snapshot struct {
	Size      Size    `mapstructure:"size"`      // absolute, or a percentage of the origin
	Chunksize int64   `mapstructure:"chunksize"` // bytes: a power of two, 4K–512K
	MaxFill   float64 `mapstructure:"max-fill"`  // percent in (0, 100]: fuller fails the volume
}

// Target is where backups land.
type Target struct {
	Dataset            string `mapstructure:"dataset"` // POOL/DATASET; one child per VM
	RequireMirror      bool   `mapstructure:"require-mirror"`
	RequireCompression bool   `mapstructure:"require-compression"`
}

// Retention is the calendar retention policy (docs/retention.md): the
// fields of policies.Policy, in its order, which it converts to; its rule (no count
// negative, one above 0) is policies.Policy.Validate, a Check.
type Retention struct {
	KeepLast    int `mapstructure:"keep-last"`
	KeepHourly  int `mapstructure:"keep-hourly"`
	KeepDaily   int `mapstructure:"keep-daily"`
	KeepWeekly  int `mapstructure:"keep-weekly"`
	KeepMonthly int `mapstructure:"keep-monthly"`
	KeepYearly  int `mapstructure:"keep-yearly"`
}

// VM is one explicitly listed domain.
type VM struct {
	Name    string   `mapstructure:"name"`    // libvirt domain name; also its dataset name
	Volumes []Volume `mapstructure:"volumes"` // LVs that discovery cannot see
	// ExcludeDisks: targets (vdb) of disks left out on purpose; any other disk that
	// cannot be backed up fails the VM.
	ExcludeDisks []string `mapstructure:"exclude-disks"`
	// Retention: the VM's own policy, replacing the top-level retention whole (a
	// keep-* it leaves out is 0, not the top-level value); nil: the top-level one.
	Retention *Retention `mapstructure:"retention"`
}

// PathEntry is a tree to back up besides the VMs: exactly one of Path or Volume is set.
type PathEntry struct {
	Name   string  `mapstructure:"name"`   // dataset name under _paths/
	Path   string  `mapstructure:"path"`   // a mounted filesystem, copied live
	Volume *Volume `mapstructure:"volume"` // an LV: snapshotted, fsck'd, mounted read-only
	// Exclude: globs of what is not kept (transfer.TreeOptions.Exclude: with a "/",
	// matched against the path below the tree's root; without, against every name).
	Exclude []string `mapstructure:"exclude"`
	// Retention: the entry's own policy, as VM.Retention; nil: the top-level one.
	Retention *Retention `mapstructure:"retention"`
}

// Report says where run results go besides the log.
type Report struct {
	MetricsFile string `mapstructure:"metrics-file"` // Prometheus textfile; "": none
}

// Hooks is the admin's hook script, called at each phase of a run (vzdump's
// convention: docs/hooks.md).
type Hooks struct {
	Script  string        `mapstructure:"script"`  // an absolute path; "": none
	Timeout time.Duration `mapstructure:"timeout"` // past it the script is killed and the phase failed
}

// Notify says who hears of a run: Command gets the run's JSON report on stdin.
type Notify struct {
	Command []string `mapstructure:"command"` // argv, no shell; empty: none
	On      string   `mapstructure:"on"`      // NotifyOnFailure or NotifyAlways
}

// When notify.command runs.
const (
	NotifyOnFailure = "failure" // a run that did not back up everything, or could not start
	NotifyAlways    = "always"  // every run but a dry run
)

// Status says when `kvmbackup status` calls a backup stale.
type Status struct {
	// MaxAge: a VM or paths: entry whose newest dated backup is older is stale.
	// Above 0, at most 366 days.
	MaxAge time.Duration `mapstructure:"max-age"`
}

// defaults are the values of every key a config leaves out.
var defaults = map[string]any{
	"libvirt.uri":                "qemu:///system",
	"quiesce.mode":               "auto",
	"quiesce.settle":             "1s",
	"quiesce.max-pause":          "10s",
	"snapshot.size":              "10G",
	"snapshot.chunksize":         "512k",
	"snapshot.max-fill":          "90%",
	"target.dataset":             "backup/vms",
	"target.require-mirror":      "true",
	"target.require-compression": "true",
	"retention.keep-last":        "1",
	"retention.keep-hourly":      "12",
	"retention.keep-daily":       "3",
	"retention.keep-weekly":      "2",
	"retention.keep-monthly":     "0",
	"retention.keep-yearly":      "0",
	"report.metrics-file":        "",
	"hooks.script":               "",
	"hooks.timeout":              "5m",
	"notify.on":                  NotifyOnFailure,
	"status.max-age":             "26h",
	"verify.boot.ready-pattern":  "login:",
	"verify.boot.timeout":        "5m",
}

// Load reads the YAML config at path, applies the KVMBACKUP_* overrides found in env
// (a list of "K=V", as os.Environ gives) and validates the result, with checks too.
// With path "" it reads DefaultPath if that exists, else starts from the defaults
// alone.
func Load(path string, env []string, checks ...Check) (*Config, error) {
	if path == "" {
		if _, err := os.Stat(DefaultPath); errors.Is(err, fs.ErrNotExist) {
			return Parse(nil, env, checks...)
		}
		path = DefaultPath
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(data, env, checks...)
	if err != nil {
		return nil, fmt.Errorf("%s:\n%w", path, err)
	}
	return c, nil
}

// MetricsFileOf returns report.metrics-file of the config at path (as Load finds it:
// DefaultPath when path is "" and that exists), with its KVMBACKUP_REPORT_METRICS_FILE
// override from env, reading that key alone: a run whose config does not load (a bad
// key elsewhere) still writes its failure to the metrics file. "" when the config
// sets none. An error, naming the file, when it cannot be read or is not YAML, or
// when the key's value is not a valid metrics file path.
func MetricsFileOf(path string, env []string) (string, error) {
	var data []byte
	if path == "" {
		path = DefaultPath
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			path = ""
		}
	}
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return "", fmt.Errorf("config: %w", err)
		}
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("config %s: %w", path, err)
	}
	file := ""
	if top, ok := lowerKeys(doc).(map[string]any); ok {
		if rep, ok := top["report"].(map[string]any); ok {
			if v, ok := rep["metrics-file"].(string); ok {
				file = v
			}
		}
	}
	key := "report.metrics-file"
	for _, kv := range env {
		if name, val, ok := strings.Cut(kv, "="); ok && name == EnvName(key) {
			file, key = val, key+" (from "+name+")"
		}
	}
	if reason := metricsFileProblem(file); reason != "" {
		return "", fmt.Errorf("config: %s: %q %s", key, file, reason)
	}
	return file, nil
}

// Parse parses a YAML config (nil or empty: all defaults), applies the KVMBACKUP_*
// overrides found in env and validates the result, with checks too. Every problem
// found is reported, as *KeyError values joined with errors.Join.
func Parse(yaml []byte, env []string, checks ...Check) (*Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(yaml)); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	errs, err := checkKeys(yaml)
	if err != nil {
		return nil, err
	}
	if errs = append(errs, checkEnv(env)...); len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	for k, d := range defaults {
		v.SetDefault(k, d)
	}
	fromEnv := applyEnv(v, env)

	var raw rawConfig
	if err := v.Unmarshal(&raw); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	b := builder{failed: map[string]bool{}, values: map[string]string{}}
	c := b.build(&raw)
	errs = b.errs
	for _, e := range c.check(checks) {
		if !b.suppressed(e.Key) {
			if val, ok := b.values[e.Key]; ok {
				e.Value = val // as written, not as re-formatted
			}
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b *KeyError) int { return topRank(a.Key) - topRank(b.Key) })
		for _, e := range errs {
			e.Env = fromEnv[strings.SplitN(e.Key, "[", 2)[0]]
		}
		return nil, joinErrors(errs)
	}
	return c, nil
}

// topRank orders errors as the top-level keys are ordered in a config file.
func topRank(key string) int {
	top, _, _ := strings.Cut(strings.SplitN(key, "[", 2)[0], ".")
	for i, k := range []string{"libvirt", "quiesce", "snapshot", "target", "retention", "vms", "exclude", "paths", "report", "hooks", "notify", "status", "replication"} {
		if k == top {
			return i
		}
	}
	return 0
}

// rawConfig is the config as decoded: every scalar a string, parsed by build. Its
// mapstructure tags are the YAML keys, and checkKeys takes the schema from it.
type rawConfig struct {
	Libvirt struct {
		URI string `mapstructure:"uri"`
	} `mapstructure:"libvirt"`
	Quiesce struct {
		Mode     string `mapstructure:"mode"`
		Settle   string `mapstructure:"settle"`
		MaxPause string `mapstructure:"max-pause"`
	} `mapstructure:"quiesce"`
	Snapshot struct {
		Size      string `mapstructure:"size"`
		Chunksize string `mapstructure:"chunksize"`
		MaxFill   string `mapstructure:"max-fill"`
	} `mapstructure:"snapshot"`
	Target struct {
		Dataset            string `mapstructure:"dataset"`
		RequireMirror      string `mapstructure:"require-mirror"`
		RequireCompression string `mapstructure:"require-compression"`
	} `mapstructure:"target"`
	Retention rawRetention `mapstructure:"retention"`
	VMs       []struct {
		Name         string        `mapstructure:"name"`
		Volumes      []string      `mapstructure:"volumes"`
		ExcludeDisks []string      `mapstructure:"exclude-disks"`
		Retention    *rawRetention `mapstructure:"retention"`
	} `mapstructure:"vms"`
	Exclude []string `mapstructure:"exclude"`
	Paths   []struct {
		Name      string        `mapstructure:"name"`
		Path      string        `mapstructure:"path"`
		Volume    string        `mapstructure:"volume"`
		Exclude   []string      `mapstructure:"exclude"`
		Retention *rawRetention `mapstructure:"retention"`
	} `mapstructure:"paths"`
	Report struct {
		MetricsFile string `mapstructure:"metrics-file"`
	} `mapstructure:"report"`
	Hooks struct {
		Script  string `mapstructure:"script"`
		Timeout string `mapstructure:"timeout"`
	} `mapstructure:"hooks"`
	Notify struct {
		Command []string `mapstructure:"command"`
		On      string   `mapstructure:"on"`
	} `mapstructure:"notify"`
	Status struct {
		MaxAge string `mapstructure:"max-age"`
	} `mapstructure:"status"`
	Replication []rawReplication `mapstructure:"replication"`
	Verify      struct {
		Boot struct {
			ReadyPattern string   `mapstructure:"ready-pattern"`
			Check        []string `mapstructure:"check"`
			Timeout      string   `mapstructure:"timeout"`
		} `mapstructure:"boot"`
	} `mapstructure:"verify"`
}

// rawRetention is a retention section as decoded: the top-level one (its keys left
// out get their defaults) or a vms[]/paths[] entry's own (its keys left out are "":
// 0, since an entry's policy replaces the top-level one whole).
type rawRetention struct {
	KeepLast    string `mapstructure:"keep-last"`
	KeepHourly  string `mapstructure:"keep-hourly"`
	KeepDaily   string `mapstructure:"keep-daily"`
	KeepWeekly  string `mapstructure:"keep-weekly"`
	KeepMonthly string `mapstructure:"keep-monthly"`
	KeepYearly  string `mapstructure:"keep-yearly"`
}

// parseKey records the value of key as written and parses it; a parse failure is
// recorded against key and the zero value returned.
func parseKey[T any](b *builder, key, value string, parse func(string) (T, string)) T {
	b.values[key] = value
	v, reason := parse(value)
	if reason != "" {
		b.fail(key, value, reason)
	}
	return v
}

// builder turns a rawConfig into a Config, keeping the parse errors, the keys that
// failed (so that Validate does not report them twice) and the values as written.
type builder struct {
	errs   []*KeyError
	failed map[string]bool
	values map[string]string
}

func (b *builder) fail(key, value, reason string) {
	b.errs = append(b.errs, &KeyError{Key: key, Value: value, Reason: reason})
	b.failed[key] = true
}

// suppressed tells whether a Validate error on key only repeats a parse error: on the
// key itself or on a key below it (retention after retention.keep-last).
func (b *builder) suppressed(key string) bool {
	for k := range b.failed {
		if k == key || strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

func (b *builder) build(r *rawConfig) *Config {
	c := &Config{
		Libvirt: Libvirt{URI: r.Libvirt.URI},
		Quiesce: Quiesce{Mode: r.Quiesce.Mode},
		Target:  Target{Dataset: r.Target.Dataset},
		Exclude: r.Exclude,
		Report:  Report{MetricsFile: r.Report.MetricsFile},
		Hooks:   Hooks{Script: r.Hooks.Script},
		Notify:  Notify{Command: r.Notify.Command, On: r.Notify.On},
		Verify:  Verify{Boot: VerifyBoot{ReadyPattern: r.Verify.Boot.ReadyPattern, Check: r.Verify.Boot.Check}},
	}
	parseDuration := func(v string) (time.Duration, string) {
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, "is not a duration (want e.g. 1s or 500ms)"
		}
		return d, ""
	}
	c.Quiesce.Settle = parseKey(b, "quiesce.settle", r.Quiesce.Settle, parseDuration)
	c.Quiesce.MaxPause = parseKey(b, "quiesce.max-pause", r.Quiesce.MaxPause, parseDuration)
	c.Hooks.Timeout = parseKey(b, "hooks.timeout", r.Hooks.Timeout, parseDuration)
	c.Verify.Boot.Timeout = parseKey(b, "verify.boot.timeout", r.Verify.Boot.Timeout, parseDuration)
	c.Status.MaxAge = parseKey(b, "status.max-age", r.Status.MaxAge, func(v string) (time.Duration, string) {
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, "is not a duration (want e.g. 26h or 90m)"
		}
		return d, ""
	})
	c.Snapshot.Size = parseKey(b, "snapshot.size", r.Snapshot.Size, parseSize)
	c.Snapshot.Chunksize = parseKey(b, "snapshot.chunksize", r.Snapshot.Chunksize, func(v string) (int64, string) {
		return parseBytes(v, "(want e.g. 64K or 512K)")
	})
	c.Snapshot.MaxFill = parseKey(b, "snapshot.max-fill", r.Snapshot.MaxFill, parsePercent)

	c.Target.RequireMirror = b.bool("target.require-mirror", r.Target.RequireMirror)
	c.Target.RequireCompression = b.bool("target.require-compression", r.Target.RequireCompression)

	c.Retention = b.retention("retention", r.Retention, false)

	for i, rv := range r.VMs {
		vm := VM{Name: rv.Name, ExcludeDisks: rv.ExcludeDisks}
		for j, s := range rv.Volumes {
			vm.Volumes = append(vm.Volumes, b.volume(fmt.Sprintf("vms[%d].volumes[%d]", i, j), s))
		}
		c.VMs = append(c.VMs, vm)
	}
	for i, rp := range r.Paths {
		p := PathEntry{Name: rp.Name, Path: rp.Path, Exclude: rp.Exclude}
		if rp.Volume != "" {
			vol := b.volume(fmt.Sprintf("paths[%d].volume", i), rp.Volume)
			p.Volume = &vol
		}
		c.Paths = append(c.Paths, p)
	}
	// The entries' own policies, keyed by name (vms[web1].retention) as the checks
	// of the built config key them.
	for i, rv := range r.VMs {
		if rv.Retention != nil {
			own := b.retention(c.vmKey(i)+".retention", *rv.Retention, true)
			c.VMs[i].Retention = &own
		}
	}
	for i, rp := range r.Paths {
		if rp.Retention != nil {
			own := b.retention(c.pathKey(i)+".retention", *rp.Retention, true)
			c.Paths[i].Retention = &own
		}
	}
	c.Replication = b.replication(r.Replication)
	return c
}

// retention parses a retention section at key. With own (a vms[] or paths[] entry's
// policy), a keep-* left out is 0.
func (b *builder) retention(key string, r rawRetention, own bool) Retention {
	n := func(k, s string) int {
		if own && s == "" {
			return 0
		}
		return b.int(key+"."+k, s)
	}
	return Retention{
		KeepLast:    n("keep-last", r.KeepLast),
		KeepHourly:  n("keep-hourly", r.KeepHourly),
		KeepDaily:   n("keep-daily", r.KeepDaily),
		KeepWeekly:  n("keep-weekly", r.KeepWeekly),
		KeepMonthly: n("keep-monthly", r.KeepMonthly),
		KeepYearly:  n("keep-yearly", r.KeepYearly),
	}
}

func (b *builder) bool(key, s string) bool {
	v, err := strconv.ParseBool(s)
	if err != nil {
		b.fail(key, s, "is not a boolean (want true or false)")
	}
	return v
}

func (b *builder) int(key, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		b.fail(key, s, "is not a whole number")
	}
	return n
}

// volume parses "VG/LV"; on error the key is marked failed and the partial Volume kept.
func (b *builder) volume(key, s string) Volume {
	v, reason := parseVolume(s)
	if reason != "" {
		b.fail(key, s, reason)
	}
	return v
}

// applyEnv sets on v the keys overridden by KVMBACKUP_* entries of env, and returns
// which variable set each key. checkEnv has refused the variables that name no key.
func applyEnv(v *viper.Viper, env []string) map[string]string {
	known, _ := envKeys()
	from := map[string]string{}
	for _, kv := range env {
		name, val, ok := strings.Cut(kv, "=")
		k, isKey := known[name]
		if !ok || !isKey {
			continue
		}
		from[k.key] = name
		if !k.list {
			v.Set(k.key, val)
			continue
		}
		list := []string{}
		for _, s := range strings.Split(val, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		v.Set(k.key, list)
	}
	return from
}

// EnvName returns the environment variable that overrides key, e.g.
// KVMBACKUP_SNAPSHOT_MAX_FILL for snapshot.max-fill.
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
}

// ExcludedDisks returns the disk targets vms[].exclude-disks leaves out of the VM name.
func (c *Config) ExcludedDisks(name string) []string {
	for _, v := range c.VMs {
		if v.Name == name {
			return v.ExcludeDisks
		}
	}
	return nil
}

// ExcludedBy returns the exclude: glob that matches the domain name, or "".
func (c *Config) ExcludedBy(name string) string {
	for _, g := range c.Exclude {
		if ok, _ := path.Match(g, name); ok {
			return g
		}
	}
	return ""
}

// entryKey names item i of the list vms or paths in a key: by its name when that is
// a valid and unique one (vms[web1]), else by its index (vms[0]).
func entryKey(list string, i int, name string, all func(j int) string, n int) string {
	if names.Component(name) != "" {
		return fmt.Sprintf("%s[%d]", list, i)
	}
	for j := range n {
		if j != i && all(j) == name {
			return fmt.Sprintf("%s[%d]", list, i)
		}
	}
	return fmt.Sprintf("%s[%s]", list, name)
}

func (c *Config) vmKey(i int) string {
	return entryKey("vms", i, c.VMs[i].Name, func(j int) string { return c.VMs[j].Name }, len(c.VMs))
}

func (c *Config) pathKey(i int) string {
	return entryKey("paths", i, c.Paths[i].Name, func(j int) string { return c.Paths[j].Name }, len(c.Paths))
}

// RetentionAt is one retention policy of a config and the key that sets it:
// "retention", or an entry's own, "vms[web1].retention", "paths[root].retention".
type RetentionAt struct {
	Key       string
	Retention Retention
}

// Retentions lists every retention policy of c: the top-level one, then each
// vms[] entry's own, then each paths[] entry's own, then each replication[] target's.
func (c *Config) Retentions() []RetentionAt {
	out := []RetentionAt{{"retention", c.Retention}}
	for i, vm := range c.VMs {
		if vm.Retention != nil {
			out = append(out, RetentionAt{c.vmKey(i) + ".retention", *vm.Retention})
		}
	}
	for i, p := range c.Paths {
		if p.Retention != nil {
			out = append(out, RetentionAt{c.pathKey(i) + ".retention", *p.Retention})
		}
	}
	for i, r := range c.Replication {
		if r.Retention != nil {
			out = append(out, RetentionAt{c.replKey(i) + ".retention", *r.Retention})
		}
	}
	return out
}

// VMRetention returns the retention policy of the VM name and the key it comes from:
// its vms[] entry's own (vms[web1].retention), else the top-level one ("retention"),
// also for a VM that vms: does not list (a dataset left from an earlier config).
func (c *Config) VMRetention(name string) RetentionAt {
	for i, vm := range c.VMs {
		if vm.Name == name && vm.Retention != nil {
			return RetentionAt{c.vmKey(i) + ".retention", *vm.Retention}
		}
	}
	return RetentionAt{"retention", c.Retention}
}

// PathRetention is VMRetention for the paths: entry name.
func (c *Config) PathRetention(name string) RetentionAt {
	for i, p := range c.Paths {
		if p.Name == name && p.Retention != nil {
			return RetentionAt{c.pathKey(i) + ".retention", *p.Retention}
		}
	}
	return RetentionAt{"retention", c.Retention}
}

// Selects reports whether a run backs up the domain name: listed under vms: (when
// vms: is not empty) and not excluded.
func (c *Config) Selects(name string) bool {
	listed := len(c.VMs) == 0
	for _, vm := range c.VMs {
		listed = listed || vm.Name == name
	}
	return listed && c.ExcludedBy(name) == ""
}
