package hypervisor

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"libvirt.org/go/libvirtxml"

	"github.com/kvmbackup/kvmbackup/testenv"
)

const savedXML = `<domain type='qemu'>
  <name>web1</name>
  <uuid>6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b</uuid>
  <memory unit='KiB'>196608</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type><nvram>/var/lib/libvirt/qemu/nvram/web1_VARS.fd</nvram></os>
  <devices>
    <disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/vg0/web1'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/srv/images/web1-data.qcow2'/><target dev='vdb' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><source file='/iso/debian.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
    <interface type='network'><mac address='52:54:00:12:34:56'/><source network='default'/></interface>
    <serial type='file'><source path='/var/log/vm/web1.console'/><target port='0'/></serial>
    <console type='file'><source path='/var/log/vm/web1.console'/><target type='serial' port='0'/></console>
    <channel type='unix'><source mode='bind' path='/var/lib/libvirt/qemu/channel/web1.agent'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
  </devices>
</domain>`

func parse(t *testing.T, x string) *libvirtxml.Domain {
	t.Helper()
	var d libvirtxml.Domain
	if err := d.Unmarshal(x); err != nil {
		t.Fatalf("%v\n%s", err, x)
	}
	return &d
}

// A copy gets a name of its own, no UUID or MAC, its own console log and agent
// socket, and its disks on the restored images (a block device or a file, whatever
// the original was); the VM itself keeps its identity.
func TestRedefine(t *testing.T) {
	disks := map[string]DiskSource{"vda": {Path: "/restore/vda.raw"}, "vdb": {Path: "/dev/vg1/copy", Block: true}}
	name, out, err := Redefine(savedXML, Redefinition{As: "web1-copy", Disks: disks})
	if err != nil || name != "web1-copy" {
		t.Fatalf("%s %v", name, err)
	}
	d := parse(t, out)
	dv := d.Devices
	switch {
	case d.Name != "web1-copy" || d.UUID != "":
		t.Errorf("name %q uuid %q", d.Name, d.UUID)
	case dv.Disks[0].Source.File == nil || dv.Disks[0].Source.File.File != "/restore/vda.raw" || dv.Disks[0].Source.Block != nil:
		t.Errorf("vda: %+v", dv.Disks[0].Source)
	case dv.Disks[1].Source.Block == nil || dv.Disks[1].Source.Block.Dev != "/dev/vg1/copy" || dv.Disks[1].Driver.Type != "qcow2":
		t.Errorf("vdb: %+v", dv.Disks[1].Source)
	case dv.Disks[2].Source.File.File != "/iso/debian.iso":
		t.Errorf("the read-only cdrom changed: %+v", dv.Disks[2].Source)
	case dv.Interfaces[0].MAC != nil:
		t.Errorf("the copy keeps the MAC %+v", dv.Interfaces[0].MAC)
	case dv.Serials[0].Source.File.Path != "/var/log/vm/web1-copy.console" || dv.Consoles[0].Source.File.Path != "/var/log/vm/web1-copy.console":
		t.Errorf("console logs: %s %s", dv.Serials[0].Source.File.Path, dv.Consoles[0].Source.File.Path)
	case dv.Channels[0].Source.UNIX.Path != "":
		t.Errorf("agent socket %s", dv.Channels[0].Source.UNIX.Path)
	case d.OS.NVRam.NVRam != "/var/lib/libvirt/qemu/nvram/web1-copy_VARS.fd":
		t.Errorf("nvram %s", d.OS.NVRam.NVRam)
	}

	// The VM itself: same name and UUID, MAC and logs kept, its disk moved.
	name, out, err = Redefine(savedXML, Redefinition{Disks: map[string]DiskSource{"vda": {Path: "/restore/vda.raw"}}})
	d = parse(t, out)
	if err != nil || name != "web1" || d.UUID == "" || d.Devices.Interfaces[0].MAC == nil || d.Devices.Serials[0].Source.File.Path != "/var/log/vm/web1.console" ||
		d.Devices.Disks[0].Source.File.File != "/restore/vda.raw" || d.Devices.Disks[1].Source.File.File != "/srv/images/web1-data.qcow2" {
		t.Errorf("redefine in place: %v\n%s", err, out)
	}

	for what, c := range map[string]struct {
		r    Redefinition
		text string
	}{
		"a copy sharing a writable disk": {Redefinition{As: "web1-copy", Disks: map[string]DiskSource{"vda": {Path: "/r/vda.raw"}}}, "disk vdb of web1 is writable and not restored"},
		"an unknown disk":                {Redefinition{Disks: map[string]DiskSource{"vdz": {Path: "/r/vdz.raw"}}}, "no disk vdz"},
		"from a replica, a writable disk left on its saved path": {Redefinition{OnlyRestored: true, Disks: map[string]DiskSource{"vda": {Path: "/r/vda.raw"}}},
			"disk vdb of web1 is not restored: defined from a replica"},
		"from a replica, a read-only disk left on its saved path": {Redefinition{OnlyRestored: true, Disks: map[string]DiskSource{"vda": {Path: "/r/vda.raw"}}},
			"vdc of web1 is not restored"},
		"from a replica, a host directory": {Redefinition{OnlyRestored: true, Disks: map[string]DiskSource{"vda": {Path: "/r/vda.raw"}, "vdb": {Path: "/r/vdb.raw"}}},
			"passes <filesystem>"},
	} {
		xml := savedXML
		switch {
		case strings.Contains(what, "read-only disk"):
			xml = strings.Replace(xml, "<interface", "<disk type='file' device='disk'><source file='/etc/shadow'/><target dev='vdc'/><readonly/></disk><interface", 1)
		case strings.Contains(what, "host directory"):
			xml = strings.Replace(xml, "<interface", "<filesystem type='mount'><source dir='/'/><target dir='host'/></filesystem><interface", 1)
		}
		if _, _, err := Redefine(xml, c.r); err == nil || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v", what, err)
		}
	}
	// A failover's test copy: no <interface> at all, the CD-ROM ejected (its ISO is
	// the other host's path), the rest as a copy's.
	both := map[string]DiskSource{"vda": {Path: "/r/vda.raw"}, "vdb": {Path: "/dev/vg9/web1-vdb", Block: true}}
	name, out, err = Redefine(savedXML, Redefinition{As: "web1-test", Disks: both, OnlyRestored: true, NoNetwork: true})
	d = parse(t, out)
	if err != nil || name != "web1-test" || len(d.Devices.Interfaces) != 0 || strings.Contains(out, "<interface") ||
		d.Devices.Disks[1].Source.Block == nil || d.Devices.Disks[1].Source.Block.Dev != "/dev/vg9/web1-vdb" || len(d.Devices.Serials) != 1 ||
		d.Devices.Disks[2].Device != "cdrom" || strings.Contains(out, "debian.iso") || !strings.Contains(out, `<disk type="file" device="cdrom">`) {
		t.Errorf("--no-network copy: %v\n%s", err, out)
	}
	if !strings.Contains(savedXML, "<interface") {
		t.Fatal("the saved definition has no interface to remove: the test proves nothing")
	}
	if _, _, err := Redefine("<domain", Redefinition{}); err == nil {
		t.Error("a broken definition was accepted")
	}
	if got := ownPath("/var/log/console.log", "web1", "web1-copy"); got != "/var/log/console.log.web1-copy" {
		t.Errorf("ownPath: %s", got)
	}
}

