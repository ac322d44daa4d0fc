/* placeholder until the eval subcommand is written */
#include <stdio.h>
#include "cli.h"
int cmd_eval(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "trainmap eval: not built yet\n");
    return EXIT_BAD_INPUT;
}
