package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/testenv"
)

// noticeScript writes a notify.command that keeps its stdin (and its arguments) in
// DIR/notice; it returns the script and where the notice lands.
func noticeScript(t *testing.T) (script, notice string) {
	t.Helper()
	dir := t.TempDir()
	notice = filepath.Join(dir, "notice")
	script = filepath.Join(dir, "notify.sh")
	if err := os.WriteFile(script, []byte(fmt.Sprintf("#!/bin/sh\necho \"$*\" >%s.args\ncat >%s\n", notice, notice)), 0o755); err != nil {
		t.Fatal(err)
	}
	return script, notice
}

func readNotice(t *testing.T, notice string) *orchestrator.Report {
	t.Helper()
	b, err := os.ReadFile(notice)
	if err != nil {
		t.Fatalf("no notice sent: %v", err)
	}
	var rep orchestrator.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("the notice is not a JSON report: %v\n%s", err, b)
	}
	return &rep
}

// A run that cannot start (another run holds the lock: exit 2) is told to
// notify.command: the JSON report, its error in errors.
func TestNotifyARunThatCannotStart(t *testing.T) {
	testenv.Require(t, testenv.Root)
	script, notice := noticeScript(t)
	state := t.TempDir()
	l, err := orchestrator.Lock(filepath.Join(state, "run.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	cfg := writeConfig(t, fmt.Sprintf("libvirt:\n  uri: test:///default\nnotify:\n  command: [%s, root@example.org]\n", script))
	out, err, code := runCLI(t, "run", "--config", cfg, "--state-dir", state, "--lock", filepath.Join(state, "run.lock"))
	if code != exitEnvironment {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	rep := readNotice(t, notice)
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "another kvmbackup run holds") || rep.RunID == "" {
		t.Errorf("notice: %+v", rep)
	}
	if args, _ := os.ReadFile(notice + ".args"); string(args) != "root@example.org\n" {
		t.Errorf("notify.command's arguments: %q", args)
	}
	// A dry run tells nobody.
	os.Remove(notice)
	if _, _, code := runCLI(t, "run", "--dry-run", "--config", cfg, "--state-dir", state, "--lock", filepath.Join(state, "run.lock")); code != exitEnvironment {
		t.Fatalf("dry run: exit %d", code)
	}
	if _, err := os.Stat(notice); err == nil {
		t.Errorf("a dry run sent a notice")
	}
}

// notify --test sends a test report; a notify.command another user could change is
// never run (kvmbackup runs it as root): exit 2, naming it.
func TestNotifyTestAndHostileCommand(t *testing.T) {
	testenv.Require(t, testenv.Root)
	script, notice := noticeScript(t)
	cfg := writeConfig(t, fmt.Sprintf("notify:\n  command: [%s]\n", script))
	out, err, code := runCLI(t, "notify", "--test", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "sent to "+script) {
		t.Fatalf("notify --test: exit %d, %v\n%s", code, err, out)
	}
	if rep := readNotice(t, notice); len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "a test of notify.command") {
		t.Errorf("test notice: %+v", rep)
	}
	os.Remove(notice)
	if err := os.Chmod(script, 0o757); err != nil {
		t.Fatal(err)
	}
	out, err, code = runCLI(t, "notify", "--test", "--config", cfg)
	if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), "notify.command") || !strings.Contains(err.Error(), "writable by its group or by others") {
		t.Errorf("a world-writable notify.command: exit %d, %v\n%s", code, err, out)
	}
	if _, err := os.Stat(notice); err == nil {
		t.Errorf("the world-writable notify.command ran")
	}
	if _, err, code := runCLI(t, "notify", "--config", cfg); code != exitEnvironment || !strings.Contains(fmt.Sprint(err), "exactly one of --unit NAME or --test") {
		t.Errorf("notify alone: exit %d %v", code, err)
	}
}

