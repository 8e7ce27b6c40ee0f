#!/usr/bin/env bash
# gSOAP interop check: wsdl2h + soapcpp2 -j -C (SOAP version forced with -1 or
# -2: without it every proxy sends SOAP 1.2 once the WSDL has a 1.2 binding),
# then g++ client.cpp against libgsoap++, then run it.
#
#   run.sh --build-dir DIR --wsdl URL --calls URL [--expected FILE] [--soap 11|12] [--user U --password P]
#
# --user/--password are the HTTP Basic credentials (soap->userid, soap->passwd),
# passed to the client at run time.
#
# DIR caches the build: DIR/soapNN/client is built once, so the caller keys
# DIR by the WSDL and the sources. Needs gsoap, libgsoap-dev, g++, curl.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../args.sh" "11|12" "$@"
case "$soap" in
11) flag=-1 define= ;;
12) flag=-2 define=-DTB_SOAP12 ;;
*) echo "run.sh: --soap must be 11 or 12" >&2; exit 2 ;;
esac
for tool in wsdl2h soapcpp2 g++ curl; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (Debian gsoap, libgsoap-dev, g++, curl)" >&2; exit 3; }
done
import=/usr/share/gsoap/import
[[ -d $import ]] || { echo "run.sh: $import missing (Debian gsoap)" >&2; exit 3; }

out="$build/soap$soap"
if [[ ! -x $out/client ]]; then
	mkdir -p "$build"
	tmp="$(mktemp -d "$out.tmp.XXXXXX")"
	trap 'rm -rf "$tmp"' EXIT
	curl -fsS --max-time 30 -o "$tmp/therefore.wsdl" "$wsdl"
	(
		cd "$tmp"
		wsdl2h -o therefore.h therefore.wsdl
		soapcpp2 -j -C "$flag" -I"$import" therefore.h
		g++ -O0 -w $define -I. -o client "$here/client.cpp" soapC.cpp soapThereforeWS0001_USCORESoapUserPasswordProxy.cpp -lgsoap++
	) >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
	rm -rf "$out"
	mv "$tmp" "$out"
	trap - EXIT
fi

endpoint="${wsdl%%\?*}"
exec "$out/client" --endpoint "$endpoint" --calls "$calls" --expected "$expected" "${login[@]}"
