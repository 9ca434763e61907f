#!/usr/bin/env bash
# deps.sh: install everything kvmbackup and its lab need on a Debian 12 machine, as root.
#
# Idempotent: every step checks first and does nothing when it is already done, so a
# second run with everything present takes seconds. Each step it takes is printed.
# The lab state (the extracted Debian kernel) lives under $KVMBACKUP_LAB_DIR
# (default /var/lib/kvmbackup-lab).
set -euo pipefail

LAB_DIR=${KVMBACKUP_LAB_DIR:-/var/lib/kvmbackup-lab}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: ERROR: %s\n' "$*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "run as root (it installs Debian packages and starts libvirtd)"
[ -r /etc/debian_version ] || die "this script supports Debian 12 only"

# debootstrap: the Debian 12 chroot the package test (dist/) installs kvmbackup's .deb into.
PKGS=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-dev
      qemu-system-x86 qemu-utils qemu-guest-agent busybox-static cpio
      lvm2 thin-provisioning-tools e2fsprogs fdisk rsync pkg-config gcc make kmod dkms
      debootstrap)

missing_pkgs() {
	local p out=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || out+=("$p")
	done
	echo "${out[@]:-}"
}

apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return
	say "apt-get update"
	apt-get update -qq
	apt_updated=1
}

# extract_debs DIR PKG...: the Debian packages PKG downloaded (apt-get download: not
# installed) and extracted into DIR.new, made afresh, with a line "PACKAGE VERSION"
# each in DIR.new/VERSION. The caller checks and completes DIR.new, then puts it in
# place of DIR (so that DIR is there only when it is whole: the step's check).
extract_debs() {
	local dir=$1 tmp deb
	shift
	apt_update
	tmp=$(mktemp -d)
	chown _apt: "$tmp" 2>/dev/null || true # apt downloads as _apt
	(cd "$tmp" && apt-get download -qq "$@" >/dev/null)
	rm -rf "$dir.new"
	mkdir -p "$dir.new"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$dir.new"
		printf '%s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" >>"$dir.new/VERSION"
	done
	rm -rf "$tmp"
}

# 1. The contrib component (OpenZFS lives there).
CONTRIB=/etc/apt/sources.list.d/kvmbackup-contrib.sources
if ! grep -rqs '^Components:.*contrib' /etc/apt/sources.list.d/ && ! grep -qs '^deb .* contrib' /etc/apt/sources.list; then
	say "adding Debian's contrib component ($CONTRIB)"
	cat >"$CONTRIB" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt_update
fi

# 2. Base packages.
miss=$(missing_pkgs "${PKGS[@]}")
if [ -n "$miss" ]; then
	apt_update
	say "installing: $miss"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $miss >/dev/null
fi

# 3. The Debian kernel the lab boots: the version linux-image-amd64 depends on.
KV_FILE=$LAB_DIR/kernel/VERSION
if [ -s "$KV_FILE" ] && [ -s "$LAB_DIR/kernel/boot/vmlinuz-$(cat "$KV_FILE")" ]; then
	KV=$(cat "$KV_FILE")
else
	apt_update
	KV=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)
	[ -n "$KV" ] || die "cannot find the kernel version linux-image-amd64 depends on"
	say "extracting the Debian kernel linux-image-$KV into $LAB_DIR/kernel (not installed)"
	extract_debs "$LAB_DIR/kernel" "linux-image-$KV"
	echo "$KV" >"$LAB_DIR/kernel.new/VERSION" # the kernel's version alone (testenv reads it)
	rm -rf "$LAB_DIR/kernel"
	mv "$LAB_DIR/kernel.new" "$LAB_DIR/kernel"
fi
say "lab kernel: $KV"

