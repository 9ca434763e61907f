package mounts

import (
	"os"
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
