package transfer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unsafe"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/beneath"
)

// TreeOptions tune SyncTree.
type TreeOptions struct {
	// BigFile: regular files of at least this many bytes (VM images) are copied by
	// Copy, in place, changed blocks only (extents, holes kept); the rest by
	// the walk itself, in place, differing 4 KiB blocks only. Default 64 MiB.
	BigFile int64
	// Exclude: globs (path.Match) of what is not copied, and is removed from dst. A
	// glob with a "/" is matched against the path below src ("/var/tmp", "var/cache/*":
	// a leading "/" is optional); one without is matched against the name of every
	// file and directory at any depth ("*.iso", ".cache"). An excluded directory is
	// excluded with everything below it. Validate them with CheckExclude.
	Exclude []string
	// Skip: absolute paths never copied, whatever Exclude says (the target's own mount
	// points when src holds them), and removed from dst.
	Skip []string
	// Xattrs: also copy extended attributes (rsync -X), big files' included.
	Xattrs bool
	// Only, when set: copy only what these globs match (the path below src, as an
	// Exclude glob with a "/"; a matched directory with everything below it), and the
	// directories leading to it. Nothing matched is an error (ErrNothingMatched).
	Only []string
	// Unchanged and Mark, when set, say that dst holds exactly what the sync whose
	// TreeStats.Mark was Mark made of src as src was at Unchanged (the start of that
	// sync, complete), and that nothing has written dst since. When this sync's mark
	// names the same copy of the same tree (and the clock was not set back since), the
	// walk trusts what has not changed since (a ctime a second or more before
	// Unchanged: the kernel sets ctime, no user can; a rename, a link, a chmod, a write
	// or an xattr set moves it): a source directory that, with every directory between
	// it and src, has not, is taken to have the names its copy has (they are not
	// listed, nothing there is removed, its owner, mode and times are not read); a
	// file (but a big one: always compared block by block), symlink or special file
	// with one link that has not, in such a directory or src, is taken as copied (its
	// copy is not read). TreeStats.Trusted says whether it did. Ignored when the clock
	// is before Unchanged.
	Unchanged time.Time
	Mark      string
	// CheckDest, when set, is shown dst as SyncTree opened it (the directory's own
	// stat, no symlink followed) before anything is written; an error from it stops
	// the sync, nothing written: the caller checks that what the copy writes through
	// is what it means to write (a dataset's mount, not a directory left where the
	// dataset was mounted). dst must exist then: it is not made.
	CheckDest func(dir *unix.Stat_t) error
}

// ErrNothingMatched: TreeOptions.Only matched nothing in the source.
var ErrNothingMatched = errors.New("nothing matched")

// TreeStats describe a tree sync.
type TreeStats struct {
	BigFiles   int   `json:"big_files"`
	BigSize    int64 `json:"big_size"`
	BigWritten int64 `json:"big_written"`
	// SmallWritten: the bytes written of the small files (their differing blocks).
	SmallWritten int64         `json:"small_written"`
	Files        int           `json:"files"`              // regular files in the tree
	Transferred  int           `json:"files_transferred"`  // of which content was written
	Excluded     []string      `json:"excluded,omitempty"` // paths below src left out
	Vanished     bool          `json:"vanished,omitempty"` // files vanished while read (a live tree)`
	SmallTook    time.Duration `json:"small_ns"`           // the pass over the tree but the big files
	Duration     time.Duration `json:"duration_ns"`
	ExcludedMnts []string      `json:"other_filesystems,omitempty"`
	// Changed counts the paths that changed type or inode (a directory swapped for a
	// symlink), or vanished from under a later step, between their listing and their
	// copy: skipped as rsync skips a vanished file, never followed (a live tree).
	Changed int `json:"changed,omitempty"`
	// Unchanged counts the entries taken as copied (TreeOptions.Unchanged): not read
	// in dst. Trusted: TreeOptions.Unchanged was used.
	Unchanged int  `json:"unchanged,omitempty"`
	Trusted   bool `json:"trusted,omitempty"`
	// Mark names what this sync made of src beyond its inodes' content (its real path
	// and inode, the options, the mounts there and below, the boot, the clock), for
	// the next sync's TreeOptions.Mark. "" when src's file system's ctimes are not
	// trusted (ctimeFileSystems: ZFS, network, FUSE) or the mounts changed while it
	// ran. A caller passes it on only when the sync was complete (no error, nothing
	// vanished or changed).
	Mark string `json:"-"`
}

