/*
 * timer.c - whole-process measurements for the benchmark.
 *
 *   timer run ROUNDS WARMUP ok|fail OUT -- NAME CMD ARG... [-- NAME CMD ARG...]...
 *     Runs every command once per round, in a new shuffled order each
 *     round (alternated, so drift and noise fall on all of them alike),
 *     stdin/stdout/stderr on /dev/null. Times spawn-to-reap with
 *     CLOCK_MONOTONIC and writes "NAME<TAB>ROUND<TAB>NS" lines to OUT.
 *     "ok": each run must exit 0; "fail": each must exit non-zero
 *     (not by a signal). Any other outcome stops it with status 1.
 *
 *   timer smaps CMD ARG...
 *     The same, then one "RSS_KB PERMS NAME" line per mapping at the exit
 *     stop: where that memory is.
 *
 *   timer peak CMD ARG...
 *     Runs CMD once under ptrace, stops it as it exits and prints
 *     "VmHWM VmRSS RssAnon RssFile EXIT" (kB) from /proc: the peak resident
 *     memory of the command's own image, not of the process that forked it
 *     (wait4's ru_maxrss also counts the parent's pages at exec time).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 16

extern char **environ;

struct cmd {
	const char *name;
	char **argv;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One run: returns the wall time in ns, or -1 when the outcome is wrong. */
static long long run_once(const struct cmd *c, posix_spawn_file_actions_t *fa, int want_ok)
{
	long long t0 = now_ns(), t1;
	pid_t pid;
	int st, err = posix_spawn(&pid, c->argv[0], fa, NULL, c->argv, environ);

	if (err != 0) {
		fprintf(stderr, "timer: %s: %s\n", c->argv[0], strerror(err));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	t1 = now_ns();
	if (!WIFEXITED(st) || (WEXITSTATUS(st) == 0) != want_ok) {
		fprintf(stderr, "timer: %s: unexpected %s %d\n", c->name,
			WIFEXITED(st) ? "exit" : "signal",
			WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		return -1;
	}
	return t1 - t0;
}

static int cmd_run(int argc, char **argv)
{
	struct cmd cmds[MAX_CMDS];
	int n = 0, order[MAX_CMDS];
	unsigned long rounds, warmup, seed = 12345;
	posix_spawn_file_actions_t fa;
	FILE *out;

	if (argc < 8 || strcmp(argv[6], "--") != 0)
		return 64;
	rounds = strtoul(argv[2], NULL, 10);
	warmup = strtoul(argv[3], NULL, 10);
	int want_ok = strcmp(argv[4], "ok") == 0;
	for (int i = 6; i < argc; i++) {
		if (strcmp(argv[i], "--") != 0)
			continue;
		if (n == MAX_CMDS || i + 2 >= argc)
			return 64;
		cmds[n].name = argv[i + 1];
		cmds[n].argv = &argv[i + 2];
		argv[i] = NULL; /* ends the previous command's argv */
		n++;
	}
	if (!(out = fopen(argv[5], "w")))
		return 1;
	posix_spawn_file_actions_init(&fa);
	for (int fd = 0; fd < 3; fd++)
		posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
	for (int i = 0; i < n; i++)
		order[i] = i;
	for (unsigned long r = 0; r < warmup + rounds; r++) {
		for (int i = n - 1; i > 0; i--) { /* Fisher-Yates with an LCG */
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			int j = (int)((seed >> 33) % (unsigned long)(i + 1)), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (int i = 0; i < n; i++) {
			long long ns = run_once(&cmds[order[i]], &fa, want_ok);
			if (ns < 0)
				return 1;
			if (r >= warmup)
				fprintf(out, "%s\t%lu\t%lld\n", cmds[order[i]].name, r - warmup, ns);
		}
	}
	return fclose(out) != 0;
}

/* "Key:   123 kB" from /proc/PID/status, or -1. */
static long status_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtol(p + strlen(key) + 1, NULL, 10) : -1;
}

/* One "RSS_KB PERMS NAME" line per mapping of /proc/PID/smaps. */
static void print_smaps(pid_t pid)
{
	char path[64], line[512], perms[8] = "", name[256] = "";
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof line, f)) {
		long kb;
		char range[64], p[8];
		int off = 0;
		if (sscanf(line, "%63s %7s %*s %*s %*s %n", range, p, &off) == 2 && off > 0 &&
		    strchr(range, '-')) {
			memcpy(perms, p, sizeof perms);
			snprintf(name, sizeof name, "%s", line + off);
			name[strcspn(name, "\n")] = 0;
		} else if (sscanf(line, "Rss: %ld kB", &kb) == 1) {
			printf("%ld %s %s\n", kb, perms, name[0] ? name : "[anon]");
		}
	}
	fclose(f);
}

static int cmd_peak(char **argv, int maps)
{
	char path[64], text[4096];
	long hwm = -1, rss = -1, anon = -1, file = -1;
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		return 1;
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	for (;;) {
		if (waitpid(pid, &st, 0) != pid)
			return 1;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		int sig = 0;
		if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
			FILE *f = fopen(path, "r");
			size_t got = f ? fread(text, 1, sizeof text - 1, f) : 0;
			if (f)
				fclose(f);
			text[got] = 0;
			hwm = status_kb(text, "VmHWM:");
			rss = status_kb(text, "VmRSS:");
			anon = status_kb(text, "RssAnon:");
			file = status_kb(text, "RssFile:");
			if (maps)
				print_smaps(pid);
		} else if (WSTOPSIG(st) != SIGTRAP) {
			sig = WSTOPSIG(st);
		}
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
	printf("%ld %ld %ld %ld %d\n", hwm, rss, anon, file,
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return hwm < 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "peak") == 0)
		return cmd_peak(argv + 2, 0);
	if (argc > 2 && strcmp(argv[1], "smaps") == 0)
		return cmd_peak(argv + 2, 1);
	if (argc > 1 && strcmp(argv[1], "run") == 0) {
		int rc = cmd_run(argc, argv);
		if (rc == 64)
			fprintf(stderr, "usage: timer run ROUNDS WARMUP ok|fail OUT -- NAME CMD ARG... [-- ...]\n");
		return rc;
	}
	fprintf(stderr, "usage: timer run ...|peak CMD ARG...|smaps CMD ARG...\n");
	return 64;
}
