#include "vmm/halt_watch.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/log.h"

#define X86_RFLAGS_IF (1u << 9)

enum halt_vcpu_state halt_classify(uint32_t mp_state, uint64_t rflags)
{
	switch (mp_state) {
	case KVM_MP_STATE_HALTED:
		return (rflags & X86_RFLAGS_IF) ? HALT_VCPU_IDLE : HALT_VCPU_DEAD;
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
		return HALT_VCPU_NOT_STARTED;
	default:
		return HALT_VCPU_RUNNING;
	}
}

bool halt_all_dead(const enum halt_vcpu_state *states, int n)
{
	int dead = 0;
	for (int i = 0; i < n; i++) {
		if (states[i] == HALT_VCPU_DEAD)
			dead++;
		else if (states[i] != HALT_VCPU_NOT_STARTED)
			return false;
	}
	return dead > 0;
}

bool halt_guest_busy(uint64_t cpu_ns_mark, uint64_t cpu_ns_now)
{
	return cpu_ns_now >= cpu_ns_mark && cpu_ns_now - cpu_ns_mark >= HALT_BUSY_CPU_NS;
}

int64_t halt_probe_due_ms(int k)
{
	if (k < 0 || k >= HALT_PROBES)
		return -1;
	return ((INT64_C(2) << k) - 1) * 1000; /* 1, 3, 7, 15, 31 s */
}

const char *halt_state_name(enum halt_vcpu_state s)
{
	switch (s) {
	case HALT_VCPU_RUNNING:
		return "running";
	case HALT_VCPU_IDLE:
		return "halted, interrupts enabled (idle)";
	case HALT_VCPU_DEAD:
		return "halted, interrupts disabled";
	case HALT_VCPU_NOT_STARTED:
		return "not started (waiting for INIT/SIPI)";
	default:
		return "no answer";
	}
}

int halt_watch_init(struct halt_watch *hw, int ncpus, uint64_t now_ns,
		    void (*kick_all)(void *ctx), void *ctx)
{
	*hw = (struct halt_watch){ .ncpus = ncpus, .wake_fd = -1, .answer_fd = -1,
				   .last_exit_ns = now_ns, .kick_all = kick_all, .ctx = ctx,
				   .debug = log_debug_enabled };
	hw->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	hw->answer_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (hw->wake_fd < 0 || hw->answer_fd < 0) {
		error_errno("halt watch: eventfd");
		halt_watch_destroy(hw);
		return -1;
	}
	return 0;
}

void halt_watch_destroy(struct halt_watch *hw)
{
	if (hw->wake_fd >= 0)
		close(hw->wake_fd);
	if (hw->answer_fd >= 0)
		close(hw->answer_fd);
	hw->wake_fd = hw->answer_fd = -1;
}

static void signal_fd(int fd, const char *what)
{
	uint64_t one = 1;
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("halt watch: %s: %s", what, strerror(errno));
}

static void consume_fd(int fd)
{
	uint64_t n;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("halt watch: eventfd: %s", strerror(errno));
}

void halt_watch_note_exit(struct halt_watch *hw)
{
	if (!hw || hw->wake_fd < 0)
		return;
	/* Store, then load; the main thread does the mirror image in
	 * halt_watch_tick, so either it sees this exit or this thread sees
	 * it idle and wakes it (as coalesced_io_note_exit). */
	atomic_store(&hw->exited, true);
	if (atomic_load(&hw->main_idle) && atomic_exchange(&hw->main_idle, false))
		signal_fd(hw->wake_fd, "cannot wake the main loop");
}

void halt_watch_answer(struct halt_watch *hw, int vcpu, enum halt_vcpu_state s)
{
	atomic_store(&hw->state[vcpu], (int)s);
	if (atomic_fetch_add(&hw->answers, 1) + 1 == hw->ncpus)
		signal_fd(hw->answer_fd, "cannot answer a probe");
}

static void start_round(struct halt_watch *hw)
{
	atomic_store(&hw->answers, 0);
	for (int i = 0; i < hw->ncpus; i++)
		atomic_store(&hw->state[i], HALT_VCPU_UNKNOWN);
	atomic_fetch_add(&hw->generation, 1);
	hw->round_in_flight = true;
	hw->round_stale = false;
	hw->rounds++;
	hw->kick_all(hw->ctx);
}

