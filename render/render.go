// Package render shows what the orchestrator reports: the run summary table, the
// dry run's plan, the JSON report and the Prometheus textfile. The orchestrator
// returns data (orchestrator.Report, orchestrator.Plan) and never imports this
// package; cmd/kvmbackup calls it.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/VictoriaMetrics/metrics"
	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// Plan prints the plan: per VM its disks, volumes, modes, snapshot sizes, target and
// quiesce mode; then what is left out or cannot be backed up, then the paths: entries.
func Plan(w io.Writer, p *orchestrator.Plan) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(p.VMs()) > 0 || len(p.Paths) == 0 { // a plan of paths alone has no VM table
		fmt.Fprintln(tw, "GROUP\tVM\tDISK\tVOLUME\tMODE\tSNAPSHOT\tTARGET\tQUIESCE")
	}
	for i, g := range p.Groups {
		for _, vm := range g.VMs {
			for _, d := range vm.Disks {
				size := "thin"
				for _, v := range g.Volumes {
					if v.LV.FullName() == d.Volume && v.SnapshotSize > 0 {
						size = config.FormatBytes(v.SnapshotSize)
					}
				}
				src := d.Volume
				if d.Mode == orchestrator.ModeFile {
					src += ":" + d.RelPath
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s/%s\t%s\n", i+1, vm.Name, d.Target, src, d.Mode, size, vm.Dataset, d.Image, vm.Quiesce)
			}
		}
	}
	tw.Flush()
	for _, vm := range p.VMs() {
		if vm.QuiesceWhy != "" {
			fmt.Fprintf(w, "quiesce %s: %s (%s)\n", vm.Name, vm.Quiesce, vm.QuiesceWhy)
		}
	}
	for _, vm := range p.VMs() {
		for _, d := range vm.LeftOut {
			fmt.Fprintf(w, "not backed up: %s %s\n", vm.Name, d)
		}
	}
	for _, vm := range p.Failed {
		fmt.Fprintf(w, "cannot back up %s: %s\n", vm.Name, vm.Error)
	}
	for _, pp := range p.FailedPaths {
		fmt.Fprintf(w, "cannot back up path %s: %s\n", pp.Name, pp.Error)
	}
	if len(p.Paths) == 0 {
		return
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PATH\tSOURCE\tHOW\tEXCLUDE\tTARGET")
	for _, pp := range p.Paths {
		how := "live, one filesystem"
		if pp.Volume != "" {
			how = "LVM snapshot, own window"
			if len(pp.With) > 0 {
				how = "LVM snapshot, frozen with " + strings.Join(pp.With, ",")
			}
		} else if len(pp.Skip) > 0 {
			how += ", skips " + strings.Join(pp.Skip, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", pp.Name, pp.Source(), how, orDash(strings.Join(pp.Exclude, " ")), pp.Dataset)
	}
	tw.Flush()
}

// Table prints the run summary: one line per VM, the paths: entries, the errors,
// then the steps.
func Table(w io.Writer, r *orchestrator.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(r.VMs) > 0 || len(r.Paths) == 0 { // a paths-only run has no VM table
		fmt.Fprintln(tw, "VM\tQUIESCE\tPAUSE\tREAD\tWRITTEN\tDURATION\tSNAPSHOT\tSTATUS")
	}
	for _, v := range r.VMs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Name, orDash(string(v.Quiesce)), ms(v.Pause),
			config.FormatBytes(v.Read), config.FormatBytes(v.Written), v.Duration.Round(10*time.Millisecond), dated(v.Snapshot), v.Status)
	}
	tw.Flush()
	for _, v := range r.VMs {
		unitLines(w, v.Name, &v.Result, false)
	}
	diskLines(w, r)
	if len(r.Paths) > 0 {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PATH\tSOURCE\tFILES\tCHANGED\tWRITTEN\tDURATION\tSNAPSHOT\tSTATUS")
		for _, p := range r.Paths {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", p.Name, p.Source, p.Files, p.Transferred, config.FormatBytes(p.Written),
				p.Duration.Round(10*time.Millisecond), dated(p.Snapshot), p.Status)
		}
		tw.Flush()
		for _, p := range r.Paths {
			unitLines(w, "path "+p.Name, &p.Result, true)
		}
	}
	for _, rt := range r.Replicated {
		replicatedLines(w, rt)
	}
	for _, e := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", e)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
	var steps []string
	for _, s := range r.Steps {
		steps = append(steps, fmt.Sprintf("%s %s, %d cmds", s.Name, s.Duration.Round(time.Millisecond), s.Commands))
	}
	paths := ""
	if len(r.Paths) > 0 {
		paths = fmt.Sprintf(", %d paths, %d failed", len(r.Paths), r.FailedPaths())
	}
	fmt.Fprintf(w, "run %s: %d VMs, %d failed%s, %s, %d commands in %s (%s)\n", r.RunID, len(r.VMs), r.Failed(), paths, r.Duration.Round(time.Millisecond),
		r.Commands.Commands, r.Commands.Time.Round(time.Millisecond), strings.Join(steps, "; "))
}

