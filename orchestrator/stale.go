package orchestrator

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/beneath"
)

// metaFiles are the files of a VM's dataset besides its images: what removeStale keeps.
var metaFiles = []string{"domain.xml", "kvmbackup.json", manifestDir}

// removeStale makes the VM dataset mounted at mount hold only tonight's backup: it
// removes every entry at its top but domain.xml, kvmbackup.json, .manifest and the
// images of vm's disks (a disk removed from the VM, an image whose format changed, a
// leftover temporary file), and in .manifest every entry that belongs to no image of
// tonight (an image's manifest is named as the image, its side files start with the
// image's name and a dot). Entries are removed beneath mount without following any
// symlink (internal/beneath). It returns the names removed.
func removeStale(mount string, vm *VMPlan) ([]string, error) {
	var images []string
	for _, d := range vm.Disks {
		images = append(images, d.Image)
	}
	root, err := beneath.Open(mount)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", vm.Dataset, err)
	}
	defer root.Close()
	keepTop := func(name string) bool { return slices.Contains(metaFiles, name) || slices.Contains(images, name) }
	removed, err := removeUnless(root, ".", keepTop)
	if err != nil {
		return removed, fmt.Errorf("dataset %s: %w", vm.Dataset, err)
	}
	st, err := root.Lstat(manifestDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return removed, nil
	case err != nil:
		return removed, fmt.Errorf("dataset %s: %w", vm.Dataset, err)
	case st.Mode&unix.S_IFMT != unix.S_IFDIR:
		return removed, fmt.Errorf("dataset %s: %s is not a directory (mode %o)", vm.Dataset, manifestDir, st.Mode)
	}
	ofImage := func(name string) bool {
		return slices.ContainsFunc(images, func(img string) bool { return name == img || strings.HasPrefix(name, img+".") })
	}
	more, err := removeUnless(root, manifestDir, ofImage)
	removed = append(removed, more...)
	if err != nil {
		return removed, fmt.Errorf("dataset %s: %w", vm.Dataset, err)
	}
	return removed, nil
}

// removeUnless removes each entry of dir (below root) for which keep is false.
func removeUnless(root *beneath.Dir, dir string, keep func(string) bool) ([]string, error) {
	f, err := root.OpenFile(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	slices.Sort(names)
	var removed []string
	for _, n := range names {
		if keep(n) {
			continue
		}
		p := path.Join(dir, n)
		if err := root.RemoveAll(p); err != nil {
			return removed, fmt.Errorf("remove %s: %w", p, err)
		}
		removed = append(removed, p)
	}
	return removed, nil
}
