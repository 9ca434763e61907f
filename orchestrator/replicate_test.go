package orchestrator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/replica"
	"github.com/kvmbackup/kvmbackup/zfs"
)

var _ ReplicateSource = (*zfs.Manager)(nil)
var _ Replica = (*replica.Client)(nil)

// replSrc is a fake sending side: one VM dataset, web1, under backup/vms. A stream
// is one line: "full GUID" or "incr GUID FROMGUID" or "resume TOKEN".
type replSrc struct {
	ds        zfs.TreeDataset
	owner     zfs.Owner
	badTokens map[string]bool
	sends     []string // "@SNAP from FROM"
	trees     int      // Tree calls
}

const replDS = "backup/vms/web1"

// dated returns the dated snapshot name of day d (December 2026).
func dated(d int) string { return fmt.Sprintf("kvmbackup_2026-12-%02dT03:00:00Z", d) }

func newReplSrc(days ...int) *replSrc {
	s := &replSrc{ds: zfs.TreeDataset{Name: replDS, Snapshots: []zfs.Mark{}, Bookmarks: []zfs.Mark{}}, owner: zfs.VMUnit("web1").Owner()}
	for _, d := range days {
		s.snap(dated(d), d)
	}
	return s
}

func (s *replSrc) snap(name string, txg int) {
	s.ds.Snapshots = append(s.ds.Snapshots, zfs.Mark{Name: name, GUID: "g" + name, CreateTXG: int64(txg)})
}

func (s *replSrc) Owner(_ context.Context, ds string) (zfs.Owner, error) {
	if ds != replDS {
		return zfs.Owner{}, zfs.ErrNotFound
	}
	return s.owner, nil
}
func (s *replSrc) Claim(context.Context, string, zfs.Owner) error { return errors.New("not here") }
func (s *replSrc) Children(_ context.Context, ds string) ([]string, error) {
	if ds == "backup/vms" {
		return []string{replDS}, nil
	}
	return nil, zfs.ErrNotFound
}
func (s *replSrc) Tree(_ context.Context, root string) ([]zfs.TreeDataset, error) {
	s.trees++
	d := s.ds
	d.Snapshots, d.Bookmarks = slices.Clone(d.Snapshots), slices.Clone(d.Bookmarks)
	return []zfs.TreeDataset{d}, nil
}
func (s *replSrc) mark(full string) (zfs.Mark, bool) {
	marks, sep := s.ds.Snapshots, "@"
	if strings.Contains(full, "#") {
		marks, sep = s.ds.Bookmarks, "#"
	}
	_, n, _ := strings.Cut(full, sep)
	i := slices.IndexFunc(marks, func(m zfs.Mark) bool { return m.Name == n })
	if i < 0 {
		return zfs.Mark{}, false
	}
	return marks[i], true
}

func (s *replSrc) stream(snapshot string, o zfs.SendOptions) (string, error) {
	to, ok := s.mark(snapshot)
	if !ok {
		return "", fmt.Errorf("no snapshot %s", snapshot)
	}
	s.sends = append(s.sends, snapshot[strings.Index(snapshot, "@"):]+" from "+o.From)
	if o.From == "" {
		return "full " + to.GUID, nil
	}
	from, ok := s.mark(o.From)
	if !ok {
		return "", fmt.Errorf("no snapshot or bookmark %s", o.From)
	}
	return "incr " + to.GUID + " " + from.GUID, nil
}

func (s *replSrc) Send(_ context.Context, snapshot string, o zfs.SendOptions, w io.Writer) error {
	line, err := s.stream(snapshot, o)
	if err == nil {
		_, err = io.WriteString(w, line)
	}
	return err
}
func (s *replSrc) SendSize(_ context.Context, snapshot string, o zfs.SendOptions) (int64, error) {
	line, err := s.stream(snapshot, o)
	if strings.HasPrefix(line, "full") {
		return 1000, err
	}
	return 10, err
}
func (s *replSrc) SendResume(_ context.Context, token string, w io.Writer) error {
	if s.badTokens[token] {
		return errors.New("token no longer matches")
	}
	_, err := io.WriteString(w, "resume "+token)
	return err
}
func (s *replSrc) SendResumeSize(_ context.Context, token string) (int64, error) {
	if s.badTokens[token] {
		return 0, errors.New("cannot resume send: 'backup/vms/web1@x' no longer exists")
	}
	return 5, nil
}
func (s *replSrc) AdvanceReplBookmark(_ context.Context, ds, snap, target string) (zfs.Bookmark, error) {
	m, ok := s.mark(ds + "@" + snap)
	if !ok {
		return zfs.Bookmark{}, fmt.Errorf("no snapshot %s", snap)
	}
	name, err := zfs.ReplBookmarkName(target, snap)
	if err != nil {
		return zfs.Bookmark{}, err
	}
	s.ds.Bookmarks = slices.DeleteFunc(s.ds.Bookmarks, func(b zfs.Mark) bool {
		t, _, ok := zfs.ParseReplBookmark(b.Name)
		return ok && t == target
	})
	s.ds.Bookmarks = append(s.ds.Bookmarks, zfs.Mark{Name: name, GUID: m.GUID, CreateTXG: m.CreateTXG})
	return zfs.Bookmark{Dataset: ds, Name: name, GUID: m.GUID}, nil
}

