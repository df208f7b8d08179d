#include <criterion/criterion.h>
#include <string.h>

#include "lib/error.h"
#include "lib/trace.h"
#include "vmm/cli.h"

#define ARGV(...) ((char *const[]){ "minivmm", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "minivmm", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(cfg, ...) cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (cfg))

Test(cli, defaults)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "bz"), 0);
	cr_assert_str_eq(c.kernel, "bz");
	cr_assert_eq(c.memory_mib, 256);
	cr_assert_eq(c.cpus, 1);
	cr_assert_null(c.initrd);
	cr_assert_null(c.cmdline);
	cr_assert_not(c.vsock);
	cr_assert_not(c.debug);
	cr_assert_not(c.no_seccomp); /* the sandbox is on unless asked */
	cr_assert_not(c.test_forbidden_syscall);
}

Test(cli, all_options_both_spellings)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel=k", "--initrd", "i", "--cmdline=quiet loglevel=1",
			   "--memory", "3584", "--cpus=4", "--vsock-cid", "3", "--debug", "--stats", "--boot-timer",
			   "--no-seccomp"), 0);
	cr_assert_str_eq(c.kernel, "k");
	cr_assert_str_eq(c.initrd, "i");
	cr_assert_str_eq(c.cmdline, "quiet loglevel=1");
	cr_assert_eq(c.memory_mib, 3584);
	cr_assert_eq(c.cpus, 4);
	cr_assert(c.vsock);
	cr_assert_eq(c.vsock_cid, 3);
	cr_assert(c.debug);
	cr_assert(c.stats);
	cr_assert(c.boot_timer);
	cr_assert(c.no_seccomp);
}

Test(cli, memory_suffixes)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--memory", "2G"), 0);
	cr_assert_eq(c.memory_mib, 2048);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--memory", "512M"), 0);
	cr_assert_eq(c.memory_mib, 512);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--memory", "32"), 0);
	cr_assert_eq(c.memory_mib, 32);
}

static void assert_fails(int rc, const char *fragment)
{
	cr_assert_eq(rc, -1);
	cr_assert(strstr(error_message(), fragment), "message '%s' lacks '%s'", error_message(),
		  fragment);
}

Test(cli, bad_memory)
{
	struct vmm_config c;
	assert_fails(PARSE(&c, "--kernel", "k", "--memory", "abc"), "not a size");
	assert_fails(PARSE(&c, "--kernel", "k", "--memory", "-5"), "not a size");
	assert_fails(PARSE(&c, "--kernel", "k", "--memory", "12X"), "not a size");
	assert_fails(PARSE(&c, "--kernel", "k", "--memory", ""), "not a size");
	assert_fails(PARSE(&c, "--kernel", "k", "--memory", "31"), "out of range");
	assert_fails(PARSE(&c, "--kernel", "k", "--memory", "0"), "out of range");
	assert_fails(PARSE(&c, "--kernel", "k", "--memory", "99999999999999999999"), "not a size");
	assert_fails(PARSE(&c, "--kernel", "k", "--memory", "2000000G"), "out of range");
}

Test(cli, bad_cpus)
{
	struct vmm_config c;
	assert_fails(PARSE(&c, "--kernel", "k", "--cpus", "0"), "out of range");
	assert_fails(PARSE(&c, "--kernel", "k", "--cpus", "33"), "out of range");
	assert_fails(PARSE(&c, "--kernel", "k", "--cpus", "two"), "not a number");
}

Test(cli, vsock_cid_range)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--vsock-cid", "4294967294"), 0);
	cr_assert_eq(c.vsock_cid, 0xfffffffeu);
	assert_fails(PARSE(&c, "--kernel", "k", "--vsock-cid", "2"), "out of range");
	assert_fails(PARSE(&c, "--kernel", "k", "--vsock-cid", "0"), "out of range");
	assert_fails(PARSE(&c, "--kernel", "k", "--vsock-cid", "4294967295"), "out of range");
	assert_fails(PARSE(&c, "--kernel", "k", "--vsock-cid", "4294967296"), "out of range");
	assert_fails(PARSE(&c, "--kernel", "k", "--vsock-cid", "3x"), "not a number");
}

/* Numbers are decimal only: a leading zero never means octal, and hex is
 * refused rather than read some other way. */
Test(cli, numbers_are_decimal_only)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--vsock-cid", "0123"), 0);
	cr_assert_eq(c.vsock_cid, 123);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--cpus", "010"), 0);
	cr_assert_eq(c.cpus, 10);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--memory", "0512M"), 0);
	cr_assert_eq(c.memory_mib, 512);
	assert_fails(PARSE(&c, "--kernel", "k", "--vsock-cid", "0x10"), "not a number");
	assert_fails(PARSE(&c, "--kernel", "k", "--memory", "0x100"), "not a size");
	assert_fails(PARSE(&c, "--kernel", "k", "--cpus", "+2"), "not a number");
	assert_fails(PARSE(&c, "--kernel", "k", "--cpus", " 2"), "not a number");
}

