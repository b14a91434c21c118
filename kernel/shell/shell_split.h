/*
 * Split a command line into words, in place: words are separated by blanks
 * (space, tab); double or single quotes group blanks into one word and are
 * removed; there is no escape character. argv gets at most max_args words
 * and a NULL after them (it must hold max_args + 1 pointers).
 */
#ifndef KERNEL_SHELL_SHELL_SPLIT_H
#define KERNEL_SHELL_SHELL_SPLIT_H

#include "lib/types.h"

/* Returns the number of words, -E2BIG past max_args, -EINVAL for an open quote. */
int shell_split(char *line, char **argv, int max_args);

/*
 * A line that ends in '&' (blanks around it allowed) is a background
 * command: cut the '&' and the blanks before it off line and return true.
 * '&&' at the end is not (the shell has no lists: it stays a word).
 */
bool shell_split_background(char *line);

#endif
