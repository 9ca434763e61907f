package orchestrator

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
	"github.com/kvmbackup/kvmbackup/internal/fscheck"
	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/internal/mounts"
	"github.com/kvmbackup/kvmbackup/internal/runner"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

const (
	verifyReasonMax  = 512                 // a reason recorded on a snapshot is cut here
	verifyOutputMax  = 4096                // a check command's output kept in the report
	consoleReadMax   = 16 << 20            // a throwaway's console read for its ready line
	verifyPollEvery  = 2 * time.Second     // guest-ping and console polls
	verifyExecMax    = 5 * time.Minute     // one check command
	verifyNamePrefix = "kvmbackup-verify-" // a throwaway domain's name
	verifyRunPrefix  = "verify-"           // a verify's run id
	verifyDomainMax  = 200                 // libvirt's names: bounded
	bootCloneQuota   = 4 << 30             // what a booted throwaway may write into its clone
)

// VerifyTarget is what a verify needs of the ZFS target: the units' dated backups,
// throwaway clones of them, and the verify's result recorded on each.
type VerifyTarget interface {
	ChildLister
	SnapshotLister
	// CloneSnapshot clones snap into root's _clones, marked with the run's id, and
	// mounts it (zfs.Manager.CloneSnapshot); RemoveClone undoes it.
	CloneSnapshot(ctx context.Context, snap zfs.Snapshot, root, runID string, o zfs.CloneOptions) (zfs.Clone, error)
	// RemoveClone unmounts and destroys a clone CloneSnapshot made.
	RemoveClone(ctx context.Context, c zfs.Clone) error
	// SetSnapshotProps sets kvmbackup user properties on a dated snapshot.
	SetSnapshotProps(ctx context.Context, snap zfs.Snapshot, props map[string]string) error
	// PoolErrors lists the files the pool of dataset reports permanent errors in.
	PoolErrors(ctx context.Context, dataset string) ([]string, error)
}

// VerifyLoops is what a filesystem check of an image needs (loopdev.Tools'
// contract).
type VerifyLoops interface {
	// AttachWritable attaches an image (a throwaway clone's) on a loop device,
	// partitions scanned, and returns the device.
	AttachWritable(ctx context.Context, image string) (string, error)
	// Filesystems lists the filesystems on dev or its partitions. Nothing is changed.
	Filesystems(ctx context.Context, dev string) ([]loopdev.FS, error)
	// Detach releases the loop device dev.
	Detach(ctx context.Context, dev string) error
}

// FSChecker checks one filesystem read-only (fscheck.Checker's contract): what it
// found is the result; its error means the check could not run.
type FSChecker interface {
	// Check checks the filesystem of type fstype on dev (a device of a throwaway
	// clone: a journal may be replayed on it first) and changes nothing else.
	Check(ctx context.Context, dev, fstype string) (fscheck.Result, error)
}

// Booter is what a boot verify needs of libvirt (hypervisor.Conn's contract).
type Booter interface {
	// StartThrowaway creates and starts xml as a transient domain (never defined:
	// it cannot be autostarted and leaves no definition), marked as run runID's
	// throwaway; it returns the domain's name.
	StartThrowaway(ctx context.Context, xml, runID string) (string, error)
	// AgentPing returns nil when the domain's guest agent answered guest-ping.
	AgentPing(ctx context.Context, name string) error
	// AgentExec runs argv in the guest through guest-exec and waits for its exit
	// (bounded by ctx); output is decoded and bounded.
	AgentExec(ctx context.Context, name string, argv []string) (hypervisor.ExecResult, error)
	// Screenshot returns a PNG of the guest's screen; hypervisor.ErrNoScreen when
	// the domain has no graphics device.
	Screenshot(ctx context.Context, name string) ([]byte, error)
	ThrowawayCleaner
}

// ThrowawayCleaner is what recover needs of libvirt for a crashed verify.
type ThrowawayCleaner interface {
	// DestroyThrowaway destroys a throwaway domain; any other domain is refused and
	// left alone; one already gone is not an error.
	DestroyThrowaway(ctx context.Context, name string) error
	// Throwaways lists the running throwaway domains of runID ("": every run's),
	// name → run id.
	Throwaways(ctx context.Context, runID string) (map[string]string, error)
}

// VerifyDeps are the components a verify drives.
type VerifyDeps struct {
	Target   VerifyTarget
	Loops    VerifyLoops
	FS       FSChecker
	Verifier Verifier
	Boot     Booter // nil: no --boot
}

