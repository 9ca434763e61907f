// Package labctl is the appliance's control channel: JSON lines over a virtio-serial
// port. The host sends a Request per command; the agent inside runs it and streams
// its stdout back, then a final Reply with stderr and the exit status. Requests carry
// ids, so several run at once. Exact bytes travel (JSON base64 for []byte).
package labctl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// PortName is the virtio-serial port name of the control channel.
const PortName = "kvmbackup.ctl"

// Request is one command to run inside.
type Request struct {
	ID      uint64        `json:"id"`
	Argv    []string      `json:"argv"`
	Env     []string      `json:"env,omitempty"` // added to the agent's base environment
	Dir     string        `json:"dir,omitempty"`
	Stdin   []byte        `json:"stdin,omitempty"`
	Timeout time.Duration `json:"timeout,omitempty"` // 0: none
}

// Reply is a piece of stdout (Done false) or the end of a command (Done true).
type Reply struct {
	ID     uint64 `json:"id"`
	Ready  bool   `json:"ready,omitempty"` // the agent's hello, id 0
	Stdout []byte `json:"stdout,omitempty"`
	Done   bool   `json:"done,omitempty"`
	Stderr []byte `json:"stderr,omitempty"`
	Exit   int    `json:"exit"`
	Err    string `json:"err,omitempty"` // the command could not run at all
}

// BaseEnv is the environment every command inside starts from.
var BaseEnv = []string{
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/root",
	"LANG=C.UTF-8",
	"DM_DISABLE_UDEV=1",
	"KVMBACKUP_IN_APPLIANCE=1",
}

// FindPort returns the /dev/vportNpM whose name is PortName (no udev, no symlink).
func FindPort() (string, error) {
	names, _ := filepath.Glob("/sys/class/virtio-ports/*/name")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err == nil && strings.TrimSpace(string(b)) == PortName {
			return "/dev/" + filepath.Base(filepath.Dir(n)), nil
		}
	}
	return "", fmt.Errorf("no virtio-serial port named %s", PortName)
}

// Serve runs requests from rw until it closes.
func Serve(ctx context.Context, rw io.ReadWriter) error {
	var wmu sync.Mutex
	send := func(r Reply) {
		b, _ := json.Marshal(r)
		wmu.Lock()
		defer wmu.Unlock()
		rw.Write(append(b, '\n'))
	}
	send(Reply{Ready: true})
	sc := bufio.NewScanner(rw)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	var wg sync.WaitGroup
	defer wg.Wait()
	for sc.Scan() {
		var req Request
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			send(Reply{Done: true, Exit: -1, Err: "bad request: " + err.Error()})
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			send(run(ctx, req, func(p []byte) { send(Reply{ID: req.ID, Stdout: p}) }))
		}()
	}
	return sc.Err()
}

type funcWriter func([]byte)

func (f funcWriter) Write(p []byte) (int, error) {
	f(append([]byte(nil), p...))
	return len(p), nil
}

func run(ctx context.Context, req Request, stdout func([]byte)) Reply {
	if len(req.Argv) == 0 {
		return Reply{ID: req.ID, Done: true, Exit: -1, Err: "empty argv"}
	}
	if req.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Timeout)
		defer cancel()
	}
	if req.Dir != "" {
		// exec reports a missing working directory as a missing binary: say it here.
		if _, err := os.Stat(req.Dir); err != nil {
			return Reply{ID: req.ID, Done: true, Exit: -1, Err: "working directory: " + err.Error()}
		}
	}
	tool := runner.Tool{Path: req.Argv[0], Env: append(append([]string(nil), BaseEnv...), req.Env...)}
	opts := runner.Options{Dir: req.Dir, Stdout: funcWriter(stdout)}
	if req.Stdin != nil {
		opts.Stdin = bytes.NewReader(req.Stdin)
	}
	res, err := tool.RunWith(ctx, opts, req.Argv[1:]...)
	rep := Reply{ID: req.ID, Done: true, Stderr: res.Stderr}
	var ee *runner.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		rep.Exit = ee.ExitCode
	default:
		rep.Exit = -1
		rep.Err = err.Error()
	}
	return rep
}

// Client talks to an agent over a connection.
type Client struct {
	conn  net.Conn
	wmu   sync.Mutex
	mu    sync.Mutex
	next  uint64
	calls map[uint64]chan Reply
	ready chan struct{}
	err   error // set when the reader ends
	done  chan struct{}
}

// NewClient starts reading replies from conn.
func NewClient(conn net.Conn) *Client {
	c := &Client{conn: conn, calls: map[uint64]chan Reply{}, ready: make(chan struct{}), done: make(chan struct{})}
	go c.read()
	return c
}

func (c *Client) read() {
	sc := bufio.NewScanner(c.conn)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	readyOnce := sync.Once{}
	for sc.Scan() {
		var r Reply
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			continue // noise before the agent started
		}
		if r.Ready {
			readyOnce.Do(func() { close(c.ready) })
			continue
		}
		c.mu.Lock()
		ch := c.calls[r.ID]
		c.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
	c.mu.Lock()
	c.err = sc.Err()
	if c.err == nil {
		c.err = io.EOF
	}
	c.mu.Unlock()
	close(c.done)
}

// WaitReady waits for the agent's hello.
func (c *Client) WaitReady(ctx context.Context) error {
	select {
	case <-c.ready:
		return nil
	case <-c.done:
		return fmt.Errorf("control channel closed before the agent started: %v", c.err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Result is a finished command inside.
type Result struct {
	Stdout []byte
	Stderr []byte
	Exit   int
}

// Exec runs req inside, streaming its stdout to stdout (when not nil; else it is kept
// in the Result). An error means the command could not run or the channel broke; a
// non-zero exit is in Result.Exit.
func (c *Client) Exec(ctx context.Context, req Request, stdout io.Writer) (Result, error) {
	ch := make(chan Reply, 64)
	c.mu.Lock()
	c.next++
	req.ID = c.next
	c.calls[req.ID] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.calls, req.ID)
		c.mu.Unlock()
	}()
	if dl, ok := ctx.Deadline(); ok && req.Timeout == 0 {
		req.Timeout = time.Until(dl)
	}
	b, err := json.Marshal(req)
	if err != nil {
		return Result{}, err
	}
	c.wmu.Lock()
	_, err = c.conn.Write(append(b, '\n'))
	c.wmu.Unlock()
	if err != nil {
		return Result{}, fmt.Errorf("send %q to the appliance: %w", req.Argv, err)
	}
	var res Result
	for {
		select {
		case r := <-ch:
			if !r.Done {
				if stdout != nil {
					stdout.Write(r.Stdout)
				} else {
					res.Stdout = append(res.Stdout, r.Stdout...)
				}
				continue
			}
			res.Stderr, res.Exit = r.Stderr, r.Exit
			if r.Err != "" {
				return res, fmt.Errorf("appliance: %s", r.Err)
			}
			return res, nil
		case <-c.done:
			return res, fmt.Errorf("appliance control channel closed while running %q: %v", req.Argv, c.err)
		case <-ctx.Done():
			return res, fmt.Errorf("appliance command %q: %w", req.Argv, ctx.Err())
		}
	}
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }
