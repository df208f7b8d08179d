#include "vmm/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/trace.h"

const char cli_usage[] =
	"Usage: minivmm --kernel BZIMAGE [options]\n"
	"Boot a Linux guest under KVM with a serial console on this terminal.\n"
	"\n"
	"  --kernel FILE      bzImage to boot (64-bit Linux boot protocol, 2.12+)\n"
	"  --initrd FILE      initial ramdisk\n"
	"  --cmdline STRING   appended to the default kernel command line\n"
	"                     (console=ttyS0 reboot=k,panic_warm panic=-1)\n"
	"  --memory MIB       guest RAM in MiB (default 256, minimum 32);\n"
	"                     a suffix M or G is accepted (e.g. 2G)\n"
	"  --cpus N           number of vCPUs (default 1, at most 32)\n"
	"  --vsock-cid CID    give the guest a virtio-vsock device with this\n"
	"                     context ID (3 to 4294967294), or 'auto': the lowest\n"
	"                     free one from 65536 up\n"
	"  --vsock-cid-file FILE  write the guest's CID (a decimal line) to FILE\n"
	"                     before the guest starts (with --vsock-cid auto: the\n"
	"                     one chosen)\n"
	"  --net tap=NAME[,mac=MAC]  give the guest a virtio-net device on tap NAME\n"
	"                     (created if absent, removed at exit; an existing tap\n"
	"                     is used as it is); MAC like 02:00:00:00:00:01, default\n"
	"                     random (repeatable, up to 4)\n"
	"  --share DIR[,tag=TAG]  share host directory DIR with the guest over\n"
	"                     virtio-fs (minivmm starts virtiofsd, as root); the\n"
	"                     guest mounts it with mount -t virtiofs TAG /mnt\n"
	"                     (default tag share0, share1, ...)\n"
	"  --disk FILE[,readonly=on]  give the guest a virtio-blk disk backed by\n"
	"                     FILE (minivmm starts qemu-storage-daemon for it)\n"
	"  --vhost-user fs,socket=PATH,tag=TAG\n"
	"  --vhost-user blk,socket=PATH\n"
	"                     a virtio-fs or virtio-blk device whose backend is a\n"
	"                     vhost-user process you started on socket PATH (e.g.\n"
	"                     virtiofsd, qemu-storage-daemon); ,wait=SECONDS: how\n"
	"                     long to wait for it (default 10). Up to 4 in all\n"
	"  --debug            log unhandled guest I/O and device events\n"
	"  --stats            print exit and device counters when the VM stops\n"
	"  --boot-timer       print, in ms since start, when the vCPUs start and when\n"
	"                     the guest reaches userspace and finishes booting (it\n"
	"                     writes to port 0x440)\n"
	"  --trace[=LIST]     explain each event of the VM as it happens, in plain\n"
	"                     words with the spec section it follows, on stderr;\n"
	"                     LIST picks categories: exits, pio, mmio, virtio,\n"
	"                     vhost, kvm, boot (default: all). docs/tour.md\n"
	"  --trace-file FILE  write the trace to FILE instead (implies --trace)\n"
	"  --user USER        once the devices are open, give up root and run as\n"
	"                     USER (a name from /etc/passwd, UID or UID:GID)\n"
	"  --no-seccomp       run without the seccomp sandbox (for debugging: the\n"
	"                     threads may then make any system call)\n"
	"  --help             show this help and exit\n"
	"  --version          show the version and exit\n"
	"\n"
#ifdef MINIVMM_TESTING
	"Testing (this test build only):\n"
	"  --vsock-test-backend FILE  with --vsock-cid: instead of vhost_vsock, a\n"
	"                     backend that moves no data and records every call\n"
	"                     in FILE (for machines without /dev/vhost-vsock)\n"
	"  --test-device FILE a device made for tests (ID 0xffff, two queues) on\n"
	"                     the next virtio-mmio slot, its recording backend\n"
	"                     writing to FILE (repeatable, up to 7)\n"
	"  --test-forbidden-syscall  the main thread makes a system call its seccomp\n"
	"                     filter forbids (socket) right after installing it\n"
	"\n"
