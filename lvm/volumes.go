package lvm

import (
	"context"
	"fmt"
)

// Volumes is every LV as one lvs read them (Manager.Volumes): it answers
// ResolveDevice, ResolveFile and LV with the same code, results and errors as the
// Manager's methods, but from that read, running no command. What changes in LVM
// after the read is not seen. Safe for concurrent use.
type Volumes struct {
	lvs []LV
}

// Volumes reads every LV (every VG's visible LVs, as lvs lists them) with one lvs
// command. Nothing is changed.
func (m *Manager) Volumes(ctx context.Context) (*Volumes, error) {
	lvs, err := m.lvs(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the logical volumes: %w", err)
	}
	return &Volumes{lvs: lvs}, nil
}

// ResolveDevice is Manager.ResolveDevice answered from the read.
func (v *Volumes) ResolveDevice(ctx context.Context, path string) (LV, error) {
	return resolveDevice(ctx, v, path)
}

// ResolveFile is Manager.ResolveFile answered from the read.
func (v *Volumes) ResolveFile(ctx context.Context, path string) (FileOnLV, error) {
	return resolveFile(ctx, v, path)
}

// LV is Manager.LV answered from the read.
func (v *Volumes) LV(ctx context.Context, vg, name string) (LV, error) {
	return lvNamed(ctx, v, vg, name)
}

func (v *Volumes) find(_ context.Context, q query) ([]LV, error) {
	var out []LV
	for _, l := range v.lvs {
		if q.matches(l) {
			out = append(out, l)
		}
	}
	return out, nil
}
