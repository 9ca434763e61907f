package lvm

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kvmbackup/kvmbackup/testenv"
)

// The base outlives Cleanup; thin_delta names exactly the chunks written (aligned,
// unaligned across two chunks, at the end) and discarded since, clipped to the size;
// no metadata snapshot is left reserved; a leftover one blocks thin_delta until
// ReleaseMetadataSnap.
func TestThinDeltaNamesTheChangedChunks(t *testing.T) {
	testenv.InAppliance(t, func(t *testing.T) {
		m, vg := lab(t, 256<<20)
		ctx := t.Context()
		testenv.ThinPool(t, testenv.Local, vg, "pool", 128<<20)
		origin := testenv.ThinVolume(t, testenv.Local, vg, "pool", "thin-1", 16<<20)
		writeDev(t, origin, 0, random(1, 16<<20))
		s1, err := m.Snapshot(ctx, vg, "thin-1", opts("r1", "1G"))
		if err != nil {
			t.Fatal(err)
		}
		if s1.ThinID < 0 || s1.Pool != "pool" {
			t.Fatalf("thin snapshot facts: %+v", s1)
		}
		base, err := m.KeepAsBase(ctx, s1)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range []LV{base, func() LV { b, err := m.Base(ctx, vg, "thin-1"); check(t, err); return b }()} { // as returned, and as LVM has it
			if b.Name != "thin-1.kvmbackup-base" || !b.IsBase() || b.Major >= 0 || b.HasTag(RunTagPrefix+"r1") ||
				b.ThinID != s1.ThinID || len(b.Attr) < 2 || b.Attr[1] != 'r' || b.Attr[4] != '-' || b.Origin != "thin-1" {
				t.Fatalf("base: %+v", b)
			}
		}
		if c, err := m.Cleanup(ctx, ""); err != nil || len(c.Removed) != 0 {
			t.Fatalf("Cleanup removed %v (%v): a base is kept", c.Removed, err)
		}
		const chunk = 64 << 10
		writeDev(t, origin, 3*chunk, random(2, chunk))                                                       // chunk 3
		writeDev(t, origin, 10*chunk-100, random(3, 200))                                                    // chunks 9 and 10
		writeDev(t, origin, 16<<20-chunk, random(4, chunk))                                                  // the last chunk
		writeDev(t, origin, 40*chunk+512, random(5, 3*chunk))                                                // chunks 40..43
		if _, err := testenv.Local(ctx, "blkdiscard", "-o", "6553600", "-l", "131072", origin); err != nil { // chunks 100, 101
			t.Fatal(err)
		}
		s2, err := m.Snapshot(ctx, vg, "thin-1", opts("r2", "1G"))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Remove(context.Background(), vg, s2.Name)
		d, err := m.ThinDelta(ctx, base, s2)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("thin_delta: %d changed, %d discarded bytes in %v", d.ChangedBytes, d.DiscardedBytes, d.Took)
		want := []Range{{Off: 3 * chunk, Len: chunk}, {Off: 9 * chunk, Len: 2 * chunk}, {Off: 40 * chunk, Len: 4 * chunk}, {Off: 16<<20 - chunk, Len: chunk}}
		if d.ChunkSize != chunk || !reflect.DeepEqual(d.Changed, want) {
			t.Fatalf("changed: chunk %d, %v; want %v", d.ChunkSize, d.Changed, want)
		}
		if !reflect.DeepEqual(d.Discarded, []Range{{Off: 100 * chunk, Len: 2 * chunk}}) {
			t.Fatalf("discarded: %v", d.Discarded)
		}
		if held, err := m.MetadataSnapHeld(ctx, vg, "pool"); err != nil || held {
			t.Fatalf("metadata snapshot held after ThinDelta: %v %v", held, err)
		}

		// A metadata snapshot left reserved (a crash): thin_delta cannot reserve its
		// own, ReleaseMetadataSnap frees it, twice is fine.
		if _, err := testenv.Local(ctx, "dmsetup", "message", DMName(vg, "pool")+"-tpool", "0", "reserve_metadata_snap"); err != nil {
			t.Fatal(err)
		}
		if held, err := m.MetadataSnapHeld(ctx, vg, "pool"); err != nil || !held {
			t.Fatalf("reserved metadata snapshot not seen: %v %v", held, err)
		}
		if _, err := m.ThinDelta(ctx, base, s2); !errors.Is(err, ErrNotReserved) || !strings.Contains(err.Error(), "reserve the metadata snapshot") {
			t.Fatalf("ThinDelta with a leftover metadata snapshot: %v", err)
		}
		for range 2 {
			if err := m.ReleaseMetadataSnap(ctx, vg, "pool"); err != nil {
				t.Fatal(err)
			}
		}
		if held, _ := m.MetadataSnapHeld(ctx, vg, "pool"); held {
			t.Fatal("still held after ReleaseMetadataSnap")
		}

		// The next base replaces the old one; DropBase removes it; a non-base LV of
		// the base's name is refused.
		nb, err := m.KeepAsBase(ctx, s2)
		if err != nil {
			t.Fatal(err)
		}
		if nb.ThinID != s2.ThinID {
			t.Fatalf("new base %+v", nb)
		}
		if bs, err := m.Bases(ctx); err != nil || len(bs) != 1 || bs[0].FullName() != nb.FullName() {
			t.Fatalf("Bases = %v, %v", bs, err)
		}
		if _, err := m.LV(ctx, vg, s2.Name); !IsNotFound(err) {
			t.Fatalf("run snapshot still there after KeepAsBase: %v", err)
		}
		if err := m.DropBase(ctx, vg, "thin-1"); err != nil {
			t.Fatal(err)
		}
		if bs, err := m.Bases(ctx); err != nil || len(bs) != 0 {
			t.Fatalf("Bases after DropBase = %v, %v", bs, err)
		}
		if _, err := testenv.Local(ctx, "lvm", "lvcreate", "-q", "-s", "-n", "thin-1.kvmbackup-base", vg+"/thin-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Base(ctx, vg, "thin-1"); !errors.Is(err, ErrNotOurs) {
			t.Fatalf("Base of an untagged LV of the base's name: %v", err)
		}
		if err := m.DropBase(ctx, vg, "thin-1"); !errors.Is(err, ErrNotOurs) {
			t.Fatalf("DropBase of an untagged LV: %v", err)
		}

		// The origin removed (or made anew under its name): its base is stale, not
		// trusted, and still ours to drop.
		testenv.ThinVolume(t, testenv.Local, vg, "pool", "thin-2", 8<<20)
		s3, err := m.Snapshot(ctx, vg, "thin-2", opts("r3", "1G"))
		check(t, err)
		_, err = m.KeepAsBase(ctx, s3)
		check(t, err)
		if _, err := testenv.Local(ctx, "lvm", "lvremove", "-q", "-f", vg+"/thin-2"); err != nil {
			t.Fatal(err)
		}
		testenv.ThinVolume(t, testenv.Local, vg, "pool", "thin-2", 8<<20)
		if _, err := m.Base(ctx, vg, "thin-2"); !errors.Is(err, ErrStaleBase) {
			t.Fatalf("Base of a base whose origin was made anew: %v", err)
		}
		if err := m.DropBase(ctx, vg, "thin-2"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.LV(ctx, vg, BaseName("thin-2")); !IsNotFound(err) {
			t.Fatalf("stale base not dropped: %v", err)
		}
	})
}

func TestParseDelta(t *testing.T) {
	const out = `<superblock uuid="" time="2" transaction="3" flags="0" version="2" data_block_size="128" nr_data_blocks="0">
  <diff left="1" right="2">
    <same begin="0" length="3"/>
    <different begin="3" length="1"/>
    <right_only begin="4" length="2"/>
    <left_only begin="7" length="1"/>
    <different begin="9" length="4"/>
  </diff>
</superblock>
`
	d, err := parseDelta(strings.NewReader(out), 11*64<<10+100)
	if err != nil {
		t.Fatal(err)
	}
	c := int64(64 << 10)
	if want := []Range{{Off: 3 * c, Len: 3 * c}, {Off: 9 * c, Len: 2*c + 100}}; !reflect.DeepEqual(d.Changed, want) {
		t.Fatalf("changed %v, want %v (merged, clipped to the size)", d.Changed, want)
	}
	if !reflect.DeepEqual(d.Discarded, []Range{{Off: 7 * c, Len: c}}) || d.DiscardedBytes != c || d.ChangedBytes != 5*c+100 {
		t.Fatalf("%+v", d)
	}
	if got := d.Ranges(); !reflect.DeepEqual(got, []Range{{Off: 3 * c, Len: 3 * c}, {Off: 7 * c, Len: c}, {Off: 9 * c, Len: 2*c + 100}}) {
		t.Fatalf("Ranges %v", got)
	}
	for _, bad := range []string{"", "<superblock>", `<superblock data_block_size="128"><same begin="0" length="1"/></superblock>`,
		`<superblock data_block_size="128"><diff><different begin="x" length="1"/></diff></superblock>`, `<superblock data_block_size="128"><diff><different`} {
		if _, err := parseDelta(strings.NewReader(bad), 1<<30); err == nil {
			t.Errorf("parseDelta(%q) accepted", bad)
		}
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
