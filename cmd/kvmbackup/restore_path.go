package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/orchestrator"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// runRestorePath is `restore --path NAME`: a paths: entry's tree from one dated
// backup into --to DIR (o.only: only what those globs match).
func runRestorePath(ctx context.Context, g *globalOptions, o *restoreOptions, out io.Writer) error {
	name := o.path
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if err := checkNameFlags("--path", []string{name}); err != nil {
		return err
	}
	lock, err := orchestrator.Lock(o.lockPath)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	res, err := orchestrator.RestorePath(ctx, orchestrator.PathRestoreDeps{Target: zfs.New(), Trees: orchestrator.TransferTrees{}},
		orchestrator.PathRestoreOptions{Root: cfg.Target.Dataset, Name: name, At: o.at, To: o.to, Only: o.only, DryRun: o.dryRun,
			RunID: "restore-" + time.Now().UTC().Format("20060102T150405Z"), Now: time.Now(), Location: locationFrom(ctx)})
	if res == nil {
		return err // nothing written
	}
	if g.json {
		if jerr := json.NewEncoder(out).Encode(res); jerr != nil {
			return jerr
		}
	} else if res.DryRun {
		fmt.Fprintf(out, "would restore path %s from %s to %s (dry run, nothing written)\n", name, res.Snapshot, res.To)
	} else {
		fmt.Fprintf(out, "restored path %s from %s to %s: %d files, wrote %s in %s\n", name, res.Snapshot, res.To,
			res.Tree.Files, config.FormatBytes(res.Written), res.Duration.Round(time.Millisecond))
	}
	if err != nil {
		return failure{err}
	}
	return nil
}
