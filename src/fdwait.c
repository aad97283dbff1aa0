/* \summary: waits on inputs that a stop signal ends (see fdwait.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdwait.h"

static volatile int *fdwait_stop;

void
fdwait_set_stop(volatile int *stop)
{
    fdwait_stop = stop;
}

bool
fdwait_stopped(void)
{
    return fdwait_stop != NULL && *fdwait_stop;
}

int
fdwait_readable(int fd)
{
    for (;;) {
        if (fdwait_stopped())
            return -1;
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, FDWAIT_MS);
        if (n > 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return 0; /* ready, or poll cannot tell: read(2) says what it is */
    }
}

int
fdwait_open_read(const char *path)
{
    /* O_NONBLOCK: a FIFO opens at once even with no writer (fifo(7));
     * for anything else it changes nothing that is cleared below */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
        /* Linux: POLLIN once a writer has written, POLLHUP once one has
         * opened and closed it again; nothing while none has opened it */
        if (fdwait_readable(fd) != 0) {
            close(fd);
            errno = EINTR;
            return -1;
        }
        return fd; /* kept non-blocking (its description is ours): see fdwait_own() */
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

/* A pseudo-terminal's master (TIOCGPTN answers on a master only): opened
 * by name (/dev/ptmx) it is a new pseudo-terminal, not this one. */
static bool
fdwait_pty_master(int fd)
{
    unsigned n;
    return ioctl(fd, TIOCGPTN, &n) == 0;
}

int
fdwait_own(int fd, int mode)
{
    struct stat st;
    if (fstat(fd, &st) == 0 &&
        (S_ISFIFO(st.st_mode) || (S_ISCHR(st.st_mode) && isatty(fd) && !fdwait_pty_master(fd)))) {
        char path[32];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        int own = open(path, mode | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat os;
        if (own >= 0 && fstat(own, &os) == 0 && os.st_dev == st.st_dev && os.st_ino == st.st_ino)
            return own;
        if (own >= 0)
            close(own);
    }
    return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

bool
fdwait_stream(const char *path)
{
    struct stat st;
    return strcmp(path, "-") == 0 || (stat(path, &st) == 0 && S_ISFIFO(st.st_mode));
}

int
fdwait_input(const char *path)
{
    int fd;
    if (strcmp(path, "-") == 0)
        fd = fdwait_own(STDIN_FILENO, O_RDONLY);
    else if (fdwait_stream(path))
        fd = fdwait_open_read(path);
    else
        return FDWAIT_NOT_STREAM;
    if (fd >= 0 && fdwait_readable(fd) != 0) {
        close(fd);
        errno = EINTR;
        return -1;
    }
    return fd;
}

/* Outputs (see fdwait.h): the signal counter, and whether a wait for an
 * output's reader was given up this run (every later one is, at once). */
static volatile sig_atomic_t *fdwait_signals;
static bool fdwait_gave_up;

void
fdwait_set_signals(volatile sig_atomic_t *n)
{
    fdwait_signals = n;
    fdwait_gave_up = false;
}

/* The signal count now. */
static sig_atomic_t
fdwait_sig_now(void)
{
    return fdwait_signals != NULL ? *fdwait_signals : 0;
}

static int64_t
fdwait_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One wait for an output's reader: the signal count when it began (a write
 * that took all it was given begins the next), when the reader last took
 * bytes, and the writes in a row that poll(2) said had room and that found
 * none (EAGAIN). */
struct fdwait_wait {
    sig_atomic_t s0;
    int64_t took_ms;
    int64_t stop_ms; /* a stop pending: how long a reader may take nothing */
    unsigned eagain;
};

static int64_t fdwait_stop_ms = FDWAIT_STOP_MS;

void
fdwait_set_stop_ms(int64_t ms)
{
    fdwait_stop_ms = ms > 0 ? ms : FDWAIT_STOP_MS;
}

static void
fdwait_begin(struct fdwait_wait *w)
{
    w->s0 = fdwait_sig_now();
    w->took_ms = fdwait_now_ms();
    w->stop_ms = fdwait_stop_ms;
    w->eagain = 0;
}

/* True once a SIGINT/SIGTERM came since the wait began, or, with a stop
 * already pending when it began (the run stopped while reading or
 * analysing), once the reader has taken nothing for w->stop_ms: this
 * wait, and every later one, is given up. */
static bool
fdwait_give_up(const struct fdwait_wait *w)
{
    if (!fdwait_gave_up &&
        (fdwait_sig_now() != w->s0 || (w->s0 != 0 && fdwait_now_ms() - w->took_ms >= w->stop_ms)))
        fdwait_gave_up = true;
    return fdwait_gave_up;
}

/* fdwait_writable(), in the wait w. */
static int
fdwait_writable_in(int fd, const struct fdwait_wait *w)
{
    for (unsigned first = 1;; first = 0) {
        struct pollfd p = {fd, POLLOUT, 0};
        /* the first look does not wait: once given up, no wait at all */
        int n = poll(&p, 1, first ? 0 : FDWAIT_MS);
        if (n > 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return 0; /* room, or an error (POLLERR: no reader) write(2) says */
        if (fdwait_give_up(w)) {
            errno = FDWAIT_GAVE_UP;
            return -1;
        }
    }
}

/* The nap before the next try after the eagain-th call in a row that
 * found nothing (EAGAIN) although poll(2) said ready: none after the
 * first, then 1 ms doubling up to FDWAIT_NAP_MS; else poll(2) and the call
 * would take turns at full speed. nanosleep(2) is never restarted after a
 * signal handler (signal(7)): a signal ends the nap, and then the wait. */
static void
fdwait_nap(unsigned eagain)
{
    if (eagain < 2)
        return;
    unsigned sh = eagain - 2;
    long ms = sh < 5 ? 1L << sh : FDWAIT_NAP_MS; /* 1, 2, 4, 8, 16, then 32 ms */
    struct timespec ts = {0, ms * 1000000L};
    (void)nanosleep(&ts, NULL);
}

/* A write(2) that found no room after poll(2) said there was some: the
 * other writer of a shared pipe or FIFO filled it first, or a device whose
 * poll(2) says POLLOUT all the same. The first goes back to poll(2); from
 * the second in a row on, a nap first (fdwait_nap). Returns 0, or -1 with
 * errno FDWAIT_GAVE_UP. */
static int
fdwait_no_room(struct fdwait_wait *w)
{
    if (w->eagain < UINT_MAX)
        w->eagain++;
    fdwait_nap(w->eagain);
    if (fdwait_give_up(w)) {
        errno = FDWAIT_GAVE_UP;
        return -1;
    }
    return 0;
}

int
fdwait_writable(int fd)
{
    struct fdwait_wait w;
    fdwait_begin(&w);
    return fdwait_writable_in(fd, &w);
}

const char *
fdwait_strerror(int e)
{
    return e == FDWAIT_GAVE_UP ? "SIGINT/SIGTERM while waiting for a reader: not written in full"
                               : strerror(e);
}

/* An output through stdio (fopencookie): writes to anything but a regular
 * file wait for room in poll(2) first, and then write at most PIPE_BUF
 * bytes, which a pipe with room takes without blocking (pipe(7)). */
struct fdwait_out {
    int fd;
    bool wait; /* not a regular file */
    bool dead; /* a wait given up: written no more */
};

static ssize_t
fdwait_out_write(void *cookie, const char *buf, size_t n)
{
    struct fdwait_out *o = cookie;
    size_t done = 0;
    /* a write(2) that did not take all it was given (EAGAIN after POLLOUT:
     * another writer filled the pipe first; cut by a signal while a
     * terminal is paused) is part of the wait: a signal in it counts */
    struct fdwait_wait wt;
    fdwait_begin(&wt);
    while (done < n) {
        if (o->dead) {
            errno = FDWAIT_GAVE_UP;
            break;
        }
        if (o->wait && fdwait_writable_in(o->fd, &wt) != 0) {
            o->dead = true;
            break;
        }
        size_t k = n - done;
        if (o->wait && k > PIPE_BUF)
            k = PIPE_BUF;
        ssize_t w = write(o->fd, buf + done, k);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (fdwait_no_room(&wt) != 0) {
                o->dead = true;
                break;
            }
            continue;
        }
        if (w <= 0)
            break; /* errno: EPIPE (the reader gone), ENOSPC ... */
        done += (size_t)w;
        wt.took_ms = fdwait_now_ms();
        wt.eagain = 0;
        if ((size_t)w == k)
            wt.s0 = fdwait_sig_now(); /* written: the next wait counts from here */
    }
    return (ssize_t)done; /* 0: an error (fopencookie(3)) */
}

static int
fdwait_out_close(void *cookie)
{
    struct fdwait_out *o = cookie;
    int rc = close(o->fd);
    free(o);
    return rc;
}

FILE *
fdwait_fdopen_write(int fd, bool append)
{
    struct stat st;
    struct fdwait_out *o = malloc(sizeof(*o));
    if (o == NULL || fstat(fd, &st) != 0) {
        free(o);
        close(fd);
        return NULL;
    }
    o->fd = fd;
    o->wait = !S_ISREG(st.st_mode);
    o->dead = false;
    cookie_io_functions_t io = {NULL, fdwait_out_write, NULL, fdwait_out_close};
    FILE *f = fopencookie(o, append ? "a" : "w", io);
    if (f == NULL) {
        int e = errno;
        fdwait_out_close(o);
        errno = e;
    }
    return f;
}

FILE *
fdwait_stderr(void)
{
    int fd = fdwait_own(STDERR_FILENO, O_WRONLY);
    FILE *f = fd >= 0 ? fdwait_fdopen_write(fd, false) : NULL;
    if (f != NULL && setvbuf(f, NULL, _IOLBF, BUFSIZ) != 0) {
        fclose(f);
        f = NULL;
    }
    return f;
}

FILE *
fdwait_fopen_write(const char *path, bool append)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    struct stat st;
    bool fifo = stat(path, &st) == 0 && S_ISFIFO(st.st_mode);
    struct fdwait_wait w;
    fdwait_begin(&w);
    w.stop_ms = FDWAIT_STOP_OPEN_MS; /* no reader at all: no page being read either */
    int fd;
    /* O_NONBLOCK: a FIFO no reader has opened fails with ENXIO at once
     * (fifo(7)) rather than blocking in open(2), which SA_RESTART restarts */
    while ((fd = open(path, flags | (fifo ? O_NONBLOCK : 0), 0666)) < 0 && fifo && errno == ENXIO) {
        if (fdwait_give_up(&w)) {
            errno = FDWAIT_GAVE_UP;
            return NULL;
        }
        struct timespec ts = {0, FDWAIT_OPEN_MS * 1000000L};
        (void)nanosleep(&ts, NULL); /* a signal ends it (never restarted: signal(7)) */
    }
    if (fd < 0)
        return NULL;
    /* a FIFO's descriptor stays non-blocking (ours alone: fdwait_own()) */
    return fdwait_fdopen_write(fd, append);
}

ssize_t
fdwait_read(int fd, void *buf, size_t n)
{
    unsigned eagain = 0; /* reads in a row that found nothing after POLLIN */
    for (;;) {
        if (fdwait_readable(fd) != 0) {
            errno = EINTR;
            return -1;
        }
        ssize_t r = read(fd, buf, n);
        if (r >= 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
            return r;
        if (errno != EINTR) { /* found nothing after POLLIN: a nap from the second */
            if (eagain < UINT_MAX)
                eagain++;
            fdwait_nap(eagain);
        }
    }
}

FILE *
fdwait_open_output(const char *path, bool append)
{
    if (strcmp(path, "-") != 0)
        return fdwait_fopen_write(path, append);
    int fd = fdwait_own(STDOUT_FILENO, O_WRONLY);
    return fd >= 0 ? fdwait_fdopen_write(fd, append) : NULL;
}

/* A stream read by stdio (libpcap's reader): each refill of stdio's buffer
 * is an fdwait_read(), so the stop flag ends a wait inside libpcap's
 * fread(3) (stdio's error flag: libpcap's read error). The bytes
 * fdwait_fdopen_peek() looked at come first, from head. */
struct fdwait_in {
    int fd;
    size_t n_head, at; /* head[at .. n_head) not yet read */
    unsigned char head[FDWAIT_PEEK_MAX];
};

static ssize_t
fdwait_in_read(void *cookie, char *buf, size_t n)
{
    struct fdwait_in *c = cookie;
    if (c->at < c->n_head) {
        size_t k = c->n_head - c->at < n ? c->n_head - c->at : n;
        memcpy(buf, c->head + c->at, k);
        c->at += k;
        return (ssize_t)k;
    }
    return fdwait_read(c->fd, buf, n);
}

static int
fdwait_in_close(void *cookie)
{
    struct fdwait_in *c = cookie;
    int rc = close(c->fd);
    free(c);
    return rc;
}

FILE *
fdwait_fdopen_peek(int fd, unsigned char *m, size_t n, size_t *got)
{
    struct fdwait_in *c = calloc(1, sizeof(*c));
    *got = 0;
    if (c == NULL) {
        close(fd);
        return NULL;
    }
    c->fd = fd;
    if (n > sizeof(c->head))
        n = sizeof(c->head);
    while (c->n_head < n) { /* each turn reads a byte or ends: n turns at most */
        ssize_t r = fdwait_read(fd, c->head + c->n_head, n - c->n_head);
        if (r < 0) {
            int e = errno;
            fdwait_in_close(c);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break; /* the end of the input */
        c->n_head += (size_t)r;
    }
    if (c->n_head > 0)
        memcpy(m, c->head, c->n_head);
    *got = c->n_head;
    cookie_io_functions_t io = {fdwait_in_read, NULL, NULL, fdwait_in_close};
    FILE *f = fopencookie(c, "r", io);
    if (f == NULL) {
        int e = errno;
        fdwait_in_close(c);
        errno = e;
    }
    return f;
}

FILE *
fdwait_fdopen_read(int fd)
{
    size_t got;
    return fdwait_fdopen_peek(fd, NULL, 0, &got);
}
