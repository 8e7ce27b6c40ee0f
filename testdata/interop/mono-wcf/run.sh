#!/usr/bin/env bash
# Mono WCF interop check: generate a proxy from the bridge's ?wsdl with
# svcutil, compile it with Client.cs (mcs) and run it with mono.
#
#   run.sh --build-dir DIR --wsdl URL --calls URL [--expected FILE] [--soap 11|12|12wsa] [--user U --password P]
#
# --user/--password are the HTTP Basic credentials (ClientCredentials.UserName
# on a binding with Basic transport authentication), passed at run time.
#
# DIR caches the build (Proxy.cs, client.exe): when DIR/client.exe exists the
# build is skipped, so the caller keys DIR by the WSDL and the sources.
# MONO_CLIENT names another program to build with the proxy (default
# Client.cs here; the pass-through check uses ../passthrough/PassThrough.cs).
# Needs mono-devel (svcutil, mcs, mono) and curl.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../args.sh" "11|12|12wsa" "$@"
for tool in svcutil mcs mono curl; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (Debian mono-devel, curl)" >&2; exit 3; }
done

if [[ ! -f $build/client.exe ]]; then
	mkdir -p "$(dirname "$build")"
	tmp="$(mktemp -d "$build.tmp.XXXXXX")"
	trap 'rm -rf "$tmp"' EXIT
	# svcutil reads metadata only from a URL and sends no credentials while
	# doing so: fetch the WSDL first and point it at the file.
	curl -fsS --max-time 30 -o "$tmp/therefore.wsdl" "$wsdl"
	(cd "$tmp" && svcutil --noLogo --noConfig -o Proxy.cs "file://$tmp/therefore.wsdl" >svcutil.log 2>&1) ||
		{ cat "$tmp/svcutil.log" >&2; exit 1; }
	# Mono's svcutil may write Action="*" on operations, which sends
	# SOAPAction "*"; the contract's own action is what WCF sends otherwise.
	sed -i 's/Action="\*", *//; s/, *Action="\*"//' "$tmp/Proxy.cs"
	mcs -nologo -warn:0 -out:"$tmp/client.exe" \
		-r:System.ServiceModel.dll -r:System.Runtime.Serialization.dll -r:System.Web.Extensions.dll \
		"$tmp/Proxy.cs" "${MONO_CLIENT:-$here/Client.cs}"
	rm -rf "$build"
	mv "$tmp" "$build"
	trap - EXIT
fi

endpoint="${wsdl%%\?*}"
exec mono "$build/client.exe" --endpoint "$endpoint" --calls "$calls" --expected "$expected" --soap "$soap" "${login[@]}"
