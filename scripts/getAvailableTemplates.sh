#!/bin/sh
# HostFactory provider script: getAvailableTemplates -f <input.json>
exec "$(dirname -- "$(readlink -f -- "$0")")/run-operation.sh" getAvailableTemplates "$@"
