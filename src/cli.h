/* \summary: command-line parsing into struct config (tcpdump-style options). */
#ifndef SMTPTAP_CLI_H
#define SMTPTAP_CLI_H

#include <stdio.h>

#include "config.h"

/* Exit codes scripts can rely on (also in the README and the man page). */
enum smtptap_exit {
    EXIT_OK = 0,       /* ran; no finding at or above --fail-on */
    EXIT_FINDINGS = 1, /* ran; a finding at or above --fail-on */
    EXIT_USAGE = 2,    /* bad option or argument */
    EXIT_INPUT = 3,    /* capture could not be opened or read, bad filter, bad trust store */
    EXIT_INTERNAL = 4  /* out of memory at start-up or an internal error */
};

enum cli_action { CLI_RUN, CLI_HELP, CLI_VERSION, CLI_HELP_CAPS, CLI_LIST_IFACES, CLI_ERROR };

/* Parses argv into cfg (which must hold defaults). On CLI_ERROR a message
 * has been written to stderr. */
enum cli_action cli_parse(int argc, char **argv, struct config *cfg);

void cli_usage(FILE *f);

/* Parses --at: "now", "2026-01-31", "2026-01-31T12:00:00Z" or epoch seconds.
 * Returns 0 and sets *us, or -1. */
int cli_parse_time(const char *s, int64_t now_us, int64_t *us);

/* Parses --fail-on: critical, high, medium, low, info. Returns 1..5 or -1. */
int cli_parse_severity(const char *s);

#endif /* SMTPTAP_CLI_H */
