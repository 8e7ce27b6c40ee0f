#!/usr/bin/env bash
# Perl SOAP::Lite interop check: client.pl builds its calls by hand (SOAP::Lite
# has no WSDL-driven document/literal client), so there is nothing to build;
# the endpoint is the WSDL URL without its query.
#
#   run.sh --wsdl URL --calls URL [--expected FILE] [--soap 11|12] [--user U --password P]
#          [--build-dir DIR (ignored)]
#
# --user/--password are the HTTP Basic credentials (the LWP transport's
# credentials).
#
# Needs perl and libsoap-lite-perl (JSON::PP is core Perl).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
args=()
while (($#)); do
	case "$1" in
	--build-dir) ;;
	--wsdl) args+=(--endpoint "${2%%\?*}") ;;
	--calls | --expected | --soap | --user | --password) args+=("$1" "$2") ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
perl -MSOAP::Lite -MJSON::PP -MLWP::UserAgent -e 1 2>/dev/null ||
	{ echo "run.sh: perl cannot load SOAP::Lite (Debian libsoap-lite-perl)" >&2; exit 3; }
exec perl "$here/client.pl" "${args[@]}"
