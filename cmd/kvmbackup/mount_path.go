package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/kvmbackup/kvmbackup/orchestrator"
)

// runMountPath is `mount --path NAME --at WHEN DIR`: a paths: entry's tree shown
// read-only at DIR/NAME.
func runMountPath(ctx context.Context, g *globalOptions, o *mountOptions, dir string, out io.Writer) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if err := checkNameFlags("--path", []string{o.path}); err != nil {
		return err
	}
	m, err := orchestrator.MountPath(ctx, mountDeps(), orchestrator.PathMountOptions{Root: cfg.Target.Dataset, Name: o.path,
		At: o.at, Dir: dir, StateDir: o.stateDir, Now: time.Now(), Location: locationFrom(ctx)})
	if err != nil {
		return err
	}
	if g.json {
		return json.NewEncoder(out).Encode(m)
	}
	fmt.Fprintf(out, "%s, read-only:\n  %s\nkvmbackup umount %s undoes it\n", m.Snapshot, m.Mounts[0].Dir, m.Dir)
	return nil
}
