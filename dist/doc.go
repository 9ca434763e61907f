// Package dist holds kvmbackup's systemd units (kvmbackup.service, kvmbackup.timer),
// which `make install` puts in place with the installed binary's path. It has no
// code: its test runs `make install` and `make uninstall` into a temporary root and
// checks the tree they leave, and has systemd-analyze verify the installed units.
package dist
