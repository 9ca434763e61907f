package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/replica"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// ReplicateSource is what replicate needs of the backup target: whose each dataset
// is, its snapshots and bookmarks by GUID, the streams, and the bookmark kept per
// replication target of the newest snapshot that target holds.
type ReplicateSource interface {
	Owners
	ChildLister
	// Tree lists root and every dataset below it with their snapshots and bookmarks
	// (oldest first, every one: the caller filters), with GUIDs and createtxg. A root
	// that does not exist is an error wrapping zfs.ErrNotFound. Nothing is changed.
	Tree(ctx context.Context, root string) ([]zfs.TreeDataset, error)
	// Send writes the stream of snapshot (DATASET@NAME) to w: whole, or incremental
	// from o.From (a snapshot or a bookmark of the same dataset); raw for an
	// encrypted dataset. Nothing is changed.
	Send(ctx context.Context, snapshot string, o zfs.SendOptions, w io.Writer) error
	// SendSize is the size in bytes of the stream Send would write; nothing is sent.
	SendSize(ctx context.Context, snapshot string, o zfs.SendOptions) (int64, error)
	// SendResume writes the rest of an interrupted stream to w from the receiver's
	// resume token; a token that no longer matches (its snapshot gone) is an error.
	SendResume(ctx context.Context, token string, w io.Writer) error
	// SendResumeSize is the size of what SendResume would write; an error when the
	// token no longer matches. Nothing is sent: it checks a token before it is used.
	SendResumeSize(ctx context.Context, token string) (int64, error)
	// AdvanceReplBookmark makes target's bookmark of dataset's snapshot snap and then
	// destroys target's older ones (never another target's, never another tool's),
	// so that one always exists. Idempotent.
	AdvanceReplBookmark(ctx context.Context, dataset, snap, target string) (zfs.Bookmark, error)
}

// Replica is one replication target's receiver, spoken to through its protocol
// (package replica: a *replica.Client).
type Replica interface {
	// List returns what the receiver holds below its root: each dataset's dated
	// snapshots (oldest first, with GUIDs), its resume token, and whether kvmbackup
	// received it. Nothing is changed.
	List(ctx context.Context) (replica.Listing, error)
	// Receive has the receiver receive the stream produce writes into its dataset
	// rel, and returns the bytes sent. Nothing on the receiving side is destroyed or
	// rolled back; an interrupted receive leaves a resume token.
	Receive(ctx context.Context, rel string, produce func(ctx context.Context, w io.Writer) error) (int64, error)
	// Abort discards the state an interrupted receive left in rel (for a first
	// receive, the partly received dataset); nothing else.
	Abort(ctx context.Context, rel string) error
}

// ReplicaTarget is one replication: target.
type ReplicaTarget struct {
	Name string // replication[].name: names its bookmarks
	To   string // replication[].to, for messages
	// Root is the receiver's root the configuration names (the dataset of to:); the
	// root the receiver answers for (an ssh key's forced command decides it) must be
	// that one, else nothing is sent there. "": not checked.
	Root    string
	Replica Replica
}

// ReplicateOptions say what to replicate where.
type ReplicateOptions struct {
	Root    string // target.dataset
	Targets []ReplicaTarget
	VMs     []string         // only these VMs
	Paths   []string         // only these paths: entries; with neither: every VM and path
	DryRun  bool             // decide and estimate, send nothing, change nothing
	Now     func() time.Time // the clock of each target's time and lag (default time.Now)
}

// ReplicatedTarget is what one target got.
type ReplicatedTarget struct {
	Target   string        `json:"target"`
	To       string        `json:"to"`
	Time     time.Time     `json:"time"`        // when its replication started
	Duration time.Duration `json:"duration_ns"` // how long it took
	Bytes    int64         `json:"bytes"`       // sent (estimated, in a dry run)
	// Lag is the worst of its units' Lag (those the receiver holds a dated
	// snapshot of), at the end of its replication.
	Lag   time.Duration    `json:"lag_ns"`
	Units []ReplicatedUnit `json:"units"`
	Error string           `json:"error,omitempty"`
}

// Failed: the target or one of its units failed (an interrupted replication too).
func (rt *ReplicatedTarget) Failed() bool {
	if rt.Error != "" {
		return true
	}
	for _, u := range rt.Units {
		if u.Error != "" {
			return true
		}
	}
	return false
}