/* getopt_long: both "--opt value" and "--opt=value", the last one wins,
 * and parsing twice in one process starts afresh. */
Test(cli, getopt_forms_and_reparse)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel=a", "--cpus", "2", "--cpus=3"), 0);
	cr_assert_str_eq(c.kernel, "a");
	cr_assert_eq(c.cpus, 3);
	assert_fails(PARSE(&c, "--kernel", "k", "--bogus"), "unknown option '--bogus'");
	cr_assert_eq(PARSE(&c, "--kernel", "b"), 0);
	cr_assert_str_eq(c.kernel, "b");
	cr_assert_eq(c.cpus, 1);
}

Test(cli, test_devices_repeat_up_to_the_limit)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--test-device", "a", "--test-device=b"), 0);
	cr_assert_eq(c.ntest_devices, 2);
	cr_assert_str_eq(c.test_devices[1], "b");
	assert_fails(PARSE(&c, "--kernel", "k", "--test-device", "1", "--test-device", "2",
			   "--test-device", "3", "--test-device", "4", "--test-device", "5",
			   "--test-device", "6", "--test-device", "7", "--test-device", "8"),
		     "at most 7");
}

Test(cli, usage_errors)
{
	struct vmm_config c;
	assert_fails(PARSE(&c, "--memory", "64"), "no kernel");
	assert_fails(PARSE(&c, "--kernel"), "needs a value");
	assert_fails(PARSE(&c, "--kernel", "k", "--frobnicate"), "unknown option '--frobnicate'");
	assert_fails(PARSE(&c, "--kernel", "k", "extra"), "unexpected argument 'extra'");
	assert_fails(PARSE(&c, "--kernel", "k", "--debug=1"), "takes no value");
	assert_fails(PARSE(&c, "--kernel="), "empty file name");
	assert_fails(PARSE(&c, "-k", "x"), "unexpected argument");
}

Test(cli, help_and_version_need_no_kernel)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--help"), 0);
	cr_assert(c.help);
	cr_assert_eq(PARSE(&c, "--version"), 0);
	cr_assert(c.version);
	cr_assert(strstr(cli_usage, "--vsock-cid"));
	/* The vhost-user forms, as scripts write them (issue 13). */
	cr_assert(strstr(cli_usage, "--share DIR[,tag=TAG]"));
	cr_assert(strstr(cli_usage, "(default tag share0, share1, ...)"));
	cr_assert(strstr(cli_usage, "--vhost-user fs,socket=PATH,tag=TAG\n"));
	cr_assert(strstr(cli_usage, "--vhost-user blk,socket=PATH\n"));
	cr_assert(strstr(cli_usage, ",wait=SECONDS"));
	cr_assert(strstr(cli_usage, "(default 10). Up to 4 in all"));
}

Test(cli, test_backend_needs_vsock)
{
	struct vmm_config c;
	assert_fails(PARSE(&c, "--kernel", "k", "--vsock-test-backend", "/tmp/x"), "needs --vsock-cid");
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--vsock-cid", "3", "--vsock-test-backend", "/tmp/x"), 0);
	cr_assert_str_eq(c.vsock_test_backend, "/tmp/x");
}

Test(cli, seccomp_options)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--no-seccomp"), 0);
	cr_assert(c.no_seccomp);
	assert_fails(PARSE(&c, "--kernel", "k", "--no-seccomp=1"), "takes no value");
	assert_fails(PARSE(&c, "--kernel", "k", "--seccomp"), "unknown option '--seccomp'");
	/* Test build only (the unit tests are one). */
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--test-forbidden-syscall"), 0);
	cr_assert(c.test_forbidden_syscall);
	cr_assert_not(c.no_seccomp);
	cr_assert(strstr(cli_usage, "--no-seccomp"));
	cr_assert(strstr(cli_usage, "--test-forbidden-syscall"));
	cr_assert(strstr(cli_usage, "159"));
}

