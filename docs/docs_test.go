package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/config"
)

// The files the repository documents itself in: README.md and every docs/*.md.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"../README.md"}, files...)
}

// TestDocsExist: the documents the README points to are there.
func TestDocsExist(t *testing.T) {
	files := markdownFiles(t)
	for _, want := range []string{"retention.md", "layout.md", "restore-after-host-loss.md", "reading-without-kvmbackup.md"} {
		if !slices.Contains(files, want) {
			t.Errorf("docs/%s is missing", want)
		}
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// name is how a file is named in messages: from the repository's root.
func name(path string) string {
	if rel, ok := strings.CutPrefix(path, "../"); ok {
		return rel
	}
	return "docs/" + path
}

// TestNothingOutsideTheRepository: the README and the docs are for a person who has
// only the repository: no link leaves it, and no file kept beside it is named.
func TestNothingOutsideTheRepository(t *testing.T) {
	for _, f := range markdownFiles(t) {
		text := read(t, f)
		for _, bad := range []string{"DESIGN.md", "LAB.md", "STYLE.md", "../shared"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s mentions %s, which is not in the repository", name(f), bad)
			}
		}
		for _, l := range links(text) {
			if strings.Contains(l, "../") {
				t.Errorf("%s links to %s: a link with ../ (docs link to docs; code is named, not linked)", name(f), l)
			}
		}
	}
}

var linkRe = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// links returns the targets of the Markdown links [text](target) in text, outside
// code blocks and code spans.
func links(text string) []string {
	var out []string
	for _, m := range linkRe.FindAllStringSubmatch(prose(text), -1) {
		out = append(out, m[1])
	}
	return out
}

var codeSpanRe = regexp.MustCompile("`[^`]*`")

// prose is text without its code blocks and code spans.
func prose(text string) string {
	return codeSpanRe.ReplaceAllString(withoutCodeBlocks(text), "")
}

// withoutCodeBlocks is text without its fenced or indented code blocks.
func withoutCodeBlocks(text string) string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced || strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestRelativeLinksExist: every link that is not a URL names a file or directory of
// the repository, and its #anchor, if any, a heading of that Markdown file.
func TestRelativeLinksExist(t *testing.T) {
	for _, f := range markdownFiles(t) {
		for _, l := range links(read(t, f)) {
			if strings.Contains(l, "://") || strings.HasPrefix(l, "mailto:") {
				continue
			}
			target, anchor, _ := strings.Cut(l, "#")
			p := f
			if target != "" {
				p = filepath.Join(filepath.Dir(f), filepath.FromSlash(target))
			}
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s links to %s, which does not exist (%v)", name(f), l, err)
				continue
			}
			if anchor != "" && !slices.Contains(anchors(read(t, p)), anchor) {
				t.Errorf("%s links to %s: %s has no heading whose anchor is #%s (it has %s)", name(f), l, name(p), anchor, strings.Join(anchors(read(t, p)), ", "))
			}
		}
	}
}

var notInSlugRe = regexp.MustCompile(`[^\p{L}\p{N} _-]`)

// anchors are the anchors of the headings of a Markdown text, as GitHub makes them:
// lower case, punctuation dropped, spaces as "-".
func anchors(text string) []string {
	var out []string
	for _, line := range strings.Split(withoutCodeBlocks(text), "\n") {
		h, ok := strings.CutPrefix(line, "#")
		if !ok {
			continue
		}
		h = strings.TrimSpace(strings.TrimLeft(h, "#"))
		out = append(out, strings.ReplaceAll(notInSlugRe.ReplaceAllString(strings.ToLower(h), ""), " ", "-"))
	}
	return out
}

// repoFileRe: a code span that names a file of the repository (`zfs/layout.go`).
var repoFileRe = regexp.MustCompile("`((?:[a-z0-9_-]+/)+[a-z0-9_.-]+\\.(?:go|md|yaml|service|timer|sh))`")

