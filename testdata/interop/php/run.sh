#!/usr/bin/env bash
# PHP SoapClient interop check: client.php loads the bridge's ?wsdl itself
# (WSDL mode, no generated code), so there is nothing to build or cache.
#
#   run.sh --wsdl URL --calls URL [--expected FILE] [--soap 11|12] [--user U --password P]
#          [--build-dir DIR (ignored)]
#
# --user/--password are the HTTP Basic credentials (SoapClient's login and
# password options).
#
# Needs php-cli and php-soap.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
args=()
while (($#)); do
	case "$1" in
	--build-dir) ;;
	--wsdl | --calls | --expected | --soap | --user | --password) args+=("$1" "$2") ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
command -v php >/dev/null || { echo "run.sh: php not found (Debian php-cli, php-soap)" >&2; exit 3; }
php -r 'exit(class_exists("SoapClient") ? 0 : 1);' || { echo "run.sh: PHP has no SoapClient (Debian php-soap)" >&2; exit 3; }
exec php "$here/client.php" "${args[@]}"
