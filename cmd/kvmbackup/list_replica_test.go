package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kvmbackup/kvmbackup/replica"
	"github.com/kvmbackup/kvmbackup/zfs"
)

// fakeTree is the local target's snapshots with their GUIDs.
type fakeTree struct {
	ds  []zfs.TreeDataset
	err error
}

func (f fakeTree) Tree(context.Context, string) ([]zfs.TreeDataset, error) { return f.ds, f.err }

// listingCaller is a receiver that answers list with l (and refuses anything else).
func listingCaller(t *testing.T, l replica.Listing, requests *[]string) replica.Caller {
	return func(_ context.Context, request string, _ io.Reader, stdout io.Writer) error {
		*requests = append(*requests, request)
		if request != replica.VerbList {
			return errors.New("only list expected")
		}
		return json.NewEncoder(stdout).Encode(l)
	}
}

const listReplicaConfig = "target:\n  dataset: tank/vms\nreplication:\n  - {name: usb, to: zfs://usb/replica}\n  - {name: offsite, to: zfs://b2/replica}\n"

func runListReplicaCLI(t *testing.T, ctx context.Context, args ...string) (string, error, int) {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"list", "--config", writeConfig(t, listReplicaConfig)}, args...))
	err := root.ExecuteContext(ctx)
	return out.String(), err, exitCode(err)
}

// TestListReplica: what the receiver holds, per dataset oldest first, HERE by GUID
// (a snapshot pruned here is "-"), a pending resume token said, --vm narrowing it,
// --json; only list is asked of the receiver.
func TestListReplica(t *testing.T) {
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.UTC
	d1, d2, d3 := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC), time.Date(2026, 11, 3, 3, 0, 0, 0, time.UTC)
	mark := func(at time.Time, guid string) zfs.Mark { return zfs.Mark{Name: zfs.SnapshotName(at), GUID: guid} }
	listing := replica.Listing{Root: "usb/replica", Datasets: []replica.ListingDataset{
		{Name: "_paths", Replica: true},
		{Name: "_paths/root", Replica: true, Snapshots: []zfs.Mark{mark(d2, "r2")}, ResumeToken: "1-abc"},
		{Name: "web1", Replica: true, Snapshots: []zfs.Mark{mark(d1, "w1"), mark(d2, "w2"), mark(d3, "w3")}},
	}}
	local := fakeTree{ds: []zfs.TreeDataset{
		{Name: "tank/vms/web1", Snapshots: []zfs.Mark{mark(d2, "w2"), mark(d3, "w3")}}, // d1 pruned here
		{Name: "tank/vms/_paths/root", Snapshots: []zfs.Mark{mark(d2, "r2")}},
	}}
	var requests []string
	ctx := withTree(withCallers(t.Context(), map[string]replica.Caller{"usb": listingCaller(t, listing, &requests)}), local)
	out, err, code := runListReplicaCLI(t, ctx, "--replica", "usb")
	if code != exitOK {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	for _, want := range []string{
		"path:root  kvmbackup_2026-11-02T03:00:00Z  2026-11-02 03:00 UTC",
		"web1       kvmbackup_2026-11-01T03:00:00Z  2026-11-01 03:00 UTC",
		"path:root: an interrupted receive is pending there (resume token): the next replicate resumes it",
		"2 datasets, 4 dated snapshots on usb (zfs://usb/replica, root usb/replica)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[2], "web1       kvmbackup_2026-11-01T") || !strings.HasSuffix(lines[2], " -") ||
		!strings.HasPrefix(lines[3], "web1       kvmbackup_2026-11-02T") || !strings.HasSuffix(lines[3], " yes") {
		t.Errorf("web1's oldest is pruned here (-), the next held (yes), oldest first:\n%s", out)
	}
	if len(requests) != 1 || requests[0] != "list" {
		t.Errorf("requests %q: want list only", requests)
	}

	out, err, code = runListReplicaCLI(t, ctx, "--replica", "usb", "--vm", "web1", "--json")
	var got listedReplica
	if code != exitOK || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if len(got.Datasets) != 1 || got.Datasets[0].VM != "web1" || len(got.Datasets[0].Snapshots) != 3 || got.Datasets[0].Snapshots[0].Here ||
		!got.Datasets[0].Snapshots[2].Here || got.Datasets[0].Snapshots[2].GUID != "w3" || got.Target != "usb" {
		t.Errorf("--vm web1 --json: %+v", got)
	}

	// The local target unreadable: listed all the same, HERE unknown.
	ctx = withTree(ctx, fakeTree{err: errors.New("dataset tank/vms: does not exist")})
	if out, err, code = runListReplicaCLI(t, ctx, "--replica", "usb"); code != exitOK || !strings.Contains(out, "here unknown: dataset tank/vms: does not exist") {
		t.Errorf("local unreadable: exit %d, %v\n%s", code, err, out)
	}
}

// TestListReplicaErrors: an unknown --replica is exit 2 naming the configured ones;
// an unreachable receiver exit 1 naming the target; a --vm it holds nothing of exit 2.
func TestListReplicaErrors(t *testing.T) {
	var requests []string
	down := func(context.Context, string, io.Reader, io.Writer) error {
		return errors.New("ssh: connect to host b2 port 22: Connection refused")
	}
	ctx := withTree(withCallers(t.Context(), map[string]replica.Caller{"offsite": down,
		"usb": listingCaller(t, replica.Listing{Root: "usb/replica"}, &requests)}), fakeTree{})
	if out, err, code := runListReplicaCLI(t, ctx, "--replica", "tape"); code != exitEnvironment ||
		err.Error() != "--replica tape: no such replication: target (configured: usb, offsite)" {
		t.Errorf("unknown: exit %d, %v\n%s", code, err, out)
	}
	if out, err, code := runListReplicaCLI(t, ctx, "--replica", "offsite"); code != exitSomeFailed ||
		!strings.Contains(err.Error(), "replication target offsite (zfs://b2/replica): cannot list what its receiver holds: ssh: connect to host b2") {
		t.Errorf("unreachable: exit %d, %v\n%s", code, err, out)
	}
	if out, err, code := runListReplicaCLI(t, ctx, "--replica", "usb", "--vm", "web9"); code != exitEnvironment ||
		!strings.Contains(err.Error(), "replication target usb holds no dataset web9") {
		t.Errorf("--vm web9: exit %d, %v\n%s", code, err, out)
	}
}
