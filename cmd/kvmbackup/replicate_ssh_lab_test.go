package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/replica"
	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// sshLabBin is the real kvmbackup binary in the appliance share, for the tests of
// this file: the forced command sshd runs, and the replicate that is SIGKILLed.
const sshLabBin = "kvmbackup-replicate-ssh"

// inApplianceWithKVMBackup is testenv.InAppliance with the real kvmbackup binary
// built on the machine (building it inside, under TCG, would take minutes) into the
// appliance share; the test inside runs its copy on the appliance's tmpfs.
func inApplianceWithKVMBackup(t *testing.T, fn func(t *testing.T, bin string)) {
	t.Helper()
	if !testenv.Inside() {
		a := testenv.SharedAppliance(t)
		dst := filepath.Join(a.Dir, sshLabBin)
		if err := os.Rename(buildKVMBackup(t, a.Dir), dst); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(dst) })
	}
	testenv.InAppliance(t, func(t *testing.T) {
		fn(t, testenv.InstallInside(t, filepath.Join(testenv.ShareDir(), sshLabBin)))
	})
}

// sshLab is what the subtests of TestReplicateOverSSH share: a source pool with the
// backups, a second pool whose ROOT receives them through a real sshd on loopback
// whose only key for the sender has the forced command, as docs/replication.md sets
// a receiver up.
type sshLab struct {
	t       *testing.T
	bin     string
	m       *zfs.Manager
	src     string // the source pool
	dst     string // the receiving pool
	root    string // target.dataset
	rroot   string // the receiver's root (the forced command's --root)
	sshd    *testenv.SSHDaemon
	key     string // the sender's private key
	pub     string
	forced  string // its authorized_keys line
	to      string // the ssh:// target
	clock   time.Time
	content map[string][32]byte // sha256 of each VM's image, by snapshot name
	images  map[string][]byte   // each VM's image as the last night left it
}

func (l *sshLab) must(out string, err error) string {
	l.t.Helper()
	if err != nil {
		l.t.Fatal(err)
	}
	return out
}

// sshTarget is a replication: entry of an ssh:// target.
func sshTarget(name, to, key, knownHosts, extra string) string {
	return fmt.Sprintf("  - name: %s\n    to: %s\n    ssh:\n      key: %s\n      known-hosts: %s\n%s", name, to, key, knownHosts, extra)
}

func (l *sshLab) config(t *testing.T, targets ...string) string {
	return writeConfig(t, fmt.Sprintf("target:\n  dataset: %s\nreplication:\n%s", l.root, strings.Join(targets, "")))
}

