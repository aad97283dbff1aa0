/* \summary: the files a run reads and writes, told apart by what they are
 * (device and inode), not by how they are spelled: an output that is also an
 * input (--json or -w over a -r capture, a --keylog, a --ca-file or a
 * --tlsa file) or another output, and a -r file given twice. Checked before
 * anything is opened. */
#ifndef SMTPTAP_PATHS_H
#define SMTPTAP_PATHS_H

#include <stddef.h>

#include "config.h"

/* 0 when no output file (--json, -w, --tlsrpt) is an input file or another
 * output; else -1 with
 * one line in err ("PATH: is also the --json file (...)"). "-r -" is
 * standard input, compared by what it is when a file or a FIFO. An output
 * that is neither a regular file nor a FIFO (-, /dev/stdout, /dev/null)
 * clashes with nothing; a FIFO clashes with an input that is that FIFO. */
int paths_check_outputs(const struct config *cfg, char *err, size_t errlen);

/* Drops from cfg->inputs each -r file that an earlier -r names already
 * (the same device and inode: a.pcap, ./a.pcap, a symbolic link to it,
 * standard input redirected from it), saying so on stderr: it would be read
 * twice, every session counted twice. Returns 0; or -1 with one line in err
 * for what cannot be read twice: "-r -" given twice, or a FIFO named twice
 * (by two paths, or by a path and standard input). */
int paths_dedup_inputs(struct config *cfg, char *err, size_t errlen);

/* 0 when each output (--json, -w, --tlsrpt; not "-") can be opened for
 * writing and --certs is a writable directory; else -1 with one line in err
 * ("--json /nonexistent/j.json: No such file or directory"). Checked before
 * any output is opened, so that one refused leaves the others alone (a -w
 * file was emptied when --json then failed). open(2) has the last word. */
int paths_check_writable(const struct config *cfg, char *err, size_t errlen);

#endif /* SMTPTAP_PATHS_H */
