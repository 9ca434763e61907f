package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// BackupLab is a miniature KVM host ready for a backup night: two running guests
// with guest agents, one whose disk vdb is a raw LV (block mode) and one whose vdb is
// a raw image file on an ext4 LV (file mode), and a mirrored lz4 ZFS pool for the
// backups. Everything is removed at cleanup.
type BackupLab struct {
	Host     *KVMHost
	VG       string
	Pool     string
	Block    *Guest // vdb is the LV BlockLV
	File     *Guest // vdb is the file ImageDir/<name>.raw on the ext4 LV ImageLV
	BlockLV  string
	ImageLV  string
	ImageDir string
	DiskSize int64
	// Disks maps each guest's name to its vdb as the appliance sees it.
	Disks map[string]string
}

// StartBackupLab builds the lab in the appliance a, with guest disks of diskSize
// bytes (a multiple of 1 MiB).
func StartBackupLab(t TB, a *ApplianceVM, diskSize int64) *BackupLab {
	t.Helper()
	h := StartKVMHost(t, a)
	l := &BackupLab{Host: h, DiskSize: diskSize}
	l.VG = VolumeGroup(t, a.Run, 3*diskSize+256<<20)
	l.BlockLV = LogicalVolume(t, a.Run, l.VG, "web1", diskSize)
	l.ImageLV = LogicalVolume(t, a.Run, l.VG, "images", diskSize+64<<20)
	l.ImageDir = "/srv/" + l.VG
	img := l.ImageDir + "/db1.raw"
	if out, err := a.Shell(t.Context(), fmt.Sprintf("mkfs.ext4 -q %s && mkdir -p %s && mount %s %s && truncate -s %d %s",
		l.ImageLV, l.ImageDir, l.ImageLV, l.ImageDir, diskSize, img)); err != nil {
		t.Fatalf("image filesystem on %s: %v\n%s", l.ImageLV, err, out)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		a.Run(ctx, "umount", "-l", l.ImageDir)
	})
	l.Pool = ZPool(t, a.Run, PoolOptions{Mirror: true})
	gs := h.StartGuests(t,
		GuestOptions{Agent: true, Persistent: true, Disks: []GuestDisk{{Target: "vdb", Source: l.BlockLV, Block: true}}},
		GuestOptions{Agent: true, Persistent: true, Disks: []GuestDisk{{Target: "vdb", Source: img}}})
	l.Block, l.File = gs[0], gs[1]
	l.Disks = map[string]string{l.Block.Name: l.BlockLV, l.File.Name: img}
	for _, g := range gs {
		if err := g.WaitAgent(t.Context()); err != nil {
			t.Fatalf("%v", err)
		}
	}
	return l
}

// Guests returns both guests, block mode first.
func (l *BackupLab) Guests() []*Guest { return []*Guest{l.Block, l.File} }

// Config writes a kvmbackup config for the lab into dir and returns its path: both
// guests, sysrq-suspend, the pool's "vms" dataset, keep-last keepLast (no calendar
// rules), metrics into dir/kvmbackup.prom.
func (l *BackupLab) Config(t TB, dir string, keepLast int) string {
	t.Helper()
	p := filepath.Join(dir, fmt.Sprintf("config-keep%d.yaml", keepLast))
	yaml := fmt.Sprintf(`libvirt:
  uri: qemu:///system
quiesce:
  mode: sysrq-suspend
  settle: 500ms
snapshot:
  size: 50%%
target:
  dataset: %s/vms
retention:
  keep-last: %d
  keep-hourly: 0
  keep-daily: 0
  keep-weekly: 0
vms:
  - name: %s
  - name: %s
report:
  metrics-file: %s/kvmbackup.prom
`, l.Pool, keepLast, l.Block.Name, l.File.Name, dir)
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatalf("%v", err)
	}
	return p
}

// guestDisk is vdb as the guest's kernel names it: its only virtio disk, so vda.
const guestDisk = "/dev/vda"

// PatternSize is how much of its disk WritePattern has a guest write.
const PatternSize = 4 << 20

// Pattern is what WritePattern writes at the start of a guest's vdb.
func Pattern(g *Guest) string { return "KVMBACKUP-" + g.Name }

// WritePattern has the guest write its pattern over the first PatternSize bytes of
// vdb and sync.
func (l *BackupLab) WritePattern(t TB, g *Guest) {
	t.Helper()
	if _, err := g.Exec(t.Context(), "/bin/sh", "-c", "[ -b "+guestDisk+" ] && yes "+Pattern(g)+" | head -c "+strconv.Itoa(PatternSize)+" | dd of="+guestDisk+" bs=1M conv=fsync 2>/dev/null && sync"); err != nil {
		t.Fatalf("%v", err)
	}
}

// ChangeOnePercent has every guest overwrite 1% of its vdb with random data, in
// 64 KiB blocks spread over the disk, and sync. It returns the bytes changed per disk.
func (l *BackupLab) ChangeOnePercent(t TB) int64 {
	t.Helper()
	n := l.DiskSize / 100 / (64 << 10)
	script := fmt.Sprintf("[ -b %s ] || exit 1; i=0; while [ $i -lt %d ]; do dd if=/dev/urandom of=%s bs=64k count=1 seek=$((i*61+7)) conv=fsync 2>/dev/null; i=$((i+1)); done; sync", guestDisk, n, guestDisk)
	for _, g := range l.Guests() {
		if _, err := g.Exec(t.Context(), "/bin/sh", "-c", script); err != nil {
			t.Fatalf("%v", err)
		}
	}
	return n * 64 << 10
}

// DiskSum is the SHA-256 of a guest's vdb as the appliance reads it (O_DIRECT, past
// any cache).
func (l *BackupLab) DiskSum(t TB, g *Guest) string {
	t.Helper()
	out, err := l.Host.App.Shell(t.Context(), "dd if="+l.Disks[g.Name]+" iflag=direct bs=1M 2>/dev/null | sha256sum")
	if err != nil {
		t.Fatalf("sum of %s: %v", l.Disks[g.Name], err)
	}
	return strings.Fields(out)[0]
}