// night writes vm's image (the whole of size bytes the first time, then 1% of it,
// 128 KiB-aligned, at another place each night) and takes the night's dated snapshot.
func (l *sshLab) night(vm string, size int) string {
	t := l.t
	t.Helper()
	ctx := t.Context()
	ds := l.root + "/" + vm
	img, ok := l.images[vm]
	if !ok {
		if _, err := l.m.EnsureDataset(ctx, ds, zfs.VMOwner(vm)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(strings.TrimSpace(l.must(testenv.Local(ctx, "zfs", "get", "-H", "-o", "value", "mountpoint", ds))), "disk.img")
	if !ok {
		img = make([]byte, size)
		_, _ = rand.Read(img)
		if err := os.WriteFile(path, img, 0o600); err != nil {
			t.Fatal(err)
		}
	} else {
		chunk := make([]byte, len(img)/100/(128<<10)*(128<<10))
		_, _ = rand.Read(chunk)
		off := (l.clock.YearDay() * 7 * (128 << 10)) % (len(img) - len(chunk))
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt(chunk, int64(off)); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		copy(img[off:], chunk)
	}
	l.images[vm] = img
	s, err := l.m.TakeSnapshot(ctx, ds, l.clock, map[string]string{zfs.PropRun: l.clock.Format("20060102T150405Z")})
	if err != nil {
		t.Fatal(err)
	}
	l.content[vm+"@"+s.Name] = sha256.Sum256(img)
	l.clock = l.clock.Add(24 * time.Hour)
	return s.Name
}

// replicate runs `kvmbackup replicate --json` in process (ssh runs for real) and
// returns its report, its error and exit status.
func (l *sshLab) replicate(t *testing.T, cfg string, args ...string) ([]orchestrator.ReplicatedTarget, error, int, time.Duration) {
	t.Helper()
	start := time.Now()
	out, err, code := runCLI(t, append([]string{"replicate", "--config", cfg, "--json"}, args...)...)
	took := time.Since(start)
	var res []orchestrator.ReplicatedTarget
	if jerr := json.Unmarshal([]byte(out), &res); jerr != nil {
		t.Fatalf("replicate %q: exit %d %v; its output is not the report: %v\n%s", args, code, err, jerr, out)
	}
	for _, rt := range res {
		for _, u := range rt.Units {
			t.Logf("replicate %q → %s: %s from %q, %d streams %+v, newest there %s, notes %q, error %q (in %v)",
				args, rt.Target, u.Dataset, u.Start, len(u.Streams), u.Streams, u.Newest, u.Notes, u.Error, took.Round(time.Millisecond))
		}
		if rt.Error != "" {
			t.Logf("replicate %q → %s: error %s", args, rt.Target, rt.Error)
		}
	}
	return res, err, code, took
}

// unit is the one unit of target in res.
func unit(t *testing.T, res []orchestrator.ReplicatedTarget, target, dataset string) orchestrator.ReplicatedUnit {
	t.Helper()
	for _, rt := range res {
		for _, u := range rt.Units {
			if rt.Target == target && u.Dataset == dataset {
				return u
			}
		}
	}
	t.Fatalf("no unit %s of target %s in %+v", dataset, target, res)
	return orchestrator.ReplicatedUnit{}
}

// guids are dataset's snapshots (name → GUID); none when it does not exist.
func (l *sshLab) guids(dataset string) map[string]string {
	out := map[string]string{}
	res, err := testenv.Local(l.t.Context(), "zfs", "list", "-H", "-p", "-t", "snapshot", "-d", "1", "-o", "name,guid", dataset)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return out
		}
		l.t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(res), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			out[strings.SplitN(f[0], "@", 2)[1]] = f[1]
		}
	}
	return out
}

// everything is every dataset, snapshot and bookmark of both pools with its GUID:
// what "nothing lost, nothing changed" compares.
func (l *sshLab) everything() string {
	return l.must(testenv.Local(l.t.Context(), "zfs", "list", "-H", "-p", "-r", "-t", "all", "-o", "name,guid", l.src, l.dst))
}

// snapshots is every snapshot of both pools with its GUID.
func (l *sshLab) snapshots() string {
	return l.must(testenv.Local(l.t.Context(), "zfs", "list", "-H", "-p", "-r", "-t", "snapshot", "-o", "name,guid", l.src, l.dst))
}

// replicaImage is the sha256 of disk.img in the snapshot ds@snap, read through a
// read-only mount of it.
func (l *sshLab) replicaImage(ds, snap string) [32]byte {
	t := l.t
	t.Helper()
	ctx := t.Context()
	dir, err := os.MkdirTemp("", testenv.LabPrefix+"snapmnt-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(dir)
	l.must(testenv.Local(ctx, "mount", "-t", "zfs", "-o", "ro", ds+"@"+snap, dir))
	defer testenv.Local(ctx, "umount", dir)
	f, err := os.Open(filepath.Join(dir, "disk.img"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

func (l *sshLab) prop(name, prop string) string {
	return strings.TrimSpace(l.must(testenv.Local(l.t.Context(), "zfs", "get", "-H", "-p", "-o", "value", prop, name)))
}

// ssh runs the plain ssh client with key against the lab sshd, as an attacker who
// holds the sender's key would, and returns stdout, stderr and its exit status.
func (l *sshLab) ssh(t *testing.T, key string, opts []string, stdin io.Reader, request string) (string, string, int) {
	t.Helper()
	args := append(append([]string{}, opts...), replica.SSH{User: "root", Host: l.sshd.Host, Port: l.sshd.Port, Key: key, KnownHosts: l.sshd.KnownHosts}.Args(request)...)
	if request == "" { // no command: drop the "--" and the empty request
		args = args[:len(args)-2]
	}
	var out bytes.Buffer
	res, err := runner.New("ssh").RunWith(t.Context(), runner.Options{Stdin: stdin, Stdout: &out}, args...)
	code := 0
	if err != nil {
		if code = runner.ExitCode(err); code < 0 {
			t.Fatalf("ssh %q: %v", args, err)
		}
	}
	return out.String(), strings.TrimSpace(string(res.Stderr)), code
}

// Replication over a real sshd on loopback, with the real forced command of
// docs/replication.md (`command="kvmbackup receive --root POOL/DATASET",restrict KEY`
// in root's authorized_keys, sshd with Debian's PermitRootLogin prohibit-password):
// two nights; what the sender's key cannot do; a replicate SIGKILLed mid-send and
// resumed from the token; bad targets. The subtests share the appliance, the pools,
// sshd and the nights, in this order.
//
// About 2.5 minutes (132 s inside the appliance on 2026-12-03, pace 1.1×): under TCG
// each ssh connection costs about 1 s (the key exchange, sshd's forks and re-exec,
// the forced command's start), and replication makes one per request and one per
// stream: the test makes about 45. It took 5.7 minutes while root's ~/.bashrc, which
// bash reads when sshd starts it, was the machine's (testenv gives the appliance an
// empty /root) and the forced command ran from the 9p share (testenv.InstallInside).
func TestReplicateOverSSH(t *testing.T) {
	inApplianceWithKVMBackup(t, func(t *testing.T, bin string) {
		testenv.Require(t, testenv.ZFS, testenv.SSHD)
		ctx := t.Context()
		l := &sshLab{t: t, bin: bin, m: zfs.New(), content: map[string][32]byte{}, images: map[string][]byte{},
			clock: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)}
		l.src = testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Devices: 1})
		l.dst = testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Devices: 1})
		l.root, l.rroot = l.src+"/backup/vms", l.dst+"/replica/host1"
		l.must(testenv.Local(ctx, "zfs", "create", "-p", l.rroot))
		start := time.Now()
		l.sshd = testenv.StartSSHD(t, testenv.SSHDOptions{})
		t.Logf("sshd on %s:%d up in %v", l.sshd.Host, l.sshd.Port, time.Since(start).Round(time.Millisecond))
		l.key, l.pub = l.sshd.Key(t, "kvmbackup-host1")
		l.forced = fmt.Sprintf(`command="%s receive --root %s",restrict %s`, bin, l.rroot, l.pub)
		l.sshd.Authorize(t, l.forced)
		l.to = fmt.Sprintf("ssh://root@%s:%d/%s", l.sshd.Host, l.sshd.Port, l.rroot)

		for _, st := range []struct {
			name string
			fn   func(t *testing.T)
		}{
			{"TwoNights", l.twoNights},
			{"SenderKeyRefused", l.senderKeyRefused},
			{"SIGKILLMidSendResumes", l.sigkillResumes},
			{"BadTargets", l.badTargets},
		} {
			start := time.Now()
			ok := t.Run(st.name, st.fn)
			t.Logf("subtest %s: %v", st.name, time.Since(start).Round(100*time.Millisecond))
			if !ok {
				t.FailNow() // the next ones build on its state
			}
		}
	})
}

