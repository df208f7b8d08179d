/* --user: once the devices are open (/dev/kvm, /dev/vhost-*), minivmm
 * needs no more privilege than its open file descriptors give it, so it
 * can give up root before the guest runs: setgroups, setgid, setuid, in
 * that order, and a check that root cannot be taken back. */
#ifndef MINIVMM_VMM_PRIVILEGES_H
#define MINIVMM_VMM_PRIVILEGES_H

#include <stdbool.h>
#include <sys/types.h>

/* Find USER in passwd-format text (name:passwd:uid:gid:...): a name, or
 * a numeric "UID" or "UID:GID" (then the text is not needed; a bare UID
 * takes its group from the text if listed, else GID = UID). Pure. 0, or
 * -1 with error_set(). */
int privileges_lookup(const char *user, const char *passwd_text, uid_t *uid, gid_t *gid);

/* Become uid/gid for good (user: for messages). 0, or -1 with error_set. */
int privileges_drop(const char *user, uid_t uid, gid_t gid);

/* privileges_lookup against /etc/passwd, then privileges_drop. */
int privileges_become(const char *user);

#endif
