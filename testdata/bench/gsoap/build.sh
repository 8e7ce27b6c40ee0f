#!/usr/bin/env bash
# Build the gSOAP benchmark server (server.cpp) from the bridge's WSDL, the
# way testdata/interop/gsoap/run.sh builds its client: wsdl2h, then soapcpp2
# (-j -S: a C++ service class; -1: SOAP 1.1, the benchmark envelopes'
# version), then g++ -O2 against libgsoap++.
#
#   build.sh --build-dir DIR --wsdl FILE
#
# DIR/server is built once: the caller keys DIR by the WSDL and this folder's
# files. Needs gsoap, libgsoap-dev, g++ (Debian).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build= wsdl=
while (($#)); do
	case "$1" in
	--build-dir) build="$2" ;;
	--wsdl) wsdl="$2" ;;
	*) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
[[ -n $build && -n $wsdl ]] || { echo "usage: build.sh --build-dir DIR --wsdl FILE" >&2; exit 2; }
for tool in wsdl2h soapcpp2 g++; do
	command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (Debian gsoap, libgsoap-dev, g++)" >&2; exit 3; }
done
import=/usr/share/gsoap/import
[[ -d $import ]] || { echo "build.sh: $import missing (Debian gsoap)" >&2; exit 3; }
[[ -x $build/server ]] && exit 0

wsdl="$(cd "$(dirname "$wsdl")" && pwd)/$(basename "$wsdl")"
mkdir -p "$(dirname "$build")"
tmp="$(mktemp -d "$build.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
(
	cd "$tmp"
	cp "$wsdl" therefore.wsdl
	wsdl2h -o therefore.h therefore.wsdl
	soapcpp2 -j -S -1 -I"$import" therefore.h
	g++ -O2 -w -I. -o server "$here/server.cpp" soapC.cpp soapThereforeWS0001_USCORESoapUserPasswordService.cpp -lgsoap++ -lpthread
) >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
rm -rf "$build"
mv "$tmp" "$build"
trap - EXIT
