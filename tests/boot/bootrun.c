/* bootrun: the scripted boot-test runner.
 *
 * Runs each test of a spec (see spec.h) under a pseudo-terminal, the way a
 * user would at a terminal, and checks what comes out. It runs inside the
 * nested test host, so it is a small static program with no dependencies.
 *
 * Usage: bootrun [-l LOGDIR] SPEC [TEST...]
 *
 * Prints one line per test, "PASS NAME (S s)", "SKIP NAME: REASON" (a
 * require step was not met: a capability the host lacks) or "FAIL NAME:
 * REASON" plus the end of that test's output, then "N passed, N failed,
 * N skipped". The whole console output of each test goes to
 * LOGDIR/NAME.log (default /tmp). Exit status: 0 when no test failed
 * (skipped ones do not fail the run), 1 when one failed, 2 for a bad
 * command line or spec.
 *
 * BOOTRUN_RETRIES=N runs a failed test up to N more times (for a person
 * chasing a flaky test; make test never sets it). A test that passes only
 * on a retry is reported FLAKY and counted as failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pty_child.h"
#include "spec.h"

#define TAIL_LINES 40
#define REASON_MAX 512

/* When a labelled match happened, reported after the test. */
struct mark {
	const char *label;
	double after_s;
	size_t line_start; /* offset of the line holding the match */
};

/* A command run on the nested host beside the guest (host/spawn steps). */
struct host_cmd {
	pid_t pid;
	int fd;        /* its stdout+stderr, non-blocking */
	char *out;
	size_t len, cap;
	bool exited;
	int status;
};

#define MAX_SPAWNED 8

struct run {
	const struct test *test;
	struct host_cmd last_host;    /* the last host step, for hostexpect */
	pid_t spawned[MAX_SPAWNED];   /* spawn steps, stopped at the end */
	size_t nspawned;
	struct pty_child child;
	double start;
	size_t matched_to;      /* expect searches start here */
	struct mark *marks;
	size_t nmarks;
	char reason[REASON_MAX];
};

__attribute__((format(printf, 2, 3)))
static bool failed(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return false;
}

