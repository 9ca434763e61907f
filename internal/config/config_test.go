package config_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/config"
	. "github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/orchestrator"
)

// The tests read a config as kvmbackup loads it: with the checks of the values whose
// rule belongs to a domain package (orchestrator.ConfigChecks), which config does
// not import.

func parse(yaml []byte, env []string) (*Config, error) {
	return config.Parse(yaml, env, orchestrator.ConfigChecks()...)
}

func load(path string, env []string) (*Config, error) {
	return config.Load(path, env, orchestrator.ConfigChecks()...)
}

// keyErrors returns every *KeyError inside err, walking wraps and joins.
func keyErrors(err error) []*KeyError {
	var out []*KeyError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *KeyError:
			out = append(out, e)
		case interface{ Unwrap() []error }:
			for _, sub := range e.Unwrap() {
				walk(sub)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}

// findKey returns the KeyError for key in err, or nil.
func findKey(err error, key string) *KeyError {
	for _, e := range keyErrors(err) {
		if e.Key == key {
			return e
		}
	}
	return nil
}

// wantKeyError fails t unless err holds a KeyError for key whose message names it.
func wantKeyError(t *testing.T, err error, key string) *KeyError {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one on key %q", key)
	}
	e := findKey(err, key)
	if e == nil {
		t.Fatalf("got %v\nwant a KeyError on key %q", err, key)
	}
	if !strings.Contains(err.Error(), key) {
		t.Fatalf("error %q does not name key %q", err, key)
	}
	return e
}

func defaultConfig() *Config {
	return &Config{
		Libvirt:   Libvirt{URI: "qemu:///system"},
		Quiesce:   Quiesce{Mode: "auto", Settle: time.Second, MaxPause: 10 * time.Second},
		Snapshot:  Snapshot{Size: Size{Bytes: 10 << 30}, Chunksize: 512 << 10, MaxFill: 90},
		Target:    Target{Dataset: "backup/vms", RequireMirror: true, RequireCompression: true},
		Retention: Retention{KeepLast: 1, KeepHourly: 12, KeepDaily: 3, KeepWeekly: 2},
		Hooks:     Hooks{Timeout: 5 * time.Minute},
		Notify:    Notify{On: NotifyOnFailure},
		Status:    Status{MaxAge: 26 * time.Hour},
		Verify:    defaultVerify,
	}
}

var defaultVerify = Verify{Boot: VerifyBoot{ReadyPattern: "login:", Timeout: 5 * time.Minute}}

