#!/bin/sh
# tests/container/podman-netnone.sh - podman, for podman-compose's --podman-path
# in the compose tests. The tests keep every container off the host's network
# with `network_mode: none`, but podman-compose 1.0.3 still adds its project
# network (`--net PROJECT_default --network-alias SERVICE`), and podman
# refuses the pair ("cannot set multiple networks without bridge network
# mode"). When `--network none` is given, this drops those two options and
# their values; anything else goes to podman unchanged.
case " $* " in
*" --network none "*) ;;
*) exec podman "$@" ;;
esac
n=$#
drop=
for a in "$@"; do
	if [ -n "$drop" ]; then
		drop=
	elif [ "$a" = --net ] || [ "$a" = --network-alias ]; then
		drop=1
	else
		set -- "$@" "$a"
	fi
done
shift "$n"
exec podman "$@"
