package fscheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// ext4 makes an ext4 filesystem in a file (e2fsck checks a file as it checks a
// device) with one file in it.
func ext4(t *testing.T) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "fs.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 16<<20); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{{"mkfs.ext4", "-q", "-F", img}, {"debugfs", "-w", "-R", "mkdir data", img}} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", c, err, out)
		}
	}
	return img
}

func TestCheckFindsWhatIsThere(t *testing.T) {
	c := New()
	img := ext4(t)
	r, err := c.Check(t.Context(), img, "ext4")
	if err != nil || r.Status != "ok" {
		t.Fatalf("a clean ext4: %+v %v", r, err)
	}
	// Damage: the directory's link count zeroed, as a torn write might leave it.
	if out, err := exec.Command("debugfs", "-w", "-R", "sif data links_count 0", img).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	r, err = c.Check(t.Context(), img, "ext4")
	if err != nil || r.Status != "errors" || !strings.Contains(r.Reason, "exit status 4") || !strings.Contains(r.Output, "data") {
		t.Fatalf("a damaged ext4: %+v %v", r, err)
	}
	// The check changed nothing: the damage is still there.
	if r2, _ := c.Check(t.Context(), img, "ext4"); r2.Status != "errors" {
		t.Errorf("the check mended what it should only have read: %+v", r2)
	}
	if r, err := c.Check(t.Context(), img, "zonefs"); err != nil || r.Status != "unchecked" || !strings.Contains(r.Reason, "zonefs") {
		t.Errorf("an unknown type: %+v %v", r, err)
	}
	// An XFS whose log holds changes: never mounted here, reported unchecked.
	fake := filepath.Join(t.TempDir(), "xfs_repair")
	os.WriteFile(fake, []byte("#!/bin/sh\necho 'ERROR: The filesystem has valuable metadata changes in a log which needs to be replayed.' >&2\nexit 2\n"), 0o755)
	c.XFSRepair = runner.New(fake)
	if r, err := c.Check(t.Context(), img, "xfs"); err != nil || r.Status != "unchecked" || !strings.Contains(r.Reason, "log") {
		t.Errorf("xfs with a dirty log: %+v %v", r, err)
	}
	c.XFSRepair = runner.New("/nonexistent/xfs_repair")
	if r, err := c.Check(t.Context(), img, "xfs"); err != nil || r.Status != "unchecked" || !strings.Contains(r.Reason, "xfsprogs") {
		t.Errorf("xfs without xfsprogs: %+v %v", r, err)
	}
}
