package zfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// Send and receive: the engine of replication. Streams go through the runner (no
// shell) as pipes: Send writes a stream to w, Receive reads one from r, and
// runner.Pipe joins a Send to a Receive (SendReceive) or to ssh, each command in its
// own process group, both killed on cancel, both exit statuses checked.
//
// Every stream is sent with -L (large blocks kept as they are: the receiver must see
// the same flag on every send of a dataset) and -e, or -w (raw) for an encrypted
// dataset, so that the receiver never needs its key. A receive never uses -F: it
// never rolls back nor destroys anything on the receiving side.

// SendOptions are the flags of one send.
type SendOptions struct {
	// From is "" for a full stream, else the start of an incremental one: a snapshot
	// (DATASET@SNAP) or a bookmark (DATASET#NAME) of the same dataset.
	From string
	// Incremental: with From a snapshot, -I (every snapshot between From and the one
	// sent, in one stream) instead of -i (only the two). A bookmark allows only -i.
	Incremental bool
	// Compressed: -c, blocks sent compressed as stored.
	Compressed bool
	// Raw: -w, blocks sent as stored, encrypted ones still encrypted. Send sets it
	// itself for a dataset whose encryption is not off.
	Raw bool
}

// splitName splits DATASET<sep>NAME and checks both parts.
func splitName(full string, sep byte, what string) (string, string, error) {
	i := strings.IndexByte(full, sep)
	if i < 0 {
		return "", "", fmt.Errorf("%s %q: want DATASET%cNAME", what, full, sep)
	}
	ds, name := full[:i], full[i+1:]
	if err := checkSnapshot(ds, name); err != nil {
		return "", "", fmt.Errorf("%s %q: %w", what, full, err)
	}
	return ds, name, nil
}

// sendArgs checks snapshot and o and returns the arguments of `zfs send`.
func (m *Manager) sendArgs(ctx context.Context, snapshot string, o SendOptions) ([]string, error) {
	ds, _, err := splitName(snapshot, '@', "send: snapshot")
	if err != nil {
		return nil, err
	}
	if !o.Raw {
		enc, err := m.Property(ctx, ds, "encryption")
		if err != nil {
			return nil, fmt.Errorf("send %s: %w", snapshot, err)
		}
		o.Raw = enc != "off" && enc != "-" && enc != ""
	}
	args := []string{"send"}
	switch {
	case o.Raw:
		args = append(args, "-w")
	case o.Compressed:
		args = append(args, "-L", "-e", "-c")
	default:
		args = append(args, "-L", "-e")
	}
	if o.From != "" {
		sep, what := byte('@'), "snapshot"
		if strings.Contains(o.From, "#") {
			sep, what = '#', "bookmark"
		}
		fds, _, err := splitName(o.From, sep, "send "+snapshot+": incremental from "+what)
		if err != nil {
			return nil, err
		}
		if fds != ds {
			return nil, fmt.Errorf("send %s: incremental from %s, of another dataset", snapshot, o.From)
		}
		if o.From == snapshot {
			return nil, fmt.Errorf("send %s: incremental from itself", snapshot)
		}
		switch {
		case o.Incremental && sep == '#':
			return nil, fmt.Errorf("send %s: -I cannot start from the bookmark %s (zfs allows only -i from a bookmark)", snapshot, o.From)
		case o.Incremental:
			args = append(args, "-I", o.From)
		default:
			args = append(args, "-i", o.From)
		}
	}
	return append(args, snapshot), nil
}

// Send writes the stream of snapshot (DATASET@NAME) to w: whole, or incremental from
// o.From. A failure names the snapshot and carries zfs's stderr.
func (m *Manager) Send(ctx context.Context, snapshot string, o SendOptions, w io.Writer) error {
	args, err := m.sendArgs(ctx, snapshot, o)
	if err != nil {
		return err
	}
	if _, err := m.ZFS.RunWith(ctx, runner.Options{Stdout: w}, args...); err != nil {
		return zfsErr("send "+snapshot, err)
	}
	return nil
}

// SendSize is the size in bytes of the stream Send would write (`zfs send -nvP`);
// nothing is sent.
func (m *Manager) SendSize(ctx context.Context, snapshot string, o SendOptions) (int64, error) {
	args, err := m.sendArgs(ctx, snapshot, o)
	if err != nil {
		return 0, err
	}
	args = append([]string{args[0], "-n", "-v", "-P"}, args[1:]...)
	return m.dryRun(ctx, "estimate the send of "+snapshot, args)
}

// tokenRe is a receive_resume_token: VERSION-CHECKSUM-LENGTH-HEX.
var tokenRe = regexp.MustCompile(`^[0-9]+-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$`)

// CheckToken returns an error unless token looks like a receive_resume_token.
func CheckToken(token string) error {
	if len(token) > 1<<16 || !tokenRe.MatchString(token) {
		return fmt.Errorf("resume token %.40q… is not a receive_resume_token", token)
	}
	return nil
}

