package hypervisor

import (
	"context"
	"fmt"
	"path/filepath"
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
		if def.OS != nil && def.OS.NVRam != nil && def.OS.NVRam.NVRam != "" {
			def.OS.NVRam.NVRam = rename(def.OS.NVRam.NVRam)
		}
	}
	out, err = def.Marshal()
	if err != nil {
		return "", "", fmt.Errorf("write the domain definition of %s: %w", def.Name, err)
	}
	return def.Name, out, nil
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