// The steps of SyncTree, for testHook.
const (
	stepEntry    = "entry"     // before an entry listed in src is synced
	stepWalk     = "walk"      // before a directory of src is opened and read
	stepDstDir   = "dst-dir"   // before a directory of dst is made or opened
	stepDelete   = "delete"    // before what dst has and src has not (or not of that type) is removed
	stepExcluded = "excluded"  // before an excluded path is removed from dst
	stepFile     = "file"      // before a small file is opened in src and written in dst
	stepOneBlock = "one-block" // before a one-block copy whose size changes is emptied, unread
	stepSymlink  = "symlink"   // before a symlink is made in dst
	stepNode     = "node"      // before a device node, FIFO or socket is made in dst
	stepDirMeta  = "dir-meta"  // before a directory's owner, mode, xattrs and times are set
	stepTreeDone = "tree-done" // the walk of both trees has finished, big files next
	stepCopy     = "copy"      // before a big file is copied
	stepOpenCopy = "open-copy" // before a big file's copy in dst is opened
	stepMeta     = "meta"      // before a file's (or node's) owner, mode and times are fixed
	stepXattrs   = "xattrs"    // before a file's xattrs are copied
	stepLink     = "link"      // before another name of a hard-linked file is linked
	stepDirTimes = "dir-times" // before a directory's times are set back
)

// testHook, set by tests only, runs before each step of SyncTree (rel:
// the path below the roots the step is about): a test changes the trees there, as a
// user who can write in a live tree could at that moment.
var testHook func(step, rel string)

func hook(step, rel string) {
	if testHook != nil {
		testHook(step, rel)
	}
}

