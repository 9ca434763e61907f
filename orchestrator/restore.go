package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/beneath"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// RestoreTarget is what a restore, and `kvmbackup mount`, need of the ZFS target: a
// unit's dated backups, and one of them shown read-only.
type RestoreTarget interface {
	ChildLister
	SnapshotLister
	// MountSnapshot mounts a snapshot read-only, nosuid, nodev and noexec in the
	// run's directory and returns that directory, which Unmount undoes.
	MountSnapshot(ctx context.Context, snap zfs.Snapshot, runID string) (string, error)
	// Unmount unmounts dir (retrying while it is busy) and removes the directory.
	Unmount(ctx context.Context, dir string) error
}

// VMRestoreTarget is what a VM restore needs of the ZFS target: RestoreTarget's
// contract, and Mounter's (a --to inside the target's mount point is refused).
type VMRestoreTarget interface {
	RestoreTarget
	Mounter
}

// Verifier is what a restore needs to check what it wrote.
type Verifier interface {
	// Verify checks a written image against the manifest of its backup
	// (transfer.VerifyFile's contract): it reads dst, open and named by dst.Name(),
	// whole, and neither writes nor closes it.
	Verify(ctx context.Context, dst *os.File, manifest string) (transfer.VerifyResult, error)
}

// Verify calls transfer.VerifyFile.
func (TransferCopier) Verify(ctx context.Context, dst *os.File, manifest string) (transfer.VerifyResult, error) {
	return transfer.VerifyFile(ctx, dst, manifest)
}

// VolumeResolver says which LV a VM's disk is now: the plan's and a restore's view of
// LVM. Nothing is changed.
type VolumeResolver interface {
	// ResolveDevice returns the LV a block device path is (/dev/VG/LV,
	// /dev/mapper/VG-LV and /dev/dm-N alike); anything that is not an active LV is an
	// error wrapping lvm.ErrNotOnLV.
	ResolveDevice(ctx context.Context, path string) (lvm.LV, error)
	// ResolveFile returns the LV under the filesystem that holds the regular file
	// path, that filesystem's mount point and type, and the file's path below it; a
	// file on no LV is an error wrapping lvm.ErrNotOnLV.
	ResolveFile(ctx context.Context, path string) (lvm.FileOnLV, error)
}

// RestoreDeps are the components a restore drives. The Copier is given DST opened
// (transfer.Options.DstFile) and must write through it, never reopen the path.
type RestoreDeps struct {
	Hypervisor RestoreHypervisor
	Target     VMRestoreTarget
	Volumes    VolumeResolver
	Copier     Copier
	Verifier   Verifier
	// Replicas says which datasets a replication receiver made here: needed with
	// RestoreOptions.Replica (*zfs.Manager has it).
	Replicas ReplicaMarker
}

// ReplicaMarker says whether kvmbackup received a dataset on this host.
type ReplicaMarker interface {
	// ReplicaMark returns zfs.PropReplica as set locally on dataset ("" when it is
	// not); an error wrapping zfs.ErrNotFound when the dataset does not exist.
	ReplicaMark(ctx context.Context, dataset string) (string, error)
}

// RestoreOptions say what to restore, from when, to where.
type RestoreOptions struct {
	Root  string   // target.dataset, or with Replica a replication receiver's root
	VM    string   // the VM (its dataset's name)
	At    string   // WHEN (see ResolveWhen)
	Disks []string // only these disks (vda, ...); empty: every disk of the backup
	// Targets: write these disks (vda) here (a file or a block device, the admin's
	// path), whatever To says; a disk named here is restored as if in Disks too.
	Targets map[string]string
	// To: write the images here instead of the VM's own volumes: a file or block
	// device for one disk, or an existing directory (DIR/<image> per disk).
	To string
	// Replica: Root is a replication receiver's root on this host (restore --from,
	// a failover): the VM's dataset must be one kvmbackup received there
	// (zfs.PropReplica set locally), and every disk needs a target (Targets or To):
	// the volumes its backup names are the sending host's.
	Replica bool
	// Protect: other datasets (this host's own target.dataset) whose mount point
	// no target may be inside, as Root's.
	Protect []string
	// NoNetwork: with Define, the domain is defined with every <interface> removed
	// (a test failover beside the running original).
	NoNetwork bool
	// Define: define the domain from the backup's domain.xml once every disk is
	// written and verified: the VM itself (it must not be defined: its definition is
	// what was lost), or with As a second copy under that name (its disks the --to
	// images; new UUID and MACs, see hypervisor.Redefinition).
	Define   bool
	As       string
	DryRun   bool
	RunID    string // names the read-only mount of the snapshot
	Now      time.Time
	Location *time.Location
}

