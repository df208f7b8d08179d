/* --share and --vhost-user (vmm/cli_vhost_user.c and their options in
 * vmm/cli.c): every accepted form with its defaults, every refusal with
 * its message, the limits across options, and cli_free. Each test ends
 * with a LeakSanitizer check of its own (no_leaks): a parsed device that
 * nobody freed fails it. The check LeakSanitizer makes at exit comes
 * after Criterion 2.4 has taken the test's result, and so does a suite's
 * .fini: there a leak prints a report and fails nothing. */
#include <criterion/criterion.h>
#include <sanitizer/lsan_interface.h>
#include <string.h>

#include "lib/error.h"
#include "vmm/cli.h"

#define ARGV(...) ((char *const[]){ "minivmm", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "minivmm", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(cfg, ...) cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (cfg))

/* 36 and 37 bytes. */
#define TAG36 "abcdefghijklmnopqrstuvwxyz0123456789"
#define TAG37 TAG36 "X"

static void no_leaks(void)
{
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0,
		     "memory leaked (LeakSanitizer's report is on stderr)");
}

static void free_one(struct cli_vhost_user *v)
{
	free(v->owned);
	v->owned = NULL;
}

/* ---- --share HOSTDIR[,tag=TAG][,wait=SECONDS] --------------------- */

Test(cli_vhost_user, share_defaults)
{
	struct cli_vhost_user v;
	cr_assert_eq(cli_parse_share("/srv/data", 0, &v), 0);
	cr_assert_eq(v.type, CLI_VHOST_USER_FS);
	cr_assert_str_eq(v.share_dir, "/srv/data");
	cr_assert_null(v.socket, "minivmm makes the socket for --share");
	cr_assert_str_eq(v.tag, "share0");
	cr_assert_eq(v.wait_ms, 10000);
	cr_assert_eq(v.wait_ms, CLI_VHOST_USER_WAIT_DEFAULT_MS);
	cr_assert_not_null(v.owned);
	free_one(&v);
	/* The default tag follows the index it is given. */
	cr_assert_eq(cli_parse_share("d", 3, &v), 0);
	cr_assert_str_eq(v.tag, "share3");
	free_one(&v);
	cr_assert_eq(cli_parse_share("d", 12, &v), 0);
	cr_assert_str_eq(v.tag, "share12");
	free_one(&v);
	no_leaks();
}

Test(cli_vhost_user, share_tag_and_wait_in_either_order)
{
	struct cli_vhost_user v;
	cr_assert_eq(cli_parse_share("/srv,tag=docs,wait=0", 5, &v), 0);
	cr_assert_str_eq(v.share_dir, "/srv");
	cr_assert_str_eq(v.tag, "docs", "a tag given replaces share5");
	cr_assert_eq(v.wait_ms, 0, "wait=0: the socket must be there at once");
	free_one(&v);
	cr_assert_eq(cli_parse_share("/srv,wait=7,tag=" TAG36, 0, &v), 0);
	cr_assert_eq(v.wait_ms, 7000);
	cr_assert_str_eq(v.tag, TAG36, "36 bytes is the longest tag");
	free_one(&v);
	cr_assert_eq(cli_parse_share("/srv,wait=3600", 0, &v), 0);
	cr_assert_eq(v.wait_ms, 3600u * 1000u, "an hour is the longest wait");
	free_one(&v);
	cr_assert_eq(cli_parse_share("/srv,wait=0007", 0, &v), 0);
	cr_assert_eq(v.wait_ms, 7000, "decimal: a leading zero is not octal");
	free_one(&v);
	no_leaks();
}

/* ",," is a literal comma (QEMU's convention), in the directory and in
 * a value; a single comma separates settings. */
