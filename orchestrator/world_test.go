package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"libvirt.org/go/libvirtxml"

	"github.com/kvmbackup/kvmbackup/hypervisor"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/transfer"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// world is an in-memory KVM host (domains, LVs, mounts) and ZFS target whose
// datasets are real directories, faking all four interfaces a run drives. Each call
// counts; the failAt-th call fails in one of three ways (an error, a cancelled run,
// or a crash after which nothing the run does takes effect), so that tests can inject
// a fault at every step of a run.
type world struct {
	mu       sync.Mutex
	calls    int
	failAt   int
	mode     faultMode
	crashed  bool
	cancel   context.CancelFunc
	failed   string   // the call that failed
	misuse   []string // calls with arguments no real component would accept
	log      []string
	doms     map[string]*fdom
	lvs      map[string]*flv
	mounts   map[string]string // dir → VG/LV
	datasets map[string]*fds
	root     string                          // where dataset directories live
	trees    map[string]map[string][]byte    // live directory trees (paths: entries): path → files
	treeOpts map[string]transfer.TreeOptions // the options of each SyncTree, by source
	// onSnapshot, when set, is called as each LVM snapshot starts (outside the lock;
	// it may block), onThaw as a frozen group is resumed.
	onSnapshot func(vg, origin string)
	onThaw     func(paused []string)
	// freezeStrands: a Freeze that fails leaves its VMs paused and marked, and says
	// so (hypervisor.ErrNotResumed), as one whose own resume failed.
	freezeStrands bool
	// beforeCopy, when set, is called as each copy or tree sync starts (outside the
	// lock), before its call is counted: it may add a foreign snapshot, or set failAt.
	beforeCopy func(src, dst string)
	changed    map[string]int  // paths of a live tree that change while it is copied, by source
	vanished   map[string]bool // a live tree's files vanish while it is copied, by source
	// marks: what a source's mark holds beyond its path and the options (a mount
	// made below it); noMark: the sync gives no mark (its ctimes are not trusted).
	marks  map[string]string
	noMark bool
	// mountpoints: datasets mounted somewhere else than below their parent's mount.
	mountpoints map[string]string
	// checkTarget, when set, changes what CheckTarget reports (as zfs would find a
	// degraded or faulted pool).
	checkTarget func(r *zfs.TargetReport)
	failOn      string          // also fail (as failAt) every call that starts with it
	thinIDs     int             // the last thin id given
	metaHeld    map[string]bool // thin pools (VG/POOL) whose metadata snapshot is reserved
	guids       int             // the last dataset guid given
}

type faultMode int

const (
	faultError  faultMode = iota // the call returns an error
	faultCancel                  // the run's context is cancelled (SIGTERM) and the call sees it
	faultCrash                   // the process dies: this and every later call has no effect
)

func (m faultMode) String() string { return [...]string{"error", "cancel", "crash"}[m] }

var errCrashed = errors.New("process killed")

type fdom struct {
	d      hypervisor.Domain
	paused bool
	mark   string
	xml    string // as defined by Define
}

type flv struct {
	lv    lvm.LV
	data  []byte            // block mode content
	files map[string][]byte // file mode: the filesystem's files
	mp    string            // file mode: where the origin's filesystem is mounted
}

type fds struct {
	guid  string // set when the world makes it ("": any)
	dir   string
	snaps []fsnap
	props map[string]string // set locally: the ownership property and zfs.Hardening
}

type fsnap struct {
	s     zfs.Snapshot
	files map[string]string
}

func newWorld(t *testing.T) *world {
	w := &world{doms: map[string]*fdom{}, lvs: map[string]*flv{}, mounts: map[string]string{},
		datasets: map[string]*fds{}, root: t.TempDir(), trees: map[string]map[string][]byte{}, treeOpts: map[string]transfer.TreeOptions{}}
	w.datasets["backup/vms"] = &fds{dir: filepath.Join(w.root, "backup/vms")}
	os.MkdirAll(w.datasets["backup/vms"].dir, 0o755)
	return w
}

// blockVM adds a VM whose disk vda is the LV vg0/NAME.
func (w *world) blockVM(name string, state hypervisor.State, data string) {
	l := lvm.LV{VG: "vg0", Name: name, Path: "/dev/vg0/" + name, Size: 1 << 30, Attr: "-wi-ao----"}
	w.lvs[l.FullName()] = &flv{lv: l, data: []byte(data)}
	w.doms[name] = &fdom{d: hypervisor.Domain{Name: name, UUID: "uuid-of-" + name, State: state, Persistent: true,
		Disks: []hypervisor.Disk{{Target: "vda", Device: "disk", Type: "block", Source: l.Path, Format: "raw"},
			{Target: "hdc", Device: "cdrom", Type: "file", Source: "/iso/x.iso", ReadOnly: true}}}}
}

// thinVM is blockVM on a thin LV of the pool vg0/pool.
func (w *world) thinVM(name string, state hypervisor.State, data string) {
	w.blockVM(name, state, data)
	l := &w.lvs["vg0/"+name].lv
	w.thinIDs++
	l.Attr, l.Pool, l.ThinID = "Vwi-aotz--", "pool", w.thinIDs
	if w.lvs["vg0/pool"] == nil {
		w.lvs["vg0/pool"] = &flv{lv: lvm.LV{VG: "vg0", Name: "pool", Path: "/dev/vg0/pool", Size: 100 << 30, Attr: "twi-aotz--", DataPercent: 20, MetadataPercent: 5}}
	}
}