#endif
	"Console: the guest's ttyS0. When stdin is a terminal it is put in raw\n"
	"mode; press Ctrl-A x to quit, Ctrl-A Ctrl-A to send Ctrl-A.\n"
	"\n"
	"Exit status (docs/ci.md):\n"
	"  0       the guest wrote 0 to the exit port (passed), powered off,\n"
	"          rebooted, or Ctrl-A x\n"
	"  1       the guest kernel crashed (panic, triple fault, KVM failure)\n"
	"  2       usage error\n"
	"  3       the guest halted for good (every vCPU halted, interrupts off)\n"
	"  4       minivmm failed (a bad kernel file, a system error)\n"
	"  10-19   this runner cannot run VMs: 10 no /dev/kvm, 11 /dev/kvm not\n"
	"          permitted, 12 KVM unusable, 13 vhost_vsock not loaded,\n"
	"          14 /dev/vhost-vsock not permitted, 15 another transport holds\n"
	"          vsock, 16 the CID is taken\n"
	"  65-127  the guest's test failed with N (wrote N to the exit port): 64+N,\n"
	"          N of 63 and more give 127\n"
	"  128+N   stopped by signal N (SIGINT, SIGTERM, SIGHUP); 159 when minivmm\n"
	"          made a system call its seccomp sandbox forbids (a bug)\n"
	"Exit port: a guest ends the VM with verdict N (0-255) by writing the byte\n"
	"N to I/O port 0x501 (a shell: printf '\\ooo' | dd of=/dev/port bs=1\n"
	"seek=1281).\n"
	"\n"
	"Signals: SIGINT, SIGTERM and SIGHUP stop the VM; SIGUSR2 makes every vCPU\n"
	"print its registers and the guest runs on (where is a stuck guest?).\n";

/* Parse an unsigned decimal integer at the start of s; *end_out is where
 * it ends. Decimal only: "0123" is 123 (never octal), "0x10" is refused. */
static int parse_u64(const char *s, uint64_t *out, const char **end_out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	*out = v;
	*end_out = end;
	return 0;
}

static int parse_memory(const char *s, uint64_t *mib)
{
	uint64_t v;
	const char *end;
	if (parse_u64(s, &v, &end) < 0)
		goto bad;
	if (strcmp(end, "G") == 0 || strcmp(end, "g") == 0) {
		if (v > CLI_MEMORY_MAX_MIB / 1024)
			goto range;
		v *= 1024;
	} else if (strcmp(end, "M") == 0 || strcmp(end, "m") == 0 || *end == '\0') {
		/* MiB already */
	} else {
		goto bad;
	}
	if (v < 32 || v > CLI_MEMORY_MAX_MIB)
		goto range;
	*mib = v;
	return 0;
bad:
	return error_set("--memory: '%s' is not a size in MiB (e.g. 256, 512M, 2G)", s);
range:
	return error_set("--memory: %s is out of range (32 MiB to %d MiB)", s,
			 CLI_MEMORY_MAX_MIB);
}

static int parse_cpus(const char *s, int *cpus)
{
	uint64_t v;
	const char *end;
	if (parse_u64(s, &v, &end) < 0 || *end != '\0')
		return error_set("--cpus: '%s' is not a number", s);
	if (v < 1 || v > CLI_CPUS_MAX)
		return error_set("--cpus: %s is out of range (1 to %d)", s, CLI_CPUS_MAX);
	*cpus = (int)v;
	return 0;
}