// BootOptions say how a boot verify decides that the guest is up and well.
type BootOptions struct {
	// ReadyPattern: a regular expression a console line matches once the guest is
	// up (used when the domain has no guest agent channel).
	ReadyPattern string
	// Checks are run in the guest through the agent, in order; each must exit 0.
	Checks [][]string
	// Timeout bounds the wait for ready (default 5 minutes).
	Timeout time.Duration
	// ScreenshotDir receives VM-SNAPSHOT.png when the guest has a screen ("": none
	// saved).
	ScreenshotDir string
}

// VerifyOptions say which backups to verify, and how.
type VerifyOptions struct {
	Root       string
	VMs, Paths []string // none of either: every VM and paths: entry
	At         string   // WHEN (default: the newest)
	All        bool     // every dated snapshot
	Boot       bool
	BootOpts   BootOptions
	RunID      string
	JournalDir string // default DefaultJournalDir
	Now        time.Time
	Location   *time.Location
}

// VerifyReport is what a verify found, per dated snapshot.
type VerifyReport struct {
	RunID    string          `json:"run_id"`
	Start    time.Time       `json:"start"`
	Duration time.Duration   `json:"duration_ns"`
	Results  []*UnitVerified `json:"results"`
	OK       bool            `json:"ok"`
}

// UnitVerified is the verify of one dated snapshot of one unit.
type UnitVerified struct {
	Unit     string        `json:"unit"` // the VM's name, or "path NAME"
	Kind     zfs.Kind      `json:"kind"`
	Snapshot string        `json:"snapshot"`
	Checked  string        `json:"checked"` // "data" or "data,boot"
	OK       bool          `json:"ok"`
	Reason   string        `json:"reason,omitempty"`
	Warnings []string      `json:"warnings,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	// A VM's images against their manifests, and the filesystems in them.
	Images      []ImageVerified `json:"images,omitempty"`
	Filesystems []FSVerified    `json:"filesystems,omitempty"`
	// A paths: entry's tree: every file read.
	Files int64         `json:"files,omitempty"`
	Bytes int64         `json:"bytes"`
	Boot  *BootVerified `json:"boot,omitempty"`
}

// ImageVerified is one image read whole and compared with its manifest.
type ImageVerified struct {
	Disk       string `json:"disk"`
	Image      string `json:"image"`
	Bytes      int64  `json:"bytes"`
	Blocks     int64  `json:"blocks"`
	Mismatched int64  `json:"mismatched"`
	FirstBad   int64  `json:"first_bad_offset"`
	Error      string `json:"error,omitempty"`
}

// FSVerified is one filesystem found in an image, and its read-only check.
type FSVerified struct {
	Disk      string `json:"disk"`
	Partition int    `json:"partition"` // 0: the whole disk
	Type      string `json:"fstype"`
	fscheck.Result
}

// BootVerified is a boot of the backup in a throwaway domain.
type BootVerified struct {
	Domain     string        `json:"domain"`
	ReadyBy    string        `json:"ready_by,omitempty"` // "guest-ping" or "console"
	Ready      time.Duration `json:"ready_ns"`           // start to ready
	Checks     []CheckRun    `json:"checks,omitempty"`
	Screenshot string        `json:"screenshot,omitempty"`
	Error      string        `json:"error,omitempty"`
}

// CheckRun is one verify.boot.check command run in the guest.
type CheckRun struct {
	Command []string `json:"command"`
	Exit    int      `json:"exit"`
	Stdout  string   `json:"stdout,omitempty"`
	Stderr  string   `json:"stderr,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// Verify proves that dated backups are whole, and with o.Boot that they boot. For
// each unit and dated snapshot chosen, on a throwaway clone (never the snapshot's own
// mount, never the live dataset): every image is read whole (ZFS checks each
// block's checksum on the way; a checksum error names the file and the pool's error
// list) and compared with the manifest recorded with it, every filesystem in it
// (partitions scanned) gets a read-only check after its journal is replayed on the
// clone; a paths: entry's tree is read whole. With o.Boot, a VM's backup is booted
// in a throwaway domain (Booter) on a second clone, with no network, and must become
// ready within o.BootOpts.Timeout and pass every check command. The result is
// recorded on the snapshot (PropVerified, PropVerifyWhat, PropVerifyResult). A
// verify changes no backup, touches no other domain, and leaves no clone, loop
// device or domain behind, on any path: what a crash leaves, Recover removes (the
// journal). The caller holds the run lock.
func Verify(ctx context.Context, d VerifyDeps, o VerifyOptions) (*VerifyReport, error) {
	if o.JournalDir == "" {
		o.JournalDir = DefaultJournalDir
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Boot && d.Boot == nil {
		return nil, errors.New("verify --boot: no hypervisor connection")
	}
	if o.BootOpts.Timeout <= 0 {
		o.BootOpts.Timeout = 5 * time.Minute
	}
	var ready *regexp.Regexp
	if o.BootOpts.ReadyPattern != "" {
		var err error
		if ready, err = regexp.Compile(o.BootOpts.ReadyPattern); err != nil {
			return nil, fmt.Errorf("verify.boot.ready-pattern %q: %w", o.BootOpts.ReadyPattern, err)
		}
	}
	if o.At != "" && o.All {
		return nil, errors.New("--at and --all: give one")
	}
	l := zfs.Layout{Root: o.Root}
	units, err := l.Select(ctx, d.Target, o.VMs, o.Paths)
	if err != nil {
		return nil, err
	}
	type job struct {
		u    zfs.Unit
		snap zfs.Snapshot
		err  error // no such backup: the unit fails, the others are verified
	}
	var jobs []job
	for _, u := range units {
		if !o.All {
			when := cmp.Or(o.At, "latest")
			snap, err := findBackup(ctx, d.Target, o.Root, u, when, o.Now, o.Location)
			if err != nil && !errors.Is(err, ErrNoSuchSnapshot) {
				return nil, err
			}
			jobs = append(jobs, job{u, snap, err})
			continue
		}
		snaps, err := d.Target.Snapshots(ctx, l.Dataset(u))
		if err != nil {
			return nil, err
		}
		n := 0
		for _, s := range snaps {
			if s.Ours() {
				jobs, n = append(jobs, job{u: u, snap: s}), n+1
			}
		}
		if n == 0 {
			jobs = append(jobs, job{u: u, err: fmt.Errorf("%s: %w: no dated backup in %s", u, ErrNoSuchSnapshot, l.Dataset(u))})
		}
	}
	if len(jobs) == 1 && jobs[0].err != nil { // the one backup asked for: a usage error
		return nil, jobs[0].err
	}
	j, err := OpenJournal(o.JournalDir, o.RunID)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	rep := &VerifyReport{RunID: o.RunID, Start: o.Now.UTC(), Results: []*UnitVerified{}, OK: true}
	v := &verifier{d: d, o: o, j: j, ready: ready, log: zerolog.Ctx(ctx)}
	for _, jb := range jobs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		var res *UnitVerified
		if jb.err != nil {
			res = &UnitVerified{Unit: jb.u.Name, Kind: jb.u.Kind, Checked: "data", Reason: jb.err.Error()}
			if jb.u.Kind == zfs.KindPath {
				res.Unit = "path " + jb.u.Name
			}
		} else {
			res = v.unit(ctx, jb.u, jb.snap)
		}
		rep.Results = append(rep.Results, res)
		rep.OK = rep.OK && res.OK
	}
	rep.Duration = time.Since(o.Now)
	if len(v.left) > 0 { // the journal stays: recover undoes them
		return rep, fmt.Errorf("left for kvmbackup recover: %s", strings.Join(v.left, "; "))
	}
	return rep, j.Finish()
}

type verifier struct {
	d     VerifyDeps
	o     VerifyOptions
	j     *Journal
	ready *regexp.Regexp
	log   *zerolog.Logger
	left  []string // what could not be undone
}

// undo runs one undo step, bounded and not cancelled with ctx; a failure is kept
// for the verify's error (and the journal for recover) and joined to *err.
func (v *verifier) undo(ctx context.Context, err *error, what string, f func(ctx context.Context) error) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	if uerr := f(cctx); uerr != nil {
		v.left = append(v.left, what)
		*err = errors.Join(*err, uerr)
	}
}

