package hypervisor

import (
	"context"
	"errors"

	"libvirt.org/go/libvirt"
)

// domainOps is the seam between a Group and libvirt: the calls a Group makes on a
// domain, named by its name. Tests put a fake here to make a call land late.
//
// Contract: each method is one blocking libvirt call that takes no context and
// cannot be interrupted (a C call): it returns when libvirt answers, however long
// after its caller gave up waiting. An unknown domain is an error wrapping
// ErrNotFound. mark sets kvmbackup's live mark to xml, or clears it when xml is ""
// (clearing an absent mark is not an error). fsFreeze refuses a guest whose agent
// reports no filesystem. resume is not an error on a domain that is not paused.
type domainOps interface {
	describe(name string) (Domain, error)
	state(name string) (State, error)
	mark(name, xml string) error
	fsFreeze(name string) error
	fsThaw(name string) error
	sendSysrqSync(name string) error
	suspend(name string) error
	resume(name string) error
}

// connector keeps a Group's connection usable. Contract: reconnect replaces a
// connection that is no longer alive (libvirtd restarted) with a new one to the same
// daemon, and does nothing to a live one; it returns within ctx. The domainOps calls
// after it use the new connection.
type connector interface {
	reconnect(ctx context.Context) error
}

// libvirtOps is domainOps on a real connection.
type libvirtOps struct{ c *Conn }

func (o libvirtOps) describe(name string) (Domain, error) {
	var d Domain
	err := o.c.onDomain(name, func(dom *libvirt.Domain) error {
		var err error
		d, err = describe(dom)
		return err
	})
	return d, err
}

func (o libvirtOps) state(name string) (State, error) {
	var st State
	err := o.c.onDomain(name, func(dom *libvirt.Domain) error {
		s, _, err := dom.GetState()
		st = stateOf(s)
		return err
	})
	return st, err
}

func (o libvirtOps) mark(name, xml string) error {
	return o.c.onDomain(name, func(dom *libvirt.Domain) error {
		if xml == "" {
			return clearMark(dom)
		}
		return dom.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, xml, "kvmbackup", markNS, libvirt.DOMAIN_AFFECT_LIVE)
	})
}

func (o libvirtOps) fsFreeze(name string) error {
	return o.c.onDomain(name, func(dom *libvirt.Domain) error {
		fs, err := dom.GetFSInfo(0)
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return errors.New("the guest agent reports no filesystem to freeze")
		}
		return dom.FSFreeze(nil, 0)
	})
}

func (o libvirtOps) fsThaw(name string) error {
	return o.c.onDomain(name, func(dom *libvirt.Domain) error { return dom.FSThaw(nil, 0) })
}

func (o libvirtOps) sendSysrqSync(name string) error {
	return o.c.onDomain(name, func(dom *libvirt.Domain) error {
		return dom.SendKey(uint(libvirt.KEYCODE_SET_LINUX), 0, []uint{keyLeftAlt, keySysRq, keyS}, 0)
	})
}

func (o libvirtOps) suspend(name string) error {
	return o.c.onDomain(name, func(dom *libvirt.Domain) error { return dom.Suspend() })
}

func (o libvirtOps) resume(name string) error {
	return o.c.onDomain(name, func(dom *libvirt.Domain) error {
		err := dom.Resume()
		if lverr(err, libvirt.ERR_OPERATION_INVALID) {
			return nil // not paused (running, or no longer active): nothing to resume
		}
		return err
	})
}

func clearMark(dom *libvirt.Domain) error {
	err := dom.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, "", "", markNS, libvirt.DOMAIN_AFFECT_LIVE)
	if lverr(err, libvirt.ERR_NO_DOMAIN_METADATA) {
		return nil
	}
	return err
}
