#!/bin/sh
# HostFactory provider script: requestMachines -f <input.json>
exec "$(dirname -- "$(readlink -f -- "$0")")/run-operation.sh" requestMachines "$@"
