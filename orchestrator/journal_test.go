package orchestrator

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

// The run lock is 0600 in a 0700 directory, even under umask 0: nobody else can flock
// it (and so block every run). A directory or file someone else could have planted (a
// symlink, another owner, writable by others) is refused, naming why, never followed;
// the modes of an earlier version (0755 directory, 0644 file) are mended.
func TestHostileLockPermissions(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0))
	root := t.TempDir()
	path := filepath.Join(root, "run", "run.lock")
	l, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	wantMode := func(p string, want os.FileMode) {
		t.Helper()
		if fi, err := os.Lstat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want mode %o", p, fi.Mode(), err, want)
		}
	}
	wantMode(filepath.Dir(path), 0o700)
	wantMode(path, 0o600)

	// The modes an earlier version left: mended.
	os.Chmod(filepath.Dir(path), 0o755)
	os.Chmod(path, 0o644)
	if l, err := Lock(path); err != nil {
		t.Fatalf("Lock over a 0755 directory and a 0644 file: %v", err)
	} else {
		l.Unlock()
	}
	wantMode(filepath.Dir(path), 0o700)
	wantMode(path, 0o600)

	elsewhere := filepath.Join(root, "elsewhere")
	os.Mkdir(elsewhere, 0o700)
	refused := []struct {
		name  string
		plant func(dir, file string)
		why   string
	}{
		{"directory a symlink", func(dir, file string) { os.Symlink(elsewhere, dir) }, "symbolic link"},
		{"directory writable by others", func(dir, file string) { os.Mkdir(dir, 0o777) }, "writable by others"},
		{"directory of another owner", func(dir, file string) { os.Mkdir(dir, 0o700); os.Chown(dir, 4242, 4242) }, "owned by uid 4242"},
		{"file a symlink", func(dir, file string) {
			os.Mkdir(dir, 0o700)
			os.Symlink(filepath.Join(elsewhere, "target"), file)
		}, "symbolic link"},
		{"file of another owner", func(dir, file string) {
			os.Mkdir(dir, 0o700)
			os.WriteFile(file, nil, 0o600)
			os.Chown(file, 4242, 4242)
		}, "owned by uid 4242"},
		{"file a hard link", func(dir, file string) {
			os.Mkdir(dir, 0o700)
			os.WriteFile(filepath.Join(elsewhere, "linked"), nil, 0o600)
			os.Link(filepath.Join(elsewhere, "linked"), file)
		}, "hard link"},
		{"file a fifo", func(dir, file string) { os.Mkdir(dir, 0o700); syscall.Mkfifo(file, 0o600) }, "not a regular file"},
	}
	for i, r := range refused {
		dir := filepath.Join(root, fmt.Sprintf("planted%d", i))
		file := filepath.Join(dir, "run.lock")
		r.plant(dir, file)
		l, err := Lock(file)
		if err == nil {
			l.Unlock()
			t.Errorf("%s: Lock accepted it", r.name)
			continue
		}
		if !strings.Contains(err.Error(), r.why) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s: %v, want it to name %s and say %q", r.name, err, dir, r.why)
		}
	}
	if ents, _ := os.ReadDir(elsewhere); len(ents) != 1 || ents[0].Name() != "linked" {
		t.Errorf("Lock wrote through a symlink: %v", ents)
	}
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

// A run records from several goroutines at once (one per volume snapshotted, per
// volume copied): every effect is pending until its undo is recorded, none lost.
func TestJournalRecordsFromManyGoroutines(t *testing.T) {
	j, err := OpenJournal(t.TempDir(), "r1")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				key := fmt.Sprintf("vg/lv%d-%d", g, i)
				if err := j.Record(OpSnapshot, key, ""); err != nil {
					t.Error(err)
				}
				if i%2 == 0 {
					if err := j.Record(OpRemove, key, ""); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if n := len(j.Pending()); n != 8*25 {
		t.Errorf("%d effects pending, want %d", n, 8*25)
	}
	left, err := Leftovers(filepath.Dir(j.path))
	if err != nil || len(left) != 1 || len(left[0].Pending) != 8*25 {
		t.Errorf("the journal on disk: %v %d pending", err, len(left[0].Pending))
	}
}