// diskLines shows how each disk was copied: its mode (cbt: only what changed-block
// tracking named was read), what was read and found changed, and why a disk was
// compared whole.
func diskLines(w io.Writer, r *orchestrator.Report) {
	var rows []string
	for _, v := range r.VMs {
		for _, d := range v.Disks {
			if d.Error != "" {
				continue // the VM's error says it
			}
			changed := "-"
			if d.Stats.Mode == "cbt" {
				changed = config.FormatBytes(d.Stats.Changed)
			}
			rows = append(rows, fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Name, d.Disk, d.Stats.Mode, config.FormatBytes(d.Stats.SrcRead+d.Stats.DstRead),
				changed, config.FormatBytes(d.Stats.Written), orDash(d.Tracking)))
		}
	}
	if len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VM\tDISK\tCOPY\tREAD\tCHANGED\tWRITTEN\tWHY NOT CBT")
	for _, row := range rows {
		fmt.Fprint(tw, row)
	}
	tw.Flush()
}

// replicatedLines shows one replication target of a run: bytes sent, the newest
// snapshot each dataset has there, and the errors.
func replicatedLines(w io.Writer, rt orchestrator.ReplicatedTarget) {
	lag := ""
	if slices.ContainsFunc(rt.Units, func(u orchestrator.ReplicatedUnit) bool { return u.Newest != "" }) {
		lag = ", worst lag " + orchestrator.ShortAge(rt.Lag)
	}
	fmt.Fprintf(w, "replication %s (%s): %s sent in %s%s\n", rt.Target, rt.To, config.FormatBytes(rt.Bytes), rt.Duration.Round(time.Second), lag)
	if rt.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", rt.Error)
	}
	for _, u := range rt.Units {
		lag := ""
		if u.Newest != "" {
			lag = " (lag " + orchestrator.ShortAge(u.Lag) + ")"
		}
		fmt.Fprintf(w, "  %s: newest there %s%s, %s sent", u.Dataset, orDash(u.Newest), lag, config.FormatBytes(u.Bytes))
		if u.Error != "" {
			fmt.Fprintf(w, ", error: %s", u.Error)
		}
		fmt.Fprintln(w)
	}
}

// dated is a dated snapshot's name from its @, or "-".
func dated(snapshot string) string {
	if i := strings.IndexByte(snapshot, '@'); i >= 0 {
		snapshot = snapshot[i:]
	}
	return orDash(snapshot)
}

