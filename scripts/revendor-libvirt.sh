#!/usr/bin/env bash
# revendor-libvirt.sh [--patch FILE] VERSION [DEST]: vendor libvirt.org/go/libvirt at
# VERSION (a pinned version such as v1.11006.0) with our one local change applied.
#
# It downloads VERSION through the Go module proxy (checked against the checksum
# database as any module download is), copies it without what we neither build nor
# run (examples/, ci/ and the *_test.go files, which want a libvirtd of their own),
# applies FILE (default third_party/libvirt.org/go/libvirt.patch, whose header says
# why the change exists) and, only when every hunk applies as it is, puts the result
# in DEST. DEST defaults to third_party/libvirt.org/go/libvirt, which is replaced, and
# go.mod's require line is set to VERSION (go.mod's replace directive points there);
# any other DEST must not exist yet. Nothing is changed when a step fails.
#
# go test ./third_party runs this into a temporary DEST and compares the result with
# the vendored tree: the tree must be upstream + patch, nothing else.
#
# Exit status: 0 done; 1 the patch does not apply, or another failure; 2 usage;
# 3 the module could not be downloaded.
set -euo pipefail
module=libvirt.org/go/libvirt
root=$(cd "$(dirname "$0")/.." && pwd)
vendored=$root/third_party/$module
say() { printf 'revendor-libvirt: %s\n' "$*" >&2; }
usage() {
	say "usage: $0 [--patch FILE] VERSION [DEST]  (VERSION pinned, e.g. v1.11006.0)"
	exit 2
}

patch=$root/third_party/$module.patch
if [ "${1:-}" = --patch ]; then
	[ $# -ge 2 ] || usage
	patch=$2
	shift 2
fi
[ $# -ge 1 ] && [ $# -le 2 ] || usage
version=$1
dest=${2:-$vendored}
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
	say "version $version: give a pinned version such as v1.11006.0 (not latest, a branch or a commit: the vendoring must be repeatable)"
	exit 2
fi
[ -f "$patch" ] || { say "patch $patch: no such file"; exit 2; }
patch=$(cd "$(dirname "$patch")" && pwd)/$(basename "$patch")
if [ "$dest" != "$vendored" ] && [ -e "$dest" ]; then
	say "destination $dest exists: only $vendored is replaced, give a new path"
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/revendor-libvirt.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Outside any module (the temporary directory), so that go.mod and go.sum stay as
# they are; -mod=mod lets go mod download fetch whatever GOFLAGS says elsewhere.
if ! json=$(cd "$tmp" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$module@$version" 2>&1); then
	err=$(sed -n 's/^\t"Error": "\(.*\)"$/\1/p' <<<"$json")
	say "cannot download $module@$version through the Go module proxy ($(go env GOPROXY)): ${err:-$json}"
	exit 3
fi
src=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$json")
if [ -z "$src" ] || [ ! -d "$src" ]; then
	say "go mod download $module@$version named no module directory: $json"
	exit 1
fi

stage=$tmp/libvirt
cp -R "$src/." "$stage"
chmod -R u+w "$stage" # the module cache is read-only
rm -rf "$stage/examples" "$stage/ci"
find "$stage" -name '*_test.go' -delete

# git apply applies every hunk exactly (no fuzz) or nothing. The ceiling keeps it from
# taking a repository above the temporary directory for the tree to patch.
if ! out=$(cd "$stage" && GIT_CEILING_DIRECTORIES=$tmp git apply --whitespace=nowarn "$patch" 2>&1); then
	say "patch $patch does not apply to $module@$version, nothing changed:"
	printf '%s\n' "$out" | sed 's/^/  /' >&2
	say "make the change its header describes on $version by hand, then write the patch again (a git diff of the tree against upstream, under the same header)"
	exit 1
fi

if [ "$dest" = "$vendored" ]; then
	# The old tree is set aside on the same file system (a rename), removed at exit.
	old=$(mktemp -d "$(dirname "$vendored")/.libvirt-old.XXXXXX")
	trap 'rm -rf "$tmp" "$old"' EXIT
	mv "$vendored" "$old/libvirt"
	if ! mv "$stage" "$vendored"; then
		mv "$old/libvirt" "$vendored"
		say "cannot move the new tree to $vendored, the old one is back"
		exit 1
	fi
	(cd "$root" && go mod edit -require="$module@$version")
	say "$vendored is now $module@$version + $(basename "$patch"); go.mod requires $version"
	say "next: go test ./third_party, then build and test with and without -tags=libvirt_dlopen"
else
	mkdir -p "$(dirname "$dest")"
	mv "$stage" "$dest"
fi
