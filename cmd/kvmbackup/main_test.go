package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m, testenv.ApplianceOptions{}) }

// runCLI runs kvmbackup in-process and returns stdout and the exit status.
func runCLI(t *testing.T, args ...string) (string, error, int) {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(t.Context())
	return out.String(), err, exitCode(err)
}

func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVersion(t *testing.T) {
	out, err, code := runCLI(t, "version", "--json")
	if err != nil || code != exitOK {
		t.Fatalf("version: %v (exit %d)", err, code)
	}
	var v versionInfo
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Version == "" || !strings.HasPrefix(v.Go, "go") {
		t.Fatalf("version --json: %q %v", out, err)
	}
}

// Bad input of every kind exits 2 with an error naming what is wrong.
func TestBadInputExitsTwo(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"check", "--bogus"}, "--bogus"},
		{"unknown command", []string{"frobnicate"}, "frobnicate"},
		{"bad log level", []string{"--log-level", "loud", "version"}, `"loud"`},
		{"missing config", []string{"check", "--config", "/nonexistent/kvmbackup.yaml"}, "/nonexistent/kvmbackup.yaml"},
		{"bad size", []string{"check", "--config", writeConfig(t, "snapshot:\n  size: 10X\n")}, "snapshot.size"},
		{"unknown key", []string{"check", "--config", writeConfig(t, "snapshot:\n  maxfill: 90%\n")}, "snapshot.maxfill"},
		{"keeps nothing", []string{"check", "--config", writeConfig(t, "retention: {keep-last: 0, keep-hourly: 0, keep-daily: 0, keep-weekly: 0}\n")}, "retention"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err, code := runCLI(t, tc.args...)
			if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("exit %d, error %v: want exit 2 naming %s", code, err, tc.want)
			}
		})
	}
}

// An environment override that is invalid names the variable.
func TestBadEnvOverrideExitsTwo(t *testing.T) {
	t.Setenv("KVMBACKUP_SNAPSHOT_MAX_FILL", "150%")
	_, err, code := runCLI(t, "check", "--config", writeConfig(t, "{}\n"))
	if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), "KVMBACKUP_SNAPSHOT_MAX_FILL") {
		t.Fatalf("exit %d, error %v", code, err)
	}
}

// A KVMBACKUP_* variable that names no key exits 2 naming it and the nearest one.
func TestUnknownEnvExitsTwo(t *testing.T) {
	t.Setenv("KVMBACKUP_TARGET_DATSET", "tank/vms")
	_, err, code := runCLI(t, "check", "--config", writeConfig(t, "{}\n"))
	if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), "KVMBACKUP_TARGET_DATSET") || !strings.Contains(err.Error(), "KVMBACKUP_TARGET_DATASET") {
		t.Fatalf("exit %d, error %v", code, err)
	}
}

// On the machine (no device-mapper, no ZFS module) check exits 2 and names them; its
// JSON says the same.
func TestCheckOnTheMachine(t *testing.T) {
	if testenv.Inside() {
		t.Skip("checks the machine")
	}
	testenv.Require(t, testenv.Libvirt)
	out, err, code := runCLI(t, "check", "--json", "--config", writeConfig(t, "{}\n"))
	var rep checkReport
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil {
		t.Fatalf("check --json: %v\n%s", jerr, out)
	}
	dm := testenv.Check(testenv.DeviceMapper) == nil
	zfs := testenv.Check(testenv.ZFS) == nil
	if rep.OK != (dm && zfs) || (code == exitOK) != rep.OK {
		t.Fatalf("check says ok=%v exit %d (%v); device-mapper %v, zfs %v", rep.OK, code, err, dm, zfs)
	}
	if !zfs && !strings.Contains(err.Error(), "zfs") {
		t.Fatalf("error does not name zfs: %v", err)
	}
}