// unit verifies one dated snapshot and records the result on it.
func (v *verifier) unit(ctx context.Context, u zfs.Unit, snap zfs.Snapshot) *UnitVerified {
	start := time.Now()
	res := &UnitVerified{Unit: u.Name, Kind: u.Kind, Snapshot: snap.FullName(), Checked: "data"}
	if u.Kind == zfs.KindPath {
		res.Unit = "path " + u.Name
	}
	v.log.Info().Str("unit", res.Unit).Str("snapshot", res.Snapshot).Msg("verify: data")
	fail := func(err error) {
		if err != nil && res.Reason == "" {
			res.Reason = strings.ReplaceAll(err.Error(), "\n", "; ")
		}
	}
	fail(v.data(ctx, u, snap, res))
	if v.o.Boot && u.Kind == zfs.KindVM {
		res.Checked = "data,boot"
		v.log.Info().Str("unit", res.Unit).Str("snapshot", res.Snapshot).Msg("verify: boot")
		fail(v.boot(ctx, u, snap, res))
	}
	res.OK = res.Reason == ""
	res.Duration = time.Since(start)
	rec := zfs.Verification{At: time.Now(), What: res.Checked, OK: res.OK, Reason: oneLine(res.Reason, verifyReasonMax)}
	if res.Boot != nil {
		rec.Boot = res.Boot.Ready
	}
	props := rec.Props()
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	if err := v.d.Target.SetSnapshotProps(cctx, snap, props); err != nil {
		res.OK = false
		res.Reason = strings.TrimPrefix(res.Reason+"; ", "; ") + "the result could not be recorded on the snapshot: " + err.Error()
	}
	return res
}

