# tests/container.mk - the examples in real FROM scratch containers (podman +
# runc; tests/container/run.sh installs them when missing).
container-test: all rust-example
	@sh tests/container/run.sh

TEST_TARGETS += container-test
.PHONY: container-test