// SyncTree makes the directory dst a copy of the directory src with the semantics of
// the seed's `rsync -aHx --delete` (one file system; permissions, owners, times,
// symlinks, device files, FIFOs, hard links; what src no longer has is deleted).
//
// It leaves what `rsync -aHx --delete --numeric-ids --inplace` (-X with Xattrs)
// leaves, without rsync: one walk of both trees does it all in process (rsync's
// quick check: a file of the same size and mtime is not read; otherwise it is
// written in place, differing 4 KiB blocks only, so that snapshots keep sharing the
// rest), but the big files, copied after it by Copy (in place, changed extents only,
// holes kept), and the other names of hard-linked files, linked after it. The
// directories those steps touch get their times back last.
func SyncTree(ctx context.Context, src, dst string, opts TreeOptions) (TreeStats, error) {
	start := time.Now()
	var st TreeStats
	if opts.BigFile <= 0 {
		opts.BigFile = 64 << 20
	}
	src, dst = filepath.Clean(src), filepath.Clean(dst)
	sfi, err := os.Stat(src)
	if err != nil {
		return st, fmt.Errorf("tree source: %w", err)
	}
	if !sfi.IsDir() {
		return st, fmt.Errorf("tree source %s is not a directory", src)
	}
	if src == dst || strings.HasPrefix(dst+"/", strings.TrimSuffix(src, "/")+"/") {
		skipped := false // a destination inside a skipped path is never copied into itself
		for _, p := range opts.Skip {
			if p = filepath.Clean(p); p != src && (dst == p || strings.HasPrefix(dst+"/", p+"/")) {
				skipped = true
			}
		}
		if !skipped {
			return st, fmt.Errorf("tree destination %s is inside the source %s", dst, src)
		}
	}
	// Every step below src resolves below it, never following a symlink, and checks
	// that what it opened is what the walk saw: a user who can write in the live tree
	// (or in a directory of dst that the copy gave them) may swap any directory for a
	// symlink meanwhile. What changed is skipped and counted.
	sroot, err := beneath.Open(src)
	if err != nil {
		return st, fmt.Errorf("tree source: %w", err)
	}
	defer sroot.Close()
	log := zerolog.Ctx(ctx).With().Str("component", "transfer").Str("src", src).Logger()
	changed := func(rel string, err error) {
		st.Changed++
		log.Warn().Str("path", rel).Err(err).Msg("changed while copied (a live tree): skipped, not followed")
	}
	if len(opts.Only) > 0 { // before dst is made: nothing matched changes nothing
		skip, err := onlySkips(sroot, src, opts.Only, changed)
		if err != nil {
			return st, err
		}
		opts.Skip = append(slices.Clip(opts.Skip), skip...)
	}
	if opts.CheckDest == nil {
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return st, fmt.Errorf("tree destination: %w", err)
		}
	}
	for _, g := range opts.Exclude {
		if err := CheckExclude(g); err != nil {
			return st, err
		}
	}
	droot, err := beneath.Open(dst)
	if err != nil {
		return st, fmt.Errorf("tree destination: %w", err)
	}
	defer droot.Close()
	rs, err := sroot.Stat()
	if err != nil {
		return st, fmt.Errorf("tree source: %w", err)
	}
	sd, err := sroot.OpenFile(".", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return st, fmt.Errorf("tree source: %w", err)
	}
	defer sd.Close()
	dd, err := droot.OpenFile(".", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return st, fmt.Errorf("tree destination: %w", err)
	}
	defer dd.Close()
	if opts.CheckDest != nil {
		ds, err := fstatFd(int(dd.Fd()))
		if err == nil {
			err = opts.CheckDest(&ds)
		}
		if err != nil {
			return st, fmt.Errorf("tree destination %s: %w", dst, err)
		}
	}

	// 1. One walk of both trees: everything but the big files and the other names of
	// hard-linked files.
	ts := &treeSync{ctx: ctx, opts: opts, st: &st, src: src, skip: map[string]bool{}, changed: changed,
		bigs: map[inode]*bigFile{}, groups: map[inode]*linkGroup{}}
	mark, mountPoints, err := treeMark(sd, rs, opts)
	if err != nil {
		return st, err
	}
	if u := opts.Unchanged; !u.IsZero() && time.Now().After(u) && mark != "" && sameTree(opts.Mark, mark) {
		ts.since = u.Add(-time.Second).UnixNano()
		st.Trusted = true
	}
	for _, p := range opts.Skip {
		ts.skip[filepath.Clean(p)] = true
	}
	t := time.Now()
	if err := ts.run(sd, dd, rs); err != nil {
		return st, fmt.Errorf("tree %s/ → %s/: %w", src, dst, err)
	}
	st.SmallTook = time.Since(t)
	hook(stepTreeDone, "")
	var bigs []*bigFile
	for _, b := range ts.bigs {
		sort.Strings(b.paths)
		bigs = append(bigs, b)
	}
	sort.Slice(bigs, func(i, j int) bool { return bigs[i].paths[0] < bigs[j].paths[0] })

	// Hard-linked files (-H): one name copied, the others linked to its copy.
	dirs := map[string]bool{}
	if err := ts.groupFiles(sroot, droot, dirs); err != nil {
		return st, fmt.Errorf("tree %s/ → %s/: %w", src, dst, err)
	}
	for _, g := range ts.order {
		if !g.ok {
			continue
		}
		for _, p := range g.paths {
			if p == g.lead {
				continue
			}
			hook(stepLink, p)
			if err := linkOther(sroot, droot, g.lead, p, g.st, g.dst); gone(err) {
				changed(p, err)
				continue
			} else if err != nil {
				return st, err
			}
			dirs[filepath.Dir(p)] = true
		}
	}

	// 2. Big files: changed blocks in place, then what rsync -a would set.
	for _, b := range bigs {
		cs, err := syncBig(ctx, sroot, droot, b, opts.Xattrs, changed)
		if gone(err) {
			changed(b.paths[0], err)
			continue
		}
		if err != nil {
			return st, err
		}
		st.BigFiles++
		st.BigSize += cs.Size
		st.BigWritten += cs.Written
		if cs.Written > 0 {
			st.Transferred++
		}
		for _, p := range b.paths {
			dirs[filepath.Dir(p)] = true
		}
	}
	// 3. Creating and removing files changed their directories' times: set them back.
	for d := range dirs {
		hook(stepDirTimes, d)
		err := setDirTimes(sroot, droot, d)
		if gone(err) {
			changed(d, err)
			continue
		}
		if err != nil {
			return st, err
		}
	}
	// 4. The top directory's owner, mode and times last: until everything below is
	// written, a new destination (a restore's, 0700) lets no user into the tree,
	// where one could plant a name in a directory the copy gave them before a big
	// file or a hard link is written there.
	if err := ts.dirMeta(sd, dd, ".", rs); err != nil {
		return st, fmt.Errorf("tree %s/ → %s/: %w", src, dst, err)
	}
	// 5. The mark, when what it names held all along: the same mounts at the end (and
	// every mount point the walk met among them).
	if mark != "" {
		end, _, err := treeMark(sd, rs, opts)
		if err == nil && markHash(mark) == markHash(end) && !slices.ContainsFunc(st.ExcludedMnts, func(p string) bool { return !mountPoints[below(src, p)] }) {
			st.Mark = mark
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

// walkBeneath calls fn for root (rel ".") and everything below it, in lexical order,
// a directory before what it holds, with each entry's own stat (a symlink's, never
// its target's); fn says whether to enter a directory. A directory is read through a
// descriptor opened below its parent's without following a symlink and checked to be
// the inode fn was shown: one swapped for a symlink or a file since it was listed is
// not entered (changed is told), nor one that vanished.
func walkBeneath(root *beneath.Dir, fn func(rel string, s *unix.Stat_t) (bool, error), changed func(string, error)) error {
	s, err := root.Stat()
	if err != nil {
		return fmt.Errorf("walk %s: %w", root.Name(), err)
	}
	if enter, err := fn(".", &s); err != nil || !enter {
		return err
	}
	d, err := root.OpenFile(".", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return fmt.Errorf("walk: %w", err)
	}
	return walkDir(d, ".", fn, changed)
}

// walkDir walks the open directory d (rel below the root), and closes it.
func walkDir(d *os.File, rel string, fn func(string, *unix.Stat_t) (bool, error), changed func(string, error)) error {
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("walk %s: %w", d.Name(), err)
	}
	sort.Strings(names)
	fd := int(d.Fd())
	for _, n := range names {
		r := filepath.Join(rel, n)
		var s unix.Stat_t
		if err := unix.Fstatat(fd, n, &s, unix.AT_SYMLINK_NOFOLLOW); err == unix.ENOENT {
			continue // vanished from a live tree since its directory was read
		} else if err != nil {
			return fmt.Errorf("walk: lstat %s: %w", filepath.Join(d.Name(), n), err)
		}
		enter, err := fn(r, &s)
		if err != nil {
			return err
		}
		if !enter || s.Mode&unix.S_IFMT != unix.S_IFDIR {
			continue
		}
		// One name, O_NOFOLLOW: no symlink is followed, and no ".." can appear.
		cfd, err := unix.Openat(fd, n, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		switch {
		case err == unix.ENOENT:
			continue
		case err == unix.ENOTDIR || err == unix.ELOOP:
			changed(r, &os.PathError{Op: "walk", Path: filepath.Join(d.Name(), n), Err: errChanged})
			continue
		case err != nil:
			return fmt.Errorf("walk: open %s: %w", filepath.Join(d.Name(), n), err)
		}
		child := os.NewFile(uintptr(cfd), filepath.Join(d.Name(), n))
		if cs, err := beneath.Fstat(child); err != nil || !beneath.SameFile(cs, s) {
			child.Close()
			changed(r, &os.PathError{Op: "walk", Path: child.Name(), Err: errChanged})
			continue
		}
		if err := walkDir(child, r, fn, changed); err != nil {
			return err
		}
	}
	return nil
}

// onlySkips returns what Only leaves out, as few absolute paths (below src, the path
// of root) as can say it: the entries that neither match, nor lie below a match, nor
// lead to one, whose parent does (a whole directory leading to no match is one path).
func onlySkips(root *beneath.Dir, src string, only []string, changed func(string, error)) ([]string, error) {
	for _, g := range only {
		if err := CheckExclude(g); err != nil {
			return nil, fmt.Errorf("only: %w", err)
		}
	}
	type node struct {
		rel  string
		keep bool
	}
	var nodes []*node
	byRel := map[string]*node{}
	matched := 0
	err := walkBeneath(root, func(rel string, s *unix.Stat_t) (bool, error) {
		if rel == "." {
			return true, nil
		}
		n := &node{rel: rel}
		nodes, byRel[rel] = append(nodes, n), n
		for _, g := range only {
			if ok, _ := path.Match(strings.TrimPrefix(g, "/"), rel); ok {
				matched++
				for a := rel; a != "."; a = filepath.Dir(a) {
					byRel[a].keep = true
				}
				return false, nil // a directory: all of it, not listed: its parent is kept
			}
		}
		return true, nil
	}, changed)
	if err != nil {
		return nil, err
	}
	if matched == 0 {
		return nil, fmt.Errorf("%w in %s by %s", ErrNothingMatched, src, strings.Join(only, " "))
	}
	var out []string
	for _, n := range nodes {
		if parent := filepath.Dir(n.rel); !n.keep && (parent == "." || byRel[parent].keep) {
			out = append(out, filepath.Join(src, n.rel))
		}
	}
	return out, nil
}

// CheckExclude says what is wrong with an exclude glob (see TreeOptions.Exclude).
func CheckExclude(g string) error {
	switch {
	case g == "" || g == "/":
		return fmt.Errorf("exclude %q: empty (want e.g. *.iso or /var/tmp)", g)
	case strings.HasSuffix(g, "/"):
		return fmt.Errorf("exclude %q: ends in / (a directory is excluded by its name: %q)", g, strings.TrimRight(g, "/"))
	}
	if _, err := path.Match(strings.TrimPrefix(g, "/"), ""); err != nil {
		return fmt.Errorf("exclude %q: not a valid glob (see path.Match)", g)
	}
	return nil
}

// excluded: rel (a path below the tree's root) matches one of the globs.
func excluded(globs []string, rel string) bool {
	for _, g := range globs {
		var ok bool
		if strings.Contains(g, "/") {
			ok, _ = path.Match(strings.TrimPrefix(g, "/"), rel)
		} else {
			ok, _ = path.Match(g, filepath.Base(rel))
		}
		if ok {
			return true
		}
	}
	return false
}

// errChanged: a path below a root is no longer what the walk saw there (another
// inode, another type).
var errChanged = errors.New("not what the walk saw there")

// gone: err says a path below a root vanished or changed since the walk (another
// inode or type, a symlink or a file on the way to it): a live tree's change, skipped
// and counted as rsync skips a vanished file, never followed.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, errChanged) || errors.Is(err, beneath.ErrNotBeneath) ||
		errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP)
}