// dropSnap prunes a snapshot here.
func (s *replSrc) dropSnap(name string) {
	s.ds.Snapshots = slices.DeleteFunc(s.ds.Snapshots, func(m zfs.Mark) bool { return m.Name == name })
}

// replDst is a fake receiver: it applies the fake streams as zfs receive would
// (a full one only into nothing, an incremental only onto the newest snapshot).
type replDst struct {
	ds      map[string]*replica.ListingDataset
	names   map[string]string // GUID → name
	pending map[string]zfs.Mark
	listErr error
	aborted []string
	calls   int
}

func newReplDst(src *replSrc) *replDst {
	d := &replDst{ds: map[string]*replica.ListingDataset{}, names: map[string]string{}, pending: map[string]zfs.Mark{}}
	for _, m := range src.ds.Snapshots {
		d.names[m.GUID] = m.Name
	}
	return d
}

// hold makes the receiver hold web1 with these snapshots of src.
func (d *replDst) hold(src *replSrc, names ...string) {
	ld := &replica.ListingDataset{Name: "web1", Replica: true, Snapshots: []zfs.Mark{}, Bookmarks: []zfs.Mark{}}
	for _, n := range names {
		m, _ := src.mark(replDS + "@" + n)
		ld.Snapshots = append(ld.Snapshots, m)
	}
	d.ds["web1"] = ld
}

func (d *replDst) List(context.Context) (replica.Listing, error) {
	d.calls++
	if d.listErr != nil {
		return replica.Listing{}, d.listErr
	}
	l := replica.Listing{Root: "pool2/r"}
	for _, v := range d.ds {
		c := *v
		c.Snapshots = slices.Clone(v.Snapshots)
		l.Datasets = append(l.Datasets, c)
	}
	return l, nil
}

func (d *replDst) Receive(ctx context.Context, rel string, produce func(context.Context, io.Writer) error) (int64, error) {
	var b bytes.Buffer
	if err := produce(ctx, &b); err != nil {
		return 0, err
	}
	f := strings.Fields(b.String())
	cur := d.ds[rel]
	add := func(guid string) {
		cur.Snapshots = append(cur.Snapshots, zfs.Mark{Name: d.names[guid], GUID: guid})
	}
	switch f[0] {
	case "full":
		if cur != nil {
			return 0, fmt.Errorf("destination %s exists", rel)
		}
		cur = &replica.ListingDataset{Name: rel, Replica: true}
		d.ds[rel] = cur
		add(f[1])
	case "incr":
		if cur == nil || len(cur.Snapshots) == 0 || cur.Snapshots[len(cur.Snapshots)-1].GUID != f[2] {
			return 0, fmt.Errorf("incremental from %s does not match %s's newest", f[2], rel)
		}
		add(f[1])
	case "resume":
		m, ok := d.pending[f[1]]
		if !ok || cur.ResumeToken != f[1] {
			return 0, errors.New("bad token")
		}
		cur.ResumeToken = ""
		add(m.GUID)
	}
	return int64(b.Len()), nil
}

func (d *replDst) Abort(_ context.Context, rel string) error {
	d.aborted = append(d.aborted, rel)
	if cur := d.ds[rel]; cur != nil {
		cur.ResumeToken = ""
		if len(cur.Snapshots) == 0 {
			delete(d.ds, rel)
		}
	}
	return nil
}

func (d *replDst) held() []string {
	var out []string
	if cur := d.ds["web1"]; cur != nil {
		for _, m := range cur.Snapshots {
			out = append(out, m.Name)
		}
	}
	return out
}

