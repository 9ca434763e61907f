//go:build gendocs

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/kvmbackup/kvmbackup/internal/atomicfile"
)

// addGendocs adds the hidden `kvmbackup gendocs` to root: built with the gendocs tag
// alone (`make docs`, `make deb` build bin/kvmbackup-gendocs for it), so that the
// shipped binary does not link cobra/doc and go-md2man (gendocs_off.go).
func addGendocs(root *cobra.Command) { root.AddCommand(newGendocsCommand()) }

// newGendocsCommand is the hidden `kvmbackup gendocs`: the man pages and the shell
// completion, generated from the commands' own help, for `make install` and
// `make deb`. Hidden commands get no man page and no completion.
func newGendocsCommand() *cobra.Command {
	var manDir, complDir string
	cmd := &cobra.Command{
		Use:   "gendocs --man DIR --completion DIR",
		Short: "Write the man pages and the bash and zsh completion (for packaging)",
		Long: `Write one man page per command (section 1: kvmbackup.1, kvmbackup-run.1, ...)
into the --man directory, and the bash (kvmbackup) and zsh (_kvmbackup) completion
into the --completion directory. The pages' date is $SOURCE_DATE_EPOCH when set
(reproducible builds), else today. Files are 0644: they are for every user.`,
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if manDir == "" && complDir == "" {
				return errors.New("gendocs: give --man DIR, --completion DIR or both")
			}
			root := cmd.Root()
			if manDir != "" {
				if err := writeManPages(root, manDir); err != nil {
					return err
				}
			}
			if complDir != "" {
				if err := writeCompletion(root, complDir); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&manDir, "man", "", "directory for the man pages (created)")
	cmd.Flags().StringVar(&complDir, "completion", "", "directory for the bash and zsh completion files (created)")
	return cmd
}

// writeManPages writes a page for root and each command under it that help lists
// (not hidden, not `help`), named as cobra's GenManTree names them.
func writeManPages(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gendocs: %w", err)
	}
	header := doc.GenManHeader{
		Section: "1",
		Source:  "kvmbackup " + currentVersion().Version,
		Manual:  "kvmbackup manual",
	}
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
				continue
			}
			if err := walk(sub); err != nil {
				return err
			}
		}
		c.DisableAutoGenTag = true // no "generated on DATE" line: reproducible pages
		h := header                // GenMan fills the title in: one copy per page
		var page bytes.Buffer
		if err := doc.GenMan(c, &h, &page); err != nil {
			return fmt.Errorf("gendocs: man page of %q: %w", c.CommandPath(), err)
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		return atomicfile.Write(filepath.Join(dir, name), page.Bytes(), 0o644)
	}
	return walk(root)
}

// writeCompletion writes cobra's bash (v2, with descriptions) and zsh completion,
// under the names bash-completion and zsh look for: kvmbackup and _kvmbackup.
func writeCompletion(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gendocs: %w", err)
	}
	var bash, zsh bytes.Buffer
	if err := root.GenBashCompletionV2(&bash, true); err != nil {
		return fmt.Errorf("gendocs: bash completion: %w", err)
	}
	if err := root.GenZshCompletion(&zsh); err != nil {
		return fmt.Errorf("gendocs: zsh completion: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dir, root.Name()), bash.Bytes(), 0o644); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, "_"+root.Name()), zsh.Bytes(), 0o644)
}
