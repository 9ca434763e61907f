package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/internal/fscheck"
	"github.com/kvmbackup/kvmbackup/internal/loopdev"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// verifyOptions are verify's flags.
type verifyOptions struct {
	paths    []string
	at       string
	all      bool
	boot     bool
	wait     time.Duration
	stateDir string
	lockPath string
}

func newVerifyCommand(g *globalOptions) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [VM]... [--path NAME]... [--at WHEN | --all] [--boot] [--json]",
		Short: "Prove that dated backups are whole, their filesystems sound, and that they boot",
		Long: `Verify checks dated backups without changing them. For each VM named (or every VM
and paths: entry when none is named) it takes the newest dated backup (--at WHEN: the
one 'kvmbackup list' shows for that time; --all: every one) and, on a throwaway clone
of it (never the snapshot's own mount, never the live dataset):
  - reads every image whole: ZFS checks every block's checksum on the way, and a
    checksum error names the file and the pool's list of damaged files;
  - compares every image with the manifest recorded with it in the backup (a
    mismatch names the disk, how many 16 KiB blocks differ and the first one);
  - checks every filesystem in the images, read-only, partitions scanned
    (e2fsck -n -f, xfs_repair -n, fsck.vfat -n, btrfs check --readonly), after
    replaying its journal on the clone as the guest's next boot would;
  - a paths: entry's tree is read whole.

--boot then boots each VM's backup: a second clone, a throwaway domain defined from
the backup's domain.xml with its disks on the clone, every network interface
removed, never defined persistently (no autostart), named kvmbackup-verify-VM-TIME.
It is up when its guest agent answers guest-ping, or, without a guest agent channel,
when a console line matches verify.boot.ready-pattern, within verify.boot.timeout.
Then each verify.boot.check command runs in the guest through the agent
(/bin/sh -c COMMAND) and must exit 0, and a screenshot (PNG) of its screen is saved
in --state-dir/verify when it has one. The domain and the clones are removed on
every path; after a crash, 'kvmbackup recover' (which every run does first) removes
them.

The result is recorded on each snapshot (kvmbackup:verified, kvmbackup:verify,
kvmbackup:verify-result) and shown by 'kvmbackup list' and 'kvmbackup status'. A
verify takes the host's run lock: it never runs beside a backup. With --wait it waits
for a run to end; without, it exits 2 naming the run that holds the lock.

EXIT STATUS
  0  every backup verified
  1  a backup failed its verify (the reason names the image, filesystem, boot or
     check), or its result could not be recorded
  2  bad configuration or arguments, unknown VM or path, no such backup, a run holds
     the lock, or the target or libvirt cannot be reached`,
		Example: `  kvmbackup verify                       # the newest backup of every VM and path
  kvmbackup verify web1 --boot           # and boot it, with no network
  kvmbackup verify web1 --at 2026-11-24  # the backup list shows for that day
  kvmbackup verify --path root --all
  kvmbackup verify --boot --wait 2h --json   # the weekly timer's`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerifyBackups(cmd.Context(), g, o, args, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.paths, "path", nil, "verify this paths: entry's backups (repeatable)")
	f.StringVar(&o.at, "at", "", "the backup to verify: a time, a date or an age as 'kvmbackup list' shows (default: the newest)")
	f.BoolVar(&o.all, "all", false, "verify every dated backup, not only the newest")
	f.BoolVar(&o.boot, "boot", false, "boot each VM's backup in a throwaway domain with no network, and run verify.boot.check in it")
	f.DurationVar(&o.wait, "wait", 0, "wait up to this long for a run holding the host's run lock (default: exit 2 at once)")
	f.StringVar(&o.stateDir, "state-dir", defaultStateDir, "where journals are kept, and screenshots (in verify/)")
	lockFlag(f, &o.lockPath)
	return cmd
}

func runVerifyBackups(ctx context.Context, g *globalOptions, o *verifyOptions, vms []string, out, errOut io.Writer) error {
	cfg, err := loadSelected(g, vms, o.paths)
	if err != nil {
		return err
	}
	if o.at != "" && o.all {
		return errors.New("--at and --all: give one")
	}
	if o.boot && len(o.paths) > 0 && len(vms) == 0 {
		return errors.New("--boot boots VMs: a paths: entry has nothing to boot (verify it without --boot)")
	}
	lock, err := waitLock(ctx, o.lockPath, o.wait, errOut)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	d := orchestrator.VerifyDeps{Target: zfs.New(), Loops: loopdev.New(), FS: fscheck.New(), Verifier: orchestrator.TransferCopier{}}
	if o.boot {
		c, err := hypervisor.Connect(ctx, cfg.Libvirt.URI)
		if err != nil {
			return err
		}
		defer c.Close()
		d.Boot = c
	}
	checks := make([][]string, len(cfg.Verify.Boot.Check))
	for i, c := range cfg.Verify.Boot.Check {
		checks[i] = []string{"/bin/sh", "-c", c}
	}
	now := time.Now()
	rep, err := orchestrator.Verify(ctx, d, orchestrator.VerifyOptions{Root: cfg.Target.Dataset, VMs: vms, Paths: o.paths,
		At: o.at, All: o.all, Boot: o.boot, RunID: "verify-" + now.UTC().Format("20060102T150405Z"),
		BootOpts: orchestrator.BootOptions{ReadyPattern: cfg.Verify.Boot.ReadyPattern, Checks: checks, Timeout: cfg.Verify.Boot.Timeout,
			ScreenshotDir: filepath.Join(o.stateDir, "verify")},
		JournalDir: filepath.Join(o.stateDir, "journal"), Now: now, Location: locationFrom(ctx)})
	if rep == nil {
		return err // nothing verified: the selection, the target or the journal
	}
	if rerr := recordVerify(cfg, o.stateDir, rep); rerr != nil {
		fmt.Fprintf(errOut, "kvmbackup: %v\n", rerr)
	}
	if g.json {
		if jerr := json.NewEncoder(out).Encode(rep); jerr != nil {
			return jerr
		}
	} else {
		printVerify(out, rep)
	}
	ok := 0
	for _, r := range rep.Results {
		if r.OK {
			ok++
		}
	}
	fmt.Fprintf(errOut, "verified %d backups in %.1fs: %d ok, %d failed\n", len(rep.Results), rep.Duration.Seconds(), ok, len(rep.Results)-ok)
	if err != nil {
		return failure{err}
	}
	if !rep.OK {
		return failure{fmt.Errorf("%d of %d backups failed their verify", len(rep.Results)-ok, len(rep.Results))}
	}
	return nil
}

