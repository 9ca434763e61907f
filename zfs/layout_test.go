package zfs

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLayoutNames pins the names on disk: existing backups carry them, so a change
// here orphans every backup made before it.
func TestLayoutNames(t *testing.T) {
	for got, want := range map[string]string{
		PropVM: "kvmbackup:vm", PropPath: "kvmbackup:path", PropClone: "kvmbackup:clone",
		PropRun: "kvmbackup:run", PropVersion: "kvmbackup:version", PropQuiesce: "kvmbackup:quiesce",
		PropPauseNS: "kvmbackup:pause-ns", PropDurationNS: "kvmbackup:duration-ns",
		PropWritten: "kvmbackup:written", PropSource: "kvmbackup:source",
		PinTag: "kvmbackup", OwnPrefix: "_", PathsChild: "_paths", ClonesChild: "_clones", SnapshotPrefix: "kvmbackup_",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
	l := Layout{"tank/backup"}
	for u, want := range map[Unit]string{VMUnit("web1"): "tank/backup/web1", PathUnit("www"): "tank/backup/_paths/www"} {
		if got := l.Dataset(u); got != want {
			t.Errorf("Dataset(%v) = %s, want %s", u, got, want)
		}
		if got := DatasetUnit(want); got != u {
			t.Errorf("DatasetUnit(%s) = %v, want %v", want, got, u)
		}
	}
	if o := PathUnit("www").Owner(); o != PathOwner("www") || o.String() != "kvmbackup:path=www" || VMUnit("db1").Owner() != VMOwner("db1") {
		t.Errorf("owners: %v %v", o, VMUnit("db1").Owner())
	}
	if got := l.Clone("tank/backup/_paths/www", "r1"); got != "tank/backup/_clones/_paths_www-r1" || l.Clones() != "tank/backup/_clones" {
		t.Errorf("Clone = %s, Clones = %s", got, l.Clones())
	}
}

func TestBackupProps(t *testing.T) {
	p := BackupProps{Run: "r1", Version: "v", Quiesce: "agent", Pause: 3 * time.Millisecond, Duration: time.Second, Written: 42, Source: "/srv"}
	vm := p.Props(KindVM)
	want := map[string]string{"kvmbackup:run": "r1", "kvmbackup:version": "v", "kvmbackup:quiesce": "agent",
		"kvmbackup:pause-ns": "3000000", "kvmbackup:duration-ns": "1000000000", "kvmbackup:written": "42"}
	if !reflect.DeepEqual(vm, want) {
		t.Errorf("VM props %v, want %v", vm, want)
	}
	path := p.Props(KindPath)
	want = map[string]string{"kvmbackup:run": "r1", "kvmbackup:version": "v", "kvmbackup:source": "/srv",
		"kvmbackup:duration-ns": "1000000000", "kvmbackup:written": "42"}
	if !reflect.DeepEqual(path, want) {
		t.Errorf("path props %v, want %v", path, want)
	}
	back := ReadBackupProps(vm)
	back.Source = "/srv"
	p.Bases = map[string]string{}
	if !reflect.DeepEqual(back, p) {
		t.Errorf("read back %+v, want %+v", back, p)
	}
	if got := (Snapshot{Props: map[string]string{PropRun: "r2", PropPauseNS: "x"}}).Backup(); !reflect.DeepEqual(got, BackupProps{Run: "r2", Bases: map[string]string{}}) {
		t.Errorf("a number that does not parse: %+v", got)
	}
	// A VM's thin disks' bases: sorted, read back; a part that does not parse is left out.
	p.Bases = map[string]string{"vdb": "vg0/b:7", "vda": "vg-x/a:12"}
	if got := p.Props(KindVM)[PropBases]; got != "vda=vg-x/a:12,vdb=vg0/b:7" {
		t.Errorf("bases prop %q", got)
	}
	if got := ReadBackupProps(map[string]string{PropBases: "vda=vg0/a:1,junk,=x,vdc="}).Bases; !reflect.DeepEqual(got, map[string]string{"vda": "vg0/a:1"}) {
		t.Errorf("bases read %v", got)
	}
}

type children map[string][]string

func (c children) Children(_ context.Context, ds string) ([]string, error) {
	kids, ok := c[ds]
	if !ok {
		return nil, fmt.Errorf("children of %s: %w", ds, ErrNotFound)
	}
	return kids, nil
}

func TestUnits(t *testing.T) {
	ctx := context.Background()
	l := Layout{"backup/vms"}
	t.Run("none yet", func(t *testing.T) {
		c := children{"backup/vms": nil}
		if us, err := l.Select(ctx, c, nil, nil); err != nil || len(us) != 0 {
			t.Fatalf("%v, %v", us, err)
		}
		_, err := l.Units(ctx, c, KindPath, []string{"www"})
		if !errors.Is(err, ErrUnknownPath) || err.Error() != "no such path dataset: www (under backup/vms/_paths: none yet)" {
			t.Fatalf("%v", err)
		}
	})
	c := children{"backup/vms": {"backup/vms/_clones", "backup/vms/_paths", "backup/vms/db1", "backup/vms/web1"},
		"backup/vms/_paths": {"backup/vms/_paths/iso", "backup/vms/_paths/www"}}
	us, err := l.Select(ctx, c, nil, nil)
	if want := []Unit{VMUnit("db1"), VMUnit("web1"), PathUnit("iso"), PathUnit("www")}; err != nil || !slices.Equal(us, want) {
		t.Fatalf("Select = %v, %v; want %v", us, err, want)
	}
	us, err = l.Select(ctx, c, []string{"web1"}, nil)
	if err != nil || !slices.Equal(us, []Unit{VMUnit("web1")}) {
		t.Fatalf("Select web1 = %v, %v", us, err)
	}
	us, err = l.Select(ctx, c, nil, []string{"www"})
	if err != nil || !slices.Equal(us, []Unit{PathUnit("www")}) {
		t.Fatalf("Select path www = %v, %v", us, err)
	}
	for _, bad := range []string{"_clones", "_paths", "mail"} {
		_, err := l.Units(ctx, c, KindVM, []string{bad})
		if !errors.Is(err, ErrUnknownVM) || !strings.HasSuffix(err.Error(), bad+" (under backup/vms: db1, web1)") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := l.Units(ctx, children{}, KindVM, nil); !IsNotFound(err) {
		t.Errorf("a missing root: %v", err)
	}
}

// Replication's names: its bookmark carries the target and the dated snapshot's time
// and is told from any other; a unit's dataset below a receiver's root is VM or
// _paths/NAME and nothing else.
func TestReplicationNames(t *testing.T) {
	if PropReplica != "kvmbackup:replica" || ReplBookmarkPrefix != "kvmbackup_repl_" {
		t.Fatal("replication names changed: existing replicas and bookmarks carry them")
	}
	snap := SnapshotName(time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC))
	for target, want := range map[string]string{"offsite": "kvmbackup_repl_offsite_2026-12-02T03:00:00Z", "usb_2": "kvmbackup_repl_usb_2_2026-12-02T03:00:00Z"} {
		got, err := ReplBookmarkName(target, snap)
		if err != nil || got != want {
			t.Errorf("ReplBookmarkName(%q) = %q, %v", target, got, err)
		}
		tg, when, ok := ParseReplBookmark("pool/b/web1#" + got)
		if !ok || tg != target || SnapshotName(when) != snap {
			t.Errorf("ParseReplBookmark(%q) = %q %v %v", got, tg, when, ok)
		}
	}
	for _, bad := range [][2]string{{"", snap}, {"a b", snap}, {"-x", snap}, {"offsite", "hourly"}} {
		if _, err := ReplBookmarkName(bad[0], bad[1]); err == nil {
			t.Errorf("ReplBookmarkName(%q, %q) accepted", bad[0], bad[1])
		}
	}
	for _, other := range []string{"admin", "kvmbackup_repl_", "kvmbackup_repl__2026-12-02T03:00:00Z", "kvmbackup_repl_x_2026-12-02T3:00:00Z", "kvmbackup_2026-12-02T03:00:00Z"} {
		if _, _, ok := ParseReplBookmark(other); ok {
			t.Errorf("ParseReplBookmark(%q) took it for replication's", other)
		}
	}
	if _, ok := ParseSnapshotName("kvmbackup_repl_offsite_2026-12-02T03:00:00Z"); ok {
		t.Error("a bookmark's name parses as a dated snapshot's")
	}
	for rel, want := range map[string]Unit{"web1": VMUnit("web1"), "_paths/www": PathUnit("www"), "db.2:x-y": VMUnit("db.2:x-y")} {
		if got, err := ParseRel(rel); err != nil || got != want || got.Rel() != rel {
			t.Errorf("ParseRel(%q) = %+v, %v", rel, got, err)
		}
		if (Layout{"tank/r"}).Dataset(want) != "tank/r/"+rel {
			t.Errorf("Dataset(%v) is not ROOT/%s", want, rel)
		}
	}
	for _, bad := range []string{"", "/web1", "..", "../x", "_paths/..", "_paths", "_clones/x", "a/b", "_paths/a/b", "web1/", "-F", "a b", "_x"} {
		if _, err := ParseRel(bad); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("ParseRel(%q): %v", bad, err)
		}
	}
	p := ReplicaProps("_paths/www")
	if p["readonly"] != "on" || p["canmount"] != "noauto" || p[PropReplica] != "_paths/www" || p["exec"] != "off" {
		t.Errorf("ReplicaProps: %v", p)
	}
}

