// Package lvm owns kvmbackup's use of LVM: resolving a VM disk (a block device or an
// image file) to the logical volume under it, LV facts, tagged snapshots (classic with
// a size, or thin), watching a snapshot's fill while it is read, fsck and read-only
// mounts of snapshots, and removing kvmbackup's snapshots and mounts after a run or a
// crash. It drives the lvm2 CLI (JSON reports, sizes in bytes) through the runner.
//
// Safety rules: only LVs carrying the tag "kvmbackup" are ever removed, and never an
// LV that is not a snapshot; a snapshot that overflowed or became invalid fails loudly.
package lvm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// Tag marks every LV kvmbackup creates; RunTagPrefix + run id marks its run.
const (
	Tag          = "kvmbackup"
	RunTagPrefix = "kvmbackup_run_"
)

var (
	// ErrNotFound: no such LV or VG (the error names it).
	ErrNotFound = errors.New("not found")
	// ErrNoSpace: the VG has too little free space for a snapshot; nothing was created.
	ErrNoSpace = errors.New("not enough free space in the volume group")
	// ErrNotOnLV: a device or file that is not on a logical volume.
	ErrNotOnLV = errors.New("not on an LVM logical volume")
	// ErrSnapshotOverflow: a snapshot filled past the limit or became invalid while it
	// was read; what was read from it cannot be trusted.
	ErrSnapshotOverflow = errors.New("snapshot overflow")
	// ErrNotOurs: an LV that kvmbackup did not create (no kvmbackup tag, or not a
	// snapshot): it refuses to remove it.
	ErrNotOurs = errors.New("not a kvmbackup snapshot")
)

// IsNotFound reports whether err says an LV or VG does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Manager runs lvm2, fsck, blkid, mount and umount. The zero value is not usable: use New.
type Manager struct {
	LVM    runner.Tool
	Fsck   runner.Tool
	Blkid  runner.Tool
	Mount  runner.Tool
	Umount runner.Tool
	// Dmsetup and ThinDeltaTool serve changed-block tracking (thin.go).
	Dmsetup       runner.Tool
	ThinDeltaTool runner.Tool
	// RunDir holds the read-only mounts of snapshots: RunDir/<run id>/<name>.
	RunDir string

	poolMu sync.Mutex             // guards pools
	pools  map[string]*sync.Mutex // one thin_delta at a time per thin pool
}

// New returns a Manager using the tools in PATH and /run/kvmbackup/mnt for mounts.
func New() *Manager {
	return &Manager{
		LVM:           runner.New("lvm"),
		Fsck:          runner.New("fsck"),
		Blkid:         runner.New("blkid"),
		Mount:         runner.New("mount"),
		Umount:        runner.New("umount"),
		Dmsetup:       runner.New("dmsetup"),
		ThinDeltaTool: runner.New("thin_delta"),
		RunDir:        "/run/kvmbackup/mnt",
	}
}

// LV is what kvmbackup needs to know of a logical volume.
type LV struct {
	VG              string   `json:"vg"`
	Name            string   `json:"name"`
	Path            string   `json:"path"`   // /dev/VG/LV
	Size            int64    `json:"size"`   // bytes
	Attr            string   `json:"attr"`   // lv_attr, e.g. "owi-aos---"
	Origin          string   `json:"origin"` // the origin LV of a snapshot
	Pool            string   `json:"pool"`   // the thin pool of a thin LV
	SegType         string   `json:"segtype"`
	Tags            []string `json:"tags"`
	DataPercent     float64  `json:"data_percent"` // snapshot or thin fill; -1 when none
	ChunkSize       int64    `json:"chunk_size"`
	MetadataPercent float64  `json:"metadata_percent"` // a thin pool's metadata fill; -1 when none
	ThinID          int      `json:"thin_id"`          // a thin volume's device id in its pool; -1 when none
	Major           int      `json:"major"`            // kernel device number; -1 when inactive
	Minor           int      `json:"minor"`
}

// FullName is "VG/LV".
func (l LV) FullName() string { return l.VG + "/" + l.Name }

// IsSnapshot: a classic snapshot, or a thin LV that is a snapshot of another.
func (l LV) IsSnapshot() bool {
	return len(l.Attr) > 0 && (l.Attr[0] == 's' || l.Attr[0] == 'S' || (l.Attr[0] == 'V' && l.Origin != ""))
}

// IsThin: a thin volume (its snapshots are thin snapshots, without a size).
func (l LV) IsThin() bool { return len(l.Attr) > 0 && l.Attr[0] == 'V' }

// Invalid: a classic snapshot that overflowed (or was otherwise invalidated).
func (l LV) Invalid() bool {
	return len(l.Attr) > 4 && l.Attr[4] == 'I' || (len(l.Attr) > 0 && l.Attr[0] == 'S')
}

// HasTag reports whether the LV carries tag.
func (l LV) HasTag(tag string) bool { return slices.Contains(l.Tags, tag) }

const lvFields = "lv_name,vg_name,lv_path,lv_size,lv_attr,origin,pool_lv,segtype,lv_tags,data_percent,metadata_percent,thin_id,chunk_size,lv_kernel_major,lv_kernel_minor"

