package zfs

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"github.com/kvmbackup/kvmbackup/internal/mounts"
	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// viewProgram is ReadView's read as one ZFS channel program (zfs-program(8)).
//
//go:embed view.lua
var viewProgram []byte

// programLimit is the memory the program may use, its answer included (bytes):
// zfs program's most (zfs_lua_max_memlimit), ten times its default, room for a
// target of thousands of snapshots.
const programLimit = 100 << 20

// programDataset is one filesystem or snapshot as view.lua returns it.
type programDataset struct {
	GUID        int64  `json:"guid"` // the u64 as Lua's signed integer
	Createtxg   int64  `json:"createtxg"`
	Creation    int64  `json:"creation"`
	Used        int64  `json:"used"`
	Written     int64  `json:"written"`
	Referenced  int64  `json:"referenced"`
	Userrefs    int64  `json:"userrefs"`
	Available   int64  `json:"available"`
	Mountpoint  string `json:"mountpoint"`
	Compression string `json:"compression"`
	// zfs.Hardening's properties, as set (a mount's options may override them).
	Atime   string `json:"atime"`
	Devices string `json:"devices"`
	Exec    string `json:"exec"`
	Setuid  string `json:"setuid"`
	// Local: its user properties set on it (not inherited); Holds: its holds' tags.
	Local map[string]string `json:"local"`
	Holds map[string]bool   `json:"holds"`
}

// ReadViewSynced is ReadView read by one command, `zfs program` (a channel
// program, view.lua), run in syncing context: it runs as a transaction group of
// the pool syncs, after what was written before it, so each dataset's Written
// counts everything written to it before the call, as after `zpool sync`
// (View.Synced). Two commands (zpool sync, then ReadView's two at once) in one,
// holds included. Whether each dataset is mounted, where, and the hardening a
// mount's options override (nosuid, nodev, noexec, noatime: what zfs reports as
// a temporary value) come from /proc/self/mountinfo, where zfs itself reads them.
func (m *Manager) ReadViewSynced(ctx context.Context, root string) (*View, error) {
	if err := CheckDatasetName(root); err != nil {
		return nil, err
	}
	answer, err := m.runProgram(ctx, root)
	if err != nil {
		return nil, err
	}
	v, err := m.programView(root, answer)
	if err != nil {
		return nil, err
	}
	v.Synced = true
	return v, nil
}

// programView is the View view.lua's answer on root says, with the mount table.
func (m *Manager) programView(root string, answer []byte) (*View, error) {
	var out struct {
		Return struct {
			Filesystems map[string]programDataset `json:"filesystems"`
			Snapshots   map[string]programDataset `json:"snapshots"`
			Ancestor    *struct {
				Name        string `json:"name"`
				Compression string `json:"compression"`
				Available   int64  `json:"available"`
			} `json:"ancestor"`
		} `json:"return"`
	}
	if err := json.Unmarshal(answer, &out); err != nil {
		return nil, fmt.Errorf("datasets under %s: zfs program's answer: %w", root, err)
	}
	mt, err := m.mountTable()
	if err != nil {
		return nil, fmt.Errorf("datasets under %s: the mount table: %w", root, err)
	}
	rows, local := programRows(out.Return.Filesystems, out.Return.Snapshots, mt)
	v, _, snaps, err := buildView(root, rows, local)
	if err != nil {
		return nil, err
	}
	for name, s := range out.Return.Snapshots {
		if sn := snaps[name]; sn != nil {
			sn.Holds = slices.Sorted(maps.Keys(s.Holds))
		}
	}
	if a := out.Return.Ancestor; a != nil && len(v.Datasets) == 0 {
		v.Ancestor = &ViewAncestor{Name: a.Name, Compression: a.Compression, Available: a.Available}
	}
	return v, nil
}

// readView is ReadView's view read in this process by view.lua in open context
// (libzfs_core, no command: what zfs list and zfs get read), or by ReadView's
// commands when the library cannot be used or its call fails.
func (m *Manager) readView(ctx context.Context, root string) (*View, error) {
	if c := m.core(ctx); c != nil && CheckDatasetName(root) == nil {
		v, err := m.coreView(ctx, c, root, false)
		if err == nil || ctx.Err() != nil {
			return v, err
		}
		zerolog.Ctx(ctx).Debug().Err(err).Msg("the view by libzfs_core failed: by zfs list and zfs get")
	}
	return m.ReadView(ctx, root)
}

