#!/bin/sh
# notify-webhook.sh: POST kvmbackup's run report as JSON to a URL (notify.command),
# for a chat webhook or an alerting gateway.
#
#   notify:
#     command: [/usr/local/bin/notify-webhook.sh, https://hooks.example.org/kvmbackup]
#     on: always
#
# kvmbackup runs it as root, without a shell, the report (`kvmbackup run --json`)
# on stdin. Install it root's and 0755 (kvmbackup refuses a program anyone else
# could change). A token belongs in a root-only file, not in the config:
# NOTIFY_TOKEN_FILE=/etc/kvmbackup/webhook-token (read when it exists).
set -eu
url=${1:?usage: notify-webhook.sh URL}
token_file=${NOTIFY_TOKEN_FILE:-/etc/kvmbackup/webhook-token}
set -- --silent --show-error --fail --max-time 60 --retry 3 \
	--header 'Content-Type: application/json' --data-binary @-
if [ -r "$token_file" ]; then
	set -- "$@" --header "Authorization: Bearer $(cat "$token_file")"
fi
exec curl "$@" "$url"