// data reads the backup whole on a clone and checks it (Verify).
func (v *verifier) data(ctx context.Context, u zfs.Unit, snap zfs.Snapshot, res *UnitVerified) (err error) {
	c, err := v.d.Target.CloneSnapshot(ctx, snap, v.o.Root, v.o.RunID, zfs.CloneOptions{Writable: true})
	if err != nil {
		return err
	}
	defer v.undo(ctx, &err, "clone "+c.Dataset, func(ctx context.Context) error { return v.removeClone(ctx, c) })
	if u.Kind == zfs.KindPath {
		return v.tree(ctx, snap, c.Dir, res)
	}
	disks, _, err := backupDisks(c.Dir, snap.FullName(), u.Name, nil)
	if err != nil {
		return err
	}
	var errs []error
	// Every image first, against its manifest: a journal replay (below) writes the
	// clone.
	for _, md := range disks {
		iv, err := v.image(ctx, snap, c.Dir, md)
		res.Images = append(res.Images, iv)
		res.Bytes += iv.Bytes
		errs = append(errs, err)
	}
	for _, md := range disks {
		if checkImageName(md.Image) != nil {
			continue // reported by image: never opened, never attached
		}
		fss, err := v.filesystems(ctx, c.Dir, md)
		res.Filesystems = append(res.Filesystems, fss...)
		errs = append(errs, err)
		if len(fss) == 0 && err == nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("disk %s (%s): no filesystem found on it or its partitions (format %s; LVM, RAID or LUKS inside are not opened): its filesystems are not checked", md.Disk, md.Image, cmp.Or(md.Format, "unknown")))
		}
		for _, f := range fss {
			switch f.Status {
			case "errors":
				errs = append(errs, fmt.Errorf("disk %s: %s filesystem on %s: %s", f.Disk, f.Type, partName(f.Partition), f.Reason))
			case "unchecked":
				res.Warnings = append(res.Warnings, fmt.Sprintf("disk %s: %s filesystem on %s not checked: %s", f.Disk, f.Type, partName(f.Partition), f.Reason))
			}
		}
	}
	return errors.Join(errs...)
}

func partName(n int) string {
	if n == 0 {
		return "the whole disk"
	}
	return fmt.Sprintf("partition %d", n)
}