Test(cli_vhost_user, double_comma_is_a_literal_comma)
{
	struct cli_vhost_user v;
	cr_assert_eq(cli_parse_share("/a,,b", 0, &v), 0);
	cr_assert_str_eq(v.share_dir, "/a,b");
	cr_assert_str_eq(v.tag, "share0");
	free_one(&v);
	cr_assert_eq(cli_parse_share("/a,,,,b,,,tag=t", 0, &v), 0);
	cr_assert_str_eq(v.share_dir, "/a,,b,");
	cr_assert_str_eq(v.tag, "t");
	free_one(&v);
	cr_assert_eq(cli_parse_vhost_user("blk,socket=/run/x,,y.sock", &v), 0);
	cr_assert_str_eq(v.socket, "/run/x,y.sock");
	free_one(&v);
	/* Without the escape the comma ends the path. */
	cr_assert_eq(cli_parse_vhost_user("blk,socket=/run/x,y.sock", &v), -1);
	cr_assert(strstr(error_message(), "'y.sock' is not key=value"), "%s", error_message());
	no_leaks();
}

/* ---- --vhost-user fs|blk,socket=PATH[,tag=TAG][,wait=SECONDS] ------ */

Test(cli_vhost_user, vhost_user_fs)
{
	struct cli_vhost_user v;
	cr_assert_eq(cli_parse_vhost_user("fs,socket=/run/vfs.sock,tag=myfs", &v), 0);
	cr_assert_eq(v.type, CLI_VHOST_USER_FS);
	cr_assert_str_eq(v.socket, "/run/vfs.sock");
	cr_assert_str_eq(v.tag, "myfs");
	cr_assert_null(v.share_dir, "the user started the backend");
	cr_assert_eq(v.wait_ms, 10000);
	cr_assert_not_null(v.owned);
	free_one(&v);
	cr_assert_eq(cli_parse_vhost_user("fs,tag=" TAG36 ",wait=0,socket=s", &v), 0);
	cr_assert_str_eq(v.tag, TAG36);
	cr_assert_str_eq(v.socket, "s");
	cr_assert_eq(v.wait_ms, 0);
	free_one(&v);
	no_leaks();
}

Test(cli_vhost_user, vhost_user_blk)
{
	struct cli_vhost_user v;
	cr_assert_eq(cli_parse_vhost_user("blk,socket=/run/disk.sock", &v), 0);
	cr_assert_eq(v.type, CLI_VHOST_USER_BLK);
	cr_assert_str_eq(v.socket, "/run/disk.sock");
	cr_assert_str_eq(v.tag, "", "a disk has no tag");
	cr_assert_null(v.share_dir);
	cr_assert_eq(v.wait_ms, 10000);
	free_one(&v);
	cr_assert_eq(cli_parse_vhost_user("blk,wait=30,socket=d", &v), 0);
	cr_assert_eq(v.wait_ms, 30000);
	free_one(&v);
	no_leaks();
}

struct refusal {
	const char *value;
	const char *message;
};

static void assert_refused(int rc, const struct cli_vhost_user *v, const struct refusal *c)
{
	cr_assert_eq(rc, -1, "'%s' accepted", c->value);
	cr_assert(strstr(error_message(), c->message), "'%s': '%s' lacks '%s'", c->value,
		  error_message(), c->message);
	cr_assert_null(v->owned, "'%s': storage kept after a refusal", c->value);
}

#define WAIT_RANGE "is not a number of seconds from 0 to 3600"

