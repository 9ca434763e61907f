package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/beneath"
)

// The in-process pass of SyncTree: one walk of src and dst together, directory by
// directory, each directory of both trees held open and every change made with *at
// calls on its descriptor and one name, never following a symlink (O_NOFOLLOW,
// AT_SYMLINK_NOFOLLOW), each source entry checked, once opened, to be the inode
// listed. It leaves what `rsync -aHx --delete --numeric-ids --inplace [-X]` leaves;
// big files and hard-linked regular files are only collected, for the steps after
// it (groupFiles, then the links and Copy in SyncTree), as are the other names of
// hard-linked symlinks and special files.
//
// Deliberate differences from rsync: a copy's time is set to the nanosecond whenever
// it is set (rsync compares times to the second, and leaves the time of a copy it
// made within the second of its source's mtime as it made it); a big file's content
// is compared block by block by Copy, whatever its size and time say; the xattrs of
// a mount point's root (the other file system's) are not copied.

// errVanished: a source entry listed in its directory was gone when opened (a live
// tree): skipped, as rsync skips a vanished file (its exit 24).
var errVanished = errors.New("vanished since listed")

// treeSync is the state of the in-process pass.
type treeSync struct {
	ctx     context.Context
	opts    TreeOptions
	src     string
	dev     uint64
	skip    map[string]bool
	changed func(string, error) // called under mu
	// since: TreeOptions.Unchanged less a second, in ns (0: not set): what has a
	// ctime before it has not changed since dst was a copy of it (unchanged).
	since int64

	// Directories are synced by up to cap(slots) goroutines at once (a directory's
	// subdirectories in parallel while it waits for them to set its times); one
	// without a free slot is synced by the goroutine that found it.
	slots chan struct{}
	bufs  sync.Pool

	mu     sync.Mutex // guards what follows
	st     *TreeStats
	bigs   map[inode]*bigFile
	groups map[inode]*linkGroup
	order  []*linkGroup
	err    error // the first error of a goroutine: the others stop
}

// treeWorkers bounds the goroutines that sync directories: the walk waits on
// metadata reads (a cold tree on disks) more than on the CPU.
const treeWorkers = 8

// locked runs f under t.mu.
func (t *treeSync) locked(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f()
}

// failed records err (the first one wins) and says whether the walk must stop.
func (t *treeSync) failed(err error) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = err
	}
	return t.err != nil
}

// linkGroup is a source inode (not a big file, not a directory) with more than one
// name in the tree: the first name is copied, the others linked to it after the pass.
type linkGroup struct {
	paths []string
	st    unix.Stat_t // the source's
	lead  string      // the name copied
	dst   unix.Stat_t // its copy
	ok    bool        // lead was copied: the others are linked to it
}

// groupFiles copies one name of each hard-linked regular file of the source (a
// group), after the walk, its lead: as rsync -H, the
// first whose copy passes the quick check (size and mtime: not read again), else the
// first that has a regular file in the copy (written in place), else the first. The
// parents are opened below the roots (openat2, no symlink followed). The directories
// it writes in go to dirs (their times are set back after).
func (t *treeSync) groupFiles(sroot, droot *beneath.Dir, dirs map[string]bool) error {
	for _, g := range t.order {
		if ftype(g.st.Mode) != unix.S_IFREG {
			continue
		}
		lead, fallback := -1, -1
		for i, p := range g.paths {
			ds, err := droot.Lstat(p)
			if err != nil || ftype(ds.Mode) != unix.S_IFREG {
				continue
			}
			if ds.Size == g.st.Size && ds.Mtim.Sec == g.st.Mtim.Sec {
				lead = i
				break
			}
			if fallback < 0 {
				fallback = i
			}
		}
		if lead < 0 {
			lead = max(fallback, 0)
		}
		// A lead that vanished or changed (a live tree) is skipped: the next name
		// that is still this file is copied instead.
		order := append([]string{g.paths[lead]}, slices.Delete(slices.Clone(g.paths), lead, lead+1)...)
		for _, rel := range order {
			err := t.groupFile(sroot, droot, g, rel)
			if err == nil {
				dirs[filepath.Dir(rel)] = true
				break
			}
			if err := t.skipped(rel, err); err != nil {
				return err
			}
		}
	}
	return nil
}