// SendResume writes the rest of an interrupted stream to w (`zfs send -t TOKEN`),
// token being the receiver's ResumeToken. A token whose snapshot is gone, or that no
// longer matches, is an error carrying zfs's stderr.
func (m *Manager) SendResume(ctx context.Context, token string, w io.Writer) error {
	if err := CheckToken(token); err != nil {
		return err
	}
	if _, err := m.ZFS.RunWith(ctx, runner.Options{Stdout: w}, "send", "-t", token); err != nil {
		return zfsErr("resume a send from its token", err)
	}
	return nil
}

// SendResumeSize is the size in bytes of what SendResume would still write.
func (m *Manager) SendResumeSize(ctx context.Context, token string) (int64, error) {
	if err := CheckToken(token); err != nil {
		return 0, err
	}
	return m.dryRun(ctx, "estimate a resumed send", []string{"send", "-n", "-v", "-P", "-t", token})
}

// dryRun runs a `zfs send -nvP` and reads its "size" line (stdout; older zfs: stderr).
func (m *Manager) dryRun(ctx context.Context, what string, args []string) (int64, error) {
	res, err := m.ZFS.Run(ctx, args...)
	if err != nil {
		return 0, zfsErr(what, err)
	}
	for _, out := range [][]byte{res.Stdout, res.Stderr} {
		for _, l := range strings.Split(string(out), "\n") {
			f := strings.Fields(l)
			if len(f) == 2 && f[0] == "size" {
				n, err := strconv.ParseInt(f[1], 10, 64)
				if err == nil {
					return n, nil
				}
			}
		}
	}
	return 0, fmt.Errorf("%s: no size in `zfs %s` output: %q", what, strings.Join(args, " "), res.Stdout)
}

// ReceiveOptions are the flags of one receive. There is no -F: a receive never rolls
// the dataset back nor destroys a snapshot.
type ReceiveOptions struct {
	Resumable bool // -s: an interrupted receive keeps its state (ResumeToken)
	NoMount   bool // -u
	// Props are set locally on the received dataset (-o key=value), e.g. ReplicaProps.
	Props map[string]string
}

var propKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_.:-]*$`)

// Receive reads a stream from r into dataset: a full stream creates it (its parent
// must exist), an incremental one adds snapshots to it. Nothing on the receiving
// side is destroyed or rolled back.
func (m *Manager) Receive(ctx context.Context, dataset string, r io.Reader, o ReceiveOptions) error {
	if err := CheckDatasetName(dataset); err != nil {
		return err
	}
	args := []string{"receive"}
	if o.Resumable {
		args = append(args, "-s")
	}
	if o.NoMount {
		args = append(args, "-u")
	}
	for _, k := range slices.Sorted(maps.Keys(o.Props)) {
		v := o.Props[k]
		if !propKeyRe.MatchString(k) || strings.ContainsAny(v, "\n\t\x00") {
			return fmt.Errorf("receive into %s: bad property %q=%q", dataset, k, v)
		}
		args = append(args, "-o", k+"="+v)
	}
	if _, err := m.ZFS.RunWith(ctx, runner.Options{Stdin: r}, append(args, dataset)...); err != nil {
		return zfsErr("receive into "+dataset, err)
	}
	return nil
}

// SendReceive sends snapshot into dataset on this host (e.g. a second pool) through a
// pipe, and returns the bytes of the stream. A failure of either side fails both.
func (m *Manager) SendReceive(ctx context.Context, snapshot string, so SendOptions, dataset string, ro ReceiveOptions) (int64, error) {
	return runner.Pipe(ctx, func(ctx context.Context, w io.Writer) error {
		return m.Send(ctx, snapshot, so, w)
	}, func(ctx context.Context, r io.Reader) error {
		return m.Receive(ctx, dataset, r, ro)
	})
}

// ResumeToken returns the receive_resume_token of dataset: "" when no interrupted
// receive left state there.
func (m *Manager) ResumeToken(ctx context.Context, dataset string) (string, error) {
	if err := CheckDatasetName(dataset); err != nil {
		return "", err
	}
	v, err := m.Property(ctx, dataset, "receive_resume_token")
	if err != nil || v == "-" {
		return "", err
	}
	return v, nil
}

// AbortResume discards the state an interrupted receive left in dataset (`zfs
// receive -A`): for an interrupted first receive, that is the partly received
// dataset itself. Nothing else is touched.
func (m *Manager) AbortResume(ctx context.Context, dataset string) error {
	if err := CheckDatasetName(dataset); err != nil {
		return err
	}
	if _, err := m.ZFS.Run(ctx, "receive", "-A", dataset); err != nil {
		return zfsErr("abort the interrupted receive into "+dataset, err)
	}
	return nil
}

// Bookmark is one bookmark of a dataset.
type Bookmark struct {
	Dataset   string    `json:"dataset"`
	Name      string    `json:"name"` // after the #
	GUID      string    `json:"guid"` // the snapshot's it was made from
	CreateTXG int64     `json:"createtxg"`
	Created   time.Time `json:"created"` // its snapshot's creation time
}

// FullName is DATASET#NAME.
func (b Bookmark) FullName() string { return b.Dataset + "#" + b.Name }