func replicate(t *testing.T, src *replSrc, dryRun bool, dsts ...*replDst) ([]ReplicatedTarget, error) {
	t.Helper()
	var tgs []ReplicaTarget
	for i, d := range dsts {
		name := []string{"usb", "offsite"}[i]
		tgs = append(tgs, ReplicaTarget{Name: name, To: "zfs://pool2/" + name, Replica: d})
	}
	return Replicate(context.Background(), src, ReplicateOptions{Root: "backup/vms", Targets: tgs, DryRun: dryRun})
}

func bookmarkOf(src *replSrc, target string) string {
	for _, b := range src.ds.Bookmarks {
		if t, _, ok := zfs.ParseReplBookmark(b.Name); ok && t == target {
			return src.names(b.GUID)
		}
	}
	return ""
}

func (s *replSrc) names(guid string) string { return strings.TrimPrefix(guid, "g") }

func wantSends(t *testing.T, src *replSrc, want ...string) {
	t.Helper()
	if !slices.Equal(src.sends, want) {
		t.Errorf("sends:\n got  %q\n want %q", src.sends, want)
	}
}

// TestReplicateFullThenIncrementalSkipsForeign: nothing on the receiver: the oldest
// dated snapshot whole, then each next one -i from the previous, over another
// tool's snapshot lying between, which is never sent; the bookmark on the newest.
func TestReplicateFullThenIncrementalSkipsForeign(t *testing.T) {
	src := newReplSrc(1, 2)
	src.snap("autosnap_hourly", 3)
	src.snap(dated(4), 4)
	dst := newReplDst(src)
	res, err := replicate(t, src, false, dst)
	if err != nil {
		t.Fatal(err)
	}
	wantSends(t, src, "@"+dated(1)+" from ", "@"+dated(2)+" from "+replDS+"@"+dated(1), "@"+dated(4)+" from "+replDS+"@"+dated(2))
	if got := dst.held(); !slices.Equal(got, []string{dated(1), dated(2), dated(4)}) {
		t.Errorf("receiver holds %q", got)
	}
	if b := bookmarkOf(src, "usb"); b != dated(4) {
		t.Errorf("bookmark on %q, want the newest", b)
	}
	u := res[0].Units[0]
	if u.Start != "full" || u.Newest != dated(4) || len(u.Streams) != 3 || res[0].Bytes == 0 {
		t.Errorf("unit %+v", u)
	}
	// Nothing new: nothing sent.
	src.sends = nil
	if _, err := replicate(t, src, false, dst); err != nil || len(src.sends) != 0 {
		t.Errorf("a second replicate sent %q, err %v", src.sends, err)
	}
}

// TestReplicateFromCommonSnapshot: the receiver's newest is here: -i from it.
func TestReplicateFromCommonSnapshot(t *testing.T) {
	src := newReplSrc(1, 2, 3, 4)
	dst := newReplDst(src)
	dst.hold(src, dated(1), dated(2))
	res, err := replicate(t, src, false, dst)
	if err != nil {
		t.Fatal(err)
	}
	wantSends(t, src, "@"+dated(3)+" from "+replDS+"@"+dated(2), "@"+dated(4)+" from "+replDS+"@"+dated(3))
	if u := res[0].Units[0]; u.Start != "snapshot "+dated(2) || u.Newest != dated(4) {
		t.Errorf("unit %+v", u)
	}
}

// TestReplicateFromBookmark: local pruning left only the newest snapshot; the
// receiver's newest survives here as the target's bookmark: -i from it, no full.
func TestReplicateFromBookmark(t *testing.T) {
	src := newReplSrc(1, 2)
	dst := newReplDst(src)
	if _, err := replicate(t, src, false, dst); err != nil {
		t.Fatal(err)
	}
	src.snap(dated(3), 3)
	src.snap(dated(4), 4)
	dst.names["g"+dated(3)], dst.names["g"+dated(4)] = dated(3), dated(4)
	for _, d := range []int{1, 2, 3} {
		src.dropSnap(dated(d))
	}
	src.sends = nil
	res, err := replicate(t, src, false, dst)
	if err != nil {
		t.Fatal(err)
	}
	bm, _ := zfs.ReplBookmarkName("usb", dated(2))
	wantSends(t, src, "@"+dated(4)+" from "+replDS+"#"+bm)
	if u := res[0].Units[0]; u.Start != "bookmark "+bm || u.Newest != dated(4) {
		t.Errorf("unit %+v", u)
	}
	if b := bookmarkOf(src, "usb"); b != dated(4) {
		t.Errorf("bookmark on %q, want %s", b, dated(4))
	}
}

