package hypervisor

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"slices"
	"strings"
	"time"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	kvnames "github.com/kvmbackup/kvmbackup/internal/names"
	"github.com/kvmbackup/kvmbackup/internal/qga"
)

// throwawayNS is the XML namespace of the live-metadata mark of a boot verify's
// throwaway domain. It is not markNS: Recover resumes and thaws the domains with the
// freeze mark and leaves throwaways alone.
const throwawayNS = "https://kvmbackup.dev/xmlns/verify/1"

// throwawayPrefix is the mark's namespace prefix in the domain XML.
const throwawayPrefix = "kvmbackupverify"

// throwawayMark is the content of that metadata element.
type throwawayMark struct {
	XMLName xml.Name `xml:"verify"`
	Run     string   `xml:"run,attr"`
}

// ErrNoScreen is a domain without a graphics or video device: it has no screen to
// take a shot of.
var ErrNoScreen = errors.New("the domain has no screen (no graphics or video device)")

// ExecResult is how a command run in the guest through guest-exec ended.
type ExecResult struct {
	// Exit is the command's exit code; -1 when it did not exit (killed by Signal).
	Exit   int `json:"exit"`
	Signal int `json:"signal,omitempty"`
	// Stdout and Stderr are its output, each cut at MaxExecOutput; *Truncated: cut
	// here or by the agent (qemu-ga keeps 16 MiB).
	Stdout          string `json:"stdout,omitempty"`
	Stderr          string `json:"stderr,omitempty"`
	StdoutTruncated bool   `json:"stdout_truncated,omitempty"`
	StderrTruncated bool   `json:"stderr_truncated,omitempty"`
}

// MaxExecOutput is how much of a guest command's stdout, and of its stderr,
// AgentExec returns.
const MaxExecOutput = 64 << 10

// Guest agent timeouts: a guest-ping is answered at once by a live agent, so a
// guest whose agent is not up fails within agentPingTimeout; any other command
// waits up to agentCommandTimeout; guest-exec-status is asked every execPoll.
var (
	agentPingTimeout    = 3 * time.Second
	agentCommandTimeout = 10 * time.Second
	execPoll            = 100 * time.Millisecond
)

// StartThrowaway creates and starts xml as a transient domain (never defined: it
// cannot be autostarted and leaves no definition), marked with live metadata as run
// runID's throwaway; it returns the domain's name. The mark is in the XML it is
// created from, so the domain is never without it; a mark of kvmbackup's (freeze or
// throwaway) that the saved definition carries is dropped. A definition with a
// network interface is refused: the throwaway is a copy of a VM that may be running
// on that network. Its display servers are removed (headless): its screen is seen
// only through Screenshot. It is created with autodestroy: libvirt destroys it when this
// connection closes (the process ended, even SIGKILLed); Throwaways and
// DestroyThrowaway are for what is left when libvirtd did not (it restarted).
func (c *Conn) StartThrowaway(ctx context.Context, xmlDef, runID string) (string, error) {
	if !kvnames.ValidRunID(runID) {
		return "", fmt.Errorf("start a throwaway domain: run id %q does not match %s", runID, kvnames.RunIDPattern)
	}
	var def libvirtxml.Domain
	if err := def.Unmarshal(xmlDef); err != nil {
		return "", fmt.Errorf("start a throwaway domain: parse its definition: %w", err)
	}
	if def.Name == "" {
		return "", errors.New("start a throwaway domain: its definition has no name")
	}
	if def.Devices != nil && len(def.Devices.Interfaces) > 0 {
		return "", fmt.Errorf("start throwaway domain %s: its definition has %d network interface(s): a throwaway has none (Redefinition.NoNetwork)", def.Name, len(def.Devices.Interfaces))
	}
	headless(&def)
	var kept string
	if def.Metadata != nil {
		var err error
		if kept, err = dropMarks(def.Metadata.XML); err != nil {
			return "", fmt.Errorf("start throwaway domain %s: its <metadata>: %w", def.Name, err)
		}
	}
	// As libvirt writes an element set with SetMetadata; runID needs no escaping
	// (RunIDPattern).
	el := fmt.Sprintf(`<%[1]s:verify xmlns:%[1]s="%[2]s" run="%[3]s"/>`, throwawayPrefix, throwawayNS, runID)
	def.Metadata = &libvirtxml.DomainMetadata{XML: kept + el}
	out, err := def.Marshal()
	if err != nil {
		return "", fmt.Errorf("start throwaway domain %s: write its definition: %w", def.Name, err)
	}
	err = c.call(ctx, "start throwaway domain "+def.Name, func() error {
		dom, err := c.lv().DomainCreateXML(out, libvirt.DOMAIN_START_AUTODESTROY)
		if err != nil {
			return err
		}
		defer dom.Free()
		if ctx.Err() != nil { // the caller gave up waiting: it will not destroy it
			return errors.Join(ctx.Err(), dom.Destroy())
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return def.Name, nil // libvirt names a domain created from XML by its <name>
}

// headless removes a domain's display servers, keeping its video devices: every
// <graphics> (a saved one's fixed port or socket would clash with the running
// original's display, and its listen address would offer the copy's console, the
// original's data behind it, to whoever reaches it), and what needs a SPICE display
// (spicevmc and spiceport channels and USB redirection, SPICE audio). QEMU runs with
// no display; a screenshot is still taken of the video device.
func headless(def *libvirtxml.Domain) {
	dv := def.Devices
	if dv == nil {
		return
	}
	spice := func(s *libvirtxml.DomainChardevSource) bool {
		return s != nil && (s.SpiceVMC != nil || s.SpicePort != nil)
	}
	dv.Graphics = nil
	dv.Channels = slices.DeleteFunc(dv.Channels, func(c libvirtxml.DomainChannel) bool { return spice(c.Source) })
	dv.RedirDevs = slices.DeleteFunc(dv.RedirDevs, func(r libvirtxml.DomainRedirDev) bool { return spice(r.Source) })
	dv.Audios = slices.DeleteFunc(dv.Audios, func(a libvirtxml.DomainAudio) bool { return a.SPICE != nil })
}

// dropMarks returns the children of a <metadata> element (its inner XML) without
// those in kvmbackup's namespaces (the freeze mark, a throwaway mark).
func dropMarks(inner string) (string, error) {
	const open, closing = "<m>", "</m>"
	d := xml.NewDecoder(strings.NewReader(open + inner + closing))
	var b strings.Builder
	depth := 0
	var start int64
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				start = before
			}
		case xml.EndElement:
			depth--
			if depth == 1 {
				if ns := t.Name.Space; ns != markNS && ns != throwawayNS {
					b.WriteString((open + inner)[start:d.InputOffset()])
				}
			}
		}
	}
}