// fileVM adds a VM whose disk vda is the image NAME.raw on the filesystem of vg0/images.
func (w *world) fileVM(name, data string) {
	key := "vg0/images"
	if w.lvs[key] == nil {
		w.lvs[key] = &flv{lv: lvm.LV{VG: "vg0", Name: "images", Path: "/dev/vg0/images", Size: 8 << 30, Attr: "-wi-ao----"},
			files: map[string][]byte{}, mp: "/srv/images"}
	}
	w.lvs[key].files[name+".raw"] = []byte(data)
	w.doms[name] = &fdom{d: hypervisor.Domain{Name: name, UUID: "uuid-of-" + name, State: hypervisor.StateRunning, Persistent: true,
		Disks: []hypervisor.Disk{{Target: "vda", Device: "disk", Type: "file", Source: "/srv/images/" + name + ".raw", Format: "raw"}}}}
}

// fsLV adds an LV vg0/NAME holding a filesystem with files, used by no VM.
func (w *world) fsLV(name string, files map[string][]byte) {
	w.lvs["vg0/"+name] = &flv{lv: lvm.LV{VG: "vg0", Name: name, Path: "/dev/vg0/" + name, Size: 2 << 30, Attr: "-wi-ao----"},
		files: files, mp: "/srv/" + name}
}

func (w *world) deps() Deps {
	return Deps{Hypervisor: fakeHV{w}, LVM: fakeLVM{w}, Target: fakeZFS{w}, Copier: fakeCopier{w}, Trees: fakeTrees{w}}
}

