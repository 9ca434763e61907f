package runner

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Counter counts the commands run with a context that carries it (WithCounter),
// and their total time: what a run's bookkeeping costs, step by step. Safe for
// concurrent use.
type Counter struct {
	mu    sync.Mutex
	n     int
	total time.Duration
	byCmd map[string]int
}

type counterKey struct{}

// WithCounter returns ctx carrying a new Counter, and the Counter.
func WithCounter(ctx context.Context) (context.Context, *Counter) {
	c := &Counter{byCmd: map[string]int{}}
	return context.WithValue(ctx, counterKey{}, c), c
}

// Counted is what a Counter has seen so far.
type Counted struct {
	Commands int           `json:"commands"`
	Time     time.Duration `json:"command_ns"`
}

// Read returns the count and total time so far.
func (c *Counter) Read() Counted {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Counted{c.n, c.total}
}

// ByCommand returns how many times each program ran, by its name and first argument
// ("zfs list", "lvs"), so far.
func (c *Counter) ByCommand() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.byCmd))
	for k, v := range c.byCmd {
		out[k] = v
	}
	return out
}

// Since is what was counted between an earlier Read and this one.
func (c Counted) Since(before Counted) Counted {
	return Counted{c.Commands - before.Commands, c.Time - before.Time}
}

func count(ctx context.Context, path string, args []string, d time.Duration) {
	c, _ := ctx.Value(counterKey{}).(*Counter)
	if c == nil {
		return
	}
	name := path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		name = path[i+1:]
	}
	if len(args) > 0 && (name == "zfs" || name == "zpool" || name == "lvm" || name == "dmsetup" || name == "losetup") {
		name += " " + args[0]
	}
	c.mu.Lock()
	c.n++
	c.total += d
	c.byCmd[name]++
	c.mu.Unlock()
}
