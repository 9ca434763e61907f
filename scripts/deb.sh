#!/usr/bin/env bash
# deb.sh BIN VERSION OUTDIR GENDOCS: build OUTDIR/kvmbackup_DEBVERSION_ARCH.deb with
# dpkg-deb (`make deb`). BIN is the built kvmbackup; VERSION is `git describe --tags
# --always --dirty` (scripts/debversion.sh maps it to DEBVERSION); GENDOCS is the
# same kvmbackup built with -tags gendocs, which writes the man pages and completion
# (not packaged: BIN has no gendocs command). The package holds:
#
#   /usr/bin/kvmbackup                              the binary (libvirt is dlopen'ed)
#   /lib/systemd/system/kvmbackup{,-verify}.{service,timer}   the units, enabled by nobody
#   /etc/kvmbackup/config.yaml                      examples/config.yaml, a conffile, 0600
#   /usr/share/man/man1/kvmbackup*.1.gz             from the commands' own help
#   /usr/share/bash-completion/completions/kvmbackup, /usr/share/zsh/vendor-completions/_kvmbackup
#   /usr/share/doc/kvmbackup/                       README, copyright, changelog, example config
#
# Maintainer scripts: postinst makes /var/lib/kvmbackup (0700) and reloads systemd
# when it runs; prerm stops the timer and a running backup (cleanly) on removal;
# postrm purge forgets the timer's enablement and keeps /var/lib/kvmbackup (the run
# journals), saying so. Nothing is enabled or started.
#
# Reproducible: the pages' dates and every timestamp are $SOURCE_DATE_EPOCH (the
# Makefile sets it to the commit's time). Needs dpkg-deb, gzip and go (for the
# licences of the Go modules linked into BIN, from the module cache).
set -euo pipefail

die() { printf 'deb: ERROR: %s\n' "$*" >&2; exit 2; }

