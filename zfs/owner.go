package zfs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Ownership properties (PropVM, PropPath; see layout.go): each dataset kvmbackup
// creates under the target carries one, set locally, naming what it holds. A dataset
// without one is not kvmbackup's (see the orchestrator's adoption rule for datasets
// made before this property existed).

// ErrForeign: a dataset kvmbackup did not make (or that another owner's property
// claims); it is never written, rolled back or pruned.
var ErrForeign = errors.New("not a kvmbackup dataset")

// Owner is what a dataset of kvmbackup's holds: Prop (PropVM or PropPath) = Name.
// The zero Owner is no owner.
type Owner struct {
	Prop string `json:"prop"`
	Name string `json:"name"`
}

// VMOwner and PathOwner are the owners of a VM's and of a paths: entry's dataset.
func VMOwner(vm string) Owner     { return Owner{PropVM, vm} }
func PathOwner(name string) Owner { return Owner{PropPath, name} }

// IsZero reports whether o is no owner.
func (o Owner) IsZero() bool { return o == Owner{} }

func (o Owner) String() string {
	if o.IsZero() {
		return "no kvmbackup:vm or kvmbackup:path property"
	}
	return o.Prop + "=" + o.Name
}

// Hardening are the properties every dataset kvmbackup creates gets, and Claim sets
// on the ones it keeps: nothing a guest wrote into an image or a tree is run,
// honoured as setuid, or opened as a device node from the backup; and reading a
// backup writes nothing to it (atime=off): a copy read (by the night's block
// compare, an admin, a verify) is still unwritten since its snapshot, which a tree's
// next night trusts it by, and its next snapshot holds no access times.
var Hardening = []string{"setuid=off", "devices=off", "exec=off", "atime=off"}

var ownerProps = []string{PropVM, PropPath}

// hardening is Hardening as property → value.
func hardening() map[string]string {
	p := make(map[string]string, len(Hardening))
	for _, h := range Hardening {
		k, v, _ := strings.Cut(h, "=")
		p[k] = v
	}
	return p
}

// Owner returns the ownership property set locally on dataset: the zero Owner when
// it has none (an inherited value does not count); an error wrapping ErrNotFound
// when the dataset does not exist, wrapping ErrForeign when it carries both.
func (m *Manager) Owner(ctx context.Context, dataset string) (Owner, error) {
	if err := CheckDatasetName(dataset); err != nil {
		return Owner{}, err
	}
	rows, err := lines(ctx, m.ZFS, "dataset "+dataset, "get", "-H", "-p", "-s", "local", "-o", "property,value", strings.Join(ownerProps, ","), dataset)
	if err != nil {
		return Owner{}, err
	}
	var found []Owner
	for _, r := range rows {
		if len(r) == 2 && slices.Contains(ownerProps, r[0]) {
			found = append(found, Owner{r[0], r[1]})
		}
	}
	return oneOwner(dataset, found)
}

// oneOwner is the owner of dataset from the ownership properties it carries: none
// is the zero Owner, both ErrForeign.
func oneOwner(dataset string, found []Owner) (Owner, error) {
	switch len(found) {
	case 0:
		return Owner{}, nil
	case 1:
		return found[0], nil
	}
	return Owner{}, fmt.Errorf("dataset %s: %w: it carries both %s and %s", dataset, ErrForeign, found[0], found[1])
}

// Claim makes dataset carry owner's property and Hardening, changing only what
// differs (idempotent: one zfs get, at most one zfs set). It refuses, with an error
// wrapping ErrForeign, a dataset whose ownership property names another owner. The
// caller decides that dataset is kvmbackup's (the orchestrator's adoption rule).
func (m *Manager) Claim(ctx context.Context, dataset string, owner Owner) error {
	if err := CheckDatasetName(dataset); err != nil {
		return err
	}
	if !slices.Contains(ownerProps, owner.Prop) || CheckComponent(owner.Name) != nil {
		return fmt.Errorf("claim %s: bad owner %q", dataset, owner)
	}
	props := append(slices.Clone(ownerProps), slices.Sorted(maps.Keys(hardening()))...)
	rows, err := lines(ctx, m.ZFS, "dataset "+dataset, "get", "-H", "-p", "-o", "property,value,source", strings.Join(props, ","), dataset)
	if err != nil {
		return err
	}
	have := map[string][2]string{}
	for _, r := range rows {
		if len(r) == 3 {
			have[r[0]] = [2]string{r[1], r[2]}
		}
	}
	var set []string
	for _, p := range ownerProps {
		v := have[p]
		switch {
		case v[1] != "local":
		case p == owner.Prop && v[0] == owner.Name:
			continue
		default:
			return fmt.Errorf("claim %s for %s: %w: it carries %s=%s", dataset, owner, ErrForeign, p, v[0])
		}
		if p == owner.Prop {
			set = append(set, owner.Prop+"="+owner.Name)
		}
	}
	for _, h := range Hardening {
		k, want, _ := strings.Cut(h, "=")
		if have[k][0] != want {
			set = append(set, h)
		}
	}
	if len(set) == 0 {
		return nil
	}
	if _, err := m.ZFS.Run(ctx, append(append([]string{"set"}, set...), dataset)...); err != nil {
		return zfsErr("set "+strings.Join(set, " ")+" on "+dataset, err)
	}
	return nil
}
