// Package docs holds kvmbackup's documentation for its users, as Markdown files
// written from the code: retention.md, layout.md, restore-after-host-loss.md and
// reading-without-kvmbackup.md. It has no code: its test keeps the files (and
// README.md) honest where that is cheap: the names they must show, the links they
// make, and no reference to anything outside the repository.
package docs
