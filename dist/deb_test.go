package dist

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// debVersion runs scripts/debversion.sh, the map from `git describe` to a Debian version.
func debVersion(t *testing.T, describe, day string) (string, error) {
	t.Helper()
	out, err := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "debversion.sh"), describe, day).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// Versions come from git tags: each `git describe --tags --always --dirty` form maps
// to a Debian version that sorts as the history does.
func TestDebVersionFromGitDescribe(t *testing.T) {
	for _, tc := range []struct{ describe, want string }{
		{"v0.27.0", "0.27.0"},
		{"v0.27.0-dirty", "0.27.0+dirty"},
		{"v0.27.0-3-gabc1234", "0.27.0+git3.abc1234"},
		{"v0.27.0-12-gabc1234-dirty", "0.27.0+git12.abc1234+dirty"},
		{"v1.0.0-rc1", "1.0.0~rc1"},
		{"v1.0.0-rc1-2-gdeadbee", "1.0.0~rc1+git2.deadbee"},
		{"abc1234", "0~git20261202.abc1234"},
		{"abc1234-dirty", "0~git20261202.abc1234+dirty"},
	} {
		got, err := debVersion(t, tc.describe, "20261202")
		if err != nil || got != tc.want {
			t.Errorf("debversion %s: %q (%v), want %q", tc.describe, got, err, tc.want)
		}
	}
	for _, bad := range []string{"dev", "vfoo", "release-1", ""} {
		if got, err := debVersion(t, bad, "20261202"); err == nil {
			t.Errorf("debversion %q: %q, want an error", bad, got)
		}
	}
	if got, err := debVersion(t, "abc1234", ""); err == nil {
		t.Errorf("debversion of an untagged commit without its date: %q, want an error", got)
	}

	// Each later state of the history sorts later for dpkg.
	dpkg := need(t, "dpkg", "the version order is not checked")
	order := []string{"0~git20261201.fff0000", "0~git20261202.abc1234", "0.9.0", "1.0.0~rc1", "1.0.0~rc1+git2.deadbee", "1.0.0", "1.0.0+git1.0123abc", "1.0.0+git12.abc1234", "1.0.1"}
	for i := 1; i < len(order); i++ {
		if err := exec.Command(dpkg, "--compare-versions", order[i-1], "lt", order[i]).Run(); err != nil {
			t.Errorf("dpkg does not sort %s before %s", order[i-1], order[i])
		}
	}
}

// need returns the path of a program the test needs. Without it the test fails in
// CI (KVMBACKUP_LAB=1) and skips elsewhere, saying what it did not check.
func need(t *testing.T, program, unchecked string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err == nil {
		return p
	}
	if os.Getenv("KVMBACKUP_LAB") == "1" {
		t.Fatalf("%s not found (KVMBACKUP_LAB=1: make deps installs it): %v", program, err)
	}
	t.Skipf("%s not found, so %s (set KVMBACKUP_LAB=1 to make this a failure): %v", program, unchecked, err)
	return ""
}