// TestReplicateNoStart: the receiver's newest is neither here nor bookmarked: an
// error naming the target, nothing sent, nothing aborted.
func TestReplicateNoStart(t *testing.T) {
	src := newReplSrc(1, 2, 3)
	dst := newReplDst(src)
	dst.hold(src, dated(1), dated(2))
	src.dropSnap(dated(2))
	_, err := replicate(t, src, false, dst)
	if err == nil || !strings.Contains(err.Error(), "replication target usb") || !strings.Contains(err.Error(), "neither here nor bookmarked") {
		t.Errorf("err %v", err)
	}
	wantSends(t, src)
	if len(dst.aborted) != 0 || len(dst.held()) != 2 {
		t.Errorf("receiver changed: aborted %q, holds %q", dst.aborted, dst.held())
	}
}

// TestReplicateResumesToken: an interrupted receive is resumed first, then the rest
// follows incrementally and the bookmark advances.
func TestReplicateResumesToken(t *testing.T) {
	src := newReplSrc(1, 2, 3)
	dst := newReplDst(src)
	dst.hold(src, dated(1))
	dst.ds["web1"].ResumeToken = "1-abc-de-f0"
	m, _ := src.mark(replDS + "@" + dated(2))
	dst.pending["1-abc-de-f0"] = m
	res, err := replicate(t, src, false, dst)
	if err != nil {
		t.Fatal(err)
	}
	wantSends(t, src, "@"+dated(3)+" from "+replDS+"@"+dated(2))
	u := res[0].Units[0]
	if len(u.Streams) != 2 || !u.Streams[0].Resumed || u.Newest != dated(3) || len(dst.aborted) != 0 {
		t.Errorf("unit %+v, aborted %q", u, dst.aborted)
	}
	if got := dst.held(); !slices.Equal(got, []string{dated(1), dated(2), dated(3)}) {
		t.Errorf("receiver holds %q", got)
	}
}

// TestReplicateStaleToken: a token that no longer matches is aborted, said so, and
// the send starts afresh: whole for an interrupted first receive.
func TestReplicateStaleToken(t *testing.T) {
	src := newReplSrc(2, 3)
	src.badTokens = map[string]bool{"1-abc-de-f0": true}
	dst := newReplDst(src)
	dst.ds["web1"] = &replica.ListingDataset{Name: "web1", Replica: true, Snapshots: []zfs.Mark{}, ResumeToken: "1-abc-de-f0"}

	dry, err := replicate(t, src, true, dst)
	if err != nil || len(dst.aborted) != 0 || dst.ds["web1"].ResumeToken == "" {
		t.Fatalf("dry run: err %v, aborted %q", err, dst.aborted)
	}
	if u := dry[0].Units[0]; u.Start != "full" || len(u.Notes) == 0 || u.Bytes != 1010 {
		t.Errorf("dry run unit %+v", u)
	}
	src.sends = nil

	res, err := replicate(t, src, false, dst)
	if err != nil {
		t.Fatal(err)
	}
	u := res[0].Units[0]
	if !slices.Equal(dst.aborted, []string{"web1"}) || len(u.Notes) == 0 || !strings.Contains(u.Notes[0], "no longer matches") {
		t.Errorf("aborted %q, notes %q", dst.aborted, u.Notes)
	}
	wantSends(t, src, "@"+dated(2)+" from ", "@"+dated(3)+" from "+replDS+"@"+dated(2))
}

// TestReplicateOneTargetFails: an unreachable target is an error naming it; the
// other target is replicated all the same.
func TestReplicateOneTargetFails(t *testing.T) {
	src := newReplSrc(1, 2)
	bad, good := newReplDst(src), newReplDst(src)
	bad.listErr = errors.New("ssh: connect to host b2 port 22: Connection refused")
	res, err := replicate(t, src, false, bad, good)
	if err == nil || !strings.Contains(err.Error(), "replication target usb (zfs://pool2/usb)") || strings.Contains(err.Error(), "offsite") {
		t.Errorf("err %v", err)
	}
	if res[0].Error == "" || res[1].Error != "" || len(good.held()) != 2 {
		t.Errorf("results %+v; good holds %q", res, good.held())
	}
	if bookmarkOf(src, "usb") != "" || bookmarkOf(src, "offsite") != dated(2) {
		t.Errorf("bookmarks %+v", src.ds.Bookmarks)
	}
}

