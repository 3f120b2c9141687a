# Integration tests: the real build/healthcheck against scripted servers on
# 127.0.0.1, ::1 and unix sockets, plus the static-binary and chroot checks.
#
#   make integration
#   make integration INTEGRATION_ARGS='hostile_ chunked'    (a subset, by name)
#   make integration HC_BIN=build/asan/healthcheck HC_WRAP='valgrind --error-exitcode=99 -q' HC_TIME_SLACK=5
#
# HC_BIN, HC_WRAP, HC_TIME_SLACK, HC_JOBS and HC_FAULTS are read from the environment by
# tests/integration/hcrun.py (make exports command-line variables).

INTEGRATION_PY   ?= /usr/bin/python3
INTEGRATION_ARGS ?=

integration: $(B)/healthcheck grpc-servers
	@[ -x $(INTEGRATION_PY) ] || tests/deps.sh python3
	@command -v readelf >/dev/null 2>&1 || tests/deps.sh binutils
	@command -v strace >/dev/null 2>&1 || tests/deps.sh strace
	@command -v chroot >/dev/null 2>&1 || PATH="$$PATH:/usr/sbin:/sbin" command -v chroot >/dev/null 2>&1 || tests/deps.sh coreutils
	PATH="$$PATH:/usr/sbin:/sbin" $(INTEGRATION_PY) -B tests/integration/run.py $(INTEGRATION_ARGS)

TEST_TARGETS += integration
.PHONY: integration