# 3b. The same kernel uncompressed (an ELF with a PVH entry note), which QEMU boots
# directly: no BIOS real-mode loader and no xz decompression under TCG, where both
# are slow (a guest ready in ~2.5 s instead of ~5.5 s on the machine, ~65 s instead of ~120 s nested).
VMLINUX=$LAB_DIR/kernel/boot/vmlinux-$KV
if [ ! -s "$VMLINUX" ]; then
	VMLINUZ=$LAB_DIR/kernel/boot/vmlinuz-$KV
	# The first xz magic's offset; all of grep's output is read (no head: SIGPIPE
	# under pipefail).
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$VMLINUZ" | cut -d: -f1)
	off=${off%%$'\n'*}
	[ -n "$off" ] || die "$VMLINUZ: no xz stream found (the lab expects Debian's xz-compressed kernel)"
	# xz stops at the end of its stream and tail may then die of SIGPIPE: only xz's
	# status counts (and the ELF check below).
	{ tail -c +$((off + 1)) "$VMLINUZ" || true; } | xz -dc --single-stream >"$VMLINUX.new" ||
		die "$VMLINUZ: decompressing its xz stream at offset $off failed"
	[ "$(head -c 4 "$VMLINUX.new" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		die "$VMLINUZ: its xz stream at offset $off is not an ELF kernel"
	mv "$VMLINUX.new" "$VMLINUX"
	say "lab kernel uncompressed for direct (PVH) boot: $VMLINUX"
fi

# 3c. The tiny guest kernel: Debian's linux-source built with only what the lab's
# guests use, all built in (testenv/guest-kernel.config). A guest of the Debian kernel
# spends most of its boot in initcalls and module loads; nested (TCG inside TCG) that
# is minutes. Built once (~5 minutes on 2 cores) and kept while the config and the
# source package are the same (guest-kernel/KEY).
GK_DIR=$LAB_DIR/guest-kernel
GK_CONF=$ROOT/testenv/guest-kernel.config
gk_key() {
	printf '%s %s\n' "$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null)" "$(sha256sum <"$GK_CONF" | cut -d' ' -f1)"
}
GK_SRC_PKG=linux-source-$(echo "$KV" | cut -d. -f1,2)
if [ ! -s "$GK_DIR/vmlinux" ] || [ "$(cat "$GK_DIR/KEY" 2>/dev/null)" != "$(gk_key "$GK_SRC_PKG")" ]; then
	miss=$(missing_pkgs "$GK_SRC_PKG" flex bison bc libelf-dev)
	if [ -n "$miss" ]; then
		apt_update
		say "installing (to build the tiny guest kernel): $miss"
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $miss >/dev/null
	fi
	tarball=$(ls /usr/src/"$GK_SRC_PKG".tar.xz 2>/dev/null) || die "$GK_SRC_PKG installed no /usr/src/$GK_SRC_PKG.tar.xz"
	say "building the tiny guest kernel from $tarball with $GK_CONF (~5 minutes, once)"
	build=$LAB_DIR/guest-kernel.build
	rm -rf "$build"
	mkdir -p "$build"
	tar -xf "$tarball" -C "$build" --strip-components=1
	log=$build/build.log
	(
		cd "$build"
		make -s tinyconfig
		scripts/kconfig/merge_config.sh -m .config "$GK_CONF"
		make -s olddefconfig
	) >"$log" 2>&1 || die "configuring the guest kernel failed: see $log"
	# An option whose dependencies are not met is dropped silently by olddefconfig:
	# every line of the fragment must be in the result.
	while IFS= read -r line; do
		case "$line" in ''|'#'*) continue ;; esac
		name=${line%%=*} want=${line#*=}
		if [ "$want" = n ]; then
			grep -qx "$name=[ym].*" "$build/.config" && die "guest kernel: $name is set though $GK_CONF says n"
		else
			grep -qx "$line" "$build/.config" || die "guest kernel: $line did not survive make olddefconfig (a dependency is missing from $GK_CONF)"
		fi
	done <"$GK_CONF"
	(cd "$build" && make -s -j"$(nproc)" vmlinux) >>"$log" 2>&1 || die "building the guest kernel failed: see $log"
	mkdir -p "$GK_DIR"
	cp "$build/vmlinux" "$GK_DIR/vmlinux.new"
	cp "$build/.config" "$GK_DIR/config"
	mv "$GK_DIR/vmlinux.new" "$GK_DIR/vmlinux"
	gk_key "$GK_SRC_PKG" >"$GK_DIR/KEY"
	rm -rf "$build"
	say "tiny guest kernel: $GK_DIR/vmlinux ($(du -h "$GK_DIR/vmlinux" | cut -f1))"
fi

# 4. OpenZFS: zfs-dkms built for the lab kernel, zfsutils-linux pinned to its version.
ZFS_KO=/usr/lib/modules/$KV/updates/dkms/zfs.ko
if [ ! -s "$ZFS_KO" ] || ! command -v zfs >/dev/null; then
	apt_update
	ZV=$(apt-cache policy zfs-dkms | sed -n 's/^  Candidate: //p')
	[ -n "$ZV" ] && [ "$ZV" != "(none)" ] || die "zfs-dkms not found (is contrib enabled?)"
	miss=$(missing_pkgs "linux-headers-$KV")
	if [ -n "$miss" ]; then
		say "installing linux-headers-$KV"
		apt-get install -y -qq --no-install-recommends "linux-headers-$KV" >/dev/null
	fi
	if [ -n "$(missing_pkgs zfs-dkms zfsutils-linux)" ]; then
		say "installing zfs-dkms and zfsutils-linux $ZV (the module build takes ~8 minutes)"
		apt-get install -y -qq --no-install-recommends \
			"zfs-dkms=$ZV" "zfsutils-linux=$ZV" "libnvpair3linux=$ZV" "libuutil3linux=$ZV" \
			"libzfs4linux=$ZV" "libzpool5linux=$ZV" >/dev/null || true
	fi
	if [ ! -s "$ZFS_KO" ]; then
		zsrc=${ZV%%-*}
		say "building the ZFS modules for $KV with dkms (zfs/$zsrc)"
		dkms install "zfs/$zsrc" -k "$KV" >/dev/null
	fi
	[ -s "$ZFS_KO" ] || die "ZFS module missing after the build: $ZFS_KO"
	command -v zfs >/dev/null || die "zfsutils-linux did not install the zfs command"
fi
say "OpenZFS: $(dpkg-query -W -f='${Version}' zfsutils-linux), module $ZFS_KO"

# 4b. sshd for the replication lab tests (ssh:// targets against a real sshd inside the
# appliance): openssh-server extracted into the lab dir, NOT installed (installing it
# would start sshd on port 22 of this machine), with the libraries it needs that the
# machine lacks (libwrap0 on a machine without openssh-server). The tests run it with
# LD_LIBRARY_PATH=$SSHD_DIR/usr/lib/x86_64-linux-gnu (testenv.StartSSHD).
SSHD_DIR=$LAB_DIR/sshd
SSHD_PKGS=(openssh-server libwrap0)
sshd_missing_libs() {
	local out
	out=$(LD_LIBRARY_PATH=$1/usr/lib/x86_64-linux-gnu:$1/lib/x86_64-linux-gnu ldd "$1/usr/sbin/sshd" 2>&1) || { echo "ldd failed: $out"; return; }
	# Not `ldd | grep`: under pipefail grep -q's early exit can fail the pipeline.
	while IFS= read -r l; do
		[[ $l == *"not found"* ]] && printf '%s ' "${l%% =>*}"
	done <<<"$out"
	return 0
}
if [ ! -x "$SSHD_DIR/usr/sbin/sshd" ] || [ -n "$(sshd_missing_libs "$SSHD_DIR")" ]; then
	say "extracting ${SSHD_PKGS[*]} into $SSHD_DIR (not installed: no sshd is started on this machine)"
	extract_debs "$SSHD_DIR" "${SSHD_PKGS[@]}"
	miss=$(sshd_missing_libs "$SSHD_DIR.new")
	[ -z "$miss" ] || die "the extracted sshd still lacks libraries: $miss (add their packages to SSHD_PKGS in $0)"
	rm -rf "$SSHD_DIR"
	mv "$SSHD_DIR.new" "$SSHD_DIR"
fi
say "lab sshd: $SSHD_DIR/usr/sbin/sshd ($(paste -sd ' ' "$SSHD_DIR/VERSION"))"

# 5. libvirt without systemd: users, groups, directories, qemu.conf, daemons.
for g in libvirt-qemu kvm libvirt; do
	getent group "$g" >/dev/null || { say "adding group $g"; groupadd -r "$g"; }
done
getent passwd libvirt-qemu >/dev/null || { say "adding user libvirt-qemu"; useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu; }
for d in /var/log/libvirt /var/lib/libvirt/qemu /var/cache/libvirt /run/libvirt; do
	[ -d "$d" ] || { say "creating $d"; mkdir -p "$d"; }
done
QCONF=/etc/libvirt/qemu.conf
WANT='# written by kvmbackup deps.sh for the lab (no systemd, no KVM)
user = "root"
group = "root"
security_driver = "none"
dynamic_ownership = 0
namespaces = []'
if [ "$(cat "$QCONF" 2>/dev/null)" != "$WANT" ]; then
	say "writing $QCONF"
	mkdir -p /etc/libvirt
	printf '%s\n' "$WANT" >"$QCONF"
	# a running libvirtd must reread it
	pkill -x libvirtd 2>/dev/null && sleep 1 || true
fi
if ! pgrep -x virtlogd >/dev/null; then
	say "starting virtlogd"
	virtlogd -d
fi
if ! pgrep -x libvirtd >/dev/null; then
	say "starting libvirtd"
	libvirtd -d
fi
for _ in $(seq 1 100); do
	[ -S /run/libvirt/libvirt-sock ] && break
	sleep 0.1
done
[ -S /run/libvirt/libvirt-sock ] || die "libvirtd did not open /run/libvirt/libvirt-sock"
# Not `virsh ... | grep -q`: under pipefail, grep -q's early exit can kill virsh with
# SIGPIPE and fail the pipeline though the line was there (a fresh machine's make deps
# failed so). A libvirtd started moments ago may also answer before it has probed
# QEMU: ask again for up to 2 minutes before calling it broken.
qemu_ok() {
	local caps
	caps=$(virsh -c qemu:///system capabilities 2>/dev/null) || return 1
	[[ $caps == *"domain type='qemu'"* ]]
}
for _ in $(seq 1 60); do
	qemu_ok && break
	sleep 2
done
if ! qemu_ok; then
	die "libvirt's QEMU driver reports no domain type 'qemu' after 2 minutes (see /var/log/libvirt)"
fi
say "libvirtd running, qemu:///system usable"
say "done"
