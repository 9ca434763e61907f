package zfs

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/testenv"
)

// replLab makes a pool with a unit's dataset ROOT/web1 (kvmbackup's, as a run makes
// it) and a receiver's root RROOT, and returns the Manager, the dataset and RROOT.
func replLab(t *testing.T) (*Manager, string, string) {
	t.Helper()
	m, pool := lab(t, testenv.PoolOptions{Mirror: true})
	src := pool + "/backup/web1"
	if _, err := m.EnsureDataset(t.Context(), src, VMOwner("web1")); err != nil {
		t.Fatal(err)
	}
	zfsCmd(t, "create", "-p", pool+"/replica/host1")
	return m, src, pool + "/replica/host1"
}

// writeImage writes n random bytes (seeded) at off into DATASET/vda.raw.
func writeImage(t *testing.T, m *Manager, ds string, seed uint64, off int64, n int) {
	t.Helper()
	img := filepath.Join(mustMountpoint(t, m, ds), "vda.raw")
	if f, err := os.OpenFile(img, os.O_WRONLY|os.O_CREATE, 0o600); err == nil {
		f.Close()
	}
	testenv.WriteAt(t, img, off, testenv.RandomBytes(seed, n))
}

// imageSum is the SHA-256 of vda.raw in a snapshot, read through a read-only mount.
func imageSum(t *testing.T, m *Manager, ds, snap string) [32]byte {
	t.Helper()
	dir, err := m.MountSnapshot(t.Context(), Snapshot{Dataset: ds, Name: snap}, "sum")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Unmount(context.Background(), dir)
	b, err := os.ReadFile(filepath.Join(dir, "vda.raw"))
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func guids(t *testing.T, m *Manager, ds string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(zfsCmd(t, "list", "-H", "-p", "-t", "snapshot", "-d", "1", "-o", "name,guid", ds)), "\n") {
		name, guid, _ := strings.Cut(l, "\t")
		if _, snap, ok := strings.Cut(name, "@"); ok {
			out[snap] = guid
		}
	}
	return out
}

func get(t *testing.T, ds, prop string) string {
	t.Helper()
	return strings.TrimSpace(zfsCmd(t, "get", "-H", "-o", "value,source", prop, ds))
}

