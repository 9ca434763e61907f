package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	Block    *Guest // vdb is the thin LV BlockLV (in the pool VG/pool)
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
	// The block guest's disk is a thin LV: its backups use changed-block tracking.
	ThinPool(t, a.Run, l.VG, "pool", diskSize+32<<20)
	l.BlockLV = ThinVolume(t, a.Run, l.VG, "pool", "web1", diskSize)
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

// WritePatterns has every guest write its pattern over the first PatternSize bytes
// of its vdb and sync, all at once.
func (l *BackupLab) WritePatterns(t TB) {
	t.Helper()
	l.inEveryGuest(t, func(g *Guest) string {
		return "[ -b " + guestDisk + " ] && yes " + Pattern(g) + " | head -c " + strconv.Itoa(PatternSize) + " | dd of=" + guestDisk + " bs=1M conv=fsync 2>/dev/null && sync"
	})
}

// changeRuns is how many places of its disk ChangeOnePercent writes: each is one dd
// in the guest, and under TCG inside TCG each process costs seconds (a nested guest's
// three mounts at boot took 9 s), so 8 runs of adjacent blocks, not 40 single blocks.
const changeRuns = 8

// ChangeOnePercent has every guest overwrite 1% of its vdb with random data, in
// 64 KiB blocks spread over the disk (changeRuns runs of adjacent blocks), and sync;
// the guests write at once. It returns the bytes changed per disk.
func (l *BackupLab) ChangeOnePercent(t TB) int64 {
	t.Helper()
	blocks := l.DiskSize / 100 / (64 << 10)
	per := blocks / changeRuns
	stride := l.DiskSize / (64 << 10) / changeRuns
	script := fmt.Sprintf("[ -b %s ] || exit 1; i=0; while [ $i -lt %d ]; do dd if=/dev/urandom of=%s bs=64k count=%d seek=$((i*%d+7)) conv=fsync 2>/dev/null; i=$((i+1)); done; sync",
		guestDisk, changeRuns, guestDisk, per, stride)
	l.inEveryGuest(t, func(*Guest) string { return script })
	return changeRuns * per * 64 << 10
}

// inEveryGuest runs a shell script in every guest at once (their vCPUs are the
// appliance's two) and fails t if one fails.
func (l *BackupLab) inEveryGuest(t TB, script func(g *Guest) string) {
	t.Helper()
	gs := l.Guests()
	errs := make([]error, len(gs))
	var wg sync.WaitGroup
	for i, g := range gs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = g.Exec(t.Context(), "/bin/sh", "-c", script(g))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("%v", err)
	}
}

// sumCmd checksums its standard input for the lab's equality checks: CRC-32 and the
// length (cksum). The data is the lab's own and nothing is forged, while the cost is
// paid some 30 times per end-to-end run under TCG: on the machine itself 256 MiB take
// 2.8 s with sha256sum (Debian's has no SHA-NI code), 0.1 s with cksum.
const sumCmd = "cksum"

// DiskSum is the checksum of a guest's vdb as the appliance reads it (O_DIRECT, past
// any cache).
func (l *BackupLab) DiskSum(t TB, g *Guest) string {
	t.Helper()
	return l.sum(t, "dd if="+l.Disks[g.Name]+" iflag=direct bs=1M 2>/dev/null | "+sumCmd, l.Disks[g.Name])
}

// FileSum is the checksum of a file in the appliance (a backup's or a restored image).
func (l *BackupLab) FileSum(t TB, path string) string {
	t.Helper()
	return l.sum(t, sumCmd+" <"+path, path)
}

func (l *BackupLab) sum(t TB, script, what string) string {
	t.Helper()
	out, err := l.Host.App.Shell(t.Context(), script)
	if err != nil || strings.TrimSpace(out) == "" {
		t.Fatalf("checksum of %s: %v %q", what, err, out)
	}
	return strings.TrimSpace(out)
}