// recordVerify merges rep into the state file in stateDir (the run lock held), then
// writes report.metrics-file from it; an error names the file.
func recordVerify(cfg *config.Config, stateDir string, rep *orchestrator.VerifyReport) error {
	return orchestrator.UpdateState(filepath.Join(stateDir, orchestrator.StateFile), func(st *orchestrator.State, err error) error {
		if err != nil {
			return fmt.Errorf("%w: not overwritten, the verify is not recorded there", err)
		}
		st.RecordVerify(rep)
		return nil
	}, func(st *orchestrator.State, err error) error {
		if err != nil {
			return err
		}
		return writeMetrics(cfg.Report.MetricsFile, st)
	})
}

// waitLock takes the host's run lock, waiting up to wait for a run that holds it
// (saying so once); past that, or with wait 0, the LockedError naming the holder.
func waitLock(ctx context.Context, path string, wait time.Duration, errOut io.Writer) (*orchestrator.HostLock, error) {
	deadline := time.Now().Add(wait)
	said := false
	for {
		lock, err := orchestrator.Lock(path)
		var locked *orchestrator.LockedError
		if err == nil || !errors.As(err, &locked) || !time.Now().Before(deadline) {
			return lock, err
		}
		if !said {
			fmt.Fprintf(errOut, "waiting up to %v: %v\n", wait, err)
			zerolog.Ctx(ctx).Info().Err(err).Dur("wait", wait).Msg("waiting for the run lock")
			said = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(2*time.Second, time.Until(deadline))):
		}
	}
}

// printVerify prints a verify's report: one line per backup, then what was checked.
func printVerify(out io.Writer, rep *orchestrator.VerifyReport) {
	w := bufio.NewWriter(out)
	defer w.Flush()
	for _, r := range rep.Results {
		status := "OK  "
		if !r.OK {
			status = "FAIL"
		}
		fmt.Fprintf(w, "%s %s %s (%s, %.1fs)\n", status, r.Unit, r.Snapshot, r.Checked, r.Duration.Seconds())
		if r.Reason != "" {
			fmt.Fprintf(w, "     why: %s\n", r.Reason)
		}
		for _, iv := range r.Images {
			if iv.Error != "" {
				fmt.Fprintf(w, "     %s: %s: %s\n", iv.Disk, iv.Image, iv.Error)
				continue
			}
			fmt.Fprintf(w, "     %s: %s read whole (%s), %d blocks match the manifest\n", iv.Disk, iv.Image, config.FormatBytes(iv.Bytes), iv.Blocks)
		}
		if r.Kind == zfs.KindPath {
			fmt.Fprintf(w, "     tree: %d files read whole (%s)\n", r.Files, config.FormatBytes(r.Bytes))
		}
		for _, f := range r.Filesystems {
			where := f.Disk
			if f.Partition > 0 {
				where = fmt.Sprintf("%s partition %d", f.Disk, f.Partition)
			}
			line := fmt.Sprintf("     %s: %s %s", where, f.Type, f.Status)
			if f.Replayed {
				line += " (journal replayed on the clone)"
			}
			if f.Reason != "" {
				line += ": " + f.Reason
			}
			fmt.Fprintln(w, line)
			if f.Status == "errors" {
				for _, l := range lastLines(f.Output, 8) {
					fmt.Fprintf(w, "       | %s\n", l)
				}
			}
		}
		if b := r.Boot; b != nil {
			if b.ReadyBy != "" {
				fmt.Fprintf(w, "     boot: %s ready (%s) in %.1fs, no network\n", b.Domain, b.ReadyBy, b.Ready.Seconds())
			} else if b.Domain != "" {
				fmt.Fprintf(w, "     boot: %s\n", b.Domain)
			}
			for _, c := range b.Checks {
				res := fmt.Sprintf("exit %d", c.Exit)
				if c.Error != "" {
					res = c.Error
				}
				fmt.Fprintf(w, "     check %q: %s\n", strings.Join(c.Command[min(2, len(c.Command)):], " "), res)
			}
			if b.Screenshot != "" {
				fmt.Fprintf(w, "     screenshot: %s\n", b.Screenshot)
			}
		}
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "     warning: %s\n", warn)
		}
	}
}

func lastLines(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}