// LV returns the facts of VG/name (one lvs); an unknown LV or VG wraps ErrNotFound.
func (m *Manager) LV(ctx context.Context, vg, name string) (LV, error) {
	return lvNamed(ctx, m, vg, name)
}

// lvNamed is LV for a Manager and for Volumes alike.
func lvNamed(ctx context.Context, f finder, vg, name string) (LV, error) {
	if err := validName("VG", vg); err != nil {
		return LV{}, err
	}
	if err := validName("LV", name); err != nil {
		return LV{}, err
	}
	lvs, err := f.find(ctx, query{vg: vg, name: name})
	if err != nil {
		return LV{}, err
	}
	if len(lvs) != 1 {
		return LV{}, fmt.Errorf("logical volume %s/%s: %w", vg, name, ErrNotFound)
	}
	return lvs[0], nil
}

// LVs lists LVs; with a selection (lvm's --select, e.g. "lv_tags=kvmbackup") only those.
func (m *Manager) LVs(ctx context.Context, selection string) ([]LV, error) {
	if selection == "" {
		return m.lvs(ctx)
	}
	return m.lvs(ctx, "--select", selection)
}

func (m *Manager) lvs(ctx context.Context, args ...string) ([]LV, error) {
	argv := append([]string{"lvs", "--reportformat", "json", "--units", "b", "--nosuffix", "-o", lvFields}, args...)
	out, err := m.LVM.Output(ctx, argv...)
	if err != nil {
		return nil, classify(err)
	}
	var rep struct {
		Report []struct {
			LV []map[string]string `json:"lv"`
		} `json:"report"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, fmt.Errorf("lvm lvs: unreadable JSON report: %w", err)
	}
	var lvs []LV
	for _, r := range rep.Report {
		for _, f := range r.LV {
			lv := LV{
				VG: f["vg_name"], Name: f["lv_name"], Path: f["lv_path"], Attr: f["lv_attr"],
				Origin: f["origin"], Pool: f["pool_lv"], SegType: f["segtype"],
				Size: atoi64(f["lv_size"]), ChunkSize: atoi64(f["chunk_size"]),
				Major: int(atoi64(f["lv_kernel_major"])), Minor: int(atoi64(f["lv_kernel_minor"])),
				DataPercent: -1, MetadataPercent: -1, ThinID: -1,
			}
			if id := atoi64(f["thin_id"]); f["thin_id"] != "" && id >= 0 {
				lv.ThinID = int(id)
			}
			if p, err := strconv.ParseFloat(f["metadata_percent"], 64); err == nil {
				lv.MetadataPercent = p
			}
			if lv.Path == "" {
				lv.Path = "/dev/" + lv.VG + "/" + lv.Name
			}
			if t := f["lv_tags"]; t != "" {
				lv.Tags = strings.Split(t, ",")
			}
			if p, err := strconv.ParseFloat(f["data_percent"], 64); err == nil {
				lv.DataPercent = p
			}
			lvs = append(lvs, lv)
		}
	}
	return lvs, nil
}

// VG is a volume group's space.
type VG struct {
	Name       string `json:"name"`
	Size       int64  `json:"size"`
	Free       int64  `json:"free"`
	ExtentSize int64  `json:"extent_size"`
}

// VG returns the space facts of a volume group.
func (m *Manager) VG(ctx context.Context, name string) (VG, error) {
	if err := validName("VG", name); err != nil {
		return VG{}, err
	}
	out, err := m.LVM.Output(ctx, "vgs", "--reportformat", "json", "--units", "b", "--nosuffix",
		"-o", "vg_name,vg_size,vg_free,vg_extent_size", name)
	if err != nil {
		return VG{}, classify(err)
	}
	var rep struct {
		Report []struct {
			VG []map[string]string `json:"vg"`
		} `json:"report"`
	}
	if err := json.Unmarshal(out, &rep); err != nil || len(rep.Report) != 1 || len(rep.Report[0].VG) != 1 {
		return VG{}, fmt.Errorf("lvm vgs %s: unreadable report (%v)", name, err)
	}
	f := rep.Report[0].VG[0]
	return VG{Name: f["vg_name"], Size: atoi64(f["vg_size"]), Free: atoi64(f["vg_free"]), ExtentSize: atoi64(f["vg_extent_size"])}, nil
}

func atoi64(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// lvmName is LVM's character set for VG and LV names.
var lvmName = regexp.MustCompile(`^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$`)

func validName(what, s string) error {
	if s == "" || s == "." || s == ".." || len(s) > 127 || !lvmName.MatchString(s) {
		return fmt.Errorf("%q is not a valid %s name", s, what)
	}
	return nil
}

// classify maps lvm2's failures to the package's errors, keeping the message.
func classify(err error) error {
	var ee *runner.ExitError
	if !errors.As(err, &ee) {
		return err
	}
	msg := ee.Stderr
	switch {
	case strings.Contains(msg, "not found"), strings.Contains(msg, "Failed to find"):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case strings.Contains(msg, "Insufficient free space"), strings.Contains(msg, "insufficient free space"):
		return fmt.Errorf("%w: %w", ErrNoSpace, err)
	}
	return err
}
