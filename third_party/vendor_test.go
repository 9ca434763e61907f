package thirdparty

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/testenv"
)

const (
	libvirtModule = "libvirt.org/go/libvirt"
	revendor      = "scripts/revendor-libvirt.sh"
	// exitNoModule is revendor-libvirt.sh's exit status when the module cannot be
	// downloaded.
	exitNoModule = 3
)

// repoRoot is the top of the working tree: the parent of third_party/.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// requiredVersion is the version of module that go.mod requires.
func requiredVersion(t *testing.T, root, module string) string {
	t.Helper()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(module) + `\s+(v\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatalf("go.mod requires no version of %s", module)
	}
	return string(m[1])
}

// runRevendor runs the re-vendoring script with args and returns its output and
// exit status. When the module cannot be downloaded it skips the test, or fails it
// under KVMBACKUP_LAB=1 (CI), where the module cache or the proxy must be there.
func runRevendor(t *testing.T, root string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(root, revendor)}, args...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case !errors.As(err, &exit):
		t.Fatalf("%s %s: %v", revendor, strings.Join(args, " "), err)
	case exit.ExitCode() == exitNoModule:
		msg := "upstream module neither in the module cache nor downloadable: " + strings.TrimSpace(string(out))
		if testenv.LabRequired() {
			t.Fatalf("%s (%s=1: this check may not skip)", msg, testenv.EnvLab)
		}
		t.Skipf("%s (set %s=1 to make this a failure)", msg, testenv.EnvLab)
	}
	return string(out), exit.ExitCode()
}

// readTree returns every regular file below dir by its slash-separated relative
// path. Anything else (a symlink, a device) is an error: the vendored tree holds
// only files and directories.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return &fs.PathError{Op: "read tree", Path: path, Err: errors.New("not a regular file")}
		}
		data, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestVendoredLibvirtIsUpstreamPlusPatch re-vendors the version go.mod requires into
// a temporary directory and checks that third_party/libvirt.org/go/libvirt is
// exactly that: upstream as the Go module proxy serves it, with what the script
// removes removed and libvirt.patch applied. It reads the module from the module
// cache when it is there (as after any build), so it takes well under a second.
func TestVendoredLibvirtIsUpstreamPlusPatch(t *testing.T) {
	root := repoRoot(t)
	version := requiredVersion(t, root, libvirtModule)
	want := filepath.Join(t.TempDir(), "libvirt")
	if out, code := runRevendor(t, root, version, want); code != 0 {
		t.Fatalf("%s %s %s: exit status %d\n%s", revendor, version, want, code, out)
	}
	vendored := filepath.Join(root, "third_party", libvirtModule)
	got, expected := readTree(t, vendored), readTree(t, want)
	var diffs []string
	for name, data := range got {
		exp, ok := expected[name]
		switch {
		case !ok:
			diffs = append(diffs, "only in the vendored tree: "+name)
		case !bytes.Equal(data, exp):
			diffs = append(diffs, "differs from upstream + patch: "+name)
		}
	}
	for name := range expected {
		if _, ok := got[name]; !ok {
			diffs = append(diffs, "missing from the vendored tree: "+name)
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		t.Errorf("%s is not %s@%s + %s.patch (run scripts/revendor-libvirt.sh %s, or write the change into the patch):\n  %s",
			vendored, libvirtModule, version, filepath.Base(vendored), version, strings.Join(diffs, "\n  "))
	}
}

// TestLibvirtPatchIsSendable checks that the patch could go upstream as it is: a
// commit message first, then a diff relative to the module's root that names
// nothing of kvmbackup.
func TestLibvirtPatchIsSendable(t *testing.T) {
	path := filepath.Join(repoRoot(t), "third_party", libvirtModule+".patch")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	header, diff, ok := strings.Cut(text, "\ndiff --git ")
	if !ok {
		t.Fatalf("%s: no diff --git section", path)
	}
	if !strings.HasPrefix(header, "Subject: [PATCH] ") || !strings.Contains(header, "\n\n") {
		t.Errorf("%s: does not start with a commit message (Subject: [PATCH] ..., a blank line, the reasons)", path)
	}
	for _, word := range []string{"kvmbackup", "third_party"} {
		if strings.Contains(strings.ToLower(text), word) {
			t.Errorf("%s names %q: the patch is upstream's to read, keep our notes in third_party/doc.go", path, word)
		}
	}
	for _, line := range strings.Split("diff --git "+diff, "\n") {
		if rest, ok := strings.CutPrefix(line, "diff --git "); ok && !strings.HasPrefix(rest, "a/") {
			t.Errorf("%s: %q is not relative to the module's root (a/..., b/...)", path, line)
		}
	}
}

// TestRevendorRefusesAPatchThatDoesNotApply checks that the script fails, naming
// the patch and the version, and leaves nothing behind when a hunk does not apply.
func TestRevendorRefusesAPatchThatDoesNotApply(t *testing.T) {
	root := repoRoot(t)
	version := requiredVersion(t, root, libvirtModule)
	good, err := os.ReadFile(filepath.Join(root, "third_party", libvirtModule+".patch"))
	if err != nil {
		t.Fatal(err)
	}
	// A removed line that upstream does not have.
	bad := strings.Replace(string(good), "\n-func init() {\n", "\n-func init()  {\n", 1)
	if bad == string(good) {
		t.Fatal("the patch no longer removes error.go's init(): change this test's edit")
	}
	dir := t.TempDir()
	badPatch := filepath.Join(dir, "bad.patch")
	if err := os.WriteFile(badPatch, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "libvirt")
	out, code := runRevendor(t, root, "--patch", badPatch, version, dest)
	if code != 1 || !strings.Contains(out, "does not apply") || !strings.Contains(out, badPatch) || !strings.Contains(out, version) {
		t.Errorf("with a patch that does not apply: exit status %d (want 1), output without the patch, the version or \"does not apply\":\n%s", code, out)
	}
	if _, err := os.Lstat(dest); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s was made although the patch did not apply (%v)", dest, err)
	}
}