// unitLines prints a unit's error and where its dataset was rolled back to, and its
// note when notes is set, each line led by who.
func unitLines(w io.Writer, who string, u *orchestrator.Result, notes bool) {
	if u.Error != "" {
		fmt.Fprintf(w, "%s: %s\n", who, u.Error)
		if u.RolledBackTo != "" {
			fmt.Fprintf(w, "%s: dataset rolled back to %s\n", who, u.RolledBackTo)
		}
	}
	if notes && u.Note != "" {
		fmt.Fprintf(w, "%s: %s\n", who, u.Note)
	}
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return d.Round(time.Millisecond).String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Build is the kvmbackup binary that writes the metrics (kvmbackup_build_info).
type Build struct {
	Version   string // kvmbackup version
	GoVersion string // runtime.Version()
}

// MetricsFile writes the Prometheus metrics of the state (orchestrator.State: the
// last run, the pool as last checked, the newest result of every configured VM and
// paths: entry) to path (the node exporter's textfile collector), atomically and
// 0600, in the text format as github.com/VictoriaMetrics/metrics writes it: every
// series a gauge, families by name (one with no series left out), each with
// "# HELP name TEXT" (the library writes the name alone; withHelp adds the text) and
// "# TYPE name gauge", its series by name with their labels sorted; integral
// values as integers. Series (every name with its unit):
//
//	kvmbackup_build_info{version,goversion}             1: the kvmbackup that wrote the file
//	kvmbackup_run_start_timestamp_seconds               the last run's start
//	kvmbackup_run_duration_seconds                      its duration
//	kvmbackup_run_success                               1 when it backed up every VM and path it was asked to (exited 0)
//	kvmbackup_run_exit_code                             its exit status: 0 success, 1 some VM or path failed, 2 it could not run
//	kvmbackup_run_failure_info{reason}                  1, when it failed: reason is one of orchestrator.Reasons
//	kvmbackup_run_vms_failed, kvmbackup_run_paths_failed   the VMs, paths: entries it failed to back up
//	kvmbackup_run_snapshots_pruned                      dated snapshots its prune destroyed
//	kvmbackup_run_warnings                              its warnings (e.g. a DEGRADED pool)
//	kvmbackup_pool_healthy{pool}                        1 when the target's pool was ONLINE when last checked (DEGRADED, FAULTED, ... are 0)
//	kvmbackup_pool_state{pool,state}                    1 for its state when last checked (zpool health, or missing/unknown), 0 for the others of zfs.PoolStates
//	kvmbackup_pool_free_bytes{pool}                     its free bytes when last checked
//	kvmbackup_pool_checked_timestamp_seconds{pool}      when a run last checked it
//	kvmbackup_target_available_bytes{dataset}           bytes the target dataset could still take when last checked
//	kvmbackup_KIND_last_success_timestamp_seconds{KIND} its newest dated snapshot; 0 when none (KIND: vm, path)
//	kvmbackup_KIND_snapshots{KIND}                      its dated snapshots (each one complete backup)
//	kvmbackup_KIND_failed{KIND}                         1 when the last run that backed it up failed to
//	kvmbackup_KIND_duration_seconds{KIND}, kvmbackup_KIND_written_bytes{KIND}   of its last backup
//	kvmbackup_vm_read_bytes{vm}                         bytes its last backup read
//	kvmbackup_vm_pause_window_seconds{vm}               how long its last backup paused or froze it
//	kvmbackup_path_files_transferred{path}              files of the entry its last backup wrote
//	kvmbackup_disk_read_bytes{vm,disk}                  bytes (source and destination) the disk's copy read in the VM's last backup
//	kvmbackup_disk_cbt{vm,disk}                         1 when that copy read only what changed-block tracking named (thin LVs); 0 when it compared the disk whole
//	kvmbackup_disk_changed_bytes{vm,disk}               bytes changed-block tracking found changed since the backup before (disks whose last copy was tracked)
//
// and per unit a `kvmbackup verify` checked (its last verify):
//
//	kvmbackup_KIND_verify_timestamp_seconds{KIND}       when it ended
//	kvmbackup_KIND_verify_success{KIND}                 1 when every backup it checked passed
//	kvmbackup_vm_verify_boot_ready_seconds{vm}          a boot verify's start to ready (when it got there)
//
// and per replication: target (its last replication, by replicate or a run's
// after-run replication; a target not attempted keeps its series):
//
//	kvmbackup_replication_last_timestamp_seconds{target}          the last replication's start; 0 when none yet
//	kvmbackup_replication_last_success_timestamp_seconds{target}  the last that succeeded entirely; a failed or interrupted one never moves it
//	kvmbackup_replication_success{target}                         1 when the last succeeded (0: it failed, was interrupted, or none yet)
//	kvmbackup_replication_duration_seconds{target}, kvmbackup_replication_sent_bytes{target}   of the last
//	kvmbackup_replication_KIND_newest_timestamp_seconds{target,KIND}  the newest dated snapshot the target holds of the unit; 0 none
//	kvmbackup_replication_newest_timestamp_seconds{target}       the oldest of those: every unit is there up to this time; 0 when one has none
//
// Lag is time() less a newest timestamp, computed where it is read: a lag written
// here would stop growing when nothing writes the file again.
func MetricsFile(path string, st *orchestrator.State, b Build) error {
	var buf bytes.Buffer
	if err := Metrics(&buf, st, b); err != nil {
		return fmt.Errorf("metrics file %s: %w", path, err)
	}
	// 0600, as every file kvmbackup writes (it names every VM and volume); the
	// node exporter runs as root.
	return atomicfile.Write(path, buf.Bytes(), 0o600)
}

// Metrics writes what MetricsFile writes to w.
func Metrics(w io.Writer, st *orchestrator.State, b Build) error {
	// A set of this call's own (never the library's global default set), written
	// once. ExposeMetadata is the library's process-global switch for the # HELP
	// and # TYPE lines; nothing else in kvmbackup uses the library.
	metrics.ExposeMetadata(true)
	reg := &gauges{set: metrics.NewSet()}
	gauge := func(name string, v float64) { reg.vec(name).set(v) }
	vecOf := func(labels ...string) func(name string) gaugeVec {
		return func(name string) gaugeVec { return reg.vec(name, labels...) }
	}
	vecOf("version", "goversion")("kvmbackup_build_info").set(1, b.Version, b.GoVersion)
	if lr := st.LastRun; lr != nil {
		ok := 0.0
		if lr.Success() {
			ok = 1
		}
		gauge("kvmbackup_run_start_timestamp_seconds", float64(lr.Start.Unix()))
		gauge("kvmbackup_run_duration_seconds", lr.Duration.Seconds())
		gauge("kvmbackup_run_success", ok)
		gauge("kvmbackup_run_exit_code", float64(lr.ExitCode))
		gauge("kvmbackup_run_vms_failed", float64(lr.VMsFailed))
		gauge("kvmbackup_run_paths_failed", float64(lr.PathsFailed))
		gauge("kvmbackup_run_snapshots_pruned", float64(lr.Pruned))
		gauge("kvmbackup_run_warnings", float64(len(lr.Warnings)))
		if !lr.Success() {
			reason := lr.Reason
			if !slices.Contains(orchestrator.Reasons, reason) {
				reason = orchestrator.ReasonOther
			}
			vecOf("reason")("kvmbackup_run_failure_info").set(1, reason)
		}
	}
	if p := st.Pool; p != nil {
		healthy := 0.0
		if p.Health == zfs.PoolOnline {
			healthy = 1
		}
		vecOf("pool")("kvmbackup_pool_healthy").set(healthy, p.Pool)
		state := vecOf("pool", "state")("kvmbackup_pool_state")
		for _, s := range zfs.PoolStates {
			v := 0.0
			if s == zfs.PoolState(p.Health) {
				v = 1
			}
			state.set(v, p.Pool, strings.ToLower(s))
		}
		vecOf("pool")("kvmbackup_pool_free_bytes").set(float64(p.Free), p.Pool)
		vecOf("pool")("kvmbackup_pool_checked_timestamp_seconds").set(float64(p.Checked.Unix()), p.Pool)
		vecOf("dataset")("kvmbackup_target_available_bytes").set(float64(p.Available), p.Dataset)
	}
	// One set of series per kind of unit (kvmbackup_KIND_..., labelled KIND), the
	// same for every kind, then what a kind adds.
	units := func(kind string, results []*orchestrator.Result) {
		vec := vecOf(kind)
		name := func(s string) string { return "kvmbackup_" + kind + "_" + s }
		last := vec(name("last_success_timestamp_seconds"))
		snaps := vec(name("snapshots"))
		failed := vec(name("failed"))
		dur := vec(name("duration_seconds"))
		written := vec(name("written_bytes"))
		for _, u := range results {
			f := 0.0
			if u.Status != orchestrator.StatusOK && u.Status != orchestrator.StatusNever {
				f = 1
			}
			ls := 0.0
			if !u.LastSuccess.IsZero() {
				ls = float64(u.LastSuccess.Unix())
			}
			last.set(ls, u.Name)
			snaps.set(float64(u.DatedSnapshots), u.Name)
			failed.set(f, u.Name)
			dur.set(u.Duration.Seconds(), u.Name)
			written.set(float64(u.Written), u.Name)
		}
	}
	var vms, paths []*orchestrator.Result
	vm := vecOf("vm")
	read := vm("kvmbackup_vm_read_bytes")
	pause := vm("kvmbackup_vm_pause_window_seconds")
	disk := vecOf("vm", "disk")
	diskRead := disk("kvmbackup_disk_read_bytes")
	diskCBT := disk("kvmbackup_disk_cbt")
	diskChanged := disk("kvmbackup_disk_changed_bytes")
	for _, v := range st.VMs {
		vms = append(vms, &v.Result)
		read.set(float64(v.Read), v.Name)
		pause.set(v.Pause.Seconds(), v.Name)
		for _, d := range v.Disks {
			diskRead.set(float64(d.Stats.SrcRead+d.Stats.DstRead), v.Name, d.Disk)
			cbt := 0.0
			if d.Stats.Mode == "cbt" {
				cbt = 1
				diskChanged.set(float64(d.Stats.Changed), v.Name, d.Disk)
			}
			diskCBT.set(cbt, v.Name, d.Disk)
		}
	}
	files := vecOf("path")("kvmbackup_path_files_transferred")
	for _, p := range st.Paths {
		paths = append(paths, &p.Result)
		files.set(float64(p.Transferred), p.Name)
	}
	units("vm", vms)
	units("path", paths)
	if len(st.Verifies) > 0 {
		bootReady := vm("kvmbackup_vm_verify_boot_ready_seconds")
		byKind := map[zfs.Kind][2]gaugeVec{}
		for _, k := range []struct {
			kind  zfs.Kind
			label string
		}{{zfs.KindVM, "vm"}, {zfs.KindPath, "path"}} {
			v := vecOf(k.label)
			byKind[k.kind] = [2]gaugeVec{v("kvmbackup_" + k.label + "_verify_timestamp_seconds"), v("kvmbackup_" + k.label + "_verify_success")}
		}
		for _, sv := range st.Verifies {
			g, ok := byKind[sv.Kind]
			if !ok {
				continue
			}
			success := 0.0
			if sv.OK {
				success = 1
			}
			g[0].set(float64(sv.At.Unix()), sv.Name)
			g[1].set(success, sv.Name)
			if sv.Kind == zfs.KindVM && sv.Boot > 0 {
				bootReady.set(sv.Boot.Seconds(), sv.Name)
			}
		}
	}
	if len(st.Replicas) > 0 {
		replicationMetrics(vecOf, st)
	}
	if reg.err != nil {
		return reg.err
	}
	var buf bytes.Buffer
	reg.set.WritePrometheus(&buf)
	return withHelp(w, buf.Bytes())
}

// withHelp writes text (the library's exposition, whose # HELP lines name their
// family only) to w with each family's help text (helpTexts) on its # HELP line:
// a HELP line without text is an error to Prometheus's own parser. A family
// without a help text is an error here (every series kvmbackup writes has one).
func withHelp(w io.Writer, text []byte) error {
	help := helpTexts()
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(text, []byte("\n")) {
		name, ok := bytes.CutPrefix(bytes.TrimSuffix(line, []byte("\n")), []byte("# HELP "))
		if !ok {
			out.Write(line)
			continue
		}
		h, ok := help[string(name)]
		if !ok {
			return fmt.Errorf("metrics: no help text for %s", name)
		}
		fmt.Fprintf(&out, "# HELP %s %s\n", name, helpEscaper.Replace(h))
	}
	_, err := w.Write(out.Bytes())
	return err
}

// helpTexts are the help texts of the series Metrics writes, by family name.
func helpTexts() map[string]string {
	h := map[string]string{
		"kvmbackup_build_info":                     "The kvmbackup that wrote these metrics.",
		"kvmbackup_run_start_timestamp_seconds":    "Start of the last run.",
		"kvmbackup_run_duration_seconds":           "Duration of the last run.",
		"kvmbackup_run_success":                    "1 when the last run backed up every VM and path it was asked to (exit status 0).",
		"kvmbackup_run_exit_code":                  "Exit status of the last run: 0 success, 1 some VM or path failed, 2 it could not run.",
		"kvmbackup_run_vms_failed":                 "VMs the last run failed to back up.",
		"kvmbackup_run_paths_failed":               "paths: entries the last run failed to back up.",
		"kvmbackup_run_snapshots_pruned":           "Dated snapshots the last run's prune destroyed.",
		"kvmbackup_run_warnings":                   "Warnings of the last run (e.g. a DEGRADED pool).",
		"kvmbackup_run_failure_info":               "Why the last run failed: " + strings.Join(orchestrator.Reasons, ", ") + ".",
		"kvmbackup_pool_healthy":                   "1 when the target's pool was ONLINE when last checked (DEGRADED, FAULTED, ... are 0).",
		"kvmbackup_pool_state":                     "1 for the state of the target's pool when last checked (zpool health, or missing/unknown), 0 for the others.",
		"kvmbackup_pool_free_bytes":                "Free bytes of the target's pool when last checked.",
		"kvmbackup_pool_checked_timestamp_seconds": "When a run last checked the target's pool.",
		"kvmbackup_target_available_bytes":         "Bytes the target dataset could still take when last checked.",
		"kvmbackup_vm_read_bytes":                  "Bytes read by the VM's last backup.",
		"kvmbackup_vm_pause_window_seconds":        "How long the VM was paused or frozen in its last backup.",
		"kvmbackup_disk_read_bytes":                "Bytes read (source and destination) by the disk's copy in the VM's last backup.",
		"kvmbackup_disk_cbt":                       "1 when the disk's last copy read only what changed-block tracking named (thin LVs); 0 when it was compared whole.",
		"kvmbackup_disk_changed_bytes":             "Bytes changed-block tracking found changed since the backup before (disks whose last copy was tracked).",
		"kvmbackup_path_files_transferred":         "Files of the entry written by its last backup.",
		"kvmbackup_vm_verify_boot_ready_seconds":   "Start to ready of the VM's last boot verify (when it became ready).",

		"kvmbackup_replication_last_timestamp_seconds":         "Start of the target's last replication (0: none yet).",
		"kvmbackup_replication_last_success_timestamp_seconds": "Start of the target's last replication that succeeded entirely (0: none yet).",
		"kvmbackup_replication_success":                        "1 when the target's last replication succeeded (0: it failed, was interrupted, or none yet).",
		"kvmbackup_replication_duration_seconds":               "Duration of the target's last replication.",
		"kvmbackup_replication_sent_bytes":                     "Bytes the target's last replication sent.",
		"kvmbackup_replication_newest_timestamp_seconds":       "The oldest of the newest dated snapshots the target holds of each unit: every unit is there up to this time (0: one has none there); lag: time() minus this.",
		"kvmbackup_replication_vm_newest_timestamp_seconds":    "Time of the newest dated snapshot of the VM the target holds (0: none); lag: time() minus this.",
		"kvmbackup_replication_path_newest_timestamp_seconds":  "Time of the newest dated snapshot of the paths: entry the target holds (0: none); lag: time() minus this.",
	}
	for _, k := range []struct{ label, what, whose, owner string }{
		{"vm", "VM", "VM's", "VM's"},
		{"path", "paths: entry", "entry's", "paths: entry's"},
	} {
		name := func(s string) string { return "kvmbackup_" + k.label + "_" + s }
		h[name("last_success_timestamp_seconds")] = "Time of the " + k.owner + " newest dated snapshot (0: none yet)."
		h[name("snapshots")] = "Dated snapshots of the " + k.what + " (each one complete backup)."
		h[name("failed")] = "1 when the last run that backed up the " + k.what + " failed to."
		h[name("duration_seconds")] = "Duration of the " + k.whose + " last backup."
		h[name("written_bytes")] = "Bytes written by the " + k.whose + " last backup."
		h[name("verify_timestamp_seconds")] = "End of the " + k.owner + " last verify (kvmbackup verify)."
		h[name("verify_success")] = "1 when every backup the " + k.owner + " last verify checked passed."
	}
	return h
}

// replicationMetrics adds the kvmbackup_replication_* series of each target.
// A unit with a dated backup here that a target holds nothing of (or was never
// replicated to) is 0 there, and so is the target's oldest.
func replicationMetrics(vecOf func(labels ...string) func(name string) gaugeVec, st *orchestrator.State) {
	unix := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.Unix())
	}
	tg := vecOf("target")
	last := tg("kvmbackup_replication_last_timestamp_seconds")
	success := tg("kvmbackup_replication_last_success_timestamp_seconds")
	ok := tg("kvmbackup_replication_success")
	dur := tg("kvmbackup_replication_duration_seconds")
	sent := tg("kvmbackup_replication_sent_bytes")
	all := tg("kvmbackup_replication_newest_timestamp_seconds")
	newest := map[zfs.Kind]gaugeVec{
		zfs.KindVM:   vecOf("target", "vm")("kvmbackup_replication_vm_newest_timestamp_seconds"),
		zfs.KindPath: vecOf("target", "path")("kvmbackup_replication_path_newest_timestamp_seconds"),
	}
	var backedUp []zfs.Unit // the units with a dated backup here
	for _, v := range st.VMs {
		if !v.LastSuccess.IsZero() {
			backedUp = append(backedUp, zfs.VMUnit(v.Name))
		}
	}
	for _, p := range st.Paths {
		if !p.LastSuccess.IsZero() {
			backedUp = append(backedUp, zfs.PathUnit(p.Name))
		}
	}
	for _, r := range st.Replicas {
		v := 0.0
		if !r.Last.IsZero() && !r.Failed() {
			v = 1
		}
		last.set(unix(r.Last), r.Target)
		success.set(unix(r.LastSuccess), r.Target)
		ok.set(v, r.Target)
		dur.set(r.Duration.Seconds(), r.Target)
		sent.set(float64(r.Bytes), r.Target)
		var oldest time.Time
		none := false
		units := slices.Clone(r.Units)
		for _, u := range backedUp {
			if r.Unit(u) == nil {
				units = append(units, &orchestrator.StateReplicaUnit{Kind: u.Kind, Name: u.Name})
			}
		}
		for _, u := range units {
			if g, ok := newest[u.Kind]; ok {
				g.set(unix(u.NewestTime), r.Target, u.Name)
			}
			switch {
			case u.Newest == "":
				none = true
			case oldest.IsZero() || u.NewestTime.Before(oldest):
				oldest = u.NewestTime
			}
		}
		if none {
			oldest = time.Time{}
		}
		all.set(unix(oldest), r.Target)
	}
}

