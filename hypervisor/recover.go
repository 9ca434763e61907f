package hypervisor

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"

	"github.com/rs/zerolog"
	"libvirt.org/go/libvirt"
)

// Recovered is what Recover did to one marked domain.
type Recovered struct {
	Name   string `json:"name"`
	Run    string `json:"run"`    // the run that marked it
	Action string `json:"action"` // "resumed", "thawed", "unmarked" (it was running)
}

// Recover undoes what a crashed run left: every running or paused domain that carries
// kvmbackup's mark is thawed (agent mode) and resumed if paused, and the mark cleared.
// A domain without the mark is never touched, even when paused: someone else paused
// it. A boot verify's throwaway carries its own mark, not this one, and is left alone
// too (Throwaways and DestroyThrowaway are for those). This covers SIGKILL and power
// loss of the kvmbackup process; it must not run while another run is freezing (the
// caller holds the run lock).
func (c *Conn) Recover(ctx context.Context) ([]Recovered, error) {
	log := zerolog.Ctx(ctx).With().Str("component", "hypervisor").Logger()
	var names []string
	err := c.call(ctx, "list active domains", func() error {
		doms, err := c.lv().ListAllDomains(libvirt.CONNECT_LIST_DOMAINS_ACTIVE)
		if err != nil {
			return err
		}
		defer freeAll(doms)
		for i := range doms {
			if n, err := doms[i].GetName(); err == nil {
				names = append(names, n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Recovered
	var errs []error
	for _, name := range names {
		r, err := c.recoverOne(ctx, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r != nil {
			log.Warn().Str("vm", r.Name).Str("run", r.Run).Str("action", r.Action).Msg("recovered a domain a crashed run left marked")
			out = append(out, *r)
		}
	}
	return out, errors.Join(errs...)
}

func (c *Conn) recoverOne(ctx context.Context, name string) (*Recovered, error) {
	var r *Recovered
	err := c.withDomain(ctx, name, "recover", func(dom *libvirt.Domain) error {
		raw, err := dom.GetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, markNS, libvirt.DOMAIN_AFFECT_LIVE)
		if lverr(err, libvirt.ERR_NO_DOMAIN_METADATA) {
			return nil // not ours
		}
		if err != nil {
			return err
		}
		var m mark
		if err := xml.Unmarshal([]byte(raw), &m); err != nil {
			return fmt.Errorf("kvmbackup mark on %s unreadable (%q): %w", name, raw, err)
		}
		r = &Recovered{Name: name, Run: m.Run, Action: "unmarked"}
		if m.Mode == ModeAgent {
			// Thaw whatever is frozen; an agent that is gone means nothing is frozen.
			if err := dom.FSThaw(nil, 0); err == nil {
				r.Action = "thawed"
			}
		}
		st, _, err := dom.GetState()
		if err != nil {
			return err
		}
		if st == libvirt.DOMAIN_PAUSED {
			if err := dom.Resume(); err != nil {
				return err
			}
			r.Action = "resumed"
		}
		return clearMark(dom)
	})
	if IsNotFound(err) {
		return nil, nil // gone meanwhile
	}
	return r, err
}
