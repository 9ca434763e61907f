package dist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The Debian 12 chroot the package is installed into: debootstrap's minbase from the
// mirror, with contrib (zfsutils-linux), man-db (man) and systemd (systemd-analyze).
// It is built once and kept as a tarball under the lab directory, keyed by this
// recipe; services never start in it (policy-rc.d says no), nothing is mounted in it.
const (
	chrootSuite   = "bookworm"
	chrootInclude = "man-db,systemd"
	chrootMaxAge  = 30 * 24 * time.Hour // then rebuilt: the point release moved on
)

func chrootMirror() string {
	if m := os.Getenv("KVMBACKUP_DEBIAN_MIRROR"); m != "" {
		return strings.TrimSuffix(m, "/")
	}
	return "http://deb.debian.org/debian"
}

// chrootSources is the chroot's apt sources: a Debian 12 host's, contrib included.
func chrootSources() string {
	m := chrootMirror()
	return fmt.Sprintf("deb %[1]s %[2]s main contrib\ndeb %[1]s %[2]s-updates main contrib\ndeb %[3]s %[2]s-security main contrib\n",
		m, chrootSuite, strings.TrimSuffix(m, "/debian")+"/debian-security")
}

const policyRcD = "#!/bin/sh\n# kvmbackup's package test: no service starts in this chroot.\nexit 101\n"

// chrootEnv is the whole environment of a command in the chroot: none of the
// host's (GOFLAGS, proxies, locale) leaks in.
var chrootEnv = []string{
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LC_ALL=C.UTF-8",
	"DEBIAN_FRONTEND=noninteractive", "MANWIDTH=80", "TERM=dumb",
}

