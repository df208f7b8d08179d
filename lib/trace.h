/* --trace: minivmm explains what it does, for people learning how a
 * hypervisor works. Each control-plane event (a vCPU exit, a port or MMIO
 * access, a virtio-mmio register write and what it changed, a vhost
 * message, an ioeventfd or irqfd, a boot step) becomes one line in plain
 * words, ending with the spec section or kernel file it follows:
 *
 *   [   0.012345] virtio: virtio-vsock Status = 0x3 (ACKNOWLEDGE|DRIVER): ... [virtio 1.2 §3.1.1]
 *
 * Lines go to their own descriptor (stderr or --trace-file), never to the
 * guest's console on stdout. A run of events with the same key (a guest
 * polling a register, a console spinning on the UART's LSR) is printed
 * once, then summarised as "... N more like it" when something else
 * happens or the trace ends.
 *
 * Cost when off: trace() is one load and a branch on trace_mask (0); no
 * argument is evaluated. Tracing adds no exits either way: it only speaks
 * about exits that happened.
 *
 * Threads: trace_emit may be called from any thread (vCPUs, main); one
 * mutex orders the lines, each written with one write(2). */
#ifndef MINIVMM_TRACE_H
#define MINIVMM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum trace_category {
	TRACE_EXITS = 1u << 0,  /* every KVM_RUN return, by exit reason */
	TRACE_PIO = 1u << 1,    /* port accesses and who handled them */
	TRACE_MMIO = 1u << 2,   /* MMIO accesses and who handled them */
	TRACE_VIRTIO = 1u << 3, /* virtio-mmio transport: status, features, queues, refusals */
	TRACE_VHOST = 1u << 4,  /* vhost messages to the kernel (or a test backend) */
	TRACE_KVM = 1u << 5,    /* KVM objects: memory slots, ioeventfds, irqfds */
	TRACE_BOOT = 1u << 6,   /* set-up steps, guest memory written, guest marks */
	TRACE_ALL = (1u << 7) - 1,
};

/* Categories on; 0 when tracing is off. Set once, before any thread. */
extern unsigned trace_mask;

#define trace_enabled(cat) __builtin_expect((trace_mask & (cat)) != 0, 0)

/* One event, summarised with others of the same text when they repeat. */
#define trace(cat, ...)                                                       \
	do {                                                                  \
		if (trace_enabled(cat))                                       \
			trace_emit((cat), NULL, __VA_ARGS__);                 \
	} while (0)

/* One event whose repeats are those with the same `key`, whatever their
 * text (e.g. every byte written to the UART's THR). */
#define trace_keyed(cat, key, ...)                                            \
	do {                                                                  \
		if (trace_enabled(cat))                                       \
			trace_emit((cat), (key), __VA_ARGS__);                \
	} while (0)

void trace_emit(unsigned cat, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Start tracing `mask` to `fd` (not closed by trace_stop). Times are
 * counted from `start_ns` (clock_now_ns at minivmm's start). Lines end in
 * "\r\n" when fd is a terminal (raw mode), "\n" otherwise. */
void trace_start(unsigned mask, int fd, uint64_t start_ns);
/* Write out a pending repeat summary and stop. */
void trace_stop(void);

/* ---- Pure parts (unit-tested) -------------------------------------- */

/* "exits,pio" -> mask; NULL, "" or "all" -> TRACE_ALL. Returns 0, or -1
 * with error_set() naming the unknown word and the known ones. */
int trace_parse_categories(const char *spec, unsigned *mask);
/* "exits", "pio", ... for one category bit; "?" otherwise. */
const char *trace_category_name(unsigned cat);
/* The list for --help and error messages: "exits, pio, ...". */
extern const char trace_category_list[];

/* The repeat summariser: fed one event at a time, it decides whether the
 * event is printed, and when a run ends, writes its summary line. */
struct trace_repeats {
	char key[160];
	unsigned cat;
	uint64_t suppressed; /* events of the current run not printed */
};

/* Feed an event (its key and category). Returns true if it must be
 * printed. If a run of suppressed events ended, `summary` receives its
 * line ("... 12 more like it: KEY") and *has_summary is set; print it
 * before the event. */
bool trace_repeats_feed(struct trace_repeats *r, unsigned cat, const char *key, char *summary,
			size_t size, bool *has_summary);
/* End of trace: the summary of a pending run, if any (returns true). */
bool trace_repeats_flush(struct trace_repeats *r, char *summary, size_t size);

/* "[   1.234567] virtio: " prefix of a line at `ns` since the start. */
int trace_format_prefix(char *buf, size_t size, uint64_t ns, unsigned cat);

#endif
