package replica

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// fakeZFS is a receiver's ZFS: datasets by name with their mark; it records every
// call that would change something.
type fakeZFS struct {
	marks   map[string]string // dataset → local kvmbackup:replica ("" none)
	tokens  map[string]string
	changed []string
}

// The real adapter and the fake both play the receiver's ZFS.
var (
	_ ZFS = (*fakeZFS)(nil)
	_ ZFS = (*zfs.Manager)(nil)

	_ RetentionZFS = (*zfs.Manager)(nil)
)

// Every method of the interface says its contract in its doc comment.
func TestEveryInterfaceMethodHasItsContract(t *testing.T) {
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, "receiver.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(af, func(node ast.Node) bool {
		if it, ok := node.(*ast.InterfaceType); ok {
			for _, m := range it.Methods.List {
				n++
				if m.Doc == nil || strings.TrimSpace(m.Doc.Text()) == "" {
					t.Errorf("%s: %s has no contract in a doc comment", fset.Position(m.Pos()), m.Names[0].Name)
				}
			}
		}
		return true
	})
	if n < 6 {
		t.Fatalf("found %d interface methods", n)
	}
}

func newFake(root string) *fakeZFS {
	return &fakeZFS{marks: map[string]string{root: "", root + "/web1": "web1", root + "/other": ""}, tokens: map[string]string{}}
}

func (f *fakeZFS) notFound(ds string) error { return fmt.Errorf("dataset %s: %w", ds, zfs.ErrNotFound) }

func (f *fakeZFS) Tree(_ context.Context, root string) ([]zfs.TreeDataset, error) {
	if _, ok := f.marks[root]; !ok {
		return nil, f.notFound(root)
	}
	var out []zfs.TreeDataset
	for _, n := range []string{root, root + "/other", root + "/web1"} {
		if _, ok := f.marks[n]; ok {
			out = append(out, zfs.TreeDataset{Name: n, Replica: f.marks[n], Snapshots: []zfs.Mark{
				{Name: "kvmbackup_2026-12-01T03:00:00Z", GUID: "1", CreateTXG: 5}, {Name: "hourly", GUID: "2", CreateTXG: 6}}})
		}
	}
	return out, nil
}

func (f *fakeZFS) ReplicaMark(_ context.Context, ds string) (string, error) {
	m, ok := f.marks[ds]
	if !ok {
		return "", f.notFound(ds)
	}
	return m, nil
}

func (f *fakeZFS) ResumeToken(_ context.Context, ds string) (string, error) {
	if _, ok := f.marks[ds]; !ok {
		return "", f.notFound(ds)
	}
	return f.tokens[ds], nil
}

func (f *fakeZFS) EnsureReplicaParent(_ context.Context, ds, mark string) error {
	if m, ok := f.marks[ds]; ok {
		if m != mark {
			return fmt.Errorf("dataset %s: %w", ds, zfs.ErrForeign)
		}
		return nil
	}
	f.marks[ds] = mark
	f.changed = append(f.changed, "create "+ds)
	return nil
}

func (f *fakeZFS) Receive(_ context.Context, ds string, r io.Reader, o zfs.ReceiveOptions) error {
	b, _ := io.ReadAll(r)
	f.changed = append(f.changed, fmt.Sprintf("receive %s %q s=%v u=%v readonly=%s canmount=%s mark=%s", ds, b, o.Resumable, o.NoMount,
		o.Props["readonly"], o.Props["canmount"], o.Props[zfs.PropReplica]))
	f.marks[ds] = o.Props[zfs.PropReplica]
	return nil
}

func (f *fakeZFS) AbortResume(_ context.Context, ds string) error {
	f.changed = append(f.changed, "abort "+ds)
	return nil
}

const root = "tank/replica/host1"

// stream is the start of a zfs send stream of toname (compound: a -R one).
func stream(toname string, compound bool) string {
	b := make([]byte, 312)
	binary.LittleEndian.PutUint64(b[8:], 0x2F5bacbac)
	v := uint64(1)
	if compound {
		v = 2
	}
	binary.LittleEndian.PutUint64(b[16:], v)
	copy(b[56:], toname)
	return string(b) + "DATA"
}

const good = "host1/backup/web1@kvmbackup_2026-12-02T03:00:00Z"

