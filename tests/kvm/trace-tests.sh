# shellcheck shell=bash
# Sourced by run-tests.sh (uses its run/expect/pass/fail/skip and $minivmm,
# $img, $tmp): --trace (lib/trace.h, docs/tour.md).
# shellcheck disable=SC2154 # $tmp, $img, $status: set by run-tests.sh

# trace_text FILE: the trace without its "[   0.000123] " times. Reads of
# the virtio registers are dropped: with KVM_CAP_READONLY_MEM the register
# page serves them without an exit (so they are not in the trace), without
# it each one exits; the comparison must not depend on the host.
trace_text() {
	sed 's/^\[ *[0-9]*\.[0-9]*\] //' "$1" |
		grep -v -e '^mmio: vCPU [0-9]* MMIO read ' -e ': driver reads ' \
			-e 'more like it: MMIO 0x[0-9a-f]* read$' -e 'more like it: [A-Za-z]*$'
}

# The tiny guest's trace, line by line, against what its instructions must
# produce (tests/kvm/guests/trace_tour.S): port accesses, a refusal, the
# full virtio handshake with the recording backend, a kick that reaches
# minivmm, a reset, the power-off.
cat >"$tmp/trace.expected" <<'EXPECTED'
virtio: virtio-vsock: virtio-mmio slot 0: registers at 0xd0000000-0xd0000fff, IRQ 5; the guest finds it through virtio_mmio.device=4K@0xd0000000:5 on its command line [drivers/virtio/virtio_mmio.c]
pio: vCPU 0 port write 0x3ff, 1 byte, value 0x5a: SCR (scratch) [include/uapi/linux/serial_reg.h]
pio: vCPU 0 port read 0x3ff, 1 byte, got 0x5a: SCR (scratch) [include/uapi/linux/serial_reg.h]
pio: vCPU 0 port read 0x80, 1 byte, got 0xff: POST code / I/O delay (outb_p): reads all-ones [arch/x86/boot/boot.h io_delay]
mmio: vCPU 0 MMIO write 0xd0000070, 4 bytes, value 0x4: virtio-vsock Status [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes Status = 0x4 (DRIVER_OK) [virtio 1.2 sections 2.1, 3.1.1]
virtio: virtio-vsock: REFUSED: driver set DRIVER_OK without FEATURES_OK (status 0x0); refused [virtio 1.2 section 3.1.1]
virtio: virtio-vsock: status stays 0 (reset)
mmio: vCPU 0 MMIO write 0xd0000070, 4 bytes, value 0x0: virtio-vsock Status [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes Status = 0: reset the device [virtio 1.2 section 2.4]
virtio: virtio-vsock: device reset: nothing was running; every queue not ready, features forgotten, InterruptStatus 0 [virtio 1.2 sections 2.4, 4.2.2.1]
virtio: virtio-vsock: status stays 0 (reset)
mmio: vCPU 0 MMIO write 0xd0000070, 4 bytes, value 0x1: virtio-vsock Status [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes Status = 0x1 (ACKNOWLEDGE) [virtio 1.2 sections 2.1, 3.1.1]
virtio: virtio-vsock: status 0 (reset) -> ACKNOWLEDGE
mmio: vCPU 0 MMIO write 0xd0000070, 4 bytes, value 0x3: virtio-vsock Status [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes Status = 0x3 (ACKNOWLEDGE|DRIVER) [virtio 1.2 sections 2.1, 3.1.1]
virtio: virtio-vsock: status ACKNOWLEDGE -> ACKNOWLEDGE|DRIVER
mmio: vCPU 0 MMIO write 0xd0000024, 4 bytes, value 0x0: virtio-vsock DriverFeaturesSel [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes DriverFeaturesSel = 0: the next DriverFeatures access is feature bits 0-31 [virtio 1.2 section 4.2.2]
mmio: vCPU 0 MMIO write 0xd0000020, 4 bytes, value 0x0: virtio-vsock DriverFeatures [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver accepts features word 0 = 0x0 (none) [virtio 1.2 section 3.1.1 step 5]
mmio: vCPU 0 MMIO write 0xd0000024, 4 bytes, value 0x1: virtio-vsock DriverFeaturesSel [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes DriverFeaturesSel = 1: the next DriverFeatures access is feature bits 32-63 [virtio 1.2 section 4.2.2]
mmio: vCPU 0 MMIO write 0xd0000020, 4 bytes, value 0x1: virtio-vsock DriverFeatures [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver accepts features word 1 = 0x1 (VERSION_1) [virtio 1.2 section 3.1.1 step 5]
mmio: vCPU 0 MMIO write 0xd0000070, 4 bytes, value 0xb: virtio-vsock Status [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes Status = 0xb (ACKNOWLEDGE|DRIVER|FEATURES_OK) [virtio 1.2 sections 2.1, 3.1.1]
virtio: virtio-vsock: status ACKNOWLEDGE|DRIVER -> ACKNOWLEDGE|DRIVER|FEATURES_OK
mmio: vCPU 0 MMIO write 0xd0000030, 4 bytes, value 0x0: virtio-vsock QueueSel [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver selects queue 0 (rx) (QueueSel) [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000038, 4 bytes, value 0x100: virtio-vsock QueueNum [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueNum = 0x100 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000080, 4 bytes, value 0x200000: virtio-vsock QueueDescLow [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDescLow = 0x200000 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000084, 4 bytes, value 0x0: virtio-vsock QueueDescHigh [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDescHigh = 0x0 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000090, 4 bytes, value 0x201000: virtio-vsock QueueDriverLow [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDriverLow = 0x201000 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000094, 4 bytes, value 0x0: virtio-vsock QueueDriverHigh [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDriverHigh = 0x0 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd00000a0, 4 bytes, value 0x202000: virtio-vsock QueueDeviceLow [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDeviceLow = 0x202000 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd00000a4, 4 bytes, value 0x0: virtio-vsock QueueDeviceHigh [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDeviceHigh = 0x0 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000044, 4 bytes, value 0x1: virtio-vsock QueueReady [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueReady = 0x1
virtio: virtio-vsock: queue 0 (rx) ready: 256 entries; descriptor table 0x200000, driver ring 0x201000, device ring 0x202000 are aligned and inside guest RAM [virtio 1.2 sections 2.7, 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000030, 4 bytes, value 0x1: virtio-vsock QueueSel [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver selects queue 1 (tx) (QueueSel) [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000038, 4 bytes, value 0x100: virtio-vsock QueueNum [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueNum = 0x100 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000080, 4 bytes, value 0x210000: virtio-vsock QueueDescLow [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDescLow = 0x210000 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000084, 4 bytes, value 0x0: virtio-vsock QueueDescHigh [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDescHigh = 0x0 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000090, 4 bytes, value 0x211000: virtio-vsock QueueDriverLow [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDriverLow = 0x211000 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000094, 4 bytes, value 0x0: virtio-vsock QueueDriverHigh [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDriverHigh = 0x0 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd00000a0, 4 bytes, value 0x212000: virtio-vsock QueueDeviceLow [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDeviceLow = 0x212000 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd00000a4, 4 bytes, value 0x0: virtio-vsock QueueDeviceHigh [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDeviceHigh = 0x0 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000044, 4 bytes, value 0x1: virtio-vsock QueueReady [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueReady = 0x1
virtio: virtio-vsock: queue 1 (tx) ready: 256 entries; descriptor table 0x210000, driver ring 0x211000, device ring 0x212000 are aligned and inside guest RAM [virtio 1.2 sections 2.7, 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000030, 4 bytes, value 0x2: virtio-vsock QueueSel [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver selects queue 2 (event) (QueueSel) [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000038, 4 bytes, value 0x100: virtio-vsock QueueNum [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueNum = 0x100 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000080, 4 bytes, value 0x220000: virtio-vsock QueueDescLow [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDescLow = 0x220000 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000084, 4 bytes, value 0x0: virtio-vsock QueueDescHigh [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDescHigh = 0x0 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000090, 4 bytes, value 0x221000: virtio-vsock QueueDriverLow [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDriverLow = 0x221000 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000094, 4 bytes, value 0x0: virtio-vsock QueueDriverHigh [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDriverHigh = 0x0 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd00000a0, 4 bytes, value 0x222000: virtio-vsock QueueDeviceLow [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDeviceLow = 0x222000 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd00000a4, 4 bytes, value 0x0: virtio-vsock QueueDeviceHigh [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueDeviceHigh = 0x0 [virtio 1.2 section 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000044, 4 bytes, value 0x1: virtio-vsock QueueReady [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueReady = 0x1
virtio: virtio-vsock: queue 2 (event) ready: 256 entries; descriptor table 0x220000, driver ring 0x221000, device ring 0x222000 are aligned and inside guest RAM [virtio 1.2 sections 2.7, 4.2.3.2]
mmio: vCPU 0 MMIO write 0xd0000070, 4 bytes, value 0xf: virtio-vsock Status [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes Status = 0xf (ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK) [virtio 1.2 sections 2.1, 3.1.1]
virtio: virtio-vsock: queues 0-1 go to the backend (features 0x100000000); their kicks exit to minivmm, which passes them on
virtio: virtio-vsock: DRIVER_OK: device activated with features VERSION_1; it is live [virtio 1.2 section 3.1.1 step 8]
virtio: virtio-vsock: status ACKNOWLEDGE|DRIVER|FEATURES_OK -> ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK
mmio: vCPU 0 MMIO write 0xd0000050, 4 bytes, value 0x1: virtio-vsock QueueNotify [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes QueueNotify = 1
virtio: virtio-vsock: QueueNotify for queue 1 reached minivmm (no ioeventfd took it): passed to the device [virtio 1.2 section 4.2.3.3]
mmio: vCPU 0 MMIO write 0xd0000070, 4 bytes, value 0x0: virtio-vsock Status [virtio 1.2 section 4.2.2]
virtio: virtio-vsock: driver writes Status = 0: reset the device [virtio 1.2 section 2.4]
virtio: virtio-vsock: device reset: the device was running, its backend is stopped; every queue not ready, features forgotten, InterruptStatus 0 [virtio 1.2 sections 2.4, 4.2.2.1]
virtio: the backend gives the queues back
virtio: virtio-vsock: status ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK -> 0 (reset)
pio: vCPU 0 port write 0x604, 2 bytes, value 0x3400: PM1a_CNT (control: SLP_TYP, SLP_EN) [ACPI 6.4 section 4.8.3]
EXPECTED
run "" --kernel "$img/trace_tour.bzImage" --vsock-cid 3 --vsock-test-backend "$tmp/backend.log" \
	--trace=pio,mmio,virtio --trace-file "$tmp/trace"
trace_text "$tmp/trace" >"$tmp/trace.got"
if [ "$status" -ne 0 ]; then
	fail trace-tiny-guest-line-by-line "exit status $status, expected 0"
elif ! diff -u "$tmp/trace.expected" "$tmp/trace.got" >"$tmp/trace.diff"; then
	fail trace-tiny-guest-line-by-line "the trace differs from what the guest's instructions must produce"
	sed 's/^/  diff| /' "$tmp/trace.diff" | head -150
else
	pass trace-tiny-guest-line-by-line
fi

# The trace goes to stderr, the guest's console to stdout: never mixed.
run "" --kernel "$img/hello.bzImage" --trace
if [ "$status" -ne 0 ]; then
	fail trace-never-on-stdout "exit status $status, expected 0"
elif grep -q '^\[ *[0-9]*\.[0-9]*\] ' "$tmp/out"; then
	fail trace-never-on-stdout "trace lines on stdout"
elif ! grep -q '^hello from a tiny guest' "$tmp/out"; then
	fail trace-never-on-stdout "the console lacks the guest's line"
elif ! grep -q "^\[ *[0-9]*\.[0-9]*\] boot: set-up step 'vcpu threads' done" "$tmp/err"; then
	fail trace-never-on-stdout "stderr lacks the trace"
else
	pass trace-never-on-stdout
fi

# --trace=boot: minivmm's steps and what it wrote where in guest memory, in
# the order boot/loader.c writes them.
run "" --kernel "$img/hello.bzImage" --trace=boot --trace-file "$tmp/trace"
trace_text "$tmp/trace" >"$tmp/trace.got"
missing=
for want in "boot: set-up step 'kvm' done" "boot: memory: kernel (the bzImage's protected-mode part, 4096 bytes) written at 0x1000000-0x1000fff" \
	'boot: memory: command line at 0x20000 (boot_params.hdr.cmd_line_ptr): "console=ttyS0' \
	'boot: memory: MP table' 'boot: memory: ACPI tables' 'boot: memory: GDT at 0x500' \
	'boot: memory: boot_params (the zero page) at 0x7000' 'boot: memory: e820 entry 0: 0x0-' \
	'boot: entry: vCPU 0 will start at 0x1000200' "boot: set-up step 'guest' done" \
	"boot: set-up step 'vcpu threads' done" "boot: teardown: undoing step 'kvm'"; do
	n=$(grep -nF -- "$want" "$tmp/trace.got" | head -n 1 | cut -d: -f1)
	if [ -z "$n" ] || { [ -n "${last:-}" ] && [ "$n" -lt "$last" ]; }; then
		missing=$want
		break
	fi
	last=$n
done
unset last
if [ "$status" -ne 0 ]; then
	fail trace-boot-timeline "exit status $status, expected 0"
elif [ -n "$missing" ]; then
	fail trace-boot-timeline "the boot trace lacks, in order: $missing"
	sed 's/^/  trace| /' "$tmp/trace.got" | head -40
elif grep -qv '^boot: ' "$tmp/trace.got"; then
	fail trace-boot-timeline "lines of other categories than boot"
else
	pass trace-boot-timeline
fi

# --trace=exits names each exit; and tracing adds no exit: the same guest
# makes exactly as many port and MMIO exits with every category on as with
# tracing off (the trace only speaks about exits that happened).
exits_of() { sed -n 's/.*stats: vcpu_exits=[0-9]* \(pio_exits=[0-9]*\) coalesced_writes=[0-9]* \(mmio_exits=[0-9]*\).*/\1 \2/p' "$tmp/err"; }
run "" --kernel "$img/trace_tour.bzImage" --vsock-cid 3 --vsock-test-backend "$tmp/backend.log" --stats
off=$(exits_of)
run "" --kernel "$img/trace_tour.bzImage" --vsock-cid 3 --vsock-test-backend "$tmp/backend.log" --stats \
	--trace --trace-file "$tmp/trace"
on=$(exits_of)
if [ "$status" -ne 0 ] || [ -z "$off" ]; then
	fail trace-adds-no-exits "exit status $status or no --stats line"
elif [ "$on" != "$off" ]; then
	fail trace-adds-no-exits "tracing off: $off; on: $on"
else
	pass trace-adds-no-exits
fi
pio=${on#pio_exits=}
pio=${pio%% *}
mmio=${on##*mmio_exits=}
n_io=$(grep -c '] exits: vCPU 0 exit KVM_EXIT_IO (2): an IN or OUT' "$tmp/trace")
n_mmio=$(grep -c '] exits: vCPU 0 exit KVM_EXIT_MMIO (6): a load or store' "$tmp/trace")
# Each exit is its own line here (a port or MMIO line follows each one, so
# no run of identical exits is summarised).
if [ "$n_io" != "$pio" ] || [ "$n_mmio" != "$mmio" ]; then
	fail trace-names-every-exit "$n_io KVM_EXIT_IO lines for $pio port exits, $n_mmio KVM_EXIT_MMIO lines for $mmio MMIO exits"
else
	pass trace-names-every-exit
fi
if grep -q '] kvm: virtio-vsock: KVM_IRQFD added: a write to eventfd [0-9]* raises IRQ 5 in the guest' "$tmp/trace"; then
	pass trace-kvm-irqfd
else
	fail trace-kvm-irqfd "no KVM_IRQFD line for the vsock slot's IRQ 5"
fi

# Repeats are summarised: hello's print loop polls the UART's LSR before
# each byte. With KVM_CAP_COALESCED_PIO its THR writes do not exit, so the
# LSR reads come one after another: one line, then "... N more like it".
# Without it, each THR write exits between two reads (no run to summarise).
run "" --kernel "$img/hello.bzImage" --trace=pio --trace-file "$tmp/trace"
if grep -q '] pio: vCPU 0 port write 0x3f8' "$tmp/trace"; then
	skip trace-summarises-repeats "THR writes exit here (KVM lacks KVM_CAP_COALESCED_PIO)"
elif [ "$(grep -c '] pio: vCPU 0 port read 0x3fd, 1 byte, got 0x60: LSR (line status)' "$tmp/trace")" -ge 1 ] &&
	grep -q '] pio: \.\.\. [0-9]* more like it: port 0x3fd read$' "$tmp/trace" &&
	[ "$(grep -c 'port read 0x3fd' "$tmp/trace")" -lt 5 ]; then
	pass trace-summarises-repeats
else
	fail trace-summarises-repeats "the LSR polling is not summarised"
	sed 's/^/  trace| /' "$tmp/trace" | head -20
fi
