#!/bin/sh
# HostFactory provider script: requestReturnMachines -f <input.json>
# Its dir from $0 when this is no symlink (no process started), else through readlink.
case $0 in */*) [ -L "$0" ] || exec "${0%/*}/run-operation.sh" requestReturnMachines "$@" ;; esac
exec "$(dirname -- "$(readlink -f -- "$0")")/run-operation.sh" requestReturnMachines "$@"
