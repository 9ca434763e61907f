package zfs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/replica"
	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// The receiver's protocol on real ZFS, a send piped into `receive REL` as the forced
// command would get it: a VM's and a paths: entry's datasets are received (marked,
// read-only), list shows them relative to the root with their dated snapshots only,
// token says "-" or the token of an interrupted receive, abort discards it; a
// foreign dataset under the root is refused and left as it was.
func TestReceiverProtocolOverAPipe(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		testenv.Require(t, testenv.ZFS)
		ctx := t.Context()
		m := zfs.New()
		m.RunDir = filepath.Join(t.TempDir(), "mnt")
		pool := testenv.ZPool(t, testenv.Local, testenv.PoolOptions{Mirror: true})
		run := func(args ...string) string {
			t.Helper()
			out, err := testenv.Local(ctx, append([]string{"zfs"}, args...)...)
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimSpace(out)
		}
		root := pool + "/backup"
		rroot := pool + "/replica/host1"
		run("create", "-p", rroot)
		rc := &replica.Receiver{Root: rroot, ZFS: m}
		serve := func(req string, stdin io.Reader) (string, error) {
			var out bytes.Buffer
			err := rc.Serve(ctx, req, stdin, &out)
			return out.String(), err
		}
		send := func(snap string, o zfs.SendOptions, req string) (int64, error) {
			return runner.Pipe(ctx, func(ctx context.Context, w io.Writer) error {
				return m.Send(ctx, snap, o, w)
			}, func(ctx context.Context, r io.Reader) error {
				_, err := serve(req, r)
				return err
			})
		}
		t0 := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
		lay := zfs.Layout{Root: root}
		var snaps []zfs.Snapshot
		for _, u := range []zfs.Unit{zfs.VMUnit("web1"), zfs.PathUnit("www")} {
			ds := lay.Dataset(u)
			if _, err := m.EnsureDataset(ctx, ds, u.Owner()); err != nil {
				t.Fatal(err)
			}
			s, err := m.TakeSnapshot(ctx, ds, t0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := send(s.FullName(), zfs.SendOptions{Compressed: true}, "receive "+u.Rel()); err != nil {
				t.Fatalf("receive %s: %v", u.Rel(), err)
			} else {
				t.Logf("receive %s: %d bytes", u.Rel(), n)
			}
			snaps = append(snaps, s)
		}
		s2, _ := m.TakeSnapshot(ctx, lay.Dataset(zfs.VMUnit("web1")), t0.Add(time.Hour), nil)
		// A snapshot someone took on the replica: never destroyed by a receive (no -F).
		run("snapshot", rroot+"/web1@foreign")
		_, err := send(s2.FullName(), zfs.SendOptions{From: snaps[0].FullName(), Compressed: true}, "receive web1")
		have := run("list", "-H", "-t", "snapshot", "-o", "name", "-d", "1", rroot+"/web1")
		t.Logf("an incremental into a replica with a newer snapshot of its own: %v; the replica holds:\n%s", err, have)
		if !strings.Contains(have, "@foreign") {
			t.Fatal("a receive destroyed a snapshot on the replica")
		}
		if !strings.Contains(have, "@"+s2.Name) {
			run("destroy", rroot+"/web1@foreign")
			if _, err := send(s2.FullName(), zfs.SendOptions{From: snaps[0].FullName(), Compressed: true}, "receive web1"); err != nil {
				t.Fatal(err)
			}
		}
		out, err := serve("list", nil)
		t.Logf("list:\n%s", out)
		if err != nil {
			t.Fatal(err)
		}
		var l replica.Listing
		if err := json.Unmarshal([]byte(out), &l); err != nil {
			t.Fatalf("list: %v\n%s", err, out)
		}
		got := map[string]replica.ListingDataset{}
		for _, d := range l.Datasets {
			got[d.Name] = d
		}
		if l.Root != rroot || len(got) != 3 || !got["web1"].Replica || len(got["web1"].Snapshots) != 2 || got["web1"].Snapshots[1].Name != s2.Name ||
			!got["_paths/www"].Replica || len(got["_paths/www"].Snapshots) != 1 || !got["_paths"].Replica {
			t.Errorf("list:\n%s", out)
		}
		for _, p := range []string{"readonly", "canmount", zfs.PropReplica} {
			t.Logf("%s of %s/_paths/www: %s", p, rroot, run("get", "-H", "-o", "value,source", p, rroot+"/_paths/www"))
		}
		if v := run("get", "-H", "-o", "value", "readonly", rroot+"/_paths/www"); v != "on" {
			t.Errorf("readonly of the received path dataset: %s", v)
		}
		if out, err := serve("token web1", nil); err != nil || out != "-\n" {
			t.Errorf("token web1: %q %v", out, err)
		}
		if out, err := serve("token nosuch", nil); err != nil || out != "-\n" {
			t.Errorf("token nosuch: %q %v", out, err)
		}

		// A foreign dataset under the root: refused, untouched.
		run("create", rroot+"/other")
		run("snapshot", rroot+"/other@"+snaps[0].Name)
		before := run("list", "-H", "-r", "-t", "all", "-o", "name,guid", rroot+"/other")
		for _, req := range []string{"receive other", "abort other"} {
			if _, err := send(snaps[0].FullName(), zfs.SendOptions{}, req); !replica.IsRefused(err) || !strings.Contains(err.Error(), rroot+"/other") {
				t.Errorf("%s: %v", req, err)
			}
		}
		if after := run("list", "-H", "-r", "-t", "all", "-o", "name,guid", rroot+"/other"); after != before {
			t.Errorf("the foreign dataset changed:\n%s\n%s", before, after)
		}

		// Streams the receiver does not take, whatever the sender: another tool's
		// snapshot, a -R package (it could create datasets below and set their
		// properties). Refused before zfs reads them; nothing changes.
		web1 := lay.Dataset(zfs.VMUnit("web1"))
		run("snapshot", web1+"@hourly")
		before = run("list", "-H", "-r", "-t", "all", "-o", "name,guid", rroot)
		for _, argv := range [][]string{{"send", "-i", s2.FullName(), web1 + "@hourly"}, {"send", "-R", s2.FullName()}} {
			_, err := runner.Pipe(ctx, func(ctx context.Context, w io.Writer) error {
				_, err := runner.New("zfs").RunWith(ctx, runner.Options{Stdout: w}, argv...)
				return err
			}, func(ctx context.Context, r io.Reader) error { _, err := serve("receive web1", r); return err })
			if !replica.IsRefused(err) {
				t.Errorf("zfs %s into receive web1: %v", strings.Join(argv, " "), err)
			}
			t.Logf("zfs %s: %v", strings.Join(argv, " "), err)
		}
		if after := run("list", "-H", "-r", "-t", "all", "-o", "name,guid", rroot); after != before {
			t.Errorf("refused streams changed the replica:\n%s\n%s", before, after)
		}

		// An interrupted receive: its token, the send resumed from it through the
		// protocol; interrupted again, then aborted.
		ds3 := lay.Dataset(zfs.VMUnit("db1"))
		m.EnsureDataset(ctx, ds3, zfs.VMOwner("db1"))
		dir, _ := m.Mountpoint(ctx, ds3)
		if err := os.WriteFile(filepath.Join(dir, "vda.raw"), testenv.RandomBytes(5, 16<<20), 0o600); err != nil {
			t.Fatal(err)
		}
		s3, _ := m.TakeSnapshot(ctx, ds3, t0, nil)
		if err := os.WriteFile(filepath.Join(dir, "vda.raw"), testenv.RandomBytes(6, 16<<20), 0o600); err != nil {
			t.Fatal(err)
		}
		s4, _ := m.TakeSnapshot(ctx, ds3, t0.Add(time.Hour), nil)
		interrupted := func(snap string, o zfs.SendOptions) {
			t.Helper()
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			var sent int64
			runner.Pipe(ctx, func(_ context.Context, w io.Writer) error {
				return m.Send(sctx, snap, o, writerFunc(func(p []byte) (int, error) {
					if sent += int64(len(p)); sent > 12<<20 {
						cancel()
					}
					return w.Write(p)
				}))
			}, func(ctx context.Context, r io.Reader) error { _, err := serve("receive db1", r); return err })
		}
		interrupted(s3.FullName(), zfs.SendOptions{})
		tok, err := serve("token db1", nil)
		if err != nil || len(tok) < 10 {
			t.Fatalf("token db1 after an interrupted receive: %q %v", tok, err)
		}
		n, err := runner.Pipe(ctx, func(ctx context.Context, w io.Writer) error {
			return m.SendResume(ctx, strings.TrimSpace(tok), w)
		}, func(ctx context.Context, r io.Reader) error { _, err := serve("receive db1", r); return err })
		t.Logf("resumed through the protocol: %d bytes, %v", n, err)
		if err != nil || n > 8<<20 {
			t.Fatalf("resume db1: %d bytes, %v", n, err)
		}
		if out, _ := serve("token db1", nil); out != "-\n" {
			t.Errorf("token db1 after the resumed receive: %q", out)
		}
		interrupted(s4.FullName(), zfs.SendOptions{From: s3.FullName()})
		if out, _ := serve("token db1", nil); len(out) < 10 {
			t.Fatalf("no token after an interrupted incremental: %q", out)
		}
		if _, err := serve("abort db1", nil); err != nil {
			t.Fatal(err)
		}
		if out, err := serve("token db1", nil); err != nil || out != "-\n" {
			t.Errorf("token db1 after abort: %q %v", out, err)
		}
		if have := run("list", "-H", "-t", "snapshot", "-o", "name", "-d", "1", rroot+"/db1"); have != rroot+"/db1@"+s3.Name {
			t.Errorf("after abort, db1 holds %q", have)
		}
	})
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
