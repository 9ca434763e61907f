package testenv

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// moduleIndex maps module names (with '-' as '_') to their .ko files, across the
// extracted Debian kernel's tree and the DKMS tree where the ZFS modules are built.
type moduleIndex map[string]string

func normModName(n string) string { return strings.ReplaceAll(n, "-", "_") }

func indexModules(roots ...string) (moduleIndex, error) {
	idx := moduleIndex{}
	for _, root := range roots {
		if _, err := os.Stat(root); err != nil {
			continue
		}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".ko") {
				name := normModName(strings.TrimSuffix(filepath.Base(p), ".ko"))
				if _, seen := idx[name]; !seen { // the first root wins
					idx[name] = p
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("index kernel modules under %s: %w", root, err)
		}
	}
	return idx, nil
}

// moduleDepends reads the "depends=" entry of a module's .modinfo section.
func moduleDepends(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read module %s: %w", path, err)
	}
	defer f.Close()
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("module %s has no .modinfo section", path)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("read .modinfo of %s: %w", path, err)
	}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok {
			var deps []string
			for _, d := range strings.Split(string(v), ",") {
				if d != "" {
					deps = append(deps, normModName(d))
				}
			}
			return deps, nil
		}
	}
	return nil, nil
}

// loadOrder returns the .ko files for the wanted modules and everything they depend
// on, each after its dependencies: the order insmod needs.
func (idx moduleIndex) loadOrder(want ...string) ([]string, error) {
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name, from string) error
	visit = func(name, from string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("kernel module dependency cycle at %s", name)
		case 2:
			return nil
		}
		path, ok := idx[name]
		if !ok {
			if from != "" {
				return fmt.Errorf("kernel module %s (needed by %s) not found", name, from)
			}
			return fmt.Errorf("kernel module %s not found", name)
		}
		state[name] = 1
		deps, err := moduleDepends(path)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if err := visit(d, name); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, path)
		return nil
	}
	for _, w := range want {
		if err := visit(normModName(w), ""); err != nil {
			return nil, err
		}
	}
	return order, nil
}
