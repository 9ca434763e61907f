package lvm

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/testenv"
)

// One lvs reads every LV (Volumes); the read then answers ResolveDevice (every path
// form of an LV, a thin pool's devices, a PV, a file), ResolveFile (an image on an LV's ext4, a file on no
// LV, a missing file) and LV (an active, an inactive, a snapshot, a thin LV, a thin
// pool; unknown names; bad names) exactly as the Manager's one-lvs-a-question methods
// do, the same LV or the same kind of error, and runs no command more.
func TestVolumesAnswerAsTheManagerInOneRead(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 256<<20)
		testenv.LogicalVolume(t, testenv.Local, vg, "disk0", 16<<20)
		dev := testenv.LogicalVolume(t, testenv.Local, vg, "images", 64<<20)
		testenv.LogicalVolume(t, testenv.Local, vg, "cold", 8<<20)
		testenv.ThinPool(t, testenv.Local, vg, "pool", 64<<20)
		testenv.ThinVolume(t, testenv.Local, vg, "pool", "thin-1", 16<<20)
		ctx := t.Context()
		if _, err := testenv.Local(ctx, "lvm", "lvchange", "-q", "-an", vg+"/cold"); err != nil {
			t.Fatal(err)
		}
		snap := snapshot(t, m, vg, "disk0", opts("r1", "8M"))
		mnt, img := imageOnExt4(t, dev, "vms/web2.raw", []byte("image"))
		plain := filepath.Join(testenv.ScratchDir, testenv.UniqueName("plain")+".img")
		os.WriteFile(plain, []byte("x"), 0o644)
		defer os.Remove(plain)
		dm, err := filepath.EvalSymlinks("/dev/mapper/" + vg + "-disk0")
		if err != nil {
			t.Fatal(err)
		}
		pvs, err := testenv.Local(ctx, "lvm", "pvs", "--noheadings", "-o", "pv_name", "--select", "vg_name="+vg)
		if err != nil {
			t.Fatal(err)
		}
		pv := strings.TrimSpace(pvs)

		counted, c := runner.WithCounter(ctx)
		asked, a := runner.WithCounter(ctx) // the Manager's questions, for comparison
		v, err := m.Volumes(counted)
		if err != nil {
			t.Fatal(err)
		}
		if n, by := c.Read().Commands, c.ByCommand(); n != 1 || by["lvm lvs"] != 1 {
			t.Fatalf("reading the volumes ran %d commands (%v), want one lvs", n, by)
		}

		// same checks that the read and the Manager give the same answer: the same
		// value, or errors of the same kind (not found, not on an LV, or another) that
		// both name what was asked (the Manager's not-found message is lvm's own).
		var perCall int
		same := func(what string, got, want any, gotErr, wantErr error) {
			t.Helper()
			perCall++
			kind := func(err error) string {
				switch {
				case err == nil:
					return "nil"
				case errors.Is(err, ErrNotFound):
					return "ErrNotFound"
				case errors.Is(err, ErrNotOnLV):
					return "ErrNotOnLV"
				}
				return "other"
			}
			if kind(gotErr) != kind(wantErr) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: the read gives %+v, %v; the Manager %+v, %v", what, got, gotErr, want, wantErr)
			}
			if kind(wantErr) != "ErrNotFound" && gotErr != nil && gotErr.Error() != wantErr.Error() {
				t.Errorf("%s: the read says %q, the Manager %q", what, gotErr, wantErr)
			}
			t.Logf("%s: %+v %v", what, got, gotErr)
		}
		for _, p := range []string{"/dev/" + vg + "/disk0", "/dev/mapper/" + vg + "-disk0", dm, "/dev/" + vg + "/thin-1", snap.Path,
			"/dev/mapper/" + vg + "-pool", "/dev/mapper/" + vg + "-pool-tpool", "/dev/mapper/" + vg + "-pool_tdata", pv, plain, "/nonexistent/dev"} {
			got, gotErr := v.ResolveDevice(counted, p)
			want, wantErr := m.ResolveDevice(asked, p)
			same("ResolveDevice "+p, got, want, gotErr, wantErr)
		}
		for _, p := range []string{img, plain, "/nonexistent/disk.img", mnt} {
			got, gotErr := v.ResolveFile(counted, p)
			want, wantErr := m.ResolveFile(asked, p)
			same("ResolveFile "+p, got, want, gotErr, wantErr)
		}
		for _, n := range [][2]string{{vg, "disk0"}, {vg, "images"}, {vg, "cold"}, {vg, snap.Name}, {vg, "thin-1"}, {vg, "pool"}, {vg, "pool_tdata"}, {vg, "lvol0_pmspare"},
			{vg, "missing"}, {vg + "-missing", "disk0"}, {vg, "../disk0"}, {"", "disk0"}, {vg, "-x"}} {
			got, gotErr := v.LV(counted, n[0], n[1])
			want, wantErr := m.LV(asked, n[0], n[1])
			same("LV "+n[0]+"/"+n[1], got, want, gotErr, wantErr)
		}
		if f, err := v.ResolveFile(counted, img); err != nil || f.LV.FullName() != vg+"/images" || f.RelPath != "vms/web2.raw" || f.MountPoint != mnt {
			t.Errorf("ResolveFile of the image from the read: %+v %v", f, err)
		}
		if l, err := v.ResolveDevice(counted, dm); err != nil || l.FullName() != vg+"/disk0" {
			t.Errorf("ResolveDevice of %s from the read: %+v %v", dm, l, err)
		}
		if n := c.Read().Commands; n != 1 {
			t.Errorf("answering %d questions from the read ran %d commands in all, want the one read", perCall, n)
		}
		t.Logf("one read (1 command) answered %d questions; the Manager answered them with %d commands (%v)", perCall, a.Read().Commands, a.ByCommand())
	})
}
