package render

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The Prometheus metrics are written here, in the text exposition format 0.0.4,
// without a metrics library: the textfile is a few dozen gauges written once per
// run, and github.com/prometheus/client_golang (with protobuf and expvar) was a
// third of kvmbackup's binary and most of its start-up. The output is what
// client_golang's registry and expfmt.MetricFamilyToText wrote, byte for byte:
// families sorted by name, each with # HELP and # TYPE, a family without a series
// left out; label names sorted, series sorted by their label values; help and
// label values escaped as the format says; values as expfmt formats them.

// promSet is the metrics of one Metrics call.
type promSet struct {
	families map[string]*promFamily
}

// promFamily is one metric family: a gauge and its series, by label values.
type promFamily struct {
	name, help string
	labels     []string               // label names, as given
	series     map[string]*promSeries // by label values, joined with \xff
}

type promSeries struct {
	values []string // label values, in the order of labels
	value  float64
}

func newPromSet() *promSet { return &promSet{families: map[string]*promFamily{}} }

// gaugeVec adds the family name, with the label names labels. A name added twice
// is a bug (client_golang's MustRegister panicked as well).
func (s *promSet) gaugeVec(name, help string, labels ...string) *promFamily {
	if _, dup := s.families[name]; dup {
		panic("render: metric " + name + " added twice")
	}
	f := &promFamily{name: name, help: help, labels: labels, series: map[string]*promSeries{}}
	s.families[name] = f
	return f
}

// set sets the series of the label values (one per label name) to v.
func (f *promFamily) set(v float64, values ...string) {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("render: metric %s has %d labels, not %d", f.name, len(f.labels), len(values)))
	}
	k := strings.Join(values, "\xff")
	if sr := f.series[k]; sr != nil {
		sr.value = v
		return
	}
	f.series[k] = &promSeries{values: slices.Clone(values), value: v}
}

// write writes the families in the text format.
func (s *promSet) write(w io.Writer) error {
	names := make([]string, 0, len(s.families))
	for n := range s.families {
		names = append(names, n)
	}
	slices.Sort(names)
	bw := bufio.NewWriter(w)
	for _, n := range names {
		f := s.families[n]
		if len(f.series) == 0 {
			continue
		}
		// Labels in the order of their names, and series in the order of their
		// values in that order.
		order := make([]int, len(f.labels))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(f.labels[a], f.labels[b]) })
		series := make([]*promSeries, 0, len(f.series))
		for _, sr := range f.series {
			for _, v := range sr.values {
				if !utf8.ValidString(v) {
					return fmt.Errorf("metric %s: label value %q is not valid UTF-8", f.name, v)
				}
			}
			series = append(series, sr)
		}
		slices.SortFunc(series, func(a, b *promSeries) int {
			for _, i := range order {
				if c := strings.Compare(a.values[i], b.values[i]); c != 0 {
					return c
				}
			}
			return 0
		})
		bw.WriteString("# HELP " + f.name + " " + helpEscaper.Replace(f.help) + "\n")
		bw.WriteString("# TYPE " + f.name + " gauge\n")
		for _, sr := range series {
			bw.WriteString(f.name)
			if len(order) > 0 {
				bw.WriteByte('{')
				for j, i := range order {
					if j > 0 {
						bw.WriteByte(',')
					}
					bw.WriteString(f.labels[i] + `="` + labelValueEscaper.Replace(sr.values[i]) + `"`)
				}
				bw.WriteByte('}')
			}
			bw.WriteByte(' ')
			bw.WriteString(promFloat(sr.value))
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// The text format's escapes: in help, backslash and line feed; in a label value,
// those and the double quote.
var (
	helpEscaper       = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelValueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// promFloat formats v as expfmt does.
func promFloat(v float64) string {
	switch {
	case v == 1:
		return "1"
	case v == 0:
		return "0"
	case v == -1:
		return "-1"
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, +1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
