package orchestrator_test

import (
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/render"
)

// The renderer the tests of package orchestrator read reports with (see
// render_hooks_test.go): the one kvmbackup prints with.
func init() {
	orchestrator.RenderTable = render.Table
	orchestrator.RenderPlan = render.Plan
	orchestrator.RenderMetrics = func(path string, st *orchestrator.State) error {
		return render.MetricsFile(path, st, render.Build{Version: "test", GoVersion: "go1"})
	}
}
