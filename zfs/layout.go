package zfs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The layout of the target: the one place that names what kvmbackup keeps under
// target.dataset (ROOT). List, prune, pin, restore, mount, recover and the run all
// name datasets, dated snapshots and their properties through it.
//
//	ROOT/VM                        a VM's backups (a unit of kind KindVM)
//	ROOT/_paths/NAME               a paths: entry's backups (a unit of kind KindPath)
//	ROOT/_clones/...               read-only clones of a run (CloneSnapshot)
//	UNIT@kvmbackup_<UTC time>      a dated snapshot: one complete backup (SnapshotName)
//	UNIT#kvmbackup_repl_TARGET_<UTC time>
//	                               the bookmark of the last dated snapshot sent to the
//	                               replication target TARGET (ReplBookmarkName)
//
// On a replication receiver, under its root (the --root of `kvmbackup receive`), the
// same names: RROOT/VM and RROOT/_paths/NAME, each received by kvmbackup and marked
// with PropReplica (ReplicaProps); RROOT/_paths is created with the same mark.
//
// Children of ROOT whose name starts with OwnPrefix are kvmbackup's own, never a VM's.
// A unit's dataset carries its ownership property (PropVM=VM or PropPath=NAME); a
// dated snapshot carries the user properties of BackupProps; a clone PropClone.

// OwnPrefix starts the names of ROOT's children that are kvmbackup's own (PathsChild,
// ClonesChild): no VM's dataset has such a name.
const OwnPrefix = "_"

// PathsChild is the child of ROOT that holds the datasets of paths: entries.
const PathsChild = "_paths"

// ClonesChild is the child of ROOT under which clones are made.
const ClonesChild = "_clones"

// User property keys kvmbackup sets. Nothing else names them.
const (
	// Ownership properties, set locally on the dataset of a unit (see Owner).
	PropVM   = "kvmbackup:vm"   // the backups of one VM: ROOT/VM
	PropPath = "kvmbackup:path" // the backups of one paths: entry: ROOT/_paths/NAME

	// PropClone marks the clones kvmbackup makes; its value is the run id.
	PropClone = "kvmbackup:clone"

	// PropReplica marks, on a replication receiver, the datasets kvmbackup received
	// (set locally by `zfs receive -o`): its value is the dataset's name below the
	// receiver's root (web1, _paths/www; _paths for that parent).
	PropReplica = "kvmbackup:replica"

	// The properties of a dated snapshot (BackupProps).
	PropRun        = "kvmbackup:run"         // the run that took it
	PropVersion    = "kvmbackup:version"     // kvmbackup's version
	PropQuiesce    = "kvmbackup:quiesce"     // VM: how it was held still
	PropPauseNS    = "kvmbackup:pause-ns"    // VM: its freeze window, nanoseconds
	PropDurationNS = "kvmbackup:duration-ns" // the unit's backup, nanoseconds
	PropWritten    = "kvmbackup:written"     // bytes written to the target
	PropSource     = "kvmbackup:source"      // paths: entry: the path or VG/LV copied
	// PropTree: a live paths: entry whose copy was complete: the mark of the sync
	// that made it (transfer.TreeMark). The next night's sync with the same mark
	// may trust what has not changed since the snapshot's time, while nothing has
	// written the dataset since (written 0).
	PropTree = "kvmbackup:tree"
	// PropBases: VM: the thin snapshot of each thin disk kept as the base of the
	// next changed-block tracking, "vda=VG/LV:THINID,vdb=..." (BackupProps.Bases).
	PropBases = "kvmbackup:bases"
)

// PinTag is the hold tag of `kvmbackup pin`.
const PinTag = "kvmbackup"

// SnapshotPrefix starts the name of every dated snapshot kvmbackup takes:
// VM@kvmbackup_2026-11-24T03:00:00Z (UTC, sortable as text).
const SnapshotPrefix = "kvmbackup_"

const snapshotTimeLayout = "2006-01-02T15:04:05Z"

// SnapshotName is the name (the part after @) of the dated snapshot taken at t.
func SnapshotName(t time.Time) string {
	return SnapshotPrefix + t.UTC().Format(snapshotTimeLayout)
}

// ParseSnapshotName returns the time a kvmbackup snapshot name carries; ok is false
// for any other name (a foreign snapshot). name may include "DATASET@".
func ParseSnapshotName(name string) (t time.Time, ok bool) {
	if i := strings.LastIndexByte(name, '@'); i >= 0 {
		name = name[i+1:]
	}
	rest, found := strings.CutPrefix(name, SnapshotPrefix)
	if !found {
		return time.Time{}, false
	}
	t, err := time.Parse(snapshotTimeLayout, rest)
	if err != nil || t.Format(snapshotTimeLayout) != rest {
		return time.Time{}, false
	}
	return t, true
}