// Inside the appliance (real device-mapper, LVM, ZFS module) check passes: exit 0.
func TestCheckPassesInTheAppliance(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		testenv.Require(t, testenv.DeviceMapper, testenv.ZFS)
		// The test driver's default domain has a made-up disk (/guest/diskimage1):
		// excluded, as an admin would exclude a VM kvmbackup must not back up.
		pool := testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Mirror: true})
		cfg := "libvirt:\n  uri: test:///default\nexclude: [te*]\ntarget:\n  dataset: %s/backup/vms\n"
		out, err, code := runCLI(t, "check", "--config", writeConfig(t, fmt.Sprintf(cfg, pool)))
		t.Logf("kvmbackup check:\n%s", out)
		if code != exitOK || err != nil {
			t.Fatalf("exit %d: %v", code, err)
		}
		for _, c := range []string{"libvirt", "lvm2", "zfs", "fsck", "target " + pool + "/backup/vms", "ONLINE; mirror-0 (redundant)", "compression lz4"} {
			if !strings.Contains(out, c) {
				t.Fatalf("check output does not report %s", c)
			}
		}
		// paths: entries planned as a run would: every bad one named (exit 2), the
		// good one shown with the target's mount point it skips.
		tree := t.TempDir()
		withPaths := fmt.Sprintf(cfg, pool) + "paths:\n  - name: root\n    path: /\n  - name: gone\n    path: " + tree + "/nosuch\n  - name: nolv\n    volume: nosuchvg/x\n  - name: here\n    path: " + tree + "\n"
		out, err, code = runCLI(t, "check", "--config", writeConfig(t, withPaths))
		t.Logf("kvmbackup check with paths:\n%s", out)
		for _, c := range []string{
			"4 paths",
			"root             ok       / → " + pool + "/backup/vms/_paths/root (skips /",
			"gone             PROBLEM  path " + tree + "/nosuch: ",
			"nolv             PROBLEM  volume nosuchvg/x: ",
			"here             ok       " + tree + " → " + pool + "/backup/vms/_paths/here\n",
		} {
			if !strings.Contains(out, c) {
				t.Errorf("check output lacks %q", c)
			}
		}
		if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), "paths entry gone, paths entry nolv") {
			t.Fatalf("bad paths entries: exit %d, %v", code, err)
		}
		// A single-device pool fails the mirror check: exit 2 naming the pool.
		single := testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Devices: 1})
		out, err, code = runCLI(t, "check", "--config", writeConfig(t, fmt.Sprintf(cfg, single)))
		if code != exitEnvironment || !strings.Contains(out, "pool "+single+" is not redundant") || !strings.Contains(err.Error(), "target "+single) {
			t.Fatalf("single-device pool: exit %d, %v\n%s", code, err, out)
		}
	})
}

