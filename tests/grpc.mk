# tests/grpc.mk - real gRPC health servers from three implementations
# (grpc-go, C-core through python3-grpcio, grpc-js), a Go health client like
# grpc_health_probe (the benchmark's Go peer), scriptable hostile HTTP/2
# peers, and the self-test that proves them (tests/grpc/README.md).
#
#   make grpc-servers          build/grpc/goserver, build/grpc/goclient, build/grpc/js/node_modules
#   make grpc-servers-check    the self-test (part of `make test`)
#   make grpc-servers-check GRPC_CHECK_ARGS='grpc-js h2_tls'    (a subset, by name)
#
# Debian packages come through tests/deps.sh and npm packages through
# `npm ci` from tests/grpc/package-lock.json, when missing.

GRPC_B          := $(B)/grpc
GRPC_PY         ?= /usr/bin/python3
GRPC_CHECK_ARGS ?=
# GOPATH mode over Debian's packaged Go sources: nothing is downloaded.
# Static like a released grpc_health_probe; the client is also stripped.
GRPC_GO := env GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= CGO_ENABLED=0 \
           GOCACHE=$(CURDIR)/$(GRPC_B)/go-cache go

grpc-go-deps:
	@tests/deps.sh golang-go golang-google-grpc-dev
grpc-js-deps:
	@command -v node >/dev/null 2>&1 || tests/deps.sh nodejs
	@command -v npm >/dev/null 2>&1 || tests/deps.sh npm
grpc-py-deps:
	@tests/deps.sh python3 python3-grpcio python3-protobuf python3-h2 python3-hpack openssl

$(GRPC_B)/goserver: tests/grpc/goserver/main.go | grpc-go-deps
	@mkdir -p $(@D)
	$(GRPC_GO) build -trimpath -o $@ ./tests/grpc/goserver

$(GRPC_B)/goclient: tests/grpc/goclient/main.go | grpc-go-deps
	@mkdir -p $(@D)
	$(GRPC_GO) build -trimpath -ldflags='-s -w' -o $@ ./tests/grpc/goclient

# node_modules live under build/, installed exactly as the lock file says.
$(GRPC_B)/js/.installed: tests/grpc/package.json tests/grpc/package-lock.json | grpc-js-deps
	rm -rf $(GRPC_B)/js && mkdir -p $(GRPC_B)/js
	cp tests/grpc/package.json tests/grpc/package-lock.json $(GRPC_B)/js/
	cd $(GRPC_B)/js && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

grpc-servers: $(GRPC_B)/goserver $(GRPC_B)/goclient $(GRPC_B)/js/.installed

grpc-servers-check: grpc-servers | grpc-py-deps
	$(GRPC_PY) -B tests/grpc/selftest.py $(GRPC_CHECK_ARGS)

TEST_TARGETS += grpc-servers-check
.PHONY: grpc-servers grpc-servers-check grpc-go-deps grpc-js-deps grpc-py-deps