/* Every vCPU answered the round in flight. */
static enum halt_verdict finish_round(struct halt_watch *hw)
{
	enum halt_vcpu_state states[CLI_CPUS_MAX];
	hw->round_in_flight = false;
	for (int i = 0; i < hw->ncpus; i++)
		states[i] = (enum halt_vcpu_state)atomic_load(&hw->state[i]);
	if (hw->debug)
		for (int i = 0; i < hw->ncpus; i++)
			log_debug("halt watch: probe %d round %lu: vCPU %d %s%s", hw->probes_done + 1,
				  hw->rounds, i, halt_state_name(states[i]),
				  hw->round_stale ? " (stale: the guest exited meanwhile)" : "");
	if (hw->round_stale) {
		/* The schedule restarted with that exit; this answer is moot. */
		hw->dead_rounds = 0;
		return HALT_NOTHING;
	}
	if (halt_all_dead(states, hw->ncpus)) {
		if (++hw->dead_rounds >= HALT_CONFIRM_ROUNDS)
			return HALT_DEAD;
		start_round(hw); /* confirm at once */
		return HALT_NOTHING;
	}
	hw->dead_rounds = 0;
	hw->probes_done++;
	return HALT_NOTHING;
}

enum halt_verdict halt_watch_tick(struct halt_watch *hw, uint64_t now_ns, bool wake_ready,
				  bool answer_ready, int *timeout_ms)
{
	*timeout_ms = -1;
	if (wake_ready)
		consume_fd(hw->wake_fd);
	if (answer_ready)
		consume_fd(hw->answer_fd);
	if (atomic_exchange(&hw->exited, false)) {
		/* The guest ran and exited: a new schedule from now. */
		if (hw->vcpu_cpu_ns)
			hw->cpu_ns_mark = hw->vcpu_cpu_ns(hw->ctx);
		hw->last_exit_ns = now_ns;
		hw->probes_done = 0;
		hw->dead_rounds = 0;
		hw->round_stale = hw->round_in_flight;
	}
	if (hw->round_in_flight) {
		if (atomic_load(&hw->answers) < hw->ncpus)
			return HALT_NOTHING; /* answer_fd wakes the loop */
		if (finish_round(hw) == HALT_DEAD)
			return HALT_DEAD;
		if (hw->round_in_flight)
			return HALT_NOTHING;
	}
	int64_t due_ms = halt_probe_due_ms(hw->probes_done);
	if (due_ms < 0) {
		/* All probes made: sleep until the guest exits again. */
		atomic_store(&hw->main_idle, true);
		if (!atomic_exchange(&hw->exited, false))
			return HALT_NOTHING;
		atomic_store(&hw->main_idle, false);
		hw->last_exit_ns = now_ns;
		hw->probes_done = 0;
		due_ms = halt_probe_due_ms(0);
	}
	uint64_t due_ns = hw->last_exit_ns + (uint64_t)due_ms * 1000000u;
	if (now_ns >= due_ns && hw->vcpu_cpu_ns) {
		uint64_t cpu = hw->vcpu_cpu_ns(hw->ctx);
		bool busy = halt_guest_busy(hw->cpu_ns_mark, cpu);
		uint64_t ran = cpu - hw->cpu_ns_mark;
		hw->cpu_ns_mark = cpu;
		if (busy) {
			/* Running without exits: this probe is made; the next
			 * one comes on the same schedule. */
			if (hw->debug)
				log_debug("halt watch: probe %d skipped: the vCPUs ran %llu ms since the "
					  "last look, so the guest is not halted", hw->probes_done + 1,
					  (unsigned long long)(ran / 1000000u));
			hw->busy_skips++;
			hw->probes_done++;
			due_ms = halt_probe_due_ms(hw->probes_done);
			if (due_ms < 0) {
				*timeout_ms = 0; /* the next tick goes idle, race-free */
				return HALT_NOTHING;
			}
			due_ns = hw->last_exit_ns + (uint64_t)due_ms * 1000000u;
		}
	}
	if (now_ns >= due_ns) {
		start_round(hw);
		return HALT_NOTHING;
	}
	uint64_t left_ms = (due_ns - now_ns + 999999u) / 1000000u;
	*timeout_ms = left_ms > 60000 ? 60000 : (int)left_ms;
	return HALT_NOTHING;
}