// ReplicatedUnit is what one unit's dataset got on one target.
type ReplicatedUnit struct {
	Dataset string `json:"dataset"`
	VM      string `json:"vm,omitempty"`
	Path    string `json:"path,omitempty"`
	// Start: where the sends started: "full", "snapshot NAME" (the receiver's
	// newest, held here too), "bookmark NAME" (held there, pruned here).
	Start   string             `json:"start,omitempty"`
	Streams []ReplicatedStream `json:"streams"`
	Bytes   int64              `json:"bytes"`
	// Newest is the newest dated snapshot the receiver holds ("" none), NewestTime
	// the time its name carries; Lag is the end of the replication less NewestTime.
	Newest     string        `json:"newest,omitempty"`
	NewestTime time.Time     `json:"newest_time,omitempty"`
	Lag        time.Duration `json:"lag_ns,omitempty"`
	Notes      []string      `json:"notes,omitempty"`
	Skipped    string        `json:"skipped,omitempty"`
	Error      string        `json:"error,omitempty"`
}

// ReplicatedStream is one stream sent (or, in a dry run, that would be).
type ReplicatedStream struct {
	Snapshot string `json:"snapshot"`          // the dated snapshot it carries ("" for a resumed one)
	From     string `json:"from,omitempty"`    // the incremental's start: @SNAP or #BOOKMARK; "" whole
	Resumed  bool   `json:"resumed,omitempty"` // the rest of an interrupted one (zfs send -t)
	Bytes    int64  `json:"bytes"`
}

// Replicate sends each unit dataset's dated snapshots that each target lacks, oldest
// first, each as its own stream: whole for the first, then incremental (-i) from the
// previous one, starting from the receiver's newest snapshot (matched by GUID here),
// else from the bookmark kept of it for that target (after local pruning), else
// whole from the oldest. Snapshots kvmbackup did not make are never sent. A receive
// interrupted earlier is resumed from its token; a token that no longer matches is
// discarded (abort) and said so. The target's bookmark advances only after a
// receive succeeded. A failing unit or target does not stop the others; nothing is
// destroyed on either side. The error joins every failure, each naming its target.
//
// The snapshots and bookmarks here are read once (Tree of the root): nothing but
// the targets' bookmarks changes here while it runs (the run lock keeps runs and
// prunes out), and those it keeps up to date itself as it advances them.
func Replicate(ctx context.Context, src ReplicateSource, o ReplicateOptions) ([]ReplicatedTarget, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	l := zfs.Layout{Root: o.Root}
	units, err := l.Select(ctx, src, o.VMs, o.Paths)
	if err != nil {
		return nil, err
	}
	tree, err := src.Tree(ctx, o.Root)
	if err != nil {
		return nil, fmt.Errorf("replicate: read the snapshots and bookmarks under %s: %w", o.Root, err)
	}
	local := map[string]*zfs.TreeDataset{}
	for i := range tree {
		local[tree[i].Name] = &tree[i]
	}
	log := zerolog.Ctx(ctx)
	var out []ReplicatedTarget
	var errs []error
	for _, tg := range o.Targets {
		rt := ReplicatedTarget{Target: tg.Name, To: tg.To, Time: o.Now().UTC(), Units: []ReplicatedUnit{}}
		listing, err := tg.Replica.List(ctx)
		if err == nil && tg.Root != "" && listing.Root != tg.Root {
			err = fmt.Errorf("the receiver answers for %s, not %s as configured (check the key's forced command, kvmbackup receive --root): nothing sent", listing.Root, tg.Root)
		}
		if err != nil {
			err = fmt.Errorf("replication target %s (%s): %w", tg.Name, tg.To, err)
			rt.Error = err.Error()
			rt.Duration = o.Now().Sub(rt.Time)
			errs = append(errs, err)
			out = append(out, rt)
			log.Error().Str("target", tg.Name).Err(err).Msg("not replicated")
			continue
		}
		for _, u := range units {
			ds := l.Dataset(u)
			if local[ds] == nil {
				local[ds] = &zfs.TreeDataset{Name: ds}
			}
			rp := &unitReplication{src: src, tg: tg, ds: ds, u: u, dryRun: o.DryRun, listing: listing, local: local[ds]}
			ru := rp.run(ctx)
			rt.Bytes += ru.Bytes
			if ru.Error != "" {
				errs = append(errs, fmt.Errorf("replication target %s (%s): %s: %s", tg.Name, tg.To, ru.Dataset, ru.Error))
			}
			log.Info().Str("target", tg.Name).Str("dataset", ru.Dataset).Str("start", ru.Start).Int("streams", len(ru.Streams)).
				Int64("bytes", ru.Bytes).Str("newest", ru.Newest).Str("error", ru.Error).Bool("dry_run", o.DryRun).Msg("replicated")
			rt.Units = append(rt.Units, ru)
		}
		end := o.Now()
		rt.Duration = end.Sub(rt.Time)
		for i := range rt.Units {
			u := &rt.Units[i]
			if t, ok := zfs.ParseSnapshotName(u.Newest); ok {
				u.NewestTime, u.Lag = t, max(end.Sub(t), 0)
				rt.Lag = max(rt.Lag, u.Lag)
			}
		}
		out = append(out, rt)
	}
	return out, errors.Join(errs...)
}