// ReplBookmarkPrefix starts the name of the bookmarks replication keeps:
// UNIT#kvmbackup_repl_TARGET_2026-12-02T03:00:00Z marks the dated snapshot of that
// time as the last one sent to the target TARGET. There is one per target and unit:
// after each successful send a new one is made for the newest snapshot sent, then
// the older ones of that target are destroyed (AdvanceReplBookmark), so that an
// incremental send can start from it after local pruning destroyed the snapshot.
const ReplBookmarkPrefix = "kvmbackup_repl_"

// ReplBookmarkName is the name (after the #) of target's bookmark of the dated
// snapshot snapshot (its name after the @). target must be a valid name component.
func ReplBookmarkName(target, snapshot string) (string, error) {
	t, ok := ParseSnapshotName(snapshot)
	if !ok {
		return "", fmt.Errorf("replication bookmark of %q: not a dated kvmbackup snapshot", snapshot)
	}
	if err := CheckComponent(target); err != nil {
		return "", fmt.Errorf("replication target: %w", err)
	}
	name := ReplBookmarkPrefix + target + "_" + t.Format(snapshotTimeLayout)
	if err := CheckComponent(name); err != nil {
		return "", fmt.Errorf("replication bookmark: %w", err)
	}
	return name, nil
}

// ParseReplBookmark returns the target and the snapshot time a replication
// bookmark's name carries; ok is false for any other name (another tool's
// bookmark). name may include "DATASET#".
func ParseReplBookmark(name string) (target string, t time.Time, ok bool) {
	if i := strings.LastIndexByte(name, '#'); i >= 0 {
		name = name[i+1:]
	}
	rest, found := strings.CutPrefix(name, ReplBookmarkPrefix)
	n := len(snapshotTimeLayout)
	if !found || len(rest) < n+2 || rest[len(rest)-n-1] != '_' {
		return "", time.Time{}, false
	}
	target, stamp := rest[:len(rest)-n-1], rest[len(rest)-n:]
	t, err := time.Parse(snapshotTimeLayout, stamp)
	if err != nil || t.Format(snapshotTimeLayout) != stamp || CheckComponent(target) != nil {
		return "", time.Time{}, false
	}
	return target, t, true
}

// ReplicaProps are the properties a receiver sets (locally, `zfs receive -o`) on the
// dataset it receives at rel below its root: readonly=on and canmount=noauto (a
// replica is never written nor mounted by itself), Hardening, and PropReplica=rel.
func ReplicaProps(rel string) map[string]string {
	p := hardening()
	p["readonly"], p["canmount"], p[PropReplica] = "on", "noauto", rel
	return p
}

// Kind is what a backup unit is.
type Kind string

const (
	KindVM   Kind = "vm"   // a VM: its disk images and domain XML
	KindPath Kind = "path" // a paths: entry: a directory tree
)

// Prop is the ownership property the dataset of a unit of kind k carries.
func (k Kind) Prop() string {
	if k == KindPath {
		return PropPath
	}
	return PropVM
}

// Unit is one backup unit on the target: a VM or a paths: entry, by name.
type Unit struct {
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
}

// VMUnit and PathUnit are the units of a VM and of a paths: entry.
func VMUnit(vm string) Unit     { return Unit{KindVM, vm} }
func PathUnit(name string) Unit { return Unit{KindPath, name} }

// Owner is the ownership property u's dataset carries.
func (u Unit) Owner() Owner { return Owner{u.Kind.Prop(), u.Name} }

// String names u in messages: "web1" for a VM, "path www" for a paths: entry.
func (u Unit) String() string {
	if u.Kind == KindPath {
		return "path " + u.Name
	}
	return u.Name
}

// Rel is u's dataset below the root: "web1" for a VM, "_paths/www" for a paths:
// entry (Layout.Dataset is ROOT/Rel).
func (u Unit) Rel() string {
	if u.Kind == KindPath {
		return PathsChild + "/" + u.Name
	}
	return u.Name
}

// ParseRel returns the unit whose dataset is rel below a root: "VM" (a valid name
// component not starting with OwnPrefix) or "_paths/NAME". Anything else is an error
// naming rel: an absolute name, "..", "_clones/...", a deeper or empty path.
func ParseRel(rel string) (Unit, error) {
	bad := func(why string) (Unit, error) {
		return Unit{}, fmt.Errorf("%q is not a unit's dataset below the root (VM or %s/NAME): %s", rel, PathsChild, why)
	}
	if strings.HasPrefix(rel, "/") {
		return bad("an absolute name")
	}
	parts := strings.Split(rel, "/")
	for _, p := range parts {
		if err := CheckComponent(p); err != nil {
			return bad(err.Error())
		}
	}
	switch {
	case len(parts) == 1 && !strings.HasPrefix(parts[0], OwnPrefix):
		return VMUnit(parts[0]), nil
	case len(parts) == 1:
		return bad("names starting with " + OwnPrefix + " are kvmbackup's own, no VM's")
	case len(parts) == 2 && parts[0] == PathsChild:
		return PathUnit(parts[1]), nil
	}
	return bad("too deep, or not below " + PathsChild)
}