// groupFile copies the name rel of the group g.
func (t *treeSync) groupFile(sroot, droot *beneath.Dir, g *linkGroup, rel string) error {
	sp, name, err := sroot.Parent(rel)
	if err != nil {
		return err
	}
	defer sp.Close()
	dp, _, err := droot.Parent(rel)
	if err != nil {
		return err
	}
	defer dp.Close()
	if err := t.file(sp.Fd(), dp.Fd(), name, rel, &g.st); err != nil {
		return err
	}
	if err := unix.Fstatat(dp.Fd(), name, &g.dst, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "lstat", Path: rel, Err: err}
	}
	g.lead, g.ok = rel, true
	return nil
}

const copyChunk = 256 << 10

// entry kinds the pass distinguishes
func ftype(m uint32) uint32 { return m & unix.S_IFMT }

// run syncs the directory sd (src's ".") into dd (dst's ".").
func (t *treeSync) run(sd, dd *os.File, srcSt unix.Stat_t) error {
	t.dev = srcSt.Dev
	workers := treeWorkers
	if testHook != nil {
		workers = 1 // a test's swaps land at one known step: one goroutine
	}
	t.slots = make(chan struct{}, workers-1)
	t.bufs.New = func() any { b := make([]byte, 2*copyChunk); return &b }
	if err := t.dir(sd, dd, ".", t.since != 0, &srcSt); err != nil {
		return err
	}
	if t.err != nil {
		return t.err
	}
	sort.Strings(t.st.Excluded)
	sort.Strings(t.st.ExcludedMnts)
	sort.Slice(t.order, func(i, j int) bool { return t.order[i].paths[0] < t.order[j].paths[0] })
	for _, g := range t.order {
		sort.Strings(g.paths)
	}
	return nil // "."'s owner and mode: SyncTree's last step
}

// srcErr says what an error opening or reading the source entry rel means.
func srcErr(rel string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ENOENT):
		return &os.PathError{Op: "open", Path: rel, Err: errVanished}
	case errors.Is(err, unix.ELOOP), errors.Is(err, unix.ENOTDIR), errors.Is(err, unix.EINVAL):
		return &os.PathError{Op: "open", Path: rel, Err: errChanged}
	}
	return &os.PathError{Op: "open", Path: rel, Err: err}
}

// skipped handles a per-entry error: a vanished or changed entry is counted and
// skipped (nil); anything else is returned.
func (t *treeSync) skipped(rel string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errVanished):
		t.locked(func() { t.st.Vanished = true })
		return nil
	case gone(err) || errors.Is(err, unix.EEXIST):
		t.locked(func() { t.changed(rel, err) })
		return nil
	}
	return err
}

