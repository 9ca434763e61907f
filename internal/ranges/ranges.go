// Package ranges owns byte ranges of a device or file, and merging them: what
// changed-block tracking passes from LVM (thin_delta) through a file's extent map to
// the copy.
package ranges

import "slices"

// Range is a byte range.
type Range struct {
	Off int64 `json:"off"`
	Len int64 `json:"len"`
}

// Merge sorts rs (in place) and joins those that touch or overlap; empty ones are
// dropped.
func Merge(rs []Range) []Range {
	slices.SortFunc(rs, func(a, b Range) int { return int(min(max(a.Off-b.Off, -1), 1)) })
	var out []Range
	for _, r := range rs {
		if r.Len <= 0 {
			continue
		}
		if n := len(out); n > 0 && r.Off <= out[n-1].Off+out[n-1].Len {
			out[n-1].Len = max(out[n-1].Off+out[n-1].Len, r.Off+r.Len) - out[n-1].Off
			continue
		}
		out = append(out, r)
	}
	return out
}
