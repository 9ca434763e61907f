package qga

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A fake agent: guest-exec starts pid 7, which runs for two polls, then exits.
func TestExec(t *testing.T) {
	polls := 0
	var sent []string
	send := func(_ context.Context, cmd string) (string, error) {
		sent = append(sent, cmd)
		if strings.Contains(cmd, `"guest-exec"`) {
			return `{"return":{"pid":7}}`, nil
		}
		if polls++; polls < 3 {
			return `{"return":{"exited":false}}`, nil
		}
		return `{"return":{"exited":true,"exitcode":3,"out-data":"aGkK","err-data":"ZXJyCg==","err-truncated":true}}`, nil
	}
	st, err := Exec(t.Context(), send, []string{"/bin/sh", "-c", "x"}, time.Millisecond)
	if err != nil || st.Exit != 3 || string(st.Stdout) != "hi\n" || string(st.Stderr) != "err\n" || !st.ErrTruncated {
		t.Fatalf("%+v %v", st, err)
	}
	if sent[0] != `{"arguments":{"arg":["-c","x"],"capture-output":true,"path":"/bin/sh"},"execute":"guest-exec"}` ||
		sent[1] != `{"execute":"guest-exec-status","arguments":{"pid":7}}` || len(sent) != 4 {
		t.Errorf("sent %q", sent)
	}
	// Hostile or broken replies are errors, never a success.
	for _, reply := range []string{`{"return":{}}`, `not json`} {
		_, err := Exec(t.Context(), func(context.Context, string) (string, error) { return reply, nil }, []string{"x"}, time.Millisecond)
		if err == nil {
			t.Errorf("reply %q: no error", reply)
		}
	}
	killed := func(_ context.Context, cmd string) (string, error) {
		if strings.Contains(cmd, `"guest-exec"`) {
			return `{"return":{"pid":1}}`, nil
		}
		return `{"return":{"exited":true,"signal":9}}`, nil
	}
	if st, err := Exec(t.Context(), killed, []string{"x"}, time.Millisecond); err != nil || st.Exit != -1 || st.Signal != 9 {
		t.Errorf("killed: %+v %v", st, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	forever := func(_ context.Context, cmd string) (string, error) {
		if strings.Contains(cmd, `"guest-exec"`) {
			return `{"return":{"pid":1}}`, nil
		}
		return `{"return":{"exited":false}}`, nil
	}
	if _, err := Exec(ctx, forever, []string{"x"}, time.Millisecond); !errors.Is(err, ErrNotExited) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("not exited: %v", err)
	}
}