// check lists each domain with its state, disks and the quiesce mode a run would use;
// recover resumes a VM that a crashed run left paused and marked.
func TestCheckListsDomainsAndRecoverResumes(t *testing.T) {
	if testenv.Inside() {
		t.Skip("uses the machine's libvirtd")
	}
	testenv.Require(t, testenv.Libvirt)
	g := testenv.StartGuest(t, testenv.GuestOptions{})
	cfg := writeConfig(t, "quiesce:\n  mode: auto\n")

	out, _, _ := runCLI(t, "check", "--json", "--config", cfg)
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("check --json: %v\n%s", err, out)
	}
	var found bool
	for _, d := range rep.Domains {
		if d.Name == g.Name {
			found = true
			if d.State != hypervisor.StateRunning || d.Quiesce != hypervisor.ModeSysrqSuspend || d.QuiesceWhy != "no guest agent channel" {
				t.Fatalf("check reports %+v", d)
			}
		}
	}
	if !found {
		t.Fatalf("check does not list %s:\n%s", g.Name, out)
	}

	// A run that crashed inside the freeze window: frozen, never thawed.
	c, err := hypervisor.Connect(t.Context(), "qemu:///system")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Freeze(t.Context(), []string{g.Name}, hypervisor.FreezeOptions{Mode: hypervisor.ModeSuspend, RunID: "crashed"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := g.State(t.Context()); st != "paused" {
		t.Fatalf("frozen guest is %s", st)
	}
	state := t.TempDir()
	lockFlag := "--lock=" + filepath.Join(state, "run.lock")
	out, err, code := runCLI(t, "recover", "--json", "--config", cfg, "--state-dir", state, lockFlag)
	if err != nil || code != exitOK {
		t.Fatalf("recover: exit %d: %v", code, err)
	}
	if !strings.Contains(out, `"name":"`+g.Name+`"`) || !strings.Contains(out, `"action":"resumed"`) || !strings.Contains(out, `"run":"crashed"`) {
		t.Fatalf("recover --json does not report resuming %s:\n%s", g.Name, out)
	}
	if st, _ := g.State(t.Context()); st != "running" {
		t.Fatalf("after recover the guest is %s", st)
	}
	out, _, _ = runCLI(t, "recover", "--config", cfg, "--state-dir", state, lockFlag)
	if !strings.Contains(out, "nothing to recover") {
		t.Fatalf("second recover: %s", out)
	}
}

// check finds the volumes a run would snapshot, from the config and from the VMs'
// disks (a raw LV, an image file on an ext4 LV), and checks each VG's room for them.
func TestCheckVolumesInTheAppliance(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		testenv.Require(t, testenv.DeviceMapper, testenv.ZFS)
		ctx := t.Context()
		vg := testenv.VolumeGroup(t, testenv.Local, 256<<20) // 252 MiB of extents
		testenv.LogicalVolume(t, testenv.Local, vg, "a", 32<<20)
		raw := testenv.LogicalVolume(t, testenv.Local, vg, "web3-root", 32<<20)
		images := testenv.LogicalVolume(t, testenv.Local, vg, "images", 64<<20)
		if _, err := testenv.Local(ctx, "mkfs.ext4", "-q", images); err != nil {
			t.Fatal(err)
		}
		mnt := t.TempDir()
		if _, err := testenv.Local(ctx, "mount", images, mnt); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { testenv.Local(context.Background(), "umount", mnt) })
		img := filepath.Join(mnt, "web3-data.qcow2")
		// A qcow2 header with no backing file (magic, version 3, backing offset 0):
		// an image the run can copy (one whose header cannot be read fails its VM).
		os.WriteFile(img, []byte("QFI\xfb\x00\x00\x00\x03"+strings.Repeat("\x00", 64)), 0o644)
		// libvirt's test driver, with a domain whose disks are those, and web1 and web9
		// with none (their vms[].volumes are theirs): a vms: entry that is no domain
		// fails a run, and so check (TestCheckFailsWhatARunFails).
		node := filepath.Join(t.TempDir(), "node.xml")
		os.WriteFile(node, []byte(`<node><domain type='test'><name>web3</name><memory>1048576</memory>
<os><type>hvm</type></os><devices>
<disk type='block' device='disk'><source dev='`+raw+`'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='`+img+`'/><target dev='vdb' bus='virtio'/></disk>
<disk type='file' device='cdrom'><source file='/nonexistent.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
</devices></domain>
<domain type='test'><name>web1</name><memory>1048576</memory><os><type>hvm</type></os><devices></devices></domain>
<domain type='test'><name>web9</name><memory>1048576</memory><os><type>hvm</type></os><devices></devices></domain></node>`), 0o644)
		pool := testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Mirror: true})
		conf := func(size string, extra string) string {
			return writeConfig(t, "libvirt:\n  uri: test://"+node+"\ntarget:\n  dataset: "+pool+"/vms\nsnapshot:\n  size: "+size+"\nvms:\n  - name: web3\n  - name: web1\n    volumes: ["+vg+"/a]\n"+extra)
		}

		out, err, code := runCLI(t, "check", "--config", conf("25%", ""))
		t.Logf("kvmbackup check:\n%s", out)
		if code != exitOK {
			t.Fatalf("exit %d: %v", code, err)
		}
		for _, want := range []string{vg + "/a", vg + "/web3-root", vg + "/images", "vm web3 disk vda (block)", "vm web3 disk vdb (file) on " + mnt, "snapshots need 32MiB"} {
			if !strings.Contains(out, want) {
				t.Fatalf("check output lacks %q", want)
			}
		}
		if _, vols, _ := strings.Cut(out, "volumes to snapshot"); strings.Contains(vols, "nonexistent.iso") {
			t.Fatal("a read-only CD-ROM was taken for a volume to snapshot")
		}

		// Three 60 MiB snapshots do not fit in the 124 MiB left: exit 2, naming the VG.
		out, err, code = runCLI(t, "check", "--config", conf("60M", ""))
		if code != exitEnvironment || !strings.Contains(err.Error(), "space in volume group "+vg) || !strings.Contains(out, "snapshots need 180MiB") {
			t.Fatalf("exit %d, %v:\n%s", code, err, out)
		}
		// A configured volume that does not exist is named.
		_, err, code = runCLI(t, "check", "--config", conf("25%", "  - name: web9\n    volumes: ["+vg+"/nosuch]\n"))
		if code != exitEnvironment || !strings.Contains(err.Error(), vg+"/nosuch") {
			t.Fatalf("exit %d, %v", code, err)
		}
	})
}