// TestNamedFilesExist: a file of the repository named in a code span exists, so a
// reader sent to the code finds it.
func TestNamedFilesExist(t *testing.T) {
	for _, f := range markdownFiles(t) {
		for _, m := range repoFileRe.FindAllStringSubmatch(read(t, f), -1) {
			if strings.HasPrefix(m[1], "/") {
				continue
			}
			if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(m[1]))); err != nil {
				t.Errorf("%s names %s, which is not in the repository", name(f), m[1])
			}
		}
	}
}

// TestReadmeStartsWithItsTwoCommands: the first commands the README shows are
// `make demo` and `make test`.
func TestReadmeStartsWithItsTwoCommands(t *testing.T) {
	var block []string
	for _, line := range strings.Split(read(t, "../README.md"), "\n") {
		if strings.HasPrefix(line, "    ") {
			block = append(block, strings.Fields(line)...)
		} else if len(block) > 0 && strings.TrimSpace(line) == "" {
			break
		}
	}
	got := strings.Join(block, " ")
	if !strings.HasPrefix(got, "make demo") || !strings.Contains(got, "make test") {
		t.Errorf("README.md's first commands are %q, want make demo and make test", got)
	}
}

// constStrings returns the string constants of a Go file whose names start with
// prefix, by name.
func constStrings(t *testing.T, file, prefix string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, prefix) || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[n.Name] = v
				}
			}
		}
	}
	return out
}

// jsonFields returns the JSON names of the fields of the struct type typ declared
// in the Go package in dir (its files other than tests).
func jsonFields(t *testing.T, dir, typ string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || ts.Name.Name != typ {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return false
			}
			for _, fl := range st.Fields.List {
				if fl.Tag == nil {
					continue
				}
				tag, _ := strconv.Unquote(fl.Tag.Value)
				name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
				if name != "" && name != "-" {
					out = append(out, name)
				}
			}
			return false
		})
	}
	if len(out) == 0 {
		t.Fatalf("package %s: no struct %s with JSON fields", dir, typ)
	}
	return out
}

// TestLayoutShowsEveryName: docs/layout.md shows every user property kvmbackup sets
// (the Prop* constants of zfs/layout.go), the dated snapshot prefix, the children
// of the target that are kvmbackup's own, and every field of kvmbackup.json.
func TestLayoutShowsEveryName(t *testing.T) {
	doc := read(t, "layout.md")
	props := constStrings(t, "../zfs/layout.go", "Prop")
	if len(props) < 10 {
		t.Fatalf("zfs/layout.go: found %d Prop* constants, want every user property (10 or more)", len(props))
	}
	for c, key := range props {
		if !strings.Contains(doc, "`"+key+"`") {
			t.Errorf("docs/layout.md does not show the user property %s (%s in zfs/layout.go)", key, c)
		}
	}
	for c, v := range constStrings(t, "../zfs/layout.go", "") {
		if strings.HasSuffix(c, "Child") || c == "SnapshotPrefix" || c == "PinTag" {
			if !strings.Contains(doc, v) {
				t.Errorf("docs/layout.md does not show %q (%s in zfs/layout.go)", v, c)
			}
		}
	}
	for _, typ := range []string{"Meta", "MetaDisk"} {
		for _, f := range jsonFields(t, "../orchestrator", typ) {
			if !strings.Contains(doc, "`"+f+"`") {
				t.Errorf("docs/layout.md does not show kvmbackup.json's field %s (orchestrator.%s)", f, typ)
			}
		}
	}
}

// TestRetentionShowsEveryKey: docs/retention.md names every key of the retention
// section of the configuration.
func TestRetentionShowsEveryKey(t *testing.T) {
	doc := read(t, "retention.md")
	rt := reflect.TypeFor[config.Retention]()
	for i := range rt.NumField() {
		key := rt.Field(i).Tag.Get("mapstructure")
		if key == "" {
			t.Fatalf("config.Retention.%s has no key", rt.Field(i).Name)
		}
		if !strings.Contains(doc, "`"+key+"`") {
			t.Errorf("docs/retention.md does not show retention.%s", key)
		}
	}
}
