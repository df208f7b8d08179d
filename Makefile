# minivmm: a small KVM hypervisor. See README.md.
#   make            build ./minivmm
#   make test       unit tests (ASan/UBSan), local /dev/kvm tests, nested boot tests
#   make run        set up everything and boot the demo guest
CC ?= gcc
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
PREFIX ?= /usr/local
DESTDIR ?=
WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2
# Includes read as paths from the root ("lib/error.h", "virtio/mmio.h").
BASE_CPPFLAGS := -I. -D_GNU_SOURCE
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The shipped binary: stack protector, fortified libc calls, position
# independent, full RELRO (debian's hardening-wrapper set).
HARDEN_CFLAGS := -fstack-protector-strong -fstack-clash-protection -fcf-protection -fPIE
HARDEN_CPPFLAGS := -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2
HARDEN_LDFLAGS := -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack
# libseccomp: the sandbox's filters (vmm/sandbox.c); Debian's libseccomp.a
# links into the static-pie build too.
LDLIBS := -lseccomp -lpthread
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
BUILD := build

# Layers, bottom up: lib/ (plain utilities), then boot/, devices/ and
# virtio/, then vmm/ on top (docs/architecture.md).
CORE_SRCS := $(sort $(wildcard lib/*.c boot/*.c devices/*.c virtio/*.c vmm/*.c))
# Compiled only into the test build (build/minivmm-san, unit tests): the
# recording backend and the device model made for tests.
TEST_ONLY_SRCS := $(sort $(wildcard virtio/test_*.c))
REL_SRCS := $(filter-out $(TEST_ONLY_SRCS),$(CORE_SRCS))
LIB_SRCS := $(filter-out vmm/main.c,$(CORE_SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))

OBJS := $(REL_SRCS:%.c=$(BUILD)/rel/%.o)
SAN_OBJS := $(CORE_SRCS:%.c=$(BUILD)/san/%.o)
SAN_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/san/%.o)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/san/%.o)

.PHONY: all clean test test-unit test-kvm test-boot test-vhost-user test-demo test-stress test-smp-soak test-smp-soak-qemu run deps guest-images fuzz fuzz-smoke bench bench-trace-off bench-boot bench-ab-stock install
all: minivmm

minivmm: $(OBJS)
	$(CC) $(CFLAGS) $(HARDEN_CFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The same program built with AddressSanitizer and UBSan, used by the tests,
# with the testing options (MINIVMM_TESTING).
$(BUILD)/minivmm-san: $(SAN_OBJS)
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Static build copied into the nested test host (its initramfs has no libc);
# static-pie keeps address-space randomisation.
$(BUILD)/minivmm-static: $(OBJS)
	$(CC) $(CFLAGS) $(HARDEN_CFLAGS) -static-pie -Wl,-z,relro -Wl,-z,now $(LDFLAGS) -o $@ $^ $(LDLIBS)

# VERSION is an input of every object that embeds it.
$(BUILD)/rel/vmm/main.o $(BUILD)/san/vmm/main.o: VERSION

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CPPFLAGS) $(HARDEN_CPPFLAGS) $(CPPFLAGS) $(WARN) $(CFLAGS) $(HARDEN_CFLAGS) \
		-DMINIVMM_VERSION='"$(VERSION)"' -MMD -MP -c -o $@ $<

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CPPFLAGS) -DMINIVMM_TESTING $(CPPFLAGS) $(WARN) $(CFLAGS) $(SAN) \
		-DMINIVMM_VERSION='"$(VERSION)"' -MMD -MP -c -o $@ $<

$(BUILD)/unit-tests: $(UNIT_OBJS) $(SAN_LIB_OBJS)
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

install: minivmm
	install -D -m 0755 minivmm $(DESTDIR)$(PREFIX)/bin/minivmm
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/minivmm/README.md

# Layer 1: pure logic, no /dev/kvm needed.
test-unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests --jobs 2

# $(call nested_retry,WHO,COMMAND): run COMMAND, a script that runs tests in
# the nested test host, and once more only when it exits 3: an environment
# fault proven before any test ran (the outer VM did not come up: a kernel
# module, /dev/kvm, its init, or QEMU before the outer VM was ready). Never
# after a failed test (1), nor after the outer host timed out, panicked or
# died while the tests ran (4): minivmm can cause those.
# tests/boot/run-nested-tests.sh documents the statuses.
define nested_retry
$(2) || { status=$$?; [ $$status -eq 3 ] || exit $$status; \
	echo "$(1): *** ENVIRONMENT FAULT (status 3): the nested test host did not come up; no test ran ***"; \
	echo "$(1): *** running the tests once more (the only retry make test allows) ***"; \
	$(2); }
endef

# Layer 2: tiny guest programs under the local /dev/kvm or, on a machine
# without one (itself a paravirtualised guest), under the nested test host's.
test-kvm: $(BUILD)/minivmm-san
	$(MAKE) -C tests/kvm
	@if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then \
		tests/kvm/run-tests.sh $(BUILD)/minivmm-san; \
	else \
		echo "test-kvm: this machine has no usable /dev/kvm; running the tiny guests in the nested test host"; \
		$(call nested_retry,test-kvm,tests/kvm/run-nested.sh $(BUILD)/minivmm-san); \
	fi

# Layer 3: real Linux guests inside the nested test host (QEMU TCG + kvm_amd),
# run again only after an environment fault (nested_retry above). The outer
# VM's time limit (a guard against a hung host, not a measure) leaves room
# for ci-vsock-cid-auto-20: 20 Linux boots at once took 602 s on the nested
# host's one emulated CPU on a loaded machine.
NESTED_TESTS ?= tests/boot/run-nested-tests.sh
# The stock-kernel tests also need Debian's kernel and an initramfs with its
# modules (guest-images/stock-initramfs.sh, cached); without them (no apt)
# those tests are skipped, and counted. The boot tests are followed by the
# commands of docs/tour.md as written (tests/boot/tour-spec.sh), in one
# nested host, which is given BOOT_TIMEOUT_S in all (the 20 VMs at once and
# the network's 256 MiB each way take several minutes each under the
# emulator).
BOOT_TIMEOUT_S ?= 3000
test-boot: $(BUILD)/minivmm-static guest-images
	$(MAKE) -s -C tests/kvm
	guest-images/stock-initramfs.sh $(BUILD)/stock || \
		{ rm -rf $(BUILD)/stock; echo "test-boot: no stock kernel; its tests will be skipped"; }
	cat tests/boot/boot-tests.spec > $(BUILD)/boot-and-tour.spec
	tests/boot/tour-spec.sh docs/tour.md >> $(BUILD)/boot-and-tour.spec
	$(call nested_retry,test-boot,BOOT_TESTS_SPEC=$(BUILD)/boot-and-tour.spec \
		NESTED_TIMEOUT_S=$${NESTED_TIMEOUT_S:-$(BOOT_TIMEOUT_S)} $(NESTED_TESTS) $(BUILD)/minivmm-static)

# vhost-user devices (docs/vhost-user.md) in a nested host of their own,
# which carries Debian's QEMU as well (BOOT_TESTS_QEMU=1: 33 MB more to
# unpack, so not in test-boot's): QEMU's microvm with virtiofsd and
# qemu-storage-daemon as the reference, then minivmm with the same backends.
# `make test-vhost-user TESTS="qemu-vhost-user-reference"` runs a subset.
VHOST_USER_TIMEOUT_S ?= 1500
test-vhost-user: $(BUILD)/minivmm-static guest-images
	$(MAKE) -s -C tests/kvm
	$(call nested_retry,test-vhost-user,BOOT_TESTS_SPEC=tests/boot/vhost-user-tests.spec \
		BOOT_TESTS_QEMU=1 BOOT_TESTS_OUT=$(BUILD)/vhost-user-tests \
		NESTED_TIMEOUT_S=$${NESTED_TIMEOUT_S:-$(VHOST_USER_TIMEOUT_S)} \
		$(NESTED_TESTS) $(BUILD)/minivmm-static $(TESTS))

# Stress tests in the nested host (not part of make test: see the spec).
test-stress: $(BUILD)/minivmm-static guest-images
	$(MAKE) -s -C tests/kvm
	BOOT_TESTS_SPEC=tests/boot/stress-tests.spec tests/boot/run-nested-tests.sh $(BUILD)/minivmm-static

# The SMP soak (not part of make test): N boots with 2 vCPUs and N with 4,
# vsock traffic both ways in each, no retries: `make test-smp-soak N=100`.
test-smp-soak: $(BUILD)/minivmm-static guest-images
	$(MAKE) -s -C tests/kvm
	tests/boot/make-smp-soak-spec.sh $(or $(N),100) > $(BUILD)/smp-soak.spec
	BOOT_TESTS_SPEC=$(BUILD)/smp-soak.spec BOOTRUN_RETRIES=0 BOOT_TESTS_OUT=$(BUILD)/smp-soak \
		NESTED_TIMEOUT_S=$$(( $(or $(N),100) * 2 * 60 + 300 )) \
		tests/boot/run-nested-tests.sh $(BUILD)/minivmm-static

# The same boots under QEMU's microvm, the reference VMM (as make bench):
# `make test-smp-soak-qemu N=50`.
test-smp-soak-qemu: $(BUILD)/minivmm-static guest-images
	tests/boot/make-smp-soak-spec.sh $(or $(N),100) qemu > $(BUILD)/smp-soak-qemu.spec
	BOOT_TESTS_SPEC=$(BUILD)/smp-soak-qemu.spec BOOTRUN_RETRIES=0 BOOT_TESTS_OUT=$(BUILD)/smp-soak-qemu \
		BOOT_TESTS_QEMU=1 \
		NESTED_TIMEOUT_S=$$(( $(or $(N),100) * 2 * 60 + 300 )) \
		tests/boot/run-nested-tests.sh $(BUILD)/minivmm-static

# make run itself (tests/boot/run-demo.sh), driven on a pseudo-terminal.
test-demo: minivmm $(BUILD)/minivmm-static guest-images
	$(MAKE) -s -C tests/boot OUT=$(CURDIR)/$(BUILD)/boot
	$(BUILD)/boot/bootrun -l $(BUILD)/demo-tests tests/boot/demo-tests.spec

test:
	tests/run-all.sh

# libFuzzer targets (clang, ASan + UBSan, built in build/fuzz): every target
# for 1,000,000 executions from its seed corpus, or a short smoke run.
# Fails on any crash; see tests/fuzz/Makefile and docs/robustness.md.
fuzz:
	$(MAKE) --no-print-directory -C tests/fuzz fuzz

fuzz-smoke:
	$(MAKE) --no-print-directory -C tests/fuzz fuzz-smoke

# minivmm against QEMU's microvm in the nested test host (not part of make
# test; about 20 minutes): `make bench REPS=5`. BASELINE=PATH adds another
# static minivmm's runs, TRACE=1 minivmm's with --trace on; BENCH_SETS=vu,
# BENCH_SETS=vsock or BENCH_SETS=kernels (environment; BENCH_ONLY=kernels
# is the same) keeps only the vhost-user runs, only the vsock and network
# ones, or only the boot-only rounds by kernel image (BENCH_KERNEL_REPS);
# BENCH_SETS=stock (not in the default) boots Debian's stock kernel under
# each VMM (BENCH_STOCK_REPS rounds). See docs/benchmarks.md.
bench: $(BUILD)/minivmm-static guest-images
	BENCH_REPS=$(or $(REPS),3) BENCH_MINIVMM_BASELINE=$(BASELINE) BENCH_TRACE=$(or $(TRACE),0) \
		tests/bench/run-bench.sh $(BUILD)/minivmm-static

# Issue 14's check that tracing off costs nothing: make bench with the last
# commit before --trace (80217f9, main just before the trace branch merged)
# as the baseline and a run with --trace on. See docs/benchmarks.md,
# "Tracing off". The vhost-user runs are left out (BENCH_SETS=vsock) unless
# BENCH_SETS says otherwise: the baseline predates them.
PRETRACE_COMMIT := 80217f9
bench-trace-off: $(BUILD)/minivmm-static guest-images
	tests/bench/build-baseline.sh $(PRETRACE_COMMIT) $(BUILD)/minivmm-pretrace-$(PRETRACE_COMMIT)
	BENCH_REPS=$(or $(REPS),2) BENCH_MINIVMM_BASELINE=$(BUILD)/minivmm-pretrace-$(PRETRACE_COMMIT) \
		BENCH_BASELINE_NAME="minivmm at $(PRETRACE_COMMIT), before --trace" BENCH_TRACE=1 \
		BENCH_SETS="$${BENCH_SETS:-vsock}" tests/bench/run-bench.sh $(BUILD)/minivmm-static

# One traced boot under minivmm and under QEMU, phase by phase with the exits
# of each (not a test; a few minutes); BREAKDOWN_KERNEL=stock (environment)
# for Debian's stock kernel. See docs/benchmarks.md, "Boot breakdown".
bench-boot: $(BUILD)/minivmm-static guest-images
	tests/bench/run-breakdown.sh $(BUILD)/minivmm-static

# A lever measured on Debian's stock kernel: this build against the one at
# BASE, alternating, ROUNDS boots each (docs/benchmarks.md, "Levers"):
# `make bench-ab-stock BASE=a9f7b49`.
bench-ab-stock: $(BUILD)/minivmm-static guest-images
	tests/bench/ab-stock.sh $(BUILD)/minivmm-static $(or $(BASE),$(error BASE=COMMIT is needed)) $(or $(ROUNDS),5)

guest-images:
	$(MAKE) -C guest-images

deps:
	.ci/install-deps.sh

run: deps minivmm $(BUILD)/minivmm-static guest-images
	tests/boot/run-demo.sh ./minivmm $(BUILD)/minivmm-static

clean:
	rm -rf $(BUILD) minivmm
	$(MAKE) -C tests/kvm clean
	$(MAKE) -C guest-images clean

-include $(OBJS:.o=.d) $(SAN_OBJS:.o=.d) $(UNIT_OBJS:.o=.d)