// readNames lists the open directory d (just opened), sorted.
func readNames(d *os.File) ([]string, error) {
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// unchanged: the source inode s has not changed since dst was a copy of src (the
// ctime test of TreeOptions.Unchanged).
func (t *treeSync) unchanged(s *unix.Stat_t) bool {
	return t.since != 0 && s.Ctim.Nano() < t.since
}

// dir syncs the open source directory sd (stat s) into the open copy dd (rel below
// the roots). ours: dd is the copy of sd as dst was made at TreeOptions.Unchanged
// (sd is src itself, whose identity TreeMark holds; or sd is where it was then, as
// subdir decides, and dd was not made now). A name of sd that has not changed since
// is then its copy's too: one file (not big), symlink or special file with one link
// is taken as copied; and when sd's own names have not changed either (its ctime,
// read again after they were listed: s is updated), dd's are not listed, and each
// directory in sd is where it was too.
func (t *treeSync) dir(sd, dd *os.File, rel string, ours bool, s *unix.Stat_t) error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	names, err := readNames(sd)
	if err != nil {
		return fmt.Errorf("read %s: %w", sd.Name(), err)
	}
	sfd, dfd := int(sd.Fd()), int(dd.Fd())
	type item struct {
		name string
		st   unix.Stat_t
	}
	var items []item
	keep := map[string]bool{}
	excl := map[string]bool{}
	for _, n := range names {
		var s unix.Stat_t
		if err := unix.Fstatat(sfd, n, &s, unix.AT_SYMLINK_NOFOLLOW); err == unix.ENOENT {
			t.locked(func() { t.st.Vanished = true })
			continue
		} else if err != nil {
			return fmt.Errorf("lstat %s: %w", filepath.Join(sd.Name(), n), err)
		}
		r := joinRel(rel, n)
		if (len(t.skip) > 0 && t.skip[filepath.Join(t.src, r)]) || (len(t.opts.Exclude) > 0 && excluded(t.opts.Exclude, r)) {
			t.locked(func() { t.st.Excluded = append(t.st.Excluded, r) })
			excl[n] = true
			continue
		}
		keep[n] = true
		items = append(items, item{n, s})
	}
	// sd's ctime after its names and their inodes were read: when it has not moved
	// since, no name was added, removed or renamed in sd before or while they were.
	if err := unix.Fstat(sfd, s); err != nil {
		return fmt.Errorf("stat %s: %w", sd.Name(), err)
	}
	same := ours && t.unchanged(s)
	// --delete (and excluded paths, Skip's): what the copy has that the source has not
	// (nothing, when the names are the same).
	var dnames []string
	if !same {
		if dnames, err = readNames(dd); err != nil {
			return fmt.Errorf("read %s: %w", dd.Name(), err)
		}
	}
	for _, n := range dnames {
		if keep[n] {
			continue
		}
		r := filepath.Join(rel, n)
		if excl[n] {
			hook(stepExcluded, r)
		} else {
			hook(stepDelete, r)
		}
		if err := beneath.RemoveAllAt(dfd, n); err != nil {
			if err := t.skipped(r, err); err != nil {
				return fmt.Errorf("remove %s: %w", filepath.Join(dd.Name(), n), err)
			}
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, it := range items {
		r := joinRel(rel, it.name)
		hook(stepEntry, r)
		s := &it.st
		var err error
		switch {
		case s.Dev != t.dev && ftype(s.Mode) == unix.S_IFDIR:
			// another file system's mount point: its root, empty (rsync -x, which
			// applies to directories only: a file bind-mounted here is copied)
			t.locked(func() { t.st.ExcludedMnts = append(t.st.ExcludedMnts, filepath.Join(t.src, r)) })
			err = t.mountPoint(dfd, it.name, r, s)
		case ftype(s.Mode) == unix.S_IFDIR:
			err = t.subdir(sd, dd, it.name, r, s, ours, same, &wg)
		case ftype(s.Mode) == unix.S_IFREG && s.Size >= t.opts.BigFile:
			t.locked(func() {
				t.st.Files++
				b := t.bigs[inodeOf(s)]
				if b == nil {
					b = &bigFile{st: *s}
					t.bigs[inodeOf(s)] = b
				}
				b.paths = append(b.paths, r)
			})
		default:
			var g *linkGroup
			later := false
			t.locked(func() {
				if ftype(s.Mode) == unix.S_IFREG {
					t.st.Files++
				}
				if ours && s.Nlink == 1 && t.unchanged(s) { // its copy is as it is
					t.st.Unchanged++
					later = true
					return
				}
				if s.Nlink > 1 { // -H: one name is copied, the others linked to it
					if g = t.groups[inodeOf(s)]; g != nil {
						g.paths = append(g.paths, r)
						later = true
						return
					}
					g = &linkGroup{paths: []string{r}, st: *s}
					t.groups[inodeOf(s)] = g
					t.order = append(t.order, g)
					// a file: after the walk, when all its names are known (groupFiles)
					later = ftype(s.Mode) == unix.S_IFREG
				}
			})
			if later {
				continue
			}
			switch ftype(s.Mode) {
			case unix.S_IFREG:
				err = t.file(sfd, dfd, it.name, r, s)
			case unix.S_IFLNK:
				err = t.symlink(sfd, dfd, it.name, r, s)
			default:
				err = t.special(sfd, dfd, it.name, r, s)
			}
			if err == nil && g != nil {
				var ds unix.Stat_t
				ok := unix.Fstatat(dfd, it.name, &ds, unix.AT_SYMLINK_NOFOLLOW) == nil
				t.locked(func() { g.lead, g.dst, g.ok = r, ds, ok })
			}
		}
		if err := t.skipped(r, err); err != nil {
			t.failed(err)
			return err
		}
		if t.failed(nil) {
			return nil // another goroutine's error: SyncTree returns it
		}
	}
	return nil
}

// joinRel is filepath.Join(rel, name) for a name read from a directory.
func joinRel(rel, name string) string {
	if rel == "." {
		return name
	}
	return rel + "/" + name
}

// prepare makes way in dd for a source entry of type typ at name: whatever is there
// of another type is removed. It returns what stays (exists false: nothing).
func prepare(dfd int, name, rel string, typ uint32) (unix.Stat_t, bool, error) {
	var ds unix.Stat_t
	err := unix.Fstatat(dfd, name, &ds, unix.AT_SYMLINK_NOFOLLOW)
	if err == unix.ENOENT {
		return ds, false, nil
	}
	if err != nil {
		return ds, false, err
	}
	if ftype(ds.Mode) == typ {
		return ds, true, nil
	}
	hook(stepDelete, rel)
	return ds, false, beneath.RemoveAllAt(dfd, name)
}

// subdir syncs the source directory name in sd (stat s) into dd (ours: dd is the
// copy of sd, as for dir; same: sd's names have not changed since
// TreeOptions.Unchanged, up to after s was read).
//
// Its copy in dd is its copy as dst was made then (ours for it) when dd is sd's and
// its copy was not made now, and it is where it was then: its ctime did not move (a
// rename moves the ctime of what is renamed), or sd's names did not change (no
// directory was renamed into sd, nor out of it). It is then the inode s, opened
// by name and checked. Either way its own owner, mode and times are set unless its
// ctime did not move.
func (t *treeSync) subdir(sd, dd *os.File, name, rel string, s *unix.Stat_t, ours, same bool, wg *sync.WaitGroup) error {
	hook(stepWalk, rel)
	// One name, O_NOFOLLOW: no symlink is followed, no ".." can appear; then the
	// inode listed, or nothing is done.
	cfd, err := unix.Openat(int(sd.Fd()), name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return srcErr(filepath.Join(sd.Name(), name), err)
	}
	csd := os.NewFile(uintptr(cfd), filepath.Join(sd.Name(), name))
	if cs, err := fstatFd(cfd); err != nil || !sameFile(cs, *s) {
		csd.Close()
		return &os.PathError{Op: "open", Path: csd.Name(), Err: errChanged}
	}
	cdd, made, err := openDstDir(int(dd.Fd()), dd.Name(), name, rel)
	if err != nil {
		csd.Close()
		return err
	}
	ours = ours && !made && (t.unchanged(s) || same) // where it was
	walk := func() error {
		defer csd.Close()
		defer cdd.Close()
		if err := t.dir(csd, cdd, rel, ours, s); err != nil { // s: as read after its names
			return err
		}
		if ours && t.unchanged(s) { // its owner, mode, xattrs and times are its copy's
			t.locked(func() { t.st.Unchanged++ })
			return nil
		}
		return t.dirMeta(csd, cdd, rel, *s)
	}
	select {
	case t.slots <- struct{}{}: // a free slot: in parallel
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-t.slots }()
			if err := t.skipped(rel, walk()); err != nil {
				t.failed(err)
			}
		}()
		return nil
	default:
		return walk()
	}
}