func TestSendArgsRefuseBadNames(t *testing.T) {
	m := &Manager{} // no zfs runs: every case is refused before
	for _, tc := range []struct{ snap, from string }{
		{"pool/ds", ""}, {"pool/ds@", ""}, {"pool/ds@a;b", ""}, {"-pool/ds@x", ""}, {"pool/ds@x", "pool/ds"},
		{"pool/ds@x", "pool/other@y"}, {"pool/ds@x", "pool/ds@x"}, {"pool/ds@x", "pool/ds#$(id)"},
	} {
		if _, err := m.sendArgs(context.Background(), tc.snap, SendOptions{From: tc.from, Raw: true}); err == nil {
			t.Errorf("send %q from %q accepted", tc.snap, tc.from)
		}
	}
	args, err := m.sendArgs(context.Background(), "pool/ds@b", SendOptions{From: "pool/ds#a", Raw: true})
	if err != nil || strings.Join(args, " ") != "send -w -i pool/ds#a pool/ds@b" {
		t.Errorf("raw from a bookmark: %v %v", args, err)
	}
	for _, tok := range []string{"", "-", "1-abc; reboot", "1-a-b-c\n"} {
		if CheckToken(tok) == nil {
			t.Errorf("token %q accepted", tok)
		}
	}
	if err := CheckToken("1-fca883549-f8-789c6360"); err != nil {
		t.Error(err)
	}
	if err := m.Receive(context.Background(), "pool/ds", nil, ReceiveOptions{Props: map[string]string{"x=y": "1"}}); err == nil {
		t.Error("a bad property key was accepted")
	}
}

