package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// Commander runs a command where a lab resource lives and returns its stdout; a
// non-zero exit is an error carrying stderr. Local runs it in this process's machine
// (inside the appliance, for tests run there by InAppliance); (*ApplianceVM).Run runs
// it inside an appliance from the machine.
type Commander func(ctx context.Context, argv ...string) (string, error)

// Local runs commands on the machine this process runs on.
func Local(ctx context.Context, argv ...string) (string, error) {
	out, err := runner.New(argv[0]).Output(ctx, argv[1:]...)
	return string(out), err
}

// ScratchDir is the appliance's scratch filesystem (an ext4 virtio disk).
const ScratchDir = "/scratch"

// LoopDevice makes a sparse file of size bytes on the appliance's scratch disk and
// attaches it to a loop device (partitions scanned). Detached and removed at cleanup.
func LoopDevice(t TB, run Commander, size int64) string {
	t.Helper()
	ctx := t.Context()
	file := filepath.Join(ScratchDir, UniqueName(LabPrefix+"loop")+".img")
	if _, err := run(ctx, "truncate", "-s", fmt.Sprint(size), file); err != nil {
		t.Fatalf("loop device backing file: %v", err)
	}
	t.Cleanup(func() { cleanupRun(run, "rm", "-f", file) })
	out, err := run(ctx, "losetup", "--find", "--show", "--partscan", file)
	if err != nil {
		t.Fatalf("losetup %s: %v", file, err)
	}
	dev := strings.TrimSpace(out)
	t.Cleanup(func() { cleanupRun(run, "losetup", "--detach", dev) })
	return dev
}

// VolumeGroup makes a VG on a fresh loop device of size bytes; removed (with every LV
// in it) at cleanup. It returns the VG's name.
func VolumeGroup(t TB, run Commander, size int64) string {
	t.Helper()
	ctx := t.Context()
	dev := LoopDevice(t, run, size)
	vg := strings.ReplaceAll(UniqueName(LabPrefix+"vg"), "-", "_")
	if _, err := run(ctx, "lvm", "pvcreate", "-q", dev); err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() { cleanupRun(run, "lvm", "pvremove", "-q", "-ff", "-y", dev) })
	if _, err := run(ctx, "lvm", "vgcreate", "-q", vg, dev); err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() { cleanupRun(run, "lvm", "vgremove", "-q", "-f", vg) })
	return vg
}

// LogicalVolume makes a linear LV of size bytes in vg and returns its /dev path.
func LogicalVolume(t TB, run Commander, vg, name string, size int64) string {
	t.Helper()
	if _, err := run(t.Context(), "lvm", "lvcreate", "-q", "-y", "-Wn", "-L", fmt.Sprintf("%db", size), "-n", name, vg); err != nil {
		t.Fatalf("%v", err)
	}
	return "/dev/" + vg + "/" + name
}

// ThinPool makes the thin pool vg/name of size bytes with 64 KiB chunks (removed with
// its VG).
func ThinPool(t TB, run Commander, vg, name string, size int64) {
	t.Helper()
	if _, err := run(t.Context(), "lvm", "lvcreate", "-q", "-y", "--type", "thin-pool", "-L", fmt.Sprintf("%db", size),
		"--chunksize", "64k", "-n", name, vg); err != nil {
		t.Fatalf("%v", err)
	}
}

// ThinVolume makes the thin LV vg/name of virtual size bytes in the thin pool vg/pool
// and returns its device path.
func ThinVolume(t TB, run Commander, vg, pool, name string, size int64) string {
	t.Helper()
	if _, err := run(t.Context(), "lvm", "lvcreate", "-q", "-y", "-V", fmt.Sprintf("%db", size), "-T", vg+"/"+pool, "-n", name); err != nil {
		t.Fatalf("%v", err)
	}
	return "/dev/" + vg + "/" + name
}

// PoolOptions shape a lab ZFS pool.
type PoolOptions struct {
	Devices     int    // loop devices (default 2)
	Mirror      bool   // one mirror of all devices; else one vdev per device
	DeviceSize  int64  // bytes each (default 1.5 GiB, sparse)
	Compression string // the pool's compression property (default lz4)
}

// ZPool makes a ZFS pool on fresh loop devices, mounted under ScratchDir/<pool>, and
// returns its name; destroyed at cleanup.
func ZPool(t TB, run Commander, o PoolOptions) string {
	t.Helper()
	if o.Devices == 0 {
		o.Devices = 2
	}
	if o.DeviceSize == 0 {
		o.DeviceSize = 3 << 29
	}
	if o.Compression == "" {
		o.Compression = "lz4"
	}
	pool := UniqueName(LabPrefix + "p")
	args := []string{"zpool", "create", "-f", "-O", "compression=" + o.Compression, "-m", ScratchDir + "/" + pool, pool}
	if o.Mirror {
		args = append(args, "mirror")
	}
	for range o.Devices {
		args = append(args, LoopDevice(t, run, o.DeviceSize))
	}
	if _, err := run(t.Context(), args...); err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() { cleanupRun(run, "zpool", "destroy", "-f", pool) })
	return pool
}

// cleanupRun runs a cleanup command with a fresh bounded context (the test's own is
// cancelled by then); its failure is left for `make lab-clean`.
func cleanupRun(run Commander, argv ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run(ctx, argv...)
}

func localWithStdin(ctx context.Context, stdin string, argv ...string) (string, error) {
	res, err := runner.New(argv[0]).RunWith(ctx, runner.Options{Stdin: strings.NewReader(stdin)}, argv[1:]...)
	return string(res.Stdout), err
}

// RandomBytes returns n incompressible bytes that depend only on seed.
func RandomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 0x6b766d))
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	for i := n - n%8; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// WriteAt writes data at off into the file or device path and syncs it.
func WriteAt(t TB, path string, off int64, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer f.Close()
	if _, err := f.WriteAt(data, off); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	if err := f.Sync(); err != nil {
		t.Fatalf("sync %s: %v", path, err)
	}
}

// SHA256 returns the SHA-256 of the first n bytes of path (all of it when n < 0) and
// how many bytes it read.
func SHA256(t TB, path string, n int64) ([32]byte, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer f.Close()
	h := sha256.New()
	var r io.Reader = f
	if n >= 0 {
		r = io.LimitReader(f, n)
	}
	got, err := io.Copy(h, r)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if n >= 0 && got != n {
		t.Fatalf("read %s: %d bytes, want %d", path, got, n)
	}
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return s, got
}
