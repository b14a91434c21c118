# Host fuzzing with clang's libFuzzer, AddressSanitizer and UBSan (issue 17),
# included by the top-level Makefile.
#
# Every tests/fuzz/<area>/fuzz_*.c is a harness for one parser of outside
# input; it #includes the .c it fuzzes (as the unit tests do) and links
# lib/*.c built for the host with clang. Seeds live in the tree in
# tests/fuzz/corpus/<harness>/; what a run finds goes to the build
# directory's corpus (build/fuzz/corpus/<harness>/), never into the tree.
#
#   make fuzz             each harness for FUZZ_SECONDS (default 60)
#   make fuzz-smoke       each for FUZZ_SMOKE_SECONDS (default 3): part of make test
#   tools/fuzz-long       each toward 10 million inputs, at nice 19 (after make fuzz-build)
#
# A crash, a leak or a failed invariant stops a harness, leaves the input as
# build/fuzz/crash-*, and fails the target. Each run ends with one line,
# "fuzz <harness>: N executions in S s, corpus C", from libFuzzer's final stats.

FUZZ_DIR := tests/fuzz
FUZZ_OUT := $(BUILD)/fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=gnu11 -O2 -g -fno-omit-frame-pointer $(FUZZ_SANITIZE) \
	-fno-builtin -Wall -Wextra -Werror -Wno-unused-parameter -I. \
	-include tests/unit/host_rename.h -MMD -MP

FUZZ_SRCS := $(sort $(shell find $(FUZZ_DIR) -name 'fuzz_*.c'))
FUZZ_BINS := $(patsubst $(FUZZ_DIR)/%.c,$(FUZZ_OUT)/bin/%,$(FUZZ_SRCS))
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(wildcard lib/*.c))
FUZZ_HARNESS_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_SRCS))

.PHONY: fuzz fuzz-smoke fuzz-build

fuzz-build: $(FUZZ_BINS)

$(FUZZ_LIB_OBJS): $(FUZZ_OUT)/obj/%.o: %.c tests/unit/host_rename.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_HARNESS_OBJS): $(FUZZ_OUT)/obj/%.o: %.c tests/unit/host_rename.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BINS): $(FUZZ_OUT)/bin/%: $(FUZZ_OUT)/obj/$(FUZZ_DIR)/%.o $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SANITIZE) -fsanitize=fuzzer $^ -o $@

# $(call fuzz_run,seconds): every harness in turn, seeds from the tree
define fuzz_run
	@failed=""; \
	for b in $(FUZZ_BINS); do \
		name=$$(basename $$b); \
		mkdir -p $(FUZZ_OUT)/corpus/$$name $(FUZZ_OUT)/logs; \
		log=$(FUZZ_OUT)/logs/$$name.log; \
		if $$b -max_total_time=$(1) -print_final_stats=1 -rss_limit_mb=1024 \
			-artifact_prefix=$(FUZZ_OUT)/crash-$$name- \
			$(FUZZ_OUT)/corpus/$$name $(FUZZ_DIR)/corpus/$$name >$$log 2>&1; then \
			execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
			echo "fuzz $$name: $$execs executions in $(1) s, corpus $$(ls $(FUZZ_OUT)/corpus/$$name | wc -l)"; \
		else \
			echo "fuzz $$name: FAILED, see $$log"; tail -30 $$log; failed="$$failed $$name"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz FAILED:$$failed"; exit 1; fi
endef

fuzz: $(FUZZ_BINS)
	$(call fuzz_run,$(FUZZ_SECONDS))

fuzz-smoke: $(FUZZ_BINS)
	$(call fuzz_run,$(FUZZ_SMOKE_SECONDS))

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_HARNESS_OBJS:.o=.d)