func TestDefaults(t *testing.T) {
	for _, in := range []string{"", "\n", "# nothing\n", "snapshot:\nvms:\n"} {
		c, err := parse([]byte(in), nil)
		if err != nil {
			t.Fatalf("parse(%q): %v", in, err)
		}
		if want := defaultConfig(); !reflect.DeepEqual(c, want) {
			t.Errorf("parse(%q) =\n%+v\nwant\n%+v", in, c, want)
		}
	}
	if err := defaultConfig().Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestParseFull(t *testing.T) {
	in := `
libvirt: {uri: "qemu+ssh://host/system"}
quiesce: {mode: sysrq-suspend, settle: 1500ms, max-pause: 5s}
snapshot: {size: 20%, chunksize: 64KiB, max-fill: 80}
target: {dataset: tank/backup/vms, require-mirror: false, require-compression: false}
retention: {keep-last: 0, keep-hourly: 0, keep-daily: 7, keep-weekly: 4, keep-monthly: 12, keep-yearly: 2}
vms:
  - name: web1
    volumes: [vg0/web1-root, vg0/web1-data]
  - name: db.1
exclude: ["test-*", "tmp?"]
paths:
  - name: root
    path: /
  - name: images
    volume: vg0/images
report: {metrics-file: /var/lib/node_exporter/kvmbackup.prom}
status: {max-age: 50h}
`
	c, err := parse([]byte(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Libvirt:   Libvirt{URI: "qemu+ssh://host/system"},
		Quiesce:   Quiesce{Mode: "sysrq-suspend", Settle: 1500 * time.Millisecond, MaxPause: 5 * time.Second},
		Snapshot:  Snapshot{Size: Size{Percent: 20}, Chunksize: 64 << 10, MaxFill: 80},
		Target:    Target{Dataset: "tank/backup/vms"},
		Retention: Retention{KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12, KeepYearly: 2},
		VMs: []VM{
			{Name: "web1", Volumes: []Volume{{"vg0", "web1-root"}, {"vg0", "web1-data"}}},
			{Name: "db.1"},
		},
		Exclude: []string{"test-*", "tmp?"},
		Paths: []PathEntry{
			{Name: "root", Path: "/"},
			{Name: "images", Volume: &Volume{"vg0", "images"}},
		},
		Report: Report{MetricsFile: "/var/lib/node_exporter/kvmbackup.prom"},
		Hooks:  Hooks{Timeout: 5 * time.Minute},
		Notify: Notify{On: NotifyOnFailure},
		Status: Status{MaxAge: 50 * time.Hour},
		Verify: defaultVerify,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got\n%+v\nwant\n%+v", c, want)
	}
}

// TestRules tries one value of one key per case: wantKey "" means it must be accepted.
func TestRules(t *testing.T) {
	tests := []struct {
		name, yaml, wantKey string
	}{
		{"uri qemu", "libvirt: {uri: 'qemu:///system'}", ""},
		{"uri ssh", "libvirt: {uri: 'qemu+ssh://h/system'}", ""},
		{"uri test", "libvirt: {uri: 'test:///default'}", ""},
		{"uri empty", "libvirt: {uri: ''}", "libvirt.uri"},
		{"uri no scheme", "libvirt: {uri: system}", "libvirt.uri"},
		{"uri unparsable", "libvirt: {uri: 'qemu://h:x/'}", "libvirt.uri"},

		{"mode auto", "quiesce: {mode: auto}", ""},
		{"mode agent", "quiesce: {mode: agent}", ""},
		{"mode sysrq-suspend", "quiesce: {mode: sysrq-suspend}", ""},
		{"mode suspend", "quiesce: {mode: suspend}", ""},
		{"mode none", "quiesce: {mode: none}", ""},
		{"mode bad", "quiesce: {mode: freeze}", "quiesce.mode"},
		{"mode case", "quiesce: {mode: Auto}", "quiesce.mode"},
		{"settle 0", "quiesce: {settle: 0}", ""},
		{"settle 0s", "quiesce: {settle: 0s}", ""},
		{"settle 60s", "quiesce: {settle: 60s}", ""},
		{"settle 500ms", "quiesce: {settle: 500ms}", ""},
		{"settle no unit", "quiesce: {settle: 5}", "quiesce.settle"},
		{"settle words", "quiesce: {settle: one second}", "quiesce.settle"},
		{"settle negative", "quiesce: {settle: -1s}", "quiesce.settle"},
		{"settle too long", "quiesce: {settle: 61s}", "quiesce.settle"},
		{"max-pause 300ms", "quiesce: {max-pause: 300ms}", ""},
		{"max-pause 10m", "quiesce: {max-pause: 10m}", ""},
		{"max-pause 0", "quiesce: {max-pause: 0s}", "quiesce.max-pause"},
		{"max-pause too long", "quiesce: {max-pause: 11m}", "quiesce.max-pause"},
		{"max-pause words", "quiesce: {max-pause: ten seconds}", "quiesce.max-pause"},
		{"max-age 26h", "status: {max-age: 26h}", ""},
		{"max-age 90m", "status: {max-age: 90m}", ""},
		{"max-age a year", "status: {max-age: 8784h}", ""},
		{"max-age 0", "status: {max-age: 0s}", "status.max-age"},
		{"max-age negative", "status: {max-age: -1h}", "status.max-age"},
		{"max-age too long", "status: {max-age: 8785h}", "status.max-age"},
		{"max-age days", "status: {max-age: 2d}", "status.max-age"},

		{"size G", "snapshot: {size: 10G}", ""},
		{"size m", "snapshot: {size: 512m}", ""},
		{"size fraction", "snapshot: {size: 1.5G}", ""},
		{"size bytes", "snapshot: {size: 1073741824}", ""},
		{"size GiB", "snapshot: {size: 2GiB}", ""},
		{"size percent", "snapshot: {size: 20%}", ""},
		{"size 100%", "snapshot: {size: 100%}", ""},
		{"size bad unit", "snapshot: {size: 10X}", "snapshot.size"},
		{"size zero", "snapshot: {size: 0}", "snapshot.size"},
		{"size 0%", "snapshot: {size: 0%}", "snapshot.size"},
		{"size 150%", "snapshot: {size: 150%}", "snapshot.size"},
		{"size negative", "snapshot: {size: -1G}", "snapshot.size"},
		{"size empty", "snapshot: {size: ''}", "snapshot.size"},
		{"size fractional bytes", "snapshot: {size: 1.5}", "snapshot.size"},
		{"size too large", "snapshot: {size: 9999999P}", "snapshot.size"},
		{"chunksize 4k", "snapshot: {chunksize: 4k}", ""},
		{"chunksize 64K", "snapshot: {chunksize: 64K}", ""},
		{"chunksize bytes", "snapshot: {chunksize: 8192}", ""},
		{"chunksize 512KiB", "snapshot: {chunksize: 512KiB}", ""},
		{"chunksize not power of two", "snapshot: {chunksize: 48k}", "snapshot.chunksize"},
		{"chunksize too small", "snapshot: {chunksize: 2k}", "snapshot.chunksize"},
		{"chunksize too big", "snapshot: {chunksize: 1M}", "snapshot.chunksize"},
		{"chunksize percent", "snapshot: {chunksize: 10%}", "snapshot.chunksize"},
		{"max-fill percent", "snapshot: {max-fill: 90%}", ""},
		{"max-fill bare", "snapshot: {max-fill: 90}", ""},
		{"max-fill 100", "snapshot: {max-fill: 100%}", ""},
		{"max-fill fraction", "snapshot: {max-fill: 99.5%}", ""},
		{"max-fill zero", "snapshot: {max-fill: 0%}", "snapshot.max-fill"},
		{"max-fill over", "snapshot: {max-fill: 101}", "snapshot.max-fill"},
		{"max-fill words", "snapshot: {max-fill: full}", "snapshot.max-fill"},

		{"dataset nested", "target: {dataset: tank/a/b_c.d:e-f}", ""},
		{"dataset single", "target: {dataset: backup}", "target.dataset"},
		{"dataset empty", "target: {dataset: ''}", "target.dataset"},
		{"dataset space", "target: {dataset: backup/my vms}", "target.dataset"},
		{"dataset empty component", "target: {dataset: backup//vms}", "target.dataset"},
		{"dataset trailing slash", "target: {dataset: backup/vms/}", "target.dataset"},
		{"dataset snapshot", "target: {dataset: backup/vms@x}", "target.dataset"},
		{"dataset bookmark", "target: {dataset: backup/vms#x}", "target.dataset"},
		{"dataset pool digit", "target: {dataset: 1tank/vms}", "target.dataset"},
		{"dataset pool mirror", "target: {dataset: mirror/vms}", "target.dataset"},
		{"dataset pool raidz2", "target: {dataset: raidz2/vms}", "target.dataset"},
		{"dataset pool log", "target: {dataset: log/vms}", "target.dataset"},
		{"dataset pool c0", "target: {dataset: c0t0d0/vms}", "target.dataset"},
		{"dataset pool cache ok prefix", "target: {dataset: caches/vms}", ""},
		{"dataset dotdot", "target: {dataset: tank/..}", "target.dataset"},
		{"dataset too long", "target: {dataset: tank/" + strings.Repeat("a", 251) + "}", "target.dataset"},
		{"require-mirror false", "target: {require-mirror: false}", ""},
		{"require-mirror string", "target: {require-mirror: 'true'}", ""},
		{"require-mirror bad", "target: {require-mirror: maybe}", "target.require-mirror"},
		{"require-compression bad", "target: {require-compression: 2}", "target.require-compression"},

		{"keep all", "retention: {keep-last: 5, keep-yearly: 10}", ""},
		{"keep only yearly", "retention: {keep-last: 0, keep-hourly: 0, keep-daily: 0, keep-weekly: 0, keep-yearly: 1}", ""},
		{"keep negative", "retention: {keep-daily: -1}", "retention.keep-daily"},
		{"keep fraction", "retention: {keep-weekly: 1.5}", "retention.keep-weekly"},
		{"keep words", "retention: {keep-monthly: many}", "retention.keep-monthly"},
		{"keep all zero", "retention: {keep-last: 0, keep-hourly: 0, keep-daily: 0, keep-weekly: 0}", "retention"},
		{"vm retention", "vms: [{name: web1, retention: {keep-daily: 14}}]", ""},
		{"vm retention negative", "vms: [{name: web1, retention: {keep-daily: -1}}]", "vms[web1].retention.keep-daily"},
		{"vm retention words", "vms: [{name: a}, {name: web1, retention: {keep-weekly: many}}]", "vms[web1].retention.keep-weekly"},
		{"vm retention empty", "vms: [{name: web1, retention: {}}]", "vms[web1].retention"},
		{"vm retention all zero", "vms: [{name: web1, retention: {keep-last: 0}}]", "vms[web1].retention"},
		{"vm retention unknown key", "vms: [{name: web1, retention: {keep-dayly: 3}}]", "vms[web1].retention.keep-dayly"},
		{"vm retention a list", "vms: [{name: web1, retention: [1]}]", "vms[web1].retention"},
		{"vm retention scalar", "vms: [{name: web1, retention: {keep-daily: [1]}}]", "vms[web1].retention.keep-daily"},
		{"path retention", "paths: [{name: root, path: /, retention: {keep-monthly: 6}}]", ""},
		{"path retention negative", "paths: [{name: root, path: /, retention: {keep-last: -2}}]", "paths[root].retention.keep-last"},

		{"vm name chars", "vms: [{name: 'a-b_c.d:e'}]", ""},
		{"vm name plus", "vms: [{name: 'a+b'}]", "vms[0].name"}, // ZFS refuses + in a dataset name
		{"vm name empty", "vms: [{volumes: [vg0/x]}]", "vms[0].name"},
		{"vm name space", "vms: [{name: 'web 1'}]", "vms[0].name"},
		{"vm name slash", "vms: [{name: web/1}]", "vms[0].name"},
		{"vm name at", "vms: [{name: web@1}]", "vms[0].name"},
		{"vm name dot", "vms: [{name: '.'}]", "vms[0].name"},
		{"vm name long", "vms: [{name: " + strings.Repeat("a", 201) + "}]", "vms[0].name"},
		{"vm name duplicate", "vms: [{name: a}, {name: b}, {name: a}]", "vms[2].name"},
		{"volume ok", "vms: [{name: a, volumes: [vg0/a+b_c.d-e]}]", ""},
		{"volume no slash", "vms: [{name: a, volumes: [web1-root]}]", "vms[0].volumes[0]"},
		{"volume two slashes", "vms: [{name: a, volumes: [vg0/a/b]}]", "vms[0].volumes[0]"},
		{"volume empty lv", "vms: [{name: a, volumes: [vg0/]}]", "vms[0].volumes[0]"},
		{"volume snapshot", "vms: [{name: a, volumes: [vg0/ok, vg0/snapshot1]}]", "vms[0].volumes[1]"},
		{"volume pvmove", "vms: [{name: a, volumes: [vg0/pvmove0]}]", "vms[0].volumes[0]"},
		{"volume reserved part", "vms: [{name: a, volumes: [vg0/x_tmeta]}]", "vms[0].volumes[0]"},
		{"volume rimage", "vms: [{name: a, volumes: [vg0/x_rimage_0]}]", "vms[0].volumes[0]"},
		{"volume dash", "vms: [{name: a, volumes: [-vg/x]}]", "vms[0].volumes[0]"},
		{"volume dotdot", "vms: [{name: a, volumes: [vg0/..]}]", "vms[0].volumes[0]"},
		{"volume bad char", "vms: [{name: a, volumes: ['vg0/a b']}]", "vms[0].volumes[0]"},
		{"exclude-disks not a target", "vms: [{name: a, exclude-disks: [/dev/vdb]}]", "vms[0].exclude-disks[0]"},
		{"exclude-disks twice", "vms: [{name: a, exclude-disks: [vdb, vdc, vdb]}]", "vms[0].exclude-disks[2]"},
		{"volume long", "vms: [{name: a, volumes: [vg0/" + strings.Repeat("a", 128) + "]}]", "vms[0].volumes[0]"},

		{"exclude globs", "exclude: ['test-*', 'a?', '[a-c]*']", ""},
		{"exclude bad", "exclude: ['ok', '[']", "exclude[1]"},
		{"exclude empty", "exclude: ['']", "exclude[0]"},

		{"path ok", "paths: [{name: root, path: /}, {name: srv, path: /srv/data}]", ""},
		{"path volume ok", "paths: [{name: images, volume: vg0/images}]", ""},
		{"path no name", "paths: [{path: /}]", "paths[0].name"},
		{"path bad name", "paths: [{name: a/b, path: /}]", "paths[0].name"},
		{"path duplicate", "paths: [{name: r, path: /}, {name: r, path: /srv}]", "paths[1].name"},
		{"path both", "paths: [{name: r, path: /, volume: vg0/r}]", "paths[0].volume"},
		{"path neither", "paths: [{name: r}]", "paths[0].path"},
		{"path relative", "paths: [{name: r, path: srv}]", "paths[0].path"},
		{"path unclean", "paths: [{name: r, path: /srv/../etc}]", "paths[0].path"},
		{"path trailing slash", "paths: [{name: r, path: /srv/}]", "paths[0].path"},
		{"path bad volume", "paths: [{name: r, volume: images}]", "paths[0].volume"},

		{"metrics ok", "report: {metrics-file: /var/lib/node_exporter/kvmbackup.prom}", ""},
		{"metrics txt", "report: {metrics-file: /var/lib/kvmbackup.txt}", "report.metrics-file"},
		{"metrics relative", "report: {metrics-file: kvmbackup.prom}", "report.metrics-file"},
		{"metrics bare .prom", "report: {metrics-file: /var/lib/.prom}", "report.metrics-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse([]byte(tt.yaml), nil)
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("parse(%q): %v", tt.yaml, err)
				}
				return
			}
			e := wantKeyError(t, err, tt.wantKey)
			if n := len(keyErrors(err)); n != 1 {
				t.Errorf("got %d errors, want 1: %v", n, err)
			}
			if e.Reason == "" {
				t.Errorf("KeyError %+v has no reason", e)
			}
		})
	}
}