// gauges is the metrics of one Metrics call: a metrics.Set of their own, and the
// first label value that cannot be written (not UTF-8).
type gauges struct {
	set *metrics.Set
	err error
}

// gaugeVec is one family of gauges: its name and label names, sorted (as the
// series' names spell them).
type gaugeVec struct {
	g      *gauges
	name   string
	labels []string // sorted
	order  []int    // order[i]: the argument of set that labels[i] is
}

// vec is the family name with the label names labels (in the order set takes
// their values).
func (g *gauges) vec(name string, labels ...string) gaugeVec {
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	sorted := make([]string, len(labels))
	for i, j := range order {
		sorted[i] = labels[j]
	}
	return gaugeVec{g: g, name: name, labels: sorted, order: order}
}

// set sets the series of the label values (one per label name, in vec's order)
// to v; setting a series again replaces its value. The library takes a series as
// its whole name, name{label="value",...}, checking its syntax but escaping
// nothing: the values are escaped here as the text format says (backslash,
// double quote, line feed).
func (f gaugeVec) set(v float64, values ...string) {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("render: metric %s has %d labels, not %d", f.name, len(f.labels), len(values)))
	}
	var b strings.Builder
	b.WriteString(f.name)
	if len(f.labels) > 0 {
		b.WriteByte('{')
		for i, l := range f.labels {
			val := values[f.order[i]]
			if !utf8.ValidString(val) && f.g.err == nil {
				f.g.err = fmt.Errorf("metric %s: label value %q is not valid UTF-8", f.name, val)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(l + `="` + labelValueEscaper.Replace(val) + `"`)
		}
		b.WriteByte('}')
	}
	f.g.set.GetOrCreateGauge(b.String(), nil).Set(v)
}

// helpEscaper escapes a help text as the text format says: backslash and line feed.
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

// labelValueEscaper escapes a label value as the text format says.
var labelValueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

// JSON writes the report as `kvmbackup run --json` prints it: one JSON object (its
// shape is the report types' json tags), then a newline.
func JSON(w io.Writer, r *orchestrator.Report) error { return json.NewEncoder(w).Encode(r) }