// TestReplicateDryRun: sizes estimated, nothing received, no bookmark.
func TestReplicateDryRun(t *testing.T) {
	src := newReplSrc(1, 2, 3)
	dst := newReplDst(src)
	res, err := replicate(t, src, true, dst)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Bytes != 1020 || len(dst.ds) != 0 || len(src.ds.Bookmarks) != 0 {
		t.Errorf("bytes %d, receiver %v, bookmarks %v", res[0].Bytes, dst.ds, src.ds.Bookmarks)
	}
}

// TestReplicateForeignDatasets: a local dataset that is not kvmbackup's is skipped;
// a receiver dataset kvmbackup did not receive is an error, nothing sent.
func TestReplicateForeignDatasets(t *testing.T) {
	src := newReplSrc(1)
	src.owner = zfs.Owner{}
	dst := newReplDst(src)
	res, err := replicate(t, src, false, dst)
	if err != nil || res[0].Units[0].Skipped == "" {
		t.Errorf("err %v, unit %+v", err, res[0].Units[0])
	}
	src = newReplSrc(1)
	dst = newReplDst(src)
	dst.ds["web1"] = &replica.ListingDataset{Name: "web1"}
	if _, err := replicate(t, src, false, dst); err == nil || !strings.Contains(err.Error(), "did not receive it") {
		t.Errorf("err %v", err)
	}
	wantSends(t, src)
}

// TestRunReplicatesAfterPrune: a run with an after-run target replicates what it
// backed up after its prune (its step, its report section); a failing target is an
// error of the run naming it, the backup itself stays good.
func TestRunReplicatesAfterPrune(t *testing.T) {
	w := scene(t)
	env := runEnv{t.TempDir()}
	src := newReplSrc(1, 2)
	good, bad := newReplDst(src), newReplDst(src)
	bad.listErr = errors.New("connection refused")
	d := w.deps()
	d.ReplicaSource = src
	d.Replicas = []ReplicaTarget{{Name: "usb", To: "zfs://pool2/r", Replica: good}}
	rep, err := Run(context.Background(), d, env.opts(testConfig(t), night1, "web1"))
	if err != nil || !rep.OK() {
		t.Fatalf("err %v, report %+v", err, rep)
	}
	steps := []string{}
	for _, s := range rep.Steps {
		steps = append(steps, s.Name)
	}
	if i := slices.Index(steps, "replicate"); i < 0 || steps[i-1] != "prune" {
		t.Errorf("steps %q: want replicate right after prune", steps)
	}
	if len(rep.Replicated) != 1 || rep.Replicated[0].Units[0].Newest != dated(2) || len(good.held()) != 2 {
		t.Errorf("replicated %+v", rep.Replicated)
	}
	var buf bytes.Buffer
	RenderTable(&buf, rep)
	if !strings.Contains(buf.String(), "replication usb (zfs://pool2/r): ") || !strings.Contains(buf.String(), "newest there "+dated(2)) {
		t.Errorf("the table has no replication section:\n%s", buf.String())
	}

	d.Replicas = []ReplicaTarget{{Name: "offsite", To: "ssh://root@b2/tank/r", Replica: bad}}
	rep, err = Run(context.Background(), d, env.opts(testConfig(t), night1.Add(24*time.Hour), "web1"))
	if err != nil || rep.OK() || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "replication target offsite") {
		t.Errorf("err %v, errors %q", err, rep.Errors)
	}
	if rep.VMs[0].Status != StatusOK {
		t.Errorf("web1 %s: a failed replication fails the run, not the backup", rep.VMs[0].Status)
	}
}

