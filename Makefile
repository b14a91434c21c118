# stork: build, run and test. Everything is built out of tree into $(BUILD).
#   make            build/stork.elf (boots with qemu -kernel, or GRUB multiboot2)
#   make run        boot in QEMU with an NVMe and a virtio-blk disk attached
#   make test       host unit tests + QEMU integration tests
#   make iso        build/stork.iso, a GRUB rescue image
#   make usb        the same image, to dd onto a USB stick

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
	-fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-optimize-sibling-calls \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-common \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes \
	-O2 -g -I. -MMD -MP -DSTORK_VERSION='"$(VERSION)"'
# `make LOCKDEBUG=1` (after `make clean`): spinlock checks on from boot, as
# with the `lockdebug` option (kernel/lockdebug.c)
KCFLAGS += $(if $(LOCKDEBUG),-DCONFIG_LOCKDEBUG)
KASFLAGS := -D__ASSEMBLY__ -I. -MMD -MP
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

# `make V=1` shows the commands
Q := $(if $(V),,@)
say = $(if $(V),,@printf '  %-7s %s\n' $(1) $(2);)

KDIRS := boot kernel drivers block lib
KSRCS_C := $(shell find $(wildcard $(KDIRS)) -name '*.c' | sort)
KSRCS_S := $(shell find $(wildcard $(KDIRS)) -name '*.S' | sort)
KOBJS := $(patsubst %.c,$(BUILD)/%.o,$(KSRCS_C)) $(patsubst %.S,$(BUILD)/%.o,$(KSRCS_S))

.PHONY: all run test unit qemu-test iso usb clean deps test-deps

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

include tests/unit/unit.mk

qemu-test: $(BUILD)/stork.elf $(BUILD)/stork.iso
	@tools/deps test
	STORK_BUILD=$(BUILD) $(PYTHON) -m pytest -q tests/qemu

test:
	@tools/deps test
	$(MAKE) unit
	$(MAKE) qemu-test

clean:
	rm -rf $(BUILD)

-include $(KOBJS:.o=.d)
