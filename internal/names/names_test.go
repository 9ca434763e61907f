package names

import (
	"strings"
	"testing"
)

// One length limit: a name the config accepts (a VM's name, target.dataset) is one
// zfs accepts, and both stop at MaxDataset.
func TestOneLengthLimit(t *testing.T) {
	long := "tank/" + strings.Repeat("a", MaxDataset-len("tank/"))
	if r := Dataset(long); r != "" {
		t.Errorf("Dataset of %d characters: %s", len(long), r)
	}
	if r := DatasetBelowPool(long + "a"); !strings.Contains(r, "longer than 200") {
		t.Errorf("DatasetBelowPool of %d characters: %q", len(long)+1, r)
	}
	if r := Component(strings.Repeat("a", MaxDataset+1)); r == "" {
		t.Error("a component longer than MaxDataset accepted")
	}
}

func TestDataset(t *testing.T) {
	for ds, want := range map[string]string{
		"backup":              "",
		"backup/vms":          "",
		"tank/b.k_p:1-2/web1": "",
		"":                    "must not be empty",
		"pool//x":             "empty component",
		"pool/-x":             `"-"`,
		"pool/a b":            `"a b"`,
		"pool/x@y":            "snapshot",
		"pool/..":             `".."`,
		"pool/ä":              `"ä"`,
		"1tank/vms":           "start with a letter",
		"mirror/vms":          "reserves",
		"c0t0d0/vms":          "reserves",
	} {
		got := Dataset(ds)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("Dataset(%q) = %q, want %q", ds, got, want)
		}
	}
	if r := DatasetBelowPool("backup"); !strings.Contains(r, "no dataset below the pool") {
		t.Errorf("DatasetBelowPool(backup) = %q", r)
	}
}

func TestComponent(t *testing.T) {
	for name, want := range map[string]string{
		"web1": "", "a-b_c.d:e": "", "kvmbackup_2026-11-24T03:00:00Z": "",
		"": "required", "-o": `"-"`, "a+b": "only letters", "a/b": "only letters", ".": "cannot", "..": "cannot",
	} {
		got := Component(name)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("Component(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestRunID(t *testing.T) {
	for id, want := range map[string]bool{
		"20261124T030000Z": true, "a.b_c-d": true, strings.Repeat("a", 40): true,
		"": false, strings.Repeat("a", 41): false, "a/b": false, "a b": false, "ä": false,
	} {
		if got := ValidRunID(id); got != want {
			t.Errorf("ValidRunID(%q) = %v", id, got)
		}
	}
}
