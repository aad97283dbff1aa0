/* \summary: the files a run reads and writes, told apart by what they are
 * (device and inode), not by how they are spelled: an output that is also an
 * input (--json or -w over a -r capture, a --keylog, a --ca-file or a
 * --tlsa file) or another output, and a -r file given twice. Checked before
 * anything is opened. */
#ifndef SMTPTAP_PATHS_H
#define SMTPTAP_PATHS_H

#include <stddef.h>

#include "config.h"

/* 0 when no output file is an input file or the other output; else -1 with
 * one line in err ("PATH: is also the --json file (...)"). An output that is
 * not a regular file (-, /dev/stdout, /dev/null, a FIFO) clashes with
 * nothing. */
int paths_check_outputs(const struct config *cfg, char *err, size_t errlen);

/* Drops from cfg->inputs each -r file that an earlier -r names already
 * (the same device and inode: a.pcap, ./a.pcap, a symbolic link to it),
 * saying so on stderr: it would be read twice, every session counted twice.
 * "-" (standard input) is kept as given. */
void paths_dedup_inputs(struct config *cfg);

#endif /* SMTPTAP_PATHS_H */
