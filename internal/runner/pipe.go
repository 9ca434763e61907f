package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// Pipe runs produce and consume at once, what produce writes feeding consume through
// an OS pipe (e.g. `zfs send` into `zfs receive`, or into ssh), and returns the
// bytes that went through. Each side is expected to run its command through a Tool,
// so each child is in its own process group. When produce returns, the pipe is
// closed: the consumer sees the end of the stream (a cut one, when produce failed,
// which it must notice itself, as zfs receive does). When consume fails, produce is
// cancelled (its process group killed). A cancelled ctx kills both. Both sides' errors are kept (each names its command and carries its stderr):
// the error is nil only when both succeeded. The count is what produce wrote, whether
// or not consume read all of it.
func Pipe(ctx context.Context, produce func(ctx context.Context, w io.Writer) error, consume func(ctx context.Context, r io.Reader) error) (int64, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("pipe: %w", err)
	}
	pctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cw := &countingWriter{w: pw}
	var perr, cerr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		perr = produce(pctx, cw)
		pw.Close() // EOF for the consumer
	}()
	go func() {
		defer wg.Done()
		cerr = consume(pctx, pr)
		pr.Close() // a producer still writing gets EPIPE
		if cerr != nil {
			cancel(errors.New("the consuming side failed"))
		}
	}()
	wg.Wait()
	// The side that failed first comes first; the other's error (often only "context
	// canceled", since it was killed for it) follows.
	switch {
	case cerr != nil && perr != nil && errors.Is(perr, context.Canceled) && ctx.Err() == nil:
		return cw.n.Load(), errors.Join(cerr, perr)
	default:
		return cw.n.Load(), errors.Join(perr, cerr)
	}
}

type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}
