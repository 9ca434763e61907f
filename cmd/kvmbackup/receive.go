package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/policies"
	"github.com/kvmbackup/kvmbackup/replica"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// requestEnv is where sshd puts the command the client asked for when the key has a
// forced command.
const requestEnv = "SSH_ORIGINAL_COMMAND"

func newReceiveCommand() *cobra.Command {
	var root string
	var keep policies.Policy
	cmd := &cobra.Command{
		Use:   "receive --root POOL/DATASET [--keep-daily N] [--keep-monthly N]...",
		Short: "Receive replicated backups: the forced command of a sending host's ssh key",
		Long: `Receive is the receiving side of replication. It is not run by hand: it is the forced
command of the sending host's key in ~/.ssh/authorized_keys on this host,

  command="kvmbackup receive --root tank/replica/host1 --keep-daily 30 --keep-monthly 12",restrict ssh-ed25519 AAAA... kvmbackup@host1

and answers the one request the sender made (sshd gives it in SSH_ORIGINAL_COMMAND):

  list          every dataset below the root as JSON: its dated kvmbackup snapshots,
                bookmarks and resume token, names relative to the root
  token REL     the resume token of ROOT/REL after an interrupted receive, or "-"
  receive REL   stdin is a zfs send stream, received into ROOT/REL with
                zfs receive -s -u -o readonly=on -o canmount=noauto
                (-o setuid=off devices=off exec=off atime=off kvmbackup:replica=REL)
  abort REL     discard the state of an interrupted receive into ROOT/REL

With --keep-* (the keys of retention: in the configuration, as flags), after each
receive that succeeded the dataset received into is pruned by that retention, this
host's own: never its newest snapshot, a held one ('zfs hold') or another tool's.
Without any, everything received is kept. The sender has no request to prune or
destroy anything, so a compromised sending host cannot erase this history.

REL is VM or _paths/NAME. Every other request is refused with one line naming it:
other verbs, shell syntax (no shell ever runs), absolute names, "..", anything
outside the root, a dataset under the root that kvmbackup did not receive (no
kvmbackup:replica set locally). Nothing is ever destroyed or rolled back on the
sender's word (no zfs receive -F): what the replica keeps is decided on this host.
The root must exist: create it with 'zfs create -p POOL/DATASET'.

EXIT STATUS
  0  answered
  1  an allowed request failed (zfs's message says why: a stream that does not
     apply, a replica changed on this host, a token that no longer matches)
  2  a refused request, a missing or bad --root or --keep-*, or no request at all`,
		Example: `  # on the receiver, in root's ~/.ssh/authorized_keys (one line):
  command="kvmbackup receive --root tank/replica/host1",restrict ssh-ed25519 AAAA... kvmbackup@host1

  # what the sending host then runs (kvmbackup replicate does it):
  ssh root@backup2 list
  zfs send -w tank/backup/web1@kvmbackup_2026-12-02T03:00:00Z | ssh root@backup2 receive web1

  # trying it on the receiver itself:
  SSH_ORIGINAL_COMMAND=list kvmbackup receive --root tank/replica/host1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := zfs.CheckDatasetName(root); err != nil {
				return fmt.Errorf("--root: %w", err)
			}
			m := zfs.New()
			rc := &replica.Receiver{Root: root, ZFS: m}
			if keep != (policies.Policy{}) {
				if err := keep.Validate(); err != nil {
					return fmt.Errorf("--keep-*: %w", err)
				}
				rc.Prune = replica.RetentionPruner{Policy: keep, ZFS: m}
			}
			err := rc.Serve(cmd.Context(), os.Getenv(requestEnv), cmd.InOrStdin(), cmd.OutOrStdout())
			if err != nil && !replica.IsRefused(err) && !errors.Is(err, replica.ErrNoRoot) {
				return failure{err}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&root, "root", "", "the dataset the replicas are received under (required)")
	cmd.Flags().IntVar(&keep.KeepLast, "keep-last", 0, "this host's retention: the N newest snapshots")
	cmd.Flags().IntVar(&keep.KeepHourly, "keep-hourly", 0, "this host's retention: the newest of each of the last N hours")
	cmd.Flags().IntVar(&keep.KeepDaily, "keep-daily", 0, "this host's retention: the newest of each of the last N days")
	cmd.Flags().IntVar(&keep.KeepWeekly, "keep-weekly", 0, "this host's retention: the newest of each of the last N ISO weeks")
	cmd.Flags().IntVar(&keep.KeepMonthly, "keep-monthly", 0, "this host's retention: the newest of each of the last N months")
	cmd.Flags().IntVar(&keep.KeepYearly, "keep-yearly", 0, "this host's retention: the newest of each of the last N years")
	_ = cmd.MarkFlagRequired("root")
	return cmd
}
