/* minivmm: boot a Linux guest under KVM. See README.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/error.h"
#include "lib/exit_status.h"
#include "lib/log.h"
#include "lib/trace.h"
#include "vmm/cli.h"
#include "vmm/vm.h"

#ifndef MINIVMM_VERSION
#define MINIVMM_VERSION "unknown"
#endif

int main(int argc, char *argv[])
{
	uint64_t start_ns = clock_now_ns();
	struct vmm_config cfg;
	if (cli_parse(argc, argv, &cfg) < 0) {
		fprintf(stderr, "minivmm: %s\nTry 'minivmm --help' for more information.\n",
			error_message());
		return EXIT_USAGE;
	}
	if (cfg.help || cfg.version) {
		if (cfg.help)
			fputs(cli_usage, stdout);
		else
			printf("minivmm %s\n", MINIVMM_VERSION);
		cli_free(&cfg);
		return 0;
	}
	log_debug_enabled = cfg.debug;
	/* The trace has a descriptor of its own (stderr or --trace-file), so
	 * it never mixes with the guest's console on stdout. */
	int trace_fd = -1;
	if (cfg.trace_file) {
		trace_fd = open(cfg.trace_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (trace_fd < 0) {
			fprintf(stderr, "minivmm: --trace-file: cannot open '%s': %s\n", cfg.trace_file,
				strerror(errno));
			cli_free(&cfg);
			return 1;
		}
	}
	if (cfg.trace_mask)
		trace_start(cfg.trace_mask, trace_fd >= 0 ? trace_fd : STDERR_FILENO, start_ns);
	int status = vm_run(&cfg, start_ns);
	trace_stop();
	if (trace_fd >= 0)
		close(trace_fd);
	cli_free(&cfg);
	return status;
}
