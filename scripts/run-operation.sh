#!/bin/sh
# Runs one HostFactory operation of this provider: `run-operation.sh <operation> -f <input.json>`.
# Works from any current directory and through symlinks; prints only the response JSON on stdout.
# HOSTFACTORY_NODE may name the node binary when it is not on HostFactory's PATH.
#
# While `hostfactory serve` runs for this provider instance, the call goes to it through the socket
# in the work dir: with curl when it is on PATH (no node started at all), else with a small node
# client. Either way the output, the stderr line and the exit code are the in-process ones. A call
# no server took runs in-process; a call the server took and never answered runs again in-process
# only when it is repeatable (src/shared/hostfactory-protocol.ts, REPEATABLE_OPERATIONS).
set -e

# Runs <file of dist/bundle> with node, from this script's real dir (a served call never needs it:
# it starts no process but curl).
run_node() {
  here=$(dirname -- "$(readlink -f -- "$0")")
  bundle_file=$1
  shift
  exec "${HOSTFACTORY_NODE:-node}" "$here/../dist/bundle/$bundle_file" "$@"
}

# The work dir as the CLI finds it (src/infrastructure/config/runtime-settings.ts). Should the two
# ever disagree, the socket is not found and the call runs in-process: slower, never wrong.
name=${HF_PROVIDER_NAME:-sim}
if [ -n "$HF_PROVIDER_WORKDIR" ]; then workdir=$HF_PROVIDER_WORKDIR
elif [ -n "$HF_WORKDIR" ]; then workdir=$HF_WORKDIR/providers/$name
else workdir=${XDG_STATE_HOME:-$HOME/.local/state}/hostfactory/$name/work
fi
socket=$workdir/hostfactory.sock

case $1 in getAvailableTemplates|requestMachines|getRequestStatus|requestReturnMachines|getReturnRequests) ;; *) socket= ;; esac
if [ -n "$socket" ] && [ $# -eq 3 ] && [ "$2" = -f ] && [ -S "$socket" ]; then
  cr=$(printf '\r')
  nl='
'
  tab='	'
  # A file name a header cannot carry as is goes the in-process way (it names the file in errors).
  case $3 in *"$nl"*|*"$cr"*|" "*|*" "|"$tab"*|*"$tab") ;; *)
    if command -v curl >/dev/null 2>&1 && [ -f "$3" ] && [ -r "$3" ]; then
      if response=$(curl --silent --include --unix-socket "$socket" -H 'Expect:' -H 'Content-Type: application/json' \
          -H "x-hostfactory-input-file: $3" --data-binary "@$3" "http://localhost/v1/$1" 2>/dev/null); then
        separator="$cr$nl$cr$nl"
        head=${response%%"$separator"*}
        exit_code=
        has_stderr=
        while IFS= read -r line; do
          line=${line%"$cr"}
          case $line in
            'x-hostfactory-exit-code: '*) exit_code=${line#*: } ;;
            'x-hostfactory-stderr: '*) has_stderr=1; stderr_line=${line#*: } ;;
          esac
        done <<EOF
$head
EOF
        case $exit_code in
          ''|*[!0-9]*) ;; # the server did not run the call: run it in-process
          *)
            printf '%s\n' "${response#*"$separator"}"
            if [ -n "$has_stderr" ]; then printf '%s\n' "$stderr_line" >&2; fi
            exit "$exit_code" ;;
        esac
      else
        case $? in
          1|2|3|4|7) ;; # curl reached no server (7: connection refused): run it in-process
          *) case $1 in requestMachines|requestReturnMachines)
               lost="the hostfactory server of this provider instance received this $1 call and ended before answering; it may have been carried out, so it is not run again: see the server's log and \`hostfactory requests list\`"
               printf '{"message":"%s","code":"INTERNAL"}\n' "$lost"
               printf '%s\n' "$lost" >&2
               exit 1 ;;
             esac ;;
        esac
      fi
    else
      run_node hostfactory-client.js "$@"
    fi ;;
  esac
fi
run_node hostfactory.js "$@"
