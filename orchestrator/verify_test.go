package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/fscheck"
	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// The verify's own logic with fakes: the order of its steps, that every clone,
// loop device and throwaway domain is undone on every path, what it records, and
// what it reports. The lab tests (cmd/kvmbackup) run it on real ZFS, LVM, loop
// devices, e2fsck and libvirt.

// vworld is a target holding one VM's dated backup (a directory its clones show),
// loop devices, filesystem checks, a verifier and libvirt, each logging its calls.
type vworld struct {
	mu      sync.Mutex
	log     []string
	backup  string // the snapshot's content
	snaps   []zfs.Snapshot
	props   map[string]map[string]string
	fss     []loopdev.FS
	fsRes   map[string]fscheck.Result // by type
	verify  func(image string) (transfer.VerifyResult, error)
	failAt  string // a call that fails ("start", "ping", "exec", "clone-boot", ...)
	pings   int    // AgentPing fails this many times before it answers
	exit    int    // AgentExec's exit status
	screen  []byte // nil: ErrNoScreen
	started map[string]string
	xml     string
	more    []string // more VM datasets, without a dated backup
}

func newVWorld(t *testing.T, domainXML string) *vworld {
	w := &vworld{backup: filepath.Join(t.TempDir(), "snap"), props: map[string]map[string]string{}, fsRes: map[string]fscheck.Result{},
		started: map[string]string{},
		verify: func(string) (transfer.VerifyResult, error) {
			return transfer.VerifyResult{Blocks: 64, Read: 1 << 20, FirstBad: -1}, nil
		}}
	if err := os.MkdirAll(filepath.Join(w.backup, manifestDir), 0o700); err != nil {
		t.Fatal(err)
	}
	meta, _ := json.Marshal(Meta{VM: "web1", Disks: []MetaDisk{{Disk: "vda", Image: "vda.raw", Source: "/dev/vg0/web1", Mode: "block"}}})
	for name, b := range map[string][]byte{"kvmbackup.json": meta, "domain.xml": []byte(domainXML), "vda.raw": make([]byte, 4096), manifestDir + "/vda.raw": []byte("m")} {
		if err := os.WriteFile(filepath.Join(w.backup, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w.snaps = []zfs.Snapshot{{Dataset: "backup/vms/web1", Name: "kvmbackup_2026-11-24T03:00:00Z"}}
	return w
}

func (w *vworld) step(what string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.log = append(w.log, what)
	if w.failAt != "" && strings.HasPrefix(what, w.failAt) {
		return fmt.Errorf("%s failed", what)
	}
	return nil
}

func (w *vworld) Children(_ context.Context, ds string) ([]string, error) {
	if ds == "backup/vms" {
		return append([]string{"backup/vms/web1"}, w.more...), nil
	}
	return nil, nil
}

func (w *vworld) Snapshots(_ context.Context, ds string) ([]zfs.Snapshot, error) {
	if slices.Contains(w.more, ds) {
		return nil, nil // a dataset without a backup yet
	}
	if ds != "backup/vms/web1" {
		return nil, fmt.Errorf("dataset %s: %w", ds, zfs.ErrNotFound)
	}
	return w.snaps, nil
}

func (w *vworld) CloneSnapshot(_ context.Context, snap zfs.Snapshot, root, runID string, o zfs.CloneOptions) (zfs.Clone, error) {
	kind := "data"
	if o.Shared {
		kind = "boot"
	}
	if err := w.step("clone-" + kind); err != nil {
		return zfs.Clone{}, err
	}
	if !o.Writable || root != "backup/vms" || snap.Dataset != "backup/vms/web1" {
		return zfs.Clone{}, fmt.Errorf("clone %+v %s %+v", snap, root, o)
	}
	return zfs.Clone{Dataset: "backup/vms/_clones/web1-" + runID + "-" + kind, Origin: snap.FullName(), Dir: w.backup}, nil
}

func (w *vworld) RemoveClone(_ context.Context, c zfs.Clone) error {
	return w.step("remove " + c.Dataset[strings.LastIndex(c.Dataset, "-")+1:])
}

func (w *vworld) SetSnapshotProps(_ context.Context, snap zfs.Snapshot, props map[string]string) error {
	if err := w.step("props"); err != nil {
		return err
	}
	w.props[snap.FullName()] = props
	return nil
}

func (w *vworld) PoolErrors(context.Context, string) ([]string, error) {
	return []string{"backup/vms/web1@kvmbackup_2026-11-24T03:00:00Z:/vda.raw"}, nil
}

func (w *vworld) AttachWritable(_ context.Context, image string) (string, error) {
	return "/dev/loop7", w.step("attach " + filepath.Base(image))
}

func (w *vworld) Filesystems(context.Context, string) ([]loopdev.FS, error) { return w.fss, nil }

func (w *vworld) Detach(_ context.Context, dev string) error { return w.step("detach " + dev) }

func (w *vworld) Check(_ context.Context, dev, fstype string) (fscheck.Result, error) {
	if err := w.step("fsck " + dev); err != nil {
		return fscheck.Result{}, err
	}
	return w.fsRes[fstype], nil
}

func (w *vworld) Verify(_ context.Context, dst *os.File, manifest string) (transfer.VerifyResult, error) {
	if err := w.step("read " + filepath.Base(dst.Name())); err != nil {
		return transfer.VerifyResult{}, err
	}
	return w.verify(dst.Name())
}

func (w *vworld) StartThrowaway(_ context.Context, xml, runID string) (string, error) {
	if err := w.step("start"); err != nil {
		return "", err
	}
	name := regexp.MustCompile(`<name>([^<]*)</name>`).FindStringSubmatch(xml)[1]
	w.mu.Lock()
	w.started[name], w.xml = runID, xml
	w.mu.Unlock()
	return name, nil
}

func (w *vworld) AgentPing(context.Context, string) error {
	w.mu.Lock()
	w.pings--
	n := w.pings
	w.mu.Unlock()
	if err := w.step("ping"); err != nil {
		return err
	}
	if n >= 0 {
		return errors.New("guest agent not connected")
	}
	return nil
}

func (w *vworld) AgentExec(_ context.Context, _ string, argv []string) (hypervisor.ExecResult, error) {
	if err := w.step("exec " + strings.Join(argv, " ")); err != nil {
		return hypervisor.ExecResult{}, err
	}
	return hypervisor.ExecResult{Exit: w.exit, Stderr: "no such file\x1b[31m"}, nil
}

func (w *vworld) Screenshot(context.Context, string) ([]byte, error) {
	if err := w.step("screenshot"); err != nil {
		return nil, err
	}
	if w.screen == nil {
		return nil, hypervisor.ErrNoScreen
	}
	return w.screen, nil
}

func (w *vworld) DestroyThrowaway(_ context.Context, name string) error {
	if err := w.step("destroy"); err != nil {
		return err
	}
	w.mu.Lock()
	delete(w.started, name)
	w.mu.Unlock()
	return nil
}

func (w *vworld) Throwaways(_ context.Context, runID string) (map[string]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]string{}
	for n, r := range w.started {
		if runID == "" || r == runID {
			out[n] = r
		}
	}
	return out, nil
}

// console waits (up to 4 s) for the throwaway's start, then writes its console log
// file with each of texts in turn, as a booting guest would.
func (w *vworld) console(texts ...string) {
	for range 200 {
		time.Sleep(20 * time.Millisecond)
		w.mu.Lock()
		xml := w.xml
		w.mu.Unlock()
		if m := regexp.MustCompile(`<log file="([^"]*)"`).FindStringSubmatch(xml); m != nil {
			for _, text := range texts {
				os.WriteFile(m[1], []byte(text), 0o600)
				time.Sleep(50 * time.Millisecond)
			}
			return
		}
	}
}

func (w *vworld) deps() VerifyDeps {
	return VerifyDeps{Target: w, Loops: w, FS: w, Verifier: w, Boot: w}
}

const agentDomain = `<domain type='kvm'><name>web1</name><uuid>6d1f3a30-0d6b-4b8e-9c1e-2f6f1d1e0a01</uuid><memory>1048576</memory>
<os><type>hvm</type></os><devices>
<disk type='block' device='disk'><source dev='/dev/vg0/web1'/><target dev='vda' bus='virtio'/></disk>
<interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/></interface>
<serial type='pty'><target port='0'/></serial>
<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
</devices></domain>`

func verifyOpts(t *testing.T, boot bool) VerifyOptions {
	return VerifyOptions{Root: "backup/vms", Boot: boot, RunID: "verify-20261124T060000Z", JournalDir: filepath.Join(t.TempDir(), "journal"),
		BootOpts: BootOptions{Checks: [][]string{{"/bin/sh", "-c", "test -s /data"}}, Timeout: time.Second, ScreenshotDir: filepath.Join(t.TempDir(), "shots")}}
}

func TestVerifyDataAndBoot(t *testing.T) {
	w := newVWorld(t, agentDomain)
	w.fss = []loopdev.FS{{Dev: "/dev/loop7p1", Type: "ext4", Number: 1}, {Dev: "/dev/loop7p2", Type: "zonefs", Number: 2}}
	w.fsRes["ext4"] = fscheck.Result{Status: "ok", Replayed: true}
	w.fsRes["zonefs"] = fscheck.Result{Status: "unchecked", Reason: "no read-only check"}
	w.screen = []byte("\x89PNG")
	o := verifyOpts(t, true)
	rep, err := Verify(t.Context(), w.deps(), o)
	if err != nil || !rep.OK || len(rep.Results) != 1 {
		t.Fatalf("%v %+v", err, rep)
	}
	r := rep.Results[0]
	want := []string{"clone-data", "read vda.raw", "attach vda.raw", "fsck /dev/loop7p1", "fsck /dev/loop7p2", "detach /dev/loop7", "remove data",
		"clone-boot", "start", "ping", "exec /bin/sh -c test -s /data", "screenshot", "destroy", "remove boot", "props"}
	if !slices.Equal(w.log, want) {
		t.Errorf("steps:\n%v\nwant\n%v", w.log, want)
	}
	if r.Checked != "data,boot" || r.Boot.ReadyBy != "guest-ping" || r.Boot.Domain != "kvmbackup-verify-web1-20261124T060000Z" ||
		len(r.Filesystems) != 2 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "zonefs filesystem on partition 2 not checked") {
		t.Errorf("%+v %+v", r, r.Boot)
	}
	// The throwaway: no network, its disk on the clone, its own console, no UUID.
	if strings.Count(w.xml, "<serial") != 1 || !strings.Contains(w.xml, "<log file=") {
		t.Errorf("the throwaway's console: not one serial logged to a file:\n%s", w.xml)
	}
	for _, bad := range []string{"<interface", "/dev/vg0/web1", "6d1f3a30"} {
		if strings.Contains(w.xml, bad) {
			t.Errorf("the throwaway's definition holds %s:\n%s", bad, w.xml)
		}
	}
	if !strings.Contains(w.xml, filepath.Join(w.backup, "vda.raw")) || !strings.Contains(w.xml, "kvmbackup-verify-web1-20261124T060000Z.console.log") {
		t.Errorf("the throwaway's definition:\n%s", w.xml)
	}
	if fi, err := os.Stat(r.Boot.Screenshot); err != nil || fi.Mode().Perm() != 0o600 || filepath.Base(r.Boot.Screenshot) != "web1-kvmbackup_2026-11-24T03:00:00Z.png" {
		t.Errorf("screenshot %s: %v %v", r.Boot.Screenshot, fi, err)
	}
	p := w.props["backup/vms/web1@kvmbackup_2026-11-24T03:00:00Z"]
	if p[zfs.PropVerifyResult] != "ok" || p[zfs.PropVerifyWhat] != "data,boot" || p[zfs.PropVerified] == "" {
		t.Errorf("recorded: %v", p)
	}
	if v, ok := (zfs.Snapshot{Props: p}).Verification(); !ok || !v.OK || v.What != "data,boot" {
		t.Errorf("read back: %+v %v", v, ok)
	}
	if left, err := Leftovers(o.JournalDir); err != nil || len(left) != 0 {
		t.Errorf("journal left: %v %+v", err, left)
	}
}

// Each failure is reported with its reason, recorded, and leaves nothing: the
// domain destroyed when it was started, each clone removed, the loop detached,
// the journal closed.
func TestVerifyFailuresUndoEverything(t *testing.T) {
	for _, c := range []struct {
		name   string
		set    func(w *vworld)
		reason string
		undone []string // among the steps
	}{
		{"clone fails", func(w *vworld) { w.failAt = "clone-data" }, "clone-data failed", nil},
		{"image differs", func(w *vworld) {
			w.verify = func(string) (transfer.VerifyResult, error) {
				return transfer.VerifyResult{Blocks: 64, Mismatched: 2, FirstBad: 32768}, errors.New("differ")
			}
		}, "disk vda: vda.raw: 2 of 64 blocks (16 KiB each) differ from its manifest in the backup (the first at byte 32768)", []string{"remove data", "destroy", "remove boot"}},
		{"checksum error", func(w *vworld) {
			w.verify = func(img string) (transfer.VerifyResult, error) {
				return transfer.VerifyResult{}, fmt.Errorf("read %s at 0: %w", img, syscall.EIO)
			}
		}, "backup/vms/web1@kvmbackup_2026-11-24T03:00:00Z:/vda.raw at 0: input/output error: checksum errors; the pool lists damaged files", []string{"remove data"}},
		{"filesystem errors", func(w *vworld) {
			w.fss = []loopdev.FS{{Dev: "/dev/loop7p1", Type: "ext4", Number: 1}}
			w.fsRes["ext4"] = fscheck.Result{Status: "errors", Reason: "e2fsck -n -f /dev/loop7p1: exit status 4"}
		}, "disk vda: ext4 filesystem on partition 1: e2fsck -n -f /dev/loop7p1: exit status 4", []string{"detach /dev/loop7", "remove data"}},
		{"fsck cannot run", func(w *vworld) {
			w.fss = []loopdev.FS{{Dev: "/dev/loop7", Type: "ext4"}}
			w.failAt = "fsck"
		}, "fsck /dev/loop7 failed", []string{"detach /dev/loop7", "remove data", "destroy"}},
		{"start fails", func(w *vworld) { w.failAt = "start" }, "start the throwaway domain kvmbackup-verify-web1-20261124T060000Z: start failed", []string{"remove boot"}},
		{"never ready", func(w *vworld) { w.pings = 1 << 30 }, "did not become ready in 1s: the guest agent did not answer guest-ping (guest agent not connected)", []string{"destroy", "remove boot"}},
		{"check fails", func(w *vworld) { w.exit = 1 }, `check "/bin/sh -c test -s /data": exit status 1: no such file [31m`, []string{"destroy", "remove boot"}},
		{"exec fails", func(w *vworld) { w.failAt = "exec" }, "exec /bin/sh -c test -s /data failed", []string{"destroy", "remove boot"}},
		{"destroy fails", func(w *vworld) { w.failAt = "destroy" }, "destroy failed", []string{"remove boot"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newVWorld(t, agentDomain)
			w.pings = 0
			c.set(w)
			o := verifyOpts(t, true)
			rep, err := Verify(t.Context(), w.deps(), o)
			if (err != nil) != (c.name == "destroy fails") || rep.OK || len(rep.Results) != 1 {
				t.Fatalf("%v %+v", err, rep)
			}
			r := rep.Results[0]
			if !strings.Contains(r.Reason, c.reason) {
				t.Errorf("reason %q, want %q", r.Reason, c.reason)
			}
			for _, u := range c.undone {
				if !slices.Contains(w.log, u) {
					t.Errorf("%s not done: %v", u, w.log)
				}
			}
			// Every clone made is removed, every loop attached detached, and a
			// started domain destroyed (the failing destroy left to recover).
			count := func(prefix string) int {
				n := 0
				for _, s := range w.log {
					if strings.HasPrefix(s, prefix) {
						n++
					}
				}
				return n
			}
			if count("clone-")-boolInt(c.name == "clone fails") != count("remove ") || count("attach") != count("detach") ||
				(count("start") == 1 && c.name != "start fails") != (count("destroy") == 1) {
				t.Errorf("not undone: %v", w.log)
			}
			if got := w.props["backup/vms/web1@kvmbackup_2026-11-24T03:00:00Z"][zfs.PropVerifyResult]; got == "ok" || strings.ContainsAny(got, "\n\x1b") {
				t.Errorf("recorded %q", got)
			}
			// The journal is closed only when everything was undone: else it stays,
			// naming the domain, for recover.
			left, _ := Leftovers(o.JournalDir)
			if want := boolInt(c.name == "destroy fails"); len(left) != want || want == 1 && (len(left[0].Pending) != 1 || left[0].Pending[0].Op != OpBoot) {
				t.Errorf("journal left: %+v", left)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Without a guest agent channel, the console's ready pattern decides, read from the
// throwaway's own console file; without either, the boot is refused before any
// domain starts.
func TestVerifyBootByConsole(t *testing.T) {
	noAgent := strings.Replace(agentDomain, "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>", "", 1)
	w := newVWorld(t, noAgent)
	o := verifyOpts(t, true)
	o.BootOpts.Checks, o.BootOpts.ReadyPattern = nil, "^[a-z0-9]+ login: ?$"
	o.BootOpts.Timeout = 10 * time.Second
	go w.console("booting\nweb1 log", "booting\nweb1 login: \n")
	os.MkdirAll(filepath.Dir(w.backup), 0o700)
	rep, err := Verify(t.Context(), w.deps(), o)
	if err != nil || !rep.OK || rep.Results[0].Boot.ReadyBy != "console" {
		t.Fatalf("%v %+v %+v", err, rep, rep.Results[0].Boot)
	}
	w2 := newVWorld(t, noAgent)
	o.BootOpts.ReadyPattern = ""
	rep, _ = Verify(t.Context(), w2.deps(), o)
	if r := rep.Results[0]; r.OK || !strings.Contains(r.Reason, "no way to tell that web1 is up") || slices.Contains(w2.log, "start") {
		t.Errorf("%+v %v", r, w2.log)
	}
	w3 := newVWorld(t, noAgent)
	o.BootOpts.ReadyPattern, o.BootOpts.Checks = "login:", [][]string{{"true"}}
	rep, _ = Verify(t.Context(), w3.deps(), o)
	if r := rep.Results[0]; r.OK || !strings.Contains(r.Reason, "verify.boot.check needs a guest agent") || slices.Contains(w3.log, "start") {
		t.Errorf("%+v %v", r, w3.log)
	}
}

func TestScanConsole(t *testing.T) {
	p := filepath.Join(t.TempDir(), "console")
	re := regexp.MustCompile(`^ready$`)
	os.WriteFile(p, []byte("boot\nrea"), 0o600)
	ok, off, partial, err := scanConsole(p, 0, "", re)
	if ok || err != nil || off != 8 || partial != "rea" {
		t.Fatalf("%v %d %q %v", ok, off, partial, err)
	}
	os.WriteFile(p, []byte("boot\nready\n"), 0o600)
	if ok, _, _, _ := scanConsole(p, off, partial, re); !ok {
		t.Error("a line split over two reads was not matched")
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/etc/passwd", p)
	if _, _, _, err := scanConsole(p, 0, "", regexp.MustCompile("root")); err == nil {
		t.Error("a console that is a symlink was read")
	}
}

// A verify's selection errors name the input and start nothing.
func TestVerifyRefusesBadInput(t *testing.T) {
	w := newVWorld(t, agentDomain)
	for _, c := range []struct {
		o    func(o *VerifyOptions)
		want string
	}{
		{func(o *VerifyOptions) { o.VMs = []string{"nosuch"} }, "nosuch"},
		{func(o *VerifyOptions) { o.At = "2020-01-01" }, "no such snapshot"},
		{func(o *VerifyOptions) { o.At, o.All = "latest", true }, "--at and --all"},
		{func(o *VerifyOptions) { o.BootOpts.ReadyPattern = "(" }, "ready-pattern"},
	} {
		o := verifyOpts(t, false)
		c.o(&o)
		if rep, err := Verify(t.Context(), w.deps(), o); err == nil || rep != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", o, err, c.want)
		}
	}
	if len(w.log) != 0 {
		t.Errorf("a refused verify did %v", w.log)
	}
	o := verifyOpts(t, true)
	if _, err := Verify(t.Context(), VerifyDeps{Target: w, Loops: w, FS: w, Verifier: w}, o); err == nil || !strings.Contains(err.Error(), "--boot") {
		t.Errorf("--boot without libvirt: %v", err)
	}
}

// Recover destroys a crashed verify's throwaway domains (of its run only) before
// its clones go, and closes its journal.
func TestRecoverUndoesACrashedVerify(t *testing.T) {
	w := newWorld(t)
	d := w.deps()
	vw := newVWorld(t, agentDomain)
	vw.started["kvmbackup-verify-web1-crashed"] = "verify-crashed"
	vw.started["kvmbackup-verify-web1-other"] = "verify-other"
	d.Boot = vw
	dir := filepath.Join(t.TempDir(), "journal")
	j, err := OpenJournal(dir, "verify-crashed")
	if err != nil {
		t.Fatal(err)
	}
	j.Record(OpBoot, "kvmbackup-verify-web1-crashed", "backup/vms/web1@kvmbackup_2026-11-24T03:00:00Z")
	j.Close()
	rec, err := Recover(t.Context(), d, RecoverOptions{JournalDir: dir, Root: "backup/vms"})
	if err != nil || !slices.Equal(rec.Throwaways, []string{"kvmbackup-verify-web1-crashed"}) || !slices.Equal(rec.Runs, []string{"verify-crashed"}) || rec.Empty() {
		t.Fatalf("%v %+v", err, rec)
	}
	if _, ok := vw.started["kvmbackup-verify-web1-other"]; !ok {
		t.Error("another run's throwaway was destroyed")
	}
}

// The state keeps each unit's last verify; --all's several backups make one entry,
// failed when any failed.
func TestRecordVerify(t *testing.T) {
	st := &State{}
	start := time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)
	st.RecordVerify(&VerifyReport{Start: start, Duration: time.Minute, Results: []*UnitVerified{
		{Unit: "web1", Kind: zfs.KindVM, Snapshot: "b/web1@kvmbackup_2026-11-27T03:00:00Z", Checked: "data", OK: true},
		{Unit: "web1", Kind: zfs.KindVM, Snapshot: "b/web1@kvmbackup_2026-11-28T03:00:00Z", Checked: "data", Reason: "bad"},
		{Unit: "path root", Kind: zfs.KindPath, Snapshot: "b/_paths/root@kvmbackup_2026-11-28T03:00:00Z", Checked: "data", OK: true},
	}})
	if len(st.Verifies) != 2 || st.Verifies[0].Name != "root" || !st.Verifies[0].OK || st.Verifies[1].OK ||
		st.Verifies[1].Snapshot != "b/web1@kvmbackup_2026-11-28T03:00:00Z" || !strings.Contains(st.Verifies[1].Reason, "bad") {
		b, _ := json.Marshal(st.Verifies)
		t.Fatalf("%s", b)
	}
	st.RecordVerify(&VerifyReport{Start: start.Add(24 * time.Hour), Results: []*UnitVerified{
		{Unit: "web1", Kind: zfs.KindVM, Snapshot: "b/web1@kvmbackup_2026-11-29T03:00:00Z", Checked: "data,boot", OK: true, Boot: &BootVerified{Ready: 40 * time.Second}},
	}})
	if v := st.Verifies[1]; !v.OK || v.Boot != 40*time.Second || v.What != "data,boot" {
		t.Errorf("%+v", v)
	}
}

// A hostile kvmbackup.json (a replica's, a backup changed by hand) naming a path
// outside the clone for an image: refused, never opened, never attached (a writable
// loop device on it would let a journal replay write a host file).
func TestVerifyRefusesAHostileImageName(t *testing.T) {
	w := newVWorld(t, agentDomain)
	meta, _ := json.Marshal(Meta{VM: "web1", Disks: []MetaDisk{{Disk: "vda", Image: "../../../../etc/passwd"}, {Disk: "vdb", Image: ".."}}})
	if err := os.WriteFile(filepath.Join(w.backup, "kvmbackup.json"), meta, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(t.Context(), w.deps(), verifyOpts(t, false))
	if err != nil || rep.OK || !strings.Contains(rep.Results[0].Reason, `image "../../../../etc/passwd" is not a file name`) {
		t.Fatalf("%v %+v", err, rep.Results[0])
	}
	for _, step := range w.log {
		if strings.HasPrefix(step, "attach") || strings.HasPrefix(step, "read") {
			t.Errorf("a hostile image name was used: %v", w.log)
		}
	}
}

// A unit without a dated backup fails alone: the others are verified (a weekly
// verify of every VM is not stopped by a VM added yesterday).
func TestVerifyGoesOnPastAUnitWithoutBackup(t *testing.T) {
	w := newVWorld(t, agentDomain)
	w.more = []string{"backup/vms/new1"}
	o := verifyOpts(t, false)
	rep, err := Verify(t.Context(), w.deps(), o)
	if err != nil || rep.OK || len(rep.Results) != 2 || !rep.Results[0].OK || rep.Results[1].OK || !strings.Contains(rep.Results[1].Reason, "no such snapshot") {
		t.Fatalf("%v %+v", err, rep)
	}
	// Asked for alone, it is a usage error.
	o.VMs = []string{"new1"}
	if rep, err := Verify(t.Context(), w.deps(), o); err == nil || rep != nil {
		t.Errorf("verify new1: %v %+v", err, rep)
	}
}

// With an agent channel but no agent answering and no checks, the console's ready
// line proves the boot.
func TestVerifyBootByConsoleWhenTheAgentIsSilent(t *testing.T) {
	w := newVWorld(t, agentDomain)
	w.pings = 1 << 30
	o := verifyOpts(t, true)
	o.BootOpts.Checks, o.BootOpts.ReadyPattern, o.BootOpts.Timeout = nil, "login:", 10*time.Second
	go w.console("web1 login: \n")
	rep, err := Verify(t.Context(), w.deps(), o)
	if err != nil || !rep.OK || rep.Results[0].Boot.ReadyBy != "console" {
		t.Fatalf("%v %+v", err, rep.Results[0])
	}
}
