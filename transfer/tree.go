package transfer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// TreeOptions tune SyncTree.
type TreeOptions struct {
	// BigFile: regular files of at least this many bytes (VM images) are copied by
	// Copy, in place, changed blocks only; the rest by rsync. Default 64 MiB.
	BigFile int64
	// Rsync is the rsync binary (default rsync in PATH).
	Rsync runner.Tool
}

// TreeStats describe a tree sync.
type TreeStats struct {
	BigFiles     int           `json:"big_files"`
	BigSize      int64         `json:"big_size"`
	BigWritten   int64         `json:"big_written"`
	RsyncTook    time.Duration `json:"rsync_ns"`
	Duration     time.Duration `json:"duration_ns"`
	ExcludedMnts []string      `json:"other_filesystems,omitempty"`
}

// SyncTree makes the directory dst a copy of the directory src with the semantics of
// the seed's `rsync -aHx --delete` (one file system; permissions, owners, times,
// symlinks, device files, FIFOs, hard links; what src no longer has is deleted).
//
// gokrazy/rsync (v0.3.x) lacks in-place updates, hard links and local deletion, so
// the system rsync does the tree, with the seed's --inplace --no-whole-file, and
// every big file is excluded from it and copied by Copy instead: in place, changed
// 4 KiB blocks only, holes kept. Their owners, modes and times, the hard links
// between them and their directories' times are then set as rsync would.
func SyncTree(ctx context.Context, src, dst string, opts TreeOptions) (TreeStats, error) {
	start := time.Now()
	var st TreeStats
	if opts.BigFile <= 0 {
		opts.BigFile = 64 << 20
	}
	if opts.Rsync.Path == "" {
		opts.Rsync = runner.New("rsync")
	}
	src, dst = filepath.Clean(src), filepath.Clean(dst)
	sfi, err := os.Stat(src)
	if err != nil {
		return st, fmt.Errorf("tree source: %w", err)
	}
	if !sfi.IsDir() {
		return st, fmt.Errorf("tree source %s is not a directory", src)
	}
	if src == dst || strings.HasPrefix(dst+"/", src+"/") {
		return st, fmt.Errorf("tree destination %s is inside the source %s", dst, src)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return st, fmt.Errorf("tree destination: %w", err)
	}
	bigs, other, err := bigFiles(src, sfi, opts.BigFile)
	if err != nil {
		return st, err
	}
	st.ExcludedMnts = other

	// 1. rsync everything but the big files.
	excl, err := os.CreateTemp("", "kvmbackup-exclude-*")
	if err != nil {
		return st, err
	}
	defer os.Remove(excl.Name())
	for _, b := range bigs {
		for _, p := range b.paths {
			fmt.Fprintf(excl, "/%s\x00", escapeRsyncPattern(p)) // NUL-separated: names may hold newlines
		}
	}
	if err := excl.Close(); err != nil {
		return st, err
	}
	t := time.Now()
	args := []string{"-aHx", "--delete", "--numeric-ids", "--inplace", "--no-whole-file",
		"--from0", "--exclude-from=" + excl.Name(), src + "/", dst + "/"}
	if _, err := opts.Rsync.Run(ctx, args...); err != nil {
		return st, fmt.Errorf("rsync %s/ → %s/: %w", src, dst, err)
	}
	st.RsyncTook = time.Since(t)

	// 2. Big files: changed blocks in place, then what rsync -a would set.
	dirs := map[string]bool{}
	for _, b := range bigs {
		first := filepath.Join(dst, b.paths[0])
		if err := replaceNonFile(first); err != nil {
			return st, err
		}
		cs, err := Copy(ctx, filepath.Join(src, b.paths[0]), first, Options{})
		if err != nil {
			return st, err
		}
		st.BigFiles++
		st.BigSize += cs.Size
		st.BigWritten += cs.Written
		if err := setMeta(first, b.st); err != nil {
			return st, err
		}
		for _, p := range b.paths[1:] { // the other names of the same inode
			other := filepath.Join(dst, p)
			if same, _ := sameInode(first, other); !same {
				if err := os.RemoveAll(other); err != nil {
					return st, err
				}
				if err := os.Link(first, other); err != nil {
					return st, fmt.Errorf("hard link %s: %w", other, err)
				}
			}
		}
		for _, p := range b.paths {
			dirs[filepath.Dir(p)] = true
		}
	}
	// 3. Creating files changed their directories' times: set them back.
	for d := range dirs {
		var s unix.Stat_t
		if err := unix.Lstat(filepath.Join(src, d), &s); err != nil {
			return st, err
		}
		if err := unix.UtimesNano(filepath.Join(dst, d), []unix.Timespec{s.Atim, s.Mtim}); err != nil {
			return st, fmt.Errorf("times of %s: %w", filepath.Join(dst, d), err)
		}
	}
	st.Duration = time.Since(start)
	return st, nil
}

// bigFile is one inode of the source at least the threshold big, with all its names
// (relative paths).
type bigFile struct {
	paths []string
	st    unix.Stat_t
}

// bigFiles walks src on its own file system and returns its big regular files, and
// the mount points of other file systems it did not enter.
func bigFiles(src string, sfi fs.FileInfo, threshold int64) ([]*bigFile, []string, error) {
	var root unix.Stat_t
	if err := unix.Stat(src, &root); err != nil {
		return nil, nil, err
	}
	byIno := map[uint64]*bigFile{}
	var other []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk %s: %w", p, err)
		}
		var s unix.Stat_t
		if err := unix.Lstat(p, &s); err != nil {
			return err
		}
		if s.Dev != root.Dev { // another file system: rsync -x does not enter it
			other = append(other, p)
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || s.Size < threshold {
			return nil
		}
		rel, _ := filepath.Rel(src, p)
		b := byIno[s.Ino]
		if b == nil {
			b = &bigFile{st: s}
			byIno[s.Ino] = b
		}
		b.paths = append(b.paths, rel)
		return nil
	})
	out := make([]*bigFile, 0, len(byIno))
	for _, b := range byIno {
		sort.Strings(b.paths)
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].paths[0] < out[j].paths[0] })
	return out, other, err
}

// replaceNonFile removes whatever is at path unless it is a regular file (a directory
// or a symlink where the source now has a big file).
func replaceNonFile(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && fi.Mode().IsRegular()) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.RemoveAll(path)
}

// setMeta gives path the owner, mode and times of s, as rsync -a does.
func setMeta(path string, s unix.Stat_t) error {
	if err := os.Lchown(path, int(s.Uid), int(s.Gid)); err != nil {
		return fmt.Errorf("owner of %s: %w", path, err)
	}
	if err := os.Chmod(path, fs.FileMode(s.Mode&0o7777)); err != nil {
		return fmt.Errorf("mode of %s: %w", path, err)
	}
	if err := unix.UtimesNano(path, []unix.Timespec{s.Atim, s.Mtim}); err != nil {
		return fmt.Errorf("times of %s: %w", path, err)
	}
	return nil
}

func sameInode(a, b string) (bool, error) {
	fa, err := os.Lstat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Lstat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// escapeRsyncPattern quotes rsync's wildcard characters so a path matches itself.
func escapeRsyncPattern(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
