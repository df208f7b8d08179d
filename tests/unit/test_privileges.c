/* --user's lookup: names from passwd-format text, numeric UID and
 * UID:GID, and the refusals. */
#include <criterion/criterion.h>
#include <string.h>

#include "lib/error.h"
#include "vmm/privileges.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			     "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
			     "ci:x:1000:100::/home/ci:/bin/sh";

Test(privileges, names_come_from_the_passwd_text)
{
	uid_t u;
	gid_t g;
	cr_assert_eq(privileges_lookup("nobody", passwd, &u, &g), 0);
	cr_assert_eq(u, 65534);
	cr_assert_eq(g, 65534);
	cr_assert_eq(privileges_lookup("ci", passwd, &u, &g), 0, "last line without a newline");
	cr_assert_eq(u, 1000);
	cr_assert_eq(g, 100);
	cr_assert_eq(privileges_lookup("nobod", passwd, &u, &g), -1, "no prefix matches");
	cr_assert(strstr(error_message(), "no user 'nobod'"));
}

Test(privileges, numeric_forms)
{
	uid_t u;
	gid_t g;
	cr_assert_eq(privileges_lookup("1000", passwd, &u, &g), 0);
	cr_assert_eq(u, 1000);
	cr_assert_eq(g, 100, "a listed UID takes its group");
	cr_assert_eq(privileges_lookup("4242", passwd, &u, &g), 0);
	cr_assert_eq(g, 4242, "an unlisted UID gets GID = UID");
	cr_assert_eq(privileges_lookup("4242:7", NULL, &u, &g), 0);
	cr_assert_eq(u, 4242);
	cr_assert_eq(g, 7);
	cr_assert_eq(privileges_lookup("12:x", passwd, &u, &g), -1);
	cr_assert_eq(privileges_lookup("4294967295", passwd, &u, &g), -1, "(uid_t)-1 refused");
	cr_assert_eq(privileges_lookup("", passwd, &u, &g), -1);
	cr_assert_eq(privileges_lookup("nobody:1", passwd, &u, &g), -1);
}