// syncBig copies the big file b from below sroot to the same place below droot, in
// place, changed blocks only, and gives it b's owner, mode, times (and xattrs), and
// its other names as hard links. Both files are opened below their roots without
// following any symlink, the source checked to be the inode the walk saw; everything
// after is done on the open files. An error for which gone is true: b changed since
// the walk, nothing written. changed is told of an other name that changed.
func syncBig(ctx context.Context, sroot, droot *beneath.Dir, b *bigFile, withXattrs bool, changed func(string, error)) (Stats, error) {
	rel := b.paths[0]
	hook(stepCopy, rel)
	// O_PATH first: a FIFO or device swapped in is never opened (openInode); only
	// the regular file the walk saw is reopened for reading.
	pf, err := sroot.OpenFile(rel, unix.O_PATH, 0)
	if err != nil {
		return Stats{}, err
	}
	sf, sst, err := reopenRegular(pf, unix.O_RDONLY, &b.st)
	pf.Close()
	if err != nil {
		return Stats{}, err
	}
	defer sf.Close()
	if err := replaceNonFile(droot, rel); err != nil {
		return Stats{}, err
	}
	hook(stepOpenCopy, rel)
	df, dst, err := openBigCopy(droot, rel, unix.O_CREAT)
	if err == nil && dst.Nlink > 1 && sst.Nlink == 1 {
		// The copy's inode has other names (hard-linked at an earlier night) that the
		// source no longer links: written in place it would change their copies too.
		df.Close()
		if err = droot.RemoveAll(rel); err == nil {
			df, dst, err = openBigCopy(droot, rel, unix.O_CREAT|unix.O_EXCL)
		}
	}
	if err != nil {
		return Stats{}, err
	}
	defer df.Close()
	cs, err := Copy(ctx, sf.Name(), df.Name(), Options{SrcFile: sf, DstFile: df})
	if err != nil {
		return cs, err
	}
	hook(stepMeta, rel)
	if err := setMeta(df, sst); err != nil {
		return cs, err
	}
	hook(stepXattrs, rel)
	if err := copyXattrs(sf, df, withXattrs); err != nil {
		return cs, err
	}
	for _, p := range b.paths[1:] { // the other names of the same inode
		hook(stepLink, p)
		if err := linkOther(sroot, droot, rel, p, sst, dst); gone(err) {
			changed(p, err)
		} else if err != nil {
			return cs, err
		}
	}
	return cs, nil
}

