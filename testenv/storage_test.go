package testenv

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

func pattern(seed byte, n int) []byte { return RandomBytes(uint64(seed), n) }

func readAt(t *testing.T, path string, off int64, n int) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	return b
}

// Inside the appliance, a classic LVM snapshot of a written LV keeps the old content
// after the origin changes: real device-mapper, real lvm2.
func TestApplianceLVMSnapshotKeepsOldContent(t *testing.T) {
	InAppliance(t, func(t *testing.T) {
		Require(t, DeviceMapper)
		ctx := t.Context()
		vg := VolumeGroup(t, Local, 256<<20)
		origin := LogicalVolume(t, Local, vg, "origin", 64<<20)
		old := pattern(1, 8<<20)
		WriteAt(t, origin, 0, old)
		if _, err := Local(ctx, "lvm", "lvcreate", "-q", "-s", "-L", "32m", "--chunksize", "64k", "-n", "snap", vg+"/origin"); err != nil {
			t.Fatal(err)
		}
		WriteAt(t, origin, 0, pattern(2, 8<<20))
		snap := "/dev/" + vg + "/snap"
		if got := readAt(t, snap, 0, len(old)); sha256.Sum256(got) != sha256.Sum256(old) {
			t.Fatal("the snapshot does not hold the content the origin had when it was taken")
		}
		if got := readAt(t, origin, 0, len(old)); bytes.Equal(got, old) {
			t.Fatal("the origin still reads the old content after being overwritten")
		}
		out, err := Local(ctx, "lvm", "lvs", "--reportformat", "json", "-o", "lv_name,origin,data_percent", vg+"/snap")
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Report []struct {
				LV []map[string]string `json:"lv"`
			} `json:"report"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Report) != 1 || len(rep.Report[0].LV) != 1 {
			t.Fatalf("lvs json: %v\n%s", err, out)
		}
		lv := rep.Report[0].LV[0]
		fill, _ := strconv.ParseFloat(lv["data_percent"], 64)
		t.Logf("snapshot %s of %s: %.2f%% full after 8 MiB rewritten", lv["lv_name"], lv["origin"], fill)
		if lv["origin"] != "origin" || fill <= 0 {
			t.Fatalf("snapshot facts wrong: %v", lv)
		}
	})
}

// Inside the appliance, a ZFS mirror with lz4 on two partitions takes snapshots and
// reports what each one wrote: real OpenZFS.
func TestApplianceZFSMirror(t *testing.T) {
	InAppliance(t, func(t *testing.T) {
		Require(t, ZFS)
		ctx := t.Context()
		var parts []string
		for range 2 {
			dev := LoopDevice(t, Local, 256<<20)
			if _, err := localWithStdin(t.Context(), ",,\n", "sfdisk", "-q", dev); err != nil {
				t.Fatal(err)
			}
			parts = append(parts, dev+"p1")
		}
		pool := UniqueName(LabPrefix + "p")
		args := append([]string{"zpool", "create", "-f", "-O", "compression=lz4", "-m", ScratchDir + "/" + pool, pool, "mirror"}, parts...)
		if _, err := Local(ctx, args...); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cleanupRun(Local, "zpool", "destroy", "-f", pool) })
		status, err := Local(ctx, "zpool", "status", pool)
		if err != nil || !strings.Contains(status, "mirror-0") || !strings.Contains(status, "ONLINE") {
			t.Fatalf("zpool status: %v\n%s", err, status)
		}
		ds := pool + "/vms"
		if _, err := Local(ctx, "zfs", "create", ds); err != nil {
			t.Fatal(err)
		}
		img := ScratchDir + "/" + ds + "/vda.raw"
		if err := os.WriteFile(img, pattern(3, 8<<20), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Local(ctx, "zfs", "snapshot", ds+"@one"); err != nil {
			t.Fatal(err)
		}
		WriteAt(t, img, 1<<20, pattern(4, 128<<10))
		if _, err := Local(ctx, "zfs", "snapshot", ds+"@two"); err != nil {
			t.Fatal(err)
		}
		out, err := Local(ctx, "zfs", "get", "-H", "-p", "-o", "value", "written", ds+"@two")
		if err != nil {
			t.Fatal(err)
		}
		written, _ := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
		comp, err := Local(ctx, "zfs", "get", "-H", "-o", "value", "compression", ds)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("mirror %s: @two wrote %d bytes after 128 KiB changed; compression %s", pool, written, strings.TrimSpace(comp))
		// 128 KiB of incompressible data rewrites one 128 KiB record, plus metadata.
		if written < 128<<10 || written > 1<<20 || strings.TrimSpace(comp) != "lz4" {
			t.Fatalf("written %d (want about 128 KiB), compression %q", written, comp)
		}
	})
}
