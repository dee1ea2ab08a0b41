#!/usr/bin/env bash
# The HostFactory lifecycle on the embedded default (simulated cloud, SQLite store), driven through
# the five provider scripts exactly as HostFactory calls them. State and logs go to a fresh temp dir
# unless HF_PROVIDER_WORKDIR / HF_PROVIDER_LOGDIR are set.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
demo=$(mktemp -d "${TMPDIR:-/tmp}/hostfactory-demo.XXXXXX")
export HF_PROVIDER_NAME=${HF_PROVIDER_NAME:-sim}
export HF_PROVIDER_CONFDIR=${HF_PROVIDER_CONFDIR:-$repo/config}
export HF_PROVIDER_WORKDIR=${HF_PROVIDER_WORKDIR:-$demo/work}
export HF_PROVIDER_LOGDIR=${HF_PROVIDER_LOGDIR:-$demo/log}
template=${1:-OnDemand-Small}
count=${2:-3}

call() { # call <operation> <input-json>
  printf '%s' "$2" > "$demo/input.json"
  echo "\$ scripts/$1.sh -f input.json    # input: $2" >&2
  "$repo/scripts/$1.sh" -f "$demo/input.json"
}
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(eval("v."+process.argv[1]))})' "$1"; }
wait_done() { # wait_done <requestId>
  local status response
  for _ in $(seq 1 60); do
    response=$(call getRequestStatus "{\"requests\":[{\"requestId\":\"$1\"}]}" 2>/dev/null)
    status=$(printf '%s' "$response" | field 'requests[0].status')
    echo "  $1: $status" >&2
    if [ "$status" != running ]; then printf '%s\n' "$response"; return; fi
    sleep 1
  done
  echo "gave up waiting for $1" >&2; return 1
}

call getAvailableTemplates '{}' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const t of JSON.parse(s).templates)console.log(`  ${t.templateId}: maxNumber ${t.maxNumber}, available ${t.availableNumber ?? "unlimited"}`)})'
request=$(call requestMachines "{\"template\":{\"templateId\":\"$template\",\"machineCount\":$count}}")
echo "  $request"
request_id=$(printf '%s' "$request" | field requestId)
status=$(wait_done "$request_id")
printf '%s' "$status" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const m of JSON.parse(s).requests[0].machines)console.log(`  ${m.machineId} ${m.name} ${m.status} ${m.result}`)})'
machines=$(printf '%s' "$status" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify({machines:JSON.parse(s).requests[0].machines.map(m=>({name:m.name,machineId:m.machineId}))})))')
call getReturnRequests "$machines"; echo
returned=$(call requestReturnMachines "$machines")
echo "  $returned"
wait_done "$(printf '%s' "$returned" | field requestId)" > /dev/null
echo "done: state in $HF_PROVIDER_WORKDIR, logs in $HF_PROVIDER_LOGDIR" >&2