// TestReplicateReadsTreeOnce: the snapshots and bookmarks here are read once per
// Replicate, whatever the number of targets (it was once per unit and target), and
// the bookmarks a target's receive advances are seen by the next target: a
// bookmark the first target's advance destroyed is not the second's start.
func TestReplicateReadsTreeOnce(t *testing.T) {
	src := newReplSrc(1, 2)
	usb, offsite := newReplDst(src), newReplDst(src)
	if _, err := replicate(t, src, false, usb, offsite); err != nil {
		t.Fatal(err)
	}
	if src.trees != 1 {
		t.Errorf("Tree called %d times for 2 targets, want 1", src.trees)
	}
	// The night after: day 2 pruned here, day 3 made; each target starts from its
	// own bookmark of day 2 and moves it to day 3.
	src.dropSnap(dated(2))
	src.snap(dated(3), 3)
	usb.names[src.ds.Snapshots[len(src.ds.Snapshots)-1].GUID] = dated(3)
	offsite.names[src.ds.Snapshots[len(src.ds.Snapshots)-1].GUID] = dated(3)
	src.trees = 0
	res, err := replicate(t, src, false, usb, offsite)
	if err != nil || src.trees != 1 {
		t.Fatalf("err %v, Tree called %d times", err, src.trees)
	}
	for i, rt := range res {
		if u := rt.Units[0]; !strings.HasPrefix(u.Start, "bookmark kvmbackup_repl_"+rt.Target+"_") || u.Newest != dated(3) {
			t.Errorf("target %d: %+v", i, u)
		}
	}
	if bookmarkOf(src, "usb") != dated(3) || bookmarkOf(src, "offsite") != dated(3) {
		t.Errorf("bookmarks %+v", src.ds.Bookmarks)
	}

	// offsite has no bookmark of its own; usb's of day 2 is the only way to start
	// until usb's receive moves it to day 3 (destroying it): offsite then has none.
	src = newReplSrc(1, 2)
	usb, offsite = newReplDst(src), newReplDst(src)
	usb.hold(src, dated(1), dated(2))
	offsite.hold(src, dated(1), dated(2))
	if _, err := src.AdvanceReplBookmark(context.Background(), replDS, dated(2), "usb"); err != nil {
		t.Fatal(err)
	}
	src.dropSnap(dated(2))
	src.snap(dated(3), 3)
	usb.names["g"+dated(3)], offsite.names["g"+dated(3)] = dated(3), dated(3)
	res, err = replicate(t, src, false, usb, offsite)
	if res[0].Failed() || usb.held()[2] != dated(3) {
		t.Errorf("usb: %+v", res[0])
	}
	if err == nil || !strings.Contains(err.Error(), "is neither here nor bookmarked") || len(offsite.held()) != 2 {
		t.Errorf("offsite: err %v, holds %q", err, offsite.held())
	}
	if src.trees != 1 {
		t.Errorf("Tree called %d times, want 1", src.trees)
	}
}

// TestReplicateTimesAndLag: each target's time and duration by the clock, each
// unit's newest time there and lag, the target's worst.
func TestReplicateTimesAndLag(t *testing.T) {
	src := newReplSrc(1, 2)
	dst := newReplDst(src)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Minute); return now }
	res, err := Replicate(context.Background(), src, ReplicateOptions{Root: "backup/vms", Now: clock,
		Targets: []ReplicaTarget{{Name: "usb", To: "zfs://pool2/usb", Replica: dst}}})
	if err != nil {
		t.Fatal(err)
	}
	rt, u := res[0], res[0].Units[0]
	newest := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	if !rt.Time.Equal(newest.Add(6*time.Hour+time.Minute)) || rt.Duration != time.Minute || !u.NewestTime.Equal(newest) ||
		u.Lag != 6*time.Hour+2*time.Minute || rt.Lag != u.Lag || rt.Failed() {
		t.Errorf("target %+v", rt)
	}
}

// A receiver answering for another root than the one configured (the key's forced
// command says --root of another host's replica): nothing is sent there.
func TestReplicateRefusesAnotherRoot(t *testing.T) {
	src := newReplSrc(1, 2)
	dst := newReplDst(src) // answers for pool2/r
	tgs := []ReplicaTarget{{Name: "offsite", To: "ssh://root@b2/pool2/host1", Root: "pool2/host1", Replica: dst}}
	res, err := Replicate(context.Background(), src, ReplicateOptions{Root: "backup/vms", Targets: tgs})
	if err == nil || !strings.Contains(err.Error(), "replication target offsite") || !strings.Contains(err.Error(), "answers for pool2/r, not pool2/host1") {
		t.Fatalf("err %v", err)
	}
	if len(src.sends) != 0 || len(dst.held()) != 0 || len(res) != 1 || res[0].Error == "" {
		t.Errorf("sent %q, receiver holds %q, result %+v", src.sends, dst.held(), res)
	}
	tgs[0].Root = "pool2/r"
	if _, err := Replicate(context.Background(), src, ReplicateOptions{Root: "backup/vms", Targets: tgs}); err != nil || len(dst.held()) != 2 {
		t.Errorf("the configured root: %v, receiver holds %q", err, dst.held())
	}
}