// run runs a command on the host, for at most limit; its output is returned and,
// on failure, in the error.
func run(ctx context.Context, limit time.Duration, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// baseChroot returns the cached tarball of the base chroot, building it first when
// it is missing or older than chrootMaxAge.
func baseChroot(t *testing.T) string {
	t.Helper()
	key := sha256.Sum256([]byte(strings.Join([]string{chrootSuite, "minbase", "main,contrib", chrootInclude, chrootSources(), policyRcD, "v1"}, "\n")))
	dir := filepath.Join(labDir(), "deb-chroot")
	tarball := filepath.Join(dir, chrootSuite+"-"+hex.EncodeToString(key[:6])+".tar")
	if fi, err := os.Stat(tarball); err == nil && time.Since(fi.ModTime()) < chrootMaxAge {
		t.Logf("base chroot: %s (cached %s ago)", tarball, time.Since(fi.ModTime()).Round(time.Minute))
		return tarball
	}
	debootstrap := need(t, "debootstrap", "the package is not installed in a chroot")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Older recipes' tarballs go.
	old, _ := filepath.Glob(filepath.Join(dir, chrootSuite+"-*.tar"))
	for _, o := range old {
		os.Remove(o)
	}
	start := time.Now()
	root := tempRoot(t, dir, "build-")
	defer os.RemoveAll(root)
	t.Logf("building the base chroot with debootstrap from %s (about a minute and a half, once)", chrootMirror())
	if _, err := run(t.Context(), 15*time.Minute, os.Environ(), debootstrap, "--variant=minbase", "--components=main,contrib",
		"--include="+chrootInclude, chrootSuite, root, chrootMirror()); err != nil {
		t.Fatalf("debootstrap: %v", err)
	}
	noProcessesIn(t, root)
	for _, f := range []struct {
		path, text string
		mode       os.FileMode
	}{{"etc/apt/sources.list", chrootSources(), 0o644}, {"usr/sbin/policy-rc.d", policyRcD, 0o755}} {
		p := filepath.Join(root, f.path)
		if err := os.WriteFile(p, []byte(f.text), f.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := inChroot(t, root, 5*time.Minute, "apt-get", "update", "-q"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err := inChroot(t, root, time.Minute, "apt-get", "clean"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	tmp := tarball + ".tmp"
	if _, err := run(t.Context(), 5*time.Minute, os.Environ(), "tar", "--numeric-owner", "-C", root, "-cf", tmp, "."); err != nil {
		os.Remove(tmp)
		t.Fatal(err)
	}
	if err := os.Rename(tmp, tarball); err != nil {
		t.Fatal(err)
	}
	t.Logf("base chroot built in %.0fs: %s", time.Since(start).Seconds(), tarball)
	return tarball
}

// tempRoot makes a new directory for a chroot: 0755, as a root directory is (apt
// downloads as _apt, mandb runs as man).
func tempRoot(t *testing.T, parent, prefix string) string {
	t.Helper()
	root, err := os.MkdirTemp(parent, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// removeStaleChroots removes the chroots a killed test left (older than an hour;
// `make lab-clean` removes them all): each is a few hundred MB.
func removeStaleChroots(t *testing.T, parent string) {
	t.Helper()
	for _, pattern := range []string{"run-*", "build-*"} {
		dirs, _ := filepath.Glob(filepath.Join(parent, pattern))
		for _, d := range dirs {
			if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > time.Hour {
				noProcessesIn(t, d)
				t.Logf("removing %s, left by an earlier run", d)
				os.RemoveAll(d)
			}
		}
	}
}

// labDir is where the lab keeps its assets (as testenv.LabDir, without importing the lab).
func labDir() string {
	if d := os.Getenv("KVMBACKUP_LAB_DIR"); d != "" {
		return d
	}
	return "/var/lib/kvmbackup-lab"
}

// inChroot runs a command inside the chroot root with chrootEnv.
func inChroot(t *testing.T, root string, limit time.Duration, args ...string) (string, error) {
	t.Helper()
	return run(t.Context(), limit, chrootEnv, "chroot", append([]string{root}, args...)...)
}

// noProcessesIn fails the test if a process runs with its root in dir (a daemon a
// maintainer script started), and kills it: it would keep the chroot's files busy.
func noProcessesIn(t *testing.T, dir string) {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		r, err := os.Readlink(filepath.Join(p, "root"))
		if err != nil || (r != dir && !strings.HasPrefix(r, dir+"/")) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(p, "cmdline"))
		t.Errorf("process %s (%s) runs in the chroot %s: killed", filepath.Base(p), strings.ReplaceAll(string(cmdline), "\x00", " "), dir)
		var pid int
		if _, err := fmt.Sscan(filepath.Base(p), &pid); err == nil {
			if proc, err := os.FindProcess(pid); err == nil {
				proc.Kill()
			}
		}
	}
}

// Installing the package on Debian 12, as an admin would (apt install ./kvmbackup_*.deb),
// in a chroot so that the machine's own system is not touched: apt resolves its
// Depends from the mirror (zfsutils-linux from contrib, without building the ZFS
// module), kvmbackup runs, man shows its pages, systemd-analyze verify accepts the
// installed units, postinst made /var/lib/kvmbackup, nothing was enabled; remove
// keeps the conffile, purge removes it and forgets an enabled timer, and
// /var/lib/kvmbackup (the run journals) outlives both.
//
// Measured on a 2-core machine (with other tests running): warm 25 s; cold 65 s, of
// which debootstrap ~35 s, plus ~70 s when `make deb` compiles everything afresh
// (it builds with -trimpath and -buildmode=pie: its own build cache entries).
func TestDebInstallsInADebian12Chroot(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("KVMBACKUP_LAB") == "1" {
			t.Fatalf("not root (KVMBACKUP_LAB=1): the package test needs chroot")
		}
		t.Skipf("not root: the package is not installed in a chroot (set KVMBACKUP_LAB=1 to make this a failure)")
	}
	need(t, "chroot", "the package is not installed in a chroot")
	start := time.Now()
	deb := buildDeb(t)
	tarball := baseChroot(t)

	parent := filepath.Join(labDir(), "deb-chroot")
	removeStaleChroots(t, parent)
	root := tempRoot(t, parent, "run-")
	t.Cleanup(func() {
		noProcessesIn(t, root)
		if err := os.RemoveAll(root); err != nil {
			t.Errorf("removing the chroot: %v", err)
		}
	})
	if _, err := run(t.Context(), 5*time.Minute, os.Environ(), "tar", "--numeric-owner", "-C", root, "-xf", tarball); err != nil {
		t.Fatal(err)
	}
	inRoot := "/tmp/" + filepath.Base(deb)
	b, err := os.ReadFile(deb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, inRoot), b, 0o644); err != nil {
		t.Fatal(err)
	}
	sh := func(limit time.Duration, script string) string {
		t.Helper()
		out, err := inChroot(t, root, limit, "sh", "-ec", script)
		if err != nil {
			t.Fatalf("in the chroot: %v", err)
		}
		return out
	}
	exists := func(p string) bool {
		_, err := os.Lstat(filepath.Join(root, p))
		return err == nil
	}

	sh(5*time.Minute, "apt-get update -q")
	// With the recommends (what a bare `apt install` would do): resolvable. Not
	// installed: zfsutils-linux recommends zfs-dkms (a compiler, kernel headers and
	// a module build), which a real host already has for its pool.
	simulated := sh(2*time.Minute, "apt-get install -s "+inRoot)
	var withRecommends []string
	for _, line := range strings.Split(simulated, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Inst" {
			withRecommends = append(withRecommends, f[1])
		}
	}
	out := sh(10*time.Minute, "apt-get install -y -q --no-install-recommends "+inRoot)
	var installed []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Setting" && f[1] == "up" {
			installed = append(installed, f[2])
		}
	}
	t.Logf("apt install ./%s: %d packages set up; with recommends it would be %d (zfs-dkms among them: %v)",
		filepath.Base(deb), len(installed), len(withRecommends), strings.Contains(simulated, "Inst zfs-dkms"))
	for _, p := range installed {
		if p == "zfs-dkms" || p == "dkms" || strings.HasPrefix(p, "linux-headers") {
			t.Errorf("installing kvmbackup set up %s: %q", p, installed)
		}
	}

	// It runs, it has its pages, its units pass systemd's check.
	if v := sh(time.Minute, "kvmbackup version"); !strings.HasPrefix(v, "kvmbackup "+gitVersion(t)+" ") {
		t.Errorf("kvmbackup version in the chroot: %q, want kvmbackup %s", v, gitVersion(t))
	}
	page := sh(time.Minute, "man kvmbackup")
	for _, want := range []string{"KVMBACKUP(1)", "SYNOPSIS", "kvmbackup-run(1)"} {
		if !strings.Contains(page, want) {
			t.Errorf("man kvmbackup: no %q:\n%s", want, page)
		}
	}
	if page := sh(time.Minute, "man kvmbackup-restore"); !strings.Contains(page, "KVMBACKUP-RESTORE(1)") {
		t.Errorf("man kvmbackup-restore:\n%s", page)
	}
	verify := sh(time.Minute, "systemd-analyze verify /lib/systemd/system/kvmbackup.service /lib/systemd/system/kvmbackup.timer /lib/systemd/system/kvmbackup-verify.service /lib/systemd/system/kvmbackup-verify.timer kvmbackup-notify@kvmbackup.service.service 2>&1")
	if strings.Contains(verify, "kvmbackup") {
		t.Errorf("systemd-analyze verify of the installed units:\n%s", verify)
	}
	if exists("/etc/systemd/system/timers.target.wants/kvmbackup.timer") {
		t.Errorf("installing the package enabled the timer")
	}
	if fi, err := os.Stat(filepath.Join(root, "var/lib/kvmbackup")); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Errorf("/var/lib/kvmbackup after install: %v %v, want a directory 0700", fi, err)
	}
	if fi, err := os.Stat(filepath.Join(root, "etc/kvmbackup/config.yaml")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("/etc/kvmbackup/config.yaml after install: %v %v, want 0600", fi, err)
	}
	for _, p := range []string{"/usr/share/bash-completion/completions/kvmbackup", "/usr/share/zsh/vendor-completions/_kvmbackup", "/usr/share/doc/kvmbackup/copyright"} {
		if !exists(p) {
			t.Errorf("%s: not installed", p)
		}
	}

	// The admin edits the config, enables the timer, a run leaves its journal.
	sh(time.Minute, "echo '# the admin was here' >>/etc/kvmbackup/config.yaml && systemctl enable kvmbackup.timer && echo journal >/var/lib/kvmbackup/journal")
	if !exists("/etc/systemd/system/timers.target.wants/kvmbackup.timer") {
		t.Fatalf("systemctl enable kvmbackup.timer made no link in the chroot")
	}

	// Remove: the binary goes, the edited conffile and the journal stay.
	sh(5*time.Minute, "apt-get remove -y -q kvmbackup")
	if exists("/usr/bin/kvmbackup") || exists("/usr/share/man/man1/kvmbackup.1.gz") {
		t.Errorf("apt remove left the binary or the man page")
	}
	if text := readFile(t, filepath.Join(root, "etc/kvmbackup/config.yaml")); !strings.HasSuffix(text, "# the admin was here\n") {
		t.Errorf("apt remove changed the conffile:\n%s", text)
	}
	if status := sh(time.Minute, "dpkg-query -W -f='${Status}' kvmbackup"); status != "deinstall ok config-files" {
		t.Errorf("after remove: status %q, want deinstall ok config-files", status)
	}

	// Purge: the conffile and the timer's link go, the journal stays, and it says so.
	out = sh(5*time.Minute, "apt-get purge -y -q kvmbackup 2>&1")
	if exists("/etc/kvmbackup/config.yaml") || exists("/etc/kvmbackup") {
		t.Errorf("apt purge left /etc/kvmbackup")
	}
	if exists("/etc/systemd/system/timers.target.wants/kvmbackup.timer") {
		t.Errorf("apt purge left the enabled timer's link")
	}
	if got, err := os.ReadFile(filepath.Join(root, "var/lib/kvmbackup/journal")); err != nil || string(got) != "journal\n" {
		t.Errorf("apt purge did not keep /var/lib/kvmbackup/journal: %q %v", got, err)
	}
	if !strings.Contains(out, "kept /var/lib/kvmbackup") {
		t.Errorf("apt purge does not say it kept /var/lib/kvmbackup:\n%s", out)
	}
	if status, _ := inChroot(t, root, time.Minute, "dpkg-query", "-W", "-f=${Status}", "kvmbackup"); strings.Contains(status, "installed") || strings.Contains(status, "config-files") {
		t.Errorf("after purge: dpkg still knows kvmbackup: %q", status)
	}
	noProcessesIn(t, root)
	t.Logf("package test: %.0fs", time.Since(start).Seconds())
}