// image reads one image whole and compares it with its manifest.
func (v *verifier) image(ctx context.Context, snap zfs.Snapshot, dir string, md MetaDisk) (ImageVerified, error) {
	iv := ImageVerified{Disk: md.Disk, Image: md.Image, FirstBad: -1}
	bad := func(err error) (ImageVerified, error) {
		err = fmt.Errorf("disk %s: %w", md.Disk, err)
		iv.Error = err.Error()
		return iv, err
	}
	if err := checkImageName(md.Image); err != nil {
		return bad(err)
	}
	f, err := openRegular(filepath.Join(dir, md.Image))
	if err != nil {
		return bad(fmt.Errorf("%s: %w", md.Image, err))
	}
	defer f.Close()
	man := filepath.Join(dir, manifestDir, md.Image)
	if fi, err := os.Lstat(man); err != nil || !fi.Mode().IsRegular() {
		return bad(fmt.Errorf("%s has no manifest in the backup (%s): it cannot be checked", md.Image, filepath.Join(manifestDir, md.Image)))
	}
	r, err := v.d.Verifier.Verify(ctx, f, man)
	iv.Bytes, iv.Blocks, iv.Mismatched, iv.FirstBad = r.Read, r.Blocks, r.Mismatched, r.FirstBad
	switch {
	case err == nil:
	case r.Mismatched > 0:
		return bad(fmt.Errorf("%s: %d of %d blocks (%d KiB each) differ from its manifest in the backup (the first at byte %d)",
			md.Image, r.Mismatched, r.Blocks, transfer.ManifestBlock>>10, r.FirstBad))
	case errors.Is(err, syscall.EIO):
		return bad(v.checksumError(ctx, snap, inBackup(err, dir, snap)))
	default:
		return bad(inBackup(err, dir, snap))
	}
	return iv, nil
}

// inBackup names the backup's files in err as SNAPSHOT:/FILE, not by the throwaway
// clone's mount.
func inBackup(err error, dir string, snap zfs.Snapshot) error {
	return errors.New(strings.ReplaceAll(err.Error(), dir+"/", snap.FullName()+":/"))
}

// checksumError adds the pool's list of damaged files to a read's I/O error.
func (v *verifier) checksumError(ctx context.Context, snap zfs.Snapshot, err error) error {
	list, perr := v.d.Target.PoolErrors(ctx, snap.Dataset)
	switch {
	case perr != nil:
		return fmt.Errorf("%w (a checksum error? the pool's error list could not be read: %v)", err, perr)
	case len(list) > 0:
		return fmt.Errorf("%w: checksum errors; the pool lists damaged files: %s", err, strings.Join(list, "; "))
	}
	return err
}

// filesystems checks every filesystem of one image, read-only, on a loop device of
// the clone's copy (a journal replayed there first).
func (v *verifier) filesystems(ctx context.Context, dir string, md MetaDisk) (out []FSVerified, err error) {
	if err := checkImageName(md.Image); err != nil {
		return nil, fmt.Errorf("disk %s: %w", md.Disk, err)
	}
	img := filepath.Join(dir, md.Image) // a file directly in the clone (no /, no ..)
	f, err := openRegular(img)
	if err != nil {
		return nil, nil // reported by image
	}
	f.Close()
	if err := v.j.Record(OpLoop, "", img); err != nil {
		return nil, err
	}
	dev, err := v.d.Loops.AttachWritable(ctx, img)
	if err != nil {
		// losetup may have attached it before it failed (or was killed): found by
		// its file, detached; else the journal keeps the entry for recover.
		for _, d := range loopdev.AttachedTo(img) {
			if derr := v.detach(ctx, d, img); derr != nil {
				v.left = append(v.left, "loop device "+d)
				return nil, errors.Join(fmt.Errorf("disk %s: %w", md.Disk, err), derr)
			}
		}
		v.j.Record(OpLoopDetach, "", img)
		return nil, fmt.Errorf("disk %s: %w", md.Disk, err)
	}
	defer v.undo(ctx, &err, "loop device "+dev, func(ctx context.Context) error {
		if err := v.detach(ctx, dev, img); err != nil {
			return err
		}
		return v.j.Record(OpLoopDetach, dev, img)
	})
	// The device is known now: its own entry replaces the one found by file (should
	// a record fail, the entry by file stays for recover).
	if err := v.j.Record(OpLoop, dev, img); err != nil {
		return nil, err
	}
	if err := v.j.Record(OpLoopDetach, "", img); err != nil {
		return nil, err
	}
	fss, err := v.d.Loops.Filesystems(ctx, dev)
	if err != nil {
		return nil, fmt.Errorf("disk %s: %w", md.Disk, err)
	}
	for _, fs := range fss {
		r, err := v.d.FS.Check(ctx, fs.Dev, fs.Type)
		if err != nil {
			return out, fmt.Errorf("disk %s: %w", md.Disk, err)
		}
		out = append(out, FSVerified{Disk: md.Disk, Partition: fs.Number, Type: fs.Type, Result: r})
	}
	return out, nil
}

