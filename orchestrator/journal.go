package orchestrator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
)

// Op is one kind of side effect a run records before it makes it, and the op that
// undoes it records after undoing.
type Op string

const (
	OpRunStart Op = "run-start"
	OpRunEnd   Op = "run-end"
	OpFreeze   Op = "freeze"        // a VM is about to be paused/frozen; undone by OpThaw
	OpThaw     Op = "thaw"          //
	OpSnapshot Op = "lvm-snapshot"  // an LVM snapshot is about to be taken; undone by OpRemove
	OpRemove   Op = "lvm-remove"    //
	OpMount    Op = "mount"         // a read-only mount; undone by OpUnmount
	OpUnmount  Op = "umount"        //
	OpDirty    Op = "dataset-dirty" // a dataset is about to be written; undone by OpCommit or OpRollback
	OpCommit   Op = "dataset-commit"
	OpRollback Op = "dataset-rollback"
	// A thin pool's metadata snapshot (VG/POOL) is about to be reserved for
	// thin_delta; undone by OpReleaseMeta.
	OpReserveMeta Op = "thin-metadata-reserve"
	// A verify's loop device on a clone's image (key: the device, "" just before
	// it is attached; detail: the image); undone by OpLoopDetach.
	OpLoop       Op = "loop-attach"
	OpLoopDetach Op = "loop-detach"
	// A verify's throwaway domain (key: its name; detail: the snapshot booted);
	// undone by OpBootEnd.
	OpBoot        Op = "verify-boot"
	OpBootEnd     Op = "verify-boot-end"
	OpReleaseMeta Op = "thin-metadata-release"
)

// undoneBy maps each side effect to the ops that end it.
var undoneBy = map[Op][]Op{
	OpFreeze:      {OpThaw},
	OpSnapshot:    {OpRemove},
	OpMount:       {OpUnmount},
	OpDirty:       {OpCommit, OpRollback},
	OpReserveMeta: {OpReleaseMeta},
	OpLoop:        {OpLoopDetach},
	OpBoot:        {OpBootEnd},
}

// Entry is one line of a journal: JSON, fsync'd before the side effect it names.
type Entry struct {
	Time time.Time `json:"time"`
	Op   Op        `json:"op"`
	// Key names the object: a VM name, VG/LV, a mount point, a dataset.
	Key string `json:"key"`
	// Detail is anything needed to undo it (e.g. the origin of a snapshot).
	Detail string `json:"detail,omitempty"`
}

// Journal is the append-only record of one run, DIR/<run id>.journal. Every Record
// is written and fsync'd before the caller makes the side effect, so after a crash
// (SIGKILL, power loss) the next run knows what to undo. A run that ends cleanly
// records OpRunEnd and its journal is removed.
type Journal struct {
	RunID string
	path  string
	f     *os.File
	// mu orders Record (a run's volumes are snapshotted, mounted and removed from
	// several goroutines) and guards open.
	mu   sync.Mutex
	open ledger // what this run recorded and has not recorded undoing
}

var journalRunRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,40}$`)

// OpenJournal creates the journal of run runID in dir (created if missing) and
// records OpRunStart.
func OpenJournal(dir, runID string) (*Journal, error) {
	if !journalRunRe.MatchString(runID) {
		return nil, fmt.Errorf("journal: bad run id %q", runID)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, runID+".journal")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	j := &Journal{RunID: runID, path: path, f: f}
	if err := j.Record(OpRunStart, runID, ""); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// Record appends one entry and fsyncs it; only then may the side effect happen.
func (j *Journal) Record(op Op, key, detail string) error {
	b, err := json.Marshal(Entry{Time: time.Now().UTC(), Op: op, Key: key, Detail: detail})
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: fsync: %w", j.path, err)
	}
	j.open.add(Entry{Op: op, Key: key, Detail: detail})
	return nil
}

// Pending is what this run recorded doing and has not recorded undoing (a VM it
// could not resume, a snapshot it could not remove, a dataset neither committed nor
// rolled back), oldest first: while anything is, the journal must stay (Close, not
// Finish). It is the only record the next run reads to know there is something to
// recover: a run finds no journal and sweeps no VM nor LVM volume.
func (j *Journal) Pending() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.open.pending()
}

// Finish records OpRunEnd and removes the journal: nothing of this run is left to
// undo. A run that could not undo everything must not call it (its journal stays for
// recovery); Close then only closes the file.
func (j *Journal) Finish() error {
	if err := j.Record(OpRunEnd, j.RunID, ""); err != nil {
		return err
	}
	if err := j.f.Close(); err != nil {
		return err
	}
	if err := os.Remove(j.path); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return syncDir(filepath.Dir(j.path))
}

// Close closes the journal file and leaves it for recovery.
func (j *Journal) Close() error { return j.f.Close() }

func syncDir(dir string) error {
	if err := atomicfile.SyncDir(dir); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// Leftover is a run that did not finish: the side effects it recorded and did not
// record undoing, oldest first.
type Leftover struct {
	RunID   string  `json:"run"`
	Path    string  `json:"path"`
	Pending []Entry `json:"pending"`
	// Torn: the last line was cut short by the crash (ignored: its side effect
	// cannot have happened, as it happens only after the line is fsync'd).
	Torn bool `json:"torn,omitempty"`
}

// Leftovers reads every journal in dir: the runs that crashed, with what each left.
func Leftovers(dir string) ([]Leftover, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.journal"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []Leftover
	for _, p := range paths {
		l, err := readJournal(p)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func readJournal(path string) (Leftover, error) {
	l := Leftover{RunID: strings.TrimSuffix(filepath.Base(path), ".journal"), Path: path}
	data, err := os.ReadFile(path)
	if err != nil {
		return l, fmt.Errorf("journal: %w", err)
	}
	var effects ledger
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			if !bytes.HasSuffix(data, []byte("\n")) && line == bytes.Count(data, []byte("\n"))+1 {
				l.Torn = true
				break
			}
			return l, fmt.Errorf("journal %s line %d: %v", path, line, err)
		}
		effects.add(e)
	}
	l.Pending = effects.pending()
	return l, sc.Err()
}

// ledger matches a journal's side effects with their undoing, in order.
type ledger struct {
	effects []*openEffect
}

type openEffect struct {
	e    Entry
	done bool
}

// add takes the next entry: a side effect is opened; an undo closes the latest open
// effect of the same kind and key; anything else (run start and end) is ignored.
func (g *ledger) add(e Entry) {
	if _, ok := undoneBy[e.Op]; ok {
		g.effects = append(g.effects, &openEffect{e: e})
		return
	}
	for i := len(g.effects) - 1; i >= 0; i-- {
		o := g.effects[i]
		if !o.done && o.e.Key == e.Key && undoes(e.Op, o.e.Op) {
			o.done = true
			return
		}
	}
}

// pending are the effects not undone, oldest first.
func (g *ledger) pending() []Entry {
	var out []Entry
	for _, o := range g.effects {
		if !o.done {
			out = append(out, o.e)
		}
	}
	return out
}

func undoes(undo, effect Op) bool {
	for _, u := range undoneBy[effect] {
		if u == undo {
			return true
		}
	}
	return false
}

// Remove deletes a crashed run's journal once everything it left is undone.
func (l Leftover) Remove() error {
	if err := os.Remove(l.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("journal: %w", err)
	}
	return syncDir(filepath.Dir(l.Path))
}
