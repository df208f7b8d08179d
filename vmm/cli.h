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

/* --share HOSTDIR[,tag=TAG], --disk FILE and --vhost-user TYPE,socket=PATH:
 * vhost-user devices, at most this many in all. */
#define CLI_VHOST_USER_MAX 4
/* virtio-fs tags are at most 36 bytes (struct virtio_fs_config). */
#define CLI_FS_TAG_MAX 36
/* How long minivmm waits for a backend's socket by default (a backend
 * started at the same time as minivmm), in ms; wait=SECONDS changes it. */
#define CLI_VHOST_USER_WAIT_DEFAULT_MS 10000
#define CLI_VHOST_USER_WAIT_MAX_S 3600

enum cli_vhost_user_type { CLI_VHOST_USER_FS, CLI_VHOST_USER_BLK };

struct cli_vhost_user {
	enum cli_vhost_user_type type;
	const char *socket;    /* --vhost-user: the backend's socket; NULL for --share */
	const char *share_dir; /* --share: the directory minivmm's virtiofsd serves */
	const char *image;     /* --disk: the file minivmm's qemu-storage-daemon exports */
	bool readonly;         /* --disk ...,readonly=on */
	char tag[CLI_FS_TAG_MAX + 1]; /* fs only */
	unsigned wait_ms;      /* for the socket to accept */
	char *owned;           /* storage behind socket/share_dir (freed by cli_free) */
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
	int nvhost_user;
	struct cli_vhost_user vhost_user[CLI_VHOST_USER_MAX];
	int nshares; /* how many of them are --share */
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

/* One --share value, "HOSTDIR[,tag=TAG]" (default tag share<index>), and
 * one --vhost-user value, "fs,socket=PATH,tag=TAG" or "blk,socket=PATH",
 * each with an optional ",wait=SECONDS". 0, or -1 with error_set(); on
 * success out->owned must be freed (cli_free). */
int cli_parse_share(const char *s, unsigned index, struct cli_vhost_user *out);
int cli_parse_vhost_user(const char *s, struct cli_vhost_user *out);
/* One --disk value, "FILE[,readonly=on|off][,wait=SECONDS]". */
int cli_parse_disk(const char *s, struct cli_vhost_user *out);
/* Free what cli_parse allocated. */
void cli_free(struct vmm_config *cfg);
/* True when guest RAM must be shareable with another process. */
static inline bool cli_needs_shared_memory(const struct vmm_config *cfg)
{
	return cfg->nvhost_user > 0;
}

/* The --help text. */
extern const char cli_usage[];

#endif
