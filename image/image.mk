# image/image.mk - `make image`: the probe as a container image, for other
# images to copy it from (COPY --from=healthcheck:VERSION /healthcheck /healthcheck).
#
#   make image      healthcheck:$(VERSION): FROM scratch, /healthcheck only,
#                   with the OCI labels; a podman manifest list over the
#                   platforms of IMAGE_PLATFORMS that have a binary, and the
#                   image of this machine's platform loaded into Docker when
#                   a Docker daemon answers (DOCKER_HOST, or docker's default).
#
# A platform's binary is $(IMAGE_CROSS_DIR)/linux-ARCH/healthcheck, ARCH the
# platform after linux/ with its slashes made dashes (linux/arm/v7: arm-v7),
# as `make cross` writes them; build/healthcheck stands in for this machine's
# platform when there is no cross build of it. image/build.sh does the work.
#
#   make image IMAGE_PLATFORMS='linux/amd64 linux/arm64'
#   make image PODMAN='podman --root /tmp/store' DOCKER='docker -H unix:///run/other.sock'

IMAGE_NAME      ?= healthcheck
IMAGE_PLATFORMS ?= linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/riscv64 \
                   linux/ppc64le linux/s390x
IMAGE_CROSS_DIR ?= $(B)/cross
# No licence is chosen yet: NOASSERTION is SPDX for "not stated".
IMAGE_LICENSES  ?= NOASSERTION
# Where the source is: the clone's origin, without any credentials in it.
IMAGE_SOURCE    ?= $(shell git config --get remote.origin.url 2>/dev/null | \
                   sed 's|^\([a-z+]*://\)[^/@]*@|\1|')
IMAGE_REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null)
PODMAN ?= podman
DOCKER ?= docker

IMAGE_DESCRIPTION ?= A static health probe for FROM scratch images: HTTP/1.1 and TCP on localhost

image: $(B)/healthcheck
	@command -v $(firstword $(PODMAN)) >/dev/null 2>&1 || tests/deps.sh podman runc
	@IMAGE_NAME='$(IMAGE_NAME)' VERSION='$(VERSION)' IMAGE_PLATFORMS='$(IMAGE_PLATFORMS)' \
	IMAGE_CROSS_DIR='$(IMAGE_CROSS_DIR)' IMAGE_NATIVE_BIN='$(B)/healthcheck' B='$(B)' \
	IMAGE_DESCRIPTION='$(IMAGE_DESCRIPTION)' IMAGE_LICENSES='$(IMAGE_LICENSES)' \
	IMAGE_SOURCE='$(IMAGE_SOURCE)' IMAGE_REVISION='$(IMAGE_REVISION)' \
	PODMAN='$(PODMAN)' DOCKER='$(DOCKER)' sh image/build.sh

.PHONY: image
