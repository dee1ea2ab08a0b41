#!/bin/sh
# HostFactory provider script: getAvailableTemplates -f <input.json>
# Its dir from $0 when this is no symlink (no process started), else through readlink.
case $0 in */*) [ -L "$0" ] || exec "${0%/*}/run-operation.sh" getAvailableTemplates "$@" ;; esac
exec "$(dirname -- "$(readlink -f -- "$0")")/run-operation.sh" getAvailableTemplates "$@"