// Two nights, each followed by replicate to the ssh:// target: the receiver holds
// the same dated snapshots (same GUIDs) and the same content, read-only and not
// mounted; the second night goes incrementally, about the bytes that changed.
func (l *sshLab) twoNights(t *testing.T) {
	cfg := l.config(t, sshTarget("offsite", l.to, l.key, l.sshd.KnownHosts, ""))
	ds, rds := l.root+"/web1", l.rroot+"/web1"
	const size = 64 << 20

	start := time.Now()
	s1 := l.night("web1", size)
	night1 := time.Since(start)
	res, err, code, took1 := l.replicate(t, cfg)
	u := unit(t, res, "offsite", ds)
	if code != exitOK || u.Start != "full" || u.Newest != s1 || len(u.Streams) != 1 {
		t.Fatalf("night 1: exit %d %v: %+v", code, err, u)
	}
	full := u.Bytes

	start = time.Now()
	s2 := l.night("web1", 0)
	night2 := time.Since(start)
	written, _ := strconv.ParseInt(l.prop(ds+"@"+s2, "written"), 10, 64)
	res, err, code, took2 := l.replicate(t, cfg)
	u = unit(t, res, "offsite", ds)
	if code != exitOK || u.Start != "snapshot "+s1 || u.Newest != s2 || len(u.Streams) != 1 || u.Streams[0].From != "@"+s1 {
		t.Fatalf("night 2: exit %d %v: %+v", code, err, u)
	}
	changed := int64(len(l.images["web1"]) / 100 / (128 << 10) * (128 << 10))
	t.Logf("night 1: %d bytes sent (64 MiB image, lz4; written %s) in %v, the night's writing and snapshot took %v",
		full, l.prop(ds+"@"+s1, "written"), took1.Round(time.Millisecond), night1.Round(time.Millisecond))
	t.Logf("night 2: %d bytes sent incrementally for %d bytes changed (1%%), written %d: %.2f× written, %.1f%% of night 1; replicate %v, the night's writing and snapshot %v",
		u.Bytes, changed, written, float64(u.Bytes)/float64(written), 100*float64(u.Bytes)/float64(full), took2.Round(time.Millisecond), night2.Round(time.Millisecond))
	// The changed bytes, compressed as stored (random data: as they are), and the
	// stream's own records: not much more than written.
	if u.Bytes < changed || u.Bytes > written+written/4+(256<<10) || u.Bytes > full/20 {
		t.Errorf("night 2 sent %d bytes for %d changed (written %d; the whole was %d)", u.Bytes, changed, written, full)
	}

	here, there := l.guids(ds), l.guids(rds)
	if len(there) != 2 || there[s1] != here[s1] || there[s2] != here[s2] {
		t.Fatalf("the receiver holds %v, here %v", there, here)
	}
	for prop, want := range map[string]string{"readonly": "on", "canmount": "noauto", "mounted": "no", zfs.PropReplica: "web1"} {
		if got := l.prop(rds, prop); got != want {
			t.Errorf("the replica's %s is %q, want %q", prop, got, want)
		}
	}
	for _, s := range []string{s1, s2} {
		if got := l.replicaImage(rds, s); got != l.content["web1@"+s] {
			t.Errorf("the replica's image in %s@%s differs from the one backed up that night", rds, s)
		}
	}
	// Nothing more to send: up to date, nothing changes on either side.
	before := l.everything()
	res, err, code, _ = l.replicate(t, cfg)
	if u := unit(t, res, "offsite", ds); code != exitOK || len(u.Streams) != 0 || u.Newest != s2 || l.everything() != before {
		t.Errorf("a replicate with nothing new: exit %d %v %+v", code, err, u)
	}
}

