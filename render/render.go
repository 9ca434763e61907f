// Package render shows what the orchestrator reports: the run summary table, the
// dry run's plan, the JSON report and the Prometheus textfile. The orchestrator
// returns data (orchestrator.Report, orchestrator.Plan) and never imports this
// package; cmd/kvmbackup calls it.
package render

import (
	"encoding/json"
	"io"

	"github.com/kvmbackup/kvmbackup/orchestrator"
)

// Plan prints the plan: per VM its disks, volumes, modes, snapshot sizes, target and
// quiesce mode; then what is left out or cannot be backed up, then the paths: entries.
func Plan(w io.Writer, p *orchestrator.Plan) { p.WritePlan(w) }

// Table prints the run summary: one line per VM, the paths: entries, the errors,
// then the steps.
func Table(w io.Writer, r *orchestrator.Report) { r.WriteTable(w) }

// MetricsFile writes the run's Prometheus metrics to path (the node exporter's
// textfile collector), atomically and 0600.
func MetricsFile(path string, r *orchestrator.Report) error { return r.WriteMetrics(path) }

// JSON writes the report as `kvmbackup run --json` prints it: one JSON object (its
// shape is the report types' json tags), then a newline.
func JSON(w io.Writer, r *orchestrator.Report) error { return json.NewEncoder(w).Encode(r) }
