package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/replica"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// requestEnv is where sshd puts the command the client asked for when the key has a
// forced command.
const requestEnv = "SSH_ORIGINAL_COMMAND"

func newReceiveCommand() *cobra.Command {
	var root string
	cmd := &cobra.Command{
		Use:   "receive --root POOL/DATASET",
		Short: "Receive replicated backups: the forced command of a sending host's ssh key",
		Long: `Receive is the receiving side of replication. It is not run by hand: it is the forced
command of the sending host's key in ~/.ssh/authorized_keys on this host,

  command="kvmbackup receive --root tank/replica/host1",restrict ssh-ed25519 AAAA... kvmbackup@host1

and answers the one request the sender made (sshd gives it in SSH_ORIGINAL_COMMAND):

  list          every dataset below the root as JSON: its dated kvmbackup snapshots,
                bookmarks and resume token, names relative to the root
  token REL     the resume token of ROOT/REL after an interrupted receive, or "-"
  receive REL   stdin is a zfs send stream, received into ROOT/REL with
                zfs receive -s -u -o readonly=on -o canmount=noauto
                (-o setuid=off devices=off exec=off kvmbackup:replica=REL)
  abort REL     discard the state of an interrupted receive into ROOT/REL

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
  2  a refused request, a missing or bad --root, or no request at all`,
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
			rc := &replica.Receiver{Root: root, ZFS: zfs.New()}
			err := rc.Serve(cmd.Context(), os.Getenv(requestEnv), cmd.InOrStdin(), cmd.OutOrStdout())
			if err != nil && !replica.IsRefused(err) && !errors.Is(err, replica.ErrNoRoot) {
				return failure{err}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&root, "root", "", "the dataset the replicas are received under (required)")
	_ = cmd.MarkFlagRequired("root")
	return cmd
}
