#!/usr/bin/env bash
# test.sh: the whole suite, verbose, then a count of tests passed, failed and skipped.
# With KVMBACKUP_LAB=1 (CI) a skipped test is a failure: lab tests may not skip there.
set -uo pipefail
log=$(mktemp /var/tmp/kvmbackup-test.XXXXXX.log)
trap 'rm -f "$log"' EXIT
# -p 1: the lab's libvirtd is one per machine, and some tests act on it as a whole
# (recover resumes every marked VM): packages must not run at the same time.
# The orchestrator's tests (fakes, fault injection: its goroutines and theirs) run
# with the race detector, apart: a data race there fails CI every time, not once in
# a while as a crash.
go test -p 1 -count=1 -timeout 40m -v "$@" $(go list ./... | grep -vx 'github.com/kvmbackup/kvmbackup/orchestrator') 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
go test -race -count=1 -timeout 10m -v "$@" ./orchestrator 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
# The gendocs command's tests: it is built with the gendocs tag alone (make docs);
# -tags replaces GOFLAGS' tags, hence libvirt_dlopen again. The caller's arguments
# come first, so that this -run is the one that holds; and they must have run (a
# -run that matches nothing passes): no TestGendocs pass is a failure.
gendocs=$(mktemp /var/tmp/kvmbackup-test-gendocs.XXXXXX.log)
go test -count=1 -v "$@" -tags libvirt_dlopen,gendocs -run '^TestGendocs' ./cmd/kvmbackup 2>&1 | tee "$gendocs"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
if ! grep -qE '^--- PASS: TestGendocs' "$gendocs"; then
	echo "scripts/test.sh: no TestGendocs test ran (-tags gendocs): the man pages and completion went untested" >&2
	status=1
fi
cat "$gendocs" >>"$log"
rm -f "$gendocs"
passed=$(grep -cE '^\s*--- PASS' "$log")
failed=$(grep -cE '^\s*--- FAIL' "$log")
skipped=$(grep -cE '^\s*--- SKIP' "$log")
echo
if [ "$skipped" -gt 0 ]; then
	echo "skipped tests:"
	grep -E -A1 '^\s*--- SKIP' "$log" | sed 's/^/  /'
fi
# A test binary that dies (a panic, a fatal error such as a data race's crash) has
# no --- FAIL line for what it was running: its package's FAIL line says it.
pkgfailed=$(grep -E '^FAIL\s+\S+' "$log" | sort -u)
if [ -n "$pkgfailed" ]; then
	echo "packages failed:"
	echo "$pkgfailed" | sed 's/^/  /'
fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ "${KVMBACKUP_LAB:-}" = 1 ] && [ "$skipped" -gt 0 ]; then
	echo "KVMBACKUP_LAB=1: $skipped tests skipped; lab tests may not skip here" >&2
	exit 1
fi
exit "$status"