// copy: a copy and its verify exit 0; a tampered DST fails verify with exit 1; bad
// input exits 2 naming it.
func TestCopyCommand(t *testing.T) {
	dir := t.TempDir()
	src, dst, man := filepath.Join(dir, "src.raw"), filepath.Join(dir, "dst.raw"), filepath.Join(dir, "m")
	os.WriteFile(src, testenv.RandomBytes(1, 3<<20+5), 0o644)
	out, err, code := runCLI(t, "copy", "--json", "--progress=never", "--manifest", man, src, dst)
	if code != exitOK {
		t.Fatalf("copy: exit %d: %v", code, err)
	}
	if !strings.Contains(out, `"mode":"new"`) || !strings.Contains(out, `"written":3145733`) {
		t.Fatalf("copy --json: %s", out)
	}
	if _, err, code := runCLI(t, "copy", "--verify", "--manifest", man, dst); code != exitOK {
		t.Fatalf("verify: exit %d: %v", code, err)
	}
	f, _ := os.OpenFile(dst, os.O_RDWR, 0)
	f.WriteAt([]byte("!"), 1<<20)
	f.Close()
	_, err, code = runCLI(t, "copy", "--verify", "--manifest", man, dst)
	if code != exitSomeFailed || !strings.Contains(err.Error(), "1 of 193 blocks differ") {
		t.Fatalf("verify of a tampered copy: exit %d: %v", code, err)
	}
	out, _, code = runCLI(t, "copy", "--progress=never", "--manifest", man, src, dst)
	if code != exitOK || !strings.Contains(out, "changed since its manifest") {
		t.Fatalf("copy over a tampered DST: exit %d:\n%s", code, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"copy", filepath.Join(dir, "nope"), dst}, "nope"},
		{[]string{"copy", src, dir}, "is a directory"},
		{[]string{"copy", src}, "exactly two arguments"},
		{[]string{"copy", "--progress=sometimes", src, dst}, "sometimes"},
		{[]string{"copy", "--chunk-size", "3X", src, dst}, "--chunk-size"},
		{[]string{"copy", "--verify", dst}, "--manifest"},
	} {
		_, err, code := runCLI(t, tc.args...)
		if code != exitEnvironment || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: exit %d, %v: want exit 2 naming %q", tc.args, code, err, tc.want)
		}
	}
}
