package hypervisor

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// DiskSource is where a disk's image is: a file, or a block device.
type DiskSource struct {
	Path  string
	Block bool
}

// Redefinition says how a saved domain definition (the domain.xml of a backup)
// becomes one to define again.
type Redefinition struct {
	// As, when set, makes a second copy of the VM under this name: no UUID and no MAC
	// addresses (libvirt makes new ones), its own console log files and guest agent
	// socket, and every writable disk pointed at a restored image (a writable disk
	// left pointing at the original's volume is refused: two VMs would write it).
	// "": the VM itself, under its own name and UUID.
	As string
	// Disks maps a disk's target (vda) to the image restored for it.
	Disks map[string]DiskSource
	// OnlyRestored: the definition is another host's word (restore --from a
	// replica): nothing in it may name a path or device of this host. Every disk
	// with a source must be in Disks (read-only ones too), except CD-ROM and floppy
	// drives, which are defined empty (ejected); a definition that passes host
	// directories (<filesystem>), host devices (<hostdev>) or arguments to QEMU
	// (<qemu:commandline>, <qemu:override>) is refused.
	OnlyRestored bool
	// NoNetwork removes every <interface> (a test failover beside the original).
	NoNetwork bool
	// Console, when set, is the file the domain's serial console is logged to (a
	// boot verify reads it): every <serial> and <console> is removed and one
	// <serial type='pty'> on port 0 is added, logged by virtlogd to Console afresh
	// (append off; virtlogd rotates it at its max_size, so a guest that writes
	// without end fills no disk); libvirt adds its <console>.
	Console string
	// LogDir, with OnlyRestored, is where the domain's chardev files go (a serial,
	// console, parallel or channel of type file, and every <log file=>), each named
	// NAME.KINDi.log (NAME.KINDi.chardev.log for a <log>): the replica's paths name
	// the sending host's files, and virtlogd would create or append to them as
	// root on this host. "": /var/log/libvirt/qemu.
	LogDir string
	// HostFile, with OnlyRestored, checks each file of this host the definition
	// makes libvirt read (and label for QEMU): kernel, initrd, dtb, shim, loader,
	// NVRAM template, ACPI tables. Its error refuses the definition. nil: every
	// such file is refused.
	HostFile func(role, path string) error
}

