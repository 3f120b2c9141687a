# tests/container.mk - the container-engine tests: real FROM scratch images on
# podman (with runc) and on Docker Engine (a dockerd of the tests' own).
# `make test` runs them last, after every fast test. Each needs root and an
# engine that can run here: without one, it fails under CI=true and is
# skipped, with the reason, otherwise. Each installs the Debian packages it
# needs (tests/deps.sh) and ends with 'N passed, M failed'.
#
#   make container-test   podman: the three example images (tests/container/run.sh)
#   make docker-test      Docker Engine: the same images, and the seed's /app pattern
#   make compose-test     examples/compose.yaml under docker-compose and podman-compose
#   make dockerfile-test  examples/Dockerfile built on Docker Engine, as users build it
#   make image-test       `make image`, and a user's image that copies the probe from it
#   make engine-test      all five
#
# The Docker tests use the daemon on build/docker.sock, or start one there
# (tests/container/engines.py says how, and how to keep one between runs).

ENGINE_PY := /usr/bin/python3

need-engine-py:
	@[ -x $(ENGINE_PY) ] || tests/deps.sh python3

container-test: all rust-example
	@sh tests/container/run.sh

docker-test: all rust-example | need-engine-py
	@$(ENGINE_PY) -B tests/container/docker_test.py

compose-test: all | need-engine-py
	@$(ENGINE_PY) -B tests/container/compose_test.py

# Slow the first time: debootstrap makes build/docker-base/ (kept for the next runs).
dockerfile-test: | need-engine-py
	@$(ENGINE_PY) -B tests/container/dockerfile_test.py

image-test: all | need-engine-py
	@$(ENGINE_PY) -B tests/container/image_test.py

ENGINE_TEST_TARGETS += container-test docker-test compose-test dockerfile-test image-test

engine-test: $(ENGINE_TEST_TARGETS)

.PHONY: container-test docker-test compose-test dockerfile-test image-test engine-test \
	need-engine-py
