// Package dist holds kvmbackup's systemd units (kvmbackup.service and .timer, the
// weekly kvmbackup-verify.service and .timer, kvmbackup-notify@.service), which
// `make install` and `make deb` put in place with the installed binary's path.
// It has no code. Its tests run `make install` and `make uninstall` into a temporary
// root and check the tree they leave, have systemd-analyze verify the installed
// units, build the Debian package (`make deb`, scripts/deb.sh) and check what it
// holds, and install, run, remove and purge it in a Debian 12 chroot.
package dist
