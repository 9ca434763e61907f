package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// restoreOptions are restore's flags. With path set it restores that paths:
// entry's tree (runRestorePath); else a VM's disks (runRestore).
type restoreOptions struct {
	at        string
	disks     []string // VM only: DISK (select) or DISK=PATH (select, and write it there)
	to        string
	define    bool // VM only
	as        string
	from      string // VM only: a replication receiver's root on this host
	noNetwork bool   // with --define
	dryRun    bool
	lockPath  string
	path      string   // --path NAME: a paths: entry's tree instead of a VM
	only      []string // tree only: the globs to restore
}

// args checks restore's arguments: one VM, or none with --path.
func (o *restoreOptions) args(c *cobra.Command, a []string) error {
	if o.path != "" {
		if len(a) > 0 {
			return fmt.Errorf("restore --path %s takes no VM argument (got %q)", o.path, strings.Join(a, " "))
		}
		return nil
	}
	if len(o.only) > 0 {
		return errors.New("--only is for a tree: give --path NAME")
	}
	return cobra.ExactArgs(1)(c, a)
}

func newRestoreCommand(g *globalOptions) *cobra.Command {
	o := &restoreOptions{}
	cmd := &cobra.Command{
		Use: `restore VM --at WHEN [--disk vda[=PATH]]... [--to PATH] [--define [--as NAME] [--no-network]] [--dry-run]
  kvmbackup restore VM --from ROOT --at WHEN --to DIR|--disk vda=PATH... [--define [--as NAME] [--no-network]]
  kvmbackup restore --path NAME --at WHEN --to DIR [--only GLOB]... [--dry-run]`,
		Short: "Write a VM's disks back from a dated backup (changed blocks only, verified), or a tree (--path)",
		Long: `Restore writes a VM's disk images from one dated backup, by changed blocks, and then
verifies each written image against the backup's manifest (block hashes).

WHEN is a snapshot name (kvmbackup_2026-11-24T03:00:00Z), "latest", a date
(2026-11-24: the newest backup of that day or before) or a date-time (2026-11-24T03:00,
local time unless a zone is given), or an age (3d, 12h: the newest backup at least
that old).

By default each disk goes back where it came from (the VM's LV, or its image file in
file mode), and only when libvirt says the VM is shut off: a running or paused VM is
refused with nothing written, and so is a disk that is no longer the LV its backup
recorded (a /dev/dm-N number can name another LV after a reboot). --to PATH writes
elsewhere, whatever the VM's state: a file or block device for one disk, or an
existing directory (one image per disk). The directory written in (DIR, or FILE's
directory) must be owned by root and writable by no one else, and so must every
directory on the way to it (or be sticky, as /tmp is), as sshd asks of its keys:
nobody else can then put a symlink or a file of theirs there. Images are opened in
it following no symlink; --to inside the backup target is refused. The backup is
read through a read-only mount of its snapshot, removed at the end. Whatever --to
says, a disk of a domain that is not shut off, or of any other defined domain, is
never written, and a block device is opened exclusively (a mounted one is refused);
a VM started while its disks are written back is reported (exit 1): restore it again.

--define defines the domain again from the backup's domain.xml once every disk is
written and verified: the VM itself, when its definition is gone (a VM still defined
is refused: drop --define to write its disks back), with its disks where they were
written (its own volumes, or --to). --define --as NAME --to DIR makes a second copy
of the VM instead: named NAME, with a new UUID and new MAC addresses, its own console
log files, and every writable disk on the images written into DIR (a writable disk
left out with --disk would be shared with the original: refused). Neither is started.
--no-network (with --define only) defines it with every <interface> removed: a copy
that can run beside the original, or a failover test, without its MAC or address.

--disk vda=PATH writes that disk to PATH, a file or a block device (/dev/VG/LV) of
this host, instead of its own volume or --to (repeatable; plain --disk vda still only
selects). With --define the domain's disk points at PATH.

FAILOVER: --from ROOT reads the backup from a replication receiver's root on this
host (the dataset kvmbackup receive --root, or a zfs:// target, received into)
instead of target.dataset: the VM's dataset ROOT/VM must be one kvmbackup received
there (kvmbackup:replica=VM set locally on it; anything else under ROOT is refused).
WHEN names the received dated snapshots, as for a local backup: a backup that the
sending host has pruned already is still there if the receiver's retention kept it.
The disks its backup names (/dev/vg0/web1) are the sending host's: with --from each
disk needs a target you name, --disk vda=/dev/VG/LV or --to DIR; none is ever
written to a path taken from the replicated domain.xml or kvmbackup.json. With
--from, --define defines CD-ROM and floppy drives empty (their media are the other
host's paths) and refuses a disk left out, and a definition that passes host
directories (<filesystem>), host devices (<hostdev>) or arguments to QEMU. Its
console and other chardev files go to DIR (--to DIR) or /var/log/libvirt/qemu, as
NAME.serial0.log...; the emulator, <seclabel>, NVRAM file and agent socket are this
host's defaults; a kernel, initrd or firmware it names must be a file root owns and
everyone may read; interface scripts and host devices, pipes and sockets are
refused (docs/replication.md, "Failover"). --from needs no backup configuration on
this host: /etc/kvmbackup/config.yaml (or --config) is read when it exists, for
libvirt.uri, and target.dataset only so that no restore writes inside it; without
one, the defaults (qemu:///system) do. Every other check is the same as above.

With --path NAME, restore copies a paths: entry's tree (or, with --only GLOB, what the
globs match: the path below the tree's root, e.g. etc/nginx or /etc/*.conf, with the
directories leading to it) from one dated backup into --to DIR, with the backup's
owners, modes, times, hard links, symlinks, special files and xattrs. DIR must be
new or empty, never / and never inside the target: a tree is never restored over
the live one in place; copy what you need from DIR. DIR (or, when new, the directory
it is made in, 0700) and every directory on the way must be root's alone: owned by
root, writable by no other user or group (a sticky one such as /tmp on the way is
fine, not as the one written in), so that no one else can steer where the restore
writes. Exit status as below (2: an
unknown entry or WHEN, a bad --to, an --only that matches nothing).

EXIT STATUS
  0  restored and verified
  1  a write or the verification failed (the error names the disk)
  2  bad input (unknown VM, WHEN or disk; the VM not shut off; a target that a
     running domain or another domain uses, or that is mounted; a disk that is no
     longer the LV backed up; a --to that others could change, or inside the target;
     a volume smaller than the image; --define of a VM still defined, --as a name in
     use or without --to; --no-network without --define; --from a dataset that
     kvmbackup did not receive, or a disk with no target; another run holds the
     lock): nothing written`,
		Example: `  kvmbackup restore web1 --at latest --dry-run
  kvmbackup restore web1 --at 2026-11-24            # the VM must be shut off
  kvmbackup restore web1 --at 3d --disk vda --to /srv/restore/web1-vda.raw
  kvmbackup restore db1 --at kvmbackup_2026-11-24T03:00:00Z --to /srv/restore/
  kvmbackup restore web1 --at latest --define       # web1 was undefined: bring it back
  kvmbackup restore web1 --at 2026-11-24 --to /srv/restore/ --define --as web1-test
  virsh start web1-test                             # the copy boots beside web1

  # Failover on the receiving host (host1's replica in tank/replica/host1):
  kvmbackup restore web1 --from tank/replica/host1 --at latest --dry-run --disk vda=/dev/vg0/web1
  lvcreate -L 20G -n web1 vg0                       # a volume at least the image's size
  kvmbackup restore web1 --from tank/replica/host1 --at latest --disk vda=/dev/vg0/web1 --define
  kvmbackup restore web1 --from tank/replica/host1 --at 2026-11-24 --to /srv/test/ --define --as web1-test --no-network
  kvmbackup restore --path root --at 2026-11-24 --to /root/root-1124
  kvmbackup restore --path root --at 3d --only etc/nginx --only /etc/hosts --to /root/nginx`,
		Args: o.args,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.path != "" && len(o.disks) > 0 {
				return errors.New("--disk is for a VM: a tree (--path) is restored whole, or the part --only names")
			}
			if o.path != "" && (o.from != "" || o.noNetwork) {
				return errors.New("--from and --no-network are for a VM: a tree (--path) is restored from this host's target")
			}
			if o.at == "" {
				return fmt.Errorf("--at WHEN is required (a snapshot name, latest, a date or an age)")
			}
			if o.path != "" {
				return runRestorePath(cmd.Context(), g, o, cmd.OutOrStdout())
			}
			return runRestore(cmd.Context(), g, o, args[0], cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.at, "at", "", "which backup: snapshot name, latest, date, date-time or age (3d)")
	f.StringArrayVar(&o.disks, "disk", nil, "only this disk, vda; vda=PATH: and write it to that file or block device (repeatable; default every disk of the backup)")
	f.StringVar(&o.to, "to", "", "write here instead of the VM's own volumes: a file, a block device or a directory")
	f.BoolVar(&o.define, "define", false, "define the domain from the backup's domain.xml once the disks are written (the VM must not be defined)")
	f.StringVar(&o.as, "as", "", "with --define and --to: a second copy under this name (new UUID and MACs)")
	f.StringVar(&o.from, "from", "", "failover: read the backup from this replication receiver's root on this host (a dataset kvmbackup received into)")
	f.BoolVar(&o.noNetwork, "no-network", false, "with --define: define the domain with no network interface")
	f.BoolVar(&o.dryRun, "dry-run", false, "say what would be written where, write nothing")
	lockFlag(f, &o.lockPath)
	f.StringVar(&o.path, "path", "", "restore this paths: entry's tree (with --to DIR) instead of a VM")
	f.StringArrayVar(&o.only, "only", nil, "with --path: only what this glob matches (repeatable)")
	return cmd
}

func runRestore(ctx context.Context, g *globalOptions, o *restoreOptions, vm string, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if err := checkVMFlags([]string{vm}); err != nil {
		return err
	}
	disks, targets, err := parseDiskFlags(o.disks)
	if err != nil {
		return err
	}
	ro := orchestrator.RestoreOptions{Root: cfg.Target.Dataset, VM: vm, At: o.at, Disks: disks, Targets: targets, To: o.to,
		Define: o.define, As: o.as, NoNetwork: o.noNetwork, DryRun: o.dryRun,
		RunID: "restore-" + time.Now().UTC().Format("20060102T150405Z"), Now: time.Now(), Location: locationFrom(ctx)}
	if o.from != "" {
		ro.Root, ro.Replica, ro.Protect = o.from, true, []string{cfg.Target.Dataset}
	}
	if o.noNetwork && !o.define { // before the lock and libvirt: bad input
		return fmt.Errorf("--no-network removes the interfaces of the domain --define defines: add --define")
	}
	deps, release, err := lockedDeps(ctx, cfg, o.lockPath)
	if err != nil {
		return err
	}
	defer release()
	t := zfs.New()
	res, err := orchestrator.Restore(ctx, orchestrator.RestoreDeps{Hypervisor: deps.Hypervisor, Target: t, Volumes: deps.LVM,
		Copier: orchestrator.TransferCopier{}, Verifier: orchestrator.TransferCopier{}, Replicas: t}, ro)
	if res == nil {
		return err // nothing written
	}
	if g.json {
		if jerr := json.NewEncoder(out).Encode(res); jerr != nil {
			return jerr
		}
	} else {
		verb := "restored"
		if res.DryRun {
			verb = "would restore (dry run, nothing written)"
		}
		from := ""
		if o.from != "" {
			from = " (a replica received here)"
		}
		fmt.Fprintf(out, "%s %s from %s%s\n", verb, vm, res.Snapshot, from)
		for _, d := range res.Disks {
			line := fmt.Sprintf("  %s: %s (%s) → %s", d.Disk, d.Image, config.FormatBytes(d.Size), d.To)
			if !res.DryRun {
				line += fmt.Sprintf(": wrote %s in %s", config.FormatBytes(d.Stats.Written), d.Stats.Duration.Round(time.Millisecond))
				if d.Verified != nil && d.Error == "" {
					line += fmt.Sprintf(", verified (%d blocks)", d.Verified.Blocks)
				}
			}
			if d.Error != "" {
				line += ": FAILED: " + d.Error
			}
			fmt.Fprintln(out, line)
		}
		switch {
		case res.Defined != "" && res.DryRun:
			fmt.Fprintf(out, "would define %s from the backup's domain.xml\n", res.Defined)
		case res.Defined != "":
			fmt.Fprintf(out, "defined %s from the backup's domain.xml (not started: virsh start %s)\n", res.Defined, res.Defined)
		}
	}
	if err != nil {
		return failure{err}
	}
	return nil
}

// parseDiskFlags splits restore's --disk values: DISK selects that disk, DISK=PATH
// selects it and writes it to PATH. A disk named twice with two paths is an error.
func parseDiskFlags(vals []string) (disks []string, targets map[string]string, err error) {
	for _, v := range vals {
		disk, path, mapped := strings.Cut(v, "=")
		if disk == "" {
			return nil, nil, fmt.Errorf("--disk %q: name the disk (vda or vda=PATH)", v)
		}
		if !mapped {
			disks = append(disks, disk)
			continue
		}
		if path == "" {
			return nil, nil, fmt.Errorf("--disk %s=: give the file or block device to write %s to", disk, disk)
		}
		if targets == nil {
			targets = map[string]string{}
		}
		if have, ok := targets[disk]; ok && have != path {
			return nil, nil, fmt.Errorf("--disk %s: given twice, =%s and =%s", disk, have, path)
		}
		targets[disk] = path
	}
	return disks, targets, nil
}
