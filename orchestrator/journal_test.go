package orchestrator

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A run that crashed leaves its journal: what it recorded and did not undo is
// pending, in order; a line torn by the crash is ignored; a finished run leaves none.
func TestJournalLeftovers(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir, "r1")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		op       Op
		key, det string
	}{
		{OpFreeze, "web1", ""}, {OpFreeze, "db1", ""},
		{OpSnapshot, "vg0/web1.kvmbackup-r1", "vg0/web1"},
		{OpThaw, "web1", ""}, // db1 never thawed
		{OpDirty, "backup/vms/web1", ""},
		{OpMount, "/run/kvmbackup/mnt/r1/x", ""}, {OpUnmount, "/run/kvmbackup/mnt/r1/x", ""},
		{OpDirty, "backup/vms/db1", ""}, {OpRollback, "backup/vms/db1", ""},
	}
	for _, s := range steps {
		if err := j.Record(s.op, s.key, s.det); err != nil {
			t.Fatal(err)
		}
	}
	j.Close() // crash: no Finish
	// The crash cut the next line short.
	f, _ := os.OpenFile(filepath.Join(dir, "r1.journal"), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"time":"2026-11-25T03:00:00Z","op":"lvm-snap`)
	f.Close()

	j2, err := OpenJournal(dir, "r2")
	if err != nil {
		t.Fatal(err)
	}
	j2.Record(OpFreeze, "web1", "")
	j2.Record(OpThaw, "web1", "")
	if err := j2.Finish(); err != nil {
		t.Fatal(err)
	}

	left, err := Leftovers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].RunID != "r1" || !left[0].Torn {
		t.Fatalf("leftovers: %+v", left)
	}
	var got []string
	for _, e := range left[0].Pending {
		got = append(got, string(e.Op)+" "+e.Key+" "+e.Detail)
		if time.Since(e.Time) > time.Minute {
			t.Fatalf("entry time %v", e.Time)
		}
	}
	want := []string{"freeze db1 ", "lvm-snapshot vg0/web1.kvmbackup-r1 vg0/web1", "dataset-dirty backup/vms/web1 "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("pending:\n%v\nwant\n%v", got, want)
	}
	if err := left[0].Remove(); err != nil {
		t.Fatal(err)
	}
	if left, _ := Leftovers(dir); len(left) != 0 {
		t.Fatalf("after Remove: %+v", left)
	}
}

func TestJournalBadInput(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenJournal(dir, "../x"); err == nil {
		t.Fatal("a run id with a path in it was accepted")
	}
	j, err := OpenJournal(dir, "r1")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := OpenJournal(dir, "r1"); err == nil {
		t.Fatal("a second journal for the same run was opened")
	}
	os.WriteFile(filepath.Join(dir, "bad.journal"), []byte("not json\n{}\n"), 0o600)
	if _, err := Leftovers(dir); err == nil || !strings.Contains(err.Error(), "bad.journal line 1") {
		t.Fatalf("a corrupt journal: %v", err)
	}
}

// The run lock: a second taker gets the holder's pid; the kernel frees it when the
// holder dies, even by SIGKILL.
func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "run.lock")
	l, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	var le *LockedError
	if _, err := Lock(path); !errors.As(err, &le) || le.PID != os.Getpid() || !strings.Contains(err.Error(), strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Lock: %v", err)
	}
	l.Unlock()

	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "KVMBACKUP_TEST_LOCK="+path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked" {
		t.Fatalf("holder: %q %v", buf, err)
	}
	if _, err := Lock(path); !errors.As(err, &le) || le.PID != cmd.Process.Pid {
		t.Fatalf("Lock while another process holds it: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err = Lock(path)
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	l.Unlock()
}

// TestMain doubles as TestLock's other process: with KVMBACKUP_TEST_LOCK set it
// takes that lock, says so, and waits to be killed.
func TestMain(m *testing.M) {
	if path := os.Getenv("KVMBACKUP_TEST_LOCK"); path != "" {
		if _, err := Lock(path); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(3)
		}
		os.Stdout.WriteString("locked")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}
