package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kvmbackup/kvmbackup/testenv"
	"github.com/kvmbackup/kvmbackup/transfer"
)

// The thin case: changed-block tracking, in the lab's appliance (this machine's
// kernel has no dm-thin). A thin LV of SIZE holds data; a thin snapshot of it is the
// base, copied into three images; then PCT% of its 64 KiB pool chunks are rewritten
// and a new thin snapshot taken. The copy phase from the new snapshot into each image
// is timed, page cache dropped before each, one tool after the other, per round:
//   - rsync --inplace --no-whole-file --copy-devices --ignore-times (the named peer;
//     without --ignore-times it skips a device whose size and time match);
//   - kvmbackup copy --manifest (today's manifest mode: reads the snapshot whole);
//   - kvmbackup copy --since BASE --manifest (changed-block tracking: thin_delta).
// Each image is put back (the copied chunks written over from the base) between
// rounds. Goals: cbt ≥ 20× rsync and ≥ 5× manifest; bytes read ≤ 2× the changed
// chunks.

func runThin(bin string, size int64, pct, rounds int) bool {
	ctx := context.Background()
	ok := true
	s := testenv.NewSession(ctx, "bench", func(f string, a ...any) { fmt.Printf("    "+f+"\n", a...) })
	err := s.Run(func() error {
		a := testenv.StartAppliance(s, testenv.ApplianceOptions{ScratchSize: 4*size + 8<<30})
		sh := func(script string) string {
			out, err := a.Shell(s.Context(), script)
			if err != nil {
				s.Fatalf("%v\n%s", err, out)
			}
			return strings.TrimSpace(out)
		}
		vg := testenv.VolumeGroup(s, a.Run, size+size/8+256<<20)
		testenv.ThinPool(s, a.Run, vg, "pool", size+size/16+64<<20)
		lv := testenv.ThinVolume(s, a.Run, vg, "pool", "disk", size)
		dir := testenv.ScratchDir + "/" + testenv.UniqueName("thinbench")
		s.Cleanup(func() { a.Shell(context.Background(), "rm -rf "+dir) })
		start := time.Now()
		// Random data: a 64 MiB piece written over the whole LV (the tools read and
		// hash every byte alike; nothing here dedupes or compresses).
		sh(fmt.Sprintf(`mkdir -p %[1]s && head -c 64M /dev/urandom >%[1]s/piece && i=0
while [ $i -lt %[2]d ]; do dd if=%[1]s/piece of=%[3]s bs=1M seek=$((i*64)) conv=notrunc oflag=direct 2>/dev/null; i=$((i+1)); done; sync`, dir, size/(64<<20), lv))
		sh(fmt.Sprintf("lvm lvcreate -q -s -n base --setactivationskip n %s/disk && lvm lvchange -q -ay -K %s/base", vg, vg))
		base := "/dev/" + vg + "/base"
		for _, img := range []string{"rsync", "manifest", "cbt"} {
			sh(fmt.Sprintf("%s copy --json --progress=never --manifest %s/%s.manifest %s %s/%s.raw >/dev/null", bin, dir, img, base, dir, img))
		}
		fmt.Printf("  thin %s: filled, base copied into three images in %.0fs\n", human(size), time.Since(start).Seconds())
		// PCT% of the chunks rewritten, at random, 64 KiB each at chunk boundaries.
		chunks := size / (64 << 10)
		n := chunks * int64(pct) / 100
		sh(fmt.Sprintf(`head -c %[1]d /dev/urandom >%[2]s/new && awk 'BEGIN{srand(%[3]d); for(i=0;i<%[4]d;i++) print int(rand()*%[5]d)}' | sort -un >%[2]s/chunks
j=0; while read c; do dd if=%[2]s/new of=%[6]s bs=64k seek=$c skip=$j count=1 conv=notrunc oflag=direct 2>/dev/null; j=$((j+1)); done <%[2]s/chunks; sync`,
			n*(64<<10), dir, 22, n, chunks, lv))
		changedChunks, _ := strconv.ParseInt(sh("wc -l <"+dir+"/chunks"), 10, 64)
		sh(fmt.Sprintf("lvm lvcreate -q -s -n new --setactivationskip n %s/disk && lvm lvchange -q -ay -K %s/new", vg, vg))
		snap := "/dev/" + vg + "/new"
		changed := changedChunks * (64 << 10)
		fmt.Printf("  thin %s, %d%%: %d chunks of 64 KiB changed (%s)\n", human(size), pct, changedChunks, human(changed))

		res := map[string]*result{"rsync": {name: "rsync"}, "manifest": {name: "manifest"}, "cbt": {name: "cbt"}}
		read := map[string]int64{}
		timed := func(name, cmd string) {
			out := sh(fmt.Sprintf(`sync; echo 3 >/proc/sys/vm/drop_caches; t0=$(date +%%s.%%N); %s; t1=$(date +%%s.%%N); echo "T $t0 $t1"`, cmd))
			lines := strings.Split(out, "\n")
			var t0, t1 float64
			fmt.Sscanf(lines[len(lines)-1], "T %f %f", &t0, &t1)
			res[name].times = append(res[name].times, time.Duration((t1-t0)*float64(time.Second)))
			if name != "rsync" {
				var st transfer.Stats
				if err := json.Unmarshal([]byte(lines[0]), &st); err != nil || (name == "cbt") != (st.Mode == "cbt") {
					s.Fatalf("%s: %v (mode %q)\n%s", name, err, st.Mode, out)
				}
				read[name] = st.SrcRead + st.DstRead
				res[name].written = append(res[name].written, st.Written)
			}
			fmt.Printf("  %s: %.2fs, read %s\n", name, t1-t0, human(read[name])) // as it goes: a later failure loses nothing
		}
		for r := range rounds {
			if r > 0 { // each image back to the base's content, and its manifest
				for _, img := range []string{"rsync", "manifest", "cbt"} {
					sh(fmt.Sprintf("%s copy --json --progress=never --manifest %s/%s.manifest %s %s/%s.raw >/dev/null", bin, dir, img, base, dir, img))
				}
			}
			// The device node itself: /dev/VG/LV is a symlink, which rsync would copy as one.
			timed("rsync", fmt.Sprintf("rsync --inplace --no-whole-file --copy-devices --ignore-times $(readlink -f %s) %s/rsync.raw", snap, dir))
			timed("manifest", fmt.Sprintf("%s copy --json --progress=never --manifest %s/manifest.manifest %s %s/manifest.raw", bin, dir, snap, dir))
			timed("cbt", fmt.Sprintf("%s copy --json --progress=never --since %s/base --manifest %s/cbt.manifest %s %s/cbt.raw", bin, vg, dir, snap, dir))
		}
		if sh(fmt.Sprintf("cmp %s %s/cbt.raw && echo same", snap, dir)) != "same" {
			s.Fatalf("cbt.raw differs from the new snapshot")
		}
		if got := sh(fmt.Sprintf("stat -c %%F:%%s %s/rsync.raw", dir)); got != fmt.Sprintf("regular file:%d", size) {
			s.Fatalf("rsync.raw is %s, not the snapshot's copy", got)
		}
		rs, _ := res["rsync"].median()
		fmt.Printf("  %-9s %8s %12s\n", "tool", "time", "read")
		fmt.Printf("  %-9s %8.2fs %12s\n", "rsync", rs.Seconds(), "SRC and DST whole")
		for _, name := range []string{"manifest", "cbt"} {
			t, _ := res[name].median()
			fmt.Printf("  %-9s %8.2fs %12s  %.1f× rsync (rounds: %s)\n", name, t.Seconds(), human(read[name]),
				median(res["rsync"].ratios(*res[name])), ratioList(res["rsync"].ratios(*res[name])))
		}
		vsRsync := median(res["rsync"].ratios(*res["cbt"]))
		vsManifest := median(res["manifest"].ratios(*res["cbt"]))
		fmt.Printf("  cbt: %.1f× rsync (goal ≥ 20×), %.1f× manifest mode (goal ≥ 5×), read %s for %s changed (%.2f×, goal ≤ 2×)\n",
			vsRsync, vsManifest, human(read["cbt"]), human(changed), float64(read["cbt"])/float64(changed))
		ok = vsRsync >= 20 && vsManifest >= 5 && read["cbt"] <= 2*changed
		return nil
	})
	if err != nil {
		fmt.Printf("  thin case failed: %v\n", err)
		return false
	}
	return ok
}