// Redefine returns the saved definition xml with r applied, and the domain's name.
// The XML is parsed and written with libvirtxml; a disk named in r.Disks that the
// definition lacks, or (with As) a writable disk not in r.Disks, is an error naming it.
func Redefine(xml string, r Redefinition) (name, out string, err error) {
	var def libvirtxml.Domain
	if err := def.Unmarshal(xml); err != nil {
		return "", "", fmt.Errorf("parse the saved domain definition: %w", err)
	}
	old := def.Name
	if old == "" {
		return "", "", fmt.Errorf("the saved domain definition has no name")
	}
	if def.Devices == nil {
		def.Devices = &libvirtxml.DomainDeviceList{}
	}
	seen := map[string]bool{}
	var shared []string
	for i := range def.Devices.Disks {
		d := &def.Devices.Disks[i]
		target := ""
		if d.Target != nil {
			target = d.Target.Dev
		}
		src, ok := r.Disks[target]
		if !ok {
			hasSource := d.Source != nil && (d.Source.File != nil || d.Source.Block != nil || d.Source.Volume != nil || d.Source.Dir != nil ||
				d.Source.Network != nil || d.Source.NVME != nil || d.Source.VHostUser != nil || d.Source.VHostVDPA != nil)
			switch {
			case r.OnlyRestored && (d.Device == "cdrom" || d.Device == "floppy"):
				// Ejected (type='file', no path): its media is the other host's path.
				d.Source = &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{}}
			case r.OnlyRestored && hasSource, r.As != "" && d.ReadOnly == nil && hasSource:
				shared = append(shared, target)
			}
			continue
		}
		seen[target] = true
		if d.Source == nil {
			d.Source = &libvirtxml.DomainDiskSource{}
		}
		d.Source.File, d.Source.Block, d.Source.Volume = nil, nil, nil
		if src.Block {
			d.Source.Block = &libvirtxml.DomainDiskSourceBlock{Dev: src.Path}
		} else {
			d.Source.File = &libvirtxml.DomainDiskSourceFile{File: src.Path}
		}
	}
	var missing []string
	for t := range r.Disks {
		if !seen[t] {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return "", "", fmt.Errorf("the saved definition of %s has no disk %s", old, strings.Join(missing, ", "))
	}
	if r.OnlyRestored {
		var host []string
		if len(def.Devices.Filesystems) > 0 {
			host = append(host, "<filesystem> (a host directory)")
		}
		if len(def.Devices.Hostdevs) > 0 {
			host = append(host, "<hostdev> (a host device)")
		}
		if def.QEMUCommandline != nil || def.QEMUOverride != nil {
			host = append(host, "<qemu:commandline> or <qemu:override> (arguments to QEMU)")
		}
		if len(host) > 0 {
			return "", "", fmt.Errorf("the saved definition of %s passes %s: not defined from a replica (restore without --define, check the definition and define it yourself)", old, strings.Join(host, ", "))
		}
	}
	if r.OnlyRestored {
		if err := confine(&def, old, r); err != nil {
			return "", "", err
		}
	}
	if len(shared) > 0 && r.OnlyRestored {
		return "", "", fmt.Errorf("disk %s of %s is not restored: defined from a replica, it would point at the sending host's path on this host; restore every disk", strings.Join(shared, ", "), old)
	}
	if len(shared) > 0 {
		return "", "", fmt.Errorf("disk %s of %s is writable and not restored: the copy %s would share it with %s; restore every disk (no --disk) to make a copy", strings.Join(shared, ", "), old, r.As, old)
	}
	if r.NoNetwork {
		def.Devices.Interfaces = nil
	}
	if r.As != "" {
		def.Name, def.UUID = r.As, ""
		for i := range def.Devices.Interfaces {
			def.Devices.Interfaces[i].MAC = nil
		}
		rename := func(p string) string { return ownPath(p, old, r.As) }
		if !r.OnlyRestored { // a replica's chardevs are in r.LogDir under r.As already (confine)
			for i := range def.Devices.Serials {
				renameChardev(def.Devices.Serials[i].Source, def.Devices.Serials[i].Log, rename)
			}
			for i := range def.Devices.Consoles {
				renameChardev(def.Devices.Consoles[i].Source, def.Devices.Consoles[i].Log, rename)
			}
			for i := range def.Devices.Channels {
				if s := def.Devices.Channels[i].Source; s != nil && s.UNIX != nil {
					s.UNIX.Path = "" // libvirt makes one per domain
				}
				renameChardev(nil, def.Devices.Channels[i].Log, rename)
			}
		}
		if def.OS != nil && def.OS.NVRam != nil && def.OS.NVRam.NVRam != "" {
			def.OS.NVRam.NVRam = rename(def.OS.NVRam.NVRam)
		}
	}
	if r.Console != "" {
		port := uint(0)
		def.Devices.Consoles = nil
		def.Devices.Serials = []libvirtxml.DomainSerial{{
			Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}},
			Log:    &libvirtxml.DomainChardevLog{File: r.Console, Append: "off"},
			Target: &libvirtxml.DomainSerialTarget{Port: &port},
		}}
	}
	out, err = def.Marshal()
	if err != nil {
		return "", "", fmt.Errorf("write the domain definition of %s: %w", def.Name, err)
	}
	return def.Name, out, nil
}

// HasAgentChannel reports whether the domain definition xml has a qemu-guest-agent
// channel (a virtio channel named org.qemu.guest_agent.0).
func HasAgentChannel(xml string) (bool, error) {
	var def libvirtxml.Domain
	if err := def.Unmarshal(xml); err != nil {
		return false, fmt.Errorf("parse the domain definition: %w", err)
	}
	ch, _ := agentOf(&def)
	return ch, nil
}

