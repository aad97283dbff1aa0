/* \summary: waits on an input that may never come, which a stop signal
 * ends: opening a FIFO no writer opens, reading a pipe, FIFO or terminal
 * whose writer sends nothing. The SIGINT/SIGTERM handler is installed with
 * SA_RESTART (a write to a slow --json reader goes on), so a blocking
 * open(2) or read(2) would be restarted and never see the stop flag; these
 * wait in poll(2) instead, which a signal ends whatever SA_RESTART says
 * (signal(7)), and look at the flag at least every FDWAIT_MS. */
#ifndef SMTPTAP_FDWAIT_H
#define SMTPTAP_FDWAIT_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#define FDWAIT_MS 100 /* the longest a stop can go unseen (a signal just before poll) */

/* The flag the SIGINT/SIGTERM handler sets (NULL: nothing stops a wait). */
void fdwait_set_stop(volatile int *stop);
bool fdwait_stopped(void);

/* Opens path for reading as open(2) with O_RDONLY | O_CLOEXEC would, but a
 * FIFO no writer has opened yet is waited on in poll(2): returns the fd
 * (blocking, as open(2) gives it; a FIFO's non-blocking, see fdwait_own()),
 * or -1 with errno (EINTR: stopped). */
int fdwait_open_read(const char *path);

/* A descriptor of fd's pipe, FIFO or terminal (standard input, output or
 * error) that is smtptap's own: opened anew (/proc/self/fd/N, `mode`
 * O_RDONLY or O_WRONLY) with O_NONBLOCK, which belongs to that open file
 * description alone, not to the one shared with the parent or a shell. A
 * blocking descriptor can block in read(2) or write(2) after poll(2) said
 * ready (another reader drained the pipe first, another writer filled it, a
 * terminal paused with XOFF/Ctrl-S): SA_RESTART restarts it and only a
 * second signal ended smtptap; non-blocking, the call fails with EAGAIN and
 * the wait goes back to poll(2), which a signal ends. Anything else (a
 * regular file, a socket, no /proc; a pseudo-terminal's master, which
 * opened anew is another terminal's): dup(fd) (close-on-exec); -1 on
 * error. */
int fdwait_own(int fd, int mode);

/* -r PATH for a reader that opens its input itself (libpcap): standard
 * input ("-", fdwait_own() of fd 0) or a FIFO, opened and waited on until it has
 * bytes or its end; FDWAIT_NOT_STREAM for anything else (opened by name);
 * or -1 with errno (EINTR: stopped). */
#define FDWAIT_NOT_STREAM (-2)
int fdwait_input(const char *path);

/* True for standard input ("-") and a FIFO: an input read once, whose first
 * bytes, once taken (capfile.c's look at its header), cannot be read again. */
bool fdwait_stream(const char *path);

/* fdopen(fd, "r") for a stream (standard input, a FIFO) that libpcap reads:
 * each refill of stdio's buffer waits in fdwait_readable(), so that the stop
 * flag ends a wait inside libpcap's fread(3) (a read error, errno EINTR,
 * with fdwait_stopped() true), and EAGAIN (a descriptor its parent left
 * non-blocking) is waited on, not an error. Owns fd (closed on failure
 * too). */
FILE *fdwait_fdopen_read(int fd);

/* fdwait_fdopen_read() after a look at fd's first bytes (what the input
 * is, capmagic.h): reads up to n of them (FDWAIT_PEEK_MAX at most; fewer
 * only at the end of the input) into m, *got their count, each read waited
 * for as fdwait_read() waits; the stream returned reads them again first,
 * then the rest of fd, so the look takes nothing from its reader (stdio's
 * ungetc(3) gives back one byte only). NULL with errno on failure (EINTR:
 * the stop flag ended a wait), fd closed. */
#define FDWAIT_PEEK_MAX 16
FILE *fdwait_fdopen_peek(int fd, unsigned char *m, size_t n, size_t *got);

/* Waits until a read(2) of fd would not block (data, end of file or an
 * error to report). Returns 0, or -1 when the stop flag is set. */
int fdwait_readable(int fd);

