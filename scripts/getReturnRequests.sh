#!/bin/sh
# HostFactory provider script: getReturnRequests -f <input.json>
exec "$(dirname -- "$(readlink -f -- "$0")")/run-operation.sh" getReturnRequests "$@"
