package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/beneath"
	"github.com/kvmbackup/kvmbackup/testenv"
)

// fakeHooks records each hook call as "PHASE [NAME] [STATUS]", with the VMs paused at
// that moment, and fails the phases in fail ("PHASE" or "PHASE NAME").
type fakeHooks struct {
	w      *world
	mu     sync.Mutex
	calls  []string
	env    map[string][]string // by call
	paused map[string][]string // VMs paused during the call, by call
	fail   []string
}

func (h *fakeHooks) Hook(ctx context.Context, phase HookPhase, name string, env []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	call := strings.TrimSpace(string(phase) + " " + name)
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "BACKUP_STATUS="); ok {
			call += " " + v
		}
	}
	h.calls = append(h.calls, call)
	if h.env == nil {
		h.env, h.paused = map[string][]string{}, map[string][]string{}
	}
	h.env[call] = env
	for n, d := range h.w.doms {
		if d.paused {
			h.paused[call] = append(h.paused[call], n)
		}
	}
	if slices.Contains(h.fail, string(phase)) || slices.Contains(h.fail, string(phase)+" "+name) {
		return fmt.Errorf("hook %s %s: exit status 1", phase, name)
	}
	return nil
}

// The phases of a good night, in order: job-start; per group backup-start, pre-freeze
// (no VM paused yet), post-thaw (every VM resumed), backup-end; job-end. A shut-off VM
// gets its pre-freeze and post-thaw too (the script decides); every unit ends with
// exactly one backup-end or backup-abort.
func TestHooksOfAGoodNight(t *testing.T) {
	w := pathScene(t)
	h := &fakeHooks{w: w}
	d := w.deps()
	d.Hooks = h
	env := runEnv{t.TempDir()}
	o := env.opts(pathsConfig(t, ""), night1)
	o.LogFile = "/var/lib/kvmbackup/log/run.log"
	rep, err := Run(context.Background(), d, o)
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep)
	}
	want := []string{
		"job-start",
		"backup-start app1", "backup-start db1", "backup-start images",
		"pre-freeze app1", "pre-freeze db1", "post-thaw app1", "post-thaw db1",
		"backup-end app1 ok", "backup-end db1 ok", "backup-end images ok",
		"backup-start old1", "pre-freeze old1", "post-thaw old1", "backup-end old1 ok",
		"backup-start web1", "pre-freeze web1", "post-thaw web1", "backup-end web1 ok",
		"backup-start iso", "backup-end iso ok",
		"backup-start root", "backup-end root ok",
		"job-end ok",
	}
	if !slices.Equal(h.calls, want) {
		t.Errorf("hook calls:\n  %s\nwant\n  %s", strings.Join(h.calls, "\n  "), strings.Join(want, "\n  "))
	}
	for call, paused := range h.paused {
		if len(paused) > 0 {
			t.Errorf("%s ran while %v were paused: a hook never runs inside a pause window", call, paused)
		}
	}
	for _, kv := range []string{"BACKUP_PHASE=backup-end", "BACKUP_KIND=vm", "BACKUP_NAME=db1", "BACKUP_VM=db1",
		"BACKUP_DATASET=backup/vms/db1", "BACKUP_SNAPSHOT=backup/vms/db1@kvmbackup_2026-11-23T03:00:00Z",
		"BACKUP_RUN=" + rep.RunID, "BACKUP_TARGET=backup/vms", "BACKUP_LOGFILE=/var/lib/kvmbackup/log/run.log"} {
		if !slices.Contains(h.env["backup-end db1 ok"], kv) {
			t.Errorf("backup-end db1: no %s in %v", kv, h.env["backup-end db1 ok"])
		}
	}
	if e := h.env["backup-end root ok"]; !slices.Contains(e, "BACKUP_KIND=path") || slices.ContainsFunc(e, func(s string) bool { return strings.HasPrefix(s, "BACKUP_VM=") }) {
		t.Errorf("backup-end root (a paths: entry): %v", e)
	}
}

