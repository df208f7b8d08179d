/* The boot-test spec language read by bootrun.
 *
 *   # comment
 *   test NAME                      start a test (NAME: letters, digits, - _ .)
 *   run COMMAND...                 the rest of the line, run by /bin/sh -c under a pty
 *   expect SECS "TEXT" [LABEL]     wait for TEXT after the previous match
 *   expectnum SECS "PREFIX" OP N [LABEL]
 *                                  wait for PREFIX followed by a number, and
 *                                  compare it: OP is one of < <= > >= ==
 *   send "TEXT"                    write TEXT to the terminal (escapes below)
 *   exit STATUS SECS               wait for the process to exit with STATUS
 *   notexpect "TEXT"               TEXT must not occur anywhere in the output
 *   host STATUS SECS "COMMAND" [LABEL]
 *                                  run COMMAND with /bin/sh -c on the nested host
 *                                  (not on the terminal) while the guest runs;
 *                                  it must exit with STATUS within SECS. LABEL
 *                                  reports its run time and last output line.
 *   hostexpect "TEXT"              TEXT must occur in the last host command's output
 *   spawn "COMMAND"                start COMMAND on the host in the background;
 *                                  it is stopped when the test ends
 *   require SECS "COMMAND"         a capability the test needs: COMMAND runs
 *                                  with /bin/sh -c on the host before the
 *                                  test's command starts (wherever the line
 *                                  is); exit status 0 goes on, any other makes
 *                                  the test a SKIP, reported with COMMAND's
 *                                  last output line. Killed, or still running
 *                                  after SECS: a FAIL, not a skip. Example:
 *     require 10 "test -c /dev/vhost-vsock || { echo no vhost-vsock; exit 1; }"
 *
 * A line ending in a backslash continues on the next line.
 * Quoted strings take \n \r \t \\ \" and \xHH escapes. A LABEL makes the
 * runner report the time from start to that match (e.g. "ready after 3.2 s").
 * This file is pure parsing: no processes, no terminals.
 */
#ifndef MINIVMM_TESTS_BOOT_SPEC_H
#define MINIVMM_TESTS_BOOT_SPEC_H

#include <stddef.h>

#define SPEC_NAME_MAX 64
#define SPEC_ERROR_MAX 256

enum step_kind {
	STEP_EXPECT,
	STEP_EXPECTNUM,
	STEP_SEND,
	STEP_EXIT,
	STEP_NOTEXPECT,
	STEP_HOST,
	STEP_HOSTEXPECT,
	STEP_SPAWN,
	STEP_REQUIRE,
};

enum num_op { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ };

struct step {
	enum step_kind kind;
	int line;           /* line in the spec, for messages */
	double timeout_s;   /* expect, expectnum, exit, host, require */
	char *text;         /* expect, expectnum (prefix), send, notexpect, host (command),
			       hostexpect, spawn (command), require (command) */
	size_t text_len;    /* may contain NUL bytes from \x00 */
	char *label;        /* optional, NULL when absent */
	enum num_op op;     /* expectnum */
	double number;      /* expectnum */
	int status;         /* exit, host */
};

struct test {
	char name[SPEC_NAME_MAX];
	int line;
	char *command;
	struct step *steps;
	size_t nsteps;
};

struct spec {
	struct test *tests;
	size_t ntests;
};

/* Parse a whole spec held in memory. On failure returns -1 and writes
 * "LINE: message" into err. */
int spec_parse(const char *text, struct spec *out, char err[SPEC_ERROR_MAX]);

void spec_free(struct spec *spec);

const char *spec_op_name(enum num_op op);

/* Whether `value OP number` holds. */
int spec_op_holds(enum num_op op, double value, double number);

#endif