static int parse_cid(const char *s, uint32_t *cid, bool *auto_cid)
{
	uint64_t v;
	*auto_cid = strcmp(s, "auto") == 0;
	if (*auto_cid)
		return 0;
	const char *end;
	if (parse_u64(s, &v, &end) < 0 || *end != '\0')
		return error_set("--vsock-cid: '%s' is not a number (or 'auto')", s);
	if (v < CLI_VSOCK_CID_MIN || v > CLI_VSOCK_CID_MAX)
		return error_set("--vsock-cid: %s is out of range (3 to 4294967294; "
				 "0-2 and 4294967295 are reserved)", s);
	*cid = (uint32_t)v;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Six two-digit hex octets separated by colons, unicast, not all zero. */
static int parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	if (len != 17)
		goto bad;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			goto bad;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 1)
		return error_set("--net: mac=%.*s is a multicast address (the first octet must "
				 "be even, e.g. 02:...)", (int)len, s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return error_set("--net: mac=%.*s is the all-zero address", (int)len, s);
	return 0;
bad:
	return error_set("--net: mac=%.*s is not a MAC address (six hex octets with colons, "
			 "e.g. 02:00:00:00:00:01)", (int)len, s);
}

/* A Linux interface name (net/core/dev.c dev_valid_name): 1 to 15
 * characters, not "." or "..", no '/', ':' or white space; and no '%',
 * which would make the kernel pick the name. */
static int parse_ifname(const char *s, size_t len, char out[CLI_IFNAME_MAX + 1])
{
	if (len == 0)
		return error_set("--net: tap= needs an interface name");
	if (len > CLI_IFNAME_MAX)
		return error_set("--net: tap name '%.*s' is longer than %d characters", (int)len,
				 s, CLI_IFNAME_MAX);
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		goto bad;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || s[i] == '%' || s[i] <= ' ' || s[i] == 0x7f)
			goto bad;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
bad:
	return error_set("--net: '%.*s' is not a valid interface name", (int)len, s);
}

int cli_parse_net(const char *s, struct cli_net *out)
{
	*out = (struct cli_net){ 0 };
	bool have_tap = false;
	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		if (len > 4 && strncmp(s, "tap=", 4) == 0) {
			if (have_tap)
				return error_set("--net: tap= given twice");
			if (parse_ifname(s + 4, len - 4, out->tap) < 0)
				return -1;
			have_tap = true;
		} else if (len >= 4 && strncmp(s, "mac=", 4) == 0) {
			if (out->has_mac)
				return error_set("--net: mac= given twice");
			if (parse_mac(s + 4, len - 4, out->mac) < 0)
				return -1;
			out->has_mac = true;
		} else if (len == 4 && strncmp(s, "tap=", 4) == 0) {
			return error_set("--net: tap= needs an interface name");
		} else {
			return error_set("--net: unknown setting '%.*s' (the form is "
					 "tap=NAME[,mac=MAC])", (int)len, s);
		}
		if (!end)
			break;
		s = end + 1;
		if (!*s)
			return error_set("--net: trailing comma");
	}
	if (!have_tap)
		return error_set("--net: no tap=NAME (the form is tap=NAME[,mac=MAC])");
	return 0;
}

static int add_net(struct vmm_config *cfg, const char *value)
{
	if (cfg->nnets >= CLI_NETS_MAX)
		return error_set("--net: at most %d", CLI_NETS_MAX);
	struct cli_net *n = &cfg->nets[cfg->nnets];
	if (cli_parse_net(value, n) < 0)
		return -1;
	for (int i = 0; i < cfg->nnets; i++) {
		if (strcmp(cfg->nets[i].tap, n->tap) == 0)
			return error_set("--net: tap %s given twice (one tap per NIC)", n->tap);
		if (n->has_mac && cfg->nets[i].has_mac && !memcmp(cfg->nets[i].mac, n->mac, 6))
			return error_set("--net: two NICs with the same MAC address");
	}
	cfg->nnets++;
	return 0;
}

enum opt_id {
	OPT_KERNEL = 256, OPT_INITRD, OPT_CMDLINE, OPT_MEMORY, OPT_CPUS, OPT_CID, OPT_TEST_BACKEND,
	OPT_TEST_DEVICE, OPT_DEBUG, OPT_STATS, OPT_BOOT_TIMER, OPT_NO_SECCOMP,
	OPT_TEST_FORBIDDEN_SYSCALL, OPT_HELP, OPT_VERSION, OPT_USER, OPT_TRACE, OPT_TRACE_FILE,
	OPT_CID_FILE, OPT_NET, OPT_SHARE, OPT_VHOST_USER, OPT_DISK,
};

