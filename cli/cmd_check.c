/* placeholder until the check subcommand is written */
#include <stdio.h>
#include "cli.h"
int cmd_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "trainmap check: not built yet\n");
    return EXIT_BAD_INPUT;
}
