/* vCPUs: creation, boot state, and the per-vCPU thread that runs KVM_RUN
 * and dispatches exits. */
#ifndef MINIVMM_VCPU_H
#define MINIVMM_VCPU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "lib/io_bus.h"
#include "vmm/coalesced_io.h"
#include "vmm/halt_watch.h"
#include "vmm/stop.h"

struct kvm_cpuid2;
struct kvm_regs;
struct kvm_sregs;

/* What a vCPU sees of its VM: nothing more, so it can be built and tested
 * without the whole VM. */
struct vcpu_env {
	int vm_fd;
	int run_size;                   /* KVM_GET_VCPU_MMAP_SIZE */
	const struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
	bool tsc_deadline;
	const struct io_bus *pio;
	const struct io_bus *mmio;
	struct coalesced_io *coalesced;
	struct stop_sink *stop;
	/* Bumped to ask every vCPU for its registers (SIGUSR2: a stuck guest
	 * is shown where it is); each prints them once per bump. */
	atomic_uint *dump_generation;
	bool sandbox; /* each vCPU thread installs its seccomp filter */
	/* Told of every exit; asks, through a kick, whether this vCPU is
	 * halted (vmm/halt_watch.h). */
	struct halt_watch *halt;
};

struct vcpu {
	const struct vcpu_env *env;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	/* Exits to userspace, written by this vCPU's thread only. */
	unsigned long exits_pio;
	unsigned long exits_mmio;
	unsigned long exits_other;
	unsigned dumped_generation;
	unsigned probed_generation; /* the halt watch's last round answered */
};

int vcpu_create(struct vcpu *vcpu, const struct vcpu_env *env, int id);
int vcpu_set_boot_state(struct vcpu *vcpu, const struct kvm_regs *regs,
			const struct kvm_sregs *sregs);
int vcpu_start(struct vcpu *vcpu);
/* Make the vCPU leave KVM_RUN (it then sees the stop request, or a
 * request for its registers). */
void vcpu_kick(struct vcpu *vcpu);
void vcpu_join(struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);

#endif