// A full send of a dated snapshot into a receiver's dataset, then an incremental -I
// of two more: the receiver holds the same snapshots (same GUIDs) and content; the
// received dataset is readonly=on, canmount=noauto, not mounted, marked, hardened;
// the dry-run estimate is about the stream's size. An encrypted dataset is sent raw
// without being asked, and received without its key.
func TestSendReceiveFullThenIncremental(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, src, rroot := replLab(t)
		dst := rroot + "/web1"
		ro := ReceiveOptions{Resumable: true, NoMount: true, Props: ReplicaProps("web1")}
		writeImage(t, m, src, 1, 0, 8<<20)
		s1, err := m.TakeSnapshot(ctx, src, t0, map[string]string{PropRun: "r1"})
		if err != nil {
			t.Fatal(err)
		}
		so := SendOptions{Compressed: true}
		est, err := m.SendSize(ctx, s1.FullName(), so)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		n, err := m.SendReceive(ctx, s1.FullName(), so, dst, ro)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("full send of %s: %d bytes (estimate %d) in %v", s1.FullName(), n, est, time.Since(start))
		if n < 8<<20 || est < n*9/10 || est > n*11/10 {
			t.Errorf("full stream %d bytes, estimate %d, for 8 MiB of random data", n, est)
		}
		for prop, want := range map[string]string{"readonly": "on\tlocal", "canmount": "noauto\tlocal", "mounted": "no\t-",
			PropReplica: "web1\tlocal", "exec": "off\tlocal", "setuid": "off\tlocal"} {
			if got := get(t, dst, prop); got != want {
				t.Errorf("%s of the received %s: %q, want %q", prop, dst, got, want)
			}
		}
		if g := guids(t, m, dst); g[s1.Name] != guids(t, m, src)[s1.Name] || len(g) != 1 {
			t.Fatalf("received snapshots %v", g)
		}

		writeImage(t, m, src, 2, 1<<20, 1<<20)
		s2, _ := m.TakeSnapshot(ctx, src, t0.Add(24*time.Hour), nil)
		writeImage(t, m, src, 3, 4<<20, 1<<20)
		s3, _ := m.TakeSnapshot(ctx, src, t0.Add(48*time.Hour), nil)
		inc := SendOptions{From: s1.FullName(), Incremental: true, Compressed: true}
		est, err = m.SendSize(ctx, s3.FullName(), inc)
		if err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		n, err = m.SendReceive(ctx, s3.FullName(), inc, dst, ro)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("incremental -I %s..%s: %d bytes (estimate %d) in %v", s1.Name, s3.Name, n, est, time.Since(start))
		if n < 2<<20 || n > 3<<20 {
			t.Errorf("incremental of 2 MiB changed: %d bytes", n)
		}
		want, got := guids(t, m, src), guids(t, m, dst)
		for _, s := range []Snapshot{s1, s2, s3} {
			if got[s.Name] == "" || got[s.Name] != want[s.Name] {
				t.Errorf("%s: GUID %q on the receiver, %q on the sender", s.Name, got[s.Name], want[s.Name])
			}
		}
		if imageSum(t, m, dst, s3.Name) != imageSum(t, m, src, s3.Name) || imageSum(t, m, dst, s2.Name) != imageSum(t, m, src, s2.Name) {
			t.Error("the received images differ from the sent ones")
		}
		// Sending what the receiver has again changes nothing there (zfs 2.1 may take it
		// as already received): the same snapshots, the same GUIDs, nothing rolled back.
		_, err = m.SendReceive(ctx, s3.FullName(), SendOptions{From: s2.FullName()}, dst, ro)
		t.Logf("a stream the receiver already holds: %v", err)
		if again := guids(t, m, dst); len(again) != 3 || again[s3.Name] != got[s3.Name] || again[s1.Name] != got[s1.Name] {
			t.Errorf("the receiver changed: %v, was %v", again, got)
		}
		for _, bad := range []SendOptions{{From: s3.FullName()}, {From: "other/ds@x"}, {From: src + "#bm", Incremental: true}, {From: "x; rm -rf /"}} {
			if _, err := m.SendSize(ctx, s3.FullName(), bad); err == nil {
				t.Errorf("send from %q accepted", bad.From)
			}
		}

		// Encrypted: sent raw (-w) without asking, received without the key.
		start = time.Now()
		defer func() { t.Logf("the encrypted dataset's part: %v", time.Since(start)) }()
		key := filepath.Join(t.TempDir(), "key")
		os.WriteFile(key, testenv.RandomBytes(9, 32), 0o600)
		enc := Pool(src) + "/secret"
		zfsCmd(t, "create", "-o", "encryption=on", "-o", "keyformat=raw", "-o", "keylocation=file://"+key, enc)
		os.WriteFile(filepath.Join(mustMountpoint(t, m, enc), "f"), testenv.RandomBytes(4, 1<<20), 0o600)
		zfsCmd(t, "snapshot", enc+"@"+s1.Name)
		if args, err := m.sendArgs(ctx, enc+"@"+s1.Name, SendOptions{Compressed: true}); err != nil || args[1] != "-w" {
			t.Fatalf("send args of an encrypted dataset: %v %v", args, err)
		}
		if _, err := m.SendReceive(ctx, enc+"@"+s1.Name, SendOptions{Compressed: true}, rroot+"/secret", ro); err != nil {
			t.Fatal(err)
		}
		if e, k := get(t, rroot+"/secret", "encryption"), get(t, rroot+"/secret", "keystatus"); !strings.HasPrefix(e, "aes-") || !strings.HasPrefix(k, "unavailable") {
			t.Errorf("the raw replica: encryption %q, keystatus %q", e, k)
		}
	})
}

// cutAfter cancels the send after n bytes: the sending zfs is killed mid-stream.
type cutAfter struct {
	w      io.Writer
	n, at  int64
	cancel context.CancelFunc
}

func (c *cutAfter) Write(p []byte) (int, error) {
	if atomic.AddInt64(&c.n, int64(len(p))) > c.at {
		c.cancel()
		return 0, errors.New("cut")
	}
	return c.w.Write(p)
}