// ErrVMRunning: a restore to a VM's own volumes while the VM is not shut off, or to
// a disk of a domain that is not shut off.
var ErrVMRunning = errors.New("the VM is not shut off")

// ErrBadDefine: --define or --as that cannot be done (a name already defined, no
// --to for a copy, a disk the copy would share with the original).
var ErrBadDefine = errors.New("cannot define")

// ErrWrongVolume: a VM's disk that is not now the LV its backup recorded (a
// /dev/dm-N number that names another LV since a reboot, a path reused).
var ErrWrongVolume = errors.New("not the volume the backup recorded")

// ErrDiskInUse: a restore target that another defined domain uses (running or
// not), or a block device that is mounted or held open exclusively.
var ErrDiskInUse = errors.New("in use")

// ErrNotReplica: restore --from a dataset below the root that kvmbackup did not
// receive there (no zfs.PropReplica set locally).
var ErrNotReplica = errors.New("not a replica kvmbackup received")

// ErrNoTarget: a disk with no target where its own volume cannot be one (restore
// --from: the backup's volumes are the sending host's).
var ErrNoTarget = errors.New("no target for the disk")

// RestoredDisk is one disk of a restore.
type RestoredDisk struct {
	Disk     string                 `json:"disk"`
	Image    string                 `json:"image"` // in the backup
	To       string                 `json:"to"`
	Mode     string                 `json:"mode"`
	Size     int64                  `json:"size"`
	Stats    transfer.Stats         `json:"stats"`
	Verified *transfer.VerifyResult `json:"verified,omitempty"`
	Error    string                 `json:"error,omitempty"`
	src      string                 // the image in the mounted backup
	manifest string                 // its block hashes, to verify against
	dir      *beneath.Dir           // the trusted directory To is written in
	name     string                 // To's name in dir
	lv       *lvm.LV                // the VM's own LV (block mode): what To must be
	dst      *os.File               // To, opened below dir (openTargets)
	created  bool                   // dst was created by this restore
}

