package hypervisor

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// ErrNotFound is an unknown domain; the error wrapping it names the domain.
var ErrNotFound = errors.New("no such domain")

// IsNotFound reports whether err says a domain does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// State is a domain's state as libvirt reports it.
type State string

const (
	StateRunning     State = "running"
	StatePaused      State = "paused"
	StateShutoff     State = "shut off"
	StateShutdown    State = "shutting down"
	StateCrashed     State = "crashed"
	StateBlocked     State = "blocked"
	StatePMSuspended State = "pmsuspended"
	StateUnknown     State = "no state"
)

func stateOf(s libvirt.DomainState) State {
	switch s {
	case libvirt.DOMAIN_RUNNING:
		return StateRunning
	case libvirt.DOMAIN_PAUSED:
		return StatePaused
	case libvirt.DOMAIN_SHUTOFF:
		return StateShutoff
	case libvirt.DOMAIN_SHUTDOWN:
		return StateShutdown
	case libvirt.DOMAIN_CRASHED:
		return StateCrashed
	case libvirt.DOMAIN_BLOCKED:
		return StateBlocked
	case libvirt.DOMAIN_PMSUSPENDED:
		return StatePMSuspended
	}
	return StateUnknown
}

// Domain is what kvmbackup needs to know of a domain.
type Domain struct {
	Name       string `json:"name"`
	UUID       string `json:"uuid"`
	State      State  `json:"state"`
	Persistent bool   `json:"persistent"`
	// AgentChannel: the domain has a qemu-guest-agent channel; AgentConnected: an
	// agent is listening on it now (libvirt's view, no guest command sent).
	AgentChannel   bool   `json:"agent_channel"`
	AgentConnected bool   `json:"agent_connected"`
	Disks          []Disk `json:"disks"`
}

// Disk is one disk of a domain, from its XML.
type Disk struct {
	Target    string `json:"target"`           // vda, sdb, …
	Device    string `json:"device"`           // disk, cdrom, floppy, lun
	Type      string `json:"type"`             // file, block, network, volume, …
	Source    string `json:"source,omitempty"` // the file or block device path
	Format    string `json:"format,omitempty"` // raw, qcow2, …
	ReadOnly  bool   `json:"readonly,omitempty"`
	Shareable bool   `json:"shareable,omitempty"`
	// Backing: the image's backing file (from the XML, or a qcow2 header read on the
	// host); BackingErr: why the header could not be read.
	Backing    string `json:"backing,omitempty"`
	BackingErr string `json:"backing_error,omitempty"`
}

