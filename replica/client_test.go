package replica

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
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

// TestSSHCallerRunsSSH: each request is one ssh run with the request after "--", the
// stream on its stdin, the answer from its stdout; a failing ssh is the request's
// error with its stderr.
func TestSSHCallerRunsSSH(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "ssh")
	script := `#!/bin/sh
echo "$@" >> "` + dir + `/args"
for last; do :; done
case "$last" in
list) echo '{"root":"tank/r","datasets":[{"name":"web1","replica":true,"snapshots":[]}]}' ;;
receive*) cat > "` + dir + `/stream" ;;
*) echo "refused request \"$last\"" >&2; exit 2 ;;
esac
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Client{Call: SSH{User: "root", Host: "b2", Key: "/k", KnownHosts: "/h", Tool: runner.New(fake)}.Caller()}
	ctx := context.Background()
	l, err := c.List(ctx)
	if err != nil || len(l.Datasets) != 1 || l.Datasets[0].Name != "web1" {
		t.Fatalf("list: %+v %v", l, err)
	}
	if n, err := c.Receive(ctx, "web1", func(ctx context.Context, w io.Writer) error {
		_, err := io.WriteString(w, "STREAM")
		return err
	}); err != nil || n != 6 {
		t.Fatalf("receive: %d %v", n, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "stream")); string(b) != "STREAM" {
		t.Errorf("the receiver got %q", b)
	}
	if err := c.Abort(ctx, "web1"); err == nil || !strings.Contains(err.Error(), `refused request "abort web1"`) {
		t.Errorf("abort: %v", err)
	}
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	if lines := strings.Split(strings.TrimSpace(string(args)), "\n"); len(lines) != 3 || !strings.HasSuffix(lines[1], "StrictHostKeyChecking=yes -o BatchMode=yes root@b2 -- receive web1") {
		t.Errorf("ssh ran with:\n%s", args)
	}
}