// removeClone removes a clone and then its run's directory, when that is empty.
func (v *verifier) removeClone(ctx context.Context, c zfs.Clone) error {
	if err := v.d.Target.RemoveClone(ctx, c); err != nil {
		return err
	}
	if c.Dir != "" {
		os.Remove(filepath.Dir(c.Dir)) // RunDir/RUN or BootDir/RUN: only when empty
	}
	return nil
}

// detach detaches loop device dev of image img (unmounting what is mounted from it
// first) and checks it is gone: the kernel only marks a device still in use (by a
// mount, or a volume group or RAID array the host activated on its partitions) to
// go later, which is not done.
func (v *verifier) detach(ctx context.Context, dev, img string) error {
	if err := detachLoop(ctx, v.d.Loops, dev); err != nil {
		return err
	}
	if loopdev.Backing(dev) == img {
		return fmt.Errorf("loop device %s of %s is still in use (held by %s): left for kvmbackup recover", dev, img, orNone(loopdev.Holders(dev)))
	}
	return nil
}

// tree reads every regular file of a paths: entry's clone (no link followed).
func (v *verifier) tree(ctx context.Context, snap zfs.Snapshot, dir string, res *UnitVerified) error {
	buf := make([]byte, 1<<20)
	var errs []error
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if !de.Type().IsRegular() {
			return nil
		}
		f, err := openRegular(p)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		defer f.Close()
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, buf)
		res.Files++
		res.Bytes += n
		if err != nil {
			if errors.Is(err, syscall.EIO) {
				err = v.checksumError(ctx, snap, err)
			}
			errs = append(errs, fmt.Errorf("read %s: %w", strings.TrimPrefix(p, dir), err))
		}
		return nil
	})
	if len(errs) > 10 {
		errs = append(errs[:10], fmt.Errorf("and %d more", len(errs)-10))
	}
	return errors.Join(append(errs, err)...)
}

