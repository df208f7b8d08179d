#include "vmm/vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/exit_status.h"
#include "lib/log.h"
#include "lib/trace.h"
#include "vmm/cpuid.h"
#include "vmm/kick.h"
#include "vmm/regdump.h"
#include "vmm/sandbox.h"
#include "vmm/trace_describe.h"
#include "virtio/mmio_describe.h"

/* Each vCPU gets KVM's supported CPUID, adjusted by cpuid_adjust. */
static int set_cpuid(struct vcpu *vcpu)
{
	const struct kvm_cpuid2 *supported = vcpu->env->cpuid;
	size_t bytes = sizeof(*supported) + supported->nent * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *c = malloc(bytes);
	if (!c)
		return error_set("out of memory");
	memcpy(c, supported, bytes);
	cpuid_adjust(c, &(struct cpuid_options){
				.apic_id = vcpu->id,
				.tsc_deadline = vcpu->env->tsc_deadline,
			});
	int r = ioctl(vcpu->fd, KVM_SET_CPUID2, c);
	free(c);
	if (r < 0)
		return error_errno("vCPU %d: KVM_SET_CPUID2", vcpu->id);
	return 0;
}

int vcpu_create(struct vcpu *vcpu, const struct vcpu_env *env, int id)
{
	*vcpu = (struct vcpu){ .env = env, .id = id, .fd = -1 };
	vcpu->fd = ioctl(env->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0)
		return error_errno("KVM_CREATE_VCPU %d", id);
	void *run = mmap(NULL, (size_t)env->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED)
		return error_errno("vCPU %d: mmap of kvm_run", id);
	vcpu->run = run;
	return set_cpuid(vcpu);
}

int vcpu_set_boot_state(struct vcpu *vcpu, const struct kvm_regs *regs,
			const struct kvm_sregs *sregs)
{
	/* Start from KVM's reset state and change what the boot protocol needs. */
	struct kvm_sregs s;
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0)
		return error_errno("vCPU %d: KVM_GET_SREGS", vcpu->id);
	s.cs = sregs->cs;
	s.ds = sregs->ds;
	s.es = sregs->es;
	s.fs = sregs->fs;
	s.gs = sregs->gs;
	s.ss = sregs->ss;
	s.tr = sregs->tr;
	s.ldt = sregs->ldt;
	s.gdt = sregs->gdt;
	s.idt = sregs->idt;
	s.cr0 = sregs->cr0;
	s.cr3 = sregs->cr3;
	s.cr4 = sregs->cr4;
	s.efer = sregs->efer;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &s) < 0)
		return error_errno("vCPU %d: KVM_SET_SREGS", vcpu->id);
	if (ioctl(vcpu->fd, KVM_SET_REGS, regs) < 0)
		return error_errno("vCPU %d: KVM_SET_REGS", vcpu->id);
	return 0;
}

/* The registers of the vCPU that stopped the VM, for the user. Runs only
 * for the request that wins, so one crash never overwrites another's. */
static void dump_registers(void *ctx, char *buf, size_t size)
{
	struct vcpu *vcpu = ctx;
	struct kvm_regs r;
	struct kvm_sregs s;
	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 || ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0)
		return;
	regdump_format(buf, size, vcpu->id, &r, &s);
}

/* SIGUSR2: print where this vCPU is, then carry on. */
static void dump_if_asked(struct vcpu *vcpu)
{
	const struct vcpu_env *env = vcpu->env;
	unsigned gen = env->dump_generation ? atomic_load(env->dump_generation) : 0;
	if (gen == vcpu->dumped_generation)
		return;
	vcpu->dumped_generation = gen;
	char buf[2048];
	buf[0] = '\0';
	dump_registers(vcpu, buf, sizeof(buf));
	log_msg(NULL, "vCPU %d registers (asked for with SIGUSR2):\n%s", vcpu->id, buf);
}

/* The halt watch asked (it kicked us): is this vCPU halted, and with
 * interrupts enabled? Read between two KVM_RUNs, so the state is stable. */
static void answer_halt_probe(struct vcpu *vcpu)
{
	struct halt_watch *hw = vcpu->env->halt;
	if (!hw)
		return;
	unsigned gen = halt_watch_generation(hw);
	if (gen == vcpu->probed_generation)
		return;
	vcpu->probed_generation = gen;
	struct kvm_mp_state mp;
	struct kvm_regs regs;
	enum halt_vcpu_state s = HALT_VCPU_UNKNOWN;
	if (ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) == 0 && ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0)
		s = halt_classify(mp.mp_state, regs.rflags);
	else
		log_debug("vCPU %d: halt probe: %s", vcpu->id, strerror(errno));
	halt_watch_answer(hw, vcpu->id, s);
}