// renameChardev gives a copy its own console log files.
func renameChardev(src *libvirtxml.DomainChardevSource, log *libvirtxml.DomainChardevLog, rename func(string) string) {
	if src != nil && src.File != nil && src.File.Path != "" {
		src.File.Path = rename(src.File.Path)
	}
	if log != nil && log.File != "" {
		log.File = rename(log.File)
	}
}

// ownPath is the copy's own version of a per-domain file: the old name in its base
// name replaced by the new, or the new name appended.
func ownPath(p, old, name string) string {
	dir, base := filepath.Split(p)
	if strings.Contains(base, old) {
		return dir + strings.ReplaceAll(base, old, name)
	}
	return p + "." + name
}

// Define defines (persistently, not started) the domain of xml and returns its name.
// A name or UUID already defined is libvirt's error, naming it.
func (c *Conn) Define(ctx context.Context, xml string) (string, error) {
	var name string
	err := c.call(ctx, "define domain", func() error {
		dom, err := c.lv().DomainDefineXML(xml)
		if err != nil {
			return err
		}
		defer dom.Free()
		name, err = dom.GetName()
		return err
	})
	return name, err
}

// confine makes a replica's definition (another host's word) name nothing of this
// host that libvirt would write, execute or hand to QEMU beyond what restore wrote:
// the emulator and security labels are libvirt's defaults here (a label could run
// QEMU as root), the NVRAM file and channel sockets libvirt's per-domain ones; the
// files it reads are checked by r.HostFile; every chardev file and log goes to
// r.LogDir under the domain's new name (r.As, else old); interface scripts (run as
// root), host character devices, pipes and sockets, input and TPM passthrough,
// smartcards, USB redirection, shared memory, file-backed memory devices, pstore and
// leases are refused, naming what.
func confine(def *libvirtxml.Domain, old string, r Redefinition) error {
	var refused []string
	refuse := func(format string, args ...any) { refused = append(refused, fmt.Sprintf(format, args...)) }
	hostFile := func(role, p string) {
		switch {
		case p == "":
		case r.HostFile == nil:
			refuse("%s %s (a file of this host)", role, p)
		default:
			if err := r.HostFile(role, p); err != nil {
				refuse("%s: %v", role, err)
			}
		}
	}
	def.SecLabel = nil
	dv := def.Devices
	dv.Emulator = ""
	if o := def.OS; o != nil {
		hostFile("kernel", o.Kernel)
		hostFile("initrd", o.Initrd)
		hostFile("dtb", o.DTB)
		hostFile("shim", o.Shim)
		if o.Loader != nil {
			hostFile("loader", o.Loader.Path)
		}
		if o.NVRam != nil {
			hostFile("NVRAM template", o.NVRam.Template)
			o.NVRam.NVRam, o.NVRam.Source = "", nil // libvirt's own for the domain
		}
		if o.ACPI != nil {
			for _, tb := range o.ACPI.Tables {
				hostFile("ACPI table", tb.Path)
			}
		}
	}
	if def.Bootloader != "" {
		refuse("<bootloader> %s (a program of this host)", def.Bootloader)
	}
	for i := range dv.Interfaces {
		n := &dv.Interfaces[i]
		if n.Script != nil || n.DownScript != nil {
			refuse("an <interface> with a script (run as root on this host)")
		}
		if n.Source != nil && n.Source.VHostUser != nil {
			refuse("a vhostuser <interface> (a socket of this host)")
		}
	}
	name, logDir := old, r.LogDir
	if r.As != "" {
		name = r.As
	}
	if logDir == "" {
		logDir = DefaultLogDir
	}
	// chardev refuses what src names of this host, and moves its file and log to
	// logDir, as NAME.KINDi.log and NAME.KINDi.chardev.log.
	chardev := func(kind string, i int, src *libvirtxml.DomainChardevSource, log *libvirtxml.DomainChardevLog) {
		switch {
		case src == nil:
		case src.Dev != nil:
			refuse("a %s on the host device %s", kind, src.Dev.Path)
		case src.Pipe != nil:
			refuse("a %s on the host pipe %s", kind, src.Pipe.Path)
		case src.UNIX != nil && kind == "channel":
			src.UNIX.Path = "" // libvirt makes one per domain
		case src.UNIX != nil:
			refuse("a %s on the socket %s", kind, src.UNIX.Path)
		case r.NoNetwork && src.TCP != nil:
			refuse("a %s on the network (tcp %s:%s), with no network asked for", kind, src.TCP.Host, src.TCP.Service)
		case r.NoNetwork && src.UDP != nil:
			refuse("a %s on the network (udp %s:%s), with no network asked for", kind, src.UDP.ConnectHost, src.UDP.ConnectService)
		}
		if src != nil && src.File != nil {
			src.File.Path = filepath.Join(logDir, fmt.Sprintf("%s.%s%d.log", name, kind, i))
			src.File.SecLabel = nil
		}
		if log != nil && log.File != "" {
			log.File = filepath.Join(logDir, fmt.Sprintf("%s.%s%d.chardev.log", name, kind, i))
		}
	}
	for i := range dv.Serials {
		chardev("serial", i, dv.Serials[i].Source, dv.Serials[i].Log)
	}
	for i := range dv.Consoles {
		c := &dv.Consoles[i]
		c.TTY = ""
		chardev("console", i, c.Source, c.Log)
		// A console of type serial is the serial itself: the same file.
		if c.Target != nil && c.Target.Type == "serial" && c.Source != nil && c.Source.File != nil && i < len(dv.Serials) {
			if s := dv.Serials[i].Source; s != nil && s.File != nil {
				c.Source.File.Path = s.File.Path
			}
		}
	}
	for i := range dv.Parallels {
		chardev("parallel", i, dv.Parallels[i].Source, dv.Parallels[i].Log)
	}
	for i := range dv.Channels {
		chardev("channel", i, dv.Channels[i].Source, dv.Channels[i].Log)
	}
	for _, in := range dv.Inputs {
		if in.Source != nil && (in.Source.Passthrough != nil || in.Source.EVDev != nil) { // libvirtxml makes an empty one
			refuse("an <input> passed through from this host")
		}
	}
	for _, tpm := range dv.TPMs {
		if tpm.Backend != nil && (tpm.Backend.Passthrough != nil || tpm.Backend.External != nil) {
			refuse("a <tpm> of this host")
		}
	}
	for _, rng := range dv.RNGs {
		if b := rng.Backend; b != nil && (b.EGD != nil || b.Random != nil && !slices.Contains([]string{"", "/dev/urandom", "/dev/random", "/dev/hwrng"}, b.Random.Device)) {
			refuse("an <rng> reading something other than /dev/urandom, /dev/random or /dev/hwrng")
		}
	}
	for _, m := range dv.Memorydevs {
		if m.Source != nil && m.Source.Path != "" {
			refuse("a <memory> device backed by %s", m.Source.Path)
		}
	}
	for _, g := range dv.Graphics {
		if g.VNC != nil && g.VNC.Socket != "" {
			refuse("a VNC <graphics> socket %s", g.VNC.Socket)
		}
	}
	for what, n := range map[string]int{"<smartcard>": len(dv.Smartcards), "<redirdev>": len(dv.RedirDevs), "<shmem>": len(dv.Shmems), "<lease>": len(dv.Leases)} {
		if n > 0 {
			refuse("%s (of this host)", what)
		}
	}
	if dv.PStore != nil {
		refuse("<pstore> (a file of this host)")
	}
	if len(refused) == 0 {
		return nil
	}
	sort.Strings(refused)
	return fmt.Errorf("the saved definition of %s, from a replica, names what this host would have to trust: %s; "+
		"not defined (restore without --define, check the definition and define it yourself)", old, strings.Join(refused, "; "))
}

// DefaultLogDir is where libvirt keeps its QEMU domains' logs.
const DefaultLogDir = "/var/log/libvirt/qemu"