// Domains lists every domain (defined or running), sorted by name.
func (c *Conn) Domains(ctx context.Context) ([]Domain, error) {
	var out []Domain
	err := c.call(ctx, "list domains", func() error {
		doms, err := c.lv().ListAllDomains(0)
		if err != nil {
			return err
		}
		defer freeAll(doms)
		for i := range doms {
			d, err := describe(&doms[i])
			if err != nil {
				if lverr(err, libvirt.ERR_NO_DOMAIN) {
					continue // gone while listing
				}
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Domain describes one domain; an unknown name is an error wrapping ErrNotFound.
func (c *Conn) Domain(ctx context.Context, name string) (Domain, error) {
	var d Domain
	err := c.withDomain(ctx, name, "describe", func(dom *libvirt.Domain) error {
		var err error
		d, err = describe(dom)
		return err
	})
	return d, err
}

// DomainXML returns a domain's definition for a later restore --define: the
// persistent (inactive) definition of a persistent domain, the live one otherwise,
// with secure information kept.
func (c *Conn) DomainXML(ctx context.Context, name string) (string, error) {
	var xml string
	err := c.withDomain(ctx, name, "export XML of", func(dom *libvirt.Domain) error {
		flags := libvirt.DOMAIN_XML_SECURE
		if p, err := dom.IsPersistent(); err == nil && p {
			flags |= libvirt.DOMAIN_XML_INACTIVE
		}
		var err error
		xml, err = dom.GetXMLDesc(flags)
		return err
	})
	return xml, err
}

func describe(dom *libvirt.Domain) (Domain, error) {
	var d Domain
	var err error
	if d.Name, err = dom.GetName(); err != nil {
		return d, err
	}
	if d.UUID, err = dom.GetUUIDString(); err != nil {
		return d, err
	}
	st, _, err := dom.GetState()
	if err != nil {
		return d, err
	}
	d.State = stateOf(st)
	if d.Persistent, err = dom.IsPersistent(); err != nil {
		return d, err
	}
	raw, err := dom.GetXMLDesc(0)
	if err != nil {
		return d, err
	}
	var def libvirtxml.Domain
	if err := def.Unmarshal(raw); err != nil {
		return d, fmt.Errorf("parse the XML of domain %s: %w", d.Name, err)
	}
	d.Disks = DisksOf(&def)
	probeBacking(d.Disks)
	d.AgentChannel, d.AgentConnected = agentOf(&def)
	return d, nil
}

// DisksOf lists the disks of a domain definition as Domains reports them.
func DisksOf(def *libvirtxml.Domain) []Disk {
	if def.Devices == nil {
		return nil
	}
	var out []Disk
	for _, x := range def.Devices.Disks {
		d := Disk{Device: x.Device, ReadOnly: x.ReadOnly != nil, Shareable: x.Shareable != nil}
		if d.Device == "" {
			d.Device = "disk"
		}
		if x.Target != nil {
			d.Target = x.Target.Dev
		}
		if x.Driver != nil {
			d.Format = x.Driver.Type
		}
		if s := x.Source; s != nil {
			switch {
			case s.File != nil:
				d.Type, d.Source = "file", s.File.File
			case s.Block != nil:
				d.Type, d.Source = "block", s.Block.Dev
			case s.Volume != nil:
				d.Type, d.Source = "volume", s.Volume.Pool+"/"+s.Volume.Volume
			case s.Network != nil:
				d.Type, d.Source = "network", s.Network.Protocol+":"+s.Network.Name
			case s.Dir != nil:
				d.Type, d.Source = "dir", s.Dir.Dir
			default:
				d.Type = "other"
			}
		}
		d.Backing = backingOf(x.BackingStore)
		out = append(out, d)
	}
	return out
}

// backingOf names the first layer of a backing chain in the XML ("" for none, or for
// the empty <backingStore/> that says there is none).
func backingOf(b *libvirtxml.DomainDiskBackingStore) string {
	if b == nil || b.Source == nil {
		return ""
	}
	switch s := b.Source; {
	case s.File != nil && s.File.File != "":
		return s.File.File
	case s.Block != nil && s.Block.Dev != "":
		return s.Block.Dev
	case s.Network != nil:
		return s.Network.Protocol + ":" + s.Network.Name
	case s.Volume != nil:
		return s.Volume.Pool + "/" + s.Volume.Volume
	case s.Dir != nil:
		return s.Dir.Dir
	}
	return ""
}

// agentOf reports whether the domain has a guest agent channel and whether libvirt
// sees an agent connected on it (the live XML's target state).
func agentOf(def *libvirtxml.Domain) (channel, connected bool) {
	if def.Devices == nil {
		return false, false
	}
	for _, ch := range def.Devices.Channels {
		if ch.Target != nil && ch.Target.VirtIO != nil && ch.Target.VirtIO.Name == "org.qemu.guest_agent.0" {
			return true, ch.Target.VirtIO.State == "connected"
		}
	}
	return false, false
}

// withDomain looks name up and runs f on it; an unknown name wraps ErrNotFound.
func (c *Conn) withDomain(ctx context.Context, name, what string, f func(*libvirt.Domain) error) error {
	return c.call(ctx, what+" domain "+name, func() error { return c.onDomain(name, f) })
}

// onDomain looks name up and runs f on it, blocking (no context: see call); an
// unknown name wraps ErrNotFound.
func (c *Conn) onDomain(name string, f func(*libvirt.Domain) error) error {
	conn := c.lv()
	if conn == nil {
		return fmt.Errorf("domain %s: the connection to %s is closed", name, c.URI)
	}
	dom, err := conn.LookupDomainByName(name)
	if err != nil {
		if lverr(err, libvirt.ERR_NO_DOMAIN) {
			return fmt.Errorf("%w %q on %s", ErrNotFound, name, c.URI)
		}
		return err
	}
	defer dom.Free()
	return f(dom)
}

func freeAll(doms []libvirt.Domain) {
	for i := range doms {
		doms[i].Free()
	}
}

// lverr reports whether err is a libvirt error with the given code.
func lverr(err error, code libvirt.ErrorNumber) bool {
	var le libvirt.Error
	return errors.As(err, &le) && le.Code == code
}

// call runs a libvirt call that takes no context: it runs aside, and when ctx ends
// first call returns ctx's error naming what (the C call finishes on its own).
func (c *Conn) call(ctx context.Context, what string, f func() error) error {
	return callAside(ctx, what, f)
}

// callAside runs f aside; when ctx ends first it returns ctx's cause naming what.
func callAside(ctx context.Context, what string, f func() error) error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	select {
	case err := <-ch:
		if err != nil {
			if IsNotFound(err) {
				return err
			}
			return fmt.Errorf("%s: %w", what, libvirtError(err))
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
}