// unitReplication is one unit's dataset sent to one target.
type unitReplication struct {
	src     ReplicateSource
	tg      ReplicaTarget
	ds      string
	u       zfs.Unit
	dryRun  bool
	listing replica.Listing
	local   *zfs.TreeDataset // its snapshots and bookmarks here, shared by the targets
	ru      ReplicatedUnit
}

// remote is what the receiver holds of the unit (nil: nothing).
func (p *unitReplication) remote() *replica.ListingDataset {
	for i, d := range p.listing.Datasets {
		if d.Name == p.u.Rel() {
			return &p.listing.Datasets[i]
		}
	}
	return nil
}

func (p *unitReplication) relist(ctx context.Context) error {
	l, err := p.tg.Replica.List(ctx)
	if err != nil {
		return err
	}
	p.listing = l
	return nil
}

func (p *unitReplication) run(ctx context.Context) ReplicatedUnit {
	p.ru = ReplicatedUnit{Dataset: p.ds, Streams: []ReplicatedStream{}}
	if p.u.Kind == zfs.KindPath {
		p.ru.Path = p.u.Name
	} else {
		p.ru.VM = p.u.Name
	}
	if err := p.replicate(ctx); err != nil {
		p.ru.Error = err.Error()
	}
	for _, s := range p.ru.Streams {
		p.ru.Bytes += s.Bytes
	}
	return p.ru
}

func (p *unitReplication) note(format string, args ...any) {
	p.ru.Notes = append(p.ru.Notes, fmt.Sprintf(format, args...))
}

func (p *unitReplication) replicate(ctx context.Context) error {
	owner, err := p.src.Owner(ctx, p.ds)
	if err != nil {
		return err
	}
	if owner != p.u.Owner() {
		p.ru.Skipped = fmt.Sprintf("%s does not carry %s's ownership property (set locally): not kvmbackup's, not replicated", p.ds, p.u)
		return nil
	}
	local := p.local
	rel := p.u.Rel()
	if rd := p.remote(); rd != nil && !rd.Replica {
		return fmt.Errorf("%s exists on the receiver and kvmbackup did not receive it: left alone, nothing sent", rel)
	}
	// An interrupted receive first: resumed, or discarded when its token no longer
	// matches (its snapshot was pruned here since).
	if rd := p.remote(); rd != nil && rd.ResumeToken != "" {
		size, err := p.src.SendResumeSize(ctx, rd.ResumeToken)
		switch {
		case err != nil:
			p.note("the receiver's resume token of %s no longer matches (%v): discarded (abort %s), sending afresh", rel, err, rel)
			if p.dryRun {
				p.dropRemoteToken()
				break
			}
			if err := p.tg.Replica.Abort(ctx, rel); err != nil {
				return fmt.Errorf("abort the interrupted receive into %s: %w", rel, err)
			}
			if err := p.relist(ctx); err != nil {
				return err
			}
		case p.dryRun:
			p.ru.Streams = append(p.ru.Streams, ReplicatedStream{Resumed: true, Bytes: size})
			p.note("would resume the interrupted receive into %s first; the rest is decided after it", rel)
			return nil
		default:
			tok := rd.ResumeToken
			n, err := p.tg.Replica.Receive(ctx, rel, func(ctx context.Context, w io.Writer) error {
				return p.src.SendResume(ctx, tok, w)
			})
			p.ru.Streams = append(p.ru.Streams, ReplicatedStream{Resumed: true, Bytes: n})
			if err != nil {
				return fmt.Errorf("resume the interrupted receive into %s: %w (its token is kept: the next replicate resumes again)", rel, err)
			}
			if err := p.relist(ctx); err != nil {
				return err
			}
			p.note("resumed the interrupted receive into %s", rel)
		}
	}
	var ours []zfs.Mark
	for _, s := range local.Snapshots {
		if _, ok := zfs.ParseSnapshotName(s.Name); ok {
			ours = append(ours, s)
		}
	}
	from, fromTXG := "", int64(-1)
	if rd := p.remote(); rd != nil {
		if len(rd.Snapshots) == 0 {
			return fmt.Errorf("%s exists on the receiver without a dated snapshot: nothing sent (nothing destroyed on either side)", rel)
		}
		newest := rd.Snapshots[len(rd.Snapshots)-1]
		p.ru.Newest = newest.Name
		if s, ok := byGUID(local.Snapshots, newest.GUID); ok {
			from, fromTXG, p.ru.Start = p.ds+"@"+s.Name, s.CreateTXG, "snapshot "+s.Name
			if !p.dryRun && !p.hasBookmark(local, s) {
				if err := p.advance(ctx, s); err != nil {
					return err
				}
			}
		} else if b, ok := p.bookmark(local, newest.GUID); ok {
			from, fromTXG, p.ru.Start = p.ds+"#"+b.Name, b.CreateTXG, "bookmark "+b.Name
		} else {
			return fmt.Errorf("the receiver's newest snapshot of %s, %s, is neither here nor bookmarked: no incremental send can start from it; nothing sent (nothing destroyed on either side)", rel, newest.Name)
		}
	}
	var pending []zfs.Mark
	for _, s := range ours {
		if s.CreateTXG > fromTXG {
			pending = append(pending, s)
		}
	}
	if len(ours) == 0 {
		p.note("no dated snapshot yet")
	}
	if from == "" && len(pending) > 0 {
		p.ru.Start = "full"
	}
	for _, s := range pending {
		snap := p.ds + "@" + s.Name
		so := zfs.SendOptions{From: from, Compressed: true}
		st := ReplicatedStream{Snapshot: s.Name}
		if i := strings.IndexAny(from, "@#"); i >= 0 {
			st.From = from[i:]
		}
		if p.dryRun {
			n, err := p.src.SendSize(ctx, snap, so)
			if err != nil {
				return err
			}
			st.Bytes = n
		} else {
			n, err := p.tg.Replica.Receive(ctx, rel, func(ctx context.Context, w io.Writer) error {
				return p.src.Send(ctx, snap, so, w)
			})
			st.Bytes = n
			if err != nil {
				p.ru.Streams = append(p.ru.Streams, st)
				return fmt.Errorf("send %s into %s: %w", snap, rel, err)
			}
			if err := p.advance(ctx, s); err != nil {
				p.ru.Streams = append(p.ru.Streams, st)
				p.ru.Newest = s.Name
				return err
			}
		}
		p.ru.Streams = append(p.ru.Streams, st)
		p.ru.Newest = s.Name
		from = snap
	}
	return nil
}

