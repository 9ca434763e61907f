// Package replica owns the receiving side of replication: the fixed set of requests
// `kvmbackup receive --root ROOT` answers as an ssh key's forced command
// (command="kvmbackup receive --root tank/replica/host1",restrict in
// authorized_keys). The request is SSH_ORIGINAL_COMMAND, one of:
//
//	list           every dataset below ROOT, as JSON (Listing): its dated
//	               snapshots, bookmarks and resume token, names relative to ROOT
//	token REL      the receive_resume_token of ROOT/REL, or "-" for none
//	receive REL    stdin is a zfs send stream, received into ROOT/REL
//	               (zfs receive -s -u -o readonly=on -o canmount=noauto ...)
//	abort REL      discard the state of an interrupted receive into ROOT/REL
//
// REL is a unit's dataset below the root, as the layout names it (zfs.ParseRel): VM
// or _paths/NAME. Anything else is refused (Refused) before ZFS is asked anything:
// another verb, more words, a character other than letters, digits and _ . : / - (so
// no shell syntax reaches anything: there is no shell), an absolute name, "..", a
// dataset kvmbackup did not receive there, a stream that is not one dated snapshot's
// (its first record is read first: zfs.PeekStream). Nothing is ever destroyed on the sender's
// word (no -F, no destroy verb): only the receiver's own retention prunes (Prune,
// after each receive), so a compromised sending host cannot erase the replica's
// history.
//
// The ZFS side is the interface ZFS (what *zfs.Manager gives), so the protocol is
// tested with a fake.
package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kvmbackup/kvmbackup/zfs"
)

// ZFS is what the receiver needs of ZFS on its host.
type ZFS interface {
	// Tree lists root and every dataset below it (sorted by name) with their
	// snapshots and bookmarks (oldest first), resume tokens and zfs.PropReplica marks
	// (set locally; "" when not). A root that does not exist is an error wrapping
	// zfs.ErrNotFound. Nothing is changed.
	Tree(ctx context.Context, root string) ([]zfs.TreeDataset, error)
	// ReplicaMark returns zfs.PropReplica as set locally on dataset ("" when not set);
	// an error wrapping zfs.ErrNotFound when the dataset does not exist. Nothing is
	// changed.
	ReplicaMark(ctx context.Context, dataset string) (string, error)
	// ResumeToken returns dataset's receive_resume_token, "" for none; an error
	// wrapping zfs.ErrNotFound when the dataset does not exist. Nothing is changed.
	ResumeToken(ctx context.Context, dataset string) (string, error)
	// EnsureReplicaParent creates dataset (not mounted) marked zfs.PropReplica=mark
	// unless it exists; its parent must exist. One that exists without that mark is
	// an error wrapping zfs.ErrForeign, and is left alone.
	EnsureReplicaParent(ctx context.Context, dataset, mark string) error
	// Receive reads a zfs send stream from r into dataset with the options (never
	// -F: nothing on this side is rolled back or destroyed). A stream that does not
	// apply (a full one into an existing dataset, an incremental whose start the
	// dataset lacks, a dataset changed since its newest snapshot) is an error
	// carrying zfs's message.
	Receive(ctx context.Context, dataset string, r io.Reader, o zfs.ReceiveOptions) error
	// AbortResume discards the state an interrupted receive left in dataset (for an
	// interrupted first receive, the partly received dataset); nothing else.
	AbortResume(ctx context.Context, dataset string) error
}

// Refused is a request the receiver does not answer (exit status 2): its error is one
// line naming the request and why.
type Refused struct {
	Request string
	Reason  string
}

func (r *Refused) Error() string {
	return fmt.Sprintf("refused request %q: %s", r.Request, r.Reason)
}

// ErrNoRoot: the receiver's root dataset does not exist (the admin creates it).
var ErrNoRoot = errors.New("the receiver's root does not exist")

// IsRefused reports whether err is a refused request.
func IsRefused(err error) bool { return errors.As(err, new(*Refused)) }

// MaxRequest is the longest request answered.
const MaxRequest = 512

