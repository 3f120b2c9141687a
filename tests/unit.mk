# tests/unit.mk - cmocka unit tests of the pure parsers (make unit).
#
#   make unit          build build/unit/hc_unit against the host objects and run it
#
# UNIT_WRAP runs it through a command (qemu-user for another platform's
# build: tests/cross.mk).
#
# A sanitizer build runs the same tests with other flags; with UNIT_FLAGS
# set the library sources are compiled again with them (so the library is
# instrumented too), and the output goes to its own directory:
#
#   make unit UNIT_CC=clang UNIT_OUT=build/unit-asan \
#        UNIT_FLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer'

UNIT_CC    ?= $(CC)
UNIT_FLAGS ?=
UNIT_OUT   ?= $(B)/unit
UNIT_WRAP  ?=
# With extra flags the library is rebuilt with them; else the top
# Makefile's host objects are used as they are.
UNIT_LIB_OBJ ?= $(if $(strip $(UNIT_FLAGS)),$(LIB_SRC:%.c=$(UNIT_OUT)/lib/%.o),$(HOST_OBJ))

UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_HDR := $(wildcard tests/unit/*.h)
UNIT_OBJ := $(UNIT_SRC:tests/unit/%.c=$(UNIT_OUT)/%.o)
UNIT_BIN := $(UNIT_OUT)/hc_unit
UNIT_CFLAGS := -std=c99 -D_DEFAULT_SOURCE -g -O1 $(HC_WARN) -Ilib -Itests/unit

# Objects are rebuilt when UNIT_CC or UNIT_FLAGS change.
UNIT_STAMP := $(UNIT_OUT)/.flags
UNIT_STAMP_TEXT := $(UNIT_CC) $(UNIT_FLAGS) $(CFLAGS) $(LDFLAGS)
$(UNIT_STAMP): unit-force
	@mkdir -p $(@D)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(UNIT_STAMP_TEXT)' ]; then \
		printf '%s\n' '$(UNIT_STAMP_TEXT)' > $@; fi

unit-deps:
	@tests/deps.sh libcmocka-dev

$(UNIT_OUT)/%.o: tests/unit/%.c $(UNIT_HDR) $(LIB_HDR) $(UNIT_STAMP) | unit-deps
	@mkdir -p $(@D)
	$(UNIT_CC) $(UNIT_CFLAGS) $(UNIT_FLAGS) $(CFLAGS) -c $< -o $@

$(UNIT_OUT)/lib/%.o: %.c $(LIB_HDR) $(UNIT_STAMP)
	@mkdir -p $(@D)
	$(UNIT_CC) $(HC_CFLAGS) -g $(UNIT_FLAGS) $(CFLAGS) -c $< -o $@

$(UNIT_BIN): $(UNIT_OBJ) $(UNIT_LIB_OBJ)
	$(UNIT_CC) $(UNIT_FLAGS) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(UNIT_LIB_OBJ) -lcmocka

unit: $(UNIT_BIN)
	$(UNIT_WRAP) $(UNIT_BIN)

TEST_TARGETS += unit
.PHONY: unit unit-deps unit-force