// coreView is the view of root read by view.lua in open context, by libzfs_core
// in this process (readView's); with self, of the filesystem root alone, without
// its snapshots and children (currentByCore's and Mountpoint's).
func (m *Manager) coreView(ctx context.Context, c *Core, root string, self bool) (*View, error) {
	argv := []string{root}
	if self {
		argv = append(argv, "self")
	}
	answer, err := c.Program(ctx, Pool(root), viewProgram, false, programInstrLimit, programLimit, argv...)
	if err != nil {
		return nil, err
	}
	return m.programView(root, answer)
}

// currentByCore is Current read by view.lua on the dataset, in open context (as
// zfs get reads it), by libzfs_core in this process: no command.
func (m *Manager) currentByCore(ctx context.Context, c *Core, dataset string) (DatasetNow, error) {
	v, err := m.coreView(ctx, c, dataset, true)
	if err != nil {
		return DatasetNow{}, err
	}
	d := v.Datasets[dataset]
	if d == nil {
		return DatasetNow{}, fmt.Errorf("dataset %s: %w", dataset, ErrNotFound)
	}
	now := DatasetNow{Mountpoint: d.Mountpoint, GUID: d.GUID, Written: d.Written}
	now.Owner, err = v.Owner(dataset)
	return now, err
}

// programInstrLimit is zfs program's default instruction limit (-t).
const programInstrLimit = 10_000_000

// runProgram runs view.lua on root and returns its answer (zfs program -j's JSON):
// by libzfs_core in this process when it can be used, else (or when that call
// fails but for the context's end) by `zfs program`.
func (m *Manager) runProgram(ctx context.Context, root string) ([]byte, error) {
	if c := m.core(ctx); c != nil {
		out, err := c.Program(ctx, Pool(root), viewProgram, true, programInstrLimit, programLimit, root)
		if err == nil || ctx.Err() != nil {
			return out, err
		}
		zerolog.Ctx(ctx).Debug().Err(err).Msg("the view by libzfs_core failed: by zfs program")
	}
	res, err := m.ZFS.RunWith(ctx, runner.Options{Stdin: bytes.NewReader(viewProgram)},
		"program", "-j", "-t", strconv.Itoa(programInstrLimit), "-m", strconv.Itoa(programLimit), Pool(root), "-", root)
	if err != nil {
		return nil, zfsErr("datasets under "+root+" (zfs program)", err)
	}
	return res.Stdout, nil
}

// programRows are view.lua's filesystems and snapshots as ReadView's two commands
// print them (viewColumns sorted by createtxg; name, property, value), with what
// the mount table mt says: mounted, and the hardening a mount overrides.
func programRows(fss, snaps map[string]programDataset, mt []mounts.Entry) (rows, local [][]string) {
	type row struct {
		txg  int64
		cols []string
	}
	var all []row
	n := strconv.FormatInt
	for name, d := range fss {
		// As zfs reads them: the first mount of it in the table, its own options.
		mounted, opts := "no", map[string]bool{}
		if i := slices.IndexFunc(mt, func(e mounts.Entry) bool { return e.FSType == "zfs" && e.Source == name }); i >= 0 {
			mounted = "yes"
			for _, o := range strings.Split(mt[i].Options, ",") {
				opts[o] = true
			}
		}
		hard := map[string]string{"atime": d.Atime, "devices": d.Devices, "exec": d.Exec, "setuid": d.Setuid}
		for k, off := range map[string]string{"atime": "noatime", "devices": "nodev", "exec": "noexec", "setuid": "nosuid"} {
			if opts[off] {
				hard[k] = "off"
			}
		}
		cols := []string{name, n(d.Creation, 10), n(d.Used, 10), n(d.Written, 10), n(d.Referenced, 10), "-",
			"filesystem", strconv.FormatUint(uint64(d.GUID), 10), mounted, d.Mountpoint, d.Compression, n(d.Available, 10)}
		for _, k := range slices.Sorted(maps.Keys(hardening())) {
			cols = append(cols, hard[k])
		}
		all = append(all, row{d.Createtxg, cols})
		for k, val := range d.Local {
			local = append(local, []string{name, k, val})
		}
	}
	for name, d := range snaps {
		cols := []string{name, n(d.Creation, 10), n(d.Used, 10), n(d.Written, 10), n(d.Referenced, 10), n(d.Userrefs, 10),
			"snapshot", strconv.FormatUint(uint64(d.GUID), 10), "-", "-", "-", "-"}
		for range hardening() {
			cols = append(cols, "-")
		}
		all = append(all, row{d.Createtxg, cols})
		for k, val := range d.Local {
			local = append(local, []string{name, k, val})
		}
	}
	slices.SortFunc(all, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.txg, b.txg), strings.Compare(a.cols[0], b.cols[0]))
	})
	for _, r := range all {
		rows = append(rows, r.cols)
	}
	return rows, local
}