// call counts a call and injects the fault on the failAt-th.
func (w *world) call(ctx context.Context, what string, honourCtx bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	w.log = append(w.log, what)
	if w.crashed {
		return errCrashed
	}
	if w.calls == w.failAt || (w.failOn != "" && strings.HasPrefix(what, w.failOn)) {
		w.failed = what
		switch w.mode {
		case faultError:
			return fmt.Errorf("injected failure in %s", what)
		case faultCancel:
			w.cancel()
		case faultCrash:
			w.crashed = true
			return errCrashed
		}
	}
	if honourCtx && ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

// --- Hypervisor ---

type fakeHV struct{ w *world }

func (f fakeHV) Domains(ctx context.Context) ([]hypervisor.Domain, error) {
	if err := f.w.call(ctx, "Domains", true); err != nil {
		return nil, err
	}
	var out []hypervisor.Domain
	for _, n := range slices.Sorted(maps.Keys(f.w.doms)) {
		d := f.w.doms[n].d
		if f.w.doms[n].paused {
			d.State = hypervisor.StatePaused
		}
		out = append(out, d)
	}
	return out, nil
}

func (f fakeHV) DomainXML(ctx context.Context, name string) (string, error) {
	if err := f.w.call(ctx, "DomainXML "+name, true); err != nil {
		return "", err
	}
	d := f.w.doms[name]
	if d == nil {
		return "", fmt.Errorf("%w %q", hypervisor.ErrNotFound, name)
	}
	def := libvirtxml.Domain{Type: "qemu", Name: name, UUID: d.d.UUID, Devices: &libvirtxml.DomainDeviceList{
		Interfaces: []libvirtxml.DomainInterface{{MAC: &libvirtxml.DomainInterfaceMAC{Address: "52:54:00:00:00:01"},
			Source: &libvirtxml.DomainInterfaceSource{Network: &libvirtxml.DomainInterfaceSourceNetwork{Network: "default"}}}}}}
	for _, dk := range d.d.Disks {
		x := libvirtxml.DomainDisk{Device: dk.Device, Target: &libvirtxml.DomainDiskTarget{Dev: dk.Target}, Source: &libvirtxml.DomainDiskSource{}}
		if dk.Type == "block" {
			x.Source.Block = &libvirtxml.DomainDiskSourceBlock{Dev: dk.Source}
		} else {
			x.Source.File = &libvirtxml.DomainDiskSourceFile{File: dk.Source}
		}
		if dk.ReadOnly {
			x.ReadOnly = &libvirtxml.DomainDiskReadOnly{}
		}
		def.Devices.Disks = append(def.Devices.Disks, x)
	}
	return def.Marshal()
}

// Define adds a shut-off domain with the disks of xml (what libvirt would refuse,
// it refuses: a name or UUID in use).
func (f fakeHV) Define(ctx context.Context, xml string) (string, error) {
	if err := f.w.call(ctx, "Define", true); err != nil {
		return "", err
	}
	var def libvirtxml.Domain
	if err := def.Unmarshal(xml); err != nil {
		return "", err
	}
	for n, d := range f.w.doms {
		if n == def.Name || (def.UUID != "" && d.d.UUID == def.UUID) {
			return "", fmt.Errorf("domain %s already exists", n)
		}
	}
	dom := hypervisor.Domain{Name: def.Name, UUID: def.UUID, State: hypervisor.StateShutoff, Persistent: true, Disks: hypervisor.DisksOf(&def)}
	f.w.doms[def.Name] = &fdom{d: dom, xml: xml}
	return def.Name, nil
}

func (f fakeHV) Freeze(ctx context.Context, names []string, o hypervisor.FreezeOptions) (Frozen, error) {
	if err := f.w.call(ctx, "Freeze "+strings.Join(names, ","), true); err != nil {
		if f.w.freezeStrands { // its own resume failed too: the VMs stay paused and marked
			for _, n := range names {
				f.w.doms[n].paused, f.w.doms[n].mark = true, o.RunID
			}
			return nil, fmt.Errorf("%w; %w: injected", err, hypervisor.ErrNotResumed)
		}
		return nil, err // the contract: nothing left paused
	}
	fr := &frozen{w: f.w}
	if o.MaxPause > 0 {
		fr.deadline = time.Now().Add(o.MaxPause)
	}
	for _, n := range names {
		d := f.w.doms[n]
		if d.d.State != hypervisor.StateRunning || d.paused {
			fr.reps = append(fr.reps, hypervisor.VMReport{Name: n, Skipped: "shut off"})
			continue
		}
		d.paused, d.mark = true, o.RunID
		fr.paused = append(fr.paused, n)
		fr.reps = append(fr.reps, hypervisor.VMReport{Name: n, Mode: hypervisor.ModeSysrqSuspend})
	}
	return fr, nil
}

func (f fakeHV) Recover(ctx context.Context) ([]hypervisor.Recovered, error) {
	if err := f.w.call(ctx, "Recover", true); err != nil {
		return nil, err
	}
	var out []hypervisor.Recovered
	for _, n := range slices.Sorted(maps.Keys(f.w.doms)) {
		d := f.w.doms[n]
		if d.mark != "" {
			out = append(out, hypervisor.Recovered{Name: n, Run: d.mark, Action: "resumed"})
			d.paused, d.mark = false, ""
		}
	}
	return out, nil
}

type frozen struct {
	w        *world
	paused   []string
	reps     []hypervisor.VMReport
	done     bool
	deadline time.Time
}

func (g *frozen) Reports() []hypervisor.VMReport { return g.reps }

func (g *frozen) Deadline() time.Time { return g.deadline }

func (g *frozen) Thaw(ctx context.Context) ([]hypervisor.VMReport, error) {
	if g.done {
		return g.reps, nil
	}
	// Thaw runs even on a cancelled context (its contract).
	if err := g.w.call(context.WithoutCancel(ctx), "Thaw", false); err != nil {
		return g.reps, err // the VMs stay paused and marked, for recover
	}
	g.done = true
	if g.w.onThaw != nil {
		g.w.onThaw(g.paused)
	}
	for i, r := range g.reps {
		if slices.Contains(g.paused, r.Name) {
			d := g.w.doms[r.Name]
			d.paused, d.mark = false, ""
			g.reps[i].Window = 300 * time.Millisecond
		}
	}
	return g.reps, nil
}

// --- Snapshotter ---

type fakeLVM struct{ w *world }

// Volumes is the plan's one read of LVM: one call, then a fakeView that answers
// without calls.
func (f fakeLVM) Volumes(ctx context.Context) (LVView, error) {
	if err := f.w.call(ctx, "Volumes", true); err != nil {
		return nil, err
	}
	return fakeView{f.w}, nil
}

// ResolveDevice, ResolveFile and LV answer as LVM is now, a call each.
func (f fakeLVM) ResolveDevice(ctx context.Context, path string) (lvm.LV, error) {
	if err := f.w.call(ctx, "ResolveDevice "+path, true); err != nil {
		return lvm.LV{}, err
	}
	return fakeView(f).ResolveDevice(ctx, path)
}

func (f fakeLVM) ResolveFile(ctx context.Context, path string) (lvm.FileOnLV, error) {
	if err := f.w.call(ctx, "ResolveFile "+path, true); err != nil {
		return lvm.FileOnLV{}, err
	}
	return fakeView(f).ResolveFile(ctx, path)
}

func (f fakeLVM) LV(ctx context.Context, vg, name string) (lvm.LV, error) {
	if err := f.w.call(ctx, "LV "+vg+"/"+name, true); err != nil {
		return lvm.LV{}, err
	}
	return fakeView(f).LV(ctx, vg, name)
}

// fakeView answers from the world's LVs, making no call (a read already made).
type fakeView struct{ w *world }

func (f fakeView) ResolveDevice(_ context.Context, path string) (lvm.LV, error) {
	for _, l := range f.w.lvs {
		if l.lv.Path == path && l.lv.Origin == "" {
			return l.lv, nil
		}
	}
	return lvm.LV{}, fmt.Errorf("%s: %w", path, lvm.ErrNotOnLV)
}

func (f fakeView) ResolveFile(_ context.Context, path string) (lvm.FileOnLV, error) {
	for _, l := range f.w.lvs {
		if l.mp != "" && strings.HasPrefix(path, l.mp+"/") {
			return lvm.FileOnLV{LV: l.lv, MountPoint: l.mp, FSType: "ext4", RelPath: strings.TrimPrefix(path, l.mp+"/")}, nil
		}
	}
	return lvm.FileOnLV{}, fmt.Errorf("%s: %w", path, lvm.ErrNotOnLV)
}

func (f fakeView) LV(_ context.Context, vg, name string) (lvm.LV, error) {
	if l := f.w.lvs[vg+"/"+name]; l != nil {
		return l.lv, nil
	}
	return lvm.LV{}, fmt.Errorf("%s/%s: %w", vg, name, lvm.ErrNotFound)
}

func (f fakeLVM) PrepareSnapshot(ctx context.Context, vg, origin string, o lvm.SnapshotOptions) (lvm.PendingSnapshot, error) {
	if err := f.w.call(ctx, "PrepareSnapshot "+vg+"/"+origin, true); err != nil {
		return lvm.PendingSnapshot{}, err
	}
	src := f.w.lvs[vg+"/"+origin]
	if src == nil {
		return lvm.PendingSnapshot{}, fmt.Errorf("snapshot of %s/%s: %w", vg, origin, lvm.ErrNotFound)
	}
	return lvm.PendingSnapshot{Origin: src.lv, Name: lvm.SnapshotName(origin, o.RunID), RunID: o.RunID}, nil
}

// CreateSnapshot logs "Snapshot VG/ORIGIN", as the window's one command.
func (f fakeLVM) CreateSnapshot(ctx context.Context, p lvm.PendingSnapshot) (lvm.LV, error) {
	vg, origin := p.Origin.VG, p.Origin.Name
	if f.w.onSnapshot != nil {
		f.w.onSnapshot(vg, origin)
	}
	if err := f.w.call(ctx, "Snapshot "+vg+"/"+origin, true); err != nil {
		return lvm.LV{}, err
	}
	f.w.mu.Lock() // snapshots run in parallel
	defer f.w.mu.Unlock()
	src := f.w.lvs[vg+"/"+origin]
	name, o := p.Name, p
	s := &flv{lv: lvm.LV{VG: vg, Name: name, Path: "/dev/" + vg + "/" + name, Origin: origin, Size: src.lv.Size, Attr: "swi-a-s---",
		Tags: []string{lvm.Tag, lvm.RunTagPrefix + o.RunID}, ThinID: -1}, data: slices.Clone(src.data), files: maps.Clone(src.files)}
	if src.lv.IsThin() {
		f.w.thinIDs++
		s.lv.Attr, s.lv.Pool, s.lv.ThinID = "Vwi-a-tz-k", src.lv.Pool, f.w.thinIDs
	}
	f.w.lvs[s.lv.FullName()] = s
	return s.lv, nil
}

func (f fakeLVM) ReadySnapshot(ctx context.Context, snap lvm.LV) (lvm.LV, error) {
	if err := f.w.call(ctx, "ReadySnapshot "+snap.FullName(), true); err != nil {
		return lvm.LV{}, err
	}
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	if l := f.w.lvs[snap.FullName()]; l != nil {
		return l.lv, nil
	}
	return lvm.LV{}, fmt.Errorf("snapshot %s: %w", snap.FullName(), lvm.ErrNotFound)
}

func (f fakeLVM) Watch(ctx context.Context, snap lvm.LV, maxFill float64, interval time.Duration) (context.Context, func() error) {
	return ctx, func() error { return f.w.call(ctx, "WatchStop "+snap.FullName(), false) }
}

func (f fakeLVM) MountSnapshot(ctx context.Context, snap lvm.LV, runID string) (string, error) {
	if err := f.w.call(ctx, "MountSnapshot "+snap.FullName(), true); err != nil {
		return "", err
	}
	dir := "/run/kvmbackup/mnt/" + runID + "/" + snap.Name
	f.w.mu.Lock() // volumes mount and copy in parallel
	f.w.mounts[dir] = snap.FullName()
	f.w.mu.Unlock()
	return dir, nil
}

func (f fakeLVM) Unmount(ctx context.Context, dir string) error {
	if err := f.w.call(ctx, "Unmount "+dir, true); err != nil {
		return err
	}
	f.w.mu.Lock()
	delete(f.w.mounts, dir)
	f.w.mu.Unlock()
	return nil
}

func (f fakeLVM) Remove(ctx context.Context, vg, name string) error {
	if err := f.w.call(ctx, "Remove "+vg+"/"+name, true); err != nil {
		return err
	}
	f.w.mu.Lock() // copies end, and remove their snapshots, in parallel
	defer f.w.mu.Unlock()
	if vg == "" || name == "" {
		f.w.misuse = append(f.w.misuse, fmt.Sprintf("Remove(%q, %q)", vg, name))
		return fmt.Errorf("remove %q/%q: not an LV name", vg, name)
	}
	l := f.w.lvs[vg+"/"+name]
	if l == nil {
		return nil
	}
	if !l.lv.HasTag(lvm.Tag) || l.lv.Origin == "" {
		return lvm.ErrNotOurs
	}
	for _, m := range f.w.mounts {
		if m == l.lv.FullName() {
			return fmt.Errorf("%s is mounted", m)
		}
	}
	delete(f.w.lvs, vg+"/"+name)
	return nil
}

func (f fakeLVM) Cleanup(ctx context.Context, runID string) (lvm.Cleaned, error) {
	var c lvm.Cleaned
	if err := f.w.call(ctx, "LVM Cleanup", true); err != nil {
		return c, err
	}
	for _, dir := range slices.Sorted(maps.Keys(f.w.mounts)) {
		delete(f.w.mounts, dir)
		c.Unmounted = append(c.Unmounted, dir)
	}
	for _, k := range slices.Sorted(maps.Keys(f.w.lvs)) {
		l := f.w.lvs[k]
		if l.lv.HasTag(lvm.Tag) && !l.lv.HasTag(lvm.BaseTag) && l.lv.Origin != "" && (runID == "" || l.lv.HasTag(lvm.RunTagPrefix+runID)) {
			delete(f.w.lvs, k)
			c.Removed = append(c.Removed, k)
		}
	}
	return c, nil
}

func (f fakeLVM) Base(ctx context.Context, vg, origin string) (lvm.LV, error) {
	if err := f.w.call(ctx, "Base "+vg+"/"+origin, true); err != nil {
		return lvm.LV{}, err
	}
	l := f.w.lvs[vg+"/"+lvm.BaseName(origin)]
	if l == nil {
		return lvm.LV{}, fmt.Errorf("base of %s/%s: %w", vg, origin, lvm.ErrNotFound)
	}
	if !l.lv.IsBase() || l.lv.Origin != origin {
		return lvm.LV{}, fmt.Errorf("%s: %w", l.lv.FullName(), lvm.ErrNotOurs)
	}
	return l.lv, nil
}

// ThinDelta says the whole volume changed; a crash in it leaves the pool's metadata
// snapshot reserved, as a killed process would.
func (f fakeLVM) ThinDelta(ctx context.Context, base, snap lvm.LV) (lvm.Delta, error) {
	pool := snap.VG + "/" + snap.Pool
	if !base.IsBase() || !snap.IsThin() || base.Pool != snap.Pool || base.Origin != snap.Origin {
		f.w.misuse = append(f.w.misuse, fmt.Sprintf("ThinDelta(%s, %s)", base.FullName(), snap.FullName()))
	}
	f.w.mu.Lock()
	if f.w.metaHeld == nil {
		f.w.metaHeld = map[string]bool{}
	}
	held := f.w.metaHeld[pool]
	f.w.metaHeld[pool] = true
	f.w.mu.Unlock()
	if held {
		return lvm.Delta{}, fmt.Errorf("reserve the metadata snapshot of thin pool %s: %w: already reserved", pool, lvm.ErrNotReserved)
	}
	err := f.w.call(ctx, "ThinDelta "+base.FullName()+" "+snap.FullName(), true)
	if err != nil && errors.Is(err, errCrashed) {
		return lvm.Delta{}, err
	}
	f.w.mu.Lock()
	delete(f.w.metaHeld, pool)
	f.w.mu.Unlock()
	if err != nil {
		return lvm.Delta{}, err
	}
	return lvm.Delta{ChunkSize: 64 << 10, Changed: []lvm.Range{{Off: 0, Len: snap.Size}}, ChangedBytes: snap.Size}, nil
}

func (f fakeLVM) ReleaseMetadataSnap(ctx context.Context, vg, pool string) error {
	if err := f.w.call(ctx, "ReleaseMetadataSnap "+vg+"/"+pool, true); err != nil {
		return err
	}
	f.w.mu.Lock()
	delete(f.w.metaHeld, vg+"/"+pool)
	f.w.mu.Unlock()
	return nil
}

func (f fakeLVM) KeepAsBase(ctx context.Context, snap lvm.LV) (lvm.LV, error) {
	if err := f.w.call(ctx, "KeepAsBase "+snap.FullName(), true); err != nil {
		return lvm.LV{}, err
	}
	l := f.w.lvs[snap.FullName()]
	if l == nil || !l.lv.IsThin() || !l.lv.HasTag(lvm.Tag) {
		f.w.misuse = append(f.w.misuse, "KeepAsBase("+snap.FullName()+")")
		return lvm.LV{}, fmt.Errorf("%s: %w", snap.FullName(), lvm.ErrNotOurs)
	}
	delete(f.w.lvs, snap.FullName())
	name := lvm.BaseName(l.lv.Origin)
	l.lv.Name, l.lv.Path, l.lv.Attr, l.lv.Tags = name, "/dev/"+l.lv.VG+"/"+name, "Vri---tz-k", []string{lvm.Tag, lvm.BaseTag}
	f.w.lvs[l.lv.FullName()] = l
	return l.lv, nil
}

func (f fakeLVM) DropBase(ctx context.Context, vg, origin string) error {
	if err := f.w.call(ctx, "DropBase "+vg+"/"+origin, true); err != nil {
		return err
	}
	if l := f.w.lvs[vg+"/"+lvm.BaseName(origin)]; l != nil && l.lv.IsBase() {
		delete(f.w.lvs, l.lv.FullName())
		if p := f.w.lvs[vg+"/"+l.lv.Pool]; p != nil { // what the base held is free again
			p.lv.DataPercent -= 10
		}
	}
	return nil
}

func (f fakeLVM) Bases(ctx context.Context) ([]lvm.LV, error) {
	if err := f.w.call(ctx, "Bases", true); err != nil {
		return nil, err
	}
	var out []lvm.LV
	for _, k := range slices.Sorted(maps.Keys(f.w.lvs)) {
		if l := f.w.lvs[k]; l.lv.IsBase() {
			out = append(out, l.lv)
		}
	}
	return out, nil
}

// --- Target ---

type fakeZFS struct{ w *world }

func (f fakeZFS) CheckTarget(ctx context.Context, o zfs.TargetOptions) (*zfs.TargetReport, error) {
	if err := f.w.call(ctx, "CheckTarget", true); err != nil {
		return nil, err
	}
	r := &zfs.TargetReport{Pool: "backup", Dataset: o.Dataset, Health: "ONLINE", Exists: true, Free: 100 << 30, Available: 90 << 30,
		PoolMountpoint: "/backup", PoolMountRead: true} // as Mountpoint answers for the pool's root dataset
	if f.w.checkTarget != nil {
		f.w.checkTarget(r)
	}
	return r, nil
}

func (f fakeZFS) Children(ctx context.Context, root string) ([]string, error) {
	if err := f.w.call(ctx, "Children "+root, true); err != nil {
		return nil, err
	}
	var out []string
	for ds := range f.w.datasets {
		if strings.HasPrefix(ds, root+"/") && !strings.Contains(strings.TrimPrefix(ds, root+"/"), "/") {
			out = append(out, ds)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (f fakeZFS) get(ds string) (*fds, error) {
	d := f.w.datasets[ds]
	if d == nil {
		return nil, fmt.Errorf("dataset %s: %w", ds, zfs.ErrNotFound)
	}
	return d, nil
}

func (f fakeZFS) Snapshots(ctx context.Context, ds string) ([]zfs.Snapshot, error) {
	if err := f.w.call(ctx, "Snapshots "+ds, true); err != nil {
		return nil, err
	}
	d, err := f.get(ds)
	if err != nil {
		return nil, err
	}
	var out []zfs.Snapshot
	for _, s := range d.snaps {
		out = append(out, s.s)
	}
	return out, nil
}

func (f fakeZFS) Destroy(ctx context.Context, ds, name string) error {
	if err := f.w.call(ctx, "Destroy "+ds+"@"+name, true); err != nil {
		return err
	}
	d, err := f.get(ds)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(d.snaps, func(s fsnap) bool { return s.s.Name == name })
	switch {
	case i < 0:
		return zfs.ErrNotFound
	case !d.snaps[i].s.Ours():
		return zfs.ErrNotOurs
	case d.snaps[i].s.Held():
		return zfs.ErrHeld
	}
	d.snaps = slices.Delete(d.snaps, i, i+1)
	return nil
}

func (f fakeZFS) EnsureDataset(ctx context.Context, ds string, o zfs.Owner) (bool, error) {
	if err := f.w.call(ctx, "EnsureDataset "+ds, true); err != nil {
		return false, err
	}
	if f.w.datasets[ds] != nil {
		return false, nil
	}
	if o.IsZero() {
		f.w.misuse = append(f.w.misuse, "EnsureDataset "+ds+" without an owner")
	}
	f.w.guids++
	d := &fds{guid: fmt.Sprint(f.w.guids), dir: filepath.Join(f.w.root, ds), props: map[string]string{o.Prop: o.Name}}
	for _, h := range zfs.Hardening { // as zfs.Manager creates it
		k, v, _ := strings.Cut(h, "=")
		d.props[k] = v
	}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return false, err
	}
	f.w.datasets[ds] = d
	return true, nil
}

func (f fakeZFS) Mountpoint(ctx context.Context, ds string) (string, error) {
	if err := f.w.call(ctx, "Mountpoint "+ds, true); err != nil {
		return "", err
	}
	if ds == "backup" {
		return "/backup", nil // the pool's root dataset: not a directory of the world
	}
	if mp := f.w.mountpoints[ds]; mp != "" {
		return mp, os.MkdirAll(mp, 0o755)
	}
	if filepath.Base(ds) == zfs.PathsChild { // made by zfs create -p, as ROOT/_paths/NAME's parent
		dir := filepath.Join(f.w.root, ds)
		return dir, os.MkdirAll(dir, 0o755)
	}
	d, err := f.get(ds)
	if err != nil {
		return "", err
	}
	return d.dir, nil
}

func (f fakeZFS) TakeSnapshot(ctx context.Context, ds string, at time.Time, props map[string]string) (zfs.Snapshot, error) {
	if err := f.w.call(ctx, "TakeSnapshot "+ds, true); err != nil {
		return zfs.Snapshot{}, err
	}
	d, err := f.get(ds)
	if err != nil {
		return zfs.Snapshot{}, err
	}
	name := zfs.SnapshotName(at)
	for _, s := range d.snaps {
		if s.s.Name == name {
			return zfs.Snapshot{}, fmt.Errorf("%s@%s: %w", ds, name, zfs.ErrExists)
		}
	}
	s := zfs.Snapshot{Dataset: ds, Name: name, Created: at, Props: props}
	d.snaps = append(d.snaps, fsnap{s: s, files: readTree(d.dir)})
	return s, nil
}

func (f fakeZFS) Rollback(ctx context.Context, ds string) (zfs.Snapshot, error) {
	if err := f.w.call(ctx, "Rollback "+ds, true); err != nil {
		return zfs.Snapshot{}, err
	}
	d, err := f.get(ds)
	if err != nil {
		return zfs.Snapshot{}, err
	}
	for i := len(d.snaps) - 1; i >= 0; i-- {
		if d.snaps[i].s.Ours() {
			if i != len(d.snaps)-1 { // as zfs.Manager: never over a newer snapshot
				e := &zfs.NewerSnapshotsError{Dataset: ds, Target: d.snaps[i].s.Name}
				for _, s := range d.snaps[i+1:] {
					e.Newer = append(e.Newer, s.s.Name)
				}
				return zfs.Snapshot{}, e
			}
			writeTree(d.dir, d.snaps[i].files)
			return d.snaps[i].s, nil
		}
	}
	return zfs.Snapshot{}, fmt.Errorf("%s: %w", ds, zfs.ErrNoSnapshot)
}

func (f fakeZFS) DestroyNewDataset(ctx context.Context, ds string) error {
	if err := f.w.call(ctx, "DestroyNewDataset "+ds, true); err != nil {
		return err
	}
	d, err := f.get(ds)
	if err != nil {
		return nil
	}
	if len(d.snaps) > 0 {
		return zfs.ErrNotEmpty
	}
	delete(f.w.datasets, ds)
	return os.RemoveAll(d.dir)
}

func (f fakeZFS) Owner(ctx context.Context, ds string) (zfs.Owner, error) {
	if err := f.w.call(ctx, "Owner "+ds, true); err != nil {
		return zfs.Owner{}, err
	}
	d, err := f.get(ds)
	if err != nil {
		return zfs.Owner{}, err
	}
	return d.owner(), nil
}

// written is zfs's written property: 0 when the files are their last snapshot's,
// else what differs (a dataset without a snapshot: all it holds, at least 1).
func (d *fds) written() int64 {
	now := readTree(d.dir)
	if len(d.snaps) == 0 {
		return int64(max(len(fmt.Sprint(now)), 1))
	}
	if last := d.snaps[len(d.snaps)-1].files; fmt.Sprint(last) != fmt.Sprint(now) {
		return int64(max(len(fmt.Sprint(now)), 1))
	}
	return 0
}

func (d *fds) owner() zfs.Owner {
	for _, p := range []string{zfs.PropVM, zfs.PropPath} {
		if v, ok := d.props[p]; ok {
			return zfs.Owner{Prop: p, Name: v}
		}
	}
	return zfs.Owner{}
}

func (f fakeZFS) Claim(ctx context.Context, ds string, o zfs.Owner) error {
	if err := f.w.call(ctx, "Claim "+ds, true); err != nil {
		return err
	}
	d, err := f.get(ds)
	if err != nil {
		return err
	}
	if got := d.owner(); !got.IsZero() && got != o {
		return fmt.Errorf("claim %s: %w", ds, zfs.ErrForeign)
	}
	if d.props == nil {
		d.props = map[string]string{}
	}
	d.props[o.Prop] = o.Name
	for _, h := range zfs.Hardening {
		k, v, _ := strings.Cut(h, "=")
		d.props[k] = v
	}
	return nil
}

// ReadView is one call, as zfs.Manager's is two commands whatever the datasets.
func (f fakeZFS) ReadView(ctx context.Context, root string) (*zfs.View, error) {
	if err := f.w.call(ctx, "ReadView "+root, true); err != nil {
		return nil, err
	}
	v := &zfs.View{Root: root, Datasets: map[string]*zfs.ViewDataset{}}
	for name, d := range f.w.datasets {
		if name != root && !strings.HasPrefix(name, root+"/") {
			continue
		}
		vd := &zfs.ViewDataset{Name: name, GUID: d.guid, Owners: map[string]string{}, Hardening: map[string]string{},
			Mountpoint: d.dir, MountRead: true, Written: d.written()} // as Mountpoint answers
		if mp := f.w.mountpoints[name]; mp != "" {
			vd.Mountpoint = mp
		}
		for k, val := range d.props {
			if k == zfs.PropVM || k == zfs.PropPath {
				vd.Owners[k] = val
			} else {
				vd.Hardening[k] = val
			}
		}
		for _, s := range d.snaps {
			vd.Snapshots = append(vd.Snapshots, s.s)
		}
		v.Datasets[name] = vd
	}
	for name := range v.Datasets { // the parents zfs create -p made (ROOT/_paths)
		for p := filepath.Dir(name); v.Covers(p) && v.Datasets[p] == nil; p = filepath.Dir(p) {
			v.Datasets[p] = &zfs.ViewDataset{Name: p, Owners: map[string]string{}, Hardening: map[string]string{},
				Mountpoint: filepath.Join(f.w.root, p), MountRead: true}
			if mp := f.w.mountpoints[p]; mp != "" {
				v.Datasets[p].Mountpoint = mp
			}
		}
	}
	return v, nil
}

func (f fakeZFS) Current(ctx context.Context, ds string) (zfs.DatasetNow, error) {
	if err := f.w.call(ctx, "Current "+ds, true); err != nil {
		return zfs.DatasetNow{}, err
	}
	d, err := f.get(ds)
	if err != nil {
		return zfs.DatasetNow{}, err
	}
	now := zfs.DatasetNow{Mountpoint: d.dir, GUID: d.guid, Owner: d.owner(), Written: d.written()}
	if m := f.w.mountpoints[ds]; m != "" {
		now.Mountpoint = m
		return now, os.MkdirAll(m, 0o755)
	}
	return now, nil
}

// CheckMount: dir is the directory ds is mounted on now (its own, or where
// mountpoints says it was remounted); the fake's datasets share one device.
func (f fakeZFS) CheckMount(ds string, dir *unix.Stat_t) error {
	f.w.mu.Lock()
	d := f.w.datasets[ds]
	mp := f.w.mountpoints[ds]
	f.w.mu.Unlock()
	if d == nil {
		return fmt.Errorf("dataset %s is not mounted", ds)
	}
	if mp == "" {
		mp = d.dir
	}
	var now unix.Stat_t
	if err := unix.Stat(mp, &now); err != nil || now.Dev != dir.Dev || now.Ino != dir.Ino {
		return fmt.Errorf("the directory is not in dataset %s (mounted at %s)", ds, mp)
	}
	return nil
}

func (f fakeZFS) SyncPool(ctx context.Context, pool string) error {
	return f.w.call(ctx, "SyncPool "+pool, true)
}

func (f fakeZFS) Cleanup(ctx context.Context, root, runID string) (zfs.Cleaned, error) {
	return zfs.Cleaned{}, f.w.call(ctx, "ZFS Cleanup "+runID, true)
}

// --- Copier ---

type fakeCopier struct{ w *world }

func (f fakeCopier) Copy(ctx context.Context, src, dst string, o transfer.Options) (transfer.Stats, error) {
	if f.w.beforeCopy != nil {
		f.w.beforeCopy(src, dst)
	}
	var data []byte
	f.w.mu.Lock() // other volumes mount, copy and remove their snapshots meanwhile
	for dir, key := range f.w.mounts {
		if l := f.w.lvs[key]; l != nil && strings.HasPrefix(src, dir+"/") {
			data = l.files[strings.TrimPrefix(src, dir+"/")]
		}
	}
	for _, l := range f.w.lvs {
		if l.lv.Path == src {
			data = l.data
		}
	}
	f.w.mu.Unlock()
	if data == nil {
		data, _ = os.ReadFile(src) // a restore reads a file of a mounted snapshot
	}
	write := func(b []byte) error { // through DstFile when given, as transfer.Copy
		if o.DstFile == nil {
			return os.WriteFile(dst, b, 0o600)
		}
		if err := o.DstFile.Truncate(0); err != nil {
			return err
		}
		_, err := o.DstFile.WriteAt(b, 0)
		return err
	}
	if err := f.w.call(ctx, "Copy "+src, true); err != nil {
		if !f.w.crashedBefore() {
			write([]byte("PARTIAL")) // a copy cut short leaves DST half written
		}
		return transfer.Stats{}, err
	}
	if data == nil {
		return transfer.Stats{}, fmt.Errorf("fake copy: no such source %s", src)
	}
	if err := write(data); err != nil {
		return transfer.Stats{}, err
	}
	if o.Manifest != "" {
		if err := os.WriteFile(o.Manifest, []byte(fmt.Sprintf("manifest of %d bytes", len(data))), 0o600); err != nil {
			return transfer.Stats{}, err
		}
	}
	mode := "compare"
	if o.Tracked {
		mode = "cbt"
	}
	return transfer.Stats{Mode: mode, Size: int64(len(data)), SrcRead: int64(len(data)), Written: int64(len(data))}, nil
}

// crashedBefore: the process died before the current call (it writes nothing more).
func (w *world) crashedBefore() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.crashed && w.failed != w.log[len(w.log)-1]
}

func readTree(dir string) map[string]string {
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

func writeTree(dir string, files map[string]string) {
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o755)
	for rel, data := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755)
		os.WriteFile(filepath.Join(dir, rel), []byte(data), 0o600)
	}
}