Test(cli_vhost_user, vhost_user_refusals)
{
	static const struct refusal cases[] = {
		{ "net,socket=/s", "--vhost-user: unknown device type 'net'" },
		{ "FS,socket=/s,tag=t", "unknown device type 'FS'" },
		{ "", "unknown device type ''" },
		{ "socket=/s,tag=t", "unknown device type 'socket=/s'" },
		{ "fs,tag=t", "--vhost-user: no socket=PATH" },
		{ "blk", "no socket=PATH" },
		{ "blk,wait=1", "no socket=PATH" },
		{ "blk,socket=", "socket= needs a path" },
		{ "fs,socket=/s", "fs needs tag=TAG" },
		{ "fs,socket=/s,tag=", "tag= needs a name" },
		{ "fs,socket=/s,tag=" TAG37, "is longer than 36 bytes" },
		{ "fs,socket=/s,tag=my fs", "tag 'my fs' has a space" },
		{ "fs,socket=/s,tag=a\tb", "non-printable" },
		{ "fs,socket=/s,tag=a,,b", "tag 'a,b' has a space, a comma" },
		{ "fs,socket=/s,tag=a\x7f", "non-printable" },
		{ "fs,socket=/s,tag=\xc3\xa9t\xc3\xa9", "non-printable" },
		{ "blk,socket=/s,tag=t", "unknown setting 'tag'" },
		{ "blk,socket=/s,size=1G", "unknown setting 'size'" },
		{ "fs,socket=/s,tag=t,dir=/srv", "unknown setting 'dir'" },
		{ "blk,socket=/s,readonly", "'readonly' is not key=value" },
		{ "blk,socket=/s,", "'' is not key=value" },
		{ "blk,socket=/a,socket=/b", "socket= given twice" },
		{ "fs,socket=/s,tag=a,tag=b", "tag= given twice" },
		{ "blk,socket=/s,wait=1,wait=2", "wait= given twice" },
		{ "blk,socket=/s,wait=", WAIT_RANGE },
		{ "blk,socket=/s,wait=soon", WAIT_RANGE },
		{ "blk,socket=/s,wait=5s", WAIT_RANGE },
		{ "blk,socket=/s,wait=1.5", WAIT_RANGE },
		{ "blk,socket=/s,wait=-1", WAIT_RANGE },
		{ "blk,socket=/s,wait=+5", WAIT_RANGE },
		{ "blk,socket=/s,wait= 5", WAIT_RANGE },
		{ "blk,socket=/s,wait=0x10", WAIT_RANGE },
		{ "blk,socket=/s,wait=3601", WAIT_RANGE },
		{ "blk,socket=/s,wait=99999999999999999999", WAIT_RANGE },
		{ "blk,socket=/s,a=1,b=2,c=3,d=4,e=5,f=6,g=7", "--vhost-user: too many settings" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cli_vhost_user v = { .owned = (char *)"sentinel" };
		error_clear();
		int rc = cli_parse_vhost_user(cases[i].value, &v);
		assert_refused(rc, &v, &cases[i]);
	}
	/* Eight items is the most: seven settings after the type still parse
	 * as far as the first unknown one. */
	struct cli_vhost_user v;
	cr_assert_eq(cli_parse_vhost_user("blk,socket=/s,a=1,b=2,c=3,d=4,e=5,f=6", &v), -1);
	cr_assert(strstr(error_message(), "unknown setting 'a'"), "%s", error_message());
	no_leaks();
}

Test(cli_vhost_user, share_refusals)
{
	static const struct refusal cases[] = {
		{ "", "--share: no directory" },
		{ ",tag=t", "no directory" },
		{ "/srv,socket=/s", "--share: unknown setting 'socket'" },
		{ "/srv,type=blk", "unknown setting 'type'" },
		{ "/srv,tag=", "tag= needs a name" },
		{ "/srv,tag=" TAG37, "--share: tag '" TAG37 "' is longer than 36 bytes" },
		{ "/srv,tag=a b", "has a space" },
		{ "/srv,tag=a,,b", "a comma" },
		{ "/srv,tag=a,tag=b", "tag= given twice" },
		{ "/srv,wait=1,wait=1", "wait= given twice" },
		{ "/srv,wait=x", "--share: wait=x " WAIT_RANGE },
		{ "/srv,wait=3601", WAIT_RANGE },
		{ "/srv,ro", "'ro' is not key=value" },
		{ "/srv,a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8", "--share: too many settings" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cli_vhost_user v = { .owned = (char *)"sentinel" };
		error_clear();
		int rc = cli_parse_share(cases[i].value, 0, &v);
		assert_refused(rc, &v, &cases[i]);
	}
	no_leaks();
}

/* ---- the options in cli_parse -------------------------------------- */

static void assert_fails(int rc, const struct vmm_config *c, const char *fragment)
{
	cr_assert_eq(rc, -1);
	cr_assert(strstr(error_message(), fragment), "message '%s' lacks '%s'", error_message(),
		  fragment);
	cr_assert_eq(c->nvhost_user, 0, "cli_parse freed what it had parsed");
}

/* share<N> counts the --share options only, whatever else comes between. */
Test(cli_vhost_user, shares_are_numbered_in_order)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--share", "/a", "--vhost-user",
			   "fs,socket=/s,tag=ext", "--share=/b,tag=docs", "--share", "/c"), 0);
	cr_assert_eq(c.nvhost_user, 4);
	cr_assert_eq(c.nshares, 3);
	cr_assert_str_eq(c.vhost_user[0].tag, "share0");
	cr_assert_str_eq(c.vhost_user[0].share_dir, "/a");
	cr_assert_str_eq(c.vhost_user[1].tag, "ext");
	cr_assert_str_eq(c.vhost_user[1].socket, "/s");
	cr_assert_str_eq(c.vhost_user[2].tag, "docs");
	cr_assert_str_eq(c.vhost_user[2].share_dir, "/b");
	cr_assert_str_eq(c.vhost_user[3].tag, "share2");
	cr_assert_str_eq(c.vhost_user[3].share_dir, "/c");
	cli_free(&c);
	no_leaks();
}

