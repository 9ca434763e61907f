// Package hypervisor owns kvmbackup's dealings with libvirt: connecting, domains and
// their disks, quiescing guests and resuming them, and a boot verify's throwaway
// domains: transient, marked with their run in live metadata (not the freeze mark:
// Recover leaves them alone), driven through the guest agent. It talks to libvirtd
// through libvirt.org/go/libvirt; every call that can block honours a context (the C
// calls do not, so they run with a deadline the caller gives).
package hypervisor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"libvirt.org/go/libvirt"
)

// Conn is a connection to one libvirt URI. A connection found dead (libvirtd
// restarted) is replaced by reconnect; the calls after it use the new one.
type Conn struct {
	URI  string
	mu   sync.Mutex
	conn *libvirt.Connect
	dead []*libvirt.Connect // replaced, closed by Close: calls on them may still run
}

// DefaultConnectTimeout bounds Connect when ctx has no deadline.
const DefaultConnectTimeout = 10 * time.Second

// Connect opens a connection to uri. libvirt's own connect does not take a context:
// it runs aside, and an abandoned attempt that succeeds later is closed.
func Connect(ctx context.Context, uri string) (*Conn, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultConnectTimeout)
		defer cancel()
	}
	type result struct {
		c   *libvirt.Connect
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := libvirt.NewConnect(uri)
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("connect to libvirt at %s: %w", uri, libvirtError(r.err))
		}
		return &Conn{URI: uri, conn: r.c}, nil
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, fmt.Errorf("connect to libvirt at %s: %w", uri, ctx.Err())
	}
}

// Close closes the connection.
func (c *Conn) Close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range c.dead {
		d.Close()
	}
	c.dead = nil
	if c.conn == nil {
		return nil
	}
	_, err := c.conn.Close()
	c.conn = nil
	return err
}

// lv is the current libvirt connection.
func (c *Conn) lv() *libvirt.Connect {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn
}

// reconnect replaces the connection when it is no longer alive (libvirtd restarted,
// its socket closed) with a new one to the same URI; a live connection is kept. The
// old one is closed only by Close: a call abandoned on it may still be running.
func (c *Conn) reconnect(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		if alive, err := c.conn.IsAlive(); err == nil && alive {
			return nil
		}
	}
	n, err := Connect(ctx, c.URI)
	if err != nil {
		return fmt.Errorf("reconnect: %w", err)
	}
	if c.conn != nil {
		c.dead = append(c.dead, c.conn)
	}
	c.conn = n.conn
	return nil
}

// Info is what a connection reports about its host.
type Info struct {
	Hypervisor        string // "QEMU"
	HypervisorVersion string // "7.2.0"
	LibvirtVersion    string // "9.0.0"
	Domains           int    // defined or running
}

// Info describes the hypervisor behind the connection.
func (c *Conn) Info() (Info, error) {
	var in Info
	conn := c.lv()
	typ, err := conn.GetType()
	if err != nil {
		return in, fmt.Errorf("libvirt %s: hypervisor type: %w", c.URI, libvirtError(err))
	}
	hv, err := conn.GetVersion()
	if err != nil {
		return in, fmt.Errorf("libvirt %s: hypervisor version: %w", c.URI, libvirtError(err))
	}
	lv, err := conn.GetLibVersion()
	if err != nil {
		return in, fmt.Errorf("libvirt %s: library version: %w", c.URI, libvirtError(err))
	}
	doms, err := conn.ListAllDomains(0)
	if err != nil {
		return in, fmt.Errorf("libvirt %s: list domains: %w", c.URI, libvirtError(err))
	}
	for _, d := range doms {
		d.Free()
	}
	return Info{Hypervisor: typ, HypervisorVersion: semver(hv), LibvirtVersion: semver(lv), Domains: len(doms)}, nil
}

// semver renders libvirt's packed version (major*1e6 + minor*1e3 + micro).
func semver(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v/1000000, v/1000%1000, v%1000)
}

// libvirtError keeps libvirt's message and drops its boilerplate.
func libvirtError(err error) error {
	var le libvirt.Error
	if errors.As(err, &le) {
		return fmt.Errorf("%s (libvirt error %d)", le.Message, le.Code)
	}
	return err
}