// openDstDir opens (made 0700 when missing: made) the directory name in dd.
func openDstDir(dfd int, dname, name, rel string) (_ *os.File, made bool, _ error) {
	hook(stepDstDir, rel)
	_, exists, err := prepare(dfd, name, rel, unix.S_IFDIR)
	if err != nil {
		return nil, false, err
	}
	if !exists {
		if err := unix.Mkdirat(dfd, name, 0o700); err != nil {
			return nil, false, &os.PathError{Op: "mkdir", Path: filepath.Join(dname, name), Err: err}
		}
	}
	cfd, err := unix.Openat(dfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, !exists, &os.PathError{Op: "open", Path: filepath.Join(dname, name), Err: err}
	}
	return os.NewFile(uintptr(cfd), filepath.Join(dname, name)), !exists, nil
}

// mountPoint makes the mount point name an empty directory with the other file
// system's root's owner, mode and times, as rsync -x does; what the copy holds in it
// is left alone (rsync does not delete there either).
func (t *treeSync) mountPoint(dfd int, name, rel string, s *unix.Stat_t) error {
	cdd, _, err := openDstDir(dfd, "", name, rel)
	if err != nil {
		return err
	}
	defer cdd.Close()
	return t.dirMeta(nil, cdd, rel, *s)
}

// dirMeta gives the copy dd the owner, mode, xattrs and times of the source sd (the
// inode s): after its contents, so that its time stays and nobody else can write in
// a new directory while it is filled.
func (t *treeSync) dirMeta(sd, dd *os.File, rel string, s unix.Stat_t) error {
	hook(stepDirMeta, rel)
	ds, err := fstatFd(int(dd.Fd()))
	if err != nil {
		return err
	}
	if err := fixMeta(dd, ds, s, true); err != nil {
		return err
	}
	if sd != nil {
		if err := copyXattrs(sd, dd, t.opts.Xattrs); err != nil {
			return err
		}
	}
	return nil
}

