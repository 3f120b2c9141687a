# healthcheck - one build for the probe, the library, the examples and the tests.
#
#   make                 build/healthcheck (static musl) and build/libhealthcheck.a
#   make test            every test (installs the Debian packages it needs)
#   make install         PREFIX=/usr/local DESTDIR=
#
# User CFLAGS/LDFLAGS are appended to the project's own flags, never replace them.

.DELETE_ON_ERROR:
.SUFFIXES:

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include
LIBDIR     ?= $(PREFIX)/lib
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

MUSLCC ?= musl-gcc
AR     ?= ar
B      := build

VERSION := $(shell sed -n 's/^\#define HC_VERSION "\(.*\)"/\1/p' lib/healthcheck.h)

HC_WARN   := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wwrite-strings -Wvla -Wformat=2
ifeq ($(CI),true)
HC_WARN += -Werror
endif
HC_CFLAGS := -std=c99 -D_DEFAULT_SOURCE -Os -fcf-protection=none -ffunction-sections -fdata-sections \
             -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-ident \
             $(HC_WARN) -Ilib
# Size is policy: static, no PIE, stripped, unused sections dropped, no
# page-aligned padding between code and data (noseparate-code, and a small
# common-page-size so the data does not start a page of its own), no
# build-id note. tools/sstrip then drops the section headers.
HC_STATIC_LDFLAGS := -static -no-pie -s -Wl,--gc-sections -Wl,-z,noseparate-code \
             -Wl,--build-id=none -Wl,-z,norelro -Wl,-z,noexecstack \
             -Wl,-z,common-page-size=64


LIB_SRC := lib/parse.c lib/http.c lib/probe.c lib/result.c cli/hc_main.c
LIB_HDR := lib/healthcheck.h lib/hc_internal.h Makefile

MUSL_OBJ := $(LIB_SRC:%.c=$(B)/musl/%.o)
HOST_OBJ := $(LIB_SRC:%.c=$(B)/host/%.o)

all: $(B)/healthcheck $(B)/libhealthcheck.a $(B)/musl/libhealthcheck.a $(B)/healthcheck.pc

$(B)/musl/%.o: %.c $(LIB_HDR) | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) -DHC_CLOCK_SYSCALL $(CFLAGS) -c $< -o $@

$(B)/host/%.o: %.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(HC_CFLAGS) -fPIC $(CFLAGS) -c $< -o $@

$(B)/musl/libhealthcheck.a: $(MUSL_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# The installed library: built with the system compiler for glibc programs
# and Rust/FFI users.
$(B)/libhealthcheck.a: $(HOST_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/healthcheck: $(B)/musl/cli/main.o $(B)/musl/libhealthcheck.a $(B)/tools/sstrip
	$(MUSLCC) $(HC_CFLAGS) $(CFLAGS) $(HC_STATIC_LDFLAGS) $(LDFLAGS) -o $@ $(B)/musl/cli/main.o $(B)/musl/libhealthcheck.a
	$(B)/tools/sstrip $@

# Drops the section header table the kernel never reads (about 1 KiB).
$(B)/tools/sstrip: tools/sstrip.c
	@mkdir -p $(@D)
	$(CC) -O2 $(HC_WARN) $(CFLAGS) -o $@ $<

# Written again by every make, so that `make install PREFIX=...` records
# the PREFIX it installs to.
$(B)/healthcheck.pc: FORCE
	@mkdir -p $(@D)
	@printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: healthcheck\nDescription: HTTP/TCP health probe for scratch containers\nVersion: %s\nLibs: -L$${libdir} -lhealthcheck\nCflags: -I$${includedir}\n' \
		'$(PREFIX)' '$(LIBDIR)' '$(INCLUDEDIR)' '$(VERSION)' > $@

# A build that needs a missing Debian package installs it, or says which.
need-musl:
	@command -v $(MUSLCC) >/dev/null 2>&1 || tests/deps.sh musl-tools

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(B)/healthcheck $(DESTDIR)$(BINDIR)/healthcheck
	install -m 644 lib/healthcheck.h $(DESTDIR)$(INCLUDEDIR)/healthcheck.h
	install -m 644 $(B)/libhealthcheck.a $(DESTDIR)$(LIBDIR)/libhealthcheck.a
	install -m 644 $(B)/healthcheck.pc $(DESTDIR)$(PKGCONFIGDIR)/healthcheck.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/healthcheck $(DESTDIR)$(INCLUDEDIR)/healthcheck.h \
	      $(DESTDIR)$(LIBDIR)/libhealthcheck.a $(DESTDIR)$(PKGCONFIGDIR)/healthcheck.pc

clean:
	rm -rf $(B)

# Each area of the project adds its own targets and its share of `test`:
# fast tests to TEST_TARGETS, container-engine tests (slow, they need root and
# an engine) to ENGINE_TEST_TARGETS, which run after all the others.
TEST_TARGETS :=
ENGINE_TEST_TARGETS :=
include $(wildcard tests/*.mk examples/*.mk bench/*.mk image/*.mk)

test: all $(TEST_TARGETS)
	@$(MAKE) --no-print-directory $(ENGINE_TEST_TARGETS)

.PHONY: all install uninstall clean test need-musl FORCE
FORCE:
