#!/usr/bin/env bash
# lab-clean.sh: remove every leftover of the kvmbackup lab on this machine: lab guests
# (domains named kvmblab-*), appliance QEMU processes, the lab's work files and the
# package test's chroots. The installed packages, the extracted kernel (make deps) and
# the package test's cached base chroot stay.
set -uo pipefail
say() { printf 'lab-clean: %s\n' "$*"; }
if command -v virsh >/dev/null && [ -S /run/libvirt/libvirt-sock ]; then
	for d in $(virsh -c qemu:///system list --all --name | grep '^kvmblab-'); do
		say "removing domain $d"
		virsh -c qemu:///system destroy "$d" >/dev/null 2>&1
		virsh -c qemu:///system undefine "$d" --nvram >/dev/null 2>&1
	done
fi
if pgrep -f 'qemu-system-x86_64 -name kvmbackup-lab-appliance' >/dev/null; then
	say "stopping appliance VMs"
	pkill -KILL -f 'qemu-system-x86_64 -name kvmbackup-lab-appliance'
fi
if [ -d /var/tmp/kvmbackup-lab ]; then
	say "removing /var/tmp/kvmbackup-lab"
	rm -rf /var/tmp/kvmbackup-lab
fi
LAB_DIR=${KVMBACKUP_LAB_DIR:-/var/lib/kvmbackup-lab}
for d in "$LAB_DIR"/deb-chroot/run-* "$LAB_DIR"/deb-chroot/build-*; do
	[ -d "$d" ] || continue
	say "removing the package test's chroot $d"
	rm -rf "$d"
done
say "done"