// Verbs of the protocol.
const (
	VerbList    = "list"
	VerbToken   = "token"
	VerbReceive = "receive"
	VerbAbort   = "abort"
)

// Request is a parsed request.
type Request struct {
	Verb string
	Rel  string   // the unit's dataset below the root ("" for list)
	Unit zfs.Unit // what Rel names
}

// ParseRequest checks a request (SSH_ORIGINAL_COMMAND) and returns it, or *Refused.
// It asks nothing of ZFS.
func ParseRequest(req string) (Request, error) {
	refuse := func(why string, args ...any) (Request, error) {
		shown := req
		if len(shown) > 80 {
			shown = shown[:80] + "…"
		}
		return Request{}, &Refused{Request: shown, Reason: fmt.Sprintf(why, args...)}
	}
	if strings.TrimSpace(req) == "" {
		return refuse("no request (this key runs only kvmbackup's receiver: list, token REL, receive REL or abort REL)")
	}
	if len(req) > MaxRequest {
		return refuse("longer than %d bytes", MaxRequest)
	}
	for _, c := range req {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_.:/- ", c)
		if !ok {
			return refuse("character %q: a request holds only letters, digits, _ . : / - and single spaces (no shell runs it)", c)
		}
	}
	words := strings.Split(req, " ")
	for _, w := range words {
		if w == "" {
			return refuse("words must be separated by single spaces")
		}
	}
	verb := words[0]
	switch verb {
	case VerbList:
		if len(words) != 1 {
			return refuse("list takes no argument")
		}
		return Request{Verb: verb}, nil
	case VerbToken, VerbReceive, VerbAbort:
		if len(words) != 2 {
			return refuse("want %s REL (REL: VM or %s/NAME below the root)", verb, zfs.PathsChild)
		}
	default:
		return refuse("unknown request %q: only list, token REL, receive REL and abort REL are answered", verb)
	}
	u, err := zfs.ParseRel(words[1])
	if err != nil {
		return refuse("%v", err)
	}
	return Request{Verb: verb, Rel: words[1], Unit: u}, nil
}

// Receiver answers requests for the datasets below Root.
type Receiver struct {
	Root string
	ZFS  ZFS
	// Prune, when set, is the receiver's own retention: after each receive that
	// succeeded, it prunes the dataset received into (nil: everything is kept).
	Prune Pruner
}

// Listing is the answer to list.
type Listing struct {
	Root     string           `json:"root"`
	Datasets []ListingDataset `json:"datasets"`
}

// ListingDataset is one dataset below the root in a Listing.
type ListingDataset struct {
	Name string `json:"name"` // relative to the root: web1, _paths, _paths/www
	// Replica: kvmbackup received it here (it carries zfs.PropReplica=Name, set
	// locally); a dataset without it is never received into.
	Replica     bool       `json:"replica"`
	Snapshots   []zfs.Mark `json:"snapshots"` // dated kvmbackup snapshots only, oldest first
	Bookmarks   []zfs.Mark `json:"bookmarks"`
	ResumeToken string     `json:"resume_token,omitempty"`
}

