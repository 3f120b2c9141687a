/* The healthcheck command: everything is in hc_main(), which a service can
 * call as its own `healthcheck` subcommand. */
#include "healthcheck.h"

int main(int argc, char **argv, char **envp)
{
	return hc_main(argc, argv, envp, NULL);
}
