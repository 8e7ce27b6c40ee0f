#!/usr/bin/env bash
# gowsdl-generated Go client interop check. The client is a Go test,
# bridge/interop/generated_test.go (TestGoGenerated): it starts its own bridge,
# so this script takes no bridge URLs; any arguments go to `go test`.
#
#   run.sh [go test flags]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
exec go test -count=1 -run '^TestGoGenerated$' -v "$@" ./bridge/interop
