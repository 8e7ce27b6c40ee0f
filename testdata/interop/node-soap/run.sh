#!/usr/bin/env bash
# node soap interop check: install the pinned `soap` (package.json +
# package-lock.json) with `npm ci` into a cache directory, then run client.js.
#
#   run.sh --build-dir DIR --wsdl URL --calls URL [--expected FILE] [--soap 11|12] [--user U --password P]
#
# --user/--password are the HTTP Basic credentials (soap.BasicAuthSecurity).
#
# DIR caches node_modules: when DIR/node_modules/soap exists the install is
# skipped, so the caller keys DIR by the lock file and the sources.
# Needs node (>= 18) and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build=
args=()
while (($#)); do
	case "$1" in
	--build-dir) build="$2" ;;
	--wsdl | --calls | --expected | --soap | --user | --password) args+=("$1" "$2") ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
[[ -n $build ]] || { echo "usage: run.sh --build-dir DIR --wsdl URL --calls URL [--soap 11|12] [--user U --password P]" >&2; exit 2; }
"$here/install.sh" --build-dir "$build"

NODE_PATH="$build/node_modules" exec node "$here/client.js" "${args[@]}"