/* read(2) of a pipe, FIFO or terminal, each try waited for in
 * fdwait_readable(): EINTR and EAGAIN (a non-blocking descriptor whose
 * bytes another reader of the pipe took first, after poll(2) said
 * readable) are tried again, and from the second EAGAIN in a row on after
 * a nap (1 ms doubling up to FDWAIT_NAP_MS), so that poll(2) and read(2)
 * do not take turns at full speed; a signal ends the nap. Returns what
 * read(2) returned, or -1 with errno EINTR when the stop flag ended the
 * wait. */
ssize_t fdwait_read(int fd, void *buf, size_t n);

/* Outputs. A FIFO no reader opens, or a pipe, FIFO, socket or terminal whose
 * reader takes nothing, would block open(2) or write(2), which SA_RESTART
 * restarts: these wait in poll(2) or a short sleep instead. A SIGINT or
 * SIGTERM that comes during such a wait (the count `n`, main_signals,
 * changes) ends it: that output fails with FDWAIT_GAVE_UP, and every later
 * wait for a reader in the run is given up at once (the user has said not
 * to wait for them). A signal that came before the wait began (the run
 * stopped while reading or analysing: a stop pending) ends it once the
 * reader has taken nothing for FDWAIT_STOP_MS (60 s: a reader paging the
 * report, `| less`, still gets it whole), or, a FIFO no reader has opened,
 * for FDWAIT_STOP_OPEN_MS (1 s): a stalled reader needs no second signal,
 * which the handler still ends smtptap at. A write(2)
 * that finds no room after poll(2) said there was some, again and again
 * (a pipe shared with another writer, a device whose poll says POLLOUT all
 * the same), naps between tries (1 ms doubling up to FDWAIT_NAP_MS): the
 * wait takes no CPU, and a signal ends it as it ends poll(2). */
#define FDWAIT_GAVE_UP      ECANCELED
#define FDWAIT_OPEN_MS      10    /* a FIFO no reader has opened: tried again this often */
#define FDWAIT_STOP_MS      60000 /* a stop pending: a reader taking nothing this long is given up */
#define FDWAIT_STOP_OPEN_MS 1000  /* ... a FIFO that no reader opened this long */
#define FDWAIT_NAP_MS       32    /* the longest nap between writes that found no room */

/* The handler's count of SIGINT/SIGTERM (NULL: nothing ends a wait); clears
 * "given up". */
void fdwait_set_signals(volatile sig_atomic_t *n);

/* FDWAIT_STOP_MS in place of its default (tests: a stalled reader in 1 s). */
void fdwait_set_stop_ms(int64_t ms);

/* strerror(e), with FDWAIT_GAVE_UP said as what it is. */
const char *fdwait_strerror(int e);

/* Waits until a write(2) of fd would not block (room, or an error to
 * report). Returns 0, or -1 with errno FDWAIT_GAVE_UP. */
int fdwait_writable(int fd);

/* fopen(path, append ? "a" : "w") whose open waits for a FIFO's reader as
 * above (NULL with errno FDWAIT_GAVE_UP), and whose writes go through
 * fdwait_writable() unless path is a regular file: a write given up fails
 * (ferror, errno FDWAIT_GAVE_UP) and so does every later one. The FILE owns
 * the descriptor. */
FILE *fdwait_fopen_write(const char *path, bool append);

/* The same for an open descriptor (owned from now on: closed on failure too);
 * standard output is dup(1)'ed first by the caller. */
FILE *fdwait_fdopen_write(int fd, bool append);

/* An output option's path: "-" is standard output, through a descriptor of
 * its own (fdwait_own), else fdwait_fopen_write(path, append). */
FILE *fdwait_open_output(const char *path, bool append);

/* Standard error through the above (fdwait_own(2)), line-buffered: each
 * line is one poll(2) and one write(2) (at most PIPE_BUF bytes: whole, not
 * interleaved with another writer's), not one per character as unbuffered
 * (term_msg writes a character at a time); a line not ended by '\n' (the
 * progress line) is written by fflush(3). NULL if it cannot be made. */
FILE *fdwait_stderr(void);

#endif