// DatasetUnit is the unit a dataset under any root holds, by its name alone:
// .../_paths/NAME is the paths: entry NAME, anything else .../VM the VM.
func DatasetUnit(dataset string) Unit {
	parent, name := path.Split(dataset)
	if path.Base(strings.TrimSuffix(parent, "/")) == PathsChild {
		return PathUnit(name)
	}
	return VMUnit(name)
}

// Layout names the datasets under the target dataset Root.
type Layout struct {
	Root string // target.dataset
}

// Dataset is u's dataset: ROOT/VM or ROOT/_paths/NAME.
func (l Layout) Dataset(u Unit) string {
	if u.Kind == KindPath {
		return l.parent(KindPath) + "/" + u.Name
	}
	return l.Root + "/" + u.Name
}

// Clones is the dataset under which clones are made: ROOT/_clones.
func (l Layout) Clones() string { return l.Root + "/" + ClonesChild }

// Clone is the clone run runID makes of a snapshot of dataset (under Root):
// ROOT/_clones/<dataset below ROOT, '/' as '_'>-<run id>.
func (l Layout) Clone(dataset, runID string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(dataset, l.Root), "/")
	return l.Clones() + "/" + strings.ReplaceAll(rel, "/", "_") + "-" + runID
}

// parent is the dataset whose children are the units of kind k.
func (l Layout) parent(k Kind) string {
	if k == KindPath {
		return l.Root + "/" + PathsChild
	}
	return l.Root
}

var (
	// ErrUnknownVM: a VM asked for by name has no dataset under the target.
	ErrUnknownVM = errors.New("no such VM dataset")
	// ErrUnknownPath: a paths: entry asked for by name has no dataset under the target.
	ErrUnknownPath = errors.New("no such path dataset")
)

// ChildLister lists a dataset's direct children.
//
// Contract: Children returns the full names of the direct child datasets, sorted;
// an error wrapping ErrNotFound when the dataset does not exist. *Manager has it.
type ChildLister interface {
	// Children lists the direct child datasets of a dataset (full names, sorted); a
	// dataset that does not exist is an error wrapping ErrNotFound. Nothing is
	// changed.
	Children(ctx context.Context, dataset string) ([]string, error)
}