func (f fakeZFS) MountSnapshot(ctx context.Context, snap zfs.Snapshot, runID string) (string, error) {
	if err := f.w.call(ctx, "MountSnapshot "+snap.FullName(), true); err != nil {
		return "", err
	}
	d, err := f.get(snap.Dataset)
	if err != nil {
		return "", err
	}
	for _, s := range d.snaps {
		if s.s.Name == snap.Name {
			dir := filepath.Join(f.w.root, "_mnt", runID)
			writeTree(dir, s.files)
			f.w.mounts[dir] = "zfs " + snap.FullName()
			return dir, nil
		}
	}
	return "", zfs.ErrNotFound
}

func (f fakeZFS) Unmount(ctx context.Context, dir string) error {
	if err := f.w.call(ctx, "Unmount "+dir, true); err != nil {
		return err
	}
	delete(f.w.mounts, dir)
	return os.RemoveAll(dir)
}

// Verify checks DST (open) against the fake manifest ("manifest of N bytes").
func (f fakeCopier) Verify(ctx context.Context, dstFile *os.File, manifest string) (transfer.VerifyResult, error) {
	dst := dstFile.Name()
	if err := f.w.call(ctx, "Verify "+dst, true); err != nil {
		return transfer.VerifyResult{}, err
	}
	m, err := os.ReadFile(manifest)
	if err != nil {
		return transfer.VerifyResult{}, err
	}
	b, err := io.ReadAll(io.NewSectionReader(dstFile, 0, 1<<40))
	if err != nil {
		return transfer.VerifyResult{}, err
	}
	if string(m) != fmt.Sprintf("manifest of %d bytes", len(b)) {
		return transfer.VerifyResult{Blocks: 1, Mismatched: 1}, fmt.Errorf("verify %s: differs", dst)
	}
	return transfer.VerifyResult{Blocks: 1}, nil
}

