#include <criterion/criterion.h>
#include <linux/kvm.h>

#include "vmm/halt_watch.h"

#define IF (1u << 9)

Test(halt_watch, classify)
{
	cr_assert_eq(halt_classify(KVM_MP_STATE_HALTED, 0x2), HALT_VCPU_DEAD);
	cr_assert_eq(halt_classify(KVM_MP_STATE_HALTED, 0x2 | IF), HALT_VCPU_IDLE);
	cr_assert_eq(halt_classify(KVM_MP_STATE_RUNNABLE, 0x2), HALT_VCPU_RUNNING);
	cr_assert_eq(halt_classify(KVM_MP_STATE_INIT_RECEIVED, 0x2), HALT_VCPU_NOT_STARTED);
	cr_assert_eq(halt_classify(KVM_MP_STATE_UNINITIALIZED, 0x2), HALT_VCPU_NOT_STARTED);
	cr_assert_eq(halt_classify(KVM_MP_STATE_SIPI_RECEIVED, 0x2), HALT_VCPU_RUNNING);
}

Test(halt_watch, all_dead)
{
	enum halt_vcpu_state a[] = { HALT_VCPU_DEAD, HALT_VCPU_NOT_STARTED, HALT_VCPU_DEAD };
	cr_assert(halt_all_dead(a, 3));
	enum halt_vcpu_state b[] = { HALT_VCPU_DEAD, HALT_VCPU_IDLE };
	cr_assert_not(halt_all_dead(b, 2), "an idle vCPU can be woken and wake the others");
	enum halt_vcpu_state c[] = { HALT_VCPU_NOT_STARTED, HALT_VCPU_NOT_STARTED };
	cr_assert_not(halt_all_dead(c, 2), "nobody halted");
	enum halt_vcpu_state d[] = { HALT_VCPU_DEAD, HALT_VCPU_UNKNOWN };
	cr_assert_not(halt_all_dead(d, 2), "a missing answer is not dead");
	enum halt_vcpu_state e[] = { HALT_VCPU_RUNNING };
	cr_assert_not(halt_all_dead(e, 1));
}

Test(halt_watch, schedule_doubles_then_stops)
{
	int64_t want[] = { 1000, 3000, 7000, 15000, 31000 };
	for (int k = 0; k < HALT_PROBES; k++)
		cr_assert_eq(halt_probe_due_ms(k), want[k], "probe %d", k);
	cr_assert_eq(halt_probe_due_ms(HALT_PROBES), -1);
	cr_assert_eq(halt_probe_due_ms(-1), -1);
}

/* The main thread's state machine, with the vCPUs played by the test. */
static struct halt_watch hw;
static int kicks;
static void kick(void *ctx)
{
	(void)ctx;
	kicks++;
}

#define S(x) ((uint64_t)(x) * 1000000000ull)

static void answer_all(enum halt_vcpu_state s)
{
	for (int i = 0; i < hw.ncpus; i++)
		halt_watch_answer(&hw, i, s);
}

Test(halt_watch, dead_guest_after_two_rounds)
{
	kicks = 0;
	cr_assert_eq(halt_watch_init(&hw, 2, S(0), kick, NULL), 0);
	int t;
	cr_assert_eq(halt_watch_tick(&hw, S(0), false, false, &t), HALT_NOTHING);
	cr_assert_eq(t, 1000);
	cr_assert_eq(kicks, 0);
	halt_watch_tick(&hw, S(1), false, false, &t);
	cr_assert_eq(kicks, 1, "probe at 1 s");
	cr_assert_eq(t, -1, "waits for the answers");
	halt_watch_answer(&hw, 0, HALT_VCPU_DEAD);
	cr_assert_eq(halt_watch_tick(&hw, S(1), false, false, &t), HALT_NOTHING);
	halt_watch_answer(&hw, 1, HALT_VCPU_NOT_STARTED);
	cr_assert_eq(halt_watch_tick(&hw, S(1), false, true, &t), HALT_NOTHING);
	cr_assert_eq(kicks, 2, "confirming round at once");
	answer_all(HALT_VCPU_DEAD);
	cr_assert_eq(halt_watch_tick(&hw, S(1), false, true, &t), HALT_DEAD);
	halt_watch_destroy(&hw);
}