// streamBegin makes the first record of a send stream, as zfs writes it.
func streamBegin(bo binary.ByteOrder, toname string, compound bool) []byte {
	b := make([]byte, streamBeginLen+100)
	bo.PutUint64(b[8:], streamMagic)
	v := uint64(1)
	if compound {
		v = 2
	}
	bo.PutUint64(b[16:], v|1<<2)
	bo.PutUint64(b[40:], 42)
	copy(b[streamNameOffset:], toname)
	return b
}

func TestPeekStream(t *testing.T) {
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		raw := streamBegin(bo, "tank/b/web1@kvmbackup_2026-12-02T03:00:00Z", false)
		sb, whole, err := PeekStream(bytes.NewReader(raw))
		if err != nil || sb.ToName != "tank/b/web1@kvmbackup_2026-12-02T03:00:00Z" || sb.Compound || sb.ToGUID != 42 || sb.FromGUID != 0 {
			t.Fatalf("%v: %+v %v", bo, sb, err)
		}
		if got, _ := io.ReadAll(whole); !bytes.Equal(got, raw) {
			t.Fatal("the stream handed on is not the whole stream")
		}
		if sb, _, _ := PeekStream(bytes.NewReader(streamBegin(bo, "p/x@y", true))); !sb.Compound {
			t.Errorf("%v: a compound stream not told", bo)
		}
	}
	for _, bad := range [][]byte{nil, []byte("#!/bin/sh\nrm -rf /\n"), make([]byte, 400)} {
		if _, _, err := PeekStream(bytes.NewReader(bad)); !errors.Is(err, ErrBadStream) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
