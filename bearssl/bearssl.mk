# bearssl/bearssl.mk - BearSSL for the TLS build, from Debian (bearssl/README.md).
#
#   make bearssl                       the headers and both archives below
#   make bearssl BEARSSL_FROM=debian   the musl archive from Debian's libbearssl.a
#
# What the TLS build uses:
#   $(BEARSSL_CFLAGS)   -I of a directory with BearSSL's headers alone (never
#                       -I/usr/include: glibc's headers would shadow musl's)
#   $(BEARSSL_MUSL_A)   the archive for static musl links
#   $(BEARSSL_HOST_A)   the archive for the system compiler (glibc, PIC):
#                       Debian's libbearssl.a as it is
#
# BEARSSL_FROM=source (the default) builds the musl archive from Debian's
# bearssl source package (fetched through apt by tests/cross/debsrc.sh)
# with the probe's size flags and BEARSSL_CONFIG. BEARSSL_FROM=debian takes
# Debian's own archive, built for glibc with _FORTIFY_SOURCE and the stack
# protector, plus bearssl/chk.c for the three checks musl lacks; it needs
# nothing from the network but costs about 17 KB more in the probe.
#
# BEARSSL_CONFIG: no /dev/urandom, no RDRAND, no time() inside BearSSL. A
# program using this archive injects its own entropy
# (br_ssl_engine_inject_entropy, e.g. from getrandom) and sets the
# validation time (br_x509_minimal_set_time); else handshakes fail with
# BR_ERR_NO_RANDOM or BR_ERR_X509_TIME_UNKNOWN. Debian's archives have all
# three on, so code doing both works with every archive here.

BEARSSL_FROM        ?= source
BEARSSL_DEB_VERSION ?= 0.6+dfsg.1-3
BEARSSL_B           := $(B)/bearssl
BEARSSL_INC         := $(BEARSSL_B)/include
BEARSSL_CFLAGS      := -I$(BEARSSL_INC)
BEARSSL_MUSL_A      := $(BEARSSL_B)/musl/libbearssl.a
BEARSSL_MULTIARCH   := $(shell $(CC) -print-multiarch 2>/dev/null)
BEARSSL_HOST_A      ?= /usr/lib/$(BEARSSL_MULTIARCH)/libbearssl.a
BEARSSL_CONFIG      := -DBR_USE_URANDOM=0 -DBR_RDRAND=0 -DBR_USE_UNIX_TIME=0
# The probe's size flags, without its warnings (BearSSL is not our code),
# and none of the hardening Debian's gcc may add by default.
BEARSSL_SRC_CFLAGS  := -std=c99 -Oz -fno-jump-tables -fcf-protection=none \
                       -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
                       -fno-unwind-tables -fno-ident -fno-pie -fno-stack-protector \
                       -U_FORTIFY_SOURCE $(BEARSSL_CONFIG)

BEARSSL_SRC := $(BEARSSL_B)/src/bearssl
BEARSSL_HDR_FROM := $(if $(filter debian,$(BEARSSL_FROM)),/usr/include/bearssl,$(BEARSSL_SRC)/inc)

bearssl: $(BEARSSL_INC)/bearssl.h $(BEARSSL_MUSL_A) $(BEARSSL_HOST_A)

bearssl-deps:
	@tests/deps.sh libbearssl-dev
bearssl-src-deps:
	@tests/deps.sh dpkg-dev xz-utils

# Debian's source package, with Debian's patches applied.
$(BEARSSL_SRC)/inc/bearssl.h: | bearssl-src-deps
	tests/cross/debsrc.sh bearssl=$(BEARSSL_DEB_VERSION) $(BEARSSL_B)/src
	@test -f $@ || { echo "bearssl: no $@ after the fetch" >&2; exit 1; }

# Only BearSSL's headers, in a directory of their own. The stamp records
# where they came from, so switching BEARSSL_FROM copies them again.
$(BEARSSL_INC)/bearssl.h: $(BEARSSL_HDR_FROM)/bearssl.h $(BEARSSL_B)/.from
	rm -rf $(BEARSSL_INC) && mkdir -p $(BEARSSL_INC)
	cp $(BEARSSL_HDR_FROM)/bearssl*.h $(BEARSSL_INC)/

/usr/include/bearssl/bearssl.h: | bearssl-deps

$(BEARSSL_B)/.from: FORCE
	@mkdir -p $(@D)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(BEARSSL_FROM) $(MUSLCC) $(BEARSSL_SRC_CFLAGS)' ]; then \
		printf '%s\n' '$(BEARSSL_FROM) $(MUSLCC) $(BEARSSL_SRC_CFLAGS)' > $@; fi

ifeq ($(BEARSSL_FROM),debian)
$(BEARSSL_MUSL_A): $(BEARSSL_HOST_A) bearssl/chk.c $(BEARSSL_B)/.from | need-musl
	@mkdir -p $(@D)
	$(MUSLCC) $(HC_CFLAGS) $(HC_MUSL_CFLAGS) $(CFLAGS) -c bearssl/chk.c -o $(@D)/chk.o
	cp $(BEARSSL_HOST_A) $@.tmp && $(AR) rs $@.tmp $(@D)/chk.o && mv $@.tmp $@
else
$(BEARSSL_MUSL_A): $(BEARSSL_SRC)/inc/bearssl.h bearssl/build.sh $(BEARSSL_B)/.from | need-musl
	bearssl/build.sh $(BEARSSL_SRC) $(@D) '$(MUSLCC)' '$(AR)' $(BEARSSL_SRC_CFLAGS)
endif

$(BEARSSL_HOST_A): | bearssl-deps

.PHONY: bearssl bearssl-deps bearssl-src-deps
