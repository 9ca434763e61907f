package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/replica"
	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// On real OpenZFS, a second pool as the zfs:// target: two nights replicated (the
// first whole, the second incremental: a fraction of it); the receiver holds the
// same dated snapshots (same GUIDs) and the same content, read-only; another tool's
// snapshot is never sent; local pruning down to one snapshot, and the next replicate
// is still incremental, from the target's bookmark; a dry run changes nothing.
func TestReplicateToSecondPool(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		testenv.Require(t, testenv.ZFS)
		ctx := t.Context()
		root, rroot, cfg, m, ds := secondPoolLab(t, testenv.PoolOptions{Mirror: true})
		must := func(out string, err error) string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		mnt := strings.TrimSpace(must(testenv.Local(ctx, "zfs", "get", "-H", "-o", "value", "mountpoint", ds)))
		image := filepath.Join(mnt, "disk.img")
		data := make([]byte, 64<<20)
		_, _ = rand.Read(data)
		clock := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
		// Night 1 writes the whole image; each later night rewrites 1 MiB in place.
		first := true
		night := func() string {
			if first {
				if err := os.WriteFile(image, data, 0o600); err != nil {
					t.Fatal(err)
				}
				first = false
			} else {
				f, err := os.OpenFile(image, os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				chunk := make([]byte, 1<<20)
				_, _ = rand.Read(chunk)
				if _, err := f.WriteAt(chunk, int64(len(data)/2)); err != nil {
					t.Fatal(err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
				copy(data[len(data)/2:], chunk)
			}
			s, err := m.TakeSnapshot(ctx, ds, clock, map[string]string{zfs.PropRun: clock.Format("20060102T150405Z")})
			if err != nil {
				t.Fatal(err)
			}
			clock = clock.Add(24 * time.Hour)
			return s.Name
		}
		stateDir, lockPath := t.TempDir(), filepath.Join(t.TempDir(), "run", "run.lock")
		replicate := func(args ...string) orchestrator.ReplicatedUnit {
			t.Helper()
			start := time.Now()
			out, err, code := runCLI(t, append([]string{"replicate", "--config", cfg, "--json", "--state-dir", stateDir, "--lock", lockPath}, args...)...)
			var res []orchestrator.ReplicatedTarget
			if code != exitOK || json.Unmarshal([]byte(out), &res) != nil || len(res) != 1 || len(res[0].Units) != 1 {
				t.Fatalf("replicate %q: exit %d %v\n%s", args, code, err, out)
			}
			u := res[0].Units[0]
			t.Logf("replicate %q: %v, %d bytes from %s in %d streams, newest there %s, notes %q", args, time.Since(start).Round(time.Millisecond), u.Bytes, u.Start, len(u.Streams), u.Newest, u.Notes)
			return u
		}
		guids := func(dataset string) map[string]string {
			out := map[string]string{}
			for _, l := range strings.Split(strings.TrimSpace(must(testenv.Local(ctx, "zfs", "list", "-H", "-p", "-t", "snapshot", "-d", "1", "-o", "name,guid", dataset))), "\n") {
				if f := strings.Fields(l); len(f) == 2 {
					out[strings.SplitN(f[0], "@", 2)[1]] = f[1]
				}
			}
			return out
		}

		s1 := night()
		u := replicate()
		full := u.Bytes
		if u.Start != "full" || u.Newest != s1 || full < 1<<20 {
			t.Fatalf("night 1: %+v", u)
		}
		s2 := night()
		u = replicate()
		night2 := u.Bytes
		if u.Start != "snapshot "+s1 || u.Newest != s2 || u.Bytes > full/8 {
			t.Fatalf("night 2: %+v (the whole was %d bytes)", u, full)
		}
		here, there := guids(ds), guids(rroot+"/web1")
		if len(there) != 2 || there[s1] != here[s1] || there[s2] != here[s2] {
			t.Fatalf("the receiver holds %v, here %v", there, here)
		}
		for prop, want := range map[string]string{"readonly": "on", "canmount": "noauto", zfs.PropReplica: "web1"} {
			if got := strings.TrimSpace(must(testenv.Local(ctx, "zfs", "get", "-H", "-o", "value", prop, rroot+"/web1"))); got != want {
				t.Errorf("the replica's %s is %q, want %q", prop, got, want)
			}
		}
		// Same content: the replica's image (mounted for the check) is night 2's.
		if _, err := testenv.Local(ctx, "zfs", "mount", rroot+"/web1"); err != nil {
			t.Fatal(err)
		}
		rmnt := strings.TrimSpace(must(testenv.Local(ctx, "zfs", "get", "-H", "-o", "value", "mountpoint", rroot+"/web1")))
		got, err := os.ReadFile(filepath.Join(rmnt, "disk.img"))
		if err != nil || sha256.Sum256(got) != sha256.Sum256(data) { // data: the image as night 2 left it
			t.Errorf("the replica's image (%d bytes) differs from night 2's (%d bytes): %v", len(got), len(data), err)
		}
		if _, err := testenv.Local(ctx, "zfs", "unmount", rroot+"/web1"); err != nil {
			t.Fatal(err)
		}

		// Another tool's snapshot between two nights; then local pruning down to the
		// newest: the next replicate starts from the bookmark, incrementally.
		s3 := night()
		if _, err := testenv.Local(ctx, "zfs", "snapshot", ds+"@autosnap_other_tool"); err != nil {
			t.Fatal(err)
		}
		s4 := night()
		for _, s := range []string{s1, s2, s3} {
			if err := m.Destroy(ctx, ds, s); err != nil {
				t.Fatal(err)
			}
		}
		before := guids(rroot + "/web1")
		dry := replicate("--dry-run")
		if after := guids(rroot + "/web1"); len(after) != len(before) || dry.Bytes == 0 {
			t.Fatalf("the dry run changed the receiver (%v → %v) or estimated nothing: %+v", before, after, dry)
		}
		u = replicate()
		bm, _ := zfs.ReplBookmarkName("usb", s2)
		if u.Start != "bookmark "+bm || u.Newest != s4 || len(u.Streams) != 1 || u.Bytes > full/8 {
			t.Fatalf("after local pruning: %+v (the whole was %d bytes)", u, full)
		}
		there = guids(rroot + "/web1")
		if len(there) != 3 || there[s4] != guids(ds)[s4] || there["autosnap_other_tool"] != "" {
			t.Errorf("the receiver holds %v", there)
		}
		bms := must(testenv.Local(ctx, "zfs", "list", "-H", "-t", "bookmark", "-o", "name", ds))
		if want, _ := zfs.ReplBookmarkName("usb", s4); strings.TrimSpace(bms) != ds+"#"+want {
			t.Errorf("bookmarks here: %q, want only usb's of %s", bms, s4)
		}
		t.Logf("bytes sent: whole %d (64 MiB image), night 2 incremental %d, from the bookmark %d (1 MiB changed a night)", full, night2, u.Bytes)

		// The receiver's own retention (replication[].retention of a zfs:// target):
		// keep-last 1 prunes there after the receive, and only there; the next night
		// is still incremental from the one snapshot both sides hold.
		metrics := filepath.Join(t.TempDir(), "kvmbackup.prom")
		cfg = writeConfig(t, fmt.Sprintf("target:\n  dataset: %s\nreplication:\n  - name: usb\n    to: zfs://%s\n    retention: {keep-last: 1}\nreport:\n  metrics-file: %s\n", root, rroot, metrics))
		s5 := night()
		u = replicate()
		there, here = guids(rroot+"/web1"), guids(ds)
		if u.Newest != s5 || len(there) != 1 || there[s5] != here[s5] || len(here) != 3 {
			t.Fatalf("with the receiver's keep-last 1: %+v; there %v, here %v (want s4, s5 and the other tool's here)", u, there, here)
		}
		s6 := night()
		u = replicate()
		if u.Start != "snapshot "+s5 || u.Newest != s6 || u.Bytes > full/8 || len(guids(rroot+"/web1")) != 1 || len(guids(ds)) != 4 {
			t.Fatalf("the night after: %+v", u)
		}

		// What the target holds, asked of its receiver: s6 alone (its retention), held
		// here too (same GUID), no receive pending.
		out, err, code := runCLI(t, "list", "--config", cfg, "--replica", "usb", "--json")
		var lr listedReplica
		if code != exitOK || json.Unmarshal([]byte(out), &lr) != nil || len(lr.Datasets) != 1 || lr.Datasets[0].VM != "web1" ||
			len(lr.Datasets[0].Snapshots) != 1 || lr.Datasets[0].Snapshots[0].Name != s6 || !lr.Datasets[0].Snapshots[0].Here ||
			lr.Datasets[0].Snapshots[0].GUID != guids(ds)[s6] || lr.Datasets[0].ResumePending || lr.Root != rroot {
			t.Errorf("list --replica usb: exit %d, %v\n%s", code, err, out)
		}
		// Each replicate recorded itself in the state file and the metrics file.
		st, err := orchestrator.LoadState(filepath.Join(stateDir, orchestrator.StateFile))
		if err != nil {
			t.Fatal(err)
		}
		r := st.Replica("usb")
		s6t, _ := zfs.ParseSnapshotName(s6)
		if r == nil || r.Failed() || r.LastSuccess.IsZero() || r.Bytes != u.Bytes || r.Unit(zfs.VMUnit("web1")) == nil || r.Unit(zfs.VMUnit("web1")).Newest != s6 {
			t.Errorf("the state's usb: %+v", r)
		}
		prom, err := os.ReadFile(metrics)
		if want := fmt.Sprintf("kvmbackup_replication_vm_newest_timestamp_seconds{target=\"usb\",vm=\"web1\"} %d", s6t.Unix()); err != nil ||
			!strings.Contains(string(prom), want) || !strings.Contains(string(prom), `kvmbackup_replication_success{target="usb"} 1`) {
			t.Errorf("metrics file: %v, want %s in\n%s", err, want, prom)
		}
	})
}

// On real OpenZFS, a second pool: a first receive cut short (a truncated stream into
// the receiver) is resumed by the next replicate from its token, sending only the
// rest; an incremental cut short whose snapshot is then pruned here leaves a token
// that no longer matches: replicate says so, discards it (abort) and sends afresh.
func TestReplicateResumesOnSecondPool(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		testenv.Require(t, testenv.ZFS)
		ctx := t.Context()
		_, rroot, cfg, m, ds := secondPoolLab(t, testenv.PoolOptions{Devices: 1})
		out, err := testenv.Local(ctx, "zfs", "get", "-H", "-o", "value", "mountpoint", ds)
		if err != nil {
			t.Fatal(err)
		}
		image := filepath.Join(strings.TrimSpace(out), "disk.img")
		clock := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
		night := func(size int) string {
			f, err := os.OpenFile(image, os.O_WRONLY|os.O_CREATE, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			b := make([]byte, size)
			_, _ = rand.Read(b)
			if _, err := f.WriteAt(b, 0); err != nil {
				t.Fatal(err)
			}
			f.Close()
			s, err := m.TakeSnapshot(ctx, ds, clock, map[string]string{zfs.PropRun: clock.Format("20060102T150405Z")})
			if err != nil {
				t.Fatal(err)
			}
			clock = clock.Add(24 * time.Hour)
			return s.Name
		}
		rc := &replica.Receiver{Root: rroot, ZFS: m}
		// cut receives the first half of a stream, as a dropped connection would.
		cut := func(snap string, o zfs.SendOptions) {
			var b bytes.Buffer
			if err := m.Send(ctx, ds+"@"+snap, o, &b); err != nil {
				t.Fatal(err)
			}
			if err := rc.Serve(ctx, "receive web1", bytes.NewReader(b.Bytes()[:b.Len()/2]), io.Discard); err == nil {
				t.Fatal("half a stream was received whole")
			}
			if tok, _ := m.ResumeToken(ctx, rroot+"/web1"); tok == "" {
				t.Fatal("no resume token after a cut receive")
			}
		}
		replicate := func() orchestrator.ReplicatedUnit {
			t.Helper()
			start := time.Now()
			out, err, code := runCLI(t, "replicate", "--config", cfg, "--json")
			var res []orchestrator.ReplicatedTarget
			if code != exitOK || json.Unmarshal([]byte(out), &res) != nil || len(res) != 1 || len(res[0].Units) != 1 {
				t.Fatalf("replicate: exit %d %v\n%s", code, err, out)
			}
			u := res[0].Units[0]
			t.Logf("replicate: %v, %d bytes in %d streams (%+v), newest there %s, notes %q", time.Since(start).Round(time.Millisecond), u.Bytes, len(u.Streams), u.Streams, u.Newest, u.Notes)
			return u
		}

		s1 := night(32 << 20)
		whole, err := m.SendSize(ctx, ds+"@"+s1, zfs.SendOptions{Compressed: true})
		if err != nil {
			t.Fatal(err)
		}
		cut(s1, zfs.SendOptions{Compressed: true})
		u := replicate()
		if len(u.Streams) != 1 || !u.Streams[0].Resumed || u.Newest != s1 || u.Bytes > whole*3/4 {
			t.Fatalf("the cut first receive: %+v (the whole stream is %d bytes)", u, whole)
		}
		t.Logf("resumed: %d bytes sent after the cut, of %d for the whole", u.Bytes, whole)

		s2 := night(1 << 20)
		cut(s2, zfs.SendOptions{From: ds + "@" + s1, Compressed: true})
		if err := m.Destroy(ctx, ds, s2); err != nil { // pruned here before the next replicate
			t.Fatal(err)
		}
		s3 := night(1 << 20)
		u = replicate()
		if len(u.Notes) == 0 || !strings.Contains(u.Notes[0], "no longer matches") || u.Start != "snapshot "+s1 || u.Newest != s3 {
			t.Fatalf("a stale token: %+v", u)
		}
		if tok, _ := m.ResumeToken(ctx, rroot+"/web1"); tok != "" {
			t.Errorf("the stale token is still there: %s", tok)
		}
	})
}

// secondPoolLab makes, in the appliance, a backup pool (o) with target dataset root and
// VM web1's dataset ds, and a one-disk second pool holding the receiver's root rroot
// (created), with cfg naming it as the zfs:// target usb.
func secondPoolLab(t *testing.T, o testenv.PoolOptions) (root, rroot, cfg string, m *zfs.Manager, ds string) {
	t.Helper()
	src := testenv.ZPool(t, testenv.Local, o)
	dst := testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Devices: 1})
	root, rroot = src+"/backup/vms", dst+"/replica/host1"
	if _, err := testenv.Local(t.Context(), "zfs", "create", "-p", rroot); err != nil {
		t.Fatal(err)
	}
	cfg = writeConfig(t, fmt.Sprintf("target:\n  dataset: %s\nreplication:\n  - name: usb\n    to: zfs://%s\n", root, rroot))
	m = zfs.New()
	ds = root + "/web1"
	if _, err := m.EnsureDataset(t.Context(), ds, zfs.VMOwner("web1")); err != nil {
		t.Fatal(err)
	}
	return root, rroot, cfg, m, ds
}