// What the sender's key can do is only the receiver's requests: a shell command, a
// zfs command, a destroy, names outside the root, a dataset under the root that
// kvmbackup did not receive, port forwarding and a terminal are each refused, and
// nothing changes on either pool. A control key without the forced command
// succeeds where the sender's is refused: the checks do tell the two apart.
func (l *sshLab) senderKeyRefused(t *testing.T) {
	ctx := t.Context()
	ds := l.root + "/web1"
	snaps := l.guids(l.rroot + "/web1")
	var snap string
	for s := range snaps {
		snap = s
	}
	// A dataset under the root that kvmbackup did not receive (an admin's own).
	l.must(testenv.Local(ctx, "zfs", "create", "-u", l.rroot+"/foreign"))
	var stream bytes.Buffer
	if err := l.m.Send(ctx, ds+"@"+snap, zfs.SendOptions{Compressed: true}, &stream); err != nil {
		t.Fatal(err)
	}
	sshdTarget := fmt.Sprintf("%s:%d", l.sshd.Host, l.sshd.Port)
	type attempt struct {
		what    string
		opts    []string
		stdin   []byte
		request string
		code    int    // ssh's exit status: 2 is the receiver's refusal
		stderr  string // in ssh's stderr
	}
	attempts := []attempt{
		{what: "a shell command", request: "sh -c id", code: 2, stderr: `refused request "sh -c id": unknown request "sh"`},
		{what: "shell syntax after a request", request: "list; id", code: 2, stderr: `character ';'`},
		{what: "a zfs destroy", request: "zfs destroy -r " + l.rroot, code: 2, stderr: `unknown request "zfs"`},
		{what: "a zfs destroy of a snapshot", request: "zfs destroy " + l.rroot + "/web1@" + snap, code: 2, stderr: "refused request"},
		{what: "a destroy request", request: "destroy web1", code: 2, stderr: `unknown request "destroy"`},
		{what: "a receive above the root", request: "receive ../../other", stdin: stream.Bytes(), code: 2, stderr: "refused request"},
		{what: "a receive into an absolute name", request: "receive /" + l.dst + "/other", stdin: stream.Bytes(), code: 2, stderr: "refused request"},
		{what: "a receive below a unit", request: "receive web1/child", stdin: stream.Bytes(), code: 2, stderr: "refused request"},
		{what: "a receive into a dataset kvmbackup did not receive", request: "receive foreign", stdin: stream.Bytes(), code: 2, stderr: "kvmbackup did not receive it"},
		{what: "an abort of one it did not receive", request: "abort foreign", code: 2, stderr: "kvmbackup did not receive it"},
		{what: "port forwarding (ssh -W)", opts: []string{"-W", sshdTarget}, code: 255, stderr: "administratively prohibited"},
		{what: "a terminal (ssh -tt)", opts: []string{"-tt"}, request: "list", code: 255, stderr: "PTY allocation request failed"},
	}
	before, beforeAll := l.snapshots(), l.everything()
	for _, a := range attempts {
		out, stderr, code := l.ssh(t, l.key, a.opts, bytes.NewReader(a.stdin), a.request)
		t.Logf("the sender's key: %s (%q): exit %d, stderr %q", a.what, a.request, code, stderr)
		if code != a.code || !strings.Contains(stderr, a.stderr) {
			t.Errorf("%s with the sender's key: exit %d, stderr %q; want exit %d and %q (stdout %q)", a.what, code, stderr, a.code, a.stderr, out)
		}
		if strings.Contains(out, "uid=0") || strings.Contains(out, "SSH-2.0-") {
			t.Errorf("%s with the sender's key ran: stdout %q", a.what, out)
		}
	}
	if after := l.snapshots(); after != before {
		t.Errorf("the attempts changed the snapshots:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if after := l.everything(); after != beforeAll {
		t.Errorf("the attempts changed the datasets:\nbefore:\n%s\nafter:\n%s", beforeAll, after)
	}

	// The test of the test: a key with no forced command (and no restrict) runs the
	// shell command and forwards the port that the sender's key could not.
	ctl, ctlPub := l.sshd.Key(t, "control-unrestricted")
	l.sshd.Authorize(t, l.forced, ctlPub)
	defer l.sshd.Authorize(t, l.forced)
	if out, stderr, code := l.ssh(t, ctl, nil, nil, "sh -c id"); code != 0 || !strings.Contains(out, "uid=0(root)") {
		t.Errorf("control: `sh -c id` with a key without the forced command: exit %d %q %q: the attempts above prove nothing", code, out, stderr)
	}
	if out, stderr, code := l.ssh(t, ctl, []string{"-W", sshdTarget}, strings.NewReader("SSH-2.0-probe\r\n"), ""); code != 0 || !strings.HasPrefix(out, "SSH-2.0-") {
		t.Errorf("control: ssh -W with a key without restrict: exit %d %q %q: the attempt above proves nothing", code, out, stderr)
	}
	if _, stderr, code := l.ssh(t, ctl, []string{"-tt"}, nil, "true"); code != 0 || strings.Contains(stderr, "PTY allocation request failed") {
		t.Errorf("control: ssh -tt with a key without restrict: exit %d %q", code, stderr)
	}
	// And the sender's own requests are answered (what replicate uses).
	if out, stderr, code := l.ssh(t, l.key, nil, nil, "list"); code != 0 || !strings.Contains(out, `"root": "`+l.rroot+`"`) {
		t.Errorf("list with the sender's key: exit %d %q %q", code, out, stderr)
	}
	l.must(testenv.Local(ctx, "zfs", "destroy", l.rroot+"/foreign"))
}

// childReadBytes is the rchar (bytes read) of the child of pid named comm whose
// command line holds arg; 0 when there is none (yet).
func childReadBytes(pid int, comm, arg string) int64 {
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		child, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		i := bytes.LastIndexByte(stat, ')')
		if err != nil || i < 0 || !bytes.HasSuffix(stat[:i], []byte("("+comm)) {
			continue
		}
		f := strings.Fields(string(stat[i+1:])) // state ppid ...
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", child))
		if len(f) < 2 || f[1] != strconv.Itoa(pid) || !strings.Contains(string(cmdline), arg) {
			continue
		}
		io, _ := os.ReadFile(fmt.Sprintf("/proc/%d/io", child))
		for _, line := range strings.Split(string(io), "\n") {
			if v, ok := strings.CutPrefix(line, "rchar: "); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				return n
			}
		}
	}
	return 0
}