// Bookmark makes the bookmark DATASET#name of snapshot (DATASET@SNAP) and returns it.
// One of that name that exists is an error (ErrExists).
func (m *Manager) Bookmark(ctx context.Context, snapshot, name string) (Bookmark, error) {
	full, err := m.makeBookmark(ctx, snapshot, name)
	if err != nil {
		return Bookmark{}, err
	}
	bs, err := m.listBookmarks(ctx, full)
	if err != nil {
		return Bookmark{}, err
	}
	if len(bs) != 1 {
		return Bookmark{}, fmt.Errorf("bookmark %s: %w after creating it", full, ErrNotFound)
	}
	return bs[0], nil
}

// makeBookmark runs zfs bookmark and returns the bookmark's full name; one of that
// name that exists is ErrExists.
func (m *Manager) makeBookmark(ctx context.Context, snapshot, name string) (string, error) {
	ds, _, err := splitName(snapshot, '@', "bookmark: snapshot")
	if err != nil {
		return "", err
	}
	if err := CheckComponent(name); err != nil {
		return "", fmt.Errorf("bookmark of %s: %w", snapshot, err)
	}
	full := ds + "#" + name
	if _, err := m.ZFS.Run(ctx, "bookmark", snapshot, full); err != nil {
		if strings.Contains(err.Error(), "bookmark exists") || strings.Contains(err.Error(), "already exists") {
			return full, fmt.Errorf("bookmark %s: %w", full, ErrExists)
		}
		return "", zfsErr("bookmark "+snapshot+" as "+full, err)
	}
	return full, nil
}

// Bookmarks lists dataset's bookmarks, oldest first.
func (m *Manager) Bookmarks(ctx context.Context, dataset string) ([]Bookmark, error) {
	if err := CheckDatasetName(dataset); err != nil {
		return nil, err
	}
	return m.listBookmarks(ctx, dataset, "-d", "1")
}

func (m *Manager) listBookmarks(ctx context.Context, name string, extra ...string) ([]Bookmark, error) {
	args := append([]string{"list", "-H", "-p", "-t", "bookmark", "-o", "name,guid,createtxg,creation", "-s", "createtxg"}, extra...)
	rows, err := lines(ctx, m.ZFS, "bookmarks of "+name, append(args, name)...)
	if err != nil {
		return nil, err
	}
	out := []Bookmark{}
	for _, r := range rows {
		ds, bm, ok := strings.Cut(r[0], "#")
		if len(r) != 4 || !ok {
			return nil, fmt.Errorf("bookmarks of %s: unexpected zfs list line %q", name, strings.Join(r, "\t"))
		}
		out = append(out, Bookmark{Dataset: ds, Name: bm, GUID: r[1], CreateTXG: num(r[2]), Created: time.Unix(num(r[3]), 0).UTC()})
	}
	return out, nil
}

// DestroyBookmark destroys one of replication's bookmarks (ParseReplBookmark); any
// other is refused with ErrNotOurs. One already gone is not an error.
func (m *Manager) DestroyBookmark(ctx context.Context, dataset, name string) error {
	if err := checkSnapshot(dataset, name); err != nil {
		return err
	}
	full := dataset + "#" + name
	if _, _, ok := ParseReplBookmark(name); !ok {
		return fmt.Errorf("destroy %s: %w (not a replication bookmark of kvmbackup's)", full, ErrNotOurs)
	}
	if _, err := m.ZFS.Run(ctx, "destroy", full); err != nil {
		if err := zfsErr("destroy "+full, err); !IsNotFound(err) {
			return err
		}
	}
	return nil
}

// AdvanceReplBookmark moves target's bookmark of dataset forward to its dated
// snapshot snap (the newest one the target now holds): it makes the new bookmark
// first, then destroys the other ones of target, so that one always exists. Other
// targets' bookmarks and other tools' are left alone. Idempotent. Three commands
// (bookmark, list, destroy) when it moves one bookmark.
func (m *Manager) AdvanceReplBookmark(ctx context.Context, dataset, snap, target string) (Bookmark, error) {
	name, err := ReplBookmarkName(target, snap)
	if err != nil {
		return Bookmark{}, fmt.Errorf("%s: %w", dataset, err)
	}
	if err := CheckDatasetName(dataset); err != nil {
		return Bookmark{}, err
	}
	if _, err := m.makeBookmark(ctx, dataset+"@"+snap, name); err != nil && !errors.Is(err, ErrExists) {
		return Bookmark{}, err
	}
	have, err := m.Bookmarks(ctx, dataset)
	if err != nil {
		return Bookmark{}, err
	}
	i := slices.IndexFunc(have, func(b Bookmark) bool { return b.Name == name })
	if i < 0 {
		return Bookmark{}, fmt.Errorf("bookmark %s#%s: %w after creating it", dataset, name, ErrNotFound)
	}
	made := have[i]
	for _, b := range have {
		if t, _, ok := ParseReplBookmark(b.Name); ok && t == target && b.Name != name {
			if err := m.DestroyBookmark(ctx, dataset, b.Name); err != nil {
				return made, err
			}
		}
	}
	return made, nil
}
