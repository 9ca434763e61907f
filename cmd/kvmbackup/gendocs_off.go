//go:build !gendocs

package main

import "github.com/spf13/cobra"

// addGendocs adds nothing: `kvmbackup gendocs` (the man pages and completion, for
// packaging) is built with the gendocs tag alone (gendocs.go; `make docs` builds
// bin/kvmbackup-gendocs), so that kvmbackup does not link cobra/doc and go-md2man.
func addGendocs(*cobra.Command) {}
