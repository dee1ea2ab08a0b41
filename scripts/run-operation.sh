#!/bin/sh
# Runs one HostFactory operation of this provider: `run-operation.sh <operation> -f <input.json>`.
# Works from any current directory and through symlinks; prints only the response JSON on stdout.
# HOSTFACTORY_NODE may name the node binary when it is not on HostFactory's PATH.
set -e
here=$(dirname -- "$(readlink -f -- "$0")")
exec "${HOSTFACTORY_NODE:-node}" "$here/../dist/bundle/hostfactory.js" "$@"