// Units returns the units of kind k that have a dataset under Root (every one:
// for KindVM, each child of ROOT not starting with OwnPrefix; for KindPath, each child of
// ROOT/_paths, none when it does not exist), or, when names is not empty, those
// named, in that order: an unknown name is ErrUnknownVM or ErrUnknownPath, listing
// those there are.
func (l Layout) Units(ctx context.Context, t ChildLister, k Kind, names []string) ([]Unit, error) {
	parent := l.parent(k)
	children, err := t.Children(ctx, parent)
	if k == KindPath && IsNotFound(err) {
		children, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	var all []string
	for _, c := range children {
		name, ok := strings.CutPrefix(c, parent+"/")
		if ok && name != "" && (k == KindPath || !strings.HasPrefix(name, OwnPrefix)) {
			all = append(all, name)
		}
	}
	var out []Unit
	if len(names) == 0 {
		for _, n := range all {
			out = append(out, Unit{k, n})
		}
		return out, nil
	}
	for _, n := range names {
		if !slices.Contains(all, n) {
			have := "none yet"
			if len(all) > 0 {
				have = strings.Join(all, ", ")
			}
			if k == KindPath {
				return nil, fmt.Errorf("%w: %s (under %s: %s)", ErrUnknownPath, n, parent, have)
			}
			return nil, fmt.Errorf("%w: %s (under %s: %s)", ErrUnknownVM, n, parent, have)
		}
		out = append(out, Unit{k, n})
	}
	return out, nil
}

// Select returns the units list and prune act on: the VMs named and the paths:
// entries named; with neither, every VM and every paths: entry (VMs first). An
// unknown name is an error (Units).
func (l Layout) Select(ctx context.Context, t ChildLister, vms, paths []string) ([]Unit, error) {
	var out []Unit
	if len(vms) > 0 || len(paths) == 0 {
		us, err := l.Units(ctx, t, KindVM, vms)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
	}
	if len(paths) > 0 || len(vms) == 0 {
		us, err := l.Units(ctx, t, KindPath, paths)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
	}
	return out, nil
}

// The properties `kvmbackup verify` records on a dated snapshot it checked (the
// snapshot's data is not changed).
const (
	PropVerified     = "kvmbackup:verified"       // when (RFC 3339, UTC)
	PropVerifyWhat   = "kvmbackup:verify"         // what was checked: "data" or "data,boot"
	PropVerifyResult = "kvmbackup:verify-result"  // "ok", or the reason it failed
	PropVerifyBootNS = "kvmbackup:verify-boot-ns" // boot to ready, nanoseconds
)

// Verification is the last verify of a dated snapshot, as recorded on it.
type Verification struct {
	At     time.Time     `json:"at"`
	What   string        `json:"checked"`
	OK     bool          `json:"ok"`
	Reason string        `json:"reason,omitempty"`
	Boot   time.Duration `json:"boot_ready_ns,omitempty"`
}

// Props are v as the snapshot's user properties.
func (v Verification) Props() map[string]string {
	result := "ok"
	if !v.OK {
		result = v.Reason
	}
	m := map[string]string{PropVerified: v.At.UTC().Format(time.RFC3339), PropVerifyWhat: v.What, PropVerifyResult: result}
	if v.Boot > 0 {
		m[PropVerifyBootNS] = strconv.FormatInt(int64(v.Boot), 10)
	}
	return m
}

// Verification returns the last verify recorded on s; false when it has none.
func (s Snapshot) Verification() (Verification, bool) {
	at, err := time.Parse(time.RFC3339, s.Props[PropVerified])
	if err != nil {
		return Verification{}, false
	}
	v := Verification{At: at, What: s.Props[PropVerifyWhat], OK: s.Props[PropVerifyResult] == "ok"}
	if !v.OK {
		v.Reason = s.Props[PropVerifyResult]
	}
	if n, err := strconv.ParseInt(s.Props[PropVerifyBootNS], 10, 64); err == nil && n > 0 {
		v.Boot = time.Duration(n)
	}
	return v, true
}

// BackupProps are the user properties of a dated snapshot, typed: what the run sets
// when it commits a unit's backup, and what list shows.
type BackupProps struct {
	Run      string        // PropRun
	Version  string        // PropVersion
	Quiesce  string        // PropQuiesce (a VM's)
	Pause    time.Duration // PropPauseNS (a VM's)
	Duration time.Duration // PropDurationNS
	Written  int64         // PropWritten
	Source   string        // PropSource (a paths: entry's)
	Tree     string        // PropTree (a live paths: entry's complete copy), when set
	// Bases (a VM's): disk target → "VG/LV:THINID", the base its thin LV keeps.
	Bases map[string]string
}

// Props are p as the user properties of a dated snapshot of a unit of kind k: a VM's
// carry run, version, quiesce, pause-ns, duration-ns and written; a paths: entry's
// run, version, source, duration-ns and written.
func (p BackupProps) Props(k Kind) map[string]string {
	m := map[string]string{PropRun: p.Run, PropVersion: p.Version,
		PropDurationNS: strconv.FormatInt(int64(p.Duration), 10), PropWritten: strconv.FormatInt(p.Written, 10)}
	if k == KindPath {
		m[PropSource] = p.Source
		if p.Tree != "" {
			m[PropTree] = p.Tree
		}
	} else {
		m[PropQuiesce] = p.Quiesce
		m[PropPauseNS] = strconv.FormatInt(int64(p.Pause), 10)
		if len(p.Bases) > 0 {
			var parts []string
			for _, d := range slices.Sorted(maps.Keys(p.Bases)) {
				parts = append(parts, d+"="+p.Bases[d])
			}
			m[PropBases] = strings.Join(parts, ",")
		}
	}
	return m
}

// parseBases reads PropBases; what does not parse is left out.
func parseBases(v string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(v, ",") {
		if d, b, ok := strings.Cut(part, "="); ok && d != "" && b != "" {
			out[d] = b
		}
	}
	return out
}

// ReadBackupProps reads the user properties of a dated snapshot; a number that is
// missing or does not parse is 0, a string that is missing "".
func ReadBackupProps(props map[string]string) BackupProps {
	n := func(k string) int64 { v, _ := strconv.ParseInt(props[k], 10, 64); return v }
	return BackupProps{Run: props[PropRun], Version: props[PropVersion], Quiesce: props[PropQuiesce],
		Pause: time.Duration(n(PropPauseNS)), Duration: time.Duration(n(PropDurationNS)),
		Written: n(PropWritten), Source: props[PropSource], Bases: parseBases(props[PropBases])}
}

// Backup is s's user properties as BackupProps.
func (s Snapshot) Backup() BackupProps { return ReadBackupProps(s.Props) }
