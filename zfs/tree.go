package zfs

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Mark is a snapshot or a bookmark as replication compares them: by GUID (the same
// snapshot on both sides has the same one, whatever its name).
type Mark struct {
	Name      string `json:"name"` // after the @ or #
	GUID      string `json:"guid"`
	CreateTXG int64  `json:"createtxg"`
}

// TreeDataset is one dataset under a root with what replication needs of it.
type TreeDataset struct {
	Name        string `json:"name"` // the full name
	Snapshots   []Mark `json:"snapshots"`
	Bookmarks   []Mark `json:"bookmarks"`
	ResumeToken string `json:"resume_token,omitempty"` // "" when none
	// Replica is PropReplica set locally ("" when not set): a dataset a receiver made.
	Replica string `json:"replica,omitempty"`
}

// Tree lists root and every dataset below it, sorted by name, each with its
// snapshots and bookmarks (oldest first, every one: the caller filters), its resume
// token and its PropReplica mark. Two zfs commands, whatever the number of datasets.
func (m *Manager) Tree(ctx context.Context, root string) ([]TreeDataset, error) {
	if err := CheckDatasetName(root); err != nil {
		return nil, err
	}
	rows, err := lines(ctx, m.ZFS, "datasets under "+root, "list", "-H", "-p", "-r", "-t", "filesystem,volume,snapshot,bookmark",
		"-o", "name,type,guid,createtxg,receive_resume_token", "-s", "createtxg", root)
	if err != nil {
		return nil, err
	}
	byName := map[string]*TreeDataset{}
	var order []string
	get := func(name string) *TreeDataset {
		d := byName[name]
		if d == nil {
			d = &TreeDataset{Name: name, Snapshots: []Mark{}, Bookmarks: []Mark{}}
			byName[name] = d
			order = append(order, name)
		}
		return d
	}
	for _, r := range rows {
		if len(r) != 5 {
			return nil, fmt.Errorf("datasets under %s: unexpected zfs list line %q", root, strings.Join(r, "\t"))
		}
		mark := func(sep string) (*TreeDataset, Mark) {
			ds, name, _ := strings.Cut(r[0], sep)
			return get(ds), Mark{Name: name, GUID: r[2], CreateTXG: num(r[3])}
		}
		switch r[1] {
		case "snapshot":
			d, mk := mark("@")
			d.Snapshots = append(d.Snapshots, mk)
		case "bookmark":
			d, mk := mark("#")
			d.Bookmarks = append(d.Bookmarks, mk)
		default:
			d := get(r[0])
			if r[4] != "-" {
				d.ResumeToken = r[4]
			}
		}
	}
	rows, err = lines(ctx, m.ZFS, PropReplica+" under "+root, "get", "-H", "-r", "-s", "local", "-t", "filesystem,volume", "-o", "name,value", PropReplica, root)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if d := byName[r[0]]; d != nil && len(r) == 2 {
			d.Replica = r[1]
		}
	}
	sort.Strings(order)
	out := make([]TreeDataset, 0, len(order))
	for _, n := range order {
		out = append(out, *byName[n])
	}
	return out, nil
}

// ReplicaMark returns PropReplica as set locally on dataset: "" when it is not (a
// dataset no receiver of kvmbackup made); an error wrapping ErrNotFound when the
// dataset does not exist.
func (m *Manager) ReplicaMark(ctx context.Context, dataset string) (string, error) {
	if err := CheckDatasetName(dataset); err != nil {
		return "", err
	}
	rows, err := lines(ctx, m.ZFS, "dataset "+dataset, "get", "-H", "-s", "local", "-o", "value", PropReplica, dataset)
	if err != nil || len(rows) == 0 {
		return "", err
	}
	return rows[0][0], nil
}

// EnsureReplicaParent makes the parent a receiver needs below its root for the
// datasets of paths: entries (ROOT/_paths), marked PropReplica=mark, not mounted
// (canmount=off); its own parent must exist. One that exists is left as it is, and
// an error wrapping ErrForeign when it does not carry that mark.
func (m *Manager) EnsureReplicaParent(ctx context.Context, dataset, mark string) error {
	have, err := m.ReplicaMark(ctx, dataset)
	switch {
	case err == nil && have == mark:
		return nil
	case err == nil:
		return fmt.Errorf("dataset %s: %w: it exists without %s=%s (set locally); left alone", dataset, ErrForeign, PropReplica, mark)
	case !IsNotFound(err):
		return err
	}
	args := []string{"create", "-o", "canmount=off", "-o", PropReplica + "=" + mark}
	for _, h := range Hardening {
		args = append(args, "-o", h)
	}
	if _, err := m.ZFS.Run(ctx, append(args, dataset)...); err != nil {
		return zfsErr("create "+dataset, err)
	}
	return nil
}
