package transfer

import (
	"errors"
	"reflect"
	"testing"
)

// FileChanges: device changes under the file's extents become its ranges; a moved,
// new, unwritten-turned-written-elsewhere or vanished mapping is read whole; shared
// or unplaced extents are refused.
func TestFileChanges(t *testing.T) {
	const K = 1 << 10
	base := []PhysExtent{
		{Logical: 0, Physical: 1000 * K, Length: 64 * K},
		{Logical: 64 * K, Physical: 5000 * K, Length: 128 * K},
		{Logical: 192 * K, Physical: 9000 * K, Length: 64 * K, Flags: extentUnwritten},
		{Logical: 512 * K, Physical: 20000 * K, Length: 64 * K, Flags: extentLast},
	}
	now := []PhysExtent{
		{Logical: 0, Physical: 1000 * K, Length: 64 * K},                          // same
		{Logical: 64 * K, Physical: 5000 * K, Length: 64 * K},                     // same, first half
		{Logical: 128 * K, Physical: 7000 * K, Length: 64 * K},                    // moved
		{Logical: 192 * K, Physical: 9000 * K, Length: 64 * K},                    // written in place: same place
		{Logical: 256 * K, Physical: 30000 * K, Length: 64 * K},                   // new
		{Logical: 600 * K, Physical: 40000 * K, Length: 8 * K, Flags: extentLast}, // new; 512K..576K is a hole now
	}
	changed := []Range{{Off: 1010 * K, Len: 4 * K}, {Off: 9000 * K, Len: 64 * K}, {Off: 5030 * K, Len: 200 * K}} // the last past the extent's end
	got, err := FileChanges(now, base, changed)
	if err != nil {
		t.Fatal(err)
	}
	want := []Range{
		{Off: 10 * K, Len: 4 * K}, // a device change under the first extent
		// 94K..128K: one under the second (clipped to it); 128K..192K moved;
		// 192K..256K unwritten then, written now (also a device change); 256K..320K new
		{Off: 94 * K, Len: 226 * K},
		{Off: 512 * K, Len: 64 * K}, // a hole now
		{Off: 600 * K, Len: 8 * K},  // new
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("FileChanges:\n got %v\nwant %v", got, want)
	}
	// Nothing changed, same map: nothing to read.
	if got, err := FileChanges(base, base, nil); err != nil || len(got) != 0 {
		t.Fatalf("unchanged: %v %v", got, err)
	}
	for _, flags := range []uint32{extentShared, 0x4, 0x200} {
		bad := append([]PhysExtent{}, now...)
		bad[1].Flags = flags
		if _, err := FileChanges(bad, base, changed); !errors.Is(err, ErrUnmappable) {
			t.Errorf("flags %#x: %v", flags, err)
		}
	}
}
