package orchestrator

import (
	"io"

	"github.com/kvmbackup/kvmbackup/internal/config"
)

// The run table, the plan and the metrics file are rendered by package render,
// which imports this one. The tests here that read them call render through these,
// set by render_test.go (package orchestrator_test, which may import render) before
// any test runs.
var (
	RenderTable   func(w io.Writer, r *Report)
	RenderPlan    func(w io.Writer, p *Plan)
	RenderMetrics func(path string, st *State) error
)

// stateOf is the state after rep alone, as a run records it (exit status 0 or 1).
func stateOf(cfg *config.Config, rep *Report) *State {
	st := &State{}
	out := rep.Outcome()
	if !rep.OK() {
		out.ExitCode = 1
	}
	st.Record(cfg, rep, out)
	return st
}
