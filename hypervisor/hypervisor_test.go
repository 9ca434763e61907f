package hypervisor

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/testenv"
)

func TestConnectReportsTheRealHypervisor(t *testing.T) {
	testenv.Require(t, testenv.Libvirt)
	start := time.Now()
	c, err := Connect(t.Context(), "qemu:///system")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	in, err := c.Info()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("connect + info: %v: %+v", time.Since(start), in)
	if in.Hypervisor != "QEMU" || !strings.HasPrefix(in.LibvirtVersion, "9.") {
		t.Fatalf("unexpected hypervisor info %+v", in)
	}
}

func TestConnectNamesAnUnreachableURI(t *testing.T) {
	testenv.Require(t, testenv.Libvirt)
	uri := "qemu:///system?socket=/nonexistent/kvmbackup-test.sock"
	_, err := Connect(t.Context(), uri)
	if err == nil || !strings.Contains(err.Error(), uri) {
		t.Fatalf("want an error naming %s, got %v", uri, err)
	}
}

// libvirt's connect takes no context: a daemon that accepts and never answers would
// hang it. Connect must give up at the caller's deadline and say why.
func TestConnectHonoursTheDeadline(t *testing.T) {
	testenv.Require(t, testenv.Libvirt)
	sock := filepath.Join(t.TempDir(), "silent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepted, never answered
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Connect(ctx, "qemu:///system?socket="+sock)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Connect returned after %v, past its 500ms deadline", d)
	}
}
