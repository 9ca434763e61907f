package mounts

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestUnescapeAndIsUnder(t *testing.T) {
	if got := unescape(`/mnt/a\040b\011c`); got != "/mnt/a b\tc" {
		t.Fatalf("unescape: %q", got)
	}
	for _, c := range []struct {
		path, dir string
		want      bool
	}{
		{"/a/b", "/a", true}, {"/a", "/a", true}, {"/ab", "/a", false}, {"/x", "/", true}, {"/a/b", "/a/", true},
	} {
		if IsUnder(c.path, c.dir) != c.want {
			t.Errorf("IsUnder(%q, %q) != %v", c.path, c.dir, c.want)
		}
	}
}

// The real mountinfo has / and the mount holding the working directory.
func TestReadAndOf(t *testing.T) {
	all, err := Read()
	if err != nil || len(all) == 0 {
		t.Fatalf("Read: %v, %d entries", err, len(all))
	}
	wd, _ := os.Getwd()
	e, err := Of(wd)
	if err != nil || !IsUnder(wd, e.Point) || e.FSType == "" {
		t.Fatalf("Of(%s) = %+v, %v", wd, e, err)
	}
	if ok, err := IsMounted("/"); !ok || err != nil {
		t.Fatalf("IsMounted(/) = %v, %v", ok, err)
	}
}

// Every mount option set holds ro and Safe; a type off the allow-list is refused.
func TestGuestMount(t *testing.T) {
	for _, fstype := range []string{"ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "ntfs"} {
		mt, opts, err := GuestMount(fstype)
		o := strings.Split(opts, ",")
		if err != nil || mt == "" || !slices.Contains(o, "ro") || !slices.Contains(o, "nosuid") || !slices.Contains(o, "nodev") || !slices.Contains(o, "noexec") {
			t.Errorf("GuestMount(%s) = %q %q %v", fstype, mt, opts, err)
		}
	}
	if mt, _, _ := GuestMount("ntfs"); mt != "ntfs3" {
		t.Errorf("ntfs mounts as %q, want ntfs3", mt)
	}
	for _, fstype := range []string{"hfsplus", "squashfs", "minix", "zfs", "ext4 ", ""} {
		if _, _, err := GuestMount(fstype); err == nil || !strings.Contains(err.Error(), "allow-list") {
			t.Errorf("GuestMount(%q): %v", fstype, err)
		}
	}
	if ReadOnly != "ro,nosuid,nodev,noexec" {
		t.Errorf("ReadOnly = %q", ReadOnly)
	}
}
