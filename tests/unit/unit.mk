# Host unit tests, included by the top-level Makefile (or run on its own
# with "make -f tests/unit/unit.mk unit" from the repository root).
#
# Every tests/unit/<area>/test_*.c becomes $(BUILD)/unit/<area>/test_*,
# linked with all of lib/*.c compiled for the host, and "make unit" runs
# them all under AddressSanitizer and UBSan, failing if any test fails.
# A test of code outside lib/ #includes the .c file it tests.
#
# tests/unit/host_rename.h is forced into every file so that lib's memcpy,
# snprintf, ... do not collide with (and are not replaced by) libc's.
#
# A test may append JSON documents, with what they must decode to, to the
# file UNIT_JSON_SAMPLES names; tests/unit/check_json_samples.py then
# checks every one with Python's json module (test_json.c always writes some).

BUILD ?= build

# Keep the includer's default goal: defining "unit" must not change it.
UNIT_SAVED_GOAL := $(.DEFAULT_GOAL)

UNIT_DIR := tests/unit
UNIT_OUT := $(BUILD)/unit
UNIT_CC ?= gcc
UNIT_PYTHON ?= /usr/bin/python3
UNIT_JSON_SAMPLES := $(UNIT_OUT)/json_samples.txt
UNIT_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_CFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer $(UNIT_SANITIZE) -pthread \
	-fno-builtin -Wall -Wextra -Werror -I. \
	-include $(UNIT_DIR)/host_rename.h -MMD -MP
UNIT_LDFLAGS := $(UNIT_SANITIZE) -pthread
UNIT_LDLIBS := -lcmocka

UNIT_LIB_OBJS := $(patsubst %.c,$(UNIT_OUT)/obj/%.o,$(wildcard lib/*.c))
UNIT_TEST_SRCS := $(sort $(shell find $(UNIT_DIR) -name 'test_*.c'))
UNIT_TEST_OBJS := $(patsubst %.c,$(UNIT_OUT)/obj/%.o,$(UNIT_TEST_SRCS))
UNIT_TEST_BINS := $(patsubst $(UNIT_DIR)/%.c,$(UNIT_OUT)/%,$(UNIT_TEST_SRCS))

.PHONY: unit unit-clean

unit: $(UNIT_TEST_BINS)
	@failed=""; \
	rm -f $(UNIT_JSON_SAMPLES); \
	for t in $(UNIT_TEST_BINS); do \
		echo "== $$t"; \
		UNIT_JSON_SAMPLES=$(UNIT_JSON_SAMPLES) $$t || failed="$$failed $$t"; \
	done; \
	echo "== $(UNIT_JSON_SAMPLES)"; \
	$(UNIT_PYTHON) $(UNIT_DIR)/check_json_samples.py $(UNIT_JSON_SAMPLES) || \
		failed="$$failed $(UNIT_JSON_SAMPLES)"; \
	if [ -n "$$failed" ]; then echo "unit tests FAILED:$$failed"; exit 1; fi; \
	echo "unit tests passed"

$(UNIT_LIB_OBJS) $(UNIT_TEST_OBJS): $(UNIT_OUT)/obj/%.o: %.c $(UNIT_DIR)/host_rename.h
	@mkdir -p $(@D)
	$(UNIT_CC) $(UNIT_CFLAGS) -c $< -o $@

$(UNIT_TEST_BINS): $(UNIT_OUT)/%: $(UNIT_OUT)/obj/$(UNIT_DIR)/%.o $(UNIT_LIB_OBJS)
	@mkdir -p $(@D)
	$(UNIT_CC) $(UNIT_LDFLAGS) $^ $(UNIT_LDLIBS) -o $@

unit-clean:
	rm -rf $(UNIT_OUT)

-include $(UNIT_LIB_OBJS:.o=.d) $(UNIT_TEST_OBJS:.o=.d)

.DEFAULT_GOAL := $(UNIT_SAVED_GOAL)