// Restored is what a restore did (or, with DryRun, would do).
type Restored struct {
	VM       string         `json:"vm"`
	Snapshot string         `json:"snapshot"`
	DryRun   bool           `json:"dry_run"`
	Disks    []RestoredDisk `json:"disks"`
	// Defined is the domain defined from the backup's domain.xml (Define), or that
	// would be (DryRun).
	Defined  string        `json:"defined,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	xml      string        // the definition to define, of the domain named
	name     string
	dirs     []*beneath.Dir // held for the length of the restore
}

// close closes what the restore held open.
func (r *Restored) close() {
	for i := range r.Disks {
		if r.Disks[i].dst != nil {
			r.Disks[i].dst.Close()
			r.Disks[i].dst = nil
		}
	}
	for _, d := range r.dirs {
		d.Close()
	}
	r.dirs = nil
}

// Restore writes a VM's disk images from one dated snapshot back to its own volumes
// (only when libvirt says the VM is shut off, and each disk is still the LV the
// backup recorded) or to o.To, by changed blocks, and verifies each written image
// against the snapshot's manifest. The snapshot is read through a read-only mount,
// removed at the end. Every target is opened below a directory only root can change
// (beneath.OpenTrusted), following no symlink, block devices with O_EXCL. Bad input
// (an unknown VM, WHEN or disk, a running VM, a target that another domain uses or
// that is mounted, a --to that others could change or inside the target, a target
// smaller than the image) fails before anything is written, naming what exists.
func Restore(ctx context.Context, d RestoreDeps, o RestoreOptions) (*Restored, error) {
	start := time.Now()
	if err := checkRestoreOptions(o); err != nil {
		return nil, err
	}
	if o.Replica {
		if err := checkReplica(ctx, d, o); err != nil {
			return nil, err
		}
	}
	snap, err := findBackup(ctx, d.Target, o.Root, zfs.VMUnit(o.VM), o.At, o.Now, o.Location)
	if err != nil {
		return nil, err
	}
	dir, unmount, err := mountReadOnly(ctx, d.Target, snap, o.RunID)
	if err != nil {
		return nil, err
	}
	defer unmount()
	res := &Restored{VM: o.VM, Snapshot: snap.FullName(), DryRun: o.DryRun}
	defer res.close()
	if err := planRestore(ctx, d, o, dir, res); err != nil {
		return nil, err
	}
	if o.DryRun {
		return res, nil
	}
	if err := openTargets(res.Disks); err != nil {
		return nil, err
	}
	var errs []error
	for i := range res.Disks {
		rd := &res.Disks[i]
		st, err := d.Copier.Copy(ctx, rd.src, rd.To, transfer.Options{DstFile: rd.dst})
		rd.Stats = st
		if err == nil {
			var v transfer.VerifyResult
			v, err = d.Verifier.Verify(ctx, rd.dst, rd.manifest)
			rd.Verified = &v
		}
		if err != nil {
			rd.Error = err.Error()
			errs = append(errs, fmt.Errorf("disk %s: %w", rd.Disk, err))
		}
	}
	// libvirt cannot be stopped from starting a domain meanwhile: one that did is
	// reported, its disks may hold a mix of both.
	if err := checkNotInUse(ctx, d.Hypervisor, o.VM, res.Disks); err != nil {
		errs = append(errs, fmt.Errorf("after writing: %w: its disk may now hold a mix of the backup and its own writes; shut it off and restore again", err))
	}
	if len(errs) == 0 && res.xml != "" {
		name, err := d.Hypervisor.Define(ctx, res.xml)
		if err != nil {
			errs = append(errs, fmt.Errorf("define %s from %s/domain.xml (the disks are written and verified): %w", res.name, res.Snapshot, err))
		}
		res.Defined = name
	}
	res.Duration = time.Since(start)
	return res, errors.Join(errs...)
}

// checkRestoreOptions refuses options that do not go together, before anything is
// asked of anyone.
func checkRestoreOptions(o RestoreOptions) error {
	if o.NoNetwork && !o.Define {
		return fmt.Errorf("%w: --no-network removes the interfaces of the domain --define defines: add --define", ErrBadDefine)
	}
	for disk, to := range o.Targets {
		switch {
		case disk == "" || strings.ContainsAny(disk, "/=") || disk == "." || disk == "..":
			return fmt.Errorf("--disk %s=%s: %q is not a disk name (vda)", disk, to, disk)
		case to == "":
			return fmt.Errorf("--disk %s=: give the file or block device to write disk %s to", disk, disk)
		case !filepath.IsAbs(to):
			return fmt.Errorf("--disk %s=%s: give an absolute path", disk, to)
		}
	}
	if o.Replica {
		if err := zfs.CheckDatasetName(o.Root); err != nil {
			return fmt.Errorf("--from %q: %w", o.Root, err)
		}
	}
	return nil
}

// checkReplica: restore --from reads only a VM dataset kvmbackup received below the
// root (zfs.PropReplica=VM set locally: a property no stream carries, since
// replication sends none); anything else there is left alone.
func checkReplica(ctx context.Context, d RestoreDeps, o RestoreOptions) error {
	u := zfs.VMUnit(o.VM)
	if err := zfs.CheckComponent(u.Name); err != nil {
		return fmt.Errorf("VM %q: %w", u.Name, err)
	}
	if d.Replicas == nil {
		return fmt.Errorf("--from %s: no way to tell the datasets received here", o.Root)
	}
	l := zfs.Layout{Root: o.Root}
	ds := l.Dataset(u)
	mark, err := d.Replicas.ReplicaMark(ctx, ds)
	if zfs.IsNotFound(err) {
		if _, lerr := l.Units(ctx, d.Target, u.Kind, []string{u.Name}); lerr != nil {
			return fmt.Errorf("--from %s: %w", o.Root, lerr)
		}
		return fmt.Errorf("--from %s: %w: %s", o.Root, ErrUnknownVM, ds)
	}
	if err != nil {
		return fmt.Errorf("--from %s: %w", o.Root, err)
	}
	if mark != u.Rel() {
		return fmt.Errorf("%w: %s does not carry %s=%s set locally: kvmbackup did not receive it here (a backup target's own dataset, or another tool's); not read",
			ErrNotReplica, ds, zfs.PropReplica, u.Rel())
	}
	return nil
}

// mountReadOnly mounts snap read-only for the length of a restore; unmount undoes
// it, also when ctx is cancelled by then.
func mountReadOnly(ctx context.Context, t RestoreTarget, snap zfs.Snapshot, runID string) (dir string, unmount func(), err error) {
	dir, err = t.MountSnapshot(ctx, snap, runID)
	if err != nil {
		return "", nil, err
	}
	return dir, func() {
		cctx, cancel := cleanupCtx(ctx)
		defer cancel()
		t.Unmount(cctx, dir)
	}, nil
}

// planRestore reads what the backup holds and decides each disk's target, and with
// Define the definition to define; it refuses, before anything is written, a
// target that another domain uses or that a domain not shut off uses, a --to that
// others could change or inside the target, and a VM's own disk that is not the LV
// the backup recorded.
func planRestore(ctx context.Context, d RestoreDeps, o RestoreOptions, dir string, res *Restored) error {
	only := slices.Clone(o.Disks)
	for disk := range o.Targets {
		if !slices.Contains(only, disk) {
			only = append(only, disk)
		}
	}
	slices.Sort(only)
	disks, have, err := backupDisks(dir, res.Snapshot, o.VM, only)
	if err != nil {
		return err
	}
	doms, err := d.Hypervisor.Domains(ctx)
	if err != nil {
		return fmt.Errorf("list domains: %w", err)
	}
	if err := checkDefine(o, doms); err != nil {
		return err
	}
	// Each disk goes to its --disk DISK=PATH, else into --to, else to its own volume.
	var mapped, toIdx, own []int
	var unmapped []string
	for i, md := range disks {
		switch {
		case o.Targets[md.Disk] != "":
			mapped = append(mapped, i)
		case o.To != "":
			toIdx = append(toIdx, i)
			unmapped = append(unmapped, md.Disk)
		default:
			own = append(own, i)
			unmapped = append(unmapped, md.Disk)
		}
	}
	if o.Replica && len(own) > 0 {
		var names []string
		for _, i := range own {
			names = append(names, fmt.Sprintf("%s (%s on the sending host)", disks[i].Disk, disks[i].Source))
		}
		return fmt.Errorf("%w: %s: restore --from reads a replica; the volumes its backup names are the sending host's, and none is written here unless you name it: give --disk DISK=/dev/VG/LV (or a file) for each, or --to DIR (disks of the backup: %s)",
			ErrNoTarget, strings.Join(names, ", "), strings.Join(have, ", "))
	}
	if o.As != "" && len(own) > 0 {
		var names []string
		for _, i := range own {
			names = append(names, disks[i].Disk)
		}
		return fmt.Errorf("%w: --as %s: disk %s has no target: give --to DIR or --disk DISK=PATH (the VM's own volumes stay its own)", ErrBadDefine, o.As, strings.Join(names, ", "))
	}
	toDir := false
	if o.To != "" {
		if fi, err := os.Stat(o.To); err == nil && fi.IsDir() {
			toDir = true
		} else if len(toIdx) > 1 {
			return fmt.Errorf("--to %s: %d disks to restore (%s): give a directory, or one --disk", o.To, len(toIdx), strings.Join(unmapped, ", "))
		}
	} else if len(own) > 0 && !o.Define { // --define without --to: the VM is not defined (checkDefine)
		if err := checkShutOff(doms, o.VM); err != nil {
			return err
		}
	}
	sources := map[string]hypervisor.DiskSource{}
	for _, md := range disks {
		if err := checkImageName(md.Image); err != nil {
			return fmt.Errorf("%s: kvmbackup.json: disk %s: %w", res.Snapshot, md.Disk, err)
		}
		img := filepath.Join(dir, md.Image)
		fi, err := os.Lstat(img)
		if err != nil {
			return fmt.Errorf("%s: %w", res.Snapshot, err)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: %s is not a regular file", res.Snapshot, md.Image)
		}
		to := md.Source
		switch {
		case o.Targets[md.Disk] != "":
			to = o.Targets[md.Disk]
		case toDir:
			to = filepath.Join(o.To, md.Image)
		case o.To != "":
			to = o.To
		}
		res.Disks = append(res.Disks, RestoredDisk{Disk: md.Disk, Image: md.Image, To: to, Mode: md.Mode, Size: fi.Size(),
			src: img, manifest: filepath.Join(dir, manifestDir, md.Image)})
		sources[md.Disk] = hypervisor.DiskSource{Path: to, Block: isBlockDevice(to)}
	}
	if err := inUse(o.VM, doms, res.Disks); err != nil {
		return err
	}
	if len(toIdx) > 0 {
		if err := placeTo(ctx, d.Target, o, toDir, res, toIdx); err != nil {
			return err
		}
	}
	if len(mapped) > 0 {
		if err := placeMapped(ctx, d.Target, o, res, mapped); err != nil {
			return err
		}
	}
	if len(own) > 0 {
		if err := placeOwn(ctx, d.Volumes, disks, res, own); err != nil {
			return err
		}
	}
	if !o.Define {
		return nil
	}
	saved, err := readBackupFile(dir, "domain.xml")
	if err != nil {
		return fmt.Errorf("%w: %s holds no domain definition: %v", ErrBadDefine, res.Snapshot, err)
	}
	logDir := "" // libvirt's log directory
	if toDir {
		logDir = o.To // a test failover's copy keeps its console beside its images
	}
	res.name, res.xml, err = hypervisor.Redefine(string(saved), hypervisor.Redefinition{As: o.As, Disks: sources,
		OnlyRestored: o.Replica, NoNetwork: o.NoNetwork, LogDir: logDir, HostFile: publicHostFile})
	if err != nil {
		return fmt.Errorf("%w: %s/domain.xml: %v", ErrBadDefine, res.Snapshot, err)
	}
	if o.DryRun {
		res.Defined = res.name
	}
	return nil
}

// readBackupFile reads name in a backup's directory following no symlink (on a
// receiving host, the backup is the replica's word: a symlink there would read a
// file of this host).
func readBackupFile(dir, name string) ([]byte, error) {
	d, err := beneath.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	f, err := d.OpenFile(name, unix.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > 1<<20 {
		return nil, fmt.Errorf("%s: not a regular file of at most 1 MiB", f.Name())
	}
	return io.ReadAll(f)
}

// publicHostFile is what a definition from a replica may make libvirt read and label
// for QEMU on this host (its kernel, initrd, firmware): a regular file that root
// owns, in directories of root's, that no one else can change (beneath.CheckFile: a
// symlink is not followed), and that everyone may read already (so that /etc/shadow
// or a key of root's is never handed to a guest).
func publicHostFile(role, p string) error {
	if !filepath.IsAbs(p) || filepath.Clean(p) != p {
		return fmt.Errorf("%s is not an absolute, clean path", p)
	}
	return beneath.CheckFile(p, "handed to a guest", false, func(st *unix.Stat_t) string {
		if st.Mode&0o004 == 0 {
			return fmt.Sprintf("is not readable by everyone on this host (mode %04o)", st.Mode&0o7777)
		}
		return ""
	})
}

// checkImageName: an image named in a backup's kvmbackup.json is a file directly in
// the backup (the replica's word, on a receiving host: never a path).
func checkImageName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || name == manifestDir {
		return fmt.Errorf("image %q is not a file name", name)
	}
	return nil
}

// checkDefine: --define brings back a VM that is not defined; --as NAME a second
// copy, under a new name that is free, onto the --to images.
func checkDefine(o RestoreOptions, doms []hypervisor.Domain) error {
	defined := func(name string) bool {
		return slices.ContainsFunc(doms, func(d hypervisor.Domain) bool { return d.Name == name })
	}
	switch {
	case o.As != "" && !o.Define:
		return fmt.Errorf("%w: --as %s names the copy that --define makes: add --define", ErrBadDefine, o.As)
	case !o.Define:
		return nil
	case o.As == "":
		if defined(o.VM) {
			return fmt.Errorf("%w: %s is defined already: --define brings back a VM whose definition is gone; drop --define to write its disks back, or make a copy with --define --as NAME --to DIR", ErrBadDefine, o.VM)
		}
	case o.As == o.VM:
		return fmt.Errorf("%w: --as %s: a copy needs a name of its own", ErrBadDefine, o.As)
	case o.To == "" && len(o.Targets) == 0:
		return fmt.Errorf("%w: --as %s: give --to DIR (or --disk DISK=PATH) for the copy's images (the VM's own volumes stay its own)", ErrBadDefine, o.As)
	default:
		if err := zfs.CheckComponent(o.As); err != nil {
			return fmt.Errorf("%w: --as %q: %v", ErrBadDefine, o.As, err)
		}
		if defined(o.As) {
			return fmt.Errorf("%w: --as %s: a domain of that name is defined already", ErrBadDefine, o.As)
		}
	}
	return nil
}

// checkShutOff: a restore to a VM's own volumes needs the VM defined and shut off.
func checkShutOff(doms []hypervisor.Domain, vm string) error {
	for _, dom := range doms {
		if dom.Name == vm {
			if dom.State != hypervisor.StateShutoff {
				return fmt.Errorf("%w: %s is %s; shut it down first, or restore elsewhere with --to PATH", ErrVMRunning, vm, dom.State)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: %s is not a defined domain here: restore with --to PATH (or bring it back with --define)", ErrVMRunning, vm)
}

// placeTo resolves --to to a directory only root can change (beneath.OpenTrusted:
// owned by root, writable by no one else, and so every directory on the way) and
// outside the target's mount point, and places each disk in it: DIR/<image>, or the
// FILE named. Nothing is opened for writing yet.
func placeTo(ctx context.Context, t VMRestoreTarget, o RestoreOptions, toDir bool, res *Restored, idx []int) error {
	dir, name, err := beneath.OpenTrusted(o.To)
	if err != nil {
		return fmt.Errorf("%w: --to %s: %w", ErrBadRestoreDir, o.To, err)
	}
	res.dirs = append(res.dirs, dir)
	if toDir != (name == "") { // changed since it was looked at
		return fmt.Errorf("%w: --to %s changed while the restore looked at it", ErrBadRestoreDir, o.To)
	}
	if err := outsideTargets(ctx, t, o, "--to "+o.To, filepath.Join(dir.Name(), name)); err != nil {
		return err
	}
	for _, i := range idx {
		rd := &res.Disks[i]
		rd.dir, rd.name = dir, name
		if toDir {
			rd.name = rd.Image
		}
		if err := checkTarget(rd); err != nil {
			return fmt.Errorf("disk %s: %w", rd.Disk, err)
		}
	}
	return nil
}

// outsideTargets refuses a target (what names it, and where it resolved to) inside
// the mount point of Root or of a dataset of Protect.
func outsideTargets(ctx context.Context, t VMRestoreTarget, o RestoreOptions, what, where string) error {
	for _, ds := range append([]string{o.Root}, o.Protect...) {
		if ds == "" {
			continue
		}
		mp, err := t.Mountpoint(ctx, ds)
		if err != nil || mp == "" {
			continue
		}
		if r, err := filepath.EvalSymlinks(mp); err == nil {
			mp = r
		}
		if within(where, filepath.Clean(mp)) {
			return fmt.Errorf("%w: %s is inside the target's mount point %s (%s): restoring there would change the backups", ErrBadRestoreDir, what, mp, ds)
		}
	}
	return nil
}

// placeMapped places the disks given a target of their own (--disk DISK=PATH): a
// file or a block device, opened below a directory only root can change (as --to).
func placeMapped(ctx context.Context, t VMRestoreTarget, o RestoreOptions, res *Restored, idx []int) error {
	for _, i := range idx {
		rd := &res.Disks[i]
		what := "--disk " + rd.Disk + "=" + rd.To
		dir, name, err := beneath.OpenTrusted(rd.To)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrBadRestoreDir, what, err)
		}
		res.dirs = append(res.dirs, dir)
		if name == "" {
			return fmt.Errorf("%w: %s is a directory: name the file or block device to write disk %s to (or use --to DIR)", ErrBadRestoreDir, what, rd.Disk)
		}
		if err := outsideTargets(ctx, t, o, what, filepath.Join(dir.Name(), name)); err != nil {
			return err
		}
		rd.dir, rd.name = dir, name
		if err := checkTarget(rd); err != nil {
			return fmt.Errorf("disk %s: %w", rd.Disk, err)
		}
	}
	return nil
}

// placeOwn places each disk on the VM's own volume: the disk's source must still
// be the LV the backup recorded (resolved again now: a /dev/dm-N number or a path
// can name another LV since), and is opened below its trusted directory.
func placeOwn(ctx context.Context, v VolumeResolver, disks []MetaDisk, res *Restored, idx []int) error {
	for _, i := range idx {
		md := disks[i]
		rd := &res.Disks[i]
		var now lvm.LV
		switch md.Mode {
		case ModeBlock:
			l, err := v.ResolveDevice(ctx, md.Source)
			if err != nil {
				return fmt.Errorf("%w: disk %s: %v: nothing written", ErrWrongVolume, md.Disk, err)
			}
			now, rd.lv = l, &l
		default:
			f, err := v.ResolveFile(ctx, md.Source)
			if err != nil {
				return fmt.Errorf("%w: disk %s: %v: nothing written", ErrWrongVolume, md.Disk, err)
			}
			now = f.LV
		}
		if md.Volume == "" || now.FullName() != md.Volume {
			recorded := md.Volume
			if recorded == "" {
				recorded = "no LV recorded"
			}
			return fmt.Errorf("%w: disk %s: %s is now on %s, not on %s as when it was backed up (%s): nothing written; restore with --to the volume you mean",
				ErrWrongVolume, md.Disk, md.Source, now.FullName(), recorded, res.Snapshot)
		}
		dir, name, err := beneath.OpenTrusted(md.Source)
		if err != nil {
			return fmt.Errorf("disk %s: the VM's volume %s: %w", md.Disk, md.Source, err)
		}
		res.dirs = append(res.dirs, dir)
		if name == "" {
			return fmt.Errorf("disk %s: the VM's volume %s is a directory", md.Disk, md.Source)
		}
		rd.dir, rd.name = dir, name
		if err := checkTarget(rd); err != nil {
			return fmt.Errorf("disk %s: %w", md.Disk, err)
		}
	}
	return nil
}

// checkTarget looks at a disk's target below its directory, following nothing: a
// regular file, a block device (the VM's own LV in block mode must be one) or
// nothing yet; never a symlink.
func checkTarget(rd *RestoredDisk) error {
	st, err := rd.dir.Lstat(rd.name)
	if errors.Is(err, unix.ENOENT) && rd.lv == nil {
		return nil // created by the restore
	}
	if err != nil {
		return err
	}
	path := filepath.Join(rd.dir.Name(), rd.name)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		if rd.lv != nil {
			return fmt.Errorf("the VM's volume %s is no longer a block device", path)
		}
	case unix.S_IFBLK:
	case unix.S_IFLNK:
		return fmt.Errorf("%s is a symlink: not followed (a restore writes only files and devices of that name there)", path)
	default:
		return fmt.Errorf("%s is not a regular file or a block device", path)
	}
	return nil
}

// openTargets opens every disk's target for writing, below its directory and
// following nothing: a file is created (0600) when missing, a block device is opened
// with O_EXCL (one mounted or held open exclusively is refused), must be the LV it
// was resolved to, and must hold the image. On error nothing is written: what was
// opened is closed, what was created removed.
func openTargets(disks []RestoredDisk) (err error) {
	defer func() {
		if err == nil {
			return
		}
		for i := range disks {
			rd := &disks[i]
			if rd.dst != nil {
				rd.dst.Close()
				rd.dst = nil
			}
			if rd.created {
				rd.dir.RemoveAll(rd.name)
				rd.created = false
			}
		}
	}()
	for i := range disks {
		rd := &disks[i]
		if err := openTarget(rd); err != nil {
			return fmt.Errorf("disk %s: %w", rd.Disk, err)
		}
	}
	return nil
}

func openTarget(rd *RestoredDisk) error {
	path := filepath.Join(rd.dir.Name(), rd.name)
	if err := checkTarget(rd); err != nil {
		return err
	}
	st, err := rd.dir.Lstat(rd.name)
	switch {
	case errors.Is(err, unix.ENOENT):
		rd.dst, err = rd.dir.OpenFile(rd.name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600)
		rd.created = err == nil
	case err != nil:
	case st.Mode&unix.S_IFMT == unix.S_IFBLK:
		rd.dst, err = rd.dir.OpenFile(rd.name, unix.O_RDWR|unix.O_EXCL, 0)
		if errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("%w: %s is mounted or held open exclusively (a mount, LVM, another restore): nothing written", ErrDiskInUse, path)
		}
	default:
		rd.dst, err = rd.dir.OpenFile(rd.name, unix.O_RDWR, 0)
	}
	if err != nil {
		return err
	}
	got, err := beneath.Fstat(rd.dst)
	if err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	if !rd.created && !beneath.SameFile(got, st) {
		return fmt.Errorf("%s changed while it was opened", path)
	}
	if got.Mode&unix.S_IFMT != unix.S_IFBLK {
		return nil
	}
	if l := rd.lv; l != nil && l.Major >= 0 && got.Rdev != unix.Mkdev(uint32(l.Major), uint32(l.Minor)) {
		return fmt.Errorf("%w: %s is device %d:%d, not %s (%d:%d)", ErrWrongVolume, path, unix.Major(got.Rdev), unix.Minor(got.Rdev), l.FullName(), l.Major, l.Minor)
	}
	n, err := rd.dst.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("size of %s: %w", path, err)
	}
	if n < rd.Size {
		return fmt.Errorf("volume %s (%d bytes) is smaller than the image (%d bytes): nothing written", path, n, rd.Size)
	}
	return nil
}

// inUse: no restore writes a disk of a domain that is not shut off, whatever --to
// says, nor a disk of any other defined domain, shut off or not (vm is the one
// restored).
func inUse(vm string, doms []hypervisor.Domain, disks []RestoredDisk) error {
	for _, dom := range doms {
		for _, dd := range dom.Disks {
			for _, rd := range disks {
				if dd.Source == "" || !samePath(dd.Source, rd.To) {
					continue
				}
				switch {
				case dom.State != hypervisor.StateShutoff:
					return fmt.Errorf("%w: %s is disk %s of %s, which is %s: nothing written", ErrVMRunning, rd.To, dd.Target, dom.Name, dom.State)
				case dom.Name != vm:
					return fmt.Errorf("%w: %s is disk %s of %s (%s): a restore writes no disk of another domain, running or not: nothing written", ErrDiskInUse, rd.To, dd.Target, dom.Name, dom.State)
				}
			}
		}
	}
	return nil
}

// checkNotInUse is inUse as libvirt sees the domains now.
func checkNotInUse(ctx context.Context, hv DomainLister, vm string, disks []RestoredDisk) error {
	doms, err := hv.Domains(ctx)
	if err != nil {
		return fmt.Errorf("list domains: %w", err)
	}
	return inUse(vm, doms, disks)
}

// samePath: a and b name the same file or device (/dev/vg0/lv and /dev/mapper/vg0-lv).
func samePath(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, erra := os.Stat(a)
	fb, errb := os.Stat(b)
	if erra != nil || errb != nil {
		return false
	}
	if os.SameFile(fa, fb) {
		return true
	}
	ra, oka := fa.Sys().(*syscall.Stat_t)
	rb, okb := fb.Sys().(*syscall.Stat_t)
	return oka && okb && fa.Mode()&os.ModeDevice != 0 && fb.Mode()&os.ModeDevice != 0 && ra.Rdev == rb.Rdev
}

func isBlockDevice(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode()&os.ModeDevice != 0 && fi.Mode()&os.ModeCharDevice == 0
}

// findBackup is the dated backup of the unit u (a VM or a paths: entry) under root
// that WHEN names: the one lookup of a unit's dataset and its backups that restore
// and mount use. A bad name is an error naming it; an unknown unit ErrUnknownVM or
// ErrUnknownPath listing those there are.
func findBackup(ctx context.Context, t interface {
	ChildLister
	SnapshotLister
}, root string, u zfs.Unit, when string, now time.Time, loc *time.Location) (zfs.Snapshot, error) {
	if err := zfs.CheckComponent(u.Name); err != nil {
		if u.Kind == zfs.KindPath {
			return zfs.Snapshot{}, fmt.Errorf("--path %q: %w", u.Name, err)
		}
		return zfs.Snapshot{}, fmt.Errorf("VM %q: %w", u.Name, err)
	}
	l := zfs.Layout{Root: root}
	snaps, err := t.Snapshots(ctx, l.Dataset(u))
	if err != nil {
		if _, lerr := l.Units(ctx, t, u.Kind, []string{u.Name}); errors.Is(lerr, ErrUnknownVM) || errors.Is(lerr, ErrUnknownPath) {
			return zfs.Snapshot{}, lerr
		}
		return zfs.Snapshot{}, err
	}
	snap, err := ResolveWhen(when, snaps, now, loc)
	if err != nil {
		return zfs.Snapshot{}, fmt.Errorf("%s: %w", u, err)
	}
	return snap, nil
}

// backupDisks reads kvmbackup.json of a backup mounted at dir and returns its disks
// (only those named, when any are: an unknown one is an error listing them all).
func backupDisks(dir, snapshot, vm string, only []string) (disks []MetaDisk, have []string, err error) {
	b, err := readBackupFile(dir, "kvmbackup.json")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: no kvmbackup.json in the backup: %w", snapshot, err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, nil, fmt.Errorf("%s: kvmbackup.json: %w", snapshot, err)
	}
	for _, md := range m.Disks {
		have = append(have, md.Disk)
	}
	for _, want := range only {
		if !slices.Contains(have, want) {
			return nil, have, fmt.Errorf("%s has no disk %s in %s (disks: %s)", vm, want, snapshot, orNone(have))
		}
	}
	for _, md := range m.Disks {
		if len(only) == 0 || slices.Contains(only, md.Disk) {
			disks = append(disks, md)
		}
	}
	return disks, have, nil
}
