package runner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestRunCapturesStdoutAndStderr(t *testing.T) {
	res, err := New("/bin/sh").Run(context.Background(), "-c", "echo out; echo err >&2")
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "out\n" || string(res.Stderr) != "err\n" {
		t.Fatalf("stdout %q stderr %q", res.Stdout, res.Stderr)
	}
}

func TestExitErrorKeepsStderrAndCode(t *testing.T) {
	_, err := New("/bin/sh").Run(context.Background(), "-c", "echo 'volume group vg9 not found' >&2; exit 5")
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("want *ExitError, got %T %v", err, err)
	}
	if ee.ExitCode != 5 || ExitCode(err) != 5 {
		t.Fatalf("exit code %d", ee.ExitCode)
	}
	if !strings.Contains(err.Error(), "vg9 not found") || !strings.Contains(err.Error(), "/bin/sh") {
		t.Fatalf("error does not name the command and its stderr: %v", err)
	}
}

func TestArgumentsAreNotInterpretedByAShell(t *testing.T) {
	res, err := New("/bin/echo").Run(context.Background(), "$(id)", "a;b", "*")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.Stdout); got != "$(id) a;b *\n" {
		t.Fatalf("got %q", got)
	}
}

func TestNULArgumentRefused(t *testing.T) {
	_, err := New("/bin/echo").Run(context.Background(), "a\x00b")
	if !errors.Is(err, ErrBadArgument) {
		t.Fatalf("want ErrBadArgument, got %v", err)
	}
}

func TestMissingBinary(t *testing.T) {
	_, err := New("/nonexistent/kvmbackup-no-such-tool").Run(context.Background())
	if !IsNotInstalled(err) {
		t.Fatalf("want not-installed, got %v", err)
	}
	if !strings.Contains(err.Error(), "kvmbackup-no-such-tool") {
		t.Fatalf("error does not name the binary: %v", err)
	}
}

// A cancelled context kills the whole process group, grandchildren included.
func TestCancelKillsProcessGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := New("/bin/sh").Run(ctx, "-c", "sleep 30 & echo $! >"+pidFile+"; wait")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("Run returned after %v", d)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		// Signal 0 probes; a zombie reaped by init also reports ESRCH eventually.
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		if st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && strings.Contains(string(st), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d still alive after cancel", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDebugLogOfStartAndExit(t *testing.T) {
	var buf bytes.Buffer
	log := zerolog.New(&buf).Level(zerolog.DebugLevel)
	ctx := log.WithContext(context.Background())
	if _, err := New("/bin/true").Run(ctx); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"component":"runner"`, `"message":"start"`, `"message":"exit"`, `"exit":0`, `"duration"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("log lacks %s:\n%s", want, out)
		}
	}
}

func TestStdinAndStreamedStdout(t *testing.T) {
	var out bytes.Buffer
	_, err := New("/bin/cat").RunWith(context.Background(), Options{Stdin: strings.NewReader("hello"), Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "hello" {
		t.Fatalf("got %q", out.String())
	}
}

// A child started with KillWithParent dies with the process that started it.
func TestKillWithParent(t *testing.T) {
	if pidFile := os.Getenv("RUNNER_TEST_PIDFILE"); pidFile != "" {
		// The helper parent: start a long child that writes its pid, then die hard.
		go New("/bin/sh").RunWith(context.Background(), Options{KillWithParent: true}, "-c", "echo $$ >"+pidFile+"; exec sleep 60")
		time.Sleep(500 * time.Millisecond)
		os.Exit(3)
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestKillWithParent$")
	cmd.Env = append(os.Environ(), "RUNNER_TEST_PIDFILE="+pidFile)
	cmd.Run() // no pipes: nothing waits for the child's output
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file holds %q", b)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(st), ") Z ") {
			return // gone (or a zombie waiting for init)
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("child %d outlived its parent", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Pipe: a producer's output reaches the consumer and is counted; when the consumer
// fails, the producer is killed (no hang), and both errors carry their stderr.
func TestPipe(t *testing.T) {
	ctx := context.Background()
	var got bytes.Buffer
	n, err := Pipe(ctx, func(ctx context.Context, w io.Writer) error {
		_, err := New("/bin/sh").RunWith(ctx, Options{Stdout: w}, "-c", "head -c 1000000 /dev/zero")
		return err
	}, func(ctx context.Context, r io.Reader) error {
		_, err := New("/bin/sh").RunWith(ctx, Options{Stdin: r, Stdout: &got}, "-c", "wc -c")
		return err
	})
	if err != nil || n != 1000000 || strings.TrimSpace(got.String()) != "1000000" {
		t.Fatalf("Pipe: %d bytes, %q, %v", n, got.String(), err)
	}

	start := time.Now()
	_, err = Pipe(ctx, func(ctx context.Context, w io.Writer) error {
		_, err := New("/bin/sh").RunWith(ctx, Options{Stdout: w}, "-c", "echo producing >&2; while :; do head -c 65536 /dev/zero; done")
		return err
	}, func(ctx context.Context, r io.Reader) error {
		_, err := New("/bin/sh").RunWith(ctx, Options{Stdin: r}, "-c", "head -c 10 >/dev/null; echo 'cannot receive: bad stream' >&2; exit 3")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "cannot receive: bad stream") || !strings.Contains(err.Error(), "producing") || time.Since(start) > 10*time.Second {
		t.Fatalf("Pipe with a failing consumer: %v after %v", err, time.Since(start))
	}
	if strings.Index(err.Error(), "bad stream") > strings.Index(err.Error(), "producing") {
		t.Errorf("the consumer's failure is not first: %v", err)
	}
	t.Log(err)
}

// A context's Counter sees every command run with it, and only those.
func TestCounter(t *testing.T) {
	ctx, c := WithCounter(t.Context())
	before := c.Read()
	for range 3 {
		if _, err := New("true").Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	New("false").Run(ctx)
	New("true").Run(t.Context()) // not counted
	got := c.Read().Since(before)
	if got.Commands != 4 || got.Time <= 0 || c.ByCommand()["true"] != 3 || c.ByCommand()["false"] != 1 {
		t.Errorf("%+v %v", got, c.ByCommand())
	}
}
