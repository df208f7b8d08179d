/* A virtual machine's life: created as one linear list of steps, run, and
 * torn down as the mirror of that list (vm.c). */
#ifndef MINIVMM_VMM_VM_H
#define MINIVMM_VMM_VM_H

#include <stdint.h>

#include "vmm/cli.h"

/* Build and run the VM described by cfg; returns minivmm's exit status.
 * Errors are printed here, in one place. start_ns: when minivmm started
 * (CLOCK_MONOTONIC), the zero of the boot timer. */
int vm_run(const struct vmm_config *cfg, uint64_t start_ns);

#endif