Test(cli_vhost_user, shared_memory_only_with_a_vhost_user_device)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k"), 0);
	cr_assert_eq(c.nvhost_user, 0);
	cr_assert_not(cli_needs_shared_memory(&c));
	cli_free(&c);
	/* vsock and net backends are in the kernel: they need no memfd. */
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--vsock-cid", "3", "--net", "tap=t0"), 0);
	cr_assert_not(cli_needs_shared_memory(&c));
	cli_free(&c);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--share", "/srv"), 0);
	cr_assert(cli_needs_shared_memory(&c));
	cli_free(&c);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--vhost-user", "blk,socket=/d"), 0);
	cr_assert(cli_needs_shared_memory(&c));
	cli_free(&c);
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--vhost-user", "fs,socket=/f,tag=t"), 0);
	cr_assert(cli_needs_shared_memory(&c));
	cli_free(&c);
	no_leaks();
}

Test(cli_vhost_user, cli_free_leaves_nothing)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--share", "/a", "--vhost-user", "blk,socket=/d"),
		     0);
	cli_free(&c);
	cr_assert_eq(c.nvhost_user, 0);
	cr_assert_null(c.vhost_user[0].owned);
	cr_assert_null(c.vhost_user[1].owned);
	cr_assert_not(cli_needs_shared_memory(&c));
	cli_free(&c); /* a second call is harmless */
	/* A failure after a device was parsed frees it too (no_leaks checks
	 * the failures below). */
	assert_fails(PARSE(&c, "--kernel", "k", "--share", "/a", "--cpus", "99"), &c,
		     "out of range");
	assert_fails(PARSE(&c, "--share", "/a"), &c, "no kernel");
	cli_free(&c);
	no_leaks();
}

Test(cli_vhost_user, at_most_four_devices_in_all)
{
	struct vmm_config c;
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--share", "/a", "--share", "/b", "--vhost-user",
			   "blk,socket=/c", "--vhost-user", "fs,socket=/d,tag=t"), 0);
	cr_assert_eq(c.nvhost_user, CLI_VHOST_USER_MAX);
	cli_free(&c);
	assert_fails(PARSE(&c, "--kernel", "k", "--share", "/a", "--share", "/b", "--share", "/c",
			   "--share", "/d", "--share", "/e"), &c,
		     "--share: at most 4 vhost-user devices (--share, --disk and --vhost-user together)");
	assert_fails(PARSE(&c, "--kernel", "k", "--share", "/a", "--share", "/b", "--share", "/c",
			   "--share", "/d", "--vhost-user", "blk,socket=/e"), &c,
		     "--vhost-user: at most 4 vhost-user devices");
	no_leaks();
}

