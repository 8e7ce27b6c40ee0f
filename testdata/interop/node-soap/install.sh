#!/usr/bin/env bash
# Install the pinned node `soap` (package.json + package-lock.json beside
# this file) with `npm ci` into a cache directory: one pin for the whole
# project, used by run.sh here (the interop client) and by the load
# benchmark's node soap server (bridge/internal/loadbench).
#
#   install.sh --build-dir DIR
#
# When DIR/node_modules/soap exists nothing is done: the caller keys DIR by
# the lock file. Needs node (>= 18) and npm (Debian nodejs, npm).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build=
while (($#)); do
	case "$1" in
	--build-dir) build="$2" ;;
	*) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
[[ -n $build ]] || { echo "usage: install.sh --build-dir DIR" >&2; exit 2; }
for tool in node npm; do
	command -v "$tool" >/dev/null || { echo "install.sh: $tool not found (Debian nodejs, npm)" >&2; exit 3; }
done
[[ -f $build/node_modules/soap/package.json ]] && exit 0

mkdir -p "$(dirname "$build")"
tmp="$(mktemp -d "$build.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$tmp/"
(cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error --cache "$tmp/.npm" >npm.log 2>&1) ||
	{ cat "$tmp/npm.log" >&2; exit 1; }
rm -rf "$tmp/.npm"
rm -rf "$build"
mv "$tmp" "$build"
trap - EXIT
