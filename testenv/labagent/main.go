// Command labagent runs inside the lab's appliance VM: it serves the control channel
// (testenv/internal/labctl) on the virtio-serial port named kvmbackup.ctl, running each
// command it is sent in the appliance's root and streaming back its output and status.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/testenv/internal/labctl"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: labagent serve   (inside the kvmbackup lab appliance only)")
		os.Exit(2)
	}
	// Commands are looked up in the agent's own PATH: give it the base one (init's
	// busybox PATH has no sbin).
	for _, kv := range labctl.BaseEnv {
		if k, v, ok := strings.Cut(kv, "="); ok {
			os.Setenv(k, v)
		}
	}
	port, err := labctl.FindPort()
	if err != nil {
		fmt.Fprintln(os.Stderr, "labagent:", err)
		os.Exit(1)
	}
	f, err := os.OpenFile(port, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "labagent:", err)
		os.Exit(1)
	}
	// The port reads EOF while the host side is not connected: serve again then.
	for {
		if err := labctl.Serve(context.Background(), f); err != nil {
			fmt.Fprintln(os.Stderr, "labagent:", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