static void crash(struct vcpu *vcpu, const char *what)
{
	stop_request_detail(vcpu->env->stop, VM_STOP_CRASH, EXIT_GUEST_CRASHED, dump_registers, vcpu,
			    "vCPU %d: %s", vcpu->id, what);
}

/* --trace=pio,mmio: one access in words. Writes are traced before the
 * device acts (what the guest wrote), reads after (what it got). Keyed by
 * address and direction, so a guest polling one register is summarised. */
static void trace_access(struct vcpu *vcpu, unsigned cat, uint64_t addr, const uint8_t *data,
			 uint32_t len, bool is_write)
{
	const struct io_bus *bus = cat == TRACE_PIO ? vcpu->env->pio : vcpu->env->mmio;
	const struct io_range *r = io_bus_find(bus, addr, len);
	uint64_t value = trace_le_value(data, len);
	char what[200], key[64];

	if (cat == TRACE_PIO) {
		trace_describe_port(r ? r->name : NULL, r ? addr - r->base : 0, is_write, value, what,
				    sizeof(what));
	} else if (r) {
		const char *reg = virtio_mmio_reg_name((uint32_t)(addr - r->base));
		snprintf(what, sizeof(what), "%s %s%s [virtio 1.2 section 4.2.2]", r->name,
			 reg ? reg : "register", addr - r->base >= 0x100 ? " space" : "");
	} else {
		snprintf(what, sizeof(what), "no device: %s",
			 is_write ? "ignored" : "reads all-ones");
	}
	snprintf(key, sizeof(key), "%s %#llx %s", cat == TRACE_PIO ? "port" : "MMIO",
		 (unsigned long long)addr, is_write ? "write" : "read");
	trace_keyed(cat, key, "vCPU %d %s %s %#llx, %u byte%s, %s 0x%llx: %s", vcpu->id,
		    cat == TRACE_PIO ? "port" : "MMIO", is_write ? "write" : "read",
		    (unsigned long long)addr, len, len == 1 ? "" : "s", is_write ? "value" : "got",
		    (unsigned long long)value, what);
}

static void handle_pio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t size = run->io.size;
	uint64_t total = (uint64_t)size * run->io.count;
	if (run->io.data_offset + total > (uint64_t)vcpu->env->run_size) {
		crash(vcpu, "port I/O exit with data outside kvm_run");
		return;
	}
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	for (uint32_t i = 0; i < run->io.count; i++, data += size) {
		if (trace_enabled(TRACE_PIO) && is_write)
			trace_access(vcpu, TRACE_PIO, run->io.port, data, size, true);
		if (!io_bus_dispatch(vcpu->env->pio, run->io.port, data, size, is_write))
			log_debug("unhandled port %s: port %#x size %u%s", is_write ? "write" : "read",
				  run->io.port, size, is_write ? "" : " (read as all-ones)");
		if (trace_enabled(TRACE_PIO) && !is_write)
			trace_access(vcpu, TRACE_PIO, run->io.port, data, size, false);
	}
}

static void handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t len = run->mmio.len;
	if (len == 0 || len > sizeof(run->mmio.data)) {
		crash(vcpu, "MMIO exit with a bad length");
		return;
	}
	if (trace_enabled(TRACE_MMIO) && run->mmio.is_write)
		trace_access(vcpu, TRACE_MMIO, run->mmio.phys_addr, run->mmio.data, len, true);
	bool handled = io_bus_dispatch(vcpu->env->mmio, run->mmio.phys_addr, run->mmio.data, len,
				       run->mmio.is_write);
	if (trace_enabled(TRACE_MMIO) && !run->mmio.is_write)
		trace_access(vcpu, TRACE_MMIO, run->mmio.phys_addr, run->mmio.data, len, false);
	if (!handled)
		log_debug("unhandled MMIO %s: address %#llx size %u%s",
			  run->mmio.is_write ? "write" : "read", run->mmio.phys_addr, len,
			  run->mmio.is_write ? "" : " (read as all-ones)");
}