Test(cli, trace_options)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k"), 0);
	cr_assert_eq(c.trace_mask, 0, "tracing is off unless asked");
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--trace"), 0);
	cr_assert_eq(c.trace_mask, TRACE_ALL);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--trace=virtio,vhost"), 0);
	cr_assert_eq(c.trace_mask, TRACE_VIRTIO | TRACE_VHOST);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--trace=boot", "--trace=pio"), 0);
	cr_assert_eq(c.trace_mask, TRACE_BOOT | TRACE_PIO);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--trace-file", "t.log"), 0);
	cr_assert_eq(c.trace_mask, TRACE_ALL, "--trace-file alone traces everything");
	cr_assert_str_eq(c.trace_file, "t.log");
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--trace=exits", "--trace-file=t.log"), 0);
	cr_assert_eq(c.trace_mask, TRACE_EXITS);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--trace=virtio,bogus"), -1);
	cr_assert(strstr(error_message(), "unknown category 'bogus'"), "%s", error_message());
	/* The categories are the option's value, not the next argument. */
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--trace", "virtio"), -1);
	cr_assert(strstr(error_message(), "unexpected argument 'virtio'"), "%s", error_message());
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--trace-file="), -1);
}

Test(cli, vsock_cid_auto_and_file)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--vsock-cid", "auto", "--vsock-cid-file", "f"), 0);
	cr_assert(c.vsock);
	cr_assert(c.vsock_cid_auto);
	cr_assert_str_eq(c.vsock_cid_file, "f");
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--vsock-cid", "7"), 0);
	cr_assert_not(c.vsock_cid_auto);
	cr_assert_null(c.vsock_cid_file);
	assert_fails(PARSE(&c, "--kernel", "k", "--vsock-cid", "Auto"), "not a number (or 'auto')");
	assert_fails(PARSE(&c, "--kernel", "k", "--vsock-cid-file", "f"),
		     "--vsock-cid-file needs --vsock-cid");
	assert_fails(PARSE(&c, "--kernel", "k", "--vsock-cid", "3", "--vsock-cid-file", ""),
		     "empty file name");
}

Test(cli, net_tap_and_mac)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--net", "tap=mvtap0",
			   "--net=tap=tap-b,mac=02:AB:cd:00:00:01"), 0);
	cr_assert_eq(c.nnets, 2);
	cr_assert_str_eq(c.nets[0].tap, "mvtap0");
	cr_assert_not(c.nets[0].has_mac);
	cr_assert_str_eq(c.nets[1].tap, "tap-b");
	cr_assert(c.nets[1].has_mac);
	const uint8_t want[6] = { 0x02, 0xab, 0xcd, 0, 0, 1 };
	cr_assert_arr_eq(c.nets[1].mac, want, 6);
	/* mac first is fine too */
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--net", "mac=02:00:00:00:00:02,tap=t"), 0);
	cr_assert_str_eq(c.nets[0].tap, "t");
	cr_assert_eq(c.nets[0].mac[5], 2);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--net", "tap=123456789012345"), 0,
		     "15 characters is the longest name");
}

Test(cli, net_bad_values)
{
	static const struct {
		char *value;
		const char *message;
	} cases[] = {
		{ "", "no tap=NAME" },
		{ "tap=", "needs an interface name" },
		{ "mac=02:00:00:00:00:01", "no tap=NAME" },
		{ "tap=a,tap=b", "tap= given twice" },
		{ "tap=a,", "trailing comma" },
		{ "tap=a,vhost=on", "unknown setting 'vhost=on'" },
		{ "tap=1234567890123456", "longer than 15" },
		{ "tap=a/b", "not a valid interface name" },
		{ "tap=a b", "not a valid interface name" },
		{ "tap=..", "not a valid interface name" },
		{ "tap=tap%d", "not a valid interface name" },
		{ "tap=a,mac=02:00:00:00:00", "not a MAC address" },
		{ "tap=a,mac=02:00:00:00:00:0g", "not a MAC address" },
		{ "tap=a,mac=02-00-00-00-00-01", "not a MAC address" },
		{ "tap=a,mac=01:00:5e:00:00:01", "multicast" },
		{ "tap=a,mac=00:00:00:00:00:00", "all-zero" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmm_config c;
		cr_assert_eq(PARSE(&c, "--kernel", "k", "--net", cases[i].value), -1, "%s",
			     cases[i].value);
		cr_assert(strstr(error_message(), cases[i].message), "'%s': %s", cases[i].value,
			  error_message());
	}
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--net", "tap=a", "--net", "tap=a"), -1);
	cr_assert(strstr(error_message(), "tap a given twice"));
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--net", "tap=a,mac=02:00:00:00:00:01", "--net",
			   "tap=b,mac=02:00:00:00:00:01"), -1);
	cr_assert(strstr(error_message(), "same MAC"));
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--net", "tap=a", "--net", "tap=b", "--net",
			   "tap=c", "--net", "tap=d", "--net", "tap=e"), -1);
	cr_assert(strstr(error_message(), "at most 4"));
}
