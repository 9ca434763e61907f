package zfs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/kvmbackup/kvmbackup/internal/mounts"
)

// Vdev is one top-level vdev of a pool.
type Vdev struct {
	Name      string `json:"name"`  // mirror-0, raidz1-0, /dev/sdb, ...
	Class     string `json:"class"` // data, logs, cache, spares, special, dedup
	Health    string `json:"health"`
	Redundant bool   `json:"redundant"` // mirror, raidz or draid
}

// TargetReport is what CheckTarget found about the target pool and dataset.
type TargetReport struct {
	Pool    string `json:"pool"`
	Dataset string `json:"dataset"`
	Health  string `json:"health"` // ONLINE, DEGRADED, FAULTED, SUSPENDED, ... ("" when the pool is missing)
	Free    int64  `json:"free"`   // the pool's free bytes (zpool list)
	Vdevs   []Vdev `json:"vdevs"`
	// Exists: the dataset exists. When it does not, the figures below come from its
	// nearest existing ancestor (FiguresFrom), whose properties it will inherit.
	Exists      bool   `json:"exists"`
	FiguresFrom string `json:"figures_from"`
	Compression string `json:"compression"`
	Available   int64  `json:"available"` // bytes
	// PoolMountpoint is where the pool's root dataset is mounted ("" when it is
	// not: mountpoint=none, canmount=off), read by the command that reads the
	// figures; PoolMountRead says it was (a report of a missing pool has not).
	PoolMountpoint string    `json:"pool_mountpoint,omitempty"`
	PoolMountRead  bool      `json:"-"`
	Problems       []Problem `json:"problems"`
	// Warnings are what a run goes on with but an admin must see: a DEGRADED pool
	// (a mirror side or raidz device gone, the data still whole).
	Warnings []Problem `json:"warnings,omitempty"`
}

// Pool health states as zpool reports them (zpoolconcepts(7)), and PoolMissing for a
// pool that is not imported: the closed set of a pool's state in metrics and status
// (anything else zpool might print counts as PoolUnknown).
const (
	PoolOnline    = "ONLINE"
	PoolDegraded  = "DEGRADED"
	PoolFaulted   = "FAULTED"
	PoolOffline   = "OFFLINE"
	PoolUnavail   = "UNAVAIL"
	PoolRemoved   = "REMOVED"
	PoolSuspended = "SUSPENDED"
	PoolMissing   = "MISSING" // not imported, or no such pool
	PoolUnknown   = "UNKNOWN" // could not be read
)

// PoolStates is the closed set of pool states, in the order metrics list them.
var PoolStates = []string{PoolOnline, PoolDegraded, PoolFaulted, PoolOffline, PoolUnavail, PoolRemoved, PoolSuspended, PoolMissing, PoolUnknown}

// PoolState maps what zpool says of a pool's health to one of PoolStates.
func PoolState(health string) string {
	if health == "" {
		return PoolMissing
	}
	if slices.Contains(PoolStates, health) {
		return health
	}
	return PoolUnknown
}

// healthCheck decides what a pool's health means for backups: ONLINE is fine; DEGRADED
// (redundancy lost, the data still whole and writable) is a warning, and a run goes
// on; anything else (FAULTED, UNAVAIL, SUSPENDED, OFFLINE, REMOVED) is a problem that
// stops a run.
func healthCheck(pool, health string) (warning, problem *Problem) {
	switch health {
	case PoolOnline:
		return nil, nil
	case PoolDegraded:
		return &Problem{
			What: fmt.Sprintf("pool %s is DEGRADED: a device is missing or failing, and the next failure may lose data", pool),
			Fix:  fmt.Sprintf("see `zpool status -x %s`: replace the device (`zpool replace`) or bring it back (`zpool online`)", pool),
		}, nil
	}
	return nil, &Problem{
		What: fmt.Sprintf("pool %s is %s", pool, health),
		Fix:  fmt.Sprintf("see `zpool status -x %s`: replace or bring back the failed device before trusting backups to it", pool),
	}
}

// Problem is one failed check: what is wrong (naming the pool or dataset) and what to do.
type Problem struct {
	What string `json:"what"`
	Fix  string `json:"fix"`
}

func (p Problem) Error() string { return p.What + ": " + p.Fix }

