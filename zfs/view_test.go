package zfs

import (
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// ReadView's two commands (run at once) give each filesystem its mount point as
// the listing's mounted and mountpoint columns say: mounted, not mounted, or
// mountpoint=none; a snapshot's "-" is no dataset's.
func TestReadViewMountpoints(t *testing.T) {
	hard := "off\toff\toff\toff" // atime, devices, exec, setuid (sorted)
	m := fakeTools(t, map[string]string{
		"zfs-list": "tank/vms\t1\t0\t0\t0\t0\tfilesystem\t11\tyes\t/tank/vms\tlz4\t4096\t" + hard + "\n" +
			"tank/vms/a\t2\t0\t0\t0\t0\tfilesystem\t12\tno\t/tank/vms/a\tlz4\t4096\t" + hard + "\n" +
			"tank/vms/_paths\t3\t0\t0\t0\t0\tfilesystem\t13\tno\tnone\tlz4\t4096\t" + hard + "\n" +
			"tank/vms/a@" + SnapshotName(t0) + "\t4\t0\t0\t0\t0\tsnapshot\t14\t-\t-\t-\t-\t-\t-\t-\t-\n",
		"zfs-get": "tank/vms/a\t" + PropVM + "\ta\n",
	})
	ctx, counter := runner.WithCounter(t.Context())
	v, err := m.ReadView(ctx, "tank/vms")
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.Read().Commands; n != 2 {
		t.Errorf("%d commands, want 2", n)
	}
	if mp, ok, err := v.Mountpoint("tank/vms"); mp != "/tank/vms" || !ok || err != nil {
		t.Errorf("the root: %q %v %v", mp, ok, err)
	}
	for _, ds := range []string{"tank/vms/a", "tank/vms/_paths"} {
		if mp, ok, err := v.Mountpoint(ds); mp != "" || !ok || err == nil || !strings.Contains(err.Error(), "not mounted") {
			t.Errorf("%s: %q %v %v, want not mounted", ds, mp, ok, err)
		}
	}
	if o, err := v.Owner("tank/vms/a"); err != nil || o != VMOwner("a") {
		t.Errorf("owner: %v %v", o, err)
	}
	if s, err := v.Snapshots("tank/vms/a"); err != nil || len(s) != 1 {
		t.Errorf("snapshots: %+v %v", s, err)
	}
	v.Added("tank/vms/_paths/new/x", PathOwner("x"))
	for _, ds := range []string{"tank/vms/_paths/new", "tank/vms/_paths/new/x", "tank/vms/nope"} {
		if _, ok, err := v.Mountpoint(ds); ok || err != nil {
			t.Errorf("%s: the view says %v %v, want that it cannot say", ds, ok, err)
		}
	}
}
