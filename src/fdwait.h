/* \summary: waits on an input that may never come, which a stop signal
 * ends: opening a FIFO no writer opens, reading a pipe, FIFO or terminal
 * whose writer sends nothing. The SIGINT/SIGTERM handler is installed with
 * SA_RESTART (a write to a slow --json reader goes on), so a blocking
 * open(2) or read(2) would be restarted and never see the stop flag; these
 * wait in poll(2) instead, which a signal ends whatever SA_RESTART says
 * (signal(7)), and look at the flag at least every FDWAIT_MS. */
#ifndef SMTPTAP_FDWAIT_H
#define SMTPTAP_FDWAIT_H

#include <stdbool.h>

#define FDWAIT_MS 100 /* the longest a stop can go unseen (a signal just before poll) */

/* The flag the SIGINT/SIGTERM handler sets (NULL: nothing stops a wait). */
void fdwait_set_stop(volatile int *stop);
bool fdwait_stopped(void);

/* Opens path for reading as open(2) with O_RDONLY | O_CLOEXEC would, but a
 * FIFO no writer has opened yet is waited on in poll(2): returns the fd
 * (blocking, as open(2) gives it), or -1 with errno (EINTR: stopped). */
int fdwait_open_read(const char *path);

/* -r PATH for a reader that opens its input itself (libpcap): standard
 * input ("-", a dup of fd 0) or a FIFO, opened and waited on until it has
 * bytes or its end; FDWAIT_NOT_STREAM for anything else (opened by name);
 * or -1 with errno (EINTR: stopped). */
#define FDWAIT_NOT_STREAM (-2)
int fdwait_input(const char *path);

/* True for standard input ("-") and a FIFO: an input read once, whose first
 * bytes, once taken (capfile.c's look at its header), cannot be read again. */
bool fdwait_stream(const char *path);

/* Waits until a read(2) of fd would not block (data, end of file or an
 * error to report). Returns 0, or -1 when the stop flag is set. */
int fdwait_readable(int fd);

#endif
