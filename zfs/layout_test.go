package zfs

import (
	"context"
	"errors"
	"fmt"
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
	if back != p {
		t.Errorf("read back %+v, want %+v", back, p)
	}
	if got := (Snapshot{Props: map[string]string{PropRun: "r2", PropPauseNS: "x"}}).Backup(); got != (BackupProps{Run: "r2"}) {
		t.Errorf("a number that does not parse: %+v", got)
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