// Err joins the problems into one error (nil when there are none).
func (r *TargetReport) Err() error {
	var errs []error
	for _, p := range r.Problems {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// Layout describes the pool's data vdevs, e.g. "mirror-0 (redundant)".
func (r *TargetReport) Layout() string {
	var parts []string
	for _, v := range r.Vdevs {
		s := v.Name
		if v.Class != "data" {
			s = v.Class + " " + s
		}
		if v.Redundant {
			s += " (redundant)"
		} else {
			s += " (single device)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// TargetOptions are the checks CheckTarget makes.
type TargetOptions struct {
	Dataset            string // target.dataset
	RequireMirror      bool   // target.require-mirror
	RequireCompression bool   // target.require-compression
	MinAvailable       int64  // bytes; less available is a problem
	// SyncPool (CheckTargetView only): the view is read synced (ReadViewSynced,
	// View.Synced), for a run that may trust a tree's last copy: the written it
	// reads after counts all written before. When the channel program cannot run,
	// the view is ReadView's, not synced, and its SyncErr says why.
	SyncPool bool
}

// CheckTarget checks the target dataset: its pool exists and is ONLINE (DEGRADED is a
// warning: backups still land whole; any other state a problem); with
// requireMirror every data, special and dedup vdev is a mirror, raidz or draid; with
// requireCompression compression is on for the dataset (or what it will inherit);
// at least MinAvailable bytes are free. It also reads where the pool's root dataset
// is mounted (PoolMountpoint). A failed check is a Problem in the report; the error
// is for when the checks could not run at all. Nothing is changed.
//
// Its two commands (zpool list -v: health, free bytes and layout; zfs get) only
// read, and neither needs the other's answer: they run at once. Only a target dataset that does not exist yet
// (a first run) costs one more zfs get per missing ancestor, one after the other.
func (m *Manager) CheckTarget(ctx context.Context, o TargetOptions) (*TargetReport, error) {
	r, _, err := m.checkTarget(ctx, o, false)
	return r, err
}

// CheckTargetView is CheckTarget and ReadView of the target dataset in one round,
// as a run needs both: zpool list -v and the view at once (all only read). The
// view is read in this process by a channel program in open context where
// libzfs_core loads (Manager.Core), else by its two zfs commands: one command, or
// three, where the two calls one after the other run four, in two rounds. With
// o.SyncPool the view is ReadViewSynced's: one program in place of the view's
// read and the `zpool sync` a run would start after it. The dataset's compression
// and available come from the view's own listing, and where the pool's root
// dataset is mounted from /proc/self/mountinfo (where zfs itself reads whether it
// is mounted). A target dataset that does not exist yet (a first run) gets its figures as CheckTarget
// gets them, from its nearest ancestor: by the same program where it runs. The report is CheckTarget's; the view is
// ReadView's, and nil when the report has problems (a run stops on them).
func (m *Manager) CheckTargetView(ctx context.Context, o TargetOptions) (*TargetReport, *View, error) {
	return m.checkTarget(ctx, o, true)
}

func (m *Manager) checkTarget(ctx context.Context, o TargetOptions, withView bool) (*TargetReport, *View, error) {
	dataset := o.Dataset
	if err := CheckDatasetName(dataset); err != nil {
		return nil, nil, fmt.Errorf("target.dataset: %w", err)
	}
	pool := Pool(dataset)
	r := &TargetReport{Pool: pool, Dataset: dataset}
	var (
		wg                  sync.WaitGroup
		figuresErr, viewErr error
		figures             [][]string
		view                *View
	)
	// The view is read beside the checks, under a context of its own: a pool that
	// zpool list finds missing or refuses is not waited on to be listed whole.
	viewCtx, stopView := context.WithCancel(ctx)
	defer stopView()
	if withView {
		wg.Go(func() {
			if o.SyncPool {
				var syncErr error
				if view, syncErr = m.ReadViewSynced(viewCtx, dataset); syncErr == nil || viewCtx.Err() != nil {
					viewErr = syncErr
					return
				}
				if view, viewErr = m.readView(viewCtx, dataset); view != nil {
					view.SyncErr = syncErr
				}
				return
			}
			view, viewErr = m.readView(viewCtx, dataset)
		})
	} else {
		wg.Go(func() { figures, figuresErr = m.targetFigures(ctx, dataset) })
	}
	pl, err := m.poolList(ctx, pool)
	if IsNotFound(err) {
		stopView()
	} else if err == nil {
		if _, refused := healthCheck(pool, pl.health); refused != nil {
			stopView()
		}
	}
	wg.Wait()
	if withView {
		// The figures from the view's listing; when the view could not be read (or
		// was stopped), as CheckTarget reads them: the report is made either way.
		if viewErr == nil {
			figures, figuresErr = m.viewFigures(ctx, view, dataset)
		} else if !IsNotFound(err) {
			figures, figuresErr = m.targetFigures(ctx, dataset)
		}
	}
	if IsNotFound(err) {
		r.Problems = append(r.Problems, Problem{
			What: fmt.Sprintf("pool %s (of target.dataset %s) does not exist or is not imported", pool, dataset),
			Fix:  fmt.Sprintf("`zpool import %s`, or create it: `zpool create -O compression=lz4 %s mirror DISK1 DISK2`", pool, pool),
		})
		return r, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	r.Health, r.Free, r.Vdevs = pl.health, pl.free, pl.vdevs
	warning, problem := healthCheck(pool, r.Health)
	if warning != nil {
		r.Warnings = append(r.Warnings, *warning)
	}
	if problem != nil {
		r.Problems = append(r.Problems, *problem)
	}
	if o.RequireMirror {
		var single []string
		for _, v := range r.Vdevs {
			if !v.Redundant && (v.Class == "data" || v.Class == "special" || v.Class == "dedup") {
				single = append(single, v.Name)
			}
		}
		if len(single) > 0 || len(r.Vdevs) == 0 {
			r.Problems = append(r.Problems, Problem{
				What: fmt.Sprintf("pool %s is not redundant: %s without a mirror (layout: %s)", pool, strings.Join(single, ", "), r.Layout()),
				Fix:  fmt.Sprintf("attach a mirror to each device (`zpool attach %s DEVICE NEWDEVICE`), or set target.require-mirror: false to accept a single copy", pool),
			})
		}
	}
	// The dataset, or the nearest ancestor it will inherit from; and the pool's
	// root dataset's mount.
	if figuresErr != nil {
		return nil, nil, figuresErr
	}
	r.FiguresFrom = figures[0][0]
	r.Exists = r.FiguresFrom == dataset
	var haveComp, haveAvail bool
	for _, f := range figures {
		switch {
		case f[0] == r.FiguresFrom && f[1] == "compression":
			r.Compression, haveComp = f[2], true
		case f[0] == r.FiguresFrom && f[1] == "available":
			r.Available, haveAvail = num(f[2]), true
		}
	}
	if !haveComp || !haveAvail {
		return nil, nil, fmt.Errorf("dataset %s: unexpected zfs get output %v", r.FiguresFrom, figures)
	}
	if r.PoolMountpoint, err = m.poolRootMount(pool); err != nil {
		return nil, nil, err
	}
	r.PoolMountRead = true
	if o.RequireCompression && r.Compression == "off" {
		r.Problems = append(r.Problems, Problem{
			What: fmt.Sprintf("compression is off for %s", r.FiguresFrom),
			Fix:  fmt.Sprintf("`zfs set compression=lz4 %s`, or set target.require-compression: false", r.FiguresFrom),
		})
	}
	if r.Available < o.MinAvailable {
		r.Problems = append(r.Problems, Problem{
			What: fmt.Sprintf("%s has only %d bytes available", r.FiguresFrom, r.Available),
			Fix:  "free space in the pool (prune, or destroy what is not needed) or grow it",
		})
	}
	if len(r.Problems) > 0 {
		return r, nil, nil // a run stops on them: the view (or its error) is not used
	}
	if viewErr != nil {
		return r, nil, viewErr
	}
	return r, view, nil
}

// viewFigures are targetFigures' lines from a view of dataset: its compression and
// available as the view's listing read them. A dataset the view does not hold (not
// made yet) gets its nearest ancestor's, as view.lua read them (View.Ancestor), or
// targetFigures' own.
func (m *Manager) viewFigures(ctx context.Context, v *View, dataset string) ([][]string, error) {
	d := v.Datasets[dataset]
	if d == nil {
		if a := v.Ancestor; a != nil && v.Root == dataset && a.Compression != "" && a.Available >= 0 {
			return [][]string{{a.Name, "compression", a.Compression}, {a.Name, "available", strconv.FormatInt(a.Available, 10)}}, nil
		}
		return m.targetFigures(ctx, dataset)
	}
	return [][]string{{dataset, "compression", d.Compression}, {dataset, "available", strconv.FormatInt(d.Available, 10)}}, nil
}

// poolRootMount is where the pool's root dataset is mounted ("" when it is not):
// from /proc/self/mountinfo, where
// zfs itself reads whether a dataset is mounted, and which says where it is mounted
// in fact (a legacy mount's directory too, which its mountpoint property does not
// say). Its own mount (root "/"), not a bind mount of a directory in it; of several
// whole mounts, the first (the one zfs mount made, unless it was remounted after a
// bind mount of it).
func (m *Manager) poolRootMount(pool string) (string, error) {
	mt, err := m.mountTable()
	if err != nil {
		return "", fmt.Errorf("pool %s: where its root dataset is mounted: %w", pool, err)
	}
	for _, e := range mt {
		if e.FSType == "zfs" && e.Source == pool && e.Root == "/" {
			return e.Point, nil
		}
	}
	return "", nil
}

// mountTable is /proc/self/mountinfo (Manager.Mounts when set: tests).
func (m *Manager) mountTable() ([]mounts.Entry, error) {
	if m.Mounts != nil {
		return m.Mounts()
	}
	return mounts.Read()
}

// targetFigures reads compression and available of dataset, or of its nearest
// existing ancestor, in one zfs get (name, property, value lines; the first line
// names the dataset the figures are from), one more per missing ancestor.
func (m *Manager) targetFigures(ctx context.Context, dataset string) ([][]string, error) {
	from := dataset
	for {
		rows, err := lines(ctx, m.ZFS, "dataset "+from, "get", "-H", "-p", "-o", "name,property,value", "compression,available", from)
		if IsNotFound(err) && strings.Contains(from, "/") {
			from = from[:strings.LastIndexByte(from, '/')]
			continue
		}
		if err != nil {
			return nil, err
		}
		var out [][]string
		for _, r := range rows {
			if len(r) == 3 && r[0] == from {
				out = append(out, r)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("dataset %s: unexpected zfs get output %v", from, rows)
		}
		return out, nil
	}
}

// poolListing is what one `zpool list -v` says of a pool: its health, its free
// bytes and its top-level vdevs.
type poolListing struct {
	health string
	free   int64
	vdevs  []Vdev
}

// poolList reads the pool's health, free bytes and layout in one command: `zpool
// list -v -p -P -o name,health,free POOL` (what zpool list and zpool status -P were
// read for, one process instead of two). Without -H, which would print every vdev
// line behind one tab: the indent is what tells a top-level vdev (two spaces) from
// a mirror's or raidz's device (four) and a class header (logs, cache, spare,
// special, dedup: none) from the pool's own line (the first).
func (m *Manager) poolList(ctx context.Context, pool string) (poolListing, error) {
	out, err := m.Zpool.Output(ctx, "list", "-v", "-p", "-P", "-o", "name,health,free", pool)
	if err != nil {
		return poolListing{}, zfsErr("pool "+pool, err)
	}
	pl, err := parsePoolList(pool, string(out))
	if err != nil {
		return poolListing{}, fmt.Errorf("pool %s: %w", pool, err)
	}
	return pl, nil
}

// parsePoolList parses poolList's output (see there). Class names are zpool
// status's (spares, not zpool list's spare).
func parsePoolList(pool, out string) (poolListing, error) {
	var (
		pl     poolListing
		seen   bool // the pool's own line
		class  = "data"
		header bool
	)
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if !header {
			if f[0] != "NAME" {
				return pl, fmt.Errorf("unexpected zpool list output (no header): %q", line)
			}
			header = true
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case !seen:
			if indent != 0 || f[0] != pool || len(f) != 3 {
				return pl, fmt.Errorf("unexpected zpool list line for the pool: %q", line)
			}
			n, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil {
				return pl, fmt.Errorf("unexpected zpool list free bytes %q", f[2])
			}
			pl.health, pl.free, seen = f[1], n, true
		case indent == 0:
			class = f[0]
			if class == "spare" {
				class = "spares"
			}
		case indent == 2:
			v := Vdev{Name: f[0], Class: class}
			if len(f) > 1 {
				v.Health = f[1]
			}
			for _, p := range []string{"mirror-", "raidz", "draid"} {
				if strings.HasPrefix(v.Name, p) {
					v.Redundant = true
				}
			}
			pl.vdevs = append(pl.vdevs, v)
		}
	}
	if !seen {
		return pl, fmt.Errorf("zpool list printed no line for the pool: %q", out)
	}
	return pl, nil
}

// CheckMount says whether dir (the stat of a directory opened to be written) lies in
// dataset's mounted filesystem: the mount table has dataset mounted on dir's device.
// No command. Not so (the dataset remounted elsewhere since its mount point was read,
// unmounted, or another one there), the error names the dataset and where it is
// mounted.
func (m *Manager) CheckMount(dataset string, dir *unix.Stat_t) error {
	mt, err := m.mountTable()
	if err != nil {
		return fmt.Errorf("dataset %s: the mount table: %w", dataset, err)
	}
	var at []string
	for _, e := range mt {
		if e.FSType != "zfs" || e.Source != dataset {
			continue
		}
		if unix.Mkdev(e.Major, e.Minor) == dir.Dev {
			return nil
		}
		at = append(at, e.Point)
	}
	if len(at) == 0 {
		return fmt.Errorf("dataset %s is not mounted", dataset)
	}
	return fmt.Errorf("the directory is not in dataset %s (device %d:%d; the dataset is mounted at %s)",
		dataset, unix.Major(dir.Dev), unix.Minor(dir.Dev), strings.Join(at, ", "))
}
