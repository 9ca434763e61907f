package dist

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const (
	unitDir   = "/etc/systemd/system"
	configRel = "/etc/kvmbackup/config.yaml"
)

var units = []string{"kvmbackup.service", "kvmbackup.timer", "kvmbackup-verify.service", "kvmbackup-verify.timer", "kvmbackup-notify@.service"}

// repoRoot is the top of the working tree: git's answer, else the parent of dist/.
func repoRoot(t *testing.T) string {
	t.Helper()
	if out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output(); err == nil {
		if root := strings.TrimSpace(string(out)); root != "" {
			return root
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// runMake runs `make TARGET ARGS...` in the repository root and returns its output.
func runMake(t *testing.T, root string, args ...string) string {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-C", root, "--no-print-directory"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkUnits checks that both units are installed, 0644, with @BINDIR@ replaced by bindir.
func checkUnits(t *testing.T, destdir, bindir string) {
	t.Helper()
	for _, u := range units {
		p := filepath.Join(destdir, unitDir, u)
		if m := mode(t, p); m.Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", p, m)
		}
		text := readFile(t, p)
		if strings.Contains(text, "@BINDIR@") {
			t.Errorf("%s: @BINDIR@ not substituted:\n%s", p, text)
		}
		if u == "kvmbackup.service" {
			for _, want := range []string{"\nExecStart=" + bindir + "/kvmbackup run\n", "\nExecStopPost=" + bindir + "/kvmbackup recover\n"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: no line %q:\n%s", p, strings.TrimSpace(want), text)
				}
			}
		}
	}
}

func TestInstallUninstall(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatalf("make not found: %v", err)
	}
	root := repoRoot(t)
	destdir := t.TempDir()
	dest := "DESTDIR=" + destdir

	// (a) a fresh install.
	out := runMake(t, root, "install", dest)
	bin := filepath.Join(destdir, "/usr/local/bin/kvmbackup")
	if m := mode(t, bin); !m.IsRegular() || m.Perm() != 0o755 {
		t.Errorf("%s: mode %v, want an executable regular file 0755", bin, m)
	}
	if v, err := exec.Command(bin, "version").CombinedOutput(); err != nil {
		t.Errorf("%s version: %v\n%s", bin, err, v)
	}
	checkUnits(t, destdir, "/usr/local/bin")
	docs := installedDocs(destdir, "/usr/local")
	checkDocs(t, docs)
	config := filepath.Join(destdir, configRel)
	if m := mode(t, config); m.Perm() != 0o600 {
		t.Errorf("%s: mode %v, want 0600", config, m)
	}
	if got, want := readFile(t, config), readFile(t, filepath.Join(root, "examples/config.yaml")); got != want {
		t.Errorf("%s differs from examples/config.yaml", config)
	}
	state := filepath.Join(destdir, "/var/lib/kvmbackup")
	if m := mode(t, state); !m.IsDir() || m.Perm() != 0o700 {
		t.Errorf("%s: mode %v, want a directory 0700", state, m)
	}
	if _, err := os.Stat(filepath.Join(destdir, unitDir, "timers.target.wants")); err == nil {
		t.Errorf("make install enabled the timer; it must enable nothing")
	}
	if want := "systemctl daemon-reload && systemctl enable --now kvmbackup.timer"; !strings.Contains(out, want) {
		t.Errorf("make install does not print the next step %q:\n%s", want, out)
	}

	// (b) again, over an admin's edited config in a directory they made stricter.
	edited := "# the admin's own\ntarget:\n  dataset: tank/vms\n"
	if err := os.WriteFile(config, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(config), 0o700); err != nil {
		t.Fatal(err)
	}
	out = runMake(t, root, "install", dest)
	if got := readFile(t, config); got != edited {
		t.Errorf("second make install overwrote the config:\n%s", got)
	}
	if m := mode(t, config); m.Perm() != 0o600 {
		t.Errorf("%s: mode %v after reinstall, want 0600", config, m)
	}
	if m := mode(t, filepath.Dir(config)); m.Perm() != 0o700 {
		t.Errorf("%s: mode %v after reinstall, want the admin's 0700 kept", filepath.Dir(config), m)
	}
	if !strings.Contains(out, "kept "+config) {
		t.Errorf("second make install does not say the config was kept:\n%s", out)
	}

	// (c) systemd's own opinion of the installed units.
	t.Run("verify", func(t *testing.T) { verifyUnits(t, destdir) })

	// Another PREFIX: the unit names the binary where it was installed.
	t.Run("prefix", func(t *testing.T) {
		other := t.TempDir()
		runMake(t, root, "install", "DESTDIR="+other, "PREFIX=/opt/kvmbackup")
		if m := mode(t, filepath.Join(other, "/opt/kvmbackup/bin/kvmbackup")); m.Perm() != 0o755 {
			t.Errorf("binary mode %v under PREFIX=/opt/kvmbackup, want 0755", m)
		}
		checkUnits(t, other, "/opt/kvmbackup/bin")
	})

	// (d) uninstall: binary and units gone, config and state kept.
	runMake(t, root, "uninstall", dest)
	gone := []string{bin}
	for _, u := range units {
		gone = append(gone, filepath.Join(destdir, unitDir, u))
	}
	gone = append(gone, docs...)
	for _, p := range gone {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there after make uninstall (%v)", p, err)
		}
	}
	if got := readFile(t, config); got != edited {
		t.Errorf("make uninstall changed the config:\n%s", got)
	}
	if m := mode(t, state); !m.IsDir() {
		t.Errorf("make uninstall removed %s", state)
	}
}

