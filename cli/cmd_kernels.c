/* placeholder until the kernels subcommand is written */
#include <stdio.h>
#include "cli.h"
int cmd_kernels(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "trainmap kernels: not built yet\n");
    return EXIT_BAD_INPUT;
}
