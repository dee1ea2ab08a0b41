#!/bin/sh
# HostFactory provider script: getReturnRequests -f <input.json>
# Its dir from $0 when this is no symlink (no process started), else through readlink.
case $0 in */*) [ -L "$0" ] || exec "${0%/*}/run-operation.sh" getReturnRequests "$@" ;; esac
exec "$(dirname -- "$(readlink -f -- "$0")")/run-operation.sh" getReturnRequests "$@"