// installedDocs lists what `make install` puts under prefix besides the binary, the
// units and the config: a man page per command, gzip'd, and the bash and zsh completion.
func installedDocs(destdir, prefix string) []string {
	var docs []string
	for _, page := range []string{"kvmbackup", "kvmbackup-run", "kvmbackup-restore", "kvmbackup-check", "kvmbackup-version"} {
		docs = append(docs, filepath.Join(destdir, prefix, "share/man/man1", page+".1.gz"))
	}
	return append(docs,
		filepath.Join(destdir, prefix, "share/bash-completion/completions/kvmbackup"),
		filepath.Join(destdir, prefix, "share/zsh/site-functions/_kvmbackup"))
}

// checkDocs checks that each file is there, 0644 (for every user), and what it
// should be: a gzip'd man page, or a completion script for kvmbackup.
func checkDocs(t *testing.T, docs []string) {
	t.Helper()
	for _, p := range docs {
		if m := mode(t, p); m.Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", p, m)
		}
		switch {
		case strings.HasSuffix(p, ".1.gz"):
			if page, err := gunzip(p); err != nil || !strings.Contains(page, "\n.TH \"KVMBACKUP") {
				t.Errorf("%s: not a gzip'd kvmbackup man page (%v):\n%.200s", p, err, page)
			}
		default:
			if text := readFile(t, p); !strings.Contains(text, "__start_kvmbackup") && !strings.HasPrefix(text, "#compdef kvmbackup") {
				t.Errorf("%s: not kvmbackup's completion:\n%.200s", p, text)
			}
		}
	}
}

func gunzip(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(z)
	return string(b), err
}

// A run that dies any way (SIGKILL at TimeoutStopSec, OOM, a crash) must leave no
// guest paused past its own exit: the unit runs `kvmbackup recover` after every run,
// which resumes each VM still carrying kvmbackup's mark (and touches no other).
func TestHostileUnitRecoversAfterAnyExit(t *testing.T) {
	text := readFile(t, filepath.Join(repoRoot(t), "dist", "kvmbackup.service"))
	var stopPost []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "ExecStopPost=") {
			stopPost = append(stopPost, line)
		}
	}
	if want := "ExecStopPost=@BINDIR@/kvmbackup recover"; len(stopPost) != 1 || stopPost[0] != want {
		t.Fatalf("kvmbackup.service: ExecStopPost lines %q, want exactly %q", stopPost, want)
	}
}

// verifyUnits runs systemd-analyze verify on copies of the installed units whose
// ExecStart points into destdir (verify requires the binary to exist).
func verifyUnits(t *testing.T, destdir string) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("KVMBACKUP_LAB") == "1" {
			t.Fatalf("systemd-analyze not found (KVMBACKUP_LAB=1): %v", err)
		}
		t.Skipf("systemd-analyze not found, units not verified: %v", err)
	}
	dir := t.TempDir()
	var paths []string
	for _, u := range units {
		text := readFile(t, filepath.Join(destdir, unitDir, u))
		text = strings.ReplaceAll(text, "=/usr/local/bin/", "="+filepath.Join(destdir, "/usr/local/bin")+"/")
		p := filepath.Join(dir, u)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	cmd := exec.Command(analyze, append([]string{"verify"}, paths...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	// verify exits 0 on unknown keys and bad values, which it only prints: any line
	// about our units is a failure. Lines about the host's other units are not ours.
	var ours []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "kvmbackup") {
			ours = append(ours, line)
		}
	}
	if err != nil || len(ours) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out.String())
	}
}

// The service runs with UMask=0077: whatever kvmbackup or a helper it runs (zfs,
// lvm, rsync) creates is root's alone, as every file kvmbackup writes is 0600.
func TestServiceUMask(t *testing.T) {
	text := readFile(t, "kvmbackup.service")
	section, umask := "", ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = line
		}
		if v, ok := strings.CutPrefix(line, "UMask="); ok && section == "[Service]" {
			umask = v
		}
	}
	if umask != "0077" {
		t.Errorf("kvmbackup.service: [Service] UMask=%q, want 0077", umask)
	}
}
