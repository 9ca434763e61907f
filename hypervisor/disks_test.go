package hypervisor

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"libvirt.org/go/libvirtxml"
)

// A qcow2 disk with a backing chain cannot be backed up by copying its file (only the
// top layer would be kept): it is seen in the live XML's <backingStore> and, for a
// shut-off domain whose definition shows none, in the image's own header; such a disk
// is unsupported, and so is one whose header cannot be read. An empty <backingStore/>
// and a qcow2 without a backing file are copied.
func TestHostileQCOW2BackingChainIsSeen(t *testing.T) {
	dir := t.TempDir()
	base, top, alone := filepath.Join(dir, "base.qcow2"), filepath.Join(dir, "top.qcow2"), filepath.Join(dir, "alone.qcow2")
	for _, argv := range [][]string{
		{"qemu-img", "create", "-q", "-f", "qcow2", base, "1M"},
		{"qemu-img", "create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", top},
		{"qemu-img", "create", "-q", "-f", "qcow2", alone, "1M"},
	} {
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}
	if b, err := QCOW2Backing(top); err != nil || b != base {
		t.Fatalf("QCOW2Backing(top) = %q, %v; want %s", b, err, base)
	}
	if b, err := QCOW2Backing(alone); err != nil || b != "" {
		t.Fatalf("QCOW2Backing(alone) = %q, %v", b, err)
	}
	raw := filepath.Join(dir, "x.raw")
	os.WriteFile(raw, make([]byte, 4096), 0o600)
	if _, err := QCOW2Backing(raw); err == nil || !strings.Contains(err.Error(), raw) {
		t.Fatalf("a raw file read as qcow2: %v", err)
	}

	const xml = `<domain type='kvm'><name>v</name><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='%TOP%'/><target dev='vda'/></disk>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='%ALONE%'/><backingStore/><target dev='vdb'/></disk>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/nonexistent/a.qcow2'/>
  <backingStore type='file' index='1'><format type='qcow2'/><source file='/srv/base.qcow2'/><backingStore/></backingStore><target dev='vdc'/></disk>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='%ALONE%'/><target dev='vdd'/></disk>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='%RAW%'/><target dev='vde'/></disk>
</devices></domain>`
	var def libvirtxml.Domain
	if err := def.Unmarshal(strings.NewReplacer("%TOP%", top, "%ALONE%", alone, "%RAW%", raw).Replace(xml)); err != nil {
		t.Fatal(err)
	}
	disks := DisksOf(&def)
	probeBacking(disks)
	want := map[string]DiskUse{"vda": DiskUnsupported, "vdb": DiskCopied, "vdc": DiskUnsupported, "vdd": DiskCopied, "vde": DiskUnsupported}
	for _, d := range disks {
		use, why := d.Use(nil)
		t.Logf("%s: %s %s", d.Target, use, why)
		if use != want[d.Target] {
			t.Errorf("disk %s (backing %q %q): %s, want %s", d.Target, d.Backing, d.BackingErr, use, want[d.Target])
		}
	}
	if disks[0].Backing != base || disks[2].Backing != "/srv/base.qcow2" {
		t.Errorf("backing files %q, %q", disks[0].Backing, disks[2].Backing)
	}
	if use, _ := disks[0].Use([]string{"vda"}); use != DiskExcluded {
		t.Errorf("an excluded disk is %s", use)
	}
}
