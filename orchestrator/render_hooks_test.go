package orchestrator

import "io"

// The run table, the plan and the metrics file are rendered by package render,
// which imports this one. The tests here that read them call render through these,
// set by render_test.go (package orchestrator_test, which may import render) before
// any test runs.
var (
	RenderTable   func(w io.Writer, r *Report)
	RenderPlan    func(w io.Writer, p *Plan)
	RenderMetrics func(path string, r *Report) error
)