// Every request that is not exactly one of list, token REL, receive REL, abort REL
// with REL a unit's dataset below the root is refused, with one line naming it, and
// nothing is asked of ZFS or changed.
func TestRefusals(t *testing.T) {
	for req, why := range map[string]string{
		"":                                    "no request",
		"   ":                                 "no request",
		"sh":                                  "unknown request",
		"zfs destroy -r tank":                 "unknown request",
		"destroy web1":                        "unknown request",
		"rollback web1":                       "unknown request",
		"receive web1; rm -rf /":              "character ';'",
		"receive web1 && sh":                  "character '&'",
		"receive $(id)":                       "character '$'",
		"receive `id`":                        "character '`'",
		"receive web1|sh":                     "character '|'",
		"receive web1 > /etc/passwd":          "character '>'",
		"receive web1\nsh":                    "character '\\n'",
		"receive web1\tx":                     "character '\\t'",
		"receive 'web1'":                      "character '\\''",
		"receive web1@snap":                   "character '@'",
		"receive web1#bm":                     "character '#'",
		"receive ../other":                    `"../other" is not a unit's dataset`,
		"receive ..":                          `".." is not a unit's dataset`,
		"receive _paths/../../etc":            "not a unit's dataset",
		"receive /tank/replica/host1/x":       "an absolute name",
		"receive /etc":                        "an absolute name",
		"receive tank/other/web1":             "too deep, or not below _paths",
		"receive _clones/web1-r1":             "too deep, or not below _paths",
		"receive _paths":                      "kvmbackup's own",
		"receive _paths/www/child":            "too deep",
		"receive -F":                          `starts with "-"`,
		"receive web1 -F":                     "want receive REL",
		"receive  web1":                       "single spaces",
		"receive":                             "want receive REL",
		"token":                               "want token REL",
		"abort":                               "want abort REL",
		"list web1":                           "list takes no argument",
		"LIST":                                "unknown request",
		"receive " + strings.Repeat("a", 600): "longer than",
		"receive ä":                           "character 'ä'",
	} {
		f := newFake(root)
		rc := &Receiver{Root: root, ZFS: f}
		var out bytes.Buffer
		err := rc.Serve(context.Background(), req, strings.NewReader("STREAM"), &out)
		if !IsRefused(err) || !strings.Contains(err.Error(), why) || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "refused request ") {
			t.Errorf("%q: %v (want refused: %s)", req, err, why)
		}
		if len(f.changed) > 0 || out.Len() > 0 {
			t.Errorf("%q: changed %v, answered %q", req, f.changed, out.String())
		}
	}
}

// A dataset under the root that kvmbackup did not receive (no mark set locally, or
// another unit's mark) is never received into nor aborted; a foreign _paths parent
// stops a paths: entry's receive.
func TestForeignDatasetsRefused(t *testing.T) {
	for _, tc := range []struct {
		req   string
		setup func(f *fakeZFS)
	}{
		{"receive other", nil},
		{"abort other", nil},
		{"receive web1", func(f *fakeZFS) { f.marks[root+"/web1"] = "db1" }},
		{"receive _paths/www", func(f *fakeZFS) { f.marks[root+"/_paths"] = "" }},
		{"receive _paths/www", func(f *fakeZFS) { f.marks[root+"/_paths"] = ""; f.marks[root+"/_paths/www"] = "" }},
		{"abort nosuch", nil},
	} {
		f := newFake(root)
		if tc.setup != nil {
			tc.setup(f)
		}
		err := (&Receiver{Root: root, ZFS: f}).Serve(context.Background(), tc.req, strings.NewReader("STREAM"), io.Discard)
		if !IsRefused(err) || !strings.Contains(err.Error(), root+"/") {
			t.Errorf("%q: %v", tc.req, err)
		}
		if len(f.changed) > 0 {
			t.Errorf("%q changed %v", tc.req, f.changed)
		}
	}
}

// A receive whose stream is not one dated snapshot's is refused before zfs reads it,
// and nothing is created (not even _paths).
func TestStreamsRefused(t *testing.T) {
	for in, why := range map[string]string{
		"":                             "not a zfs send stream",
		"#!/bin/sh\nreboot\n":          "not a zfs send stream",
		stream("p/web1@hourly", false): `carries "p/web1@hourly", not a dated kvmbackup snapshot`,
		stream("p/web1", false):        "not a dated kvmbackup snapshot",
		stream(good, true):             "replication (-R) stream",
		stream("p/web1#kvmbackup_2026-12-02T03:00:00Z", false): "not a dated kvmbackup snapshot",
	} {
		for _, req := range []string{"receive web1", "receive _paths/www"} {
			f := newFake(root)
			err := (&Receiver{Root: root, ZFS: f}).Serve(context.Background(), req, strings.NewReader(in), io.Discard)
			if !IsRefused(err) || !strings.Contains(err.Error(), why) || len(f.changed) > 0 {
				t.Errorf("%s of %.20q: %v, changed %v", req, in, err, f.changed)
			}
		}
	}
}