// openBigCopy opens (flags: O_CREAT, O_EXCL) the copy of a big file, rel below
// droot, checked to be a regular file. One that is there is opened O_PATH first and
// reopened only once it is a regular file (a FIFO or device swapped in since
// replaceNonFile is never opened); one that is not is made, O_EXCL.
func openBigCopy(droot *beneath.Dir, rel string, flags int) (*os.File, unix.Stat_t, error) {
	if flags&unix.O_EXCL == 0 {
		pf, err := droot.OpenFile(rel, unix.O_PATH, 0)
		if err == nil {
			defer pf.Close()
			return reopenRegular(pf, unix.O_RDWR, nil) // a non-file: swapped in since replaceNonFile
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, unix.Stat_t{}, err
		}
		flags |= unix.O_EXCL // nothing there: made, and nothing swapped in is used
	}
	df, err := droot.OpenFile(rel, unix.O_RDWR|unix.O_NONBLOCK|flags, 0o600)
	if err != nil {
		return nil, unix.Stat_t{}, err
	}
	dst, err := beneath.Fstat(df)
	if err != nil {
		df.Close()
		return nil, dst, fmt.Errorf("stat %s: %w", df.Name(), err)
	}
	if dst.Mode&unix.S_IFMT != unix.S_IFREG {
		df.Close()
		return nil, dst, &os.PathError{Op: "open", Path: df.Name(), Err: errChanged}
	}
	return df, dst, nil
}

