# args.sh: the arguments of a run.sh that builds its client (mono-wcf,
# gsoap). Source it as `. "$here/../args.sh" "$soaps" "$@"`, where $soaps
# names the accepted --soap values for the usage line. It sets build, wsdl,
# calls, expected, soap and login (the --user/--password pair, passed on).
soaps=$1
shift
build= wsdl= calls= expected="$here/../expected.json" soap=11
login=()
while (($#)); do
	case "$1" in
	--build-dir) build="$2" ;;
	--wsdl) wsdl="$2" ;;
	--calls) calls="$2" ;;
	--expected) expected="$2" ;;
	--soap) soap="$2" ;;
	--user | --password) login+=("$1" "$2") ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
[[ -n $build && -n $wsdl && -n $calls ]] || { echo "usage: run.sh --build-dir DIR --wsdl URL --calls URL [--soap $soaps] [--user U --password P]" >&2; exit 2; }
