//go:build !gendocs

package main

import (
	"strings"
	"testing"
)

// The shipped binary has no gendocs (the man pages and completion are built with
// -tags gendocs: make docs, make deb; scripts/test.sh runs gendocs_test.go so).
func TestNoGendocsWithoutTheTag(t *testing.T) {
	_, err, code := runCLI(t, "gendocs", "--man", t.TempDir())
	if err == nil || code == exitOK || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("gendocs without the gendocs tag: %v (exit %d), want an unknown command", err, code)
	}
}
