package replica

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// The sending side of the protocol: a Client makes the requests of Receiver.Serve
// through a Caller, the same for both kinds of target. For ssh://, the Caller runs
// ssh into the receiving host, whose forced command is `kvmbackup receive`; for
// zfs:// (a second pool on this host) it is Serve itself, in process: the requests,
// their checks and the stream through an OS pipe are the same.

// Caller makes one request of a receiver: stdin is a receive's stream (nil for the
// other requests), stdout gets the answer. An error is the request's failure.
type Caller func(ctx context.Context, request string, stdin io.Reader, stdout io.Writer) error

// Local is the Caller of a receiver on this host: rc answers in process.
func Local(rc *Receiver) Caller {
	return func(ctx context.Context, request string, stdin io.Reader, stdout io.Writer) error {
		if stdin == nil {
			stdin = bytes.NewReader(nil)
		}
		return rc.Serve(ctx, request, stdin, stdout)
	}
}

// SSH says how to reach a receiver over ssh.
type SSH struct {
	User, Host string
	Port       int    // 0: ssh's default
	Key        string // the private key (ssh -i)
	KnownHosts string // the receiver's host key, checked strictly
	Tool       runner.Tool
}

// Args are ssh's arguments for request: the key only (IdentitiesOnly), the host key
// checked against KnownHosts alone, never a prompt (BatchMode).
func (s SSH) Args(request string) []string {
	args := []string{"-i", s.Key, "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=" + s.KnownHosts,
		"-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"}
	if s.Port != 0 {
		args = append(args, "-p", strconv.Itoa(s.Port))
	}
	return append(args, s.User+"@"+s.Host, "--", request)
}

// Caller runs each request as `ssh ... USER@HOST -- REQUEST` through the runner.
func (s SSH) Caller() Caller {
	tool := s.Tool
	if tool.Path == "" {
		tool = runner.New("ssh")
	}
	return func(ctx context.Context, request string, stdin io.Reader, stdout io.Writer) error {
		_, err := tool.RunWith(ctx, runner.Options{Stdin: stdin, Stdout: stdout}, s.Args(request)...)
		return err
	}
}

// Client makes the requests of one receiver.
type Client struct {
	Call Caller
	// Limit is at most this many bytes per second of a receive's stream; 0: none.
	Limit int64
}

// List asks what the receiver holds.
func (c *Client) List(ctx context.Context) (Listing, error) {
	var out bytes.Buffer
	if err := c.Call(ctx, VerbList, nil, &out); err != nil {
		return Listing{}, err
	}
	var l Listing
	if err := json.Unmarshal(out.Bytes(), &l); err != nil {
		return Listing{}, fmt.Errorf("the receiver's answer to list is not a listing: %w", err)
	}
	return l, nil
}

// Receive sends what produce writes into rel (receive REL) through an OS pipe and
// returns the bytes of the stream; a failure of either side fails both.
func (c *Client) Receive(ctx context.Context, rel string, produce func(ctx context.Context, w io.Writer) error) (int64, error) {
	return runner.Pipe(ctx, produce, func(ctx context.Context, r io.Reader) error {
		if c.Limit > 0 {
			r = &throttled{ctx: ctx, r: r, rate: c.Limit, start: time.Now()}
		}
		return c.Call(ctx, VerbReceive+" "+rel, r, io.Discard)
	})
}

// Abort discards the state of an interrupted receive into rel (abort REL).
func (c *Client) Abort(ctx context.Context, rel string) error {
	return c.Call(ctx, VerbAbort+" "+rel, nil, io.Discard)
}

// throttled reads r at most rate bytes per second on average since start.
type throttled struct {
	ctx   context.Context
	r     io.Reader
	rate  int64
	start time.Time
	n     int64
}

func (t *throttled) Read(p []byte) (int, error) {
	if max := max(t.rate/10, 1); int64(len(p)) > max { // about 100 ms of data at a time
		p = p[:max]
	}
	n, err := t.r.Read(p)
	t.n += int64(n)
	due := time.Duration(float64(t.n) / float64(t.rate) * float64(time.Second))
	if wait := due - time.Since(t.start); wait > 0 {
		select {
		case <-time.After(wait):
		case <-t.ctx.Done():
			return n, t.ctx.Err()
		}
	}
	return n, err
}
