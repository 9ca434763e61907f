package hypervisor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// throwawayXML is a running guest's definition made a boot verify's copy named name:
// no network, its console to a file of the test's, its data disk (vdb) a copy of the
// original's; edit, when set, changes it further.
func throwawayXML(t *testing.T, c *Conn, g *testenv.Guest, disk, name string, edit func(*libvirtxml.Domain)) (xml, console string) {
	t.Helper()
	saved, err := c.DomainXML(t.Context(), g.Name)
	if err != nil {
		t.Fatal(err)
	}
	dir := testenv.WorkDir(t)
	copyDisk := filepath.Join(dir, name+".raw")
	if out, err := exec.Command("cp", "--sparse=always", disk, copyDisk).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	console = filepath.Join(dir, name+".console")
	_, xml, err = Redefine(saved, Redefinition{As: name, NoNetwork: true, Console: console, Disks: map[string]DiskSource{"vdb": {Path: copyDisk}}})
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		d := parse(t, xml)
		edit(d)
		if xml, err = d.Marshal(); err != nil {
			t.Fatal(err)
		}
	}
	return xml, console
}

func dataDisk(t *testing.T) string {
	t.Helper()
	disk := filepath.Join(testenv.WorkDir(t), "data.raw")
	if err := os.WriteFile(disk, []byte("KVMBACKUP-VERIFY"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(disk, 16<<20); err != nil {
		t.Fatal(err)
	}
	return disk
}

// A boot verify's throwaway domain, started from a real guest's definition on a copy
// of its disk: transient, marked with its run, its agent reached and commands run
// through it, listed by run, left alone by Recover, and destroyed; the guest it was
// copied from, unmarked, is never destroyed by DestroyThrowaway.
func TestThrowaway(t *testing.T) {
	testenv.Require(t, testenv.Libvirt)
	start := time.Now()
	disk := dataDisk(t)
	g := testenv.StartGuest(t, testenv.GuestOptions{Agent: true, Disks: []testenv.GuestDisk{{Target: "vdb", Source: disk}}})
	c := connect(t)
	ctx := t.Context()

	// The attack first: a domain without the mark (the production guest) is refused
	// and left running.
	if err := c.DestroyThrowaway(ctx, g.Name); err == nil || !strings.Contains(err.Error(), "no throwaway mark") || !strings.Contains(err.Error(), g.Name) {
		t.Errorf("DestroyThrowaway of an unmarked domain: %v", err)
	}
	if st := state(t, g); st != "running" {
		t.Fatalf("the unmarked guest %s is %s after DestroyThrowaway", g.Name, st)
	}

	name := g.Name + "-verify"
	// The saved definition carries a freeze mark (saved while the VM was quiesced), a
	// stale throwaway mark of another run and someone else's metadata: only the
	// latter is kept.
	xml, console := throwawayXML(t, c, g, disk, name, func(d *libvirtxml.Domain) {
		d.Metadata = &libvirtxml.DomainMetadata{XML: `<kvmbackup:freeze xmlns:kvmbackup="` + markNS + `" run="old" mode="agent"/>` +
			`<v:verify xmlns:v="` + throwawayNS + `" run="stale"/><app:info xmlns:app="urn:example:app">kept</app:info>`}
	})
	sib := g.Sibling(t, name, console) // destroyed at cleanup, whatever happens

	withNIC := strings.Replace(xml, "</devices>", "<interface type='network'><source network='default'/></interface></devices>", 1)
	if _, err := c.StartThrowaway(ctx, withNIC, "run-1"); err == nil || !strings.Contains(err.Error(), "network interface") {
		t.Errorf("a throwaway with a network interface: %v", err)
	}
	if _, err := c.StartThrowaway(ctx, xml, "bad run"); err == nil || !strings.Contains(err.Error(), "run id") {
		t.Errorf("an invalid run id: %v", err)
	}
	if _, err := c.Domain(ctx, name); !IsNotFound(err) {
		t.Fatalf("a refused throwaway exists: %v", err)
	}

	t0 := time.Now()
	got, err := c.StartThrowaway(ctx, xml, "run-1")
	if err != nil || got != name {
		t.Fatalf("StartThrowaway: %q %v", got, err)
	}
	t.Logf("StartThrowaway %s in %v", name, time.Since(t0))
	d, err := c.Domain(ctx, name)
	if err != nil || d.Persistent || d.State != StateRunning || !d.AgentChannel || len(d.Disks) != 1 || d.Disks[0].Target != "vdb" || !strings.HasSuffix(d.Disks[0].Source, name+".raw") {
		t.Fatalf("the throwaway: %+v %v", d, err)
	}
	if out, err := sib.Virsh(ctx, "list", "--all", "--persistent", "--name"); err != nil || strings.Contains(out, name) {
		t.Errorf("virsh list --persistent: %v\n%s", err, out)
	}
	live, err := sib.Virsh(ctx, "dumpxml", name)
	if err != nil || strings.Contains(live, markNS) || strings.Contains(live, "stale") || !strings.Contains(live, "urn:example:app") ||
		!strings.Contains(live, throwawayNS) || strings.Contains(live, "<interface") {
		t.Errorf("the throwaway's live XML: %v\n%s", err, live)
	}

	// The agent: a ping before it is up fails quickly; then it answers.
	t0 = time.Now()
	deadline, cancel := context.WithTimeout(ctx, testenv.Scaled(2*time.Minute))
	defer cancel()
	pings, slowest := 0, time.Duration(0)
	for {
		p0 := time.Now()
		err := c.AgentPing(deadline, name)
		pings++
		slowest = max(slowest, time.Since(p0))
		if err == nil {
			break
		}
		if deadline.Err() != nil {
			t.Fatalf("the throwaway's agent never answered: %v\nconsole:\n%s", err, sib.ConsoleText())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("agent answered %v after start (%d pings, slowest %v)", time.Since(t0), pings, slowest)
	if slowest > 2*agentPingTimeout {
		t.Errorf("a guest-ping took %v", slowest)
	}
	if !strings.Contains(sib.ConsoleText(), testenv.GuestReadyLine) {
		t.Errorf("the throwaway's console %s has no ready line", console)
	}

	res, err := c.AgentExec(ctx, name, []string{"/bin/sh", "-c", "echo hi; echo err >&2; exit 3"})
	if err != nil || res != (ExecResult{Exit: 3, Stdout: "hi\n", Stderr: "err\n"}) {
		t.Errorf("AgentExec: %+v %v", res, err)
	}
	// The copy's data disk is the copy of the original's.
	res, err = c.AgentExec(ctx, name, []string{"/bin/dd", "if=/dev/vda", "bs=16", "count=1"})
	if err != nil || res.Exit != 0 || res.Stdout != "KVMBACKUP-VERIFY" {
		t.Errorf("reading the data disk: %+v %v", res, err)
	}
	res, err = c.AgentExec(ctx, name, []string{"/bin/sh", "-c", "kill -9 $$"})
	if err != nil || res.Exit != -1 || res.Signal != 9 {
		t.Errorf("a command killed by a signal: %+v %v", res, err)
	}
	res, err = c.AgentExec(ctx, name, []string{"/bin/sh", "-c", "dd if=/dev/zero bs=1000 count=100 2>/dev/null"})
	if err != nil || res.Exit != 0 || len(res.Stdout) != MaxExecOutput || !res.StdoutTruncated || res.StderrTruncated {
		t.Errorf("100 kB of output: exit %d, %d bytes, truncated %v %v, %v", res.Exit, len(res.Stdout), res.StdoutTruncated, res.StderrTruncated, err)
	}
	if _, err := c.AgentExec(ctx, name, []string{"/nonexistent"}); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("a command that does not exist: %v", err)
	}
	short, cancel2 := context.WithTimeout(ctx, time.Second)
	t0 = time.Now()
	_, err = c.AgentExec(short, name, []string{"/bin/sleep", "30"})
	cancel2()
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || time.Since(t0) > 3*time.Second {
		t.Errorf("a command past its context: %v after %v", err, time.Since(t0))
	}

	if _, err := c.Screenshot(ctx, name); !errors.Is(err, ErrNoScreen) || !strings.Contains(err.Error(), name) {
		t.Errorf("a screenshot of a domain without graphics: %v", err)
	}

	for run, want := range map[string]map[string]string{"run-1": {name: "run-1"}, "run-2": {}, "": {name: "run-1"}} {
		got, err := c.Throwaways(ctx, run)
		if err != nil {
			t.Fatal(err)
		}
		if run == "" { // other runs' throwaways may be on the machine
			if got[name] != "run-1" || got[g.Name] != "" {
				t.Errorf("Throwaways(%q): %v", run, got)
			}
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Throwaways(%q): %v, want %v", run, got, want)
		}
	}
	if _, err := c.Throwaways(ctx, "bad run"); err == nil {
		t.Error("Throwaways of an invalid run id")
	}

	// Recover (after a crashed run) leaves a running throwaway alone.
	rec, err := c.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rec {
		if r.Name == name || r.Name == g.Name {
			t.Errorf("Recover touched %+v", r)
		}
	}
	if st, err := sib.State(ctx); err != nil || st != "running" {
		t.Errorf("the throwaway after Recover: %s %v", st, err)
	}
	if got, _ := c.Throwaways(ctx, "run-1"); got[name] != "run-1" {
		t.Errorf("the throwaway lost its mark in Recover: %v", got)
	}

	if err := c.DestroyThrowaway(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Domain(ctx, name); !IsNotFound(err) {
		t.Errorf("the throwaway after DestroyThrowaway: %v", err)
	}
	if err := c.DestroyThrowaway(ctx, name); err != nil {
		t.Errorf("a second DestroyThrowaway: %v", err)
	}
	if err := c.AgentPing(ctx, name); !IsNotFound(err) {
		t.Errorf("AgentPing of a destroyed throwaway: %v", err)
	}
	if st := state(t, g); st != "running" {
		t.Errorf("the original guest is %s", st)
	}
	t.Logf("test took %v", time.Since(start))
}

// A throwaway with a screen gives a PNG of it; one started on a connection that is
// then closed (the verify process ended, SIGKILLed) is destroyed by libvirt.
func TestThrowawayScreenshot(t *testing.T) {
	testenv.Require(t, testenv.Libvirt)
	start := time.Now()
	disk := dataDisk(t)
	g := testenv.StartGuest(t, testenv.GuestOptions{Disks: []testenv.GuestDisk{{Target: "vdb", Source: disk}}})
	c := connect(t)
	ctx := t.Context()
	name := g.Name + "-screen"
	// The saved VM's display: a VNC server on a fixed port on every address (its
	// running original holds that port), SPICE and a channel that needs it (the test
	// guest has no USB: no spicevmc redirdev here).
	xml, console := throwawayXML(t, c, g, disk, name, func(d *libvirtxml.Domain) {
		d.Devices.Graphics = []libvirtxml.DomainGraphic{
			{VNC: &libvirtxml.DomainGraphicVNC{Port: 5999, AutoPort: "no", Listen: "0.0.0.0"}},
			{Spice: &libvirtxml.DomainGraphicSpice{Port: 5998, AutoPort: "no", Listen: "0.0.0.0"}},
		}
		d.Devices.Videos = []libvirtxml.DomainVideo{{Model: libvirtxml.DomainVideoModel{Type: "vga"}}}
		spicevmc := &libvirtxml.DomainChardevSource{SpiceVMC: &libvirtxml.DomainChardevSourceSpiceVMC{}}
		d.Devices.Channels = append(d.Devices.Channels, libvirtxml.DomainChannel{Source: spicevmc,
			Target: &libvirtxml.DomainChannelTarget{VirtIO: &libvirtxml.DomainChannelTargetVirtIO{Name: "com.redhat.spice.0"}}})
	})
	sib := g.Sibling(t, name, console)
	l, err := net.Listen("tcp", "127.0.0.1:5999") // the original's display port, taken
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := c.StartThrowaway(ctx, xml, "run-screen"); err != nil {
		t.Fatal(err)
	}
	live, err := sib.Virsh(ctx, "dumpxml", name)
	if err != nil || strings.Contains(live, "<graphics") || strings.Contains(live, "spicevmc") || !strings.Contains(live, "<video>") {
		t.Errorf("the throwaway's display: %v\n%s", err, live)
	}
	if err := sib.WaitConsole(ctx, testenv.GuestReadyLine); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	b, err := c.Screenshot(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG (%d bytes): %v", len(b), err)
	}
	t.Logf("screenshot: %v, %d bytes of PNG, in %v", img.Bounds(), len(b), time.Since(t0))
	if img.Bounds().Dx() == 0 || img.Bounds().Dy() == 0 {
		t.Errorf("an empty screenshot %v", img.Bounds())
	}
	// No agent in this guest: a ping fails at once.
	t0 = time.Now()
	if err := c.AgentPing(ctx, name); err == nil || !strings.Contains(err.Error(), name) || time.Since(t0) > 2*agentPingTimeout {
		t.Errorf("AgentPing of a guest without an agent: %v after %v", err, time.Since(t0))
	}
	if err := c.DestroyThrowaway(ctx, name); err != nil {
		t.Fatal(err)
	}

	// A start its caller gave up on leaves no domain behind.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	xml3, console3 := throwawayXML(t, c, g, disk, name+"3", nil)
	g.Sibling(t, name+"3", console3)
	if _, err := c.StartThrowaway(cctx, xml3, "run-screen"); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled StartThrowaway: %v", err)
	}
	waitGone(t, c, name+"3")

	// Autodestroy: the connection that started it closes, the throwaway is gone.
	c2, err := Connect(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	xml2, console2 := throwawayXML(t, c, g, disk, name+"2", nil)
	g.Sibling(t, name+"2", console2)
	if _, err := c2.StartThrowaway(ctx, xml2, "run-screen"); err != nil {
		c2.Close()
		t.Fatal(err)
	}
	if got, err := c.Throwaways(ctx, "run-screen"); err != nil || got[name+"2"] != "run-screen" {
		t.Fatalf("Throwaways: %v %v", got, err)
	}
	c2.Close()
	waitGone(t, c, name+"2")
	t.Logf("test took %v", time.Since(start))
}

// waitGone waits up to 5 s for the domain name to be gone.
func waitGone(t *testing.T, c *Conn, name string) {
	t.Helper()
	var err error
	for range 50 {
		if _, err = c.Domain(t.Context(), name); IsNotFound(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("domain %s is still there: %v", name, err)
}

// A persistent domain carrying a throwaway mark (someone set it) is not a throwaway:
// DestroyThrowaway refuses it.
func TestDestroyThrowawayRefusesAPersistentDomain(t *testing.T) {
	testenv.Require(t, testenv.Libvirt)
	g := testenv.StartGuest(t, testenv.GuestOptions{Persistent: true})
	c := connect(t)
	err := c.onDomain(g.Name, func(dom *libvirt.Domain) error {
		return dom.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, `<verify run="run-x"/>`, "kvmbackupverify", throwawayNS, libvirt.DOMAIN_AFFECT_LIVE)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DestroyThrowaway(t.Context(), g.Name); err == nil || !strings.Contains(err.Error(), "persistent") {
		t.Errorf("DestroyThrowaway of a persistent domain: %v", err)
	}
	if st := state(t, g); st != "running" {
		t.Errorf("the persistent guest is %s", st)
	}
}

// A screendump is a guest's pixels in a header of QEMU's: the header is checked, the
// size bounded; anything but a binary PPM of maxval 255 (or a PNG) is refused.
func TestScreenPNG(t *testing.T) {
	ppm := append([]byte("P6\n# QEMU\n2 1\n255\n"), 255, 0, 0, 0, 0, 255)
	b, err := screenPNG(ppm)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _, _ := img.At(0, 0).RGBA(); img.Bounds().Dx() != 2 || r != 0xffff {
		t.Errorf("decoded %v %v", img.Bounds(), img.At(0, 0))
	}
	if again, err := screenPNG(b); err != nil || !bytes.Equal(again, b) {
		t.Errorf("a PNG is not passed on: %v", err)
	}
	for what, raw := range map[string]string{
		"too many pixels":  "P6 100000 100000 255\n",
		"maxval 65535":     "P6 1 1 65535\n\x00\x00\x00\x00\x00\x00",
		"an ASCII PPM":     "P3 1 1 255\n0 0 0\n",
		"short pixels":     "P6 2 2 255\n\x00\x00\x00",
		"a zero width":     "P6 0 1 255\n",
		"a huge number":    "P6 99999999999999999999 1 255\n",
		"no header":        "",
		"a broken PNG":     "\x89PNG\r\n\x1a\nxx",
		"a letter in size": "P6 1x 1 255\n\x00\x00\x00",
	} {
		if _, err := screenPNG([]byte(raw)); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
}

func TestDropMarks(t *testing.T) {
	in := `<a:x xmlns:a="urn:a"><a:y/></a:x> <k:freeze xmlns:k="` + markNS + `" run="r"/><v:verify xmlns:v="` + throwawayNS + `"><v:z/></v:verify><b xmlns="urn:b">t</b>`
	got, err := dropMarks(in)
	if want := `<a:x xmlns:a="urn:a"><a:y/></a:x><b xmlns="urn:b">t</b>`; err != nil || got != want {
		t.Errorf("dropMarks: %q %v, want %q", got, err, want)
	}
	if _, err := dropMarks("<a>"); err == nil {
		t.Error("broken metadata accepted")
	}
}

// booter is the orchestrator's Booter (a boot verify's contract with libvirt), as
// written there: *Conn must implement it with exactly these signatures.
type booter interface {
	StartThrowaway(ctx context.Context, xml, runID string) (string, error)
	AgentPing(ctx context.Context, name string) error
	AgentExec(ctx context.Context, name string, argv []string) (ExecResult, error)
	Screenshot(ctx context.Context, name string) ([]byte, error)
	DestroyThrowaway(ctx context.Context, name string) error
	Throwaways(ctx context.Context, runID string) (map[string]string, error)
}

var _ booter = (*Conn)(nil)