// throwawayOf returns the run id of dom's throwaway mark; ok false when it has none.
func throwawayOf(dom *libvirt.Domain) (run string, ok bool, err error) {
	raw, err := dom.GetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, throwawayNS, libvirt.DOMAIN_AFFECT_LIVE)
	if lverr(err, libvirt.ERR_NO_DOMAIN_METADATA) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	var m throwawayMark
	if err := xml.Unmarshal([]byte(raw), &m); err != nil {
		return "", false, fmt.Errorf("throwaway mark unreadable (%q): %w", raw, err)
	}
	return m.Run, true, nil
}

// agentTimeout is d, or less when ctx ends sooner, in whole seconds (at least 1).
func agentTimeout(ctx context.Context, d time.Duration) libvirt.DomainQemuAgentCommandTimeout {
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl))
	}
	return libvirt.DomainQemuAgentCommandTimeout(max(1, int(d/time.Second)))
}

// agent sends the guest agent command cmd (JSON) to the domain name and returns the
// agent's reply (JSON); what names the command in an error.
func (c *Conn) agent(ctx context.Context, name, what, cmd string, timeout time.Duration) (string, error) {
	var reply string
	err := c.withDomain(ctx, name, what+" in", func(dom *libvirt.Domain) error {
		var err error
		reply, err = dom.QemuAgentCommand(cmd, agentTimeout(ctx, timeout), 0)
		return err
	})
	return reply, err
}

// AgentPing returns nil when the domain's guest agent answered guest-ping; an agent
// that is not up fails within a few seconds.
func (c *Conn) AgentPing(ctx context.Context, name string) error {
	_, err := c.agent(ctx, name, "guest-ping", `{"execute":"guest-ping"}`, agentPingTimeout)
	return err
}

