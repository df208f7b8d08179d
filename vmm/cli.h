/* Command-line parsing. Pure: no files are opened here, only syntax and
 * value ranges are checked. */
#ifndef MINIVMM_CLI_H
#define MINIVMM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#define CLI_MEMORY_DEFAULT_MIB 256
#define CLI_MEMORY_MAX_MIB (1024 * 1024) /* 1 TiB */
#define CLI_CPUS_MAX 32
/* Test build: --test-device FILE, at most this many (one slot stays for vsock). */
#define CLI_TEST_DEVICES_MAX 7
/* VHOST_VSOCK_SET_GUEST_CID rejects 0-2 (hypervisor, local, host) and
 * U32_MAX (VMADDR_CID_ANY); see include/uapi/linux/vm_sockets.h. */
#define CLI_VSOCK_CID_MIN 3u
#define CLI_VSOCK_CID_MAX 0xfffffffeu

/* --net tap=NAME[,mac=MAC]: at most this many NICs. */
#define CLI_NETS_MAX 4
/* IFNAMSIZ (16) including the NUL. */
#define CLI_IFNAME_MAX 15

struct cli_net {
	char tap[CLI_IFNAME_MAX + 1];
	bool has_mac; /* else a random, locally administered one */
	uint8_t mac[6];
};

struct vmm_config {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	uint64_t memory_mib;
	int cpus;
	bool vsock;
	uint32_t vsock_cid;
	bool vsock_cid_auto;         /* --vsock-cid auto */
	const char *vsock_cid_file;  /* --vsock-cid-file: where to write the CID */
	const char *vsock_test_backend; /* testing: record instead of vhost */
	int nnets;
	struct cli_net nets[CLI_NETS_MAX];
	int ntest_devices;              /* testing: --test-device FILE */
	const char *test_devices[CLI_TEST_DEVICES_MAX];
	bool debug;
	bool stats;
	bool boot_timer;
	unsigned trace_mask;    /* --trace[=CATEGORIES]: lib/trace.h; 0 = off */
	const char *trace_file; /* --trace-file FILE: instead of stderr */
	const char *user; /* --user: drop to this user after set-up */
	bool no_seccomp;             /* --no-seccomp: no seccomp filters */
	bool test_forbidden_syscall; /* testing: a forbidden call after the sandbox */
	bool help;
	bool version;
};

/* Parse argv into cfg (defaults filled in). Returns 0, or -1 with a
 * message for the user in error_message(). --help and --version set the
 * flags and skip the check for --kernel. */
int cli_parse(int argc, char *const argv[], struct vmm_config *cfg);

/* One --net value, "tap=NAME[,mac=MAC]". 0, or -1 with error_set(). */
int cli_parse_net(const char *s, struct cli_net *out);

/* The --help text. */
extern const char cli_usage[];

#endif
