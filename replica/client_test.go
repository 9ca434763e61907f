package replica

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestSSHArgs: the key only, the host key checked strictly, no prompt, the request
// after "--".
func TestSSHArgs(t *testing.T) {
	got := strings.Join(SSH{User: "root", Host: "b2", Port: 2222, Key: "/k", KnownHosts: "/h"}.Args("receive web1"), " ")
	want := "-i /k -o IdentitiesOnly=yes -o UserKnownHostsFile=/h -o StrictHostKeyChecking=yes -o BatchMode=yes -p 2222 root@b2 -- receive web1"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestClientThrottles: a limited receive takes about bytes/limit, and every byte
// reaches the receiver.
func TestClientThrottles(t *testing.T) {
	var got bytes.Buffer
	c := &Client{Limit: 100 << 10, Call: func(ctx context.Context, req string, in io.Reader, out io.Writer) error {
		if req != "receive web1" {
			t.Errorf("request %q", req)
		}
		_, err := io.Copy(&got, in)
		return err
	}}
	start := time.Now()
	n, err := c.Receive(context.Background(), "web1", func(ctx context.Context, w io.Writer) error {
		_, err := w.Write(make([]byte, 50<<10))
		return err
	})
	took := time.Since(start)
	if err != nil || n != 50<<10 || got.Len() != 50<<10 {
		t.Fatalf("n %d, received %d, err %v", n, got.Len(), err)
	}
	if took < 400*time.Millisecond || took > 3*time.Second {
		t.Errorf("50K at 100K/s took %v, want about 0.5s", took)
	}
}
