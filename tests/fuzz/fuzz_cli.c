/* libFuzzer target: the command-line parser (vmm/cli.c). The input, split
 * at NUL bytes, is the argument list after argv[0]; each argument gets its
 * own exactly-sized allocation so that reading past its NUL is an ASan
 * report, not a silent read of the next one. Checked besides crashes:
 *   - a failure always leaves a message for the user;
 *   - a success leaves a configuration main() can use as it is: values in
 *     the documented ranges, a kernel unless --help or --version, and
 *     every string pointing into argv (main() keeps argv, nothing else)
 *     or, for --share and --vhost-user, into the device's own storage,
 *     which cli_free releases (a leak is LeakSanitizer's report). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "lib/error.h"
#include "vmm/cli.h"

#define MAX_ARGS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True if s is one of argv[1..argc) or a suffix of one ("--kernel=FILE"). */
static bool points_into_argv(const char *s, int argc, char *const argv[])
{
	for (int i = 1; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (s >= argv[i] && s <= argv[i] + len)
			return true;
	}
	return false;
}

/* True if s starts inside owned, cli_parse's copy of one value: at most
 * as long as the longest argument, with its NUL. */
static bool points_into(const char *s, const char *owned, size_t longest_arg)
{
	return owned && s >= owned && s < owned + longest_arg + 1;
}

static void check_vhost_user(const struct vmm_config *c, int argc, char *const argv[])
{
	int shares = 0;
	size_t longest = 0;

	for (int i = 1; i < argc; i++)
		if (strlen(argv[i]) > longest)
			longest = strlen(argv[i]);

	FUZZ_CHECK(c->nvhost_user >= 0 && c->nvhost_user <= CLI_VHOST_USER_MAX,
		   "%d vhost-user devices accepted", c->nvhost_user);
	FUZZ_CHECK(cli_needs_shared_memory(c) == (c->nvhost_user > 0),
		   "shared guest memory does not follow the vhost-user devices");
	for (int i = 0; i < c->nvhost_user; i++) {
		const struct cli_vhost_user *v = &c->vhost_user[i];
		size_t tag_len = strlen(v->tag);

		shares += v->share_dir != NULL;
		FUZZ_CHECK(!v->share_dir != !v->socket, "device %d: both or neither of share "
			   "directory and socket", i);
		FUZZ_CHECK(!v->share_dir ||
				   (v->share_dir[0] && points_into(v->share_dir, v->owned, longest)),
			   "device %d: share directory empty or not its own", i);
		FUZZ_CHECK(!v->socket || (v->socket[0] && points_into(v->socket, v->owned, longest)),
			   "device %d: socket empty or not its own", i);
		FUZZ_CHECK(v->wait_ms <= CLI_VHOST_USER_WAIT_MAX_S * 1000u && v->wait_ms % 1000 == 0,
			   "device %d: wait of %u ms", i, v->wait_ms);
		if (v->type == CLI_VHOST_USER_BLK) {
			FUZZ_CHECK(tag_len == 0 && v->socket, "device %d: a disk with a tag or no "
				   "socket", i);
			continue;
		}
		FUZZ_CHECK(v->type == CLI_VHOST_USER_FS, "device %d: type %d", i, v->type);
		FUZZ_CHECK(tag_len >= 1 && tag_len <= CLI_FS_TAG_MAX, "device %d: tag of %zu bytes",
			   i, tag_len);
		for (size_t k = 0; k < tag_len; k++)
			FUZZ_CHECK(v->tag[k] > ' ' && v->tag[k] <= '~' && v->tag[k] != ',',
				   "device %d: tag byte %#x", i, (unsigned char)v->tag[k]);
		for (int j = 0; j < i; j++) {
			const struct cli_vhost_user *o = &c->vhost_user[j];

			FUZZ_CHECK(o->type != CLI_VHOST_USER_FS || strcmp(o->tag, v->tag) != 0,
				   "tag %s accepted twice", v->tag);
		}
	}
	for (int i = 0; i < c->nvhost_user; i++)
		for (int j = 0; j < i; j++)
			FUZZ_CHECK(!c->vhost_user[i].socket || !c->vhost_user[j].socket ||
					   strcmp(c->vhost_user[i].socket, c->vhost_user[j].socket),
				   "socket %s accepted twice", c->vhost_user[i].socket);
	FUZZ_CHECK(shares == c->nshares, "%d shares counted as %d", shares, c->nshares);
}

static void check_config(const struct vmm_config *c, int argc, char *const argv[])
{
	FUZZ_CHECK(c->memory_mib >= 32 && c->memory_mib <= CLI_MEMORY_MAX_MIB,
		   "--memory accepted as %llu MiB", (unsigned long long)c->memory_mib);
	FUZZ_CHECK(c->cpus >= 1 && c->cpus <= CLI_CPUS_MAX, "--cpus accepted as %d", c->cpus);
	FUZZ_CHECK(!c->vsock || c->vsock_cid_auto ||
			   (c->vsock_cid >= CLI_VSOCK_CID_MIN && c->vsock_cid <= CLI_VSOCK_CID_MAX),
		   "--vsock-cid accepted as %u", c->vsock_cid);
	FUZZ_CHECK(!c->vsock_cid_auto || c->vsock, "--vsock-cid auto without a vsock device");
	FUZZ_CHECK(!c->vsock_cid_file ||
			   (c->vsock && c->vsock_cid_file[0] &&
			    points_into_argv(c->vsock_cid_file, argc, argv)),
		   "--vsock-cid-file without --vsock-cid, empty or not from argv");
	FUZZ_CHECK(c->kernel || c->help || c->version, "success without --kernel");
	FUZZ_CHECK(!c->kernel || (c->kernel[0] && points_into_argv(c->kernel, argc, argv)),
		   "kernel file name empty or not from argv");
	FUZZ_CHECK(!c->initrd || (c->initrd[0] && points_into_argv(c->initrd, argc, argv)),
		   "initrd file name empty or not from argv");
	FUZZ_CHECK(!c->cmdline || points_into_argv(c->cmdline, argc, argv),
		   "command line not from argv");
	FUZZ_CHECK(!c->vsock_test_backend ||
			   (c->vsock && c->vsock_test_backend[0] &&
			    points_into_argv(c->vsock_test_backend, argc, argv)),
		   "test backend file without --vsock-cid, empty or not from argv");
	check_vhost_user(c, argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	struct vmm_config cfg;
	size_t start = 0;

	argv[argc++] = strdup("minivmm");
	/* Arguments end at each NUL and at the end of the input; an empty
	 * input, or one ending in a NUL, adds no empty last argument. */
	for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (i < size && data[i] != '\0')
			continue;
		if (i == size && start == size)
			break;
		argv[argc] = malloc(i - start + 1);
		FUZZ_CHECK(argv[argc], "out of memory");
		memcpy(argv[argc], data + start, i - start);
		argv[argc][i - start] = '\0';
		argc++;
		start = i + 1;
	}
	argv[argc] = NULL;

	error_clear();
	if (cli_parse(argc, argv, &cfg) < 0)
		FUZZ_CHECK(error_message()[0] != '\0', "cli_parse failed without a message");
	else {
		check_config(&cfg, argc, argv);
		cli_free(&cfg);
	}

	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
