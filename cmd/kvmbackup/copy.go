package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/kvmbackup/kvmbackup/internal/config"
	"github.com/kvmbackup/kvmbackup/lvm"
	"github.com/kvmbackup/kvmbackup/transfer"
)

type copyOptions struct {
	chunk    string
	streams  int
	manifest string
	verify   bool
	progress string
	since    string
}

func newCopyCommand(g *globalOptions) *cobra.Command {
	o := &copyOptions{}
	cmd := &cobra.Command{
		Use:   "copy SRC DST | copy --verify --manifest FILE DST",
		Short: "Copy an image or device the kvmbackup way: changed blocks only, in place",
		Long: `Copy makes DST byte-identical to SRC (a file or a block device), writing only the
blocks that differ, in place, and fsyncs it. DST is created when missing (holes
stay holes), grows or shrinks to SRC's size when it is a file, and must be at least
as big as SRC when it is a block device.

SRC and DST are read side by side, each in order. With --manifest FILE (the block
hashes of DST as last written, kept beside it), DST is not read at all: only SRC is
read and hashed. A manifest is used only when DST is provably the file it describes
(same inode, size and times, and a spot check of its blocks), never for a block
device (its times do not change when it is written); otherwise the copy compares
with DST and says why. The manifest is rewritten atomically afterwards.

--verify --manifest FILE DST reads DST and checks every block against the manifest.

--since VG/LV (with --manifest): changed-block tracking, as a run does for a thin LV.
SRC is a thin snapshot (/dev/VG/NAME) and VG/LV an older thin snapshot of the same
LV, the one DST was copied from: the pool's metadata (thin_delta) names what changed
between them, and only that is read.

EXIT STATUS
  0  DST equals SRC (verify: DST matches its manifest)
  1  verify: DST differs from its manifest
  2  bad input (missing SRC, DST a directory, SRC = DST, a device smaller than SRC)
     or a failed copy (read or write error, no space: the error says how much was written)`,
		Example: `  kvmbackup copy /dev/vg0/web1 /backup/vms/web1/vda.raw
  kvmbackup copy --manifest /backup/vms/web1/.manifest/vda /dev/vg0/web1 /backup/vms/web1/vda.raw
  kvmbackup copy --json --progress=never disk.raw copy.raw
  kvmbackup copy --verify --manifest /backup/vms/web1/.manifest/vda /backup/vms/web1/vda.raw
  kvmbackup copy --since vg0/web1.kvmbackup-base --manifest vda.manifest /dev/vg0/web1-new vda.raw`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.verify {
				if len(args) != 1 || o.manifest == "" {
					return errors.New("copy --verify takes --manifest FILE and exactly one argument, DST")
				}
				return runVerify(cmd.Context(), g, o, args[0], cmd.OutOrStdout())
			}
			if len(args) != 2 {
				return fmt.Errorf("copy takes exactly two arguments, SRC and DST (got %d)", len(args))
			}
			if err := checkProgressMode(o.progress); err != nil {
				return err
			}
			return runCopy(cmd.Context(), g, o, args[0], args[1], cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&o.manifest, "manifest", "", "DST's manifest file (block hashes): read DST only when it cannot be trusted")
	cmd.Flags().BoolVar(&o.verify, "verify", false, "check DST against --manifest instead of copying")
	cmd.Flags().StringVar(&o.since, "since", "", "VG/LV: the older thin snapshot DST was copied from: read only what changed since (thin LVs)")
	cmd.Flags().StringVar(&o.progress, "progress", "auto", "progress bar: auto (on a terminal), always or never")
	cmd.Flags().StringVar(&o.chunk, "chunk-size", "", "size of each sequential read, a multiple of 16K (tuning; default 1M)")
	cmd.Flags().IntVar(&o.streams, "streams", 0, "parts of the image copied side by side, each in order (tuning; default: 2 reads in flight)")
	return cmd
}

func runCopy(ctx context.Context, g *globalOptions, o *copyOptions, src, dst string, out io.Writer) (err error) {
	opts := transfer.Options{Manifest: o.manifest, Streams: o.streams}
	if o.chunk != "" {
		sz, err := config.ParseSize(o.chunk)
		if err != nil || sz.Percent != 0 || sz.Bytes <= 0 || sz.Bytes > 256<<20 {
			return fmt.Errorf("--chunk-size: %q is not a size up to 256M", o.chunk)
		}
		opts.ChunkSize = int(sz.Bytes)
	}
	if o.since != "" {
		if opts.Changed, err = thinChanges(ctx, o.since, src, o.manifest); err != nil {
			return err
		}
		opts.Tracked = true
	}
	opts.Progress = progress(ctx, o.progress, fmt.Sprintf("%s → %s", src, dst))
	st, err := transfer.Copy(ctx, src, dst, opts)
	if err != nil {
		return err
	}
	if g.json {
		return json.NewEncoder(out).Encode(st)
	}
	rate := "-"
	if s := st.Duration.Seconds(); s > 0 {
		rate = config.FormatBytes(int64(float64(st.Size)/s)) + "/s"
	}
	fmt.Fprintf(out, "%s → %s: %s mode, %s in %.2fs (%s)\n", src, dst, st.Mode, config.FormatBytes(st.Size), st.Duration.Seconds(), rate)
	if st.Note != "" {
		fmt.Fprintf(out, "  note: %s\n", st.Note)
	}
	fmt.Fprintf(out, "  read: source %s, destination %s; compared %s; holes skipped %s\n",
		config.FormatBytes(st.SrcRead), config.FormatBytes(st.DstRead), config.FormatBytes(st.Compared), config.FormatBytes(st.Holes))
	fmt.Fprintf(out, "  written %s, punched %s\n", config.FormatBytes(st.Written), config.FormatBytes(st.Punched))
	if st.Mode == "cbt" {
		fmt.Fprintf(out, "  changed since %s: %s\n", o.since, config.FormatBytes(st.Changed))
	}
	return nil
}

// thinChanges asks the pool's metadata what changed between the thin snapshot since
// (VG/LV) and the thin snapshot src (a device path).
func thinChanges(ctx context.Context, since, src, manifest string) ([]transfer.Range, error) {
	if manifest == "" {
		return nil, errors.New("--since needs --manifest: only a manifest proves DST is what was copied from the older snapshot")
	}
	vg, name, ok := strings.Cut(since, "/")
	if !ok {
		return nil, fmt.Errorf("--since %q: want VG/LV", since)
	}
	m := lvm.New()
	base, err := m.LV(ctx, vg, name)
	if err != nil {
		return nil, fmt.Errorf("--since: %w", err)
	}
	snap, err := m.ResolveDevice(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("--since: SRC %s: %w", src, err)
	}
	if base.Origin == "" || base.Origin != snap.Origin {
		return nil, fmt.Errorf("--since: %s and %s are not thin snapshots of one LV (origins %q, %q)", base.FullName(), snap.FullName(), base.Origin, snap.Origin)
	}
	d, err := m.ThinDelta(ctx, base, snap)
	if err != nil {
		return nil, err
	}
	var out []transfer.Range
	for _, r := range d.Ranges() {
		out = append(out, transfer.Range{Off: r.Off, Len: r.Len})
	}
	return out, nil
}

func runVerify(ctx context.Context, g *globalOptions, o *copyOptions, dst string, out io.Writer) error {
	res, err := transfer.Verify(ctx, dst, o.manifest)
	if g.json {
		if jerr := json.NewEncoder(out).Encode(res); jerr != nil {
			return jerr
		}
	} else if res.Blocks > 0 {
		fmt.Fprintf(out, "%s: %d blocks checked against %s, %d differ (%.2fs)\n", dst, res.Blocks, o.manifest, res.Mismatched, res.Duration.Seconds())
		if res.IdentityChanged {
			fmt.Fprintln(out, "  note: its inode, size or times changed since the manifest was written")
		}
	}
	if err != nil && res.Mismatched > 0 {
		return failure{err}
	}
	return err
}

// checkProgressMode checks a --progress flag's value.
func checkProgressMode(mode string) error {
	switch mode {
	case "auto", "always", "never":
		return nil
	}
	return fmt.Errorf("--progress: %q is not one of auto, always, never", mode)
}

// progress returns a callback that shows a bar on a terminal (or always), or logs a
// line every 10 seconds otherwise; nil for --progress=never.
func progress(ctx context.Context, mode, what string) func(done, total int64) {
	p := newProgress(ctx, mode)
	if p == nil {
		return nil
	}
	return func(done, total int64) {
		p.update(what, done, total)
		if done == total {
			p.finish()
		}
	}
}

// progressSink is where long copies report: a progress bar on a terminal (or with
// --progress=always), else a log line every 10 seconds.
type progressSink struct {
	tty  bool
	bar  *progressbar.ProgressBar
	what string
	max  int64
	log  *zerolog.Logger
	last time.Time
}

// newProgress returns the sink for a --progress mode; nil for never.
func newProgress(ctx context.Context, mode string) *progressSink {
	if mode == "never" {
		return nil
	}
	return &progressSink{tty: mode == "always" || isatty.IsTerminal(os.Stderr.Fd()), log: zerolog.Ctx(ctx), last: time.Now()}
}

// update reports done of total bytes of what (the total and what may change).
func (p *progressSink) update(what string, done, total int64) {
	if !p.tty {
		if time.Since(p.last) >= 10*time.Second {
			p.last = time.Now()
			p.log.Info().Str("copy", what).Int64("done", done).Int64("total", total).Msg("copying")
		}
		return
	}
	if p.bar == nil {
		p.bar, p.what, p.max = newBar(total, what), what, total
	}
	if total != p.max {
		p.bar.ChangeMax64(total)
		p.max = total
	}
	if what != p.what {
		p.bar.Describe(what)
		p.what = what
	}
	p.bar.Set64(done)
}

// newBar is progressbar.DefaultBytes in IEC units (MiB, GiB), as every size
// kvmbackup shows (config.FormatBytes); DefaultBytes shows SI units (MB).
func newBar(total int64, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetWidth(10),
		progressbar.OptionThrottle(65*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionOnCompletion(func() { fmt.Fprint(os.Stderr, "\n") }),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

func (p *progressSink) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
