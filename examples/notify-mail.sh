#!/bin/sh
# notify-mail.sh: mail kvmbackup's run report to an address (notify.command).
#
#   notify:
#     command: [/usr/local/bin/notify-mail.sh, root@example.org]
#     on: failure
#
# kvmbackup runs it as root, without a shell, the report (`kvmbackup run --json`)
# on stdin. Install it root's and 0755 (kvmbackup refuses a program anyone else
# could change). Needs a sendmail (postfix, exim4, msmtp-mta, ...); jq, when
# present, makes the subject and summary readable.
set -eu
to=${1:?usage: notify-mail.sh ADDRESS}
report=$(cat)
host=$(hostname -f 2>/dev/null || hostname)
subject="kvmbackup on $host"
summary=""
if command -v jq >/dev/null 2>&1; then
	subject="$subject: $(printf '%s' "$report" | jq -r '
		([.vms[]?, .paths[]?] | map(select(.status != "ok")) | length) as $failed
		| if (.errors | length) > 0 or $failed > 0 then "FAILED (\($failed) not backed up)" else "ok" end')"
	summary=$(printf '%s' "$report" | jq -r '
		"run \(.run) started \(.start)",
		(.vms[]? | "VM   \(.name): \(.status)\(if .error then " - " + .error else "" end)"),
		(.paths[]? | "path \(.name): \(.status)\(if .error then " - " + .error else "" end)"),
		(.errors[]? | "error: \(.)")')
fi
{
	printf 'To: %s\nSubject: %s\nContent-Type: text/plain; charset=utf-8\n\n' "$to" "$subject"
	[ -n "$summary" ] && printf '%s\n\n' "$summary"
	printf 'The full report (kvmbackup run --json):\n%s\n' "$report"
} | "${SENDMAIL:-/usr/sbin/sendmail}" -t -oi
