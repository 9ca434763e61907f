// Package mounts owns what lvm and zfs share about mounts: the options and the
// allow-list of every mount kvmbackup makes (options.go), reading
// /proc/self/mountinfo, finding the mount that holds a path, and unmounting kvmbackup's
// own read-only mounts (retrying while busy, deepest first, mount points removed).
package mounts

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/runner"
)

// Entry is one line of /proc/self/mountinfo.
type Entry struct {
	// Root is the directory of the filesystem mounted at Point ("/" for a whole
	// filesystem, the directory for a bind mount of one).
	Point, Root, FSType, Source string
	ID                          int // the mount's ID (a new mount, a new ID; one freed may be reused)
	Major, Minor                uint32
	Options                     string // the mount's own options, e.g. "ro,nosuid,nodev,noexec,relatime"
}

// Read parses /proc/self/mountinfo, in mount order.
func Read() ([]Entry, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		f1, f2 := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f1) < 6 || len(f2) < 2 {
			continue
		}
		maj, min, _ := strings.Cut(f1[2], ":")
		ma, _ := strconv.ParseUint(maj, 10, 32)
		mi, _ := strconv.ParseUint(min, 10, 32)
		id, _ := strconv.Atoi(f1[0])
		out = append(out, Entry{Point: unescape(f1[4]), Root: unescape(f1[3]), FSType: f2[0], Source: unescape(f2[1]), ID: id, Major: uint32(ma), Minor: uint32(mi), Options: f1[5]})
	}
	return out, sc.Err()
}

// Of returns the mount that holds path (the longest mount point above it).
func Of(path string) (Entry, error) {
	all, err := Read()
	if err != nil {
		return Entry{}, err
	}
	var best Entry
	for _, e := range all {
		if IsUnder(path, e.Point) && len(e.Point) >= len(best.Point) {
			best = e // later entries mount over earlier ones
		}
	}
	if best.Point == "" {
		return best, fmt.Errorf("no mount holds %s", path)
	}
	return best, nil
}

// IsMounted reports whether dir is a mount point.
func IsMounted(dir string) (bool, error) {
	all, err := Read()
	if err != nil {
		return false, err
	}
	for _, e := range all {
		if e.Point == dir {
			return true, nil
		}
	}
	return false, nil
}

// unescape undoes mountinfo's octal escapes (\040 for a space, …).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// IsUnder reports whether path is dir or below it.
func IsUnder(path, dir string) bool {
	return dir == "/" || path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/")
}

// Retries and RetryDelay bound how long a busy mount is retried.
var (
	Retries    = 10
	RetryDelay = 300 * time.Millisecond
)

// Unmount unmounts dir with umount (retrying while it is busy) and removes the
// directory. A dir that is not mounted is only removed.
func Unmount(ctx context.Context, umount runner.Tool, dir string) error {
	var err error
	for i := 0; i < Retries; i++ {
		_, err = umount.Run(ctx, dir)
		if err == nil || strings.Contains(err.Error(), "not mounted") {
			err = nil
			break
		}
		if !strings.Contains(err.Error(), "busy") {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("unmount %s: %w (last: %v)", dir, ctx.Err(), err)
		case <-time.After(RetryDelay):
		}
	}
	if err != nil {
		return fmt.Errorf("unmount %s: %w", dir, err)
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("unmount %s: remove the mount point: %w", dir, err)
	}
	return nil
}

// UnmountUnder unmounts every mount strictly below root, deepest first, and returns
// the mount points it unmounted; errors are joined, the others still unmounted.
func UnmountUnder(ctx context.Context, umount runner.Tool, root string) ([]string, error) {
	all, err := Read()
	if err != nil {
		return nil, err
	}
	var done []string
	var errs []error
	for i := len(all) - 1; i >= 0; i-- {
		if p := all[i].Point; p != root && IsUnder(p, root) {
			if err := Unmount(ctx, umount, p); err != nil {
				errs = append(errs, err)
				continue
			}
			done = append(done, p)
		}
	}
	return done, errors.Join(errs...)
}
