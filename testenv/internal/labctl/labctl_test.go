package labctl

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// serve runs an agent on one end of a pipe and returns a client on the other.
func serve(t *testing.T) *Client {
	t.Helper()
	agent, host := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Serve(ctx, agent); close(done) }()
	c := NewClient(host)
	t.Cleanup(func() { cancel(); c.Close(); agent.Close(); <-done })
	wctx, wcancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer wcancel()
	if err := c.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestExactBytesAndStatus(t *testing.T) {
	c := serve(t)
	res, err := c.Exec(t.Context(), Request{
		Argv:  []string{"/bin/sh", "-c", `printf '\000\377x'; cat; printf e >&2; exit 7`},
		Stdin: []byte("in\n"),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Stdout, []byte("\x00\xffxin\n")) || string(res.Stderr) != "e" || res.Exit != 7 {
		t.Fatalf("got stdout %q stderr %q exit %d", res.Stdout, res.Stderr, res.Exit)
	}
}

// Replies are matched to requests by id: concurrent commands get their own output.
func TestConcurrentRequests(t *testing.T) {
	c := serve(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := strings.Repeat(fmt.Sprintf("%d.", i), 5000)
			res, err := c.Exec(t.Context(), Request{Argv: []string{"/bin/sh", "-c", "sleep 0.0$1; printf %s \"$2\"", "sh", fmt.Sprint(i % 10), want}}, nil)
			if err != nil || string(res.Stdout) != want {
				errs <- fmt.Errorf("request %d: %v, %d bytes", i, err, len(res.Stdout))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestStreamsStdout(t *testing.T) {
	c := serve(t)
	var out bytes.Buffer
	res, err := c.Exec(t.Context(), Request{Argv: []string{"/bin/echo", "streamed"}}, &out)
	if err != nil || out.String() != "streamed\n" || len(res.Stdout) != 0 {
		t.Fatalf("streamed %q, kept %q, %v", out.String(), res.Stdout, err)
	}
}

func TestErrorsAreNamed(t *testing.T) {
	c := serve(t)
	for _, tc := range []struct {
		req  Request
		want string
	}{
		{Request{Argv: []string{"/nonexistent/tool"}}, "/nonexistent/tool"},
		{Request{Argv: []string{"/bin/true"}, Dir: "/nonexistent/dir"}, "working directory"},
		{Request{}, "empty argv"},
	} {
		_, err := c.Exec(t.Context(), tc.req, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: want an error naming %q, got %v", tc.req, tc.want, err)
		}
	}
}

// A command past its timeout is killed, and the timeout is reported as a failure.
func TestTimeoutKills(t *testing.T) {
	c := serve(t)
	start := time.Now()
	_, err := c.Exec(t.Context(), Request{Argv: []string{"/bin/sleep", "30"}, Timeout: 200 * time.Millisecond}, nil)
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
}
