/* Halt detection: a guest whose every vCPU is halted with interrupts
 * disabled (Linux's `halt`, `poweroff` without ACPI, a kernel stuck that
 * way) can never run again, and with the in-kernel local APIC its HLT never
 * leaves KVM: nothing would tell minivmm. So the main thread asks.
 *
 * When: probes follow the guest's exits to minivmm. After the last vCPU
 * exit, a probe at 1, 3, 7, 15 and 31 s (HALT_PROBES of them, each twice as
 * far as the one before); then nothing until the guest exits again. An
 * idle VM is thus probed five times after its last exit and then never
 * woken; a guest that exits at least once a second is never probed.
 * Linux prints before it halts ("reboot: System halted"), so a halted Linux
 * is seen at the first probe after that line.
 *
 * How: a probe kicks every vCPU out of KVM_RUN; each vCPU thread reads its
 * own KVM_GET_MP_STATE and RFLAGS, answers, and goes back in (a halted vCPU
 * stays halted: KVM keeps mp_state across the exit). The guest is dead when
 * every vCPU is HALTED with IF clear (or was never started by the others:
 * an AP still waiting for INIT/SIPI), two rounds in a row: the second round
 * starts at once and rules out a vCPU that another woke between answers.
 * An idle guest (HLT with IF set) is never dead: an interrupt wakes it.
 *
 * A busy guest is not kicked: a guest whose data moves through vhost
 * without exits (a transfer on vsock, virtio-net, vhost-user) runs on its
 * vCPUs without exiting to minivmm, so the schedule above comes due; but a
 * vCPU halted for good sleeps in KVM and uses no CPU time. So before a
 * probe the main thread reads the vCPU threads' CPU time: if they used
 * HALT_BUSY_CPU_NS or more since the last exit or probe, the guest is
 * running, the probe counts as made, and no vCPU is disturbed. */
#ifndef MINIVMM_VMM_HALT_WATCH_H
#define MINIVMM_VMM_HALT_WATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/cli.h"

#define HALT_PROBES 5
#define HALT_CONFIRM_ROUNDS 2
/* CPU time of all vCPU threads together, between two probes, that shows
 * the guest is running. A vCPU that halted for good uses next to none
 * (KVM's halt polling, at most 200 us per halt by default, then sleep);
 * a guest handling interrupts at I/O rates uses far more per second. */
#define HALT_BUSY_CPU_NS (10 * 1000 * 1000ull)

enum halt_vcpu_state {
	HALT_VCPU_UNKNOWN = 0, /* no answer, or its ioctls failed */
	HALT_VCPU_RUNNING,
	HALT_VCPU_IDLE,        /* HLT with interrupts enabled */
	HALT_VCPU_DEAD,        /* HLT with interrupts disabled */
	HALT_VCPU_NOT_STARTED, /* an AP waiting for INIT/SIPI */
};

/* Pure: a vCPU's state from KVM_GET_MP_STATE and RFLAGS. */
enum halt_vcpu_state halt_classify(uint32_t mp_state, uint64_t rflags);
/* Pure: whether n answers make a dead guest. */
bool halt_all_dead(const enum halt_vcpu_state *states, int n);
/* Pure: when probe k (0-based) is due, in ms after the last exit; -1 when
 * k >= HALT_PROBES. */
int64_t halt_probe_due_ms(int k);
const char *halt_state_name(enum halt_vcpu_state s);

enum halt_verdict { HALT_NOTHING, HALT_DEAD };

struct halt_watch {
	int ncpus;
	/* vCPU threads */
	atomic_bool exited;        /* a vCPU exited since the main thread looked */
	atomic_bool main_idle;     /* the main thread waits without a timeout */
	int wake_fd;               /* eventfd: an exit while main_idle */
	atomic_uint generation;    /* the probe round being asked */
	atomic_int answers;        /* answers to it so far */
	atomic_int state[CLI_CPUS_MAX];
	int answer_fd;             /* eventfd: every vCPU answered */
	/* main thread */
	uint64_t last_exit_ns;
	int probes_done;           /* since the last exit */
	bool round_in_flight;
	bool round_stale;          /* an exit came during the round */
	int dead_rounds;           /* all-dead rounds in a row */
	unsigned long rounds;      /* --stats */
	unsigned long busy_skips;  /* --stats: probes not made, the guest ran */
	uint64_t cpu_ns_mark;      /* vCPU CPU time at the last exit or probe */
	bool debug;
	void (*kick_all)(void *ctx);
	/* CPU time of every vCPU thread together, in ns; NULL: unknown (every
	 * probe then kicks). */
	uint64_t (*vcpu_cpu_ns)(void *ctx);
	void *ctx;
};

/* Pure: whether CPU time now, against the mark, shows a running guest. */
bool halt_guest_busy(uint64_t cpu_ns_mark, uint64_t cpu_ns_now);

int halt_watch_init(struct halt_watch *hw, int ncpus, uint64_t now_ns,
		    void (*kick_all)(void *ctx), void *ctx);
void halt_watch_destroy(struct halt_watch *hw);

/* vCPU threads: after each exit from KVM_RUN (not after a kick's EINTR). */
void halt_watch_note_exit(struct halt_watch *hw);
/* vCPU threads: the round currently asked, and the answer to it. */
static inline unsigned halt_watch_generation(struct halt_watch *hw)
{
	return atomic_load(&hw->generation);
}
void halt_watch_answer(struct halt_watch *hw, int vcpu, enum halt_vcpu_state s);

/* Main thread, once per loop iteration after poll: consumes the eventfds'
 * readiness (pass what poll said), decides, starts rounds. Returns
 * HALT_DEAD once the guest is dead; *timeout_ms gets the poll timeout the
 * watch needs (-1: none). */
enum halt_verdict halt_watch_tick(struct halt_watch *hw, uint64_t now_ns, bool wake_ready,
				  bool answer_ready, int *timeout_ms);

#endif
