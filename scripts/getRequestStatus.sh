#!/bin/sh
# HostFactory provider script: getRequestStatus -f <input.json>
exec "$(dirname -- "$(readlink -f -- "$0")")/run-operation.sh" getRequestStatus "$@"
