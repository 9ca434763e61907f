#!/usr/bin/env bash
# debversion.sh DESCRIBE [YYYYMMDD]: the Debian version of a version from
# `git describe --tags --match 'v[0-9]*' --always --dirty` (the Makefile's VERSION: only release tags count):
#
#   v0.27.0                 0.27.0
#   v0.27.0-3-gabc1234      0.27.0+git3.abc1234     (3 commits after the tag)
#   v1.0.0-rc1              1.0.0~rc1               (sorts before 1.0.0)
#   abc1234 (no tag yet)    0~git20261202.abc1234   (YYYYMMDD: the commit's date, UTC)
#   any of them -dirty      ...+dirty
#
# A later tag, or more commits after the same tag, sort later (dpkg --compare-versions);
# a release after its pre-releases; untagged builds by their commit's day (two of one
# day by their hash). A version it cannot map is an error (exit 2).
set -euo pipefail

die() { printf 'debversion: %s\n' "$*" >&2; exit 2; }

d=${1:-}
date=${2:-}
[ -n "$d" ] || die "usage: debversion.sh DESCRIBE [YYYYMMDD]"
dirty=
if [[ $d == *-dirty ]]; then
	dirty=+dirty
	d=${d%-dirty}
fi
if [[ $d =~ ^[0-9a-f]{4,40}$ ]]; then
	# --always without a tag: the abbreviated commit alone.
	[[ $date =~ ^[0-9]{8}$ ]] || die "$1: no tag, so the commit's date (YYYYMMDD) is needed as the second argument"
	v="0~git$date.$d"
else
	tag=$d after=
	if [[ $d =~ ^(.+)-([0-9]+)-g([0-9a-f]{4,40})$ ]]; then
		tag=${BASH_REMATCH[1]}
		after="+git${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
	fi
	[[ $tag =~ ^v?([0-9][0-9A-Za-z.+-]*)$ ]] || die "$1: tag $tag is not a version (vX.Y.Z)"
	tag=${BASH_REMATCH[1]}
	# A pre-release suffix (v1.0.0-rc1) sorts before the release in Debian with ~.
	v="${tag//-/\~}$after"
fi
v+=$dirty
[[ $v =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || die "$1: $v is not a valid Debian version"
printf '%s\n' "$v"