// advance moves the target's bookmark to s (AdvanceReplBookmark) and makes the
// same change to local: the new bookmark in, the target's older ones out.
func (p *unitReplication) advance(ctx context.Context, s zfs.Mark) error {
	bm, err := p.src.AdvanceReplBookmark(ctx, p.ds, s.Name, p.tg.Name)
	if err != nil {
		return err
	}
	p.local.Bookmarks = slices.DeleteFunc(p.local.Bookmarks, func(b zfs.Mark) bool {
		t, _, ok := zfs.ParseReplBookmark(b.Name)
		return ok && t == p.tg.Name
	})
	p.local.Bookmarks = append(p.local.Bookmarks, zfs.Mark{Name: bm.Name, GUID: bm.GUID, CreateTXG: s.CreateTXG})
	return nil
}

// dropRemoteToken forgets, in a dry run, the token that would be discarded: a first
// receive's dataset would go with it.
func (p *unitReplication) dropRemoteToken() {
	rd := p.remote()
	rd.ResumeToken = ""
	if len(rd.Snapshots) == 0 {
		p.listing.Datasets = append(p.listing.Datasets[:0:0], p.listing.Datasets...)
		for i := range p.listing.Datasets {
			if p.listing.Datasets[i].Name == rd.Name {
				p.listing.Datasets = append(p.listing.Datasets[:i], p.listing.Datasets[i+1:]...)
				break
			}
		}
	}
}

func byGUID(ms []zfs.Mark, guid string) (zfs.Mark, bool) {
	for _, m := range ms {
		if m.GUID == guid {
			return m, true
		}
	}
	return zfs.Mark{}, false
}

// hasBookmark: the target's bookmark of s exists.
func (p *unitReplication) hasBookmark(local *zfs.TreeDataset, s zfs.Mark) bool {
	for _, b := range local.Bookmarks {
		if t, _, ok := zfs.ParseReplBookmark(b.Name); ok && t == p.tg.Name && b.GUID == s.GUID {
			return true
		}
	}
	return false
}

// bookmark finds a bookmark of the snapshot guid: the target's own first, else any.
func (p *unitReplication) bookmark(local *zfs.TreeDataset, guid string) (zfs.Mark, bool) {
	var any *zfs.Mark
	for i, b := range local.Bookmarks {
		if b.GUID != guid {
			continue
		}
		if t, _, ok := zfs.ParseReplBookmark(b.Name); ok && t == p.tg.Name {
			return b, true
		}
		if any == nil {
			any = &local.Bookmarks[i]
		}
	}
	if any != nil {
		return *any, true
	}
	return zfs.Mark{}, false
}