// A real guest's definition, as a backup saves it, defined again as a second copy
// on a copy of its disk: libvirt accepts it, gives it a UUID of its own, and the copy
// boots and prints its ready line on its own console.
func TestDefineACopyBoots(t *testing.T) {
	testenv.Require(t, testenv.Libvirt)
	disk := filepath.Join(testenv.WorkDir(t), "data.raw")
	if err := os.WriteFile(disk, []byte("KVMBACKUP-DEFINE"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(disk, 16<<20); err != nil {
		t.Fatal(err)
	}
	g := testenv.StartGuest(t, testenv.GuestOptions{Persistent: true, Disks: []testenv.GuestDisk{{Target: "vdb", Source: disk}}})
	c := connect(t)
	saved, err := c.DomainXML(t.Context(), g.Name)
	if err != nil {
		t.Fatal(err)
	}
	copyDisk := filepath.Join(filepath.Dir(disk), "copy.raw")
	if out, err := exec.Command("cp", "--sparse=always", disk, copyDisk).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	copyName := g.Name + "-copy"
	name, xml, err := Redefine(saved, Redefinition{As: copyName, Disks: map[string]DiskSource{"vdb": {Path: copyDisk}}})
	if err != nil || name != copyName {
		t.Fatalf("%s %v", name, err)
	}
	// The same definition from a replica (what libvirt writes of a plain guest: its
	// default inputs, controllers, memballoon, console) passes the replica's checks.
	if _, _, err := Redefine(saved, Redefinition{As: copyName, Disks: map[string]DiskSource{"vdb": {Path: copyDisk}}, OnlyRestored: true,
		NoNetwork: true, HostFile: func(string, string) error { return nil }}); err != nil {
		t.Errorf("a real guest's definition from a replica: %v\n%s", err, saved)
	}
	cp := g.Sibling(t, copyName, strings.ReplaceAll(g.Console, g.Name, copyName))
	start := time.Now()
	if got, err := c.Define(t.Context(), xml); err != nil || got != copyName {
		t.Fatalf("define: %q %v", got, err)
	}
	t.Logf("defined %s in %v", copyName, time.Since(start))
	if _, err := c.Define(t.Context(), xml); err == nil || !strings.Contains(err.Error(), copyName) {
		t.Errorf("a second define of the same name: %v", err)
	}
	orig, err := c.Domain(t.Context(), g.Name)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Domain(t.Context(), copyName)
	if err != nil {
		t.Fatal(err)
	}
	if d.UUID == "" || d.UUID == orig.UUID || d.State != StateShutoff || len(d.Disks) != 1 || d.Disks[0].Source != copyDisk {
		t.Fatalf("the copy %+v (original %s)", d, orig.UUID)
	}
	testenv.BootGuests(t, cp)
	if orig.State != StateRunning || !strings.Contains(g.ConsoleText(), testenv.GuestReadyLine) {
		t.Errorf("the original %s is %s", g.Name, orig.State)
	}
}

// A replica's definition is the sending host's word: defined on the receiving host,
// it must not make libvirt (root) write, run or label a file of this host that the
// admin did not name. Each attack below, put in a definition by a compromised
// sending host, is either undone or refused.
func TestRedefineFromAReplicaTrustsNothingOfTheHost(t *testing.T) {
	disks := map[string]DiskSource{"vda": {Path: "/r/vda.raw"}, "vdb": {Path: "/r/vdb.raw"}}
	hostFile := func(role, p string) error {
		if p == "/boot/vmlinuz" {
			return nil
		}
		return fmt.Errorf("%s is not a public file of this host", p)
	}
	hostile := strings.NewReplacer(
		"<os>", "<os><kernel>/boot/vmlinuz</kernel>",
		"<devices>", "<devices><emulator>/tmp/evil-qemu</emulator>",
		"<serial type='file'><source path='/var/log/vm/web1.console'/>", "<serial type='file'><source path='/etc/cron.d/evil'/><log file='/root/.bashrc' append='on'/>",
		"</devices>", "<input type='mouse' bus='ps2'/><input type='keyboard' bus='ps2'/><rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>"+
			"<memballoon model='virtio'/></devices><seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>",
	).Replace(savedXML)
	name, out, err := Redefine(hostile, Redefinition{As: "web1-test", Disks: disks, OnlyRestored: true, NoNetwork: true, LogDir: "/srv/restore", HostFile: hostFile})
	if err != nil || name != "web1-test" {
		t.Fatalf("%s %v\n%s", name, err, hostile)
	}
	d := parse(t, out)
	dv := d.Devices
	for _, bad := range []string{"/etc/cron.d/evil", "/root/.bashrc", "/tmp/evil-qemu", "+0:+0", "web1_VARS.fd", "web1.agent", "/var/log/vm"} {
		if strings.Contains(out, bad) {
			t.Errorf("the definition still names %s:\n%s", bad, out)
		}
	}
	switch {
	case dv.Serials[0].Source.File.Path != "/srv/restore/web1-test.serial0.log" || dv.Serials[0].Log.File != "/srv/restore/web1-test.serial0.chardev.log":
		t.Errorf("serial: %+v %+v", dv.Serials[0].Source.File, dv.Serials[0].Log)
	case dv.Consoles[0].Source.File.Path != dv.Serials[0].Source.File.Path:
		t.Errorf("the serial console is not the serial's file: %s", dv.Consoles[0].Source.File.Path)
	case d.OS.Kernel != "/boot/vmlinuz" || dv.Emulator != "" || len(d.SecLabel) != 0:
		t.Errorf("kernel %q emulator %q seclabels %+v", d.OS.Kernel, dv.Emulator, d.SecLabel)
	}
	// Without --as too (the failover proper), into libvirt's log directory.
	_, out, err = Redefine(strings.Replace(hostile, "<serial", "<parallel type='file'><source path='/etc/passwd'/></parallel><serial", 1),
		Redefinition{Disks: disks, OnlyRestored: true, HostFile: hostFile})
	if d := parse(t, out); err != nil || d.Devices.Serials[0].Source.File.Path != DefaultLogDir+"/web1.serial0.log" || d.Devices.Parallels[0].Source.File.Path != DefaultLogDir+"/web1.parallel0.log" {
		t.Errorf("failover in place: %v\n%s", err, out)
	}

	for what, c := range map[string]struct{ old, new, text string }{
		"a kernel of this host's":  {"<os>", "<os><kernel>/etc/shadow</kernel>", "kernel: /etc/shadow is not a public file"},
		"an initrd":                {"<os>", "<os><initrd>/root/secret</initrd>", "initrd: /root/secret"},
		"a loader":                 {"<nvram>", "<loader readonly='yes' type='pflash'>/etc/shadow</loader><nvram>", "loader: /etc/shadow"},
		"an NVRAM template":        {"<nvram>", "<nvram template='/etc/shadow'>", "NVRAM template: /etc/shadow"},
		"an ACPI table":            {"</os>", "<acpi><table type='slic'>/etc/shadow</table></acpi></os>", "ACPI table: /etc/shadow"},
		"an interface script":      {"<source network='default'/>", "<source network='default'/><script path='/tmp/evil.sh'/>", "script (run as root"},
		"a host serial device":     {"<serial type='file'><source path='/var/log/vm/web1.console'/>", "<serial type='dev'><source path='/dev/sda'/>", "host device /dev/sda"},
		"a serial on a socket":     {"<serial type='file'><source path='/var/log/vm/web1.console'/>", "<serial type='unix'><source mode='bind' path='/run/evil'/>", "socket /run/evil"},
		"an rng on a file":         {"</devices>", "<rng model='virtio'><backend model='random'>/etc/shadow</backend></rng></devices>", "<rng>"},
		"an input passed through":  {"</devices>", "<input type='evdev'><source dev='/dev/input/event0'/></input></devices>", "<input>"},
		"file-backed memory":       {"</devices>", "<memory model='nvdimm'><source><path>/etc/shadow</path></source><target><size unit='KiB'>1024</size></target></memory></devices>", "backed by /etc/shadow"},
		"a shared memory device":   {"</devices>", "<shmem name='evil'/></devices>", "<shmem>"},
		"a redirected USB device":  {"</devices>", "<redirdev bus='usb' type='tcp'><source mode='connect' host='127.0.0.1' service='4000'/></redirdev></devices>", "<redirdev>"},
		"a VNC socket":             {"</devices>", "<graphics type='vnc' socket='/etc/evil.sock'/></devices>", "VNC <graphics> socket /etc/evil.sock"},
		"a Xen bootloader program": {"<os>", "<bootloader>/tmp/evil</bootloader><os>", "<bootloader> /tmp/evil"},
	} {
		xml := strings.Replace(savedXML, c.old, c.new, 1)
		if xml == savedXML {
			t.Fatalf("%s: the test's definition did not change", what)
		}
		_, _, err := Redefine(xml, Redefinition{As: "web1-test", Disks: disks, OnlyRestored: true, HostFile: hostFile})
		if err == nil || !strings.Contains(err.Error(), c.text) || !strings.Contains(err.Error(), "from a replica") {
			t.Errorf("%s: %v", what, err)
		}
		// The same definition of the VM's own, not from a replica, is the admin's.
		if _, _, err := Redefine(xml, Redefinition{As: "web1-test", Disks: disks}); err != nil {
			t.Errorf("%s, not from a replica: %v", what, err)
		}
	}
}

// With no network asked for (a test failover, a boot verify), a chardev on the
// network is refused too: the copy would reach what the original talks to.
func TestRedefineNoNetworkRefusesNetworkChardevs(t *testing.T) {
	disks := map[string]DiskSource{"vda": {Path: "/r/vda.raw"}, "vdb": {Path: "/r/vdb.raw"}}
	for _, c := range []struct{ new, text string }{
		{"<serial type='tcp'><source mode='connect' host='10.0.0.9' service='2445'/>", "tcp 10.0.0.9:2445"},
		{"<serial type='udp'><source mode='connect' host='10.0.0.9' service='514'/>", "udp 10.0.0.9:514"},
	} {
		xml := strings.Replace(savedXML, "<serial type='file'><source path='/var/log/vm/web1.console'/>", c.new, 1)
		r := Redefinition{As: "web1-test", Disks: disks, OnlyRestored: true, NoNetwork: true, HostFile: func(string, string) error { return nil }}
		if _, _, err := Redefine(xml, r); err == nil || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v", c.new, err)
		}
		r.NoNetwork = false // a failover's console server: the admin's
		if _, _, err := Redefine(xml, r); err != nil {
			t.Errorf("%s without NoNetwork: %v", c.new, err)
		}
	}
}

// A boot verify's copy writes its serial console to the file it names: every serial
// and console of the saved definition (a file of the original's, a pty, a second
// port) is gone, one pty serial on port 0 is logged (virtlogd) to that file afresh;
// from a replica too.
func TestRedefineConsole(t *testing.T) {
	xml := strings.Replace(savedXML, "<channel", "<serial type='pty'><target port='1'/></serial><channel", 1)
	disks := map[string]DiskSource{"vda": {Path: "/r/vda.raw"}, "vdb": {Path: "/r/vdb.raw"}}
	for _, r := range []Redefinition{
		{As: "web1-verify", Disks: disks, NoNetwork: true, Console: "/run/kvmbackup/verify/web1.console"},
		{As: "web1-verify", Disks: disks, NoNetwork: true, Console: "/run/kvmbackup/verify/web1.console", OnlyRestored: true, HostFile: func(string, string) error { return nil }},
	} {
		_, out, err := Redefine(xml, r)
		if err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		dv := parse(t, out).Devices
		if len(dv.Serials) != 1 || len(dv.Consoles) != 0 || strings.Contains(out, "/var/log/vm/") {
			t.Fatalf("serials %d consoles %d:\n%s", len(dv.Serials), len(dv.Consoles), out)
		}
		s := dv.Serials[0]
		if s.Source == nil || s.Source.Pty == nil || s.Log == nil || s.Log.File != r.Console || s.Log.Append != "off" || s.Target == nil || s.Target.Port == nil || *s.Target.Port != 0 {
			t.Errorf("the serial: %s", out)
		}
	}
	// Without Console the serials are the saved ones (renamed for the copy).
	_, out, err := Redefine(xml, Redefinition{As: "web1-verify", Disks: disks})
	if dv := parse(t, out).Devices; err != nil || len(dv.Serials) != 2 || len(dv.Consoles) != 1 {
		t.Errorf("without Console: %v\n%s", err, out)
	}
}

func TestHasAgentChannel(t *testing.T) {
	if ok, err := HasAgentChannel(savedXML); !ok || err != nil {
		t.Errorf("with a channel: %v %v", ok, err)
	}
	none := strings.Replace(savedXML, "org.qemu.guest_agent.0", "org.example.other", 1)
	if ok, err := HasAgentChannel(none); ok || err != nil {
		t.Errorf("another channel only: %v %v", ok, err)
	}
	if _, err := HasAgentChannel("<domain"); err == nil {
		t.Error("a broken definition was accepted")
	}
}