// Allowed requests: receive into a new or a marked dataset with -s -u and the replica
// properties (a paths: entry's parent made first), token and abort of a marked one,
// list relative to the root with dated snapshots only; a missing root is an error
// that says to create it.
func TestAllowedRequests(t *testing.T) {
	ctx := context.Background()
	f := newFake(root)
	rc := &Receiver{Root: root, ZFS: f}
	for _, req := range []string{"receive web1", "receive db1", "receive _paths/www", "abort web1"} {
		if err := rc.Serve(ctx, req, strings.NewReader(stream(good, false)), io.Discard); err != nil {
			t.Fatalf("%s: %v", req, err)
		}
	}
	for i, c := range f.changed {
		f.changed[i] = strings.Replace(c, fmt.Sprintf("%q", stream(good, false)), `"S"`, 1)
	}
	want := []string{
		`receive tank/replica/host1/web1 "S" s=true u=true readonly=on canmount=noauto mark=web1`,
		`receive tank/replica/host1/db1 "S" s=true u=true readonly=on canmount=noauto mark=db1`,
		`create tank/replica/host1/_paths`,
		`receive tank/replica/host1/_paths/www "S" s=true u=true readonly=on canmount=noauto mark=_paths/www`,
		`abort tank/replica/host1/web1`,
	}
	if strings.Join(f.changed, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(f.changed, "\n"), strings.Join(want, "\n"))
	}
	f.tokens[root+"/web1"] = "1-abc-def-789c"
	for req, want := range map[string]string{"token web1": "1-abc-def-789c\n", "token db1": "-\n", "token nosuch": "-\n"} {
		var out bytes.Buffer
		if err := rc.Serve(ctx, req, nil, &out); err != nil || out.String() != want {
			t.Errorf("%s: %q %v", req, out.String(), err)
		}
	}
	var out bytes.Buffer
	if err := rc.Serve(ctx, "list", nil, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, `"name": "web1"`) || !strings.Contains(s, `"name": "other"`) || strings.Contains(s, "hourly") ||
		strings.Contains(s, `"name": "tank/`) || !strings.Contains(s, `"replica": true`) || !strings.Contains(s, `"root": "tank/replica/host1"`) {
		t.Errorf("list:\n%s", s)
	}
	gone := &Receiver{Root: "tank/nosuch", ZFS: newFake(root)}
	for _, req := range []string{"list", "receive web1"} {
		if err := gone.Serve(ctx, req, strings.NewReader("S"), io.Discard); !errors.Is(err, ErrNoRoot) || IsRefused(err) || !strings.Contains(err.Error(), "create it") {
			t.Errorf("%s under a missing root: %v", req, err)
		}
	}
}

// fakePruner records the datasets pruned.
type fakePruner struct{ pruned []string }

func (p *fakePruner) Prune(_ context.Context, ds string) ([]string, error) {
	p.pruned = append(p.pruned, ds)
	return nil, nil
}

// The receiver's retention runs after a receive that succeeded, on that dataset
// only; never after a refused request, an abort or a list.
func TestPruneAfterReceive(t *testing.T) {
	ctx := context.Background()
	p := &fakePruner{}
	rc := &Receiver{Root: root, ZFS: newFake(root), Prune: p}
	for _, req := range []string{"receive web1", "list", "abort web1", "token web1", "receive other", "destroy web1"} {
		_ = rc.Serve(ctx, req, strings.NewReader(stream(good, false)), io.Discard)
	}
	_ = rc.Serve(ctx, "receive db1", strings.NewReader(stream("host1/backup/db1@hourly", false)), io.Discard)
	if strings.Join(p.pruned, " ") != root+"/web1" {
		t.Errorf("pruned %q, want only %s/web1", p.pruned, root)
	}
}

// retentionZFS is a dataset's snapshots for RetentionPruner.
type retentionZFS struct {
	snaps     []zfs.Snapshot
	destroyed []string
}

func (r *retentionZFS) Snapshots(context.Context, string) ([]zfs.Snapshot, error) {
	return r.snaps, nil
}
func (r *retentionZFS) Destroy(_ context.Context, _, name string) error {
	r.destroyed = append(r.destroyed, name)
	return nil
}

// RetentionPruner keeps by its policy, the newest always, another tool's and a held
// snapshot always.
func TestRetentionPruner(t *testing.T) {
	z := &retentionZFS{}
	for d := 1; d <= 5; d++ {
		z.snaps = append(z.snaps, zfs.Snapshot{Dataset: "r/web1", Name: fmt.Sprintf("kvmbackup_2026-12-%02dT03:00:00Z", d)})
	}
	z.snaps[0].Holds = []string{zfs.PinTag}
	z.snaps = append(z.snaps, zfs.Snapshot{Dataset: "r/web1", Name: "manual"})
	gone, err := RetentionPruner{Policy: policies.Policy{KeepDaily: 2}, Location: time.UTC, ZFS: z}.Prune(context.Background(), "r/web1")
	want := []string{"kvmbackup_2026-12-02T03:00:00Z", "kvmbackup_2026-12-03T03:00:00Z"}
	if err != nil || strings.Join(gone, " ") != strings.Join(want, " ") || strings.Join(z.destroyed, " ") != strings.Join(want, " ") {
		t.Errorf("gone %q destroyed %q err %v, want %q", gone, z.destroyed, err, want)
	}
}
