package dist

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
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

// debDir holds the package `make deb` built for this test process (built once).
var (
	debOnce sync.Once
	debDir  string
	debPath string
	debErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if debDir != "" {
		os.RemoveAll(debDir)
	}
	os.Exit(code)
}

// buildDeb runs `make deb` into a temporary directory once and returns the package.
func buildDeb(t *testing.T) string {
	t.Helper()
	need(t, "dpkg-deb", "the package is not built")
	debOnce.Do(func() {
		if debDir, debErr = os.MkdirTemp("", "kvmbackup-deb-test-"); debErr != nil {
			return
		}
		cmd := exec.Command("make", "-C", repoRoot(t), "--no-print-directory", "deb", "DEBDIR="+debDir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			debErr = fmt.Errorf("make deb: %v\n%s", err, out)
			return
		}
		debs, _ := filepath.Glob(filepath.Join(debDir, "kvmbackup_*.deb"))
		if len(debs) != 1 {
			debErr = fmt.Errorf("make deb left %d packages in %s, want 1: %q\n%s", len(debs), debDir, debs, out)
			return
		}
		debPath = debs[0]
	})
	if debErr != nil {
		t.Fatal(debErr)
	}
	return debPath
}

// gitVersion is the Makefile's VERSION of this checkout.
func gitVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", repoRoot(t), "describe", "--tags", "--always", "--dirty").Output()
	if err != nil {
		t.Fatalf("git describe: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// toolPackages names the Debian package of each program kvmbackup runs (runner.New):
// Depends must hold every one of them, and a new program must be added here.
var toolPackages = map[string]string{
	"lvm": "lvm2", "zfs": "zfsutils-linux", "zpool": "zfsutils-linux",
	"e2fsck": "e2fsprogs", "fsck": "util-linux", "blkid": "util-linux", "lsblk": "util-linux",
	"mount": "mount", "umount": "mount", "losetup": "mount",
	"systemctl": "systemd", "journalctl": "systemd", // notify --unit (OnFailure=)
	"ssh":     "openssh-client",                                   // replicate to ssh:// targets
	"dmsetup": "dmsetup", "thin_delta": "thin-provisioning-tools", // changed-block tracking of thin LVs
}

// suggestedTools are the programs kvmbackup runs only for some guests (a filesystem
// check of a type other than ext2/3/4, by verify): their packages are in Suggests,
// and their absence is reported, naming the package (internal/fscheck).
var suggestedTools = map[string]string{"xfs_repair": "xfsprogs", "fsck.vfat": "dosfstools", "btrfs": "btrfs-progs"}

// runTools lists the programs kvmbackup's own code runs: each runner.New("NAME")
// outside tests, the lab (testenv) and the benchmark.
func runTools(t *testing.T) []string {
	t.Helper()
	root := repoRoot(t)
	re := regexp.MustCompile(`runner\.New\("([^"]+)"\)`)
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			switch rel {
			case ".git", "testenv", "third_party", "bin", filepath.Join("cmd", "kvmbackup-bench"):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var tools []string
	for name := range seen {
		tools = append(tools, name)
	}
	sort.Strings(tools)
	return tools
}

// dependsNames returns the package names of a Depends: value (versions and
// alternatives' punctuation stripped).
func dependsNames(value string) map[string]bool {
	names := map[string]bool{}
	for _, dep := range strings.Split(value, ",") {
		for _, alt := range strings.Split(dep, "|") {
			if f := strings.Fields(alt); len(f) > 0 {
				names[f[0]] = true
			}
		}
	}
	return names
}

// controlField returns a field of a control file's text.
func controlField(control, name string) string {
	for _, line := range strings.Split(control, "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// `make deb` builds one package holding the binary, the units, the config as a
// conffile, the man pages, the completion and the docs, each with its mode, and
// depending on every program the code runs.
func TestDebContents(t *testing.T) {
	deb := buildDeb(t)
	root := repoRoot(t)
	version := gitVersion(t)
	cmd := exec.Command("git", "-C", root, "log", "-1", "--date=format-local:%Y%m%d", "--format=%cd")
	cmd.Env = append(os.Environ(), "TZ=UTC")
	day, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	debver, err := debVersion(t, version, strings.TrimSpace(string(day)))
	if err != nil {
		t.Fatalf("debversion %s: %v", version, err)
	}
	arch, err := exec.Command("dpkg", "--print-architecture").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "kvmbackup_" + debver + "_" + strings.TrimSpace(string(arch)) + ".deb"; filepath.Base(deb) != want {
		t.Errorf("package %s, want %s (git describe %s)", filepath.Base(deb), want, version)
	}

	control, err := exec.Command("dpkg-deb", "-f", deb).Output()
	if err != nil {
		t.Fatalf("dpkg-deb -f: %v", err)
	}
	if got := controlField(string(control), "Version"); got != debver {
		t.Errorf("Version: %q, want %q", got, debver)
	}
	depends := controlField(string(control), "Depends")
	names := dependsNames(depends)
	for _, p := range []string{"libvirt0", "lvm2", "zfsutils-linux", "libzfs4linux", "libnvpair3linux", "e2fsprogs", "util-linux", "mount", "libc6"} {
		if !names[p] {
			t.Errorf("Depends: %q lacks %s", depends, p)
		}
	}
	tools := runTools(t)
	if len(tools) < 5 {
		t.Fatalf("found only %q run by the code: the scan is broken", tools)
	}
	suggests := dependsNames(controlField(string(control), "Suggests"))
	for _, tool := range tools {
		if pkg, ok := suggestedTools[tool]; ok {
			if !suggests[pkg] {
				t.Errorf("kvmbackup runs %s for some guests, but Suggests lacks its package %s", tool, pkg)
			}
			continue
		}
		pkg, ok := toolPackages[tool]
		switch {
		case !ok:
			t.Errorf("kvmbackup runs %s: name its Debian package in toolPackages and in Depends (scripts/deb.sh)", tool)
		case !names[pkg]:
			t.Errorf("kvmbackup runs %s, but Depends %q lacks its package %s", tool, depends, pkg)
		}
	}

	// The files, their modes and owners.
	listing, err := exec.Command("dpkg-deb", "-c", deb).Output()
	if err != nil {
		t.Fatalf("dpkg-deb -c: %v", err)
	}
	files := map[string]string{} // path → mode string
	for _, line := range strings.Split(strings.TrimSpace(string(listing)), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			t.Fatalf("dpkg-deb -c: cannot read %q", line)
		}
		if f[1] != "root/root" {
			t.Errorf("%s: owner %s, want root/root", f[5], f[1])
		}
		files[strings.TrimPrefix(f[5], ".")] = f[0]
	}
	want := map[string]string{
		"/usr/bin/kvmbackup":                               "-rwxr-xr-x",
		"/lib/systemd/system/kvmbackup.service":            "-rw-r--r--",
		"/lib/systemd/system/kvmbackup.timer":              "-rw-r--r--",
		"/lib/systemd/system/kvmbackup-notify@.service":    "-rw-r--r--",
		"/lib/systemd/system/kvmbackup-verify.service":     "-rw-r--r--",
		"/lib/systemd/system/kvmbackup-verify.timer":       "-rw-r--r--",
		"/etc/kvmbackup/config.yaml":                       "-rw-------",
		"/usr/share/bash-completion/completions/kvmbackup": "-rw-r--r--",
		"/usr/share/zsh/vendor-completions/_kvmbackup":     "-rw-r--r--",
		"/usr/share/doc/kvmbackup/copyright":               "-rw-r--r--",
		"/usr/share/doc/kvmbackup/changelog.gz":            "-rw-r--r--",
		"/usr/share/doc/kvmbackup/README.md.gz":            "-rw-r--r--",
		"/usr/share/man/man1/kvmbackup.1.gz":               "-rw-r--r--",
		"/usr/share/man/man1/kvmbackup-run.1.gz":           "-rw-r--r--",
		"/usr/share/man/man1/kvmbackup-restore.1.gz":       "-rw-r--r--",
		"/usr/share/man/man1/kvmbackup-version.1.gz":       "-rw-r--r--",
	}
	for p, m := range want {
		if got, ok := files[p]; !ok {
			t.Errorf("%s: not in the package", p)
		} else if got != m {
			t.Errorf("%s: mode %s, want %s", p, got, m)
		}
	}
	for p := range files {
		if strings.HasPrefix(p, "/var/") {
			t.Errorf("%s: in the package; /var/lib/kvmbackup is made by postinst and outlives a purge", p)
		}
	}
	conffiles, err := exec.Command("dpkg-deb", "-I", deb, "conffiles").Output()
	if err != nil || strings.TrimSpace(string(conffiles)) != "/etc/kvmbackup/config.yaml" {
		t.Errorf("conffiles: %q (%v), want /etc/kvmbackup/config.yaml alone", conffiles, err)
	}

	// What the files say.
	x := t.TempDir()
	if out, err := exec.Command("dpkg-deb", "-x", deb, x).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	if got, want := readFile(t, filepath.Join(x, "etc/kvmbackup/config.yaml")), readFile(t, filepath.Join(root, "examples/config.yaml")); got != want {
		t.Errorf("/etc/kvmbackup/config.yaml differs from examples/config.yaml")
	}
	service := readFile(t, filepath.Join(x, "lib/systemd/system/kvmbackup.service"))
	for _, line := range []string{"ExecStart=/usr/bin/kvmbackup run", "ExecStopPost=/usr/bin/kvmbackup recover"} {
		if !strings.Contains(service, "\n"+line+"\n") {
			t.Errorf("kvmbackup.service: no line %q", line)
		}
	}
	if out, err := exec.Command(filepath.Join(x, "usr/bin/kvmbackup"), "version").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "kvmbackup "+version+" ") {
		t.Errorf("the packaged kvmbackup version: %q (%v), want kvmbackup %s", out, err, version)
	}
	copyright := readFile(t, filepath.Join(x, "usr/share/doc/kvmbackup/copyright"))
	for _, want := range []string{
		"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n",
		"\nFiles: *\nCopyright: 2026 the kvmbackup authors\nLicense: Apache-2.0\n",
		"\nFiles: vendor/github.com/spf13/cobra/*\n",
		"\nFiles: vendor/go/*\n",
	} {
		if !strings.Contains(copyright, want) {
			t.Errorf("copyright: no %q", want)
		}
	}
	for _, script := range []string{"postinst", "prerm", "postrm"} {
		p := filepath.Join(t.TempDir(), script)
		out, err := exec.Command("dpkg-deb", "-I", deb, script).Output()
		if err != nil {
			t.Errorf("no %s: %v", script, err)
			continue
		}
		if err := os.WriteFile(p, out, 0o600); err != nil {
			t.Fatal(err)
		}
		if msg, err := exec.Command("sh", "-n", p).CombinedOutput(); err != nil {
			t.Errorf("%s: sh -n: %v\n%s", script, err, msg)
		}
		for _, bad := range []string{"systemctl enable", "systemctl start", "helper enable", "invoke start"} {
			if strings.Contains(string(out), bad) {
				t.Errorf("%s enables or starts something (%q): the package enables nothing\n%s", script, bad, out)
			}
		}
	}
}
