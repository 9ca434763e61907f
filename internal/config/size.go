package config

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// Size is a snapshot size: an absolute number of bytes, or a percentage of the origin
// volume. A valid Size has exactly one of its fields above zero.
type Size struct {
	Bytes   int64   // absolute size in bytes
	Percent float64 // percentage of the origin, in (0, 100]
}

// String gives the size as a config can give it: "10GiB", "1.5GiB" or "20%".
func (s Size) String() string {
	if s.Percent != 0 {
		return strconv.FormatFloat(s.Percent, 'f', -1, 64) + "%"
	}
	return FormatBytes(s.Bytes)
}

// Resolve returns the size in bytes for an origin of originBytes: Bytes when the size is
// absolute, else the percentage of the origin rounded up to a whole byte (never more
// than the origin).
func (s Size) Resolve(originBytes int64) int64 {
	if s.Percent == 0 {
		return s.Bytes
	}
	n := int64(math.Ceil(float64(originBytes) * s.Percent / 100))
	return min(n, originBytes)
}

var (
	sizeRe    = regexp.MustCompile(`(?i)^([0-9]+(?:\.[0-9]+)?)([kmgtp]?)(i?b)?$`)
	percentRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)%$`)
	numberRe  = regexp.MustCompile(`^[0-9]+(?:\.[0-9]+)?$`)
	units     = "KMGTP"
)

const wantSize = "(want e.g. 10G, 512M or 20%)"

// ParseSize parses a positive size as LVM takes it: a number of bytes ("1073741824"),
// a number with a binary unit K, M, G, T or P (1K = 1024; case-insensitive; an optional
// trailing "B" or "iB": "512M", "1.5GiB"), or a percentage of the origin in (0, 100]
// ("20%").
func ParseSize(s string) (Size, error) {
	size, reason := parseSize(s)
	if reason != "" {
		return Size{}, fmt.Errorf("%q %s", s, reason)
	}
	return size, nil
}

// parseSize is ParseSize giving the reason (as in a KeyError) instead of an error.
func parseSize(s string) (Size, string) {
	if m := percentRe.FindStringSubmatch(s); m != nil {
		p, err := strconv.ParseFloat(m[1], 64)
		if err != nil || p <= 0 || p > 100 {
			return Size{}, "is not a size: a percentage must be above 0% and at most 100%"
		}
		return Size{Percent: p}, ""
	}
	n, reason := parseBytes(s, wantSize)
	if reason != "" {
		return Size{}, reason
	}
	return Size{Bytes: n}, ""
}

// parseBytes parses an absolute size (no percentage) into a positive number of bytes.
// want is the hint given when s is not a size at all.
func parseBytes(s, want string) (int64, string) {
	m := sizeRe.FindStringSubmatch(s)
	if m == nil || (m[2] == "" && strings.EqualFold(m[3], "ib")) {
		return 0, "is not a size " + want
	}
	r, ok := new(big.Rat).SetString(m[1])
	if !ok {
		return 0, "is not a size " + want
	}
	if m[2] != "" {
		shift := 10 * uint(strings.IndexByte(units, strings.ToUpper(m[2])[0])+1)
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), shift)))
	}
	switch {
	case r.Sign() == 0:
		return 0, "is not a size: it must be above 0"
	case !r.IsInt():
		return 0, "is not a whole number of bytes"
	case !r.Num().IsInt64():
		return 0, "is too large"
	}
	return r.Num().Int64(), ""
}

// parsePercent parses "90%" or a bare "90" into 90. The range is checked by Validate.
func parsePercent(s string) (float64, string) {
	if !numberRe.MatchString(strings.TrimSuffix(s, "%")) {
		return 0, "is not a percentage (want e.g. 90%)"
	}
	p, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		return 0, "is not a percentage (want e.g. 90%)"
	}
	return p, ""
}

// FormatBytes formats n bytes for humans in IEC binary units, with the largest unit
// it reaches: "10GiB", "1.5GiB", "512KiB", "100B". It is exact when n is a whole
// number of that unit, else rounded to one decimal. It is kvmbackup's one way to
// show a size (tables, reports, errors, check), and what it gives parses back as a
// size (ParseSize) when it is exact.
func FormatBytes(n int64) string {
	sign, u := "", uint64(n)
	if n < 0 {
		sign, u = "-", uint64(-n) // also right for math.MinInt64
	}
	for i := len(units) - 1; i >= 0; i-- {
		unit := uint64(1) << (10 * uint(i+1))
		if u < unit {
			continue
		}
		if u%unit == 0 {
			return sign + strconv.FormatUint(u/unit, 10) + units[i:i+1] + "iB"
		}
		s := strconv.FormatFloat(float64(u)/float64(unit), 'f', 1, 64)
		return sign + strings.TrimSuffix(s, ".0") + units[i:i+1] + "iB"
	}
	return sign + strconv.FormatUint(u, 10) + "B"
}
