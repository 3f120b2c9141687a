# tests/container.mk - the container-engine tests: real FROM scratch images on
# podman (with runc) and on Docker Engine (a dockerd of the tests' own).
# `make test` runs them last, after every fast test. Each needs root and an
# engine that can run here: without one, it fails under CI=true and is
# skipped, with the reason, otherwise. Each installs the Debian packages it
# needs (tests/deps.sh) and ends with 'N passed, M failed'.
#
#   make container-test   podman: the example images (tests/container/run.sh), the
#                         HTTPS ones (examples/Containerfile.tls) with build/healthcheck-tls
#   make docker-test      Docker Engine: the same images, and the seed's /app pattern
#   make compose-test     examples/compose.yaml under docker-compose and podman-compose
#   make dockerfile-test  examples/Dockerfile built on Docker Engine, as users build it
#   make image-test       `make image`, and a user's image that copies the probe from it
#   make engine-test      all five
#
# The Docker tests use the daemon on build/docker.sock, or start one there
# (tests/container/engines.py says how, and how to keep one between runs).

ENGINE_PY := /usr/bin/python3

# The TLS images' PID 1: TLS in front of the example service
# (tests/container/tlsfront.c, examples/Containerfile.tls), static musl.
$(B)/container/tls-front: tests/container/tlsfront.c $(BEARSSL_INC)/bearssl.h $(BEARSSL_MUSL_A) \
		$(B)/tools/sstrip | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(HC_MUSL_CFLAGS) $(BEARSSL_CFLAGS) $(CFLAGS) $(HC_STATIC_LDFLAGS) \
		$(LDFLAGS) -o $@ tests/container/tlsfront.c $(BEARSSL_MUSL_A)
	$(B)/tools/sstrip $@

need-engine-py:
	@[ -x $(ENGINE_PY) ] || tests/deps.sh python3

container-test: all rust-example $(B)/container/tls-front
	@sh tests/container/run.sh

docker-test: all rust-example $(B)/container/tls-front | need-engine-py
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