// AgentExec runs argv[0] with argv[1:] in the guest through guest-exec
// (capture-output), polls guest-exec-status until it exited or ctx ends, and returns
// its exit code and decoded output (each truncated to MaxExecOutput). When ctx ends
// first the command goes on in the guest.
func (c *Conn) AgentExec(ctx context.Context, name string, argv []string) (ExecResult, error) {
	what := fmt.Sprintf("guest-exec %q", argv)
	var sendErr error // libvirt's, which names the domain already
	send := func(ctx context.Context, cmd string) (string, error) {
		reply, err := c.agent(ctx, name, what, cmd, agentCommandTimeout)
		sendErr = err
		return reply, err
	}
	st, err := qga.Exec(ctx, send, argv, execPoll)
	switch {
	case err != nil && err == sendErr:
		return ExecResult{}, err
	case err != nil:
		return ExecResult{}, fmt.Errorf("%s in domain %s: %w", what, name, err)
	}
	res := ExecResult{Exit: st.Exit, Signal: st.Signal}
	var cut bool
	res.Stdout, cut = bounded(st.Stdout)
	res.StdoutTruncated = cut || st.OutTruncated
	res.Stderr, cut = bounded(st.Stderr)
	res.StderrTruncated = cut || st.ErrTruncated
	return res, nil
}

// bounded is a guest's output cut at MaxExecOutput.
func bounded(b []byte) (string, bool) {
	if len(b) > MaxExecOutput {
		return string(b[:MaxExecOutput]), true
	}
	return string(b), false
}

// maxScreenPixels bounds a screenshot's width × height (64 Mpixel): the guest sets
// its screen's mode.
const maxScreenPixels = 64 << 20

// Screenshot returns a PNG of the guest's first screen; ErrNoScreen (errors.Is) when
// the domain has no graphics device (no <graphics>, no <video> of a model other than
// none: a throwaway keeps only its video devices). libvirt (QEMU's screendump) gives a PNG with
// QEMU 7.1 and later (checked, its size bounded, and passed on: its pixels are the
// guest's, its encoding QEMU's), a binary PPM before (converted here).
func (c *Conn) Screenshot(ctx context.Context, name string) ([]byte, error) {
	var raw []byte
	var mime string
	err := c.withDomain(ctx, name, "take a screenshot of", func(dom *libvirt.Domain) error {
		x, err := dom.GetXMLDesc(0)
		if err != nil {
			return err
		}
		var def libvirtxml.Domain
		if err := def.Unmarshal(x); err != nil {
			return fmt.Errorf("parse its XML: %w", err)
		}
		if !hasScreen(&def) {
			return ErrNoScreen
		}
		st, err := c.lv().NewStream(0)
		if err != nil {
			return err
		}
		defer st.Free()
		if mime, err = dom.Screenshot(st, 0, 0); err != nil {
			return err
		}
		limit := int64(3*maxScreenPixels + 64)
		raw, err = io.ReadAll(io.LimitReader(streamReader{st}, limit+1))
		if err != nil {
			st.Abort()
			return err
		}
		if int64(len(raw)) > limit {
			st.Abort()
			return fmt.Errorf("the screenshot is over %d bytes", limit)
		}
		return st.Finish()
	})
	if err != nil {
		return nil, err
	}
	out, err := screenPNG(raw)
	if err != nil {
		return nil, fmt.Errorf("screenshot of domain %s (%s, %d bytes): %w", name, mime, len(raw), err)
	}
	return out, nil
}

// hasScreen reports whether a domain has a screen: a <graphics> device, or a <video>
// device of a model other than none.
func hasScreen(def *libvirtxml.Domain) bool {
	if def.Devices == nil {
		return false
	}
	if len(def.Devices.Graphics) > 0 {
		return true
	}
	for _, v := range def.Devices.Videos {
		if v.Model.Type != "none" {
			return true
		}
	}
	return false
}

// streamReader reads a libvirt stream (Recv returns 0 at its end).
type streamReader struct{ s *libvirt.Stream }

