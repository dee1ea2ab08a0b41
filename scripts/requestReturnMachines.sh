#!/bin/sh
# HostFactory provider script: requestReturnMachines -f <input.json>
exec "$(dirname -- "$(readlink -f -- "$0")")/run-operation.sh" requestReturnMachines "$@"
