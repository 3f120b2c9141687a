/* The healthcheck command: everything is in hc_main(), which a service can
 * call as its own `healthcheck` subcommand. This process is only the probe,
 * so SIGPIPE is its to set: ignored, a reader that went away cannot turn a
 * verdict into a death by signal. */
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "healthcheck.h"

int main(int argc, char **argv, char **envp)
{
	/* The kernel's struct sigaction with handler SIG_IGN (1), no flags and
	 * an empty mask: zeros past the handler are right in every layout
	 * Linux has, with or without sa_restorer. libc's sigaction() would be
	 * a fifth of the probe's size budget. */
	unsigned long ignore[6] = {1};

	syscall(SYS_rt_sigaction, SIGPIPE, ignore, NULL, 8);
	return hc_main(argc, argv, envp, NULL);
}