// openRegular opens p for reading, not following a symlink, refusing anything but a
// regular file (a FIFO would block, a device is not the backup's).
func openRegular(p string) (*os.File, error) {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	f := os.NewFile(uintptr(fd), p)
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", p)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// boot boots the backup in a throwaway domain on its own clone (Verify).
func (v *verifier) boot(ctx context.Context, u zfs.Unit, snap zfs.Snapshot, res *UnitVerified) (err error) {
	bv := &BootVerified{}
	res.Boot = bv
	defer func() {
		if err != nil {
			bv.Error = err.Error()
		}
	}()
	c, err := v.d.Target.CloneSnapshot(ctx, snap, v.o.Root, v.o.RunID, zfs.CloneOptions{Writable: true, Shared: true, Quota: bootCloneQuota})
	if err != nil {
		return err
	}
	defer v.undo(ctx, &err, "clone "+c.Dataset, func(ctx context.Context) error { return v.removeClone(ctx, c) })
	disks, _, err := backupDisks(c.Dir, snap.FullName(), u.Name, nil)
	if err != nil {
		return err
	}
	saved, err := readBackupFile(c.Dir, "domain.xml")
	if err != nil {
		return fmt.Errorf("%s holds no domain definition: %w", snap.FullName(), err)
	}
	sources := map[string]hypervisor.DiskSource{}
	for _, md := range disks {
		if err := checkImageName(md.Image); err != nil {
			return fmt.Errorf("kvmbackup.json: disk %s: %w", md.Disk, err)
		}
		sources[md.Disk] = hypervisor.DiskSource{Path: filepath.Join(c.Dir, md.Image)}
	}
	name := throwawayName(u.Name, v.o.RunID)
	logDir := filepath.Dir(c.Dir) // BootDir/<run id>
	console := filepath.Join(logDir, name+".console.log")
	_, xml, err := hypervisor.Redefine(string(saved), hypervisor.Redefinition{As: name, Disks: sources, OnlyRestored: true,
		NoNetwork: true, LogDir: logDir, Console: console, HostFile: publicHostFile})
	if err != nil {
		return fmt.Errorf("%s/domain.xml: %w", snap.FullName(), err)
	}
	agent, err := hypervisor.HasAgentChannel(xml)
	if err != nil {
		return err
	}
	switch {
	case len(v.o.BootOpts.Checks) > 0 && !agent:
		return fmt.Errorf("verify.boot.check needs a guest agent, and %s's definition has no guest agent channel (org.qemu.guest_agent.0)", u.Name)
	case !agent && v.ready == nil:
		return fmt.Errorf("no way to tell that %s is up: its definition has no guest agent channel and verify.boot.ready-pattern is empty", u.Name)
	}
	if err := v.j.Record(OpBoot, name, snap.FullName()); err != nil {
		return err
	}
	start := time.Now()
	bv.Domain = name
	got, err := v.d.Boot.StartThrowaway(ctx, xml, v.o.RunID)
	if err != nil {
		return fmt.Errorf("start the throwaway domain %s: %w", name, err)
	}
	bv.Domain = got
	v.log.Info().Str("domain", got).Str("snapshot", snap.FullName()).Msg("verify: throwaway domain started")
	defer v.undo(ctx, &err, "domain "+got, func(ctx context.Context) error {
		if err := v.d.Boot.DestroyThrowaway(ctx, got); err != nil {
			return err
		}
		os.Remove(console)
		return v.j.Record(OpBootEnd, name, snap.FullName())
	})
	if err := v.waitReady(ctx, got, agent, console, bv); err != nil {
		return err
	}
	bv.Ready = time.Since(start)
	for _, argv := range v.o.BootOpts.Checks {
		cr := v.check(ctx, got, argv)
		bv.Checks = append(bv.Checks, cr)
		if cr.Error != "" {
			return fmt.Errorf("check %q: %s", strings.Join(argv, " "), cr.Error)
		}
	}
	if v.o.BootOpts.ScreenshotDir != "" {
		png, err := v.d.Boot.Screenshot(ctx, got)
		switch {
		case errors.Is(err, hypervisor.ErrNoScreen):
		case err != nil:
			res.Warnings = append(res.Warnings, "screenshot: "+err.Error())
		default:
			p := filepath.Join(v.o.BootOpts.ScreenshotDir, u.Name+"-"+snap.Name+".png")
			if err := os.MkdirAll(v.o.BootOpts.ScreenshotDir, 0o700); err == nil {
				err = atomicfile.Write(p, png, 0o600)
			}
			if err != nil {
				res.Warnings = append(res.Warnings, "screenshot: "+err.Error())
			} else {
				bv.Screenshot = p
			}
		}
	}
	return nil
}

// throwawayName is the unique name of a verify's throwaway domain of vm.
func throwawayName(vm, runID string) string {
	n := verifyNamePrefix + vm + "-" + strings.TrimPrefix(runID, verifyRunPrefix)
	if len(n) > verifyDomainMax {
		n = n[:verifyDomainMax]
	}
	return n
}

// waitReady waits, bounded, for the guest agent's answer (agent) or the ready
// pattern on the console.
func (v *verifier) waitReady(ctx context.Context, name string, agent bool, console string, bv *BootVerified) error {
	wctx, cancel := context.WithTimeout(ctx, v.o.BootOpts.Timeout)
	defer cancel()
	var off int64
	var partial string
	var last error
	// With an agent channel but no checks, the console's ready line counts too: a
	// guest whose agent is not installed or not started still proves it booted.
	console2 := agent && len(v.o.BootOpts.Checks) == 0 && v.ready != nil
	for {
		if agent {
			if last = v.d.Boot.AgentPing(wctx, name); last == nil {
				bv.ReadyBy = "guest-ping"
				return nil
			}
			if console2 {
				var ok bool
				if ok, off, partial, _ = scanConsole(console, off, partial, v.ready); ok {
					bv.ReadyBy = "console"
					return nil
				}
			}
		} else {
			var ok bool
			ok, off, partial, last = scanConsole(console, off, partial, v.ready)
			if ok {
				bv.ReadyBy = "console"
				return nil
			}
		}
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return ctx.Err()
			}
			how := "the guest agent did not answer guest-ping"
			if !agent {
				how = fmt.Sprintf("no console line matched %q", v.o.BootOpts.ReadyPattern)
			}
			if last != nil {
				how += " (" + last.Error() + ")"
			}
			return fmt.Errorf("%s did not become ready in %v: %s", name, v.o.BootOpts.Timeout, how)
		case <-time.After(verifyPollEvery):
		}
	}
}