static void handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char what[160];
	if (trace_enabled(TRACE_EXITS)) {
		const char *meaning, *name = trace_exit_reason(run->exit_reason, &meaning);
		char key[64];
		snprintf(key, sizeof(key), "vCPU %d %s", vcpu->id, name);
		trace_keyed(TRACE_EXITS, key, "vCPU %d exit %s (%u): %s [include/uapi/linux/kvm.h]",
			    vcpu->id, name, run->exit_reason, meaning);
	}
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu->exits_pio++;
		handle_pio(vcpu);
		return;
	case KVM_EXIT_MMIO:
		vcpu->exits_mmio++;
		handle_mmio(vcpu);
		return;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		vcpu->exits_other++;
		return;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel local APIC; never expected here. */
		stop_request(vcpu->env->stop, VM_STOP_POWEROFF, 0, "vCPU %d halted", vcpu->id);
		return;
	case KVM_EXIT_SHUTDOWN:
		crash(vcpu, "guest triple fault (shutdown)");
		return;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "KVM_EXIT_FAIL_ENTRY (hardware reason %#llx)",
			 run->fail_entry.hardware_entry_failure_reason);
		crash(vcpu, what);
		return;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what), "KVM_EXIT_INTERNAL_ERROR (suberror %u%s)",
			 run->internal.suberror,
			 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
				 ? ": instruction emulation failed"
				 : "");
		crash(vcpu, what);
		return;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
			stop_request(vcpu->env->stop, VM_STOP_POWEROFF, 0, "guest powered off");
			return;
		}
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
			stop_request(vcpu->env->stop, VM_STOP_REBOOT, 0, "guest rebooted");
			return;
		}
		snprintf(what, sizeof(what), "unhandled system event %u", run->system_event.type);
		crash(vcpu, what);
		return;
	default:
		snprintf(what, sizeof(what), "unhandled KVM exit reason %u", run->exit_reason);
		crash(vcpu, what);
		return;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	const struct vcpu_env *env = vcpu->env;
	kick_signal_unblock();
	/* The thread's own seccomp filter, before the guest runs
	 * (vmm/sandbox.h: filters are per thread). */
	if (env->sandbox && sandbox_install(SANDBOX_VCPU) < 0) {
		stop_request(env->stop, VM_STOP_ERROR, EXIT_VMM_FAILED, "vCPU %d: %s", vcpu->id, error_message());
		return NULL;
	}

	while (!stop_requested(env->stop)) {
		int r = ioctl(vcpu->fd, KVM_RUN, 0);
		int run_errno = errno; /* the replay below may write to stdout */
		/* Writes KVM deferred to the coalesced ring happened before this
		 * exit, on this vCPU or another: replay them before handling
		 * anything, so every device access sees the state after them
		 * (docs/architecture.md, "Coalesced UART output"). */
		coalesced_io_drain(env->coalesced);
		if (r < 0) {
			errno = run_errno;
			if (errno == EINTR || errno == EAGAIN) {
				vcpu->run->immediate_exit = 0;
				dump_if_asked(vcpu);
				answer_halt_probe(vcpu);
				continue;
			}
			error_errno("vCPU %d: KVM_RUN", vcpu->id);
			stop_request(env->stop, VM_STOP_ERROR, EXIT_VMM_FAILED, "%s", error_message());
			break;
		}
		coalesced_io_note_exit(env->coalesced);
		halt_watch_note_exit(env->halt);
		handle_exit(vcpu);
	}
	return NULL;
}

/* A vCPU thread's stack: the exit handlers need little, and a stack
 * smaller than a huge page cannot be backed by a transparent huge page on
 * hosts whose THP mode is "always" (Debian's kernel), which would put 2 MiB
 * of resident memory behind the few KiB a thread uses. */
#define VCPU_STACK_SIZE (512 * 1024)

int vcpu_start(struct vcpu *vcpu)
{
	pthread_attr_t attr;
	int r = pthread_attr_init(&attr);
	if (!r)
		r = pthread_attr_setstacksize(&attr, VCPU_STACK_SIZE);
	if (!r) {
		r = pthread_create(&vcpu->thread, &attr, vcpu_thread, vcpu);
		pthread_attr_destroy(&attr);
	}
	if (r) {
		errno = r;
		return error_errno("vCPU %d: cannot start thread", vcpu->id);
	}
	vcpu->started = true;
	return 0;
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	/* immediate_exit covers a kick that lands just before KVM_RUN. */
	vcpu->run->immediate_exit = 1;
	pthread_kill(vcpu->thread, KICK_SIGNAL);
}

void vcpu_join(struct vcpu *vcpu)
{
	if (vcpu->started)
		pthread_join(vcpu->thread, NULL);
	vcpu->started = false;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, (size_t)vcpu->env->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}