// --- Trees ---

type fakeTrees struct{ w *world }

func (f fakeTrees) CheckDir(ctx context.Context, path string) error {
	if err := f.w.call(ctx, "CheckDir "+path, true); err != nil {
		return err
	}
	if f.w.trees[path] == nil {
		return fmt.Errorf("%s: not a directory", path)
	}
	return nil
}

// SyncTree makes dst hold the files of a live tree, or of the mounted snapshot of a
// filesystem LV, but the excluded ones (by name only, in this fake).
func (f fakeTrees) SyncTree(ctx context.Context, src, dst string, o transfer.TreeOptions) (transfer.TreeStats, error) {
	files := f.w.trees[src]
	f.w.mu.Lock()
	if key, ok := f.w.mounts[src]; ok && f.w.lvs[key] != nil {
		files = f.w.lvs[key].files
	}
	f.w.treeOpts[src] = o
	f.w.mu.Unlock()
	if f.w.beforeCopy != nil {
		f.w.beforeCopy(src, dst)
	}
	if o.CheckDest != nil { // as transfer.SyncTree: before anything is written
		var d unix.Stat_t
		if err := unix.Stat(dst, &d); err != nil {
			return transfer.TreeStats{}, fmt.Errorf("tree destination: %w", err)
		}
		if err := o.CheckDest(&d); err != nil {
			return transfer.TreeStats{}, fmt.Errorf("tree destination %s: %w", dst, err)
		}
	}
	if err := f.w.call(ctx, "SyncTree "+src, true); err != nil {
		if !f.w.crashedBefore() {
			os.WriteFile(filepath.Join(dst, "PARTIAL"), []byte("cut short"), 0o600)
		}
		return transfer.TreeStats{}, err
	}
	if files == nil && f.w.mounts[src] != "" { // a mounted ZFS snapshot (a restore): real files
		files = map[string][]byte{}
		for rel, data := range readTree(src) {
			files[rel] = []byte(data)
		}
	}
	if files == nil {
		return transfer.TreeStats{}, fmt.Errorf("fake tree sync: no such source %s", src)
	}
	if len(o.Only) > 0 && !slices.ContainsFunc(slices.Collect(maps.Keys(files)), func(rel string) bool {
		return slices.ContainsFunc(o.Only, func(g string) bool { return strings.HasPrefix(rel+"/", strings.TrimPrefix(g, "/")+"/") })
	}) {
		return transfer.TreeStats{}, fmt.Errorf("%w in %s by %s", transfer.ErrNothingMatched, src, strings.Join(o.Only, " "))
	}
	out := map[string]string{}
	var st transfer.TreeStats
	for rel, data := range files {
		if slices.Contains(o.Exclude, filepath.Base(rel)) {
			continue
		}
		out[rel] = string(data)
		st.Files++
		st.Transferred++
		st.SmallWritten += int64(len(data))
	}
	writeTree(dst, out)
	st.Changed, st.Vanished = f.w.changed[src], f.w.vanished[src]
	// The mark: the source, the options that shape a copy and what marks adds; the
	// last copy trusted when its mark is this one (as transfer.SyncTree).
	if !f.w.noMark {
		st.Mark = fmt.Sprintf("%s %q %q %v %s", src, o.Exclude, o.Skip, o.Xattrs, f.w.marks[src])
	}
	st.Trusted = !o.Unchanged.IsZero() && o.Mark != "" && o.Mark == st.Mark
	return st, nil
}

// foreignSnap takes a snapshot named name, as another tool (sanoid,
// zfs-auto-snapshot) would, of dataset ds as it is now.
func (w *world) foreignSnap(ds, name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	d := w.datasets[ds]
	d.snaps = append(d.snaps, fsnap{s: zfs.Snapshot{Dataset: ds, Name: name, Created: time.Now().UTC()}, files: readTree(d.dir)})
}

// snapNames are ds's snapshots' names, oldest first.
func (w *world) snapNames(ds string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, s := range w.datasets[ds].snaps {
		out = append(out, s.s.Name)
	}
	return out
}
