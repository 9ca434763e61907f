package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// listOptions are list's flags.
type listOptions struct {
	vms, paths []string
	replica    string // --replica: what that target's receiver holds
}

func newListCommand(g *globalOptions) *cobra.Command {
	o := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list [--vm NAME]... [--path NAME]... [--replica NAME]",
		Short: "List each VM's and path's dated backups",
		Long: `List shows, for each VM dataset under target.dataset and each paths: entry's dataset
(shown as path:NAME), its dated snapshots (each one a complete backup), oldest first: the time (local), the age, the space only it holds
(USED), what its run wrote (WRITTEN), what it refers to (REFER), whether it is
pinned, and the pause window and duration of the run that made it. --vm or --path
lists only those. Nothing is changed.

With --replica NAME it asks the receiver of that replication: target instead (in
process for zfs://, over ssh for ssh://, the same request replicate makes) and
shows what it holds: per dataset its dated snapshots, oldest first, with their
time and age; HERE says whether the local target holds the same snapshot (same
GUID: "yes"; "-" no longer, pruned here; "?" the local target unreadable); a
dataset with an interrupted receive pending (a resume token) is said so. The
receiver is only listed: nothing is received, aborted or pruned.

EXIT STATUS
  0  listed
  1  --replica: the receiver cannot be reached or answered with an error (the
     error names the target)
  2  bad configuration, an unknown --vm or --path (the error lists what exists), the
     target unusable; an unknown --replica (the error names the configured ones),
     or a --vm/--path that target holds nothing of`,
		Example: `  kvmbackup list
  kvmbackup list --vm web1
  kvmbackup list --path root
  kvmbackup list --json | jq '.[] | {vm, n: (.snapshots | length)}'
  kvmbackup list --replica offsite              # what the offsite receiver holds
  kvmbackup list --replica usb --vm web1 --json | jq '.datasets[].snapshots[] | select(.here | not) | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.replica != "" {
				return runListReplica(cmd.Context(), g, o, time.Now(), cmd.OutOrStdout())
			}
			return runList(cmd.Context(), g, o, time.Now(), cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringArrayVar(&o.vms, "vm", nil, "only this VM (repeatable)")
	cmd.Flags().StringArrayVar(&o.paths, "path", nil, "only this paths: entry (repeatable)")
	cmd.Flags().StringVar(&o.replica, "replica", "", "list what this replication: target's receiver holds")
	return cmd
}

// listedVM is one VM in `list --json`.
type listedVM struct {
	VM        string           `json:"vm,omitempty"`
	Path      string           `json:"path,omitempty"` // a paths: entry's dataset
	Dataset   string           `json:"dataset"`
	Snapshots []listedSnapshot `json:"snapshots"`
}

type listedSnapshot struct {
	Name       string        `json:"name"`
	Time       time.Time     `json:"time"`
	AgeSeconds int64         `json:"age_seconds"`
	Used       int64         `json:"used"`
	Written    int64         `json:"written"`
	Referenced int64         `json:"referenced"`
	Pinned     bool          `json:"pinned"`
	Run        string        `json:"run,omitempty"`
	Pause      time.Duration `json:"pause_window_ns"`
	Duration   time.Duration `json:"duration_ns"`
	// Verify: its last `kvmbackup verify` (none: never verified).
	Verify *zfs.Verification `json:"verify,omitempty"`
}

func runList(ctx context.Context, g *globalOptions, o *listOptions, now time.Time, out io.Writer) error {
	vms, paths := o.vms, o.paths
	cfg, err := loadSelected(g, vms, paths)
	if err != nil {
		return err
	}
	t := zfs.New()
	lay := zfs.Layout{Root: cfg.Target.Dataset}
	units, err := lay.Select(ctx, t, vms, paths)
	if err != nil {
		return err
	}
	nvms := 0
	res := []listedVM{}
	for _, u := range units {
		ds := lay.Dataset(u)
		snaps, err := t.Snapshots(ctx, ds)
		if err != nil {
			return err
		}
		l := listedVM{VM: u.Name, Dataset: ds, Snapshots: []listedSnapshot{}}
		if u.Kind == zfs.KindPath {
			l.VM, l.Path = "", u.Name
		} else {
			nvms++
		}
		for _, s := range snaps {
			if !s.Ours() {
				continue
			}
			p := s.Backup()
			ls := listedSnapshot{Name: s.Name, Time: s.Time(), AgeSeconds: int64(now.Sub(s.Time()).Seconds()),
				Used: s.Used, Written: s.Written, Referenced: s.Referenced, Pinned: s.Pinned(), Run: p.Run,
				Pause: p.Pause, Duration: p.Duration}
			if v, ok := s.Verification(); ok {
				ls.Verify = &v
			}
			l.Snapshots = append(l.Snapshots, ls)
		}
		res = append(res, l)
	}
	if g.json {
		return json.NewEncoder(out).Encode(res)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VM\tSNAPSHOT\tTIME\tAGE\tUSED\tWRITTEN\tREFER\tPINNED\tPAUSE\tDURATION\tVERIFIED")
	n := 0
	for _, l := range res {
		name := l.VM
		if l.Path != "" {
			name = "path:" + l.Path
		}
		if len(l.Snapshots) == 0 {
			fmt.Fprintf(tw, "%s\t(no backup yet)\t\t\t\t\t\t\t\t\t\n", name)
		}
		for _, s := range l.Snapshots {
			n++
			pinned := ""
			if s.Pinned {
				pinned = "pinned"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, s.Name, s.Time.Local().Format("2006-01-02 15:04 MST"),
				age(now.Sub(s.Time)), config.FormatBytes(s.Used), config.FormatBytes(s.Written), config.FormatBytes(s.Referenced),
				pinned, orDash(s.Pause), orDash(s.Duration), verifiedCell(s.Verify, now))
		}
	}
	tw.Flush()
	fmt.Fprintf(out, "%d VMs, %d paths, %d dated backups under %s\n", nvms, len(res)-nvms, n, cfg.Target.Dataset)
	return nil
}

// age is a short human age: 45m, 5h, 3d4h.
func age(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
	}
}

func orDash(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return d.Round(10 * time.Millisecond).String()
}

// verifiedCell is list's VERIFIED column: "ok data,boot 2d" (what was checked, how
// long ago), "FAILED data 5h", or "-" for a backup never verified.
func verifiedCell(v *zfs.Verification, now time.Time) string {
	if v == nil {
		return "-"
	}
	res := "ok"
	if !v.OK {
		res = "FAILED"
	}
	return fmt.Sprintf("%s %s %s ago", res, v.What, age(now.Sub(v.At)))
}