// Serve answers one request: stdin is the stream of a receive, stdout gets the answer
// of list and token. A refused request is *Refused (nothing was asked of ZFS, or,
// for a dataset kvmbackup did not receive, nothing was changed); any other error is
// a request that was allowed and failed, naming the dataset.
func (rc *Receiver) Serve(ctx context.Context, request string, stdin io.Reader, stdout io.Writer) error {
	req, err := ParseRequest(request)
	if err != nil {
		return err
	}
	if err := zfs.CheckDatasetName(rc.Root); err != nil {
		return fmt.Errorf("--root: %w", err)
	}
	ds := rc.Root + "/" + req.Rel
	refuse := func(why string, args ...any) error {
		return &Refused{Request: request, Reason: fmt.Sprintf(why, args...)}
	}
	switch req.Verb {
	case VerbList:
		return rc.list(ctx, stdout)
	case VerbToken:
		tok, err := rc.ZFS.ResumeToken(ctx, ds)
		if zfs.IsNotFound(err) {
			tok, err = "", nil
		}
		if err != nil {
			return err
		}
		if tok == "" {
			tok = "-"
		}
		_, err = fmt.Fprintln(stdout, tok)
		return err
	}
	// receive and abort write: only into what kvmbackup received here.
	if _, err := rc.ZFS.ReplicaMark(ctx, rc.Root); err != nil {
		if zfs.IsNotFound(err) {
			return fmt.Errorf("%w: %s: create it (zfs create -p %s)", ErrNoRoot, rc.Root, rc.Root)
		}
		return err
	}
	mark, err := rc.ZFS.ReplicaMark(ctx, ds)
	exists := !zfs.IsNotFound(err)
	if exists && err != nil {
		return err
	}
	if exists && mark != req.Rel {
		return refuse("%s exists and kvmbackup did not receive it (no %s=%s set locally): left alone", ds, zfs.PropReplica, req.Rel)
	}
	switch req.Verb {
	case VerbAbort:
		if !exists {
			return refuse("%s does not exist", ds)
		}
		return rc.ZFS.AbortResume(ctx, ds)
	default: // receive
		parent := rc.Root + "/" + zfs.PathsChild
		if !exists && req.Unit.Kind == zfs.KindPath {
			pm, err := rc.ZFS.ReplicaMark(ctx, parent)
			switch {
			case err == nil && pm != zfs.PathsChild:
				return refuse("%s exists and kvmbackup did not make it (no %s=%s set locally): left alone", parent, zfs.PropReplica, zfs.PathsChild)
			case err != nil && !zfs.IsNotFound(err):
				return err
			}
		}
		// The stream's first record says what it carries: only a dated snapshot of
		// kvmbackup's, never a compound (-R) stream, which could create datasets
		// below REL and carry their properties.
		sb, stream, err := zfs.PeekStream(stdin)
		switch {
		case err != nil:
			return refuse("%v", err)
		case sb.Compound:
			return refuse("the stream of %s is a replication (-R) stream: only single-dataset streams are received", sb.ToName)
		}
		if _, ok := zfs.ParseSnapshotName(sb.ToName); !ok || !strings.Contains(sb.ToName, "@") {
			return refuse("the stream carries %q, not a dated kvmbackup snapshot", sb.ToName)
		}
		stdin = stream
		if !exists && req.Unit.Kind == zfs.KindPath {
			if err := rc.ZFS.EnsureReplicaParent(ctx, parent, zfs.PathsChild); err != nil {
				if errors.Is(err, zfs.ErrForeign) {
					return refuse("%v", err)
				}
				return err
			}
		}
		if err := rc.ZFS.Receive(ctx, ds, stdin, zfs.ReceiveOptions{Resumable: true, NoMount: true, Props: zfs.ReplicaProps(req.Rel)}); err != nil {
			return err
		}
		if rc.Prune != nil {
			if _, err := rc.Prune.Prune(ctx, ds); err != nil {
				return fmt.Errorf("received into %s, then its pruning by the receiver's retention failed: %w", ds, err)
			}
		}
		return nil
	}
}

func (rc *Receiver) list(ctx context.Context, stdout io.Writer) error {
	tree, err := rc.ZFS.Tree(ctx, rc.Root)
	if err != nil {
		if zfs.IsNotFound(err) {
			return fmt.Errorf("%w: %s: create it (zfs create -p %s)", ErrNoRoot, rc.Root, rc.Root)
		}
		return err
	}
	out := Listing{Root: rc.Root, Datasets: []ListingDataset{}}
	for _, d := range tree {
		rel, ok := strings.CutPrefix(d.Name, rc.Root+"/")
		if !ok {
			continue // the root itself
		}
		ld := ListingDataset{Name: rel, Replica: d.Replica == rel, Snapshots: []zfs.Mark{}, Bookmarks: d.Bookmarks, ResumeToken: d.ResumeToken}
		for _, s := range d.Snapshots {
			if _, ok := zfs.ParseSnapshotName(s.Name); ok {
				ld.Snapshots = append(ld.Snapshots, s)
			}
		}
		out.Datasets = append(out.Datasets, ld)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