static const struct option options[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "vsock-cid", required_argument, NULL, OPT_CID },
	{ "vsock-cid-file", required_argument, NULL, OPT_CID_FILE },
	{ "net", required_argument, NULL, OPT_NET },
	{ "share", required_argument, NULL, OPT_SHARE },
	{ "vhost-user", required_argument, NULL, OPT_VHOST_USER },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "boot-timer", no_argument, NULL, OPT_BOOT_TIMER },
	{ "user", required_argument, NULL, OPT_USER },
	{ "trace", optional_argument, NULL, OPT_TRACE },
	{ "trace-file", required_argument, NULL, OPT_TRACE_FILE },
	{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
#ifdef MINIVMM_TESTING
	{ "vsock-test-backend", required_argument, NULL, OPT_TEST_BACKEND },
	{ "test-device", required_argument, NULL, OPT_TEST_DEVICE },
	{ "test-forbidden-syscall", no_argument, NULL, OPT_TEST_FORBIDDEN_SYSCALL },
#endif
	{ NULL, 0, NULL, 0 },
};

static int set_file(const char **field, const char *option, const char *value)
{
	if (*value == '\0')
		return error_set("--%s: empty file name", option);
	*field = value;
	return 0;
}

static int add_vhost_user(struct vmm_config *cfg, int id, const char *value)
{
	bool share = id == OPT_SHARE;
	const char *opt = share ? "--share" : id == OPT_DISK ? "--disk" : "--vhost-user";
	if (cfg->nvhost_user >= CLI_VHOST_USER_MAX)
		return error_set("%s: at most %d vhost-user devices (--share, --disk and "
				 "--vhost-user together)", opt, CLI_VHOST_USER_MAX);
	struct cli_vhost_user *v = &cfg->vhost_user[cfg->nvhost_user];
	int ret = share		 ? cli_parse_share(value, (unsigned)cfg->nshares, v)
		  : id == OPT_DISK ? cli_parse_disk(value, v)
				   : cli_parse_vhost_user(value, v);
	if (ret < 0)
		return -1;
	cfg->nvhost_user++;
	cfg->nshares += share;
	for (int i = 0; i < cfg->nvhost_user - 1; i++) {
		const struct cli_vhost_user *o = &cfg->vhost_user[i];
		if (v->type == CLI_VHOST_USER_FS && o->type == CLI_VHOST_USER_FS &&
		    strcmp(o->tag, v->tag) == 0)
			return error_set("%s: tag %s is used twice (each shared directory needs "
					 "its own tag)", opt, v->tag);
		if (v->socket && o->socket && strcmp(o->socket, v->socket) == 0)
			return error_set("%s: socket %s is used twice (one device per backend "
					 "socket)", opt, v->socket);
	}
	return 0;
}