Test(cli_vhost_user, duplicate_tags_refused)
{
	struct vmm_config c;
	assert_fails(PARSE(&c, "--kernel", "k", "--share", "/a,tag=t", "--vhost-user",
			   "fs,socket=/s,tag=t"), &c,
		     "--vhost-user: tag t is used twice");
	/* A default tag counts as much as one given. */
	assert_fails(PARSE(&c, "--kernel", "k", "--vhost-user", "fs,socket=/s,tag=share0",
			   "--share", "/a"), &c, "--share: tag share0 is used twice");
	assert_fails(PARSE(&c, "--kernel", "k", "--share", "/a", "--share", "/b,tag=share0"), &c,
		     "tag share0 is used twice");
	/* Disks have no tag: two of them never clash on it. */
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--vhost-user", "blk,socket=/a", "--vhost-user",
			   "blk,socket=/b"), 0, "%s", error_message());
	cr_assert_eq(c.nvhost_user, 2);
	cli_free(&c);
	/* Tags differ by case. */
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--share", "/a,tag=T", "--share", "/a,tag=t"), 0);
	cli_free(&c);
	no_leaks();
}

Test(cli_vhost_user, duplicate_sockets_refused)
{
	struct vmm_config c;
	assert_fails(PARSE(&c, "--kernel", "k", "--vhost-user", "blk,socket=/run/s", "--vhost-user",
			   "fs,socket=/run/s,tag=t"), &c,
		     "--vhost-user: socket /run/s is used twice");
	assert_fails(PARSE(&c, "--kernel", "k", "--vhost-user", "blk,socket=/x", "--vhost-user",
			   "blk,socket=/x"), &c, "socket /x is used twice");
	/* --share's sockets are minivmm's own, one per share. */
	cr_assert_eq(PARSE(&c, "--kernel", "k", "--share", "/a", "--share", "/a"), 0);
	cli_free(&c);
	no_leaks();
}

/* A bad value names the option, and the option needs a value. */
Test(cli_vhost_user, option_errors)
{
	struct vmm_config c;
	assert_fails(PARSE(&c, "--kernel", "k", "--vhost-user", "scsi,socket=/s"), &c,
		     "--vhost-user: unknown device type 'scsi'");
	assert_fails(PARSE(&c, "--kernel", "k", "--share="), &c, "--share: no directory");
	assert_fails(PARSE(&c, "--kernel", "k", "--share"), &c, "option '--share' needs a value");
	assert_fails(PARSE(&c, "--kernel", "k", "--vhost-user"), &c,
		     "option '--vhost-user' needs a value");
	no_leaks();
}

/* --disk FILE[,readonly=on|off][,wait=SECONDS]: a virtio-blk device whose
 * qemu-storage-daemon minivmm starts. */
Test(cli_vhost_user, disk_forms)
{
	struct cli_vhost_user v;
	cr_assert_eq(cli_parse_disk("/img/a.raw", &v), 0);
	cr_assert_eq(v.type, CLI_VHOST_USER_BLK);
	cr_assert_str_eq(v.image, "/img/a.raw");
	cr_assert_null(v.socket);
	cr_assert_not(v.readonly);
	cr_assert_eq(v.wait_ms, CLI_VHOST_USER_WAIT_DEFAULT_MS);
	free(v.owned);
	cr_assert_eq(cli_parse_disk("a,,b.img,readonly=on,wait=3", &v), 0);
	cr_assert_str_eq(v.image, "a,b.img");
	cr_assert(v.readonly);
	cr_assert_eq(v.wait_ms, 3000);
	free(v.owned);
	cr_assert_eq(cli_parse_disk("x.img,readonly=off", &v), 0);
	cr_assert_not(v.readonly);
	free(v.owned);
}

Test(cli_vhost_user, disk_refusals)
{
	struct cli_vhost_user v;
	const struct {
		const char *in, *msg;
	} bad[] = {
		{ "", "--disk: no file" },
		{ "x.img,readonly=yes", "--disk: readonly=yes: on or off" },
		{ "x.img,readonly=on,readonly=on", "--disk: readonly= given twice" },
		{ "x.img,tag=a", "--disk: unknown setting 'tag'" },
		{ "x.img,socket=/s", "--disk: unknown setting 'socket'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error_clear();
		cr_assert_eq(cli_parse_disk(bad[i].in, &v), -1, "%s accepted", bad[i].in);
		cr_assert(strstr(error_message(), bad[i].msg), "'%s' lacks '%s'", error_message(),
			  bad[i].msg);
	}
}