func (r streamReader) Read(p []byte) (int, error) {
	n, err := r.s.Recv(p)
	if err != nil {
		return n, err
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// screenPNG makes a PNG of a screendump: a binary PPM (P6, maxval 255) is converted;
// a PNG is checked (its size bounded) and returned as is; anything else is refused.
func screenPNG(raw []byte) ([]byte, error) {
	if bytes.HasPrefix(raw, pngMagic) {
		cfg, err := png.DecodeConfig(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("an unreadable PNG: %w", err)
		}
		if int64(cfg.Width)*int64(cfg.Height) > maxScreenPixels {
			return nil, fmt.Errorf("a PNG of %dx%d pixels, over %d", cfg.Width, cfg.Height, maxScreenPixels)
		}
		return raw, nil
	}
	img, err := decodePPM(raw)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// decodePPM decodes a binary PPM (P6) of maxval 255, at most maxScreenPixels.
func decodePPM(raw []byte) (*image.NRGBA, error) {
	r := bufio.NewReader(bytes.NewReader(raw))
	magic := make([]byte, 2)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != "P6" {
		return nil, fmt.Errorf("not a binary PPM (P6) image: starts %.8q", raw)
	}
	var v [3]int
	for i := range v {
		n, err := ppmNumber(r)
		if err != nil {
			return nil, fmt.Errorf("PPM header: %w", err)
		}
		v[i] = n
	}
	w, h, maxval := v[0], v[1], v[2]
	switch {
	case w <= 0 || h <= 0:
		return nil, fmt.Errorf("a PPM of %dx%d pixels", w, h)
	case int64(w)*int64(h) > maxScreenPixels:
		return nil, fmt.Errorf("a PPM of %dx%d pixels, over %d", w, h, maxScreenPixels)
	case maxval != 255:
		return nil, fmt.Errorf("a PPM of maxval %d (only 255 is read)", maxval)
	}
	// ppmNumber consumed the single whitespace after maxval: the pixels follow.
	pix := make([]byte, 3*w*h)
	if _, err := io.ReadFull(r, pix); err != nil {
		return nil, fmt.Errorf("a PPM of %dx%d pixels: its pixels: %w", w, h, err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i, j := 0, 0; i < len(pix); i, j = i+3, j+4 {
		img.Pix[j], img.Pix[j+1], img.Pix[j+2], img.Pix[j+3] = pix[i], pix[i+1], pix[i+2], 0xff
	}
	return img, nil
}

// ppmNumber reads a PPM header number: whitespace and # comments before it, its
// digits, and the one whitespace character that ends it.
func ppmNumber(r *bufio.Reader) (int, error) {
	var c byte
	var err error
	for {
		if c, err = r.ReadByte(); err != nil {
			return 0, err
		}
		if c == '#' {
			if _, err := r.ReadString('\n'); err != nil {
				return 0, err
			}
			continue
		}
		if !isSpace(c) {
			break
		}
	}
	n, digits := 0, 0
	for ; c >= '0' && c <= '9'; digits++ {
		if n = n*10 + int(c-'0'); n > 1<<30 {
			return 0, errors.New("a number too large")
		}
		if c, err = r.ReadByte(); err != nil {
			return 0, err
		}
	}
	if digits == 0 || !isSpace(c) {
		return 0, fmt.Errorf("unexpected %q", c)
	}
	return n, nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// DestroyThrowaway destroys the throwaway domain name. A domain without the
// throwaway mark, or persistent (a throwaway is transient), is refused and left
// alone; one already gone is not an error. The mark is read and the domain destroyed
// through one handle (its UUID): a domain of the same name created meanwhile is not
// the one destroyed.
func (c *Conn) DestroyThrowaway(ctx context.Context, name string) error {
	err := c.withDomain(ctx, name, "destroy throwaway", func(dom *libvirt.Domain) error {
		_, ok, err := throwawayOf(dom)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("it has no throwaway mark (%s): not a boot verify's domain, not destroyed", throwawayNS)
		}
		persistent, err := dom.IsPersistent()
		if err != nil {
			return err
		}
		if persistent {
			return errors.New("it is persistent (defined), a throwaway never is: not destroyed")
		}
		err = dom.Destroy()
		if lverr(err, libvirt.ERR_NO_DOMAIN) || lverr(err, libvirt.ERR_OPERATION_INVALID) {
			return nil // gone meanwhile (a transient domain ends with its run)
		}
		return err
	})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// Throwaways lists the running throwaway domains of runID ("": of every run), as
// map name -> run id.
func (c *Conn) Throwaways(ctx context.Context, runID string) (map[string]string, error) {
	if runID != "" && !kvnames.ValidRunID(runID) {
		return nil, fmt.Errorf("list throwaway domains: run id %q does not match %s", runID, kvnames.RunIDPattern)
	}
	out := map[string]string{}
	err := c.call(ctx, "list throwaway domains", func() error {
		doms, err := c.lv().ListAllDomains(libvirt.CONNECT_LIST_DOMAINS_ACTIVE)
		if err != nil {
			return err
		}
		defer freeAll(doms)
		for i := range doms {
			name, err := doms[i].GetName()
			if err != nil {
				if lverr(err, libvirt.ERR_NO_DOMAIN) {
					continue
				}
				return err
			}
			run, ok, err := throwawayOf(&doms[i])
			switch {
			case lverr(err, libvirt.ERR_NO_DOMAIN), lverr(err, libvirt.ERR_OPERATION_INVALID):
				continue // gone while listing
			case err != nil:
				return fmt.Errorf("domain %s: %w", name, err)
			case ok && (runID == "" || run == runID):
				out[name] = run
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