Test(halt_watch, idle_guest_probed_five_times_then_quiet)
{
	kicks = 0;
	cr_assert_eq(halt_watch_init(&hw, 1, S(0), kick, NULL), 0);
	int t;
	int64_t now = 0;
	for (int k = 0; k < HALT_PROBES; k++) {
		now = halt_probe_due_ms(k) / 1000;
		halt_watch_tick(&hw, S(now), false, false, &t);
		cr_assert_eq(kicks, k + 1);
		answer_all(HALT_VCPU_IDLE);
		cr_assert_eq(halt_watch_tick(&hw, S(now), false, true, &t), HALT_NOTHING);
	}
	cr_assert_eq(t, -1, "no time-out after the last probe");
	cr_assert_eq(halt_watch_tick(&hw, S(1000), false, false, &t), HALT_NOTHING);
	cr_assert_eq(kicks, HALT_PROBES);
	/* An exit starts the schedule again. */
	halt_watch_note_exit(&hw);
	halt_watch_tick(&hw, S(2000), true, false, &t);
	cr_assert_eq(t, 1000);
	halt_watch_destroy(&hw);
}

Test(halt_watch, exit_during_round_makes_it_moot)
{
	kicks = 0;
	cr_assert_eq(halt_watch_init(&hw, 1, S(0), kick, NULL), 0);
	int t;
	halt_watch_tick(&hw, S(1), false, false, &t);
	cr_assert_eq(kicks, 1);
	halt_watch_note_exit(&hw);
	answer_all(HALT_VCPU_DEAD);
	cr_assert_eq(halt_watch_tick(&hw, S(1), false, true, &t), HALT_NOTHING);
	cr_assert_eq(kicks, 1, "no confirming round for a stale answer");
	cr_assert_eq(t, 1000, "a new schedule from the exit");
	halt_watch_destroy(&hw);
}

Test(halt_watch, running_guest_is_not_dead)
{
	kicks = 0;
	cr_assert_eq(halt_watch_init(&hw, 1, S(0), kick, NULL), 0);
	int t;
	halt_watch_tick(&hw, S(1), false, false, &t);
	answer_all(HALT_VCPU_RUNNING);
	cr_assert_eq(halt_watch_tick(&hw, S(1), false, true, &t), HALT_NOTHING);
	cr_assert_eq(t, 2000, "next probe at 3 s");
	halt_watch_destroy(&hw);
}

/* A guest moving data through vhost runs without exits: its vCPU threads
 * use CPU time, and the watch lets it be (no kick, no exit); a vCPU
 * halted for good uses none and is probed as before. */
static uint64_t fake_cpu_ns, fake_cpu_step;
static uint64_t fake_cpu(void *ctx)
{
	(void)ctx;
	fake_cpu_ns += fake_cpu_step;
	return fake_cpu_ns;
}

Test(halt_watch, busy_guest_is_not_kicked)
{
	kicks = 0;
	fake_cpu_ns = 0;
	fake_cpu_step = HALT_BUSY_CPU_NS; /* busy between any two readings */
	cr_assert_eq(halt_watch_init(&hw, 2, S(0), kick, NULL), 0);
	hw.vcpu_cpu_ns = fake_cpu;
	int t;
	for (int k = 0; k < HALT_PROBES; k++) {
		int64_t now = halt_probe_due_ms(k) / 1000;
		halt_watch_tick(&hw, S(now), false, false, &t);
		cr_assert_eq(kicks, 0, "probe %d kicked a running guest", k);
	}
	cr_assert_eq(hw.busy_skips, HALT_PROBES);
	/* It then waits for an exit, as after five probes. */
	halt_watch_tick(&hw, S(100), false, false, &t);
	cr_assert_eq(t, -1);
	cr_assert_eq(kicks, 0);
	halt_watch_destroy(&hw);
}

Test(halt_watch, quiet_vcpus_are_still_probed_and_found_dead)
{
	kicks = 0;
	fake_cpu_ns = 0;
	fake_cpu_step = HALT_BUSY_CPU_NS - 1; /* halt polling, no more */
	cr_assert_eq(halt_watch_init(&hw, 1, S(0), kick, NULL), 0);
	hw.vcpu_cpu_ns = fake_cpu;
	int t;
	halt_watch_tick(&hw, S(1), false, false, &t);
	cr_assert_eq(kicks, 1, "a vCPU using no CPU is probed");
	answer_all(HALT_VCPU_DEAD);
	cr_assert_eq(halt_watch_tick(&hw, S(1), false, true, &t), HALT_NOTHING);
	answer_all(HALT_VCPU_DEAD);
	cr_assert_eq(halt_watch_tick(&hw, S(1), false, true, &t), HALT_DEAD);
	halt_watch_destroy(&hw);
}

Test(halt_watch, busy_threshold)
{
	cr_assert(halt_guest_busy(0, HALT_BUSY_CPU_NS));
	cr_assert_not(halt_guest_busy(0, HALT_BUSY_CPU_NS - 1));
	cr_assert_not(halt_guest_busy(5, 4), "a clock going back is not busy");
}