// A failing pre-freeze fails that VM only: it is never paused, its dataset is rolled
// back, its post-thaw still runs; the other VM of its group is backed up. A failing
// backup-start fails its unit before anything is written. After-phases that fail
// change nothing.
func TestHookFailuresByPhase(t *testing.T) {
	w := scene(t)
	h := &fakeHooks{w: w, fail: []string{"pre-freeze db1", "backup-start web1", "backup-end app1", "post-thaw app1", "job-end"}}
	var frozen []string
	w.onThaw = func(paused []string) { frozen = append(frozen, paused...) }
	d := w.deps()
	d.Hooks = h
	env := runEnv{t.TempDir()}
	rep, err := Run(context.Background(), d, env.opts(testConfig(t), night1))
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, v := range rep.VMs {
		status[v.Name] = v.Status + " " + v.Error
	}
	for vm, want := range map[string]string{"db1": "failed hook pre-freeze db1", "web1": "failed hook backup-start web1", "app1": "ok", "old1": "ok"} {
		if !strings.HasPrefix(status[vm], want) {
			t.Errorf("%s: %q, want %q", vm, status[vm], want)
		}
	}
	if slices.Contains(frozen, "db1") || slices.Contains(frozen, "web1") || !slices.Contains(frozen, "app1") {
		t.Errorf("paused: %v; want app1, never db1 (its pre-freeze failed) or web1 (its backup-start failed)", frozen)
	}
	if _, ok := w.datasets["backup/vms/db1"]; ok {
		t.Errorf("db1's first backup failed, yet its dataset stays")
	}
	for _, call := range []string{"post-thaw db1", "backup-abort db1 failed", "backup-abort web1 failed", "job-end failed"} {
		if !slices.Contains(h.calls, call) {
			t.Errorf("no %q in %v", call, h.calls)
		}
	}
	if slices.Contains(h.calls, "pre-freeze web1") {
		t.Errorf("web1's backup-start failed, yet its pre-freeze ran: %v", h.calls)
	}
}

// A failing job-start stops the run before anything is touched (exit 2); job-abort
// says why.
func TestHookJobStartFailureStopsTheRun(t *testing.T) {
	w := scene(t)
	h := &fakeHooks{w: w, fail: []string{"job-start"}}
	d := w.deps()
	d.Hooks = h
	env := runEnv{t.TempDir()}
	_, err := Run(context.Background(), d, env.opts(testConfig(t), night1))
	var ee *EnvError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "hook job-start") || ee.Reason != ReasonHook {
		t.Fatalf("run: %v (%+v), want an *EnvError naming the job-start hook, reason hook", err, ee)
	}
	if len(w.datasets) != 1 || len(w.log) != 0 {
		t.Errorf("job-start failed, yet the run went on: datasets %v, calls %v", w.datasets, w.log)
	}
	if !slices.Equal(h.calls, []string{"job-start", "job-abort failed"}) {
		t.Errorf("hook calls: %v", h.calls)
	}
}

