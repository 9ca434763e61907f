package orchestrator

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// The real adapters and the fakes of these tests play every role they stand in for.
var (
	_ Hypervisor      = libvirtHV{}
	_ Snapshotter     = LVM{}
	_ VGLookup        = LVM{}
	_ LVView          = (*lvm.Manager)(nil)
	_ LVView          = (*lvm.Volumes)(nil)
	_ VGLookup        = (*lvm.Manager)(nil)
	_ Target          = (*zfs.Manager)(nil)
	_ RestoreTarget   = (*zfs.Manager)(nil)
	_ Copier          = TransferCopier{}
	_ Verifier        = TransferCopier{}
	_ Trees           = TransferTrees{}
	_ FSMounter       = SystemMounter{}
	_ Loops           = loopdev.Tools{}
	_ Hypervisor      = fakeHV{}
	_ Frozen          = (*frozen)(nil)
	_ Snapshotter     = fakeLVM{}
	_ LVView          = fakeView{}
	_ Target          = fakeZFS{}
	_ RestoreTarget   = fakeZFS{}
	_ Copier          = fakeCopier{}
	_ Verifier        = fakeCopier{}
	_ Trees           = fakeTrees{}
	_ PruneTarget     = (*fakeTarget)(nil)
	_ VMRestoreTarget = fakeZFS{}
	_ StatusTarget    = (*zfs.Manager)(nil)
	_ StatusTarget    = fakeZFS{}
	_ TimerSchedule   = SystemdTimer{}
)

// Every method of every interface the orchestrator declares says its contract in
// its own doc comment.
func TestEveryInterfaceMethodHasItsContract(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(node ast.Node) bool {
			ts, ok := node.(*ast.TypeSpec)
			if !ok {
				return true
			}
			it, ok := ts.Type.(*ast.InterfaceType)
			if !ok {
				return false
			}
			for _, m := range it.Methods.List {
				if len(m.Names) == 0 {
					continue // an embedded interface: documented where it is declared
				}
				n++
				if m.Doc == nil || len(strings.TrimSpace(m.Doc.Text())) == 0 {
					t.Errorf("%s: %s.%s has no contract in a doc comment", fset.Position(m.Pos()), ts.Name.Name, m.Names[0].Name)
				}
			}
			return false
		})
	}
	if n == 0 {
		t.Fatal("no interface method found")
	}
}