// scanConsole reads what the console file gained since off and reports whether a
// complete line of it matches re; partial is the unfinished last line.
func scanConsole(p string, off int64, partial string, re *regexp.Regexp) (bool, int64, string, error) {
	f, err := openRegular(p)
	if err != nil {
		return false, off, partial, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() < off { // virtlogd rotated it: read the new one
		off, partial = 0, ""
	}
	if off >= consoleReadMax {
		return false, off, partial, fmt.Errorf("console %s past %d bytes without a match", p, consoleReadMax)
	}
	b, err := io.ReadAll(io.NewSectionReader(f, off, consoleReadMax-off))
	if err != nil {
		return false, off, partial, err
	}
	off += int64(len(b))
	sc := bufio.NewScanner(strings.NewReader(partial + string(b)))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	partial = ""
	if n := len(lines); n > 0 && len(b) > 0 && b[len(b)-1] != '\n' {
		partial, lines = lines[n-1], lines[:n-1]
	}
	for _, l := range lines {
		if re.MatchString(l) {
			return true, off, partial, nil
		}
	}
	return re.MatchString(partial), off, partial, nil
}

// check runs one check command in the guest.
func (v *verifier) check(ctx context.Context, name string, argv []string) CheckRun {
	cr := CheckRun{Command: argv}
	if len(argv) == 0 {
		cr.Error = "empty command"
		return cr
	}
	cctx, cancel := context.WithTimeout(ctx, verifyExecMax)
	defer cancel()
	r, err := v.d.Boot.AgentExec(cctx, name, argv)
	cr.Exit, cr.Stdout, cr.Stderr = r.Exit, oneLineKeep(r.Stdout), oneLineKeep(r.Stderr)
	switch {
	case err != nil:
		cr.Error = err.Error()
	case r.Exit != 0:
		cr.Error = fmt.Sprintf("exit status %d: %s", r.Exit, oneLine(strings.TrimSpace(r.Stderr+" "+r.Stdout), 300))
	}
	return cr
}

func oneLineKeep(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > verifyOutputMax {
		s = s[:verifyOutputMax] + "…"
	}
	return s
}

// oneLine makes s one printable line of at most n bytes (a guest's output and a
// reason recorded on a snapshot).
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

// LoopDetacher is what recover needs to release a crashed verify's loop devices.
type LoopDetacher interface {
	// Detach releases the loop device dev.
	Detach(ctx context.Context, dev string) error
}

// recoverVerify undoes what a crashed verify (run runID) left before its clones go:
// its throwaway domains destroyed, the filesystems mounted from its loop devices
// unmounted and the loop devices detached (only while still attached to the file
// the journal names). Its throwaway domains are looked for always, or (always
// false) only when its journal has a boot pending.
func recoverVerify(ctx context.Context, d Deps, l Leftover, rec *Recovery, always bool) error {
	var errs []error
	booted := slices.ContainsFunc(l.Pending, func(e Entry) bool { return e.Op == OpBoot })
	if d.Boot != nil && (always || booted) {
		doms, err := d.Boot.Throwaways(ctx, l.RunID)
		if err != nil {
			errs = append(errs, err)
		}
		for name := range doms {
			if err := d.Boot.DestroyThrowaway(ctx, name); err != nil {
				errs = append(errs, err)
				continue
			}
			rec.Throwaways = append(rec.Throwaways, name)
		}
	}
	seen := map[string]bool{}
	for _, e := range l.Pending {
		if e.Op != OpLoop {
			continue
		}
		devs := []string{e.Key}
		if e.Key == "" { // a crash between the attach and its record: found by its file
			devs = loopdev.AttachedTo(e.Detail)
		}
		for _, dev := range devs {
			if seen[dev] || loopdev.Backing(dev) != e.Detail {
				continue // detached already, or reused for another file
			}
			seen[dev] = true
			if err := detachLoop(ctx, d.Loops, dev); err != nil {
				errs = append(errs, fmt.Errorf("loop device %s of %s: %w", dev, e.Detail, err))
				continue
			}
			rec.Loops = append(rec.Loops, dev)
		}
	}
	return errors.Join(errs...)
}

// detachLoop unmounts what is mounted from dev or its partitions (an XFS log
// replay), then detaches dev.
func detachLoop(ctx context.Context, loops LoopDetacher, dev string) error {
	all, err := mounts.Read()
	if err != nil {
		return err
	}
	for i := len(all) - 1; i >= 0; i-- {
		if s := all[i].Source; s == dev || strings.HasPrefix(s, dev+"p") {
			if err := mounts.Unmount(ctx, runner.New("umount"), all[i].Point); err != nil {
				return err
			}
		}
	}
	if loops == nil {
		return errors.New("left attached: no losetup here")
	}
	return loops.Detach(ctx, dev)
}
