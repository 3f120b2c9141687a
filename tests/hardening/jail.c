/* jail.c - run a program with nothing: in an empty root, as an unprivileged
 * user, with no supplementary groups, no capabilities in any set (effective,
 * permitted, inheritable, ambient, bounding), no_new_privs, and an empty
 * environment.
 *
 *   jail ROOT UID PROG [ARG...]      (run as root; PROG is a path inside ROOT)
 *
 * Before exec it checks that each of those holds and that a privileged call
 * (chroot) now fails, and says so on stderr; any doubt exits 125. util-linux
 * setpriv could drop the capabilities, but it cannot chroot first and then
 * run the probe from inside an empty root, so this does both in one step. */
#define _GNU_SOURCE /* setresuid, getresuid */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define CAP_SCAN 64 /* more than any kernel defines */

static void die(const char *what)
{
	fprintf(stderr, "jail: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "jail: not dropped: %s\n", what);
		exit(125);
	}
}

/* Needs CAP_SETPCAP: before setuid. */
static void drop_bounding(void)
{
	int cap;

	for (cap = 0; cap < CAP_SCAN; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			die("PR_CAPBSET_DROP");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		die("PR_CAP_AMBIENT_CLEAR_ALL");
}

/* setuid away from 0 already emptied effective and permitted; this empties
 * inheritable too. */
static void drop_rest(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof data);
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("capset");
}

static void verify(uid_t id)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	uid_t r, e, s;
	gid_t gr, ge, gs;
	int cap, bounding = 0, ambient = 0;

	check(getresuid(&r, &e, &s) == 0 && r == id && e == id && s == id, "uid");
	check(getresgid(&gr, &ge, &gs) == 0 && gr == id && ge == id && gs == id, "gid");
	check(getgroups(0, NULL) == 0, "supplementary groups");
	check(syscall(SYS_capget, &hdr, data) == 0, "capget");
	check(!data[0].effective && !data[1].effective && !data[0].permitted &&
	      !data[1].permitted && !data[0].inheritable && !data[1].inheritable,
	      "effective/permitted/inheritable capabilities");
	for (cap = 0; cap < CAP_SCAN; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			bounding++;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
			ambient++;
	}
	check(bounding == 0, "bounding set");
	check(ambient == 0, "ambient set");
	check(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "no_new_privs");
	errno = 0;
	check(chroot("/") < 0 && errno == EPERM, "chroot still allowed");
	check(access("/etc", F_OK) < 0 && access("/proc", F_OK) < 0 && access("/dev", F_OK) < 0,
	      "the root is not empty (/etc, /proc or /dev exists)");
}

int main(int argc, char **argv)
{
	static char *empty_env[] = {NULL};
	char *end;
	long id;

	if (argc < 4) {
		fprintf(stderr, "usage: jail ROOT UID PROG [ARG...]\n");
		return 64;
	}
	id = strtol(argv[2], &end, 10);
	if (*end || id <= 0 || id > 65534) {
		fprintf(stderr, "jail: bad uid %s\n", argv[2]);
		return 64;
	}
	if (chroot(argv[1]) < 0)
		die("chroot");
	if (chdir("/") < 0)
		die("chdir /");
	if (setgroups(0, NULL) < 0)
		die("setgroups");
	if (setresgid((gid_t)id, (gid_t)id, (gid_t)id) < 0)
		die("setresgid");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		die("PR_SET_KEEPCAPS");
	drop_bounding();
	if (setresuid((uid_t)id, (uid_t)id, (uid_t)id) < 0)
		die("setresuid");
	drop_rest();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("PR_SET_NO_NEW_PRIVS");
	verify((uid_t)id);
	fprintf(stderr, "jail: in an empty root as %ld:%ld, no groups, no capabilities, "
		"no_new_privs, empty environment\n", id, id);
	execve(argv[3], argv + 3, empty_env);
	die(argv[3]);
	return 125;
}