// notify --unit (OnFailure=): a unit that exited 1 already sent its run's report;
// one killed or that exited 2 is told, with its last log lines. systemctl and
// journalctl are stand-ins here (no systemd in the lab), found first in PATH.
func TestNotifyUnitFailure(t *testing.T) {
	testenv.Require(t, testenv.Root)
	script, notice := noticeScript(t)
	cfg := writeConfig(t, fmt.Sprintf("notify:\n  command: [%s]\n", script))
	bin := t.TempDir()
	fake := func(name, body string) {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fake("journalctl", `echo "journalctl $*"; echo "run: target backup/vms: pool FAULTED"`+"\n")
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))

	fake("systemctl", "printf 'Result=exit-code\\nExecMainCode=1\\nExecMainStatus=1\\n'\n")
	out, err, code := runCLI(t, "notify", "--unit", "kvmbackup.service", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "the run sent its own report") {
		t.Fatalf("exit 1: exit %d, %v\n%s", code, err, out)
	}
	if _, err := os.Stat(notice); err == nil {
		t.Errorf("a unit that exited 1 was told twice")
	}

	fake("systemctl", "printf 'Result=signal\\nExecMainCode=2\\nExecMainStatus=9\\n'\n")
	if out, err, code := runCLI(t, "notify", "--unit", "kvmbackup.service", "--config", cfg); code != exitOK {
		t.Fatalf("killed: exit %d, %v\n%s", code, err, out)
	}
	rep := readNotice(t, notice)
	if len(rep.Errors) != 2 || !strings.Contains(rep.Errors[0], "kvmbackup.service failed: result signal, main process code 2, status 9") ||
		!strings.Contains(rep.Errors[1], "journalctl --unit kvmbackup.service --lines 40") || !strings.Contains(rep.Errors[1], "pool FAULTED") {
		t.Errorf("notice: %q", rep.Errors)
	}
	if _, err, code := runCLI(t, "notify", "--unit", "-x", "--config", cfg); code != exitEnvironment || !strings.Contains(fmt.Sprint(err), "not a unit name") {
		t.Errorf("--unit -x: exit %d %v", code, err)
	}
}

// The examples' notify commands: the mail script mails the report (subject FAILED
// for a failed night, a line a VM), the webhook script POSTs it with curl. sendmail
// and curl are stand-ins that keep what they were given.
func TestNotifyExamples(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"sendmail": "echo \"$*\" >" + dir + "/sendmail.args\ncat >" + dir + "/mail\n",
		"curl":     "echo \"$*\" >" + dir + "/curl.args\ncat >" + dir + "/posted\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	report := `{"run":"20261202T030000Z","start":"2026-12-02T03:00:00Z","vms":[{"name":"web1","status":"ok"},{"name":"db1","status":"failed","error":"copy disk vda: no space left on device"}],"errors":[]}`
	run := func(script string, env []string, args ...string) {
		t.Helper()
		cmd := exec.Command(filepath.Join("..", "..", "examples", script), args...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin = strings.NewReader(report)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
	}
	run("notify-mail.sh", []string{"SENDMAIL=" + dir + "/sendmail"}, "root@example.org")
	mail, _ := os.ReadFile(filepath.Join(dir, "mail"))
	if args, _ := os.ReadFile(filepath.Join(dir, "sendmail.args")); string(args) != "-t -oi\n" ||
		!strings.Contains(string(mail), "To: root@example.org\n") || !strings.Contains(string(mail), `"name":"db1"`) {
		t.Errorf("mail (sendmail %q):\n%s", args, mail)
	}
	if _, err := exec.LookPath("jq"); err == nil && (!strings.Contains(string(mail), "Subject: kvmbackup on ") ||
		!strings.Contains(string(mail), ": FAILED (1 not backed up)") || !strings.Contains(string(mail), "VM   db1: failed - copy disk vda")) {
		t.Errorf("mail with jq:\n%s", mail)
	}
	run("notify-webhook.sh", []string{"PATH=" + dir + ":" + os.Getenv("PATH"), "NOTIFY_TOKEN_FILE=" + dir + "/none"}, "https://hooks.example.org/kvmbackup")
	posted, _ := os.ReadFile(filepath.Join(dir, "posted"))
	args, _ := os.ReadFile(filepath.Join(dir, "curl.args"))
	if string(posted) != report || !strings.Contains(string(args), "--data-binary @-") || !strings.HasSuffix(strings.TrimSpace(string(args)), "https://hooks.example.org/kvmbackup") {
		t.Errorf("webhook: curl %s\nposted %s", args, posted)
	}
}
