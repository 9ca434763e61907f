// Package qga owns the QEMU guest agent's commands for running a program in a guest
// (guest-exec, then guest-exec-status until it exited), their JSON and its decoding.
// It sends nothing itself: the caller's Send carries one command to the agent and
// returns its reply (libvirt's QemuAgentCommand in package hypervisor, virsh
// qemu-agent-command in the test lab). The replies are the guest's word: they are
// parsed strictly and the output bounded by the caller.
package qga

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Send carries one agent command (JSON) to the guest's agent and returns its reply.
type Send func(ctx context.Context, command string) (string, error)

// Status is a finished guest-exec: its exit code (-1 when a signal ended it), the
// signal, and its output, decoded.
type Status struct {
	Exit                       int
	Signal                     int
	Stdout, Stderr             []byte
	OutTruncated, ErrTruncated bool // cut by the agent
}

// ErrNotExited: ctx ended before the program exited (it goes on in the guest).
var ErrNotExited = errors.New("not exited")

// Exec runs argv[0] with argv[1:] in the guest (guest-exec, output captured) and asks
// guest-exec-status every poll until it exited, or ctx ends (an error wrapping
// ErrNotExited and ctx's cause).
func Exec(ctx context.Context, send Send, argv []string, poll time.Duration) (Status, error) {
	if len(argv) == 0 {
		return Status{}, errors.New("no command")
	}
	args := map[string]any{"path": argv[0], "capture-output": true}
	if len(argv) > 1 {
		args["arg"] = argv[1:]
	}
	req, err := json.Marshal(map[string]any{"execute": "guest-exec", "arguments": args})
	if err != nil {
		return Status{}, err
	}
	out, err := send(ctx, string(req))
	if err != nil {
		return Status{}, err
	}
	var started struct {
		Return struct {
			PID *int `json:"pid"`
		} `json:"return"`
	}
	if err := json.Unmarshal([]byte(out), &started); err != nil || started.Return.PID == nil {
		return Status{}, fmt.Errorf("the agent's guest-exec reply %.200q has no pid (%v)", out, err)
	}
	status := fmt.Sprintf(`{"execute":"guest-exec-status","arguments":{"pid":%d}}`, *started.Return.PID)
	for {
		reply, err := send(ctx, status)
		if err != nil {
			return Status{}, err
		}
		st, exited, err := parseStatus(reply)
		if err != nil || exited {
			return st, err
		}
		select {
		case <-ctx.Done():
			return Status{}, fmt.Errorf("%w: %w", ErrNotExited, context.Cause(ctx))
		case <-time.After(poll):
		}
	}
}

// parseStatus decodes a guest-exec-status reply; exited is false while the program
// runs.
func parseStatus(reply string) (Status, bool, error) {
	var st struct {
		Return struct {
			Exited       bool   `json:"exited"`
			ExitCode     *int   `json:"exitcode"`
			Signal       *int   `json:"signal"`
			OutData      string `json:"out-data"`
			ErrData      string `json:"err-data"`
			OutTruncated bool   `json:"out-truncated"`
			ErrTruncated bool   `json:"err-truncated"`
		} `json:"return"`
	}
	if err := json.Unmarshal([]byte(reply), &st); err != nil {
		return Status{}, false, fmt.Errorf("guest-exec-status reply %.200q: %w", reply, err)
	}
	r := st.Return
	if !r.Exited {
		return Status{}, false, nil
	}
	s := Status{Exit: -1, OutTruncated: r.OutTruncated, ErrTruncated: r.ErrTruncated}
	if r.ExitCode != nil {
		s.Exit = *r.ExitCode
	}
	if r.Signal != nil {
		s.Signal = *r.Signal
	}
	var err error
	if s.Stdout, err = base64.StdEncoding.DecodeString(r.OutData); err != nil {
		return s, true, fmt.Errorf("its stdout: %w", err)
	}
	if s.Stderr, err = base64.StdEncoding.DecodeString(r.ErrData); err != nil {
		return s, true, fmt.Errorf("its stderr: %w", err)
	}
	return s, true, nil
}