// A `kvmbackup replicate` (the real binary) SIGKILLed in the middle of a whole send
// over ssh leaves the receiver's resume token; the next replicate resumes from it
// and sends only the rest.
func (l *sshLab) sigkillResumes(t *testing.T) {
	ctx := t.Context()
	ds := l.root + "/db1"
	s1 := l.night("db1", 32<<20)
	whole, err := l.m.SendSize(ctx, ds+"@"+s1, zfs.SendOptions{Compressed: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := l.config(t, sshTarget("offsite", l.to, l.key, l.sshd.KnownHosts, ""))
	cmd := exec.CommandContext(ctx, l.bin, "replicate", "--config", cfg, "--vm", "db1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The kill comes once the receive's ssh has read 85% of the stream from
	// replicate (its rchar: the stream, and a few KB of its own files).
	var read int64
	deadline := time.Now().Add(3 * time.Minute)
	for read < whole*85/100 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the receive's ssh read %d bytes of %d in 3 minutes: %s", read, whole, out.String())
		}
		time.Sleep(20 * time.Millisecond)
		read = childReadBytes(cmd.Process.Pid, "ssh", "receive db1")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	werr := cmd.Wait()
	t.Logf("replicate SIGKILLed when its receive's ssh had read %d bytes of the %d-byte stream (%v): %s", read, whole, werr, out.String())

	// The receiver notices the cut stream (ssh's stdin ends) and keeps its state.
	var tok string
	deadline = time.Now().Add(time.Minute)
	for tok == "" && time.Now().Before(deadline) {
		tok, _ = l.m.ResumeToken(ctx, l.rroot+"/db1")
		if tok == "" {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if tok == "" {
		t.Fatalf("no resume token on the receiver after the SIGKILL (was the send over already?)")
	}
	res, err, code, took := l.replicate(t, cfg, "--vm", "db1")
	u := unit(t, res, "offsite", ds)
	if code != exitOK || len(u.Streams) != 1 || !u.Streams[0].Resumed || u.Newest != s1 {
		t.Fatalf("the replicate after the SIGKILL: exit %d %v: %+v", code, err, u)
	}
	t.Logf("resumed: %d bytes sent after the SIGKILL, of %d for the whole stream (%.0f%%), in %v",
		u.Bytes, whole, 100*float64(u.Bytes)/float64(whole), took.Round(time.Millisecond))
	if u.Bytes > whole/2 {
		t.Errorf("the resumed send was %d bytes of %d: not the rest only", u.Bytes, whole)
	}
	if tok, _ := l.m.ResumeToken(ctx, l.rroot+"/db1"); tok != "" {
		t.Errorf("a resume token is left after the resumed receive: %s", tok)
	}
	if here, there := l.guids(ds), l.guids(l.rroot+"/db1"); len(there) != 1 || there[s1] != here[s1] {
		t.Errorf("the receiver holds %v, here %v", there, here)
	}
	if got := l.replicaImage(l.rroot+"/db1", s1); got != l.content["db1@"+s1] {
		t.Errorf("the resumed replica's image differs from the one backed up")
	}
}

// Bad targets next to a good one (a zfs:// second pool): each fails with an error
// naming it, replicate exits 1, the good target still gets the night, and nothing is
// lost on either side: an unreachable host, a key the receiver does not know, a
// receiver whose root (its pool) does not exist, and a replica changed on the
// receiver (a file written into it), which is never rolled back. A snapshot an
// admin takes there is kept, and does not stop the next nights.
func (l *sshLab) badTargets(t *testing.T) {
	ctx := t.Context()
	ds, rds := l.root+"/web1", l.rroot+"/web1"
	good := fmt.Sprintf("  - name: usb\n    to: zfs://%s/replica/usb\n", l.dst)
	l.must(testenv.Local(ctx, "zfs", "create", "-p", l.dst+"/replica/usb"))
	wrongKey, _ := l.sshd.Key(t, "not-authorized")
	nopool := testenv.UniqueName(testenv.LabPrefix + "nopool")
	noRootKey, noRootPub := l.sshd.Key(t, "kvmbackup-host1-nopool")
	l.sshd.Authorize(t, l.forced, fmt.Sprintf(`command="%s receive --root %s/replica",restrict %s`, l.bin, nopool, noRootPub))
	defer l.sshd.Authorize(t, l.forced)
	closed := testenv.FreeLoopbackPort(t)

	// check runs replicate with the good target and bad, wants exit 1, the error
	// naming bad's name and saying want, the good target holding the night's
	// snapshot, and the snapshots of both sides as before but for that one.
	check := func(name, bad, want string) {
		t.Helper()
		s := l.night("web1", 0)
		before := l.snapshots()
		cfg := l.config(t, good, bad)
		res, err, code, _ := l.replicate(t, cfg)
		msg := fmt.Sprint(err)
		t.Logf("%s: exit %d, the error an admin reads:\n%s", name, code, msg)
		if code != exitSomeFailed || !strings.Contains(msg, "replication target "+name+" (") || !strings.Contains(msg, want) {
			t.Errorf("%s: exit %d, error %q; want exit %d, the target named and %q", name, code, msg, exitSomeFailed, want)
		}
		if strings.Contains(msg, "replication target usb") {
			t.Errorf("%s: the good target failed too: %s", name, msg)
		}
		if u := unit(t, res, "usb", ds); u.Error != "" || u.Newest != s {
			t.Errorf("%s: the good target did not get %s: %+v", name, s, u)
		}
		// Nothing lost or changed on either side: every snapshot as before, plus the
		// good target's new one.
		after := l.snapshots()
		have := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(after), "\n") {
			have[line] = true
		}
		for _, line := range strings.Split(strings.TrimSpace(before), "\n") {
			if !have[line] {
				t.Errorf("%s: lost or changed: %s", name, line)
			}
			delete(have, line)
		}
		if len(have) != 1 || !strings.Contains(after, l.dst+"/replica/usb/web1@"+s+"\t") {
			t.Errorf("%s: the snapshots gained %v, want only usb's web1@%s", name, have, s)
		}
	}

	// usb catches up first (whole, then incremental).
	res, err, code, _ := l.replicate(t, l.config(t, good))
	if code != exitOK {
		t.Fatalf("usb: exit %d %v %+v", code, err, res)
	}

	check("unreachable", sshTarget("unreachable", fmt.Sprintf("ssh://root@127.0.0.1:%d/%s", closed, l.rroot), l.key, l.sshd.KnownHosts, ""),
		"Connection refused")
	check("wrongkey", sshTarget("wrongkey", l.to, wrongKey, l.sshd.KnownHosts, ""), "Permission denied (publickey)")
	check("nopool", sshTarget("nopool", fmt.Sprintf("ssh://root@127.0.0.1:%d/%s/replica", l.sshd.Port, nopool), noRootKey, l.sshd.KnownHosts, ""),
		"the receiver's root does not exist: "+nopool+"/replica")

	// The replica changed on the receiver: a file written into it.
	l.must(testenv.Local(ctx, "zfs", "set", "readonly=off", rds))
	l.must(testenv.Local(ctx, "zfs", "mount", rds))
	mnt := l.prop(rds, "mountpoint")
	if err := os.WriteFile(filepath.Join(mnt, "admin-was-here"), []byte("changed on the receiver\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l.must(testenv.Local(ctx, "zfs", "unmount", rds))
	l.must(testenv.Local(ctx, "zfs", "set", "readonly=on", rds))
	check("offsite", sshTarget("offsite", l.to, l.key, l.sshd.KnownHosts, ""), "has been modified")
	// Not rolled back: the file is still there.
	l.must(testenv.Local(ctx, "zfs", "mount", rds))
	if _, err := os.Stat(filepath.Join(mnt, "admin-was-here")); err != nil {
		t.Errorf("the change on the receiver is gone (rolled back?): %v", err)
	}
	l.must(testenv.Local(ctx, "zfs", "unmount", rds))
	// The admin decides: roll back there (what replicate never does).
	newest := ""
	for s := range l.guids(rds) {
		if s > newest {
			newest = s
		}
	}
	l.must(testenv.Local(ctx, "zfs", "rollback", rds+"@"+newest))

	// A snapshot of the admin's taken there (after the rollback: nothing changed
	// since): the incremental from the replica's newest dated snapshot still applies
	// (zfs receive keeps the admin's snapshot in the chain) and the backlog of
	// nights goes; the admin's snapshot is neither destroyed nor rolled back.
	l.must(testenv.Local(ctx, "zfs", "snapshot", rds+"@admin_manual"))
	res, err, code, _ = l.replicate(t, l.config(t, sshTarget("offsite", l.to, l.key, l.sshd.KnownHosts, "")))
	here, there := l.guids(ds), l.guids(rds)
	if u := unit(t, res, "offsite", ds); code != exitOK || len(there) != len(here)+1 || there[u.Newest] != here[u.Newest] || there["admin_manual"] == "" {
		t.Fatalf("with an admin's snapshot on the receiver: exit %d %v %+v; there %v, here %v", code, err, u, there, here)
	}
}