// reopenRegular reopens pf, an O_PATH descriptor, with flags (and O_NONBLOCK) only
// when it is a regular file and, want non-nil, the inode want (errChanged when
// not): what is not the file expected is never opened (beneath.Reopen). It
// returns the file's stat.
func reopenRegular(pf *os.File, flags int, want *unix.Stat_t) (*os.File, unix.Stat_t, error) {
	st, err := beneath.Fstat(pf)
	if err != nil {
		return nil, st, fmt.Errorf("stat %s: %w", pf.Name(), err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || (want != nil && !beneath.SameFile(st, *want)) {
		return nil, st, &os.PathError{Op: "open", Path: pf.Name(), Err: errChanged}
	}
	f, err := beneath.Reopen(int(pf.Fd()), flags|unix.O_NONBLOCK, pf.Name())
	return f, st, err
}

// linkOther makes p below droot another name of rel, the file dst, where p below
// sroot is still a name of the source's inode sst.
func linkOther(sroot, droot *beneath.Dir, rel, p string, sst, dst unix.Stat_t) error {
	s, err := sroot.Lstat(p)
	if err != nil {
		return err
	}
	if !beneath.SameFile(s, sst) {
		return &os.PathError{Op: "lstat", Path: p, Err: errChanged}
	}
	d, err := droot.Lstat(p)
	if err == nil && beneath.SameFile(d, dst) {
		return nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := droot.RemoveAll(p); err != nil {
		return err
	}
	if err := droot.Link(rel, p); err != nil {
		return fmt.Errorf("hard link: %w", err)
	}
	// Link resolved rel by its name again: p must now be the file copied.
	if d, err = droot.Lstat(p); err != nil {
		return err
	}
	if !beneath.SameFile(d, dst) {
		return &os.PathError{Op: "link", Path: p, Err: errChanged}
	}
	return nil
}

// setDirTimes gives the directory d below droot the times of d below sroot, both
// still directories.
func setDirTimes(sroot, droot *beneath.Dir, d string) error {
	s, err := sroot.Lstat(d)
	if err != nil {
		return err
	}
	if s.Mode&unix.S_IFMT != unix.S_IFDIR {
		return &os.PathError{Op: "lstat", Path: d, Err: errChanged}
	}
	dd, err := droot.OpenDir(d)
	if err != nil {
		return err
	}
	defer dd.Close()
	if err := futimens(dd.Fd(), s.Atim, s.Mtim); err != nil {
		return fmt.Errorf("times of %s: %w", dd.Name(), err)
	}
	return nil
}

// futimens sets the times of the open file fd (utimensat with no path).
func futimens(fd int, atime, mtime unix.Timespec) error {
	ts := [2]unix.Timespec{atime, mtime}
	if _, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0); e != 0 {
		return e
	}
	return nil
}

// copyXattrs gives the open file dst the extended attributes of the open file src
// (and only those), as rsync -X.
func copyXattrs(src, dst *os.File, on bool) error {
	if !on {
		return nil
	}
	want, err := xattrs(src)
	if err != nil {
		return err
	}
	have, err := xattrs(dst)
	if err != nil {
		return err
	}
	fd := int(dst.Fd())
	for k := range have {
		if _, ok := want[k]; !ok {
			if err := unix.Fremovexattr(fd, k); err != nil {
				return fmt.Errorf("xattr %s of %s: %w", k, dst.Name(), err)
			}
		}
	}
	for k, v := range want {
		if hv, ok := have[k]; ok && string(hv) == string(v) {
			continue
		}
		if err := unix.Fsetxattr(fd, k, v, 0); err != nil {
			return fmt.Errorf("xattr %s of %s: %w", k, dst.Name(), err)
		}
	}
	return nil
}

// xattrs reads an open file's extended attributes, but the ACLs' (system.*: rsync -A's).
func xattrs(f *os.File) (map[string][]byte, error) {
	fd := int(f.Fd())
	return readXattrs(f.Name(), func(b []byte) (int, error) { return unix.Flistxattr(fd, b) },
		func(k string, b []byte) (int, error) { return unix.Fgetxattr(fd, k, b) })
}

// readXattrs reads the xattrs (but system.*, the ACLs') of what list and get read,
// name naming it in errors; none where the filesystem has none (ENOTSUP).
func readXattrs(name string, list func([]byte) (int, error), get func(string, []byte) (int, error)) (map[string][]byte, error) {
	out := map[string][]byte{}
	sz, err := list(nil)
	if errors.Is(err, unix.ENOTSUP) {
		return out, nil
	}
	if err != nil || sz == 0 {
		return out, err
	}
	buf := make([]byte, sz)
	if sz, err = list(buf); err != nil {
		return nil, fmt.Errorf("xattrs of %s: %w", name, err)
	}
	for _, k := range strings.Split(strings.TrimRight(string(buf[:sz]), "\x00"), "\x00") {
		if k == "" || strings.HasPrefix(k, "system.") {
			continue
		}
		n, err := get(k, nil)
		if err != nil {
			return nil, fmt.Errorf("xattr %s of %s: %w", k, name, err)
		}
		v := make([]byte, n)
		if n, err = get(k, v); err != nil {
			return nil, fmt.Errorf("xattr %s of %s: %w", k, name, err)
		}
		out[k] = v[:n]
	}
	return out, nil
}

// replaceNonFile removes whatever is at rel below root unless it is a regular file
// (a directory or a symlink where the source now has a big file).
func replaceNonFile(root *beneath.Dir, rel string) error {
	s, err := root.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && s.Mode&unix.S_IFMT == unix.S_IFREG) {
		return nil
	}
	if err != nil {
		return err
	}
	return root.RemoveAll(rel)
}

// setMeta gives the open file f the owner, mode and times of s, as rsync -a does:
// the owner and mode where they differ (fixMeta: on ZFS each change is a
// transaction of its own, and a file made by root for a root-owned source already
// has its owner), the times always.
func setMeta(f *os.File, s unix.Stat_t) error {
	fd := int(f.Fd())
	ds, err := fstatFd(fd)
	if err != nil {
		return fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	if err := fixMeta(f, ds, s, false); err != nil {
		return err
	}
	if err := futimens(fd, s.Atim, s.Mtim); err != nil {
		return fmt.Errorf("times of %s: %w", f.Name(), err)
	}
	return nil
}