[ $# = 4 ] || die "usage: deb.sh BIN VERSION OUTDIR GENDOCS"
BIN=$1 VERSION=$2 OUT=$3 GENDOCS=$4
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MAINTAINER=${DEB_MAINTAINER:-kvmbackup authors <kvmbackup@users.noreply.github.com>}
HOMEPAGE=https://github.com/kvmbackup/kvmbackup

[ -x "$BIN" ] || die "$BIN: no such executable (make deb builds it)"
[ -x "$GENDOCS" ] || die "$GENDOCS: no such executable (make deb builds it)"
for t in dpkg-deb dpkg gzip go; do
	command -v "$t" >/dev/null || die "$t not found"
done
: "${SOURCE_DATE_EPOCH:=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH

day=$(TZ=UTC git -C "$ROOT" log -1 --date=format-local:%Y%m%d --format=%cd 2>/dev/null || true)
DEBVERSION=$(bash "$ROOT/scripts/debversion.sh" "$VERSION" "$day")
ARCH=$(dpkg --print-architecture)

umask 022
stage=$(mktemp -d "${TMPDIR:-/var/tmp}/kvmbackup-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
pkg=$stage/pkg
doc=$pkg/usr/share/doc/kvmbackup

# The binary, and the man pages and completion generated from its own help (by
# GENDOCS: the same commands, plus gendocs).
install -D -m 0755 "$BIN" "$pkg/usr/bin/kvmbackup"
"$GENDOCS" gendocs --man "$stage/man" --completion "$stage/completion"
install -d -m 0755 "$pkg/usr/share/man/man1"
for p in "$stage"/man/*.1; do
	gzip -9n -c "$p" >"$pkg/usr/share/man/man1/$(basename "$p").gz"
done
install -D -m 0644 "$stage/completion/kvmbackup" "$pkg/usr/share/bash-completion/completions/kvmbackup"
install -D -m 0644 "$stage/completion/_kvmbackup" "$pkg/usr/share/zsh/vendor-completions/_kvmbackup"

# The units, naming the packaged binary.
install -d -m 0755 "$pkg/lib/systemd/system"
for u in kvmbackup.service kvmbackup.timer kvmbackup-verify.service kvmbackup-verify.timer kvmbackup-notify@.service; do
	sed 's|@BINDIR@|/usr/bin|g' "$ROOT/dist/$u" >"$pkg/lib/systemd/system/$u"
	chmod 0644 "$pkg/lib/systemd/system/$u"
done

# The configuration: a conffile, root's alone (it may come to hold secrets).
install -D -m 0600 "$ROOT/examples/config.yaml" "$pkg/etc/kvmbackup/config.yaml"
install -d -m 0755 "$pkg/usr/share/lintian/overrides"
cat >"$pkg/usr/share/lintian/overrides/kvmbackup" <<'EOF'
# The configuration is root's alone on purpose, as every file kvmbackup writes.
kvmbackup: non-standard-file-perm 0600 != 0644 [etc/kvmbackup/config.yaml]
EOF
chmod 0644 "$pkg/usr/share/lintian/overrides/kvmbackup"

# The docs.
install -d -m 0755 "$doc/examples"
gzip -9n -c "$ROOT/README.md" >"$doc/README.md.gz"
install -m 0644 "$ROOT/examples/config.yaml" "$doc/examples/config.yaml"
{
	printf 'kvmbackup (%s) unstable; urgency=medium\n\n' "$DEBVERSION"
	printf '  * Built from git %s (git describe);\n' "$VERSION"
	printf '    the history is the git log of %s.\n\n' "$HOMEPAGE"
	printf ' -- %s  %s\n' "$MAINTAINER" "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"

# copyright (machine-readable, DEP-5): kvmbackup's own licence, then one paragraph
# per Go module linked into the binary (and Go's standard library), each with the
# licence text the module ships; Apache-2.0 ones point to common-licenses.
licence_name() { # FILE: the SPDX-style short names of the licence text in FILE
	local f=$1 n=()
	grep -q 'Apache License' "$f" && grep -q 'Version 2.0' "$f" && n+=(Apache-2.0)
	grep -q 'Permission is hereby granted, free of charge' "$f" && n+=(Expat)
	if grep -q 'Redistribution and use' "$f"; then
		if grep -qiE 'Neither the name|names of (its|the) contributors|name of the copyright holder' "$f"; then
			n+=(BSD-3-Clause)
		else
			n+=(BSD-2-Clause)
		fi
	fi
	local IFS=' '
	[ ${#n[@]} -gt 0 ] || return 1
	echo "${n[*]}" | sed 's/ / and /g'
}
indent() { sed -e 's/[[:space:]]*$//' -e 's/^$/./' -e 's/^/ /' "$1"; }
modcache=$(go env GOMODCACHE)
goroot=$(go env GOROOT)
{
	cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: kvmbackup
Upstream-Contact: $MAINTAINER
Source: $HOMEPAGE
Comment: /usr/bin/kvmbackup is a Go program: it is statically linked with the Go
 standard library and the Go modules of the paragraphs below (named vendor/MODULE),
 each under its own licence.

Files: *
Copyright: 2026 the kvmbackup authors
License: Apache-2.0
EOF
	{
		go version -m "$BIN" | awk '$1 == "dep" { print $2, $3 }'
		echo "std $(go env GOVERSION)"
	} | while read -r mod ver; do
		case $mod in
		std) dir=$goroot ;;
		libvirt.org/go/libvirt) dir=$ROOT/third_party/libvirt.org/go/libvirt ;; # replaced: vendored
		*)
			# The module cache escapes capitals as !lower.
			esc=$(printf '%s' "$mod" | sed 's/[A-Z]/!\L&/g')
			dir=$modcache/$esc@$ver
			;;
		esac
		mapfile -t files < <(find "$dir" -maxdepth 1 -type f -iregex '.*/\(licen[cs]e\|copying\)[^/]*' | sort)
		[ ${#files[@]} -gt 0 ] || die "no licence file for the Go module $mod $ver in $dir"
		names=() holders=()
		for f in "${files[@]}"; do
			n=$(licence_name "$f") || die "$f: licence not recognised; name it in scripts/deb.sh"
			names+=("$n")
			mapfile -t -O "${#holders[@]}" holders < <(sed -nE -e 's/^[[:space:]>]*Copyright[[:space:]]*(\([cC]\)|©)[[:space:]]*(.+)$/\2/p' \
				-e 's/^[[:space:]>]*Copyright[[:space:]]+([0-9].*)$/\1/p' "$f")
		done
		[ ${#holders[@]} -gt 0 ] || holders=("the authors of $mod")
		name=$(printf '%s\n' "${names[@]}" | sed 's/ and /\n/g' | sort -u | paste -sd' ' | sed 's/ / and /g')
		if [ "$mod" = std ]; then
			printf '\nFiles: vendor/go/*\nComment: the Go standard library, %s\n' "$ver"
		else
			printf '\nFiles: vendor/%s/*\nComment: %s %s\n' "$mod" "$mod" "$ver"
		fi
		printf 'Copyright: %s\n' "${holders[0]}"
		for h in "${holders[@]:1}"; do printf ' %s\n' "$h"; done
		# A file that is the Apache licence alone is the standalone paragraph's text.
		printf 'License: %s\n' "$name"
		for i in "${!files[@]}"; do
			[ "${names[$i]}" = Apache-2.0 ] || indent "${files[$i]}"
		done
	done
	cat <<EOF

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License"); you may not
 use this file except in compliance with the License. You may obtain a copy of
 the License at http://www.apache.org/licenses/LICENSE-2.0
 .
 On Debian systems, the complete text of the Apache License, Version 2.0 can
 be found in "/usr/share/common-licenses/Apache-2.0".
EOF
} >"$doc/copyright"
chmod 0644 "$doc/copyright"

# Maintainer scripts.
install -d -m 0755 "$pkg/DEBIAN"
echo /etc/kvmbackup/config.yaml >"$pkg/DEBIAN/conffiles"
cat >"$pkg/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
	# The journal of kvmbackup's runs, root's alone. Not in the package: dpkg would
	# remove it on purge, and it must outlive the package (see postrm).
	[ -d /var/lib/kvmbackup ] || install -d -m 0700 /var/lib/kvmbackup
	# Enable nothing; record what enabling the timer would link, so that purge can
	# unlink it whoever enabled it.
	if command -v deb-systemd-helper >/dev/null 2>&1; then
		deb-systemd-helper update-state kvmbackup.timer >/dev/null || true
		deb-systemd-helper update-state kvmbackup-verify.timer >/dev/null || true
	fi
fi
if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
exit 0
EOF
cat >"$pkg/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
# On removal, no next run from the timer; a run in progress stops the way SIGTERM
# stops it (guests resumed, snapshots removed, half-written datasets rolled back),
# then its ExecStopPost= `kvmbackup recover`, while the binary is still here.
if [ "$1" = remove ] && [ -d /run/systemd/system ] && command -v deb-systemd-invoke >/dev/null 2>&1; then
	deb-systemd-invoke stop kvmbackup.timer kvmbackup-verify.timer kvmbackup.service kvmbackup-verify.service >/dev/null || true
fi
exit 0
EOF
cat >"$pkg/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
case "$1" in
remove)
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
	fi
	;;
purge)
	# dpkg removes the conffile /etc/kvmbackup/config.yaml; this forgets the timer.
	if command -v deb-systemd-helper >/dev/null 2>&1; then
		deb-systemd-helper purge kvmbackup.timer >/dev/null || true
		deb-systemd-helper purge kvmbackup-verify.timer >/dev/null || true
	fi
	if [ -d /var/lib/kvmbackup ]; then
		echo "kvmbackup: kept /var/lib/kvmbackup: the journals of its runs, which a reinstalled" >&2
		echo "kvmbackup: kvmbackup needs to undo what a killed run left. Remove it by hand if" >&2
		echo "kvmbackup: you are sure no run left anything. The backups in ZFS are never touched." >&2
	fi
	;;
esac
exit 0
EOF
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm" "$pkg/DEBIAN/postrm"

# Depends: what kvmbackup runs (grep runner.New): libvirt.so.0 (dlopen'ed), lvm,
# zfs and zpool (and libzfs_core.so.3 and libnvpair.so.3, dlopen'ed: libzfs4linux and
# libnvpair3linux, which zfsutils-linux pulls in too), e2fsck, mount/umount/losetup, and fsck/blkid/lsblk of the
# essential util-linux, and systemctl/journalctl of systemd for `notify --unit` (the
# OnFailure= unit), ssh of openssh-client for replicate to ssh:// targets, dmsetup
# and thin_delta (thin-provisioning-tools) for changed-block tracking of thin LVs. util-linux is versioned, as Policy asks of an essential dependency: Debian
# 12's). Recommended: the libvirt daemon it talks to (any KVM host has it). Suggested:
# the checkers of other filesystems than ext2/3/4, run by fsck -p of XFS filesystems
# in file mode and by `kvmbackup verify` (without them it says which to install):
# xfsprogs (xfs_repair), dosfstools (fsck.vfat), btrfs-progs (btrfs check).
# libc6's version: the newest GLIBC_ symbol version the binary needs.
glibc=$(LC_ALL=C grep -aoE 'GLIBC_2\.[0-9]+' "$BIN" | sort -t. -k2,2n -u | tail -n1 | sed 's/GLIBC_//')
[ -n "$glibc" ] || die "$BIN: no GLIBC_ symbol version found (is it dynamically linked?)"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<EOF
Package: kvmbackup
Version: $DEBVERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $size
Depends: libc6 (>= $glibc), libvirt0, lvm2, dmsetup, thin-provisioning-tools, zfsutils-linux, libzfs4linux, libnvpair3linux, e2fsprogs, mount, util-linux (>= 2.38), systemd, openssh-client
Recommends: libvirt-daemon-system | libvirt-daemon
Suggests: xfsprogs, dosfstools, btrfs-progs
Section: admin
Priority: optional
Homepage: $HOMEPAGE
Description: crash-consistent backups of KVM/libvirt VMs into ZFS
 kvmbackup backs up the virtual machines of a KVM/libvirt host into a
 mirrored, compressed ZFS pool: it quiesces each group of guests for a
 moment, takes LVM snapshots of their disks, resumes them at once, copies
 only the changed blocks into each VM's dataset and takes a dated ZFS
 snapshot, then prunes old snapshots by a retention policy. It restores a VM
 from any dated snapshot.
 .
 The kvmbackup.timer unit runs a backup every night once enabled, and
 kvmbackup-verify.timer a weekly verify that reads, checks and boots the
 newest backups with no network; the package enables nothing. Edit /etc/kvmbackup/config.yaml and run
 "kvmbackup check" first.
EOF

(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/md5sums"
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$OUT"
deb=$OUT/kvmbackup_${DEBVERSION}_$ARCH.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb.tmp" >/dev/null
mv -f "$deb.tmp" "$deb"
echo "built $deb"
