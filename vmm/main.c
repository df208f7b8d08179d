/* minivmm: boot a Linux guest under KVM. See README.md. */
#include <stdio.h>

#include "lib/clock.h"
#include "lib/error.h"
#include "lib/exit_status.h"
#include "lib/log.h"
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
	if (cfg.help) {
		fputs(cli_usage, stdout);
		return 0;
	}
	if (cfg.version) {
		printf("minivmm %s\n", MINIVMM_VERSION);
		return 0;
	}
	log_debug_enabled = cfg.debug;
	return vm_run(&cfg, start_ns);
}