/* Quote text for a message: control characters as escapes, shortened. */
static const char *show(const char *s, size_t len)
{
	static char buf[4][160];
	static int which;
	char *out = buf[which++ % 4];
	size_t n = 0;
	out[n++] = '"';
	for (size_t i = 0; i < len && n < sizeof(buf[0]) - 8; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n')
			n += (size_t)sprintf(out + n, "\\n");
		else if (ch == '\r')
			n += (size_t)sprintf(out + n, "\\r");
		else if (ch == '"' || ch == '\\')
			n += (size_t)sprintf(out + n, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			n += (size_t)sprintf(out + n, "\\x%02x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

static const char *describe_exit(int status)
{
	static char buf[64];
	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof(buf), "wait status 0x%x", status);
	return buf;
}

/* --- expect / expectnum --------------------------------------------------- */

struct search {
	const struct step *step;
	size_t from;
	size_t found;      /* offset of the match */
	size_t end;        /* first byte after the match (and number) */
	double value;      /* expectnum */
};

static const char *find(const struct pty_child *c, size_t from, const char *text, size_t len)
{
	if (from >= c->out_len)
		return NULL;
	return memmem(c->out + from, c->out_len - from, text, len);
}

/* A number right after the prefix counts only once a character that cannot
 * be part of it has arrived, so "3145" is not mistaken for "3145728". */
static bool parse_number_after(const struct pty_child *c, size_t pos, struct search *s)
{
	const char *p = c->out + pos, *end = c->out + c->out_len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *start = p;
	while (p < end && ((*p >= '0' && *p <= '9') || *p == '.' || (*p == '-' && p == start)))
		p++;
	if (p == end || p == start)
		return false;
	char num[64];
	size_t n = (size_t)(p - start);
	if (n >= sizeof(num))
		n = sizeof(num) - 1;
	memcpy(num, start, n);
	num[n] = '\0';
	s->value = strtod(num, NULL);
	s->end = (size_t)(p - c->out);
	return true;
}

static bool search_done(struct pty_child *c, void *arg)
{
	struct search *s = arg;
	const struct step *st = s->step;
	size_t from = s->from;
	for (;;) {
		const char *hit = find(c, from, st->text, st->text_len);
		if (!hit)
			return false;
		s->found = (size_t)(hit - c->out);
		s->end = s->found + st->text_len;
		if (st->kind == STEP_EXPECT)
			return true;
		if (parse_number_after(c, s->end, s))
			return true;
		/* The prefix without a number yet: wait for more at this spot
		 * unless a later copy of the prefix is already complete. */
		if (!find(c, s->end, st->text, st->text_len))
			return false;
		from = s->end;
	}
}

static size_t line_start_of(const struct pty_child *c, size_t pos)
{
	while (pos > 0 && c->out[pos - 1] != '\n')
		pos--;
	return pos;
}

static bool output_grew(struct pty_child *c, void *arg)
{
	return c->out_len > *(size_t *)arg;
}

/* A stuck guest: where is each thread of each minivmm? Its state, the CPU
 * time it used over one second (a vCPU spinning in the guest gains time, one
 * waiting gains none), what it waits in (wchan) and its kernel stack, so a
 * stall can be told apart: the guest idle with no interrupt coming (vCPU in
 * kvm_vcpu_block), running in the guest, or minivmm blocked in userspace. */
static void dump_stuck_threads(void)
{
	/* SIGUSR2 first: minivmm prints each vCPU's registers on the
	 * console (the guest's RIP tells where it is stuck). */
	static const char script[] =
		"for p in $(pidof minivmm minivmm-san); do kill -USR2 $p; done; sleep 1;"
		"for p in $(pidof minivmm minivmm-san); do"
		"  for t in /proc/$p/task/*; do"
		"    set -- $(cut -d' ' -f3,14,15 $t/stat); a=$(($2 + $3));"
		"    echo \"$t $(cat $t/comm) state $1 cpu-ticks $a\"; done;"
		"  sleep 1;"
		"  for t in /proc/$p/task/*; do"
		"    set -- $(cut -d' ' -f3,14,15 $t/stat);"
		"    echo \"$t $(cat $t/comm) state $1 cpu-ticks $(($2 + $3)) wchan $(cat $t/wchan)\";"
		"    head -n 8 $t/stack 2>/dev/null | sed 's/^/      /'; done; done";
	printf("  --- minivmm's threads (the guest looks stuck):\n");
	fflush(stdout);
	FILE *f = popen(script, "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f))
		printf("  %s", line);
	pclose(f);
	fflush(stdout);
}

/* After a timeout: does the VM still answer? A newline on its console makes
 * a live guest's shell print a prompt; silence means the guest (or the
 * machine under it) is stuck, not just the thing the test waited for. */
static const char *liveness(struct run *r)
{
	size_t before = r->child.out_len;
	if (pty_child_send(&r->child, "\n", 1, monotonic_now() + 2) < 0)
		return "cannot write to the VM's terminal";
	if (pty_child_wait(&r->child, monotonic_now() + 10, output_grew, &before))
		return "the VM still answers a newline";
	dump_stuck_threads();
	return "no answer to a newline within 10 s either: the guest looks stuck";
}

static bool do_expect(struct run *r, const struct step *st)
{
	struct search s = { .step = st, .from = r->matched_to };
	double deadline = monotonic_now() + st->timeout_s;
	if (!pty_child_wait(&r->child, deadline, search_done, &s)) {
		if (r->child.exited)
			return failed(r, "line %d: %s before %s appeared", st->line,
				      describe_exit(r->child.status),
				      show(st->text, st->text_len));
		return failed(r, "line %d: timeout after %g s waiting for %s (%s)", st->line,
			      st->timeout_s, show(st->text, st->text_len), liveness(r));
	}
	r->matched_to = s.end;
	double after = monotonic_now() - r->start;
	if (st->kind == STEP_EXPECTNUM && !spec_op_holds(st->op, s.value, st->number))
		return failed(r, "line %d: %s %.15g is not %s %.15g", st->line,
			      show(st->text, st->text_len), s.value, spec_op_name(st->op),
			      st->number);
	if (st->label) {
		struct mark *grown = realloc(r->marks, (r->nmarks + 1) * sizeof(*grown));
		if (grown) {
			r->marks = grown;
			r->marks[r->nmarks++] = (struct mark){
				.label = st->label,
				.after_s = after,
				.line_start = line_start_of(&r->child, s.found),
			};
		}
	}
	return true;
}

/* --- send / exit / notexpect --------------------------------------------- */

static bool do_send(struct run *r, const struct step *st)
{
	if (r->child.exited)
		return failed(r, "line %d: cannot send %s: %s", st->line,
			      show(st->text, st->text_len), describe_exit(r->child.status));
	if (pty_child_send(&r->child, st->text, st->text_len, monotonic_now() + 10) < 0)
		return failed(r, "line %d: sending %s: %s", st->line,
			      show(st->text, st->text_len), strerror(errno));
	return true;
}

static bool do_exit(struct run *r, const struct step *st)
{
	double deadline = monotonic_now() + st->timeout_s;
	if (!pty_child_wait(&r->child, deadline, NULL, NULL) && !r->child.exited)
		return failed(r, "line %d: still running %g s later (expected exit status %d)",
			      st->line, st->timeout_s, st->status);
	int status = r->child.status;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != st->status)
		return failed(r, "line %d: %s, expected exit status %d", st->line,
			      describe_exit(status), st->status);
	return true;
}

static bool check_notexpect(struct run *r, const struct step *st)
{
	const char *hit = find(&r->child, 0, st->text, st->text_len);
	if (hit)
		return failed(r, "line %d: unexpected %s in the output", st->line,
			      show(st->text, st->text_len));
	return true;
}

/* --- host commands ------------------------------------------------------- */

/* Start `sh -c command` in its own process group, stdin from /dev/null,
 * stdout+stderr into a pipe (out_fd >= 0) or the log file. */
static pid_t host_start(const char *command, int *out_fd, FILE *log)
{
	int p[2] = { -1, -1 };
	if (out_fd && pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (log)
		fflush(log);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		int null = open("/dev/null", O_RDONLY);
		int out = out_fd ? p[1] : (log ? fileno(log) : open("/dev/null", O_WRONLY));
		if (null >= 0)
			dup2(null, 0);
		dup2(out, 1);
		dup2(out, 2);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	if (out_fd) {
		close(p[1]);
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		*out_fd = p[0];
	}
	return pid;
}

static void host_read(struct host_cmd *h)
{
	for (;;) {
		if (h->cap - h->len < 4096) {
			size_t cap = h->cap ? h->cap * 2 : 65536;
			char *grown = realloc(h->out, cap + 1);
			if (!grown)
				return;
			h->out = grown;
			h->cap = cap;
		}
		ssize_t n = read(h->fd, h->out + h->len, h->cap - h->len);
		if (n <= 0)
			break;
		h->len += (size_t)n;
	}
	h->out[h->len] = '\0';
}

/* pty_child_wait's stop callback: keeps the guest's console drained while
 * the host command runs, and stops when the command has exited. */
static bool host_done(struct pty_child *c, void *arg)
{
	(void)c;
	struct host_cmd *h = arg;
	host_read(h);
	if (!h->exited && waitpid(h->pid, &h->status, WNOHANG) == h->pid)
		h->exited = true;
	return h->exited;
}

static const char *last_line(const char *s, size_t len, size_t *line_len)
{
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	size_t start = len;
	while (start > 0 && s[start - 1] != '\n')
		start--;
	*line_len = len - start;
	return s + start;
}

static bool do_host(struct run *r, const struct step *st)
{
	struct host_cmd *h = &r->last_host;
	free(h->out);
	*h = (struct host_cmd){ .fd = -1 };
	double begin = monotonic_now();
	h->pid = host_start(st->text, &h->fd, NULL);
	if (h->pid < 0)
		return failed(r, "line %d: cannot start host command: %s", st->line, strerror(errno));
	bool done = pty_child_wait(&r->child, begin + st->timeout_s, host_done, h);
	/* The guest may have gone away: keep waiting for the command alone. */
	while (!done && !h->exited && monotonic_now() < begin + st->timeout_s) {
		poll(NULL, 0, 50);
		done = host_done(&r->child, h);
	}
	if (!h->exited) {
		kill(-h->pid, SIGKILL);
		waitpid(h->pid, &h->status, 0);
		h->exited = true;
	}
	host_read(h);
	close(h->fd);
	if (!h->out) {
		h->out = calloc(1, 1);
		if (!h->out)
			return failed(r, "out of memory");
	}
	double took = monotonic_now() - begin;
	if (r->child.log) {
		fprintf(r->child.log, "\n[bootrun] host$ %s\n%s[bootrun] host command: %s after %.1f s\n",
			st->text, h->out, describe_exit(h->status), took);
		fflush(r->child.log);
	}
	if (!done && took >= st->timeout_s)
		return failed(r, "line %d: host command still running after %g s: %s", st->line,
			      st->timeout_s, st->text);
	if (!WIFEXITED(h->status) || WEXITSTATUS(h->status) != st->status) {
		size_t n;
		const char *line = last_line(h->out, h->len, &n);
		/* The output first: long commands would push it out of the
		 * message. */
		return failed(r, "line %d: host command %s, expected exit status %d; last output: %s; command: %s",
			      st->line, describe_exit(h->status), st->status, show(line, n), st->text);
	}
	if (st->label) {
		size_t n;
		const char *line = last_line(h->out, h->len, &n);
		printf("  %s: %.1f s: %.*s\n", st->label, took, (int)n, line);
	}
	return true;
}

static bool do_hostexpect(struct run *r, const struct step *st)
{
	const struct host_cmd *h = &r->last_host;
	if (!h->out || !memmem(h->out, h->len, st->text, st->text_len))
		return failed(r, "line %d: host command output lacks %s", st->line,
			      show(st->text, st->text_len));
	return true;
}

static bool do_spawn(struct run *r, const struct step *st)
{
	if (r->nspawned == MAX_SPAWNED)
		return failed(r, "line %d: more than %d spawn steps", st->line, MAX_SPAWNED);
	pid_t pid = host_start(st->text, NULL, r->child.log);
	if (pid < 0)
		return failed(r, "line %d: cannot start %s: %s", st->line, st->text, strerror(errno));
	r->spawned[r->nspawned++] = pid;
	return true;
}

static void stop_spawned(struct run *r)
{
	for (size_t i = 0; i < r->nspawned; i++) {
		kill(-r->spawned[i], SIGTERM);
		for (int k = 0; k < 20 && waitpid(r->spawned[i], NULL, WNOHANG) == 0; k++)
			poll(NULL, 0, 50);
		kill(-r->spawned[i], SIGKILL);
		waitpid(r->spawned[i], NULL, WNOHANG);
	}
	r->nspawned = 0;
}

/* A require step, before the test's command starts: 1 when the command
 * exits 0, 0 when it exits with another status (the test is skipped; the
 * reason, with its last output line, is in r->reason), -1 when it cannot
 * run, is killed or outlasts its time limit (the test fails). */
static int do_require(struct run *r, const struct step *st, FILE *log)
{
	struct host_cmd h = { .fd = -1 };
	double begin = monotonic_now();
	h.pid = host_start(st->text, &h.fd, NULL);
	if (h.pid < 0) {
		failed(r, "line %d: cannot start requirement: %s", st->line, strerror(errno));
		return -1;
	}
	while (!host_done(NULL, &h) && monotonic_now() < begin + st->timeout_s) {
		struct pollfd p = { .fd = h.fd, .events = POLLIN };
		poll(&p, 1, 50);
	}
	bool timed_out = !h.exited;
	if (timed_out) {
		kill(-h.pid, SIGKILL);
		waitpid(h.pid, &h.status, 0);
	}
	host_read(&h);
	close(h.fd);
	size_t n = 0;
	const char *line = h.out ? last_line(h.out, h.len, &n) : "";
	if (log) {
		fprintf(log, "[bootrun] require$ %s\n%s[bootrun] requirement: %s\n", st->text,
			h.out ? h.out : "", timed_out ? "timed out" : describe_exit(h.status));
		fflush(log);
	}
	int verdict;
	if (timed_out) {
		failed(r, "line %d: requirement still running after %g s: %s", st->line,
		       st->timeout_s, st->text);
		verdict = -1;
	} else if (!WIFEXITED(h.status)) {
		failed(r, "line %d: requirement %s: %s", st->line, describe_exit(h.status), st->text);
		verdict = -1;
	} else if (WEXITSTATUS(h.status) != 0) {
		if (n > 0)
			failed(r, "%.*s (line %d: requirement %s)", (int)n, line, st->line, st->text);
		else
			failed(r, "line %d: requirement %s: %s", st->line, describe_exit(h.status),
			       st->text);
		verdict = 0;
	} else {
		verdict = 1;
	}
	free(h.out);
	return verdict;
}

/* --- reporting ----------------------------------------------------------- */

/* One line of output made printable: no CR, escapes for control bytes. */
static void print_line(const char *p, size_t len)
{
	fputs("  | ", stdout);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == '\r')
			continue;
		if (ch == '\t' || (ch >= 0x20 && ch < 0x7f) || ch >= 0x80)
			putchar(ch);
		else
			printf("\\x%02x", ch);
	}
	putchar('\n');
}

static void print_tail(const struct pty_child *c)
{
	size_t end = c->out_len;
	if (end == 0) {
		puts("  | (no output)");
		return;
	}
	if (c->out[end - 1] == '\n')
		end--;
	size_t start = end;
	int lines = 0;
	while (start > 0) {
		if (c->out[start - 1] == '\n' && ++lines == TAIL_LINES)
			break;
		start--;
	}
	while (start <= end) {
		const char *nl = memchr(c->out + start, '\n', end - start);
		size_t len = nl ? (size_t)(nl - (c->out + start)) : end - start;
		print_line(c->out + start, len);
		start += len + 1;
	}
}

static void print_marks(const struct run *r)
{
	for (size_t i = 0; i < r->nmarks; i++) {
		const struct mark *m = &r->marks[i];
		const char *line = r->child.out + m->line_start;
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		printf("  %s: %s after %.1f s: %.*s\n", r->test->name, m->label, m->after_s,
		       (int)len, line);
	}
}

/* --- one test ------------------------------------------------------------ */

/* LOGDIR/NAME.log, or LOGDIR/NAME.attemptN.log for a retry (the failed
 * first attempt's log is kept). */
static FILE *open_log(const char *dir, const char *name, int attempt)
{
	char path[4096];
	if (attempt > 1)
		snprintf(path, sizeof(path), "%s/%s.attempt%d.log", dir, name, attempt);
	else
		snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "bootrun: %s: %s (continuing without a log)\n", path,
			strerror(errno));
	return f;
}

enum outcome { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_SKIP };

static enum outcome run_test(const struct test *t, const char *logdir, int attempt)
{
	struct run r = { .test = t };
	FILE *log = open_log(logdir, t->name, attempt);
	r.start = monotonic_now();
	bool ok = true, skip = false;
	/* Requirements first, wherever they are in the test. */
	for (size_t i = 0; ok && !skip && i < t->nsteps; i++) {
		if (t->steps[i].kind != STEP_REQUIRE)
			continue;
		int met = do_require(&r, &t->steps[i], log);
		ok = met >= 0;
		skip = met == 0;
	}
	if (!ok || skip)
		goto out;
	if (pty_child_spawn(&r.child, t->command, log) < 0) {
		ok = failed(&r, "cannot start a terminal for the command: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; ok && i < t->nsteps; i++) {
		const struct step *st = &t->steps[i];
		switch (st->kind) {
		case STEP_EXPECT:
		case STEP_EXPECTNUM:
			ok = do_expect(&r, st);
			break;
		case STEP_SEND:
			ok = do_send(&r, st);
			break;
		case STEP_EXIT:
			ok = do_exit(&r, st);
			break;
		case STEP_HOST:
			ok = do_host(&r, st);
			break;
		case STEP_HOSTEXPECT:
			ok = do_hostexpect(&r, st);
			break;
		case STEP_SPAWN:
			ok = do_spawn(&r, st);
			break;
		case STEP_NOTEXPECT:
			break; /* checked over the whole output below */
		case STEP_REQUIRE:
			break; /* checked before the command started */
		}
	}
	pty_child_finish(&r.child);
	stop_spawned(&r);
	for (size_t i = 0; ok && i < t->nsteps; i++)
		if (t->steps[i].kind == STEP_NOTEXPECT)
			ok = check_notexpect(&r, &t->steps[i]);
out:;
	double took = monotonic_now() - r.start;
	if (skip) {
		printf("SKIP %s: %s\n", t->name, r.reason);
	} else if (ok) {
		printf("PASS %s (%.1f s)\n", t->name, took);
		print_marks(&r);
	} else {
		printf("FAIL %s: %s\n", t->name, r.reason);
		print_marks(&r);
		print_tail(&r.child);
	}
	fflush(stdout);
	if (log)
		fclose(log);
	free(r.child.out);
	free(r.marks);
	free(r.last_host.out);
	return skip ? OUTCOME_SKIP : ok ? OUTCOME_PASS : OUTCOME_FAIL;
}

/* --- main ---------------------------------------------------------------- */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	int err = ferror(f);
	fclose(f);
	if (!buf || err) {
		free(buf);
		errno = err ? EIO : ENOMEM;
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static bool selected(const struct test *t, int argc, char **argv, int first)
{
	if (first >= argc)
		return true;
	for (int i = first; i < argc; i++)
		if (strcmp(argv[i], t->name) == 0)
			return true;
	return false;
}

static int usage(void)
{
	fputs("usage: bootrun [-l LOGDIR] SPEC [TEST...]\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *logdir = "/tmp";
	int opt;
	while ((opt = getopt(argc, argv, "l:")) != -1) {
		if (opt != 'l')
			return usage();
		logdir = optarg;
	}
	if (optind >= argc)
		return usage();
	const char *spec_path = argv[optind];

	char *text = read_file(spec_path);
	if (!text) {
		fprintf(stderr, "bootrun: %s: %s\n", spec_path, strerror(errno));
		return 2;
	}
	struct spec spec;
	char err[SPEC_ERROR_MAX];
	int rc = spec_parse(text, &spec, err);
	free(text);
	if (rc < 0) {
		fprintf(stderr, "bootrun: %s:%s\n", spec_path, err);
		return 2;
	}
	for (int i = optind + 1; i < argc; i++) {
		bool known = false;
		for (size_t k = 0; k < spec.ntests; k++)
			known |= strcmp(spec.tests[k].name, argv[i]) == 0;
		if (!known) {
			fprintf(stderr, "bootrun: %s: no test named '%s'\n", spec_path, argv[i]);
			spec_free(&spec);
			return 2;
		}
	}
	mkdir(logdir, 0755);
	/* A child that dies while we write to it must not kill the runner. */
	signal(SIGPIPE, SIG_IGN);

	/* BOOTRUN_RETRIES=N (by hand only; make test never sets it): run a
	 * failed test up to N more times, to see whether a failure repeats.
	 * A test that passes only on a retry is FLAKY and still counts as
	 * failed, so a retry can never turn a failing run green; the flaky
	 * tests are listed again before the summary. */
	const char *env = getenv("BOOTRUN_RETRIES");
	int retries = env ? atoi(env) : 0;
	int passed = 0, nfailed = 0, nskipped = 0, nflaky = 0;
	char flaky[1024] = "";
	for (size_t i = 0; i < spec.ntests; i++) {
		const struct test *t = &spec.tests[i];
		if (!selected(t, argc, argv, optind + 1))
			continue;
		enum outcome o = run_test(t, logdir, 1);
		for (int attempt = 1; o == OUTCOME_FAIL && attempt <= retries; attempt++) {
			printf("RETRY %s (attempt %d of %d)\n", t->name, attempt + 1, retries + 1);
			fflush(stdout);
			if (run_test(t, logdir, attempt + 1) == OUTCOME_PASS) {
				printf("FLAKY %s: failed, then passed on attempt %d; counted as failed\n",
				       t->name, attempt + 1);
				fflush(stdout);
				nflaky++;
				size_t used = strlen(flaky);
				snprintf(flaky + used, sizeof(flaky) - used, " %s", t->name);
				break;
			}
		}
		if (o == OUTCOME_PASS)
			passed++;
		else if (o == OUTCOME_SKIP)
			nskipped++;
		else
			nfailed++;
	}
	if (nflaky)
		printf("FLAKY: passed only on a retry, counted as failed (%d):%s\n", nflaky, flaky);
	printf("%d passed, %d failed, %d skipped\n", passed, nfailed, nskipped);
	spec_free(&spec);
	return nfailed ? 1 : 0;
}