static int apply(struct vmm_config *cfg, int id, const char *value)
{
	switch (id) {
	case OPT_KERNEL:
		return set_file(&cfg->kernel, "kernel", value);
	case OPT_INITRD:
		return set_file(&cfg->initrd, "initrd", value);
	case OPT_CMDLINE:
		cfg->cmdline = value;
		return 0;
	case OPT_MEMORY:
		return parse_memory(value, &cfg->memory_mib);
	case OPT_CPUS:
		return parse_cpus(value, &cfg->cpus);
	case OPT_CID:
		cfg->vsock = true;
		return parse_cid(value, &cfg->vsock_cid, &cfg->vsock_cid_auto);
	case OPT_CID_FILE:
		return set_file(&cfg->vsock_cid_file, "vsock-cid-file", value);
	case OPT_NET:
		return add_net(cfg, value);
	case OPT_SHARE:
	case OPT_VHOST_USER:
	case OPT_DISK:
		return add_vhost_user(cfg, id, value);
	case OPT_DEBUG:
		cfg->debug = true;
		return 0;
	case OPT_STATS:
		cfg->stats = true;
		return 0;
	case OPT_TEST_BACKEND:
		return set_file(&cfg->vsock_test_backend, "vsock-test-backend", value);
	case OPT_TEST_DEVICE:
		if (cfg->ntest_devices >= CLI_TEST_DEVICES_MAX)
			return error_set("--test-device: at most %d", CLI_TEST_DEVICES_MAX);
		return set_file(&cfg->test_devices[cfg->ntest_devices++], "test-device", value);
	case OPT_BOOT_TIMER:
		cfg->boot_timer = true;
		return 0;
	case OPT_USER:
		if (*value == '\0')
			return error_set("--user: empty user name");
		cfg->user = value;
		return 0;
	case OPT_TRACE: {
		unsigned mask;
		if (trace_parse_categories(value, &mask) < 0)
			return -1;
		cfg->trace_mask |= mask;
		return 0;
	}
	case OPT_TRACE_FILE:
		return set_file(&cfg->trace_file, "trace-file", value);
	case OPT_NO_SECCOMP:
		cfg->no_seccomp = true;
		return 0;
	case OPT_TEST_FORBIDDEN_SYSCALL:
		cfg->test_forbidden_syscall = true;
		return 0;
	case OPT_HELP:
		cfg->help = true;
		return 0;
	case OPT_VERSION:
		cfg->version = true;
		return 0;
	}
	return error_set("internal: unknown option id");
}

void cli_free(struct vmm_config *cfg)
{
	for (int i = 0; i < cfg->nvhost_user; i++) {
		free(cfg->vhost_user[i].owned);
		cfg->vhost_user[i].owned = NULL;
	}
	cfg->nvhost_user = 0;
}

/* The option as the user wrote it, without any "=value". */
static int option_name_len(const char *arg)
{
	const char *eq = strchr(arg, '=');
	return eq ? (int)(eq - arg) : (int)strlen(arg);
}

static int parse(int argc, char *const argv[], struct vmm_config *cfg)
{
	*cfg = (struct vmm_config){ .memory_mib = CLI_MEMORY_DEFAULT_MIB, .cpus = 1 };

	/* getopt_long keeps its state in globals: start afresh (glibc resets
	 * fully on optind = 0), print nothing ("opterr"), stop at the first
	 * non-option ('+') and tell a missing value apart (':'). */
	optind = 0;
	opterr = 0;
	for (;;) {
		int prev = optind ? optind : 1;
		int id = getopt_long(argc, argv, "+:", options, NULL);
		if (id == -1)
			break;
		const char *arg = prev < argc ? argv[prev] : "";
		if (id == ':')
			return error_set("option '%.*s' needs a value", option_name_len(arg), arg);
		if (id == '?') {
			if (strncmp(arg, "--", 2) != 0)
				return error_set("unexpected argument '%s' (options are long: "
						 "--kernel FILE, ...)", arg);
			if (optopt && strchr(arg, '='))
				return error_set("option '%.*s' takes no value",
						 option_name_len(arg), arg);
			return error_set("unknown option '%.*s'", option_name_len(arg), arg);
		}
		if (apply(cfg, id, optarg) < 0)
			return -1;
	}
	if (optind < argc)
		return error_set("unexpected argument '%s'", argv[optind]);
	if (!cfg->help && !cfg->version && !cfg->kernel)
		return error_set("no kernel given (use --kernel FILE)");
	if (cfg->trace_file && !cfg->trace_mask)
		cfg->trace_mask = TRACE_ALL;
	if (cfg->vsock_test_backend && !cfg->vsock)
		return error_set("--vsock-test-backend needs --vsock-cid");
	if (cfg->vsock_cid_file && !cfg->vsock)
		return error_set("--vsock-cid-file needs --vsock-cid");
	return 0;
}

int cli_parse(int argc, char *const argv[], struct vmm_config *cfg)
{
	if (parse(argc, argv, cfg) < 0) {
		cli_free(cfg);
		return -1;
	}
	return 0;
}