// A send killed after 80% of its stream leaves a resume token on the receiver; the
// send resumed from it sends only the rest (far less than the whole), and the
// receiver then holds the snapshot, its content, and no token. AbortResume discards
// an interrupted receive's state.
func TestSendKilledThenResumed(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, src, rroot := replLab(t)
		dst := rroot + "/web1"
		ro := ReceiveOptions{Resumable: true, NoMount: true, Props: ReplicaProps("web1")}
		writeImage(t, m, src, 1, 0, 64<<20)
		s1, err := m.TakeSnapshot(ctx, src, t0, nil)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := m.SendSize(ctx, s1.FullName(), SendOptions{Compressed: true})
		if err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		start := time.Now()
		first, err := runner.Pipe(ctx, func(_ context.Context, w io.Writer) error {
			return m.Send(sctx, s1.FullName(), SendOptions{Compressed: true}, &cutAfter{w: w, at: whole * 8 / 10, cancel: cancel})
		}, func(ctx context.Context, r io.Reader) error {
			return m.Receive(ctx, dst, r, ro)
		})
		t.Logf("killed send: %d of %d bytes in %v: %v", first, whole, time.Since(start), err)
		if err == nil || !strings.Contains(err.Error(), "send "+s1.FullName()) || !strings.Contains(err.Error(), "receive into "+dst) {
			t.Fatalf("a killed send: %v (want both sides' failures)", err)
		}
		tok, err := m.ResumeToken(ctx, dst)
		if err != nil || tok == "" {
			t.Fatalf("no resume token after the killed send: %q %v", tok, err)
		}
		if get(t, dst, PropReplica) != "web1\tlocal" {
			t.Errorf("the partly received %s is not marked: %s", dst, get(t, dst, PropReplica))
		}
		rest, err := m.SendResumeSize(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		second, err := runner.Pipe(ctx, func(ctx context.Context, w io.Writer) error {
			return m.SendResume(ctx, tok, w)
		}, func(ctx context.Context, r io.Reader) error {
			return m.Receive(ctx, dst, r, ro)
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("resumed send: %d bytes (estimate %d) in %v; the whole stream: %d bytes; first attempt %d bytes", second, rest, time.Since(start), whole, first)
		if second > whole/3 {
			t.Errorf("the resumed send sent %d bytes of %d: not much less than the whole", second, whole)
		}
		if tok, _ := m.ResumeToken(ctx, dst); tok != "" {
			t.Errorf("a token after the resumed receive: %q", tok)
		}
		if imageSum(t, m, dst, s1.Name) != imageSum(t, m, src, s1.Name) {
			t.Error("the resumed replica differs")
		}
		if err := m.SendResume(ctx, "1-x; reboot", io.Discard); err == nil {
			t.Error("a bad token was accepted")
		}

		// Interrupted again (an incremental), then aborted: the token and the partial
		// state are gone, the received snapshots stay.
		writeImage(t, m, src, 2, 0, 32<<20)
		s2, _ := m.TakeSnapshot(ctx, src, t0.Add(time.Hour), nil)
		inc := SendOptions{From: s1.FullName(), Compressed: true}
		size, _ := m.SendSize(ctx, s2.FullName(), inc)
		sctx, cancel = context.WithCancel(ctx)
		defer cancel()
		runner.Pipe(ctx, func(_ context.Context, w io.Writer) error {
			return m.Send(sctx, s2.FullName(), inc, &cutAfter{w: w, at: size / 2, cancel: cancel})
		}, func(ctx context.Context, r io.Reader) error { return m.Receive(ctx, dst, r, ro) })
		if tok, _ := m.ResumeToken(ctx, dst); tok == "" {
			t.Fatal("no token after the interrupted incremental")
		}
		if err := m.AbortResume(ctx, dst); err != nil {
			t.Fatal(err)
		}
		if tok, _ := m.ResumeToken(ctx, dst); tok != "" {
			t.Errorf("token after AbortResume: %q", tok)
		}
		if g := guids(t, m, dst); len(g) != 1 || g[s1.Name] == "" {
			t.Errorf("after AbortResume the receiver holds %v", g)
		}
	})
}

// Replication's bookmark: made of the last snapshot sent, it lets an incremental
// start after local pruning destroyed every snapshot the receiver holds; moving it
// forward leaves one per target, other targets' and other tools' bookmarks alone.
func TestIncrementalFromBookmarkAfterPruning(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		ctx := t.Context()
		m, src, rroot := replLab(t)
		dst := rroot + "/web1"
		ro := ReceiveOptions{Resumable: true, NoMount: true, Props: ReplicaProps("web1")}
		writeImage(t, m, src, 1, 0, 4<<20)
		s1, _ := m.TakeSnapshot(ctx, src, t0, nil)
		writeImage(t, m, src, 2, 0, 1<<20)
		s2, _ := m.TakeSnapshot(ctx, src, t0.Add(24*time.Hour), nil)
		if _, err := m.SendReceive(ctx, s2.FullName(), SendOptions{Compressed: true}, dst, ro); err != nil {
			t.Fatal(err)
		}
		bm, err := m.AdvanceReplBookmark(ctx, src, s2.Name, "offsite")
		if err != nil {
			t.Fatal(err)
		}
		if bm.Name != "kvmbackup_repl_offsite_2026-11-25T03:00:00Z" || bm.GUID != guids(t, m, src)[s2.Name] {
			t.Fatalf("bookmark %+v", bm)
		}
		other, err := m.AdvanceReplBookmark(ctx, src, s1.Name, "usb")
		if err != nil {
			t.Fatal(err)
		}
		zfsCmd(t, "bookmark", s1.FullName(), src+"#admin")

		writeImage(t, m, src, 3, 2<<20, 1<<20)
		s3, _ := m.TakeSnapshot(ctx, src, t0.Add(48*time.Hour), nil)
		writeImage(t, m, src, 4, 3<<20, 1<<20)
		s4, _ := m.TakeSnapshot(ctx, src, t0.Add(72*time.Hour), nil)
		for _, s := range []Snapshot{s1, s2} { // local pruning
			if err := m.Destroy(ctx, src, s.Name); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := m.SendSize(ctx, s4.FullName(), SendOptions{From: bm.FullName(), Incremental: true}); err == nil {
			t.Error("-I from a bookmark accepted")
		}
		n1, err := m.SendReceive(ctx, s3.FullName(), SendOptions{From: bm.FullName(), Compressed: true}, dst, ro)
		if err != nil {
			t.Fatal(err)
		}
		n2, err := m.SendReceive(ctx, s4.FullName(), SendOptions{From: s3.FullName(), Incremental: true, Compressed: true}, dst, ro)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("incremental from the bookmark %s: %d bytes, then -I to %s: %d bytes", bm.FullName(), n1, s4.Name, n2)
		if n1 > 2<<20 || n2 > 2<<20 {
			t.Errorf("not incremental: %d, %d bytes for 1 MiB changed each", n1, n2)
		}
		if g := guids(t, m, dst); len(g) != 3 || g[s4.Name] != guids(t, m, src)[s4.Name] {
			t.Errorf("receiver: %v", g)
		}
		if imageSum(t, m, dst, s4.Name) != imageSum(t, m, src, s4.Name) {
			t.Error("the replica of s4 differs")
		}

		cctx, counter := runner.WithCounter(ctx)
		moved, err := m.AdvanceReplBookmark(cctx, src, s4.Name, "offsite")
		if err != nil {
			t.Fatal(err)
		}
		if n := counter.Read().Commands; n != 3 {
			t.Errorf("moving a bookmark ran %d commands, want 3 (bookmark, list, destroy): %v", n, counter.ByCommand())
		}
		if again, err := m.AdvanceReplBookmark(ctx, src, s4.Name, "offsite"); err != nil || again != moved {
			t.Errorf("AdvanceReplBookmark again: %+v %v", again, err)
		}
		bms, err := m.Bookmarks(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, b := range bms {
			names = append(names, b.Name)
		}
		slices.Sort(names) // a bookmark's createtxg is its snapshot's: admin and usb's tie
		if strings.Join(names, " ") != "admin "+moved.Name+" "+other.Name {
			t.Errorf("bookmarks after moving offsite's: %v", names)
		}
		if err := m.DestroyBookmark(ctx, src, "admin"); !errors.Is(err, ErrNotOurs) {
			t.Errorf("DestroyBookmark of another tool's: %v", err)
		}
	})
}