// A vms[] or paths[] entry's retention replaces the top-level policy whole: a keep-*
// it leaves out is 0 (off), not the top-level value, and the top level's env overrides
// do not reach it. Its errors name the entry by name.
func TestOwnRetention(t *testing.T) {
	in := `
retention: {keep-last: 2, keep-daily: 7}
vms:
  - name: web1
    retention: {keep-daily: 14, keep-monthly: 6}
  - name: db1
paths:
  - name: root
    path: /
    retention: {keep-weekly: 8}
  - name: srv
    path: /srv
`
	c, err := parse([]byte(in), []string{"KVMBACKUP_RETENTION_KEEP_HOURLY=5"})
	if err != nil {
		t.Fatal(err)
	}
	top := Retention{KeepLast: 2, KeepHourly: 5, KeepDaily: 7, KeepWeekly: 2}
	for _, tc := range []struct {
		got  RetentionAt
		want RetentionAt
	}{
		{c.VMRetention("web1"), RetentionAt{"vms[web1].retention", Retention{KeepDaily: 14, KeepMonthly: 6}}},
		{c.VMRetention("db1"), RetentionAt{"retention", top}},
		{c.VMRetention("gone"), RetentionAt{"retention", top}}, // a dataset vms: no longer lists
		{c.PathRetention("root"), RetentionAt{"paths[root].retention", Retention{KeepWeekly: 8}}},
		{c.PathRetention("srv"), RetentionAt{"retention", top}},
		{c.PathRetention("web1"), RetentionAt{"retention", top}}, // a VM's policy is not a path's
	} {
		if tc.got != tc.want {
			t.Errorf("got %+v, want %+v", tc.got, tc.want)
		}
	}
	var keys []string
	for _, r := range c.Retentions() {
		keys = append(keys, r.Key)
	}
	if want := []string{"retention", "vms[web1].retention", "paths[root].retention"}; !slices.Equal(keys, want) {
		t.Errorf("Retentions: %q, want %q", keys, want)
	}

	// Each bad policy is named; the message says the key and the value.
	_, err = parse([]byte("vms: [{name: web1, retention: {keep-daily: -1}}, {name: db1, retention: {keep-last: 0}}]\n"+
		"paths: [{name: root, path: /, retention: {keep-yearly: x}}]\n"), nil)
	wantKeyError(t, err, "vms[web1].retention.keep-daily")
	wantKeyError(t, err, "vms[db1].retention")
	wantKeyError(t, err, "paths[root].retention.keep-yearly")
	if n := len(keyErrors(err)); n != 3 {
		t.Errorf("got %d errors, want 3: %v", n, err)
	}
	if want := `config: vms[web1].retention.keep-daily: "-1" must not be negative`; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	// A keep-* that does not parse does not also make the entry's policy "all zero".
	_, err = parse([]byte("vms: [{name: web1, retention: {keep-daily: x}}]"), nil)
	if n := len(keyErrors(err)); n != 1 || findKey(err, "vms[web1].retention.keep-daily") == nil {
		t.Errorf("got %v, want one error on vms[web1].retention.keep-daily", err)
	}
	// An entry whose name cannot name it (invalid, or given twice) is named by index.
	_, err = parse([]byte("vms: [{name: 'a b', retention: {keep-daily: -1}}, {name: c, retention: {keep-last: 1}}, {name: c}]"), nil)
	wantKeyError(t, err, "vms[0].name")
	wantKeyError(t, err, "vms[0].retention.keep-daily")
	wantKeyError(t, err, "vms[2].name")
	_, err = parse([]byte("vms: [{name: c, retention: {keep-dayly: 1}}, {name: c}]"), nil)
	wantKeyError(t, err, "vms[0].retention.keep-dayly")
	// retention: left empty (null) is no policy of its own.
	c, err = parse([]byte("vms: [{name: web1, retention: ~}]"), nil)
	if err != nil || c.VMs[0].Retention != nil || c.VMRetention("web1").Key != "retention" {
		t.Errorf("retention: ~: %v %+v", err, c)
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := parse([]byte("snapshot: {size: 10X}"), nil)
	want := `config: snapshot.size: "10X" is not a size (want e.g. 10G, 512M or 20%)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	var ke *KeyError
	if !errors.As(err, &ke) || ke.Key != "snapshot.size" || ke.Value != "10X" {
		t.Errorf("errors.As: %+v", ke)
	}
}

func TestAllErrorsAtOnce(t *testing.T) {
	in := `
quiesce: {mode: freeze, settle: 2m}
snapshot: {size: 10X, chunksize: 3k}
target: {dataset: backup}
vms: [{name: 'a b', volumes: [x]}]
`
	_, err := parse([]byte(in), nil)
	for _, key := range []string{"quiesce.mode", "quiesce.settle", "snapshot.size",
		"snapshot.chunksize", "target.dataset", "vms[0].name", "vms[0].volumes[0]"} {
		wantKeyError(t, err, key)
	}
	if n := len(keyErrors(err)); n != 7 {
		t.Errorf("got %d errors, want 7:\n%v", n, err)
	}
}

func TestParseErrorNotRepeated(t *testing.T) {
	// A keep-* that does not parse must not also make the policy "all zero".
	_, err := parse([]byte("retention: {keep-last: x, keep-hourly: 0, keep-daily: 0, keep-weekly: 0}"), nil)
	wantKeyError(t, err, "retention.keep-last")
	if findKey(err, "retention") != nil {
		t.Errorf("all-zero reported after a parse error: %v", err)
	}
	if n := len(keyErrors(err)); n != 1 {
		t.Errorf("got %d errors, want 1: %v", n, err)
	}
}

func TestUnknownKeys(t *testing.T) {
	tests := []struct{ yaml, key string }{
		{"snapshots: {size: 1G}", "snapshots"},
		{"foo:", "foo"},
		{"snapshot: {maxfill: 90%}", "snapshot.maxfill"},
		{"snapshot: {maxfill: }", "snapshot.maxfill"},
		{"target: {pool: tank}", "target.pool"},
		{"report: {metrics_file: /x.prom}", "report.metrics_file"},
		{"vms: [{name: a}, {name: b, volume: vg0/b}]", "vms[1].volume"},
		{"paths: [{name: r, path: /, excludes: [/tmp]}]", "paths[0].excludes"},
	}
	for _, tt := range tests {
		_, err := parse([]byte(tt.yaml), nil)
		wantKeyError(t, err, tt.key)
		if !strings.Contains(err.Error(), `unknown config key "`+tt.key+`"`) {
			t.Errorf("parse(%q) = %v, want it to say unknown config key %q", tt.yaml, err, tt.key)
		}
	}
	// paths[].exclude is a key (the top-level exclude: is domain globs).
	c, err := parse([]byte("paths: [{name: r, path: /, exclude: [/tmp, '*.iso']}]"), nil)
	if err != nil || len(c.Paths) != 1 || !slices.Equal(c.Paths[0].Exclude, []string{"/tmp", "*.iso"}) {
		t.Errorf("paths[0].exclude: %v %+v", err, c)
	}
	// Keys are case-insensitive (viper lower-cases them).
	if _, err := parse([]byte("Snapshot: {Max-Fill: 80%}\nvms: [{Name: a}]"), nil); err != nil {
		t.Errorf("mixed-case keys: %v", err)
	}
}

func TestShapes(t *testing.T) {
	tests := []struct{ yaml, key string }{
		{"snapshot: 5", "snapshot"},
		{"libvirt: {uri: {a: 1}}", "libvirt.uri"},
		{"vms: {name: a}", "vms"},
		{"vms: [web1]", "vms[0]"},
		{"vms: [~]", "vms[0]"},
		{"exclude: 'a*'", "exclude"},
		{"exclude: [[a]]", "exclude[0]"},
		{"vms: [{name: a, volumes: vg0/a}]", "vms[0].volumes"},
	}
	for _, tt := range tests {
		_, err := parse([]byte(tt.yaml), nil)
		wantKeyError(t, err, tt.key)
	}
	if _, err := parse([]byte("- a\n"), nil); err == nil {
		t.Error("a YAML list at the top was accepted")
	}
	if _, err := parse([]byte("snapshot: {size: [\n"), nil); err == nil {
		t.Error("broken YAML was accepted")
	}
}

func TestEnv(t *testing.T) {
	env := []string{
		"PATH=/usr/bin",
		"KVMBACKUP_LAB=1", "KVMBACKUP_LAB_DIR=/tmp/lab", "KVMBACKUP_IN_APPLIANCE=yes",
		"KVMBACKUP_LIBVIRT_URI=test:///default",
		"KVMBACKUP_QUIESCE_MODE=none",
		"KVMBACKUP_QUIESCE_SETTLE=2s",
		"KVMBACKUP_QUIESCE_MAX_PAUSE=3s",
		"KVMBACKUP_SNAPSHOT_SIZE=20%",
		"KVMBACKUP_SNAPSHOT_CHUNKSIZE=64k",
		"KVMBACKUP_SNAPSHOT_MAX_FILL=80%",
		"KVMBACKUP_TARGET_DATASET=tank/kvm",
		"KVMBACKUP_TARGET_REQUIRE_MIRROR=false",
		"KVMBACKUP_TARGET_REQUIRE_COMPRESSION=0",
		"KVMBACKUP_RETENTION_KEEP_LAST=2",
		"KVMBACKUP_RETENTION_KEEP_HOURLY=0",
		"KVMBACKUP_RETENTION_KEEP_DAILY=7",
		"KVMBACKUP_RETENTION_KEEP_WEEKLY=4",
		"KVMBACKUP_RETENTION_KEEP_MONTHLY=6",
		"KVMBACKUP_RETENTION_KEEP_YEARLY=1",
		"KVMBACKUP_EXCLUDE=test-*, tmp?,",
		"KVMBACKUP_REPORT_METRICS_FILE=/run/kvmbackup.prom",
		"KVMBACKUP_STATUS_MAX_AGE=30h",
	}
	file := "quiesce: {mode: agent}\ntarget: {dataset: backup/vms}\nexclude: [other]\nvms: [{name: web1}]\n"
	c, err := parse([]byte(file), env)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Libvirt:   Libvirt{URI: "test:///default"},
		Quiesce:   Quiesce{Mode: "none", Settle: 2 * time.Second, MaxPause: 3 * time.Second},
		Snapshot:  Snapshot{Size: Size{Percent: 20}, Chunksize: 64 << 10, MaxFill: 80},
		Target:    Target{Dataset: "tank/kvm"},
		Retention: Retention{KeepLast: 2, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 6, KeepYearly: 1},
		VMs:       []VM{{Name: "web1"}},
		Exclude:   []string{"test-*", "tmp?"},
		Report:    Report{MetricsFile: "/run/kvmbackup.prom"},
		Hooks:     Hooks{Timeout: 5 * time.Minute},
		Notify:    Notify{On: NotifyOnFailure},
		Status:    Status{MaxAge: 30 * time.Hour},
		Verify:    defaultVerify,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got\n%+v\nwant\n%+v", c, want)
	}

	// An empty KVMBACKUP_EXCLUDE clears the list.
	c, err = parse([]byte("exclude: [a]"), []string{"KVMBACKUP_EXCLUDE="})
	if err != nil || len(c.Exclude) != 0 {
		t.Errorf("empty KVMBACKUP_EXCLUDE: %+v, %v", c, err)
	}

	for name, key := range map[string]string{
		"KVMBACKUP_SNAPSHOT_MAX_FILL":    "snapshot.max-fill",
		"KVMBACKUP_QUIESCE_MODE":         "quiesce.mode",
		"KVMBACKUP_TARGET_DATASET":       "target.dataset",
		"KVMBACKUP_RETENTION_KEEP_DAILY": "retention.keep-daily",
		"KVMBACKUP_SNAPSHOT_SIZE":        "snapshot.size",
		"KVMBACKUP_EXCLUDE":              "exclude[0]",
	} {
		_, err := parse(nil, []string{name + "=[bad"})
		e := wantKeyError(t, err, key)
		if e.Env != name || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "[bad") {
			t.Errorf("%s=[bad: %v (Env %q), want it to name the variable and the value", name, err, e.Env)
		}
	}
	// A value from the file is not blamed on the environment.
	_, err = parse([]byte("quiesce: {mode: bad}"), []string{"KVMBACKUP_SNAPSHOT_SIZE=1G"})
	if e := wantKeyError(t, err, "quiesce.mode"); e.Env != "" {
		t.Errorf("Env = %q, want none", e.Env)
	}
}

func TestEnvName(t *testing.T) {
	for key, want := range map[string]string{
		"snapshot.max-fill":     "KVMBACKUP_SNAPSHOT_MAX_FILL",
		"target.require-mirror": "KVMBACKUP_TARGET_REQUIRE_MIRROR",
		"exclude":               "KVMBACKUP_EXCLUDE",
	} {
		if got := EnvName(key); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestLoad(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := load(missing, nil)
	if err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("load(missing) = %v, want a not-exist error naming %s", err, missing)
	}

	good := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(good, []byte("quiesce: {mode: agent}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(good, []string{"KVMBACKUP_TARGET_DATASET=tank/x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Quiesce.Mode != "agent" || c.Target.Dataset != "tank/x" {
		t.Errorf("Load: %+v", c)
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("quiesce: {mode: freeze}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = load(bad, nil)
	wantKeyError(t, err, "quiesce.mode")
	if !strings.Contains(err.Error(), bad) {
		t.Errorf("load(bad) = %v, want it to name %s", err, bad)
	}
}

func TestLoadDefaultPath(t *testing.T) {
	if _, err := os.Stat(DefaultPath); err == nil {
		t.Skipf("%s exists on this machine", DefaultPath)
	}
	c, err := load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, defaultConfig()) {
		t.Errorf("load(\"\") = %+v, want the defaults", c)
	}
}

func TestValidate(t *testing.T) {
	c := defaultConfig()
	c.Snapshot.Size = Size{Bytes: 1, Percent: 1}
	c.Snapshot.Chunksize = 0
	c.Paths = []PathEntry{{Name: "x", Path: "/", Volume: &Volume{"vg0", "x"}}}
	err := c.Validate(orchestrator.ConfigChecks()...)
	for _, key := range []string{"snapshot.size", "snapshot.chunksize", "paths[0].volume"} {
		wantKeyError(t, err, key)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want Size
		ok   bool
	}{
		{"10G", Size{Bytes: 10 << 30}, true},
		{"10g", Size{Bytes: 10 << 30}, true},
		{"10GB", Size{Bytes: 10 << 30}, true},
		{"10GiB", Size{Bytes: 10 << 30}, true},
		{"10gib", Size{Bytes: 10 << 30}, true},
		{"512M", Size{Bytes: 512 << 20}, true},
		{"512k", Size{Bytes: 512 << 10}, true},
		{"1.5G", Size{Bytes: 3 << 29}, true},
		{"2T", Size{Bytes: 2 << 40}, true},
		{"1P", Size{Bytes: 1 << 50}, true},
		{"1073741824", Size{Bytes: 1 << 30}, true},
		{"512B", Size{Bytes: 512}, true},
		{"20%", Size{Percent: 20}, true},
		{"0.5%", Size{Percent: 0.5}, true},
		{"100%", Size{Percent: 100}, true},
		{"", Size{}, false},
		{"G", Size{}, false},
		{"10X", Size{}, false},
		{"10 G", Size{}, false},
		{"10iB", Size{}, false},
		{"1E", Size{}, false},
		{"-1G", Size{}, false},
		{"0", Size{}, false},
		{"0G", Size{}, false},
		{"0%", Size{}, false},
		{"150%", Size{}, false},
		{"1.5", Size{}, false},
		{"0.1K", Size{}, false},
		{"8192P", Size{}, false},
		{"1e3", Size{}, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %+v, %v; want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), `"`+tt.in+`"`) {
			t.Errorf("ParseSize(%q) error %q does not quote the input", tt.in, err)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0B"},
		{100, "100B"},
		{1023, "1023B"},
		{1024, "1KiB"},
		{512 << 10, "512KiB"},
		{1536, "1.5KiB"},
		{10 << 30, "10GiB"},
		{3 << 29, "1.5GiB"},
		{1<<30 + 1, "1GiB"},
		{5 << 40, "5TiB"},
		{3 << 50, "3PiB"},
		{-2048, "-2KiB"},
		{-1 << 63, "-8192PiB"},
	}
	for _, tt := range tests {
		if got := FormatBytes(tt.n); got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
		// What it shows reads back as a size that it shows the same.
		if back, err := ParseSize(tt.want); tt.n > 0 && (err != nil || FormatBytes(back.Bytes) != tt.want) {
			t.Errorf("ParseSize(%q) = %+v, %v", tt.want, back, err)
		}
	}
}

func TestSizeStringResolve(t *testing.T) {
	tests := []struct {
		s      Size
		str    string
		origin int64
		bytes  int64
	}{
		{Size{Bytes: 10 << 30}, "10GiB", 100 << 30, 10 << 30},
		{Size{Bytes: 10 << 30}, "10GiB", 1 << 30, 10 << 30},
		{Size{Percent: 20}, "20%", 10 << 30, 2 << 30},
		{Size{Percent: 33.3}, "33.3%", 1000, 333},
		{Size{Percent: 10}, "10%", 1001, 101},
		{Size{Percent: 100}, "100%", 1 << 40, 1 << 40},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.str {
			t.Errorf("%+v.String() = %q, want %q", tt.s, got, tt.str)
		}
		if got := tt.s.Resolve(tt.origin); got != tt.bytes {
			t.Errorf("%+v.Resolve(%d) = %d, want %d", tt.s, tt.origin, got, tt.bytes)
		}
	}
}

func TestParseVolume(t *testing.T) {
	v, err := ParseVolume("vg0/web1-root")
	if err != nil || v != (Volume{"vg0", "web1-root"}) || v.String() != "vg0/web1-root" {
		t.Errorf("ParseVolume: %+v, %v", v, err)
	}
	for _, bad := range []string{"", "vg0", "/lv", "vg0/", "a/b/c", "vg0/snapshot", "vg0/lv_cmeta", "-vg/lv", "./lv"} {
		if _, err := ParseVolume(bad); err == nil {
			t.Errorf("ParseVolume(%q) succeeded", bad)
		}
	}
}

// TestExamples parses every example config: each must be valid.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, f := range files {
		if _, err := load(f, nil); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestInvalid parses every file in testdata/config/invalid: each must fail with a
// KeyError on the key its first line names ("# key: KEY").
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("../../testdata/config/invalid/*.yaml")
	if err != nil || len(files) < 15 {
		t.Fatalf("want at least 15 invalid configs, found %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := bytes.Cut(data, []byte("\n"))
			key, ok := strings.CutPrefix(strings.TrimSpace(string(first)), "# key: ")
			if !ok || key == "" {
				t.Fatalf("first line %q is not \"# key: KEY\"", first)
			}
			_, err = parse(data, nil)
			wantKeyError(t, err, key)
		})
	}
}

const exampleConfig = "../../examples/config.yaml"

// commentedKeyRe is a line of the example that is a key commented out: "#" followed
// at once by the key ("#quiesce:") or by its indentation ("#  mode: auto"). Lines
// "# text" explain.
var commentedKeyRe = regexp.MustCompile(`^#(?:[^\s#]|  )`)

// uncommented is the example config with every commented-out key in use, as a reader
// who removes the "#" of every section would have it.
func uncommented(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	n := 0
	for i, l := range lines {
		if commentedKeyRe.MatchString(l) {
			lines[i] = l[1:]
			n++
		}
	}
	if n == 0 {
		t.Fatalf("%s has no commented-out key", exampleConfig)
	}
	return []byte(strings.Join(lines, "\n"))
}

// TestExampleAsShipped: a copy of examples/config.yaml, as it ships, is a working
// config that backs up every domain and nothing else: it loads and validates, has
// no vms: filter, no exclude: and no paths: entry, and is the built-in defaults.
func TestExampleAsShipped(t *testing.T) {
	c, err := load(exampleConfig, nil)
	if err != nil {
		t.Fatalf("%s: %v", exampleConfig, err)
	}
	if len(c.VMs) != 0 || len(c.Exclude) != 0 {
		t.Errorf("%s selects domains (vms: %+v, exclude: %q): it must back up every domain", exampleConfig, c.VMs, c.Exclude)
	}
	for _, dom := range []string{"web1", "db1", "test-db", "win11"} {
		if !c.Selects(dom) {
			t.Errorf("%s does not select domain %s", exampleConfig, dom)
		}
	}
	if len(c.Paths) != 0 {
		t.Errorf("%s backs up paths: entries as shipped: %+v", exampleConfig, c.Paths)
	}
	defaults, err := parse(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, defaults) {
		t.Errorf("%s as shipped differs from the built-in defaults:\n got  %+v\n want %+v", exampleConfig, c, defaults)
	}
}

// TestExampleUncommented: every commented-out section of the example, put in use,
// is a valid config that sets vms:, exclude:, paths: and report:, and shows the
// defaults of every other key.
func TestExampleUncommented(t *testing.T) {
	c, err := parse(uncommented(t), nil)
	if err != nil {
		t.Fatalf("%s with every section uncommented: %v", exampleConfig, err)
	}
	if len(c.VMs) == 0 || len(c.Exclude) == 0 || len(c.Paths) < 2 || c.Report.MetricsFile == "" {
		t.Errorf("%s uncommented lacks an example of vms:, exclude:, paths: (a path and a volume) or report.metrics-file: %+v", exampleConfig, c)
	}
	if len(c.VMs) > 0 && (len(c.VMs[0].Volumes) == 0 || len(c.VMs[0].ExcludeDisks) == 0 || c.VMs[0].Retention == nil) {
		t.Errorf("%s uncommented: vms[0] shows no volumes, exclude-disks or retention: %+v", exampleConfig, c.VMs[0])
	}
	if !slices.ContainsFunc(c.Paths, func(p PathEntry) bool { return p.Retention != nil }) {
		t.Errorf("%s uncommented: no paths: entry shows its own retention: %+v", exampleConfig, c.Paths)
	}
	d, err := parse(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		key       string
		got, want any
	}{
		{"libvirt", c.Libvirt, d.Libvirt}, {"quiesce", c.Quiesce, d.Quiesce}, {"snapshot", c.Snapshot, d.Snapshot},
		{"target", c.Target, d.Target}, {"retention", c.Retention, d.Retention}, {"status", c.Status, d.Status},
	} {
		if !reflect.DeepEqual(f.got, f.want) {
			t.Errorf("%s uncommented: %s is %+v, not its defaults %+v", exampleConfig, f.key, f.got, f.want)
		}
	}
}

// TestExampleDocumentsEveryKey checks that examples/config.yaml shows every default
// key, in use or commented out.
func TestExampleDocumentsEveryKey(t *testing.T) {
	seen := map[string]bool{}
	type level struct {
		indent int
		name   string
	}
	var path []level // the keys the line is nested in, by indentation
	for sc := bufio.NewScanner(bytes.NewReader(uncommented(t))); sc.Scan(); {
		line := sc.Text()
		name, _, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || strings.HasPrefix(name, "#") || strings.HasPrefix(name, "-") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		for len(path) > 0 && path[len(path)-1].indent >= indent {
			path = path[:len(path)-1]
		}
		key := name
		if len(path) > 0 {
			key = path[len(path)-1].name + "." + name
		}
		path = append(path, level{indent, key})
		seen[key] = true
	}
	for key := range Defaults {
		if !seen[key] {
			t.Errorf("examples/config.yaml does not show %s", key)
		}
	}
	for _, key := range []string{"vms", "exclude", "paths"} {
		if !seen[key] {
			t.Errorf("examples/config.yaml does not show %s", key)
		}
	}
}

func TestSelects(t *testing.T) {
	c, err := parse([]byte("vms:\n  - name: web1\n  - name: test-db\nexclude: [\"test-*\"]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"web1": true, "test-db": false, "db1": false} {
		if got := c.Selects(name); got != want {
			t.Errorf("Selects(%q) = %v", name, got)
		}
	}
	if g := c.ExcludedBy("test-db"); g != "test-*" {
		t.Errorf("ExcludedBy: %q", g)
	}
	all, _ := parse([]byte("exclude: [\"tmp?\"]\n"), nil)
	if !all.Selects("db1") || all.Selects("tmp1") || all.ExcludedBy("db1") != "" {
		t.Error("without vms: every domain but the excluded is selected")
	}
}

// A name that starts with "-" reaches zfs, virsh and lvm as an argument, where it
// would read as an option: refused at config time, naming the key.
func TestHostileNameStartsWithDash(t *testing.T) {
	for yaml, key := range map[string]string{
		"vms: [{name: -web1}]":              "vms[0].name",
		"vms: [{name: a}, {name: '-o'}]":    "vms[1].name",
		"paths: [{name: -r, path: /}]":      "paths[0].name",
		"target: {dataset: backup/-o}":      "target.dataset",
		"target: {dataset: backup/vms/-x}":  "target.dataset",
		"target: {dataset: '-backup/vms'}":  "target.dataset",
		"vms: [{name: a}]\nexclude: ['-*']": "", // a glob, never an argument
	} {
		_, err := parse([]byte(yaml), nil)
		if key == "" {
			if err != nil {
				t.Errorf("parse(%q) = %v, want no error", yaml, err)
			}
			continue
		}
		e := wantKeyError(t, err, key)
		if !strings.Contains(e.Reason, `"-"`) {
			t.Errorf("parse(%q): reason %q does not say why (a leading \"-\")", yaml, e.Reason)
		}
	}
	if _, err := parse([]byte("vms: [{name: web-1}]\ntarget: {dataset: backup/vms-1}"), nil); err != nil {
		t.Errorf("a dash inside a name: %v", err)
	}
}

// vms: or paths: written as a mapping is an error, never "no list given" (which means
// every domain).
func TestListGivenAsMap(t *testing.T) {
	for yaml, key := range map[string]string{
		"vms: {}":                       "vms",
		"vms: {web1: {}}":               "vms",
		"vms:\n  web1:\n  db1:\n":       "vms",
		"paths: {}":                     "paths",
		"paths: {root: {}}":             "paths",
		"exclude: {}":                   "exclude",
		"vms: [{name: a, volumes: {}}]": "vms[0].volumes",
	} {
		_, err := parse([]byte(yaml), nil)
		wantKeyError(t, err, key)
	}
	// Absent, null and an empty list still mean every domain.
	for _, yaml := range []string{"", "vms:", "vms: []", "vms: ~"} {
		if c, err := parse([]byte(yaml), nil); err != nil || len(c.VMs) != 0 {
			t.Errorf("parse(%q) = %+v, %v", yaml, c, err)
		}
	}
}

// A KVMBACKUP_* variable that names no key is a mistake (a typo silently backs up to
// the default dataset): an error naming the variable and the nearest one.
func TestUnknownEnv(t *testing.T) {
	tests := []struct{ name, nearest string }{
		{"KVMBACKUP_TARGET_DATSET", "KVMBACKUP_TARGET_DATASET"},
		{"KVMBACKUP_SNAPSHOT_MAXFILL", "KVMBACKUP_SNAPSHOT_MAX_FILL"},
		{"KVMBACKUP_RETENTION_KEEP_DAYLY", "KVMBACKUP_RETENTION_KEEP_DAILY"},
		{"KVMBACKUP_EXCLUDES", "KVMBACKUP_EXCLUDE"},
	}
	for _, tt := range tests {
		_, err := parse(nil, []string{"PATH=/bin", tt.name + "=x"})
		if err == nil {
			t.Errorf("%s=x: accepted", tt.name)
			continue
		}
		e := findEnv(err, tt.name)
		if e == nil || e.Key != "" || !strings.Contains(err.Error(), tt.name) || !strings.Contains(err.Error(), tt.nearest) {
			t.Errorf("%s=x: %v, want a KeyError naming it and %s", tt.name, err, tt.nearest)
		}
	}
	// A list key cannot come from the environment: said so, not "did you mean".
	_, err := parse(nil, []string{"KVMBACKUP_VMS=web1"})
	if e := findEnv(err, "KVMBACKUP_VMS"); e == nil || !strings.Contains(err.Error(), "vms") || !strings.Contains(err.Error(), "list") {
		t.Errorf("KVMBACKUP_VMS: %v", err)
	}
	// Every key that takes a single value has its variable (derived from the schema).
	for _, k := range []string{"libvirt.uri", "quiesce.settle", "target.require-mirror", "report.metrics-file"} {
		if _, err := parse(nil, []string{EnvName(k) + "=" + "x"}); findEnv(err, EnvName(k)) != nil && findEnv(err, EnvName(k)).Key == "" {
			t.Errorf("%s: %v", EnvName(k), err)
		}
	}
	// The lab's own variables are not config keys and not mistakes.
	if _, err := parse(nil, []string{"KVMBACKUP_LAB=1", "KVMBACKUP_LAB_DIR=/x", "KVMBACKUP_IN_APPLIANCE=1"}); err != nil {
		t.Errorf("lab variables: %v", err)
	}
}

// findEnv returns the KeyError about the environment variable name, or nil.
func findEnv(err error, name string) *KeyError {
	for _, e := range keyErrors(err) {
		if e.Env == name {
			return e
		}
	}
	return nil
}

func TestHooksAndNotify(t *testing.T) {
	c, err := parse([]byte("hooks:\n  script: /etc/kvmbackup/hook.sh\n  timeout: 30s\nnotify:\n  command: [/usr/local/bin/notify-mail.sh, root]\n  on: always\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Hooks{Script: "/etc/kvmbackup/hook.sh", Timeout: 30 * time.Second}); c.Hooks != want {
		t.Errorf("hooks: %+v, want %+v", c.Hooks, want)
	}
	if want := (Notify{Command: []string{"/usr/local/bin/notify-mail.sh", "root"}, On: NotifyAlways}); !reflect.DeepEqual(c.Notify, want) {
		t.Errorf("notify: %+v, want %+v", c.Notify, want)
	}
	for in, want := range map[string]string{
		"hooks:\n  script: hook.sh\n":                 `hooks.script: "hook.sh" is not a clean absolute path`,
		"hooks:\n  script: /etc/../hook.sh\n":         `hooks.script: "/etc/../hook.sh" is not a clean absolute path`,
		"hooks:\n  timeout: 10ms\n":                   `hooks.timeout: "10ms" is not between 1s and 24h`,
		"hooks:\n  timeout: soon\n":                   `hooks.timeout: "soon" is not a duration`,
		"notify:\n  command: [mail, root]\n":          `notify.command: "mail root" does not start with an absolute path`,
		"notify:\n  on: sometimes\n":                  `notify.on: "sometimes" is not "failure" or "always"`,
		"notify:\n  command: [/bin/mail]\n  on: ''\n": `notify.on: is not "failure" or "always"`,
	} {
		if _, err := parse([]byte(in), nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parse(%q): %v, want an error with %q", in, err, want)
		}
	}
}

// A config that does not load still gives its report.metrics-file (a failed run
// reports to it), with the environment's override; a bad value, a file that cannot
// be read or is not YAML is an error naming it.
func TestMetricsFileOf(t *testing.T) {
	dir := t.TempDir()
	write := func(name, yaml string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.yaml", "snapshot: {size: 10X}\nReport:\n  Metrics-File: /var/lib/m/kvmbackup.prom\n")
	if _, err := load(bad, nil); err == nil {
		t.Fatal("the bad config loads")
	}
	if f, err := MetricsFileOf(bad, nil); err != nil || f != "/var/lib/m/kvmbackup.prom" {
		t.Errorf("MetricsFileOf(bad config) = %q, %v", f, err)
	}
	if f, err := MetricsFileOf(bad, []string{"KVMBACKUP_REPORT_METRICS_FILE=/run/x.prom"}); err != nil || f != "/run/x.prom" {
		t.Errorf("with the env override: %q, %v", f, err)
	}
	if f, err := MetricsFileOf(write("none.yaml", "target: {dataset: a/b}\n"), nil); err != nil || f != "" {
		t.Errorf("no metrics file: %q, %v", f, err)
	}
	for name, yaml := range map[string]string{"relative.yaml": "report: {metrics-file: m.prom}\n", "broken.yaml": "report: [\n"} {
		p := write(name, yaml)
		if f, err := MetricsFileOf(p, nil); err == nil || (name == "relative.yaml" && !strings.Contains(err.Error(), "report.metrics-file")) {
			t.Errorf("%s: %q, %v", name, f, err)
		}
	}
	if _, err := MetricsFileOf(filepath.Join(dir, "missing.yaml"), nil); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}
