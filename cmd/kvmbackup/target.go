package main

import (
	"context"

	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// targetKey is the context key of the ZFS target that prune and shell completion use
// instead of zfs.New(): tests give a fake one.
type targetKey struct{}

// withTarget returns ctx carrying t as the target prune and completion use.
func withTarget(ctx context.Context, t orchestrator.PruneTarget) context.Context {
	return context.WithValue(ctx, targetKey{}, t)
}

// targetFrom is the target ctx carries, else the real one (zfs.New()).
func targetFrom(ctx context.Context) orchestrator.PruneTarget {
	if t, ok := ctx.Value(targetKey{}).(orchestrator.PruneTarget); ok && t != nil {
		return t
	}
	return zfs.New()
}
