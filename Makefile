# stork: build, run and test. Everything is built out of tree into $(BUILD).
#   make            build/stork.elf (boots with qemu -kernel, or GRUB multiboot2)
#   make run        boot in QEMU with an NVMe and a virtio-blk disk attached
#   make test       layering check, host unit tests, tools tests, QEMU integration tests
#   make iso        build/stork.iso, a GRUB rescue image
#   make usb        the same image, to dd onto a USB stick

# `make DEBUG=1`: the debug kernel, in build-debug/ unless BUILD says
# otherwise: UBSan with the kernel's own handlers (kernel/debug/ubsan.c;
# report file:line and go on), slab red zones and poisoning (kernel/mm/slab.c),
# lockdebug on from boot. Alignment is not checked: packed on-disk and ACPI
# structures are read field by field on purpose.
ifeq ($(DEBUG),1)
BUILD ?= build-debug
endif
BUILD ?= build
CC := gcc
LD := ld
OBJCOPY := objcopy
NM := nm
PYTHON := /usr/bin/python3

GCC_INCLUDE := $(shell $(CC) -print-file-name=include)
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

KCFLAGS := -std=gnu11 -ffreestanding -nostdinc -isystem $(GCC_INCLUDE) \
	-mno-red-zone -mcmodel=kernel -mgeneral-regs-only -mno-sse -mno-mmx -mno-sse2 \
	-fno-pic -fno-pie -fstack-protector-strong -mstack-protector-guard=global \
	-fno-omit-frame-pointer -fno-optimize-sibling-calls \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-common \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes \
	-O2 -g -I. -MMD -MP -DSTORK_VERSION='"$(VERSION)"'
# `make LOCKDEBUG=1` (after `make clean`): spinlock checks on from boot, as
# with the `lockdebug` option (kernel/sched/lockdebug.c)
KCFLAGS += $(if $(LOCKDEBUG),-DCONFIG_LOCKDEBUG)
# `make BUILD=build-x KCFLAGS_EXTRA=-D...`: a measuring build (docs/blk-trace.md)
KCFLAGS += $(KCFLAGS_EXTRA)
UBSAN_CHECKS := shift,integer-divide-by-zero,unreachable,vla-bound,null,signed-integer-overflow,bounds,object-size,bool,enum,pointer-overflow,builtin,nonnull-attribute,returns-nonnull-attribute
ifeq ($(DEBUG),1)
KCFLAGS += -DCONFIG_DEBUG -DCONFIG_LOCKDEBUG -DCONFIG_SLAB_DEBUG -fsanitize=$(UBSAN_CHECKS)
# the handlers themselves, and what runs before paging (no checks there)
$(BUILD)/kernel/debug/ubsan.o: KCFLAGS += -fno-sanitize=all
endif
KASFLAGS := -D__ASSEMBLY__ -I. -MMD -MP
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

# `make V=1` shows the commands
Q := $(if $(V),,@)
say = $(if $(V),,@printf '  %-7s %s\n' $(1) $(2);)

KDIRS := boot kernel drivers block lib
KSRCS_C := $(shell find $(wildcard $(KDIRS)) -name '*.c' | sort)
KSRCS_S := $(shell find $(wildcard $(KDIRS)) -name '*.S' | sort)
KOBJS := $(patsubst %.c,$(BUILD)/%.o,$(KSRCS_C)) $(patsubst %.S,$(BUILD)/%.o,$(KSRCS_S))

.PHONY: all run debug test unit qemu-test tools-test check iso usb clean deps test-deps

all: $(BUILD)/stork.elf

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<) $(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(call say,AS,$<) $(CC) $(KASFLAGS) -c $< -o $@

# The kernel symbolizes its own stack traces from a table of its text symbols
# (kernel/ksyms.c), generated from a first link with an empty table and linked
# into the final image. Text comes first in the image, so the table's size
# moves no function; tools/check-image verifies that, and that the file is
# flat as the multiboot v1 loader needs.
$(BUILD)/ksyms0.S: tools/gen-ksyms
	@mkdir -p $(BUILD)
	$(Q)tools/gen-ksyms < /dev/null > $@

$(BUILD)/stork.0: $(KOBJS) $(BUILD)/ksyms0.o linker.ld
	$(call say,LD,$@) $(LD) $(KLDFLAGS) -T linker.ld -o $@ $(KOBJS) $(BUILD)/ksyms0.o

$(BUILD)/ksyms1.S: $(BUILD)/stork.0 tools/gen-ksyms
	$(call say,KSYMS,$@) $(NM) -n $< | tools/gen-ksyms > $@

$(BUILD)/stork.elf: $(KOBJS) $(BUILD)/ksyms1.o linker.ld tools/check-image
	$(call say,LD,$@) $(LD) $(KLDFLAGS) -T linker.ld -o $@.tmp $(KOBJS) $(BUILD)/ksyms1.o
	$(Q)tools/check-image $@.tmp $(BUILD)/stork.0
	$(Q)mv $@.tmp $@

$(BUILD)/ksyms%.o: $(BUILD)/ksyms%.S
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# --- images ---------------------------------------------------------------
iso: $(BUILD)/stork.iso
usb: $(BUILD)/stork.iso
	@echo "write it with: dd if=$(BUILD)/stork.iso of=/dev/sdX bs=4M conv=fsync"

$(BUILD)/stork.iso: $(BUILD)/stork.elf boot/grub.cfg
	@tools/deps iso
	rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(BUILD)/stork.elf $(BUILD)/iso/boot/stork.elf
	cp boot/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2> $(BUILD)/grub-mkrescue.log || (cat $(BUILD)/grub-mkrescue.log; false)

# --- running and testing --------------------------------------------------
run: $(BUILD)/stork.elf
	@tools/deps run
	tools/run-qemu --build $(BUILD)

# QEMU with its gdb stub, gdb here on the kernel's symbols with tools/gdb/stork.py
# (docs/debugging.md); the console is on $(BUILD)/console.sock
debug: $(BUILD)/stork.elf
	@tools/deps run
	@command -v gdb >/dev/null || { echo "make debug: needs gdb (apt-get install gdb)"; exit 1; }
	tools/run-qemu --build $(BUILD) --gdb

include tests/unit/unit.mk
include tests/fuzz/fuzz.mk

# the debug kernel too: tests/qemu/test_debug.py runs its self tests and checkers
DEBUG_BUILD ?= $(BUILD)-debug
qemu-test: $(BUILD)/stork.elf $(BUILD)/stork.iso
	@tools/deps test
	$(MAKE) DEBUG=1 BUILD=$(DEBUG_BUILD)
	STORK_BUILD=$(BUILD) STORK_DEBUG_BUILD=$(DEBUG_BUILD) $(PYTHON) -m pytest -q --durations=25 tests/qemu

# the layering rules (docs/architecture.md), and that the checker catches what it should
check:
	$(PYTHON) tools/check-layering --selftest
	$(PYTHON) tools/check-layering

# host tests of tools/: the benchmark charts on recorded results, json+ readers
tools-test:
	@tools/deps test
	$(PYTHON) -m pytest -q tests/tools

test:
	@tools/deps test
	$(MAKE) check
	$(MAKE) unit
	$(MAKE) tools-test
	$(MAKE) fuzz-smoke
	$(MAKE) qemu-test

clean:
	rm -rf $(BUILD)

-include $(KOBJS:.o=.d)