// fixMeta gives the open f (now ds) the owner and mode of s, and, when times and its
// mtime differs from s's (to the second, as rsync compares), s's times.
func fixMeta(f *os.File, ds, s unix.Stat_t, times bool) error {
	fd := int(f.Fd())
	chowned := false
	if ds.Uid != s.Uid || ds.Gid != s.Gid {
		if err := unix.Fchown(fd, int(s.Uid), int(s.Gid)); err != nil {
			return fmt.Errorf("owner of %s: %w", f.Name(), err)
		}
		chowned = true
	}
	if chowned || ds.Mode&0o7777 != s.Mode&0o7777 { // after chown: it clears setuid
		if err := unix.Fchmod(fd, s.Mode&0o7777); err != nil {
			return fmt.Errorf("mode of %s: %w", f.Name(), err)
		}
	}
	if times && ds.Mtim.Sec != s.Mtim.Sec {
		if err := futimens(fd, s.Atim, s.Mtim); err != nil {
			return fmt.Errorf("times of %s: %w", f.Name(), err)
		}
	}
	return nil
}

// file syncs the small regular file name of sfd (stat s) into dfd: rsync's quick
// check (size and mtime, to the second) first; then in place, differing blocks only.
func (t *treeSync) file(sfd, dfd int, name, rel string, s *unix.Stat_t) error {
	ds, exists, err := prepare(dfd, name, rel, unix.S_IFREG)
	if err != nil {
		return err
	}
	quick := exists && ds.Size == s.Size && ds.Mtim.Sec == s.Mtim.Sec
	if quick && ds.Uid == s.Uid && ds.Gid == s.Gid && ds.Mode == s.Mode && (!t.opts.Xattrs || sameXattrsAt(sfd, dfd, name)) {
		return nil // the common case: one lstat of each side (and their xattrs read)
	}
	if exists && ds.Nlink > 1 && s.Nlink == 1 {
		// The copy's inode has other names (hard-linked at an earlier night) and the
		// source's no longer: written or changed in place, it would change their
		// copies too (rsync --inplace does). This name gets an inode of its own.
		hook(stepDelete, rel)
		if err := unix.Unlinkat(dfd, name, 0); err != nil && err != unix.ENOENT {
			return &os.PathError{Op: "unlink", Path: rel, Err: err}
		}
		exists, quick = false, false
	}
	if quick {
		hook(stepMeta, rel)
		df, err := openChecked(dfd, name, unix.O_RDONLY, ds)
		if err != nil {
			return err
		}
		defer df.Close()
		if err := fixMeta(df, ds, *s, false); err != nil {
			return err
		}
		if !t.opts.Xattrs {
			return nil
		}
		hook(stepXattrs, rel)
		sf, _, err := openSrc(sfd, name, rel, s)
		if err != nil {
			return err
		}
		defer sf.Close()
		return copyXattrs(sf, df, true)
	}
	hook(stepFile, rel)
	sf, now, err := openSrc(sfd, name, rel, s)
	if err != nil {
		return err
	}
	defer sf.Close()
	// What is copied is the file as opened: a live file written since it was listed
	// (the same inode) is copied with its size and times now, so that a change after
	// this is seen by the next quick check.
	s = &now
	var df *os.File
	if exists {
		df, err = openChecked(dfd, name, unix.O_RDWR, ds)
	} else {
		// New: 0600 until it is filled and owned, O_EXCL: nothing swapped in is used.
		var fd int
		fd, err = unix.Openat(dfd, name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err == nil {
			df = os.NewFile(uintptr(fd), name)
			ds = unix.Stat_t{Size: 0}
		} else {
			err = &os.PathError{Op: "create", Path: rel, Err: err}
		}
	}
	if err != nil {
		return err
	}
	defer df.Close()
	from := ds.Size // what of the copy is compared
	if exists && ds.Size != s.Size && ds.Size <= ds.Blksize {
		// The copy is one block (on ZFS a file within its block size, which fstat
		// gives) and its size changes: that block is written anew whatever differs,
		// so the copy is not read to compare. Emptied, it is written as a new file.
		hook(stepOneBlock, rel)
		if err := df.Truncate(0); err != nil {
			return fmt.Errorf("truncate %s: %w", rel, err)
		}
		exists, from = false, 0
	}
	n, err := t.copyInPlace(sf, df, s.Size, from, exists)
	if err != nil {
		return err
	}
	t.locked(func() {
		t.st.SmallWritten += n
		if n > 0 || !exists || ds.Size != s.Size {
			t.st.Transferred++
		}
	})
	if err := setMeta(df, *s); err != nil {
		return err
	}
	return copyXattrs(sf, df, t.opts.Xattrs)
}

// openSrc opens the source file name in sfd for reading, only when it is the
// regular file s (openInode), and returns its stat as opened; a name gone is
// srcErr's errVanished.
func openSrc(sfd int, name, rel string, s *unix.Stat_t) (*os.File, unix.Stat_t, error) {
	return openInode(sfd, name, rel, unix.O_RDONLY, *s, srcErr)
}

// openChecked opens the copy's name in dfd (flags: O_RDONLY or O_RDWR) only when
// it is the regular file ds (openInode); an error is the open's own (a name gone
// from the copy is a change, not a vanished source).
func openChecked(dfd int, name string, flags int, ds unix.Stat_t) (*os.File, error) {
	f, _, err := openInode(dfd, name, name, flags, ds, func(rel string, err error) error {
		return &os.PathError{Op: "open", Path: rel, Err: err}
	})
	return f, err
}

// openInode opens name in dfd with flags only when it is the regular file want
// (the walk's stat of it): first with O_PATH, which opens nothing of the inode's
// own (a FIFO or device swapped in is never opened, a symlink never followed),
// checked, then reopened by that descriptor (reopenRegular). A name that is now
// another inode or type is errChanged; the O_PATH open's error is openErr's.
func openInode(dfd int, name, rel string, flags int, want unix.Stat_t, openErr func(string, error) error) (*os.File, unix.Stat_t, error) {
	pfd, err := unix.Openat(dfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, unix.Stat_t{}, openErr(rel, err)
	}
	pf := os.NewFile(uintptr(pfd), rel)
	defer pf.Close()
	return reopenRegular(pf, flags, &want)
}

// copyInPlace makes df (old bytes long, existing or new) hold what sf holds (size
// bytes), writing only the CompareBlock blocks that differ; a new file's blocks of
// zeros stay holes. It returns the bytes written.
func (t *treeSync) copyInPlace(sf, df *os.File, size, old int64, exists bool) (int64, error) {
	buf := t.bufs.Get().(*[]byte)
	defer t.bufs.Put(buf)
	sbuf, dbuf := (*buf)[:copyChunk], (*buf)[copyChunk:]
	cur := old // the copy's length
	if size < old {
		if err := df.Truncate(size); err != nil {
			return 0, err
		}
		cur = size
	}
	var written int64
	for off := int64(0); off < size; {
		want := int(min(int64(copyChunk), size-off))
		n, err := io.ReadFull(io.NewSectionReader(sf, off, int64(want)), sbuf[:want])
		if err == io.ErrUnexpectedEOF || err == io.EOF { // shrunk while read (a live tree)
			err = nil
			size = off + int64(n)
		}
		if err != nil {
			return written, fmt.Errorf("read %s: %w", sf.Name(), err)
		}
		sb := sbuf[:n]
		var db []byte
		if exists && off < old {
			m := int(min(int64(n), old-off))
			if _, err := io.ReadFull(io.NewSectionReader(df, off, int64(m)), dbuf[:m]); err != nil {
				return written, fmt.Errorf("read %s: %w", df.Name(), err)
			}
			db = dbuf[:m]
		}
		// Runs of differing blocks, each written at once.
		for b := 0; b < n; {
			e := min(b+CompareBlock, n)
			if sameBlock(sb[b:e], db, b) {
				b = e
				continue
			}
			s := b
			for b = e; b < n; b = e {
				e = min(b+CompareBlock, n)
				if sameBlock(sb[b:e], db, b) {
					break
				}
			}
			if _, err := df.WriteAt(sb[s:b], off+int64(s)); err != nil {
				return written, fmt.Errorf("write %s: %w", df.Name(), err)
			}
			written += int64(b - s)
			cur = max(cur, off+int64(b))
		}
		off += int64(n)
		if n < want {
			break
		}
	}
	if cur != size { // grown (its tail of zeros a hole), or shrunk while read
		if err := df.Truncate(size); err != nil {
			return written, err
		}
	}
	return written, nil
}

// sameBlock: the source block b (at offset at of the chunk) is what the copy holds
// there: db's bytes, zeros past them (a hole, or past the old end).
func sameBlock(b, db []byte, at int) bool {
	if at < len(db) {
		e := min(at+len(b), len(db))
		if !bytes.Equal(b[:e-at], db[at:e]) {
			return false
		}
		b = b[e-at:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// symlink syncs the symlink name of sfd into dfd: its target, owner and times, the
// link itself, never what it names.
func (t *treeSync) symlink(sfd, dfd int, name, rel string, s *unix.Stat_t) error {
	target, err := beneath.Readlinkat(sfd, name)
	if err != nil {
		return srcErr(rel, err)
	}
	ds, exists, err := prepare(dfd, name, rel, unix.S_IFLNK)
	if err != nil {
		return err
	}
	if exists {
		have, err := beneath.Readlinkat(dfd, name)
		if err != nil {
			return &os.PathError{Op: "readlink", Path: rel, Err: err}
		}
		if have != target {
			hook(stepDelete, rel)
			if err := beneath.RemoveAllAt(dfd, name); err != nil {
				return err
			}
			exists = false
		}
	}
	if !exists {
		hook(stepSymlink, rel)
		if err := unix.Symlinkat(target, dfd, name); err != nil {
			return &os.PathError{Op: "symlink", Path: rel, Err: err}
		}
		ds = unix.Stat_t{Uid: ^uint32(0)}
	}
	if err := nodeMeta(dfd, name, rel, ds, s, !exists); err != nil {
		return err
	}
	return t.nodeXattrs(sfd, dfd, name, rel, s)
}

// special syncs the device node, FIFO or socket s at name into dfd (mknodat), never
// opening it.
func (t *treeSync) special(sfd, dfd int, name, rel string, s *unix.Stat_t) error {
	ds, exists, err := prepare(dfd, name, rel, ftype(s.Mode))
	if err != nil {
		return err
	}
	if exists && ds.Rdev != s.Rdev {
		hook(stepDelete, rel)
		if err := beneath.RemoveAllAt(dfd, name); err != nil {
			return err
		}
		exists = false
	}
	if !exists {
		hook(stepNode, rel)
		if err := unix.Mknodat(dfd, name, ftype(s.Mode)|0o600, int(s.Rdev)); err != nil {
			return &os.PathError{Op: "mknod", Path: rel, Err: err}
		}
		ds = unix.Stat_t{Uid: ^uint32(0)}
	}
	if err := nodeMeta(dfd, name, rel, ds, s, !exists); err != nil {
		return err
	}
	return t.nodeXattrs(sfd, dfd, name, rel, s)
}

// nodeXattrs gives the symlink or special file name in dfd the xattrs of the same
// in sfd (the inode s), as rsync -X does (trusted.* and security.* can be set on
// them), when Xattrs: both opened O_PATH, without following, checked, and their
// xattrs read and written through their /proc/self/fd links, which name the inodes
// themselves (a symlink's own, not what it names).
func (t *treeSync) nodeXattrs(sfd, dfd int, name, rel string, s *unix.Stat_t) error {
	if !t.opts.Xattrs {
		return nil
	}
	hook(stepXattrs, rel)
	if sameXattrsAt(sfd, dfd, name) {
		return nil // the common case, as for an unchanged file: nothing opened
	}
	sp, err := unix.Openat(sfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return srcErr(rel, err)
	}
	defer unix.Close(sp)
	if st, err := fstatFd(sp); err != nil || !sameFile(st, *s) {
		return &os.PathError{Op: "open", Path: rel, Err: errChanged}
	}
	dp, err := unix.Openat(dfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: rel, Err: err}
	}
	defer unix.Close(dp)
	if st, err := fstatFd(dp); err != nil || ftype(st.Mode) != ftype(s.Mode) {
		return &os.PathError{Op: "open", Path: rel, Err: errChanged}
	}
	return syncXattrs(procFd(sp), procFd(dp))
}

func procFd(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// syncXattrs gives the inode at path dst the xattrs of the one at src (but system.*,
// the ACLs'), the last name of each followed (a /proc/self/fd link).
func syncXattrs(src, dst string) error {
	want, err := pathXattrsOf(src)
	if err != nil {
		return err
	}
	have, err := pathXattrsOf(dst)
	if err != nil {
		return err
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			if err := unix.Removexattr(dst, k); err != nil {
				return fmt.Errorf("xattr %s: %w", k, err)
			}
		}
	}
	for k, v := range want {
		if hv, ok := have[k]; ok && bytes.Equal(hv, v) {
			continue
		}
		if err := unix.Setxattr(dst, k, v, 0); err != nil {
			return fmt.Errorf("xattr %s: %w", k, err)
		}
	}
	return nil
}

// pathXattrsOf reads the xattrs of the inode at p (but system.*).
func pathXattrsOf(p string) (map[string][]byte, error) {
	return readXattrs(p, func(b []byte) (int, error) { return unix.Listxattr(p, b) },
		func(k string, b []byte) (int, error) { return unix.Getxattr(p, k, b) })
}

// nodeMeta gives the symlink or special file name in dfd (now ds; made: just made)
// the owner, mode and times of s without opening or following it: through an O_PATH
// descriptor checked to be of s's type (and a special file's mode and times through
// its /proc/self/fd link, which names that inode), a symlink's times by name with
// AT_SYMLINK_NOFOLLOW.
func nodeMeta(dfd int, name, rel string, ds unix.Stat_t, s *unix.Stat_t, made bool) error {
	chown := made || ds.Uid != s.Uid || ds.Gid != s.Gid
	isLink := ftype(s.Mode) == unix.S_IFLNK
	chmod := !isLink && (chown || ds.Mode&0o7777 != s.Mode&0o7777)
	times := made || ds.Mtim.Sec != s.Mtim.Sec
	if !chown && !chmod && !times {
		return nil
	}
	hook(stepMeta, rel)
	fd, err := unix.Openat(dfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: rel, Err: err}
	}
	defer unix.Close(fd)
	now, err := fstatFd(fd)
	if err != nil {
		return err
	}
	if ftype(now.Mode) != ftype(s.Mode) || (!made && !sameFile(now, ds)) {
		return &os.PathError{Op: "open", Path: rel, Err: errChanged}
	}
	if chown {
		if err := unix.Fchownat(fd, "", int(s.Uid), int(s.Gid), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &os.PathError{Op: "chown", Path: rel, Err: err}
		}
	}
	proc := procFd(fd)
	if chmod {
		if err := unix.Fchmodat(unix.AT_FDCWD, proc, s.Mode&0o7777, 0); err != nil {
			return &os.PathError{Op: "chmod", Path: rel, Err: err}
		}
	}
	if times {
		ts := []unix.Timespec{s.Atim, s.Mtim}
		if isLink {
			err = unix.UtimesNanoAt(dfd, name, ts, unix.AT_SYMLINK_NOFOLLOW)
		} else {
			err = unix.UtimesNanoAt(unix.AT_FDCWD, proc, ts, 0)
		}
		if err != nil {
			return &os.PathError{Op: "times", Path: rel, Err: err}
		}
	}
	return nil
}

func fstatFd(fd int) (unix.Stat_t, error) {
	var s unix.Stat_t
	err := unix.Fstat(fd, &s)
	return s, err
}

// inode names a file of the source: a file bind-mounted into the tree is of another
// file system, its inode number no other's.
type inode struct{ dev, ino uint64 }

func inodeOf(s *unix.Stat_t) inode { return inode{s.Dev, s.Ino} }

func sameFile(a, b unix.Stat_t) bool { return a.Dev == b.Dev && a.Ino == b.Ino }
