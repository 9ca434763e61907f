package render

import (
	"bytes"
	"math"
	"testing"
)

// The text format's escapes, sorting and value formatting, as client_golang's
// expfmt.MetricFamilyToText wrote them (the goldens hold the ordinary case).
func TestPromText(t *testing.T) {
	s := newPromSet()
	f := s.gaugeVec("b_labelled", "Help with a \\ backslash,\na line feed and \"quotes\".", "vm", "disk")
	f.set(2, `q"uo\te`, "vdb")
	f.set(3, "line\nfeed", "vda")
	f.set(0.5, "a", "vdb")
	f.set(4, "a", "vda")
	f.set(5, "a", "vda") // the last set wins
	s.gaugeVec("a_plain", "Plain.").set(-1)
	s.gaugeVec("c_empty", "No series: left out.", "vm")
	v := s.gaugeVec("d_values", "Values.", "v")
	for k, x := range map[string]float64{"nan": math.NaN(), "inf": math.Inf(1), "minf": math.Inf(-1), "negzero": math.Copysign(0, -1),
		"big": 1.00663296e+08, "small": 1e-05, "frac": 0.1, "int": 1234} {
		v.set(x, k)
	}
	var b bytes.Buffer
	if err := s.write(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP a_plain Plain.
# TYPE a_plain gauge
a_plain -1
# HELP b_labelled Help with a \\ backslash,\na line feed and "quotes".
# TYPE b_labelled gauge
b_labelled{disk="vda",vm="a"} 5
b_labelled{disk="vda",vm="line\nfeed"} 3
b_labelled{disk="vdb",vm="a"} 0.5
b_labelled{disk="vdb",vm="q\"uo\\te"} 2
# HELP d_values Values.
# TYPE d_values gauge
d_values{v="big"} 1.00663296e+08
d_values{v="frac"} 0.1
d_values{v="inf"} +Inf
d_values{v="int"} 1234
d_values{v="minf"} -Inf
d_values{v="nan"} NaN
d_values{v="negzero"} 0
d_values{v="small"} 1e-05
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}

	s = newPromSet()
	s.gaugeVec("x", "X.", "vm").set(1, "\xff")
	if err := s.write(&b); err == nil {
		t.Error("a label value that is not UTF-8 was written")
	}
}
