package render

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// parseMetrics parses text as the node exporter's textfile collector does
// (expfmt's text parser): a file it rejects is a file of no metrics.
func parseMetrics(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("the metrics do not parse: %v\n%s", err, text)
	}
	for name, mf := range mfs {
		if mf.GetType() != dto.MetricType_GAUGE {
			t.Errorf("%s is a %s, want a gauge", name, mf.GetType())
		}
	}
	return mfs
}

// gaugeValue is the value of the series of family name with exactly the labels
// (name: value); ok is false when there is no such series.
func gaugeValue(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) (v float64, ok bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
		got := map[string]string{}
		for _, lp := range m.GetLabel() {
			got[lp.GetName()] = lp.GetValue()
		}
		if maps.Equal(got, labels) {
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

type series struct {
	name   string
	labels map[string]string
	want   float64
}

func checkSeries(t *testing.T, mfs map[string]*dto.MetricFamily, want []series) {
	t.Helper()
	for _, s := range want {
		got, ok := gaugeValue(mfs, s.name, s.labels)
		if !ok {
			t.Errorf("no series %s%v", s.name, s.labels)
		} else if got != s.want {
			t.Errorf("%s%v = %v, want %v", s.name, s.labels, got, s.want)
		}
	}
}

// The metrics of the failed run (report(), stateAfter) parse, as gauges, with the
// families render.MetricsFile lists and the values of the state, whatever their
// spelling in the file (integral ones are written as integers).
func TestMetricsParse(t *testing.T) {
	var b bytes.Buffer
	if err := Metrics(&b, stateAfter(cfg(t), failedRun), Build{Version: "v1.2.3", GoVersion: "go1.24.0"}); err != nil {
		t.Fatal(err)
	}
	mfs := parseMetrics(t, b.String())
	var families []string
	for _, kind := range []string{"vm", "path"} {
		for _, s := range []string{"last_success_timestamp_seconds", "snapshots", "failed", "duration_seconds", "written_bytes"} {
			families = append(families, "kvmbackup_"+kind+"_"+s)
		}
	}
	families = append(families, "kvmbackup_build_info",
		"kvmbackup_run_start_timestamp_seconds", "kvmbackup_run_duration_seconds", "kvmbackup_run_success", "kvmbackup_run_exit_code",
		"kvmbackup_run_failure_info", "kvmbackup_run_vms_failed", "kvmbackup_run_paths_failed", "kvmbackup_run_snapshots_pruned", "kvmbackup_run_warnings",
		"kvmbackup_pool_healthy", "kvmbackup_pool_state", "kvmbackup_pool_free_bytes", "kvmbackup_pool_checked_timestamp_seconds",
		"kvmbackup_target_available_bytes",
		"kvmbackup_vm_read_bytes", "kvmbackup_vm_pause_window_seconds", "kvmbackup_path_files_transferred",
		"kvmbackup_disk_read_bytes", "kvmbackup_disk_cbt", "kvmbackup_disk_changed_bytes",
		"kvmbackup_replication_last_timestamp_seconds", "kvmbackup_replication_last_success_timestamp_seconds",
		"kvmbackup_replication_success", "kvmbackup_replication_duration_seconds", "kvmbackup_replication_sent_bytes",
		"kvmbackup_replication_vm_newest_timestamp_seconds", "kvmbackup_replication_path_newest_timestamp_seconds",
		"kvmbackup_replication_newest_timestamp_seconds")
	slices.Sort(families)
	if got := slices.Sorted(maps.Keys(mfs)); !slices.Equal(got, families) {
		t.Errorf("families\n%v\nwant\n%v", got, families)
	}
	// Every family has its help text (Prometheus's own parser refuses a # HELP line
	// without one).
	for name, mf := range mfs {
		if strings.TrimSpace(mf.GetHelp()) == "" {
			t.Errorf("%s: no help text", name)
		}
	}

	l := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	want := []series{
		{"kvmbackup_build_info", l("version", "v1.2.3", "goversion", "go1.24.0"), 1},
		{"kvmbackup_run_start_timestamp_seconds", nil, float64(night.Unix())},
		{"kvmbackup_run_duration_seconds", nil, 83.412},
		{"kvmbackup_run_success", nil, 0},
		{"kvmbackup_run_exit_code", nil, 1},
		{"kvmbackup_run_failure_info", l("reason", "units"), 1},
		{"kvmbackup_run_vms_failed", nil, 2},
		{"kvmbackup_run_paths_failed", nil, 1},
		{"kvmbackup_run_warnings", nil, 1},
		{"kvmbackup_pool_healthy", l("pool", "backup"), 0},
		{"kvmbackup_pool_state", l("pool", "backup", "state", "degraded"), 1},
		{"kvmbackup_pool_state", l("pool", "backup", "state", "online"), 0},
		{"kvmbackup_pool_free_bytes", l("pool", "backup"), 812 << 30},
		{"kvmbackup_target_available_bytes", l("dataset", "backup/vms"), 790 << 30},
		{"kvmbackup_vm_last_success_timestamp_seconds", l("vm", "db1"), float64(night.AddDate(0, 0, -1).Unix())},
		{"kvmbackup_vm_last_success_timestamp_seconds", l("vm", "new1"), 0},
		{"kvmbackup_vm_snapshots", l("vm", "web1"), 14},
		{"kvmbackup_vm_failed", l("vm", "db1"), 1},
		{"kvmbackup_vm_failed", l("vm", "web1"), 0},
		{"kvmbackup_vm_duration_seconds", l("vm", "web1"), 41.017},
		{"kvmbackup_vm_written_bytes", l("vm", "web1"), 345 << 20},
		{"kvmbackup_vm_read_bytes", l("vm", "web1"), 10 << 30},
		{"kvmbackup_vm_pause_window_seconds", l("vm", "web1"), 1.234567},
		{"kvmbackup_disk_read_bytes", l("vm", "web1", "disk", "vdb"), 10<<30 - 100<<20},
		{"kvmbackup_disk_read_bytes", l("vm", "old1", "disk", "vda"), 2048},
		{"kvmbackup_disk_cbt", l("vm", "web1", "disk", "vda"), 1},
		{"kvmbackup_disk_cbt", l("vm", "web1", "disk", "vdb"), 0},
		{"kvmbackup_disk_changed_bytes", l("vm", "web1", "disk", "vda"), 96 << 20},
		{"kvmbackup_path_files_transferred", l("path", "root"), 3},
		{"kvmbackup_path_duration_seconds", l("path", "root"), 1.5},
		{"kvmbackup_path_failed", l("path", "iso"), 1},
		{"kvmbackup_replication_last_timestamp_seconds", l("target", "usb"), float64(night.Add(83 * time.Second).Unix())},
		{"kvmbackup_replication_last_timestamp_seconds", l("target", "offsite"), float64(night.Add(113 * time.Second).Unix())},
		{"kvmbackup_replication_last_success_timestamp_seconds", l("target", "offsite"), 0},
		{"kvmbackup_replication_success", l("target", "usb"), 1},
		{"kvmbackup_replication_success", l("target", "offsite"), 0},
		{"kvmbackup_replication_sent_bytes", l("target", "usb"), 120 << 20},
		{"kvmbackup_replication_duration_seconds", l("target", "offsite"), 3},
		{"kvmbackup_replication_vm_newest_timestamp_seconds", l("target", "usb", "vm", "web1"), float64(night.Unix())},
		{"kvmbackup_replication_vm_newest_timestamp_seconds", l("target", "usb", "vm", "db1"), 0},
		{"kvmbackup_replication_path_newest_timestamp_seconds", l("target", "usb", "path", "root"), float64(night.Unix())},
		// db1 has a dated backup here and none on usb: usb's oldest is 0.
		{"kvmbackup_replication_newest_timestamp_seconds", l("target", "usb"), 0},
	}
	checkSeries(t, mfs, want)
	if n := len(mfs["kvmbackup_pool_state"].GetMetric()); n != 9 {
		t.Errorf("kvmbackup_pool_state has %d series, want one per zfs.PoolStates", n)
	}
}

// A label value is written escaped as the text format says (backslash, double
// quote, line feed) and reads back as it was. VM, path and target names are
// dataset components (internal/names: letters, digits, _ . : -), but the build's
// version, a disk's target name from the domain XML, and whatever an older or
// edited state file holds are free text.
func TestMetricsLabelEscaping(t *testing.T) {
	weird := "a\"b\\c\nd,e}f=g h{é\\"
	st := stateAfter(cfg(t), failedRun)
	var vm *orchestrator.StateVM
	for _, v := range st.VMs {
		if v.Name == "web1" {
			vm = v
		}
	}
	var usb *orchestrator.StateReplica
	for _, r := range st.Replicas {
		if r.Target == "usb" {
			usb = r
		}
	}
	if vm == nil || usb == nil || len(vm.Disks) == 0 || len(st.Paths) == 0 {
		t.Fatalf("the state has no VM web1 with disks, replication target usb or paths: entry: %+v", st)
	}
	for _, u := range usb.Units {
		if u.Kind == zfs.KindVM && u.Name == vm.Name {
			u.Name = "vm " + weird
		}
	}
	vm.Name = "vm " + weird
	vm.Disks[0].Disk = "disk " + weird
	st.Paths[0].Name = "path " + weird
	usb.Target = "target " + weird
	var b bytes.Buffer
	if err := Metrics(&b, st, Build{Version: "version " + weird, GoVersion: "go1.26.8 X:nodwarf5"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `kvmbackup_build_info{goversion="go1.26.8 X:nodwarf5",version="version a\"b\\c\nd,e}f=g h{é\\"} 1`+"\n") {
		t.Errorf("kvmbackup_build_info is not escaped as the text format says:\n%s", b.String())
	}
	mfs := parseMetrics(t, b.String())
	disk := vm.Disks[0]
	checkSeries(t, mfs, []series{
		{"kvmbackup_build_info", map[string]string{"version": "version " + weird, "goversion": "go1.26.8 X:nodwarf5"}, 1},
		{"kvmbackup_vm_written_bytes", map[string]string{"vm": vm.Name}, float64(vm.Written)},
		{"kvmbackup_disk_read_bytes", map[string]string{"vm": vm.Name, "disk": disk.Disk}, float64(disk.Stats.SrcRead + disk.Stats.DstRead)},
		{"kvmbackup_path_files_transferred", map[string]string{"path": st.Paths[0].Name}, float64(st.Paths[0].Transferred)},
		{"kvmbackup_replication_sent_bytes", map[string]string{"target": usb.Target}, float64(usb.Bytes)},
		{"kvmbackup_replication_vm_newest_timestamp_seconds", map[string]string{"target": usb.Target, "vm": vm.Name}, float64(night.Unix())},
	})
}

// A label value that is not UTF-8 cannot be written in the text format: an error,
// not a file the collector would reject whole.
func TestMetricsLabelNotUTF8(t *testing.T) {
	st := stateAfter(cfg(t), failedRun)
	st.VMs[0].Name = "web\xff1"
	var b bytes.Buffer
	if err := Metrics(&b, st, Build{}); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("a label value that is not UTF-8: %v\n%s", err, b.String())
	}
}