// A VM the plan fails (a disk on no LV) still ends with backup-abort; a run cut by
// SIGTERM ends with job-abort, and every started unit with backup-abort.
func TestHooksOfPlanFailuresAndInterruption(t *testing.T) {
	w := scene(t)
	w.doms["web1"].d.Disks[0].Source = "/var/lib/libvirt/images/web1.qcow2"
	h := &fakeHooks{w: w}
	d := w.deps()
	d.Hooks = h
	env := runEnv{t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	w.onThaw = func([]string) { cancel() } // SIGTERM as the first group resumes
	rep, err := Run(ctx, d, env.opts(testConfig(t), night1))
	if err != nil {
		t.Fatal(err)
	}
	ends := map[string]int{}
	for _, c := range h.calls {
		if f := strings.Fields(c); len(f) >= 2 && (f[0] == "backup-end" || f[0] == "backup-abort") {
			ends[f[1]]++
		}
	}
	for _, v := range rep.VMs {
		if ends[v.Name] != 1 {
			t.Errorf("%s (%s): %d backup-end/backup-abort calls, want 1: %v", v.Name, v.Status, ends[v.Name], h.calls)
		}
	}
	if !slices.Contains(h.calls, "backup-abort web1 failed") || h.calls[len(h.calls)-1] != "job-abort failed" {
		t.Errorf("hook calls: %v", h.calls)
	}
	// old1's group comes after the interruption: it never starts (no backup-start,
	// no hook on a dead context), and it ends with backup-abort, interrupted.
	if slices.Contains(h.calls, "backup-start old1") || !slices.Contains(h.calls, "backup-abort old1 failed") {
		t.Errorf("old1 after the interruption: %v", h.calls)
	}
	for _, v := range rep.VMs {
		if v.Name == "old1" && !strings.HasPrefix(v.Error, "interrupted") {
			t.Errorf("old1: %q, want interrupted", v.Error)
		}
	}
}

// The real script: run with PHASE [NAME] and the BACKUP_* variables, never with
// kvmbackup's own KVMBACKUP_* overrides; a script that hangs is killed at
// hooks.timeout (its whole process group) and its phase fails; one that another user
// could change is never run.
func TestScriptHooks(t *testing.T) {
	testenv.Require(t, testenv.Root)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "calls")
	script := filepath.Join(dir, "hook.sh")
	write := func(body string) {
		if err := os.WriteFile(script, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(`echo "$* $BACKUP_VM ${KVMBACKUP_TARGET_DATASET:-clean}" >>` + out + "\n")
	t.Setenv("KVMBACKUP_TARGET_DATASET", "leaked")
	s := ScriptHooks{Script: script, Timeout: time.Second}
	if err := s.Hook(context.Background(), HookPreFreeze, "db1", []string{"BACKUP_VM=db1"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); string(got) != "pre-freeze db1 db1 clean\n" {
		t.Errorf("the script saw %q", got)
	}

	write("sleep 60 & sleep 60\n") // a child that would outlive a killed parent
	start := time.Now()
	err := s.Hook(context.Background(), HookPreFreeze, "db1", nil)
	if err == nil || !strings.Contains(err.Error(), "killed after hooks.timeout (1s)") || time.Since(start) > 20*time.Second {
		t.Errorf("a hanging script: %v after %v", err, time.Since(start))
	}

	write("exit 3\n")
	if err := s.Hook(context.Background(), HookJobEnd, "", nil); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("exit 3: %v", err)
	}

	if err := os.Chown(script, 65534, -1); err != nil {
		t.Fatal(err)
	}
	write("echo ran >>" + out + "\n")
	err = s.Hook(context.Background(), HookJobStart, "", nil)
	if !errors.Is(err, beneath.ErrUntrusted) || !strings.Contains(err.Error(), "hooks.script") {
		t.Errorf("a script uid 65534 owns: %v, want ErrUntrusted naming hooks.script", err)
	}
	if got, _ := os.ReadFile(out); strings.Contains(string(got), "ran") {
		t.Errorf("the untrusted script ran")
	}
}

// Every external command a run starts is counted, by step and in all: here the hook
// script's runs (the fakes run none), one per phase.
func TestRunCountsItsCommands(t *testing.T) {
	testenv.Require(t, testenv.Root)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "hook.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	w := pathScene(t)
	d := w.deps()
	d.Hooks = ScriptHooks{Script: script, Timeout: 5 * time.Second}
	env := runEnv{t.TempDir()}
	rep, err := Run(context.Background(), d, env.opts(pathsConfig(t, ""), night1))
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep)
	}
	// job-start and job-end, and per unit backup-start/-end (7 units), pre-freeze and
	// post-thaw (4 VMs).
	sum := 0
	for _, s := range rep.Steps {
		sum += s.Commands
	}
	if want := 2 + 2*7 + 2*4; rep.Commands.Commands != want || rep.ByCommand["hook.sh"] != want || rep.Commands.Time <= 0 {
		t.Errorf("counted %+v %v, want %d runs of hook.sh", rep.Commands, rep.ByCommand, want)
	}
	if sum != rep.Commands.Commands-2 { // job-start and job-end run around the steps
		t.Errorf("the steps count %d of %d: %+v", sum, rep.Commands.Commands, rep.Steps)
	}
}
