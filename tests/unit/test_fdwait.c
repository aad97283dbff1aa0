/* \summary: unit tests for the waits of src/fdwait.c on a pipe shared with
 * another process: poll(2) says ready, and the other reader drains the FIFO
 * (or the other writer fills it) before smtptap's read(2) or write(2). That
 * must go back to waiting, not fail ("read error: Resource temporarily
 * unavailable") nor block in the call (a blocking descriptor: SA_RESTART
 * restarts it, and only a second SIGINT/SIGTERM ended smtptap).
 *
 * The other process is played by this test: poll is wrapped (linked with
 * -Wl,--wrap=poll, tests/CMakeLists.txt) and, at a chosen call, drains or
 * fills the FIFO through a descriptor of its own before it returns. A wait
 * that blocks is ended by alarm(2): the test fails rather than hangs.
 *
 * write(2) and nanosleep(2) are wrapped too (-Wl,--wrap=write,--wrap=nanosleep):
 * a descriptor whose write says EAGAIN while poll(2) says POLLOUT (a device,
 * or a pipe another writer keeps full), and the naps between such tries.
 * So is read(2) (--wrap=read): a FIFO whose reads say EAGAIN while poll(2)
 * says POLLIN (another reader takes the bytes first, again and again).
 * A pipe whose writer sends a few bytes before each poll(2) (trickle):
 * fdwait_fdopen_peek's look at the first bytes spans reads, and its stream
 * gives them back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capfile.h"
#include "fdwait.h"
#include "mem.h"
#include "termtext.h"

#define PCAP SRCDIR "/pcaps/diag/client-alert-46.pcap"

/* ---- the other process, in poll ---------------------------------------- */

enum other_job { OTHER_NONE, OTHER_DRAIN, OTHER_FILL };

static struct {
    int fd;      /* the other's descriptor of the FIFO (-1: none) */
    int room_fd; /* OTHER_FILL: the reader, which makes room at the next call */
    int calls;   /* poll calls so far */
    int at;      /* the call whose "ready" it acts on (then `then` at the next) */
    enum other_job job;
    const uint8_t *refill; /* after a drain: written back at the next call */
    size_t refill_len;
    bool acted, done;
    volatile sig_atomic_t *signals; /* a "signal" counted when it acts (NULL: none) */
} other;

/* A descriptor that says POLLOUT and EAGAIN; the naps; a slow reader. */
static struct {
    int fd;          /* its writes fail with EAGAIN (-1: none) */
    unsigned left;   /* this many more times (UINT_MAX: always) */
    unsigned tries;  /* its writes so far */
    unsigned naps;   /* nanosleep calls */
    long nap_ms;     /* their total */
    unsigned sig_at; /* at this nap a "signal" is counted (0: none) */
    int stalls;      /* poll(2) calls with a timeout that said "no room" */
    int drain_every; /* the reader takes the pipe's bytes at every Nth (0: never) */
    int drain_fd;
    ino_t read_ino;      /* reads of this FIFO fail with EAGAIN (0: none) */
    unsigned read_left;  /* this many more times (UINT_MAX: always) */
    unsigned read_tries; /* its reads so far */
    volatile int *stop;  /* set at nap sig_at (the stop flag, fdwait_set_stop) */
} spin;

/* A writer that sends a few bytes at a time: before each poll(2) on the
 * pipe's read end rfd, the next `chunk` bytes go in at wfd, and once none
 * are left wfd is closed (the reader's end of file). */
static struct {
    int rfd, wfd; /* -1: none */
    const uint8_t *p;
    size_t left, chunk, sent;
} trickle;

int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);

static void
other_drain(int fd)
{
    uint8_t junk[4096];
    while (read(fd, junk, sizeof(junk)) > 0)
        ;
}

int
__wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
    other.calls++;
    if (other.acted && !other.done) {
        other.done = true; /* the other process's next move: data again, or room */
        if (other.job == OTHER_DRAIN && other.refill_len > 0)
            assert_int_equal(write(other.fd, other.refill, other.refill_len),
                             (ssize_t)other.refill_len);
        else if (other.job == OTHER_FILL && other.signals == NULL)
            other_drain(other.room_fd); /* the other writer's bytes read */
    }
    if (trickle.wfd >= 0 && n == 1 && fds[0].fd == trickle.rfd) {
        size_t k = trickle.left < trickle.chunk ? trickle.left : trickle.chunk;
        if (k > 0) {
            assert_int_equal(write(trickle.wfd, trickle.p, k), (ssize_t)k);
            trickle.p += k;
            trickle.left -= k;
            trickle.sent += k;
        } else {
            close(trickle.wfd);
            trickle.wfd = -1;
        }
    }
    int r = __real_poll(fds, n, timeout);
    if (r == 0 && timeout > 0 && n == 1 && (fds[0].events & POLLOUT)) {
        spin.stalls++; /* a wait for room that found none */
        if (spin.drain_every > 0 && spin.stalls % spin.drain_every == 0)
            other_drain(spin.drain_fd); /* a slow reader takes what is there */
    }
    if (r > 0 && !other.acted && other.calls >= other.at && other.job != OTHER_NONE) {
        other.acted = true;
        if (other.job == OTHER_DRAIN) {
            other_drain(other.fd); /* the other reader took every byte first */
        } else {
            uint8_t junk[4096];
            memset(junk, 'x', sizeof(junk));
            while (write(other.fd, junk, sizeof(junk)) > 0) /* the other writer filled it */
                ;
            while (write(other.fd, junk, 1) > 0)
                ;
            if (other.signals != NULL)
                (*other.signals)++; /* a SIGINT/SIGTERM while the write was held up */
        }
    }
    return r;
}

/* ---- a descriptor that says POLLOUT and EAGAIN, and the naps ----------- */

ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __real_nanosleep(const struct timespec *req, struct timespec *rem);
int __wrap_nanosleep(const struct timespec *req, struct timespec *rem);

ssize_t
__wrap_write(int fd, const void *buf, size_t n)
{
    if (spin.fd >= 0 && fd == spin.fd) {
        /* bounded: without naps the loop comes back at once, for good */
        if (++spin.tries > 100000)
            fail_msg("write tried %u times with no room: a busy loop", spin.tries);
        if (spin.left > 0) {
            if (spin.left != UINT_MAX)
                spin.left--;
            errno = EAGAIN;
            return -1;
        }
    }
    return __real_write(fd, buf, n);
}

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);

ssize_t
__wrap_read(int fd, void *buf, size_t n)
{
    struct stat st;
    if (spin.read_ino != 0 && fstat(fd, &st) == 0 && st.st_ino == spin.read_ino) {
        /* bounded: without naps the loop comes back at once, for good */
        if (++spin.read_tries > 100000)
            fail_msg("read tried %u times with nothing: a busy loop", spin.read_tries);
        if (spin.read_left > 0) {
            if (spin.read_left != UINT_MAX)
                spin.read_left--;
            errno = EAGAIN;
            return -1;
        }
    }
    return __real_read(fd, buf, n);
}

int
__wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
    spin.naps++;
    spin.nap_ms += (long)req->tv_sec * 1000 + req->tv_nsec / 1000000;
    if (spin.sig_at != 0 && spin.naps == spin.sig_at && other.signals != NULL)
        (*other.signals)++; /* a SIGINT/SIGTERM during the nap */
    if (spin.sig_at != 0 && spin.naps == spin.sig_at && spin.stop != NULL)
        *spin.stop = 1; /* the handler's stop flag, during the nap */
    return __real_nanosleep(req, rem);
}

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- set-up ------------------------------------------------------------ */

static char dir[64], fifo[96];
static uint8_t *file;
static size_t file_len;

static int
setup(void **state)
{
    (void)state;
    memset(&other, 0, sizeof(other));
    other.fd = -1;
    memset(&spin, 0, sizeof(spin));
    spin.fd = -1;
    spin.drain_fd = -1;
    memset(&trickle, 0, sizeof(trickle));
    trickle.rfd = trickle.wfd = -1;
    snprintf(dir, sizeof(dir), "/tmp/test_fdwait.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof(fifo), "%s/f", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    FILE *f = fopen(PCAP, "rb");
    assert_non_null(f);
    file = malloc(65536);
    assert_non_null(file);
    file_len = fread(file, 1, 65536, f);
    fclose(f);
    assert_true(file_len > 100 && file_len < 60000); /* fits in a pipe */
    alarm(20); /* a wait that blocks: the test ends (SIGALRM), it does not hang */
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    alarm(0);
    if (other.fd >= 0)
        close(other.fd);
    if (trickle.wfd >= 0)
        close(trickle.wfd);
    unlink(fifo);
    rmdir(dir);
    free(file);
    fdwait_set_signals(NULL);
    fdwait_set_stop(NULL);
    return 0;
}

/* Frames in the capture read whole (the reference) or from the FIFO. */
static int
frames(struct capfile *cf)
{
    struct capfile_frame fr;
    int n = 0;
    while (capfile_next(cf, &fr) == CAPFILE_FRAME)
        n++;
    return n;
}

/* ---- reading ----------------------------------------------------------- */

/* smtptap's reader (capfile.c) of -r FIFO: the first poll (opening, a
 * writer there) passes; at the second, before the header's read, the other
 * reader drains the FIFO, and the bytes come again at the next. */
static void
test_capfile_fifo_drained(void **state)
{
    (void)state;
    char err[256] = "";
    struct capfile *ref = NULL;
    assert_int_equal(capfile_open_mem(file, file_len, &ref, err, sizeof(err)), CAPFILE_OPEN_OK);
    int want = frames(ref);
    capfile_close(ref);
    assert_true(want > 10);

    /* O_RDWR: a writer that stays (no end of file) and the other reader */
    other.fd = open(fifo, O_RDWR | O_NONBLOCK);
    assert_true(other.fd >= 0);
    assert_int_equal(write(other.fd, file, file_len), (ssize_t)file_len);
    other.job = OTHER_DRAIN;
    other.at = 2;
    other.refill = file;
    other.refill_len = file_len;
    struct capfile *cf = NULL;
    assert_int_equal(capfile_open(fifo, &cf, err, sizeof(err)), CAPFILE_OPEN_OK);
    assert_true(other.acted && other.done);
    close(other.fd); /* the writer's end: the reader's end of file */
    other.fd = -1;
    assert_int_equal(frames(cf), want);
    capfile_close(cf);
}

/* libpcap's reader (fdwait_input + fdwait_fdopen_read, each refill of
 * stdio's buffer waits first): drained before the first read. */
static void
test_stdio_fifo_drained(void **state)
{
    (void)state;
    other.fd = open(fifo, O_RDWR | O_NONBLOCK);
    assert_true(other.fd >= 0);
    assert_int_equal(write(other.fd, file, file_len), (ssize_t)file_len);
    other.job = OTHER_DRAIN;
    other.at = 3; /* fdwait_open_read's, fdwait_input's, then the refill's */
    other.refill = file;
    other.refill_len = file_len;
    int fd = fdwait_input(fifo);
    assert_true(fd >= 0);
    FILE *f = fdwait_fdopen_read(fd);
    assert_non_null(f);
    uint8_t *got = malloc(file_len);
    assert_non_null(got);
    assert_int_equal(fread(got, 1, file_len, f), file_len);
    assert_false(ferror(f));
    assert_true(other.acted && other.done);
    assert_memory_equal(got, file, file_len);
    free(got);
    fclose(f);
}

/* A pipe whose writer sends `chunk` bytes at a time: n bytes peeked by
 * fdwait_fdopen_peek (into m, *got; peek_sent: the bytes sent by then),
 * then the whole input read through the stream returned into out (its
 * length returned, EOF after it). */
static size_t peek_sent;

static size_t
peek_pipe(const uint8_t *in, size_t len, size_t chunk, unsigned char *m, size_t n, size_t *got,
          uint8_t *out, size_t out_max)
{
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    trickle.rfd = pfd[0];
    trickle.wfd = pfd[1];
    trickle.p = in;
    trickle.left = len;
    trickle.chunk = chunk;
    trickle.sent = 0;
    FILE *f = fdwait_fdopen_peek(pfd[0], m, n, got);
    assert_non_null(f);
    peek_sent = trickle.sent;
    size_t k = fread(out, 1, out_max, f);
    assert_false(ferror(f));
    assert_int_equal(fgetc(f), EOF);
    fclose(f);
    assert_int_equal(trickle.wfd, -1); /* read to its end */
    return k;
}

/* libpcap's reader of standard input looks at the first bytes first
 * (capture.c: a compressed input said so, not "unknown file format"):
 * fdwait_fdopen_peek reads them across reads of a few bytes each, and the
 * stream it returns gives every byte again, the looked-at ones first (stdio's
 * ungetc(3) gives back one). An input shorter than the look: what there is,
 * then the end. */
static void
test_peek_gives_back(void **state)
{
    (void)state;
    unsigned char m[FDWAIT_PEEK_MAX];
    size_t got = 0;
    uint8_t *out = malloc(file_len + 16);
    assert_non_null(out);
    size_t k = peek_pipe(file, file_len, 3, m, 8, &got, out, file_len + 16);
    assert_int_equal(got, 8);
    assert_int_equal(peek_sent, 9); /* three reads of 3 bytes: no more read than needed */
    assert_memory_equal(m, file, 8);
    assert_int_equal(k, file_len);
    assert_memory_equal(out, file, file_len);
    static const uint8_t gz[2] = {0x1f, 0x8b};
    k = peek_pipe(gz, sizeof(gz), 1, m, 8, &got, out, file_len + 16);
    assert_int_equal(got, 2); /* the end of the input came first */
    assert_memory_equal(m, gz, 2);
    assert_int_equal(k, 2);
    assert_memory_equal(out, gz, 2);
    k = peek_pipe(gz, 0, 1, m, 8, &got, out, file_len + 16);
    assert_int_equal(got, 0); /* empty */
    assert_int_equal(k, 0);
    free(out);
}

/* The FIFO with the capture in it and a writer that stays (other.fd), its
 * reads by smtptap failing with EAGAIN `left` times although poll(2) says
 * POLLIN (another reader that takes the bytes first, again and again). */
static void
read_spin_open(unsigned left)
{
    other.fd = open(fifo, O_RDWR | O_NONBLOCK);
    assert_true(other.fd >= 0);
    assert_int_equal(write(other.fd, file, file_len), (ssize_t)file_len);
    struct stat st;
    assert_int_equal(stat(fifo, &st), 0);
    spin.read_ino = st.st_ino;
    spin.read_left = left;
}

/* smtptap's reader (capfile.c) of -r FIFO: read(2) says EAGAIN after POLLIN
 * ten times in a row: from the second try on a nap first, 1 ms doubling up
 * to FDWAIT_NAP_MS, as the output side does, and every frame is read once
 * the bytes come. Before, poll(2) and read(2) took turns with no pause. */
static void
test_read_eagain_naps(void **state)
{
    (void)state;
    char err[256] = "";
    struct capfile *ref = NULL;
    assert_int_equal(capfile_open_mem(file, file_len, &ref, err, sizeof(err)), CAPFILE_OPEN_OK);
    int want = frames(ref);
    capfile_close(ref);
    read_spin_open(10);
    struct capfile *cf = NULL;
    assert_int_equal(capfile_open(fifo, &cf, err, sizeof(err)), CAPFILE_OPEN_OK);
    assert_int_equal(spin.read_left, 0);
    assert_int_equal(spin.naps, 9);                                        /* the 2nd to the 10th */
    assert_int_equal(spin.nap_ms, 1 + 2 + 4 + 8 + 16 + 4 * FDWAIT_NAP_MS); /* bounded */
    close(other.fd); /* the writer's end: the reader's end of file */
    other.fd = -1;
    assert_int_equal(frames(cf), want);
    capfile_close(cf);
}

/* libpcap's reader (fdwait_fdopen_read): EAGAIN after POLLIN for good:
 * naps of at most FDWAIT_NAP_MS, and the stop flag set during one (a
 * SIGINT/SIGTERM) ends the wait, a read error with errno EINTR. Before, a
 * busy loop that no signal's nap slowed. */
static void
test_read_eagain_stop(void **state)
{
    (void)state;
    volatile int stop = 0;
    fdwait_set_stop(&stop);
    read_spin_open(UINT_MAX);
    spin.stop = &stop;
    spin.sig_at = 12;
    int fd = fdwait_input(fifo);
    assert_true(fd >= 0);
    FILE *f = fdwait_fdopen_read(fd);
    assert_non_null(f);
    uint8_t got[64];
    errno = 0;
    assert_int_equal(fread(got, 1, sizeof(got), f), 0);
    assert_true(ferror(f));
    assert_int_equal(errno, EINTR);
    assert_true(fdwait_stopped());
    assert_int_equal(spin.naps, 12);
    assert_true(spin.nap_ms <= 12L * FDWAIT_NAP_MS);
    spin.read_ino = 0;
    fclose(f);
}

/* ---- writing ----------------------------------------------------------- */

/* The FIFO opened by its reader (*rd), by the other writer, and by
 * smtptap's output, signals counted in *n; the other writer fills it at
 * the first poll. */
static FILE *
fifo_filled_open(int *rd, volatile sig_atomic_t *n)
{
    *rd = open(fifo, O_RDONLY | O_NONBLOCK);
    assert_true(*rd >= 0);
    other.fd = open(fifo, O_WRONLY | O_NONBLOCK);
    assert_true(other.fd >= 0);
    fdwait_set_signals(n);
    FILE *f = fdwait_fopen_write(fifo, false);
    assert_non_null(f);
    other.job = OTHER_FILL;
    other.at = 1;
    return f;
}

/* --json FIFO: POLLOUT, then the other writer fills the FIFO before
 * smtptap's write; the reader makes room again at the next poll. Every
 * byte is written, in order. */
static void
test_write_fifo_filled(void **state)
{
    (void)state;
    int rd;
    volatile sig_atomic_t n = 0;
    FILE *f = fifo_filled_open(&rd, &n);
    other.room_fd = rd;
    const char *msg = "{\"event\":\"stats\"}\n";
    assert_int_equal(fwrite(msg, 1, strlen(msg), f), strlen(msg));
    assert_int_equal(fflush(f), 0);
    assert_true(other.acted && other.done);
    char got[64] = "";
    ssize_t k = read(rd, got, sizeof(got) - 1);
    assert_int_equal(k, (ssize_t)strlen(msg));
    assert_string_equal(got, msg);
    fclose(f);
    close(rd);
}

/* The same, with a SIGINT/SIGTERM counted while the write was held up
 * (between POLLOUT and the write that found no room) and no room coming:
 * the output is given up (FDWAIT_GAVE_UP), as a signal during a wait in
 * poll(2) gives it up. Before, the wait after the write counted signals
 * from its own start and went on until a second signal. */
static void
test_write_fifo_filled_signal(void **state)
{
    (void)state;
    int rd;
    volatile sig_atomic_t n = 0;
    FILE *f = fifo_filled_open(&rd, &n);
    other.signals = &n;
    const char *msg = "{\"event\":\"stats\"}\n";
    (void)fwrite(msg, 1, strlen(msg), f);
    errno = 0;
    assert_int_not_equal(fflush(f), 0);
    assert_int_equal(errno, FDWAIT_GAVE_UP);
    assert_true(other.acted);
    fclose(f);
    close(rd);
}

/* smtptap's output on a pipe with room (p[1]), its writes failing with
 * EAGAIN as spin says; signals counted in *n. */
static FILE *
spin_open(int p[2], volatile sig_atomic_t *n)
{
    assert_int_equal(pipe(p), 0);
    assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    fdwait_set_signals(n);
    spin.fd = fcntl(p[1], F_DUPFD_CLOEXEC, 0);
    assert_true(spin.fd >= 0);
    FILE *f = fdwait_fdopen_write(spin.fd, false);
    assert_non_null(f);
    return f;
}

/* poll(2) says POLLOUT and write(2) says EAGAIN, ten times in a row: the
 * second try on nap first, 1 ms doubling up to FDWAIT_NAP_MS, and the line
 * is written whole once write(2) takes it. Before, poll(2) and write(2)
 * took turns with no pause (a core at 100 % for as long as it lasted). */
static void
test_write_eagain_naps(void **state)
{
    (void)state;
    int p[2];
    volatile sig_atomic_t n = 0;
    FILE *f = spin_open(p, &n);
    spin.left = 10;
    const char *msg = "{\"event\":\"stats\"}\n";
    assert_int_equal(fwrite(msg, 1, strlen(msg), f), strlen(msg));
    assert_int_equal(fflush(f), 0);
    assert_int_equal(spin.tries, 11);
    assert_int_equal(spin.naps, 9);                                        /* the 2nd to the 10th */
    assert_int_equal(spin.nap_ms, 1 + 2 + 4 + 8 + 16 + 4 * FDWAIT_NAP_MS); /* bounded */
    char got[64] = "";
    assert_int_equal(read(p[0], got, sizeof(got) - 1), (ssize_t)strlen(msg));
    assert_string_equal(got, msg);
    spin.fd = -1;
    fclose(f);
    close(p[0]);
    close(p[1]);
}

/* The same for good (EAGAIN at every try): naps of at most FDWAIT_NAP_MS,
 * and a SIGINT/SIGTERM counted during one ends the wait (FDWAIT_GAVE_UP),
 * as it ends a wait in poll(2). Before, poll(2) said ready and the count
 * was never looked at: a busy loop that no first signal ended. */
static void
test_write_eagain_signal(void **state)
{
    (void)state;
    int p[2];
    volatile sig_atomic_t n = 0;
    FILE *f = spin_open(p, &n);
    spin.left = UINT_MAX;
    other.signals = &n;
    spin.sig_at = 12;
    const char *msg = "{\"event\":\"stats\"}\n";
    (void)fwrite(msg, 1, strlen(msg), f);
    errno = 0;
    assert_int_not_equal(fflush(f), 0);
    assert_int_equal(errno, FDWAIT_GAVE_UP);
    assert_int_equal(spin.naps, 12);
    assert_true(spin.nap_ms <= 12L * FDWAIT_NAP_MS);
    spin.fd = -1;
    fclose(f);
    close(p[0]);
    close(p[1]);
}

/* A stop pending (a SIGINT/SIGTERM before the wait began: the run stopped
 * while it read or analysed) and a reader that takes nothing: the wait ends
 * FDWAIT_STOP_MS after it began (1 s here), given up as at a signal during it, with no
 * second signal. Before, it waited until a second signal (the handler then
 * ended smtptap by the signal). */
static void
test_write_stop_pending_stalled(void **state)
{
    (void)state;
    fdwait_set_stop_ms(1000); /* FDWAIT_STOP_MS is 60 s: a page being read */
    int p[2];
    volatile sig_atomic_t n = 1;
    FILE *f = spin_open(p, &n);
    spin.fd = -1; /* the real pipe: filled, never read */
    assert_int_equal(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
    uint8_t junk[4096];
    memset(junk, 'x', sizeof(junk));
    while (write(p[1], junk, sizeof(junk)) > 0)
        ;
    while (write(p[1], junk, 1) > 0)
        ;
    const char *msg = "{\"event\":\"stats\"}\n";
    (void)fwrite(msg, 1, strlen(msg), f);
    int64_t t0 = now_ms();
    errno = 0;
    assert_int_not_equal(fflush(f), 0);
    assert_int_equal(errno, FDWAIT_GAVE_UP);
    int64_t took = now_ms() - t0;
    assert_true(took >= 1000 - 50 && took < 1000 + 2000);
    /* given up: every later wait at once */
    FILE *g = fdwait_fopen_write(fifo, false);
    assert_null(g);
    assert_int_equal(errno, FDWAIT_GAVE_UP);
    fclose(f);
    close(p[0]);
    close(p[1]);
    fdwait_set_stop_ms(0);
}

/* A stop pending and a slow reader that takes the pipe's bytes every 0.3
 * s (less than FDWAIT_STOP_MS, 60 s): everything is written, nothing given up:
 * the report after a stop still reaches a reader that keeps reading. */
static void
test_write_stop_pending_slow(void **state)
{
    (void)state;
    int p[2];
    volatile sig_atomic_t n = 1;
    FILE *f = spin_open(p, &n);
    spin.fd = -1;
    spin.drain_every = 3; /* the waits for room are 100 ms each (FDWAIT_MS) */
    spin.drain_fd = p[0];
    size_t len = 3 * 65536;
    uint8_t *big = malloc(len);
    assert_non_null(big);
    memset(big, 'y', len);
    assert_int_equal(fwrite(big, 1, len, f), len);
    assert_int_equal(fflush(f), 0);
    assert_true(spin.stalls >= 3); /* the reader was waited for */
    free(big);
    fclose(f);
    close(p[0]);
    close(p[1]);
}

/* ---- standard error ---------------------------------------------------- */

/* smtptap's stderr (fdwait_stderr) on a pipe: a message is one poll(2) and
 * one write(2), whole, not one of each per character (term_msg writes a
 * character at a time: unbuffered, a 60-character line was 60 polls and 60
 * writes, which another writer of the pipe could come between); a line not
 * ended (the progress line) is written at fflush(3). */
static void
test_stderr_line(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
    FILE *f = fdwait_stderr();
    assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
    close(p[1]);
    assert_non_null(f);
    int before = other.calls;
    term_msg(f, "smtptap: %s: truncated capture file after %d packets\n", "in\x01.pcap", 12);
    assert_int_equal(other.calls - before, 1);
    char got[256] = "";
    const char *want = "smtptap: in\\x01.pcap: truncated capture file after 12 packets\n";
    assert_int_equal(read(p[0], got, sizeof(got) - 1), (ssize_t)strlen(want));
    assert_string_equal(got, want);
    fprintf(f, "\rsmtptap: %d packets   ", 5);
    assert_int_equal(fflush(f), 0);
    memset(got, 0, sizeof(got));
    assert_int_equal(read(p[0], got, sizeof(got) - 1), (ssize_t)strlen("\rsmtptap: 5 packets   "));
    assert_int_equal(fclose(f), 0);
    close(p[0]);
}

/* The messages' stream set to it (term_set_err, as main.c does), not
 * assigned to stderr (ISO C: stderr need not be assignable; only glibc let
 * `stderr = f` build): term_msg(stderr, ...) and term_err() write there,
 * one poll(2) and one write(2) a line; unset, stdio's stderr again. */
static void
test_stderr_set(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
    FILE *f = fdwait_stderr();
    assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
    close(p[1]);
    assert_non_null(f);
    term_set_err(f);
    assert_ptr_equal(term_err(), f);
    int before = other.calls;
    term_msg(stderr, "smtptap: --json %s: reopened\n", "o.json");
    assert_int_equal(other.calls - before, 1);
    char got[128] = "";
    const char *want = "smtptap: --json o.json: reopened\n";
    assert_int_equal(read(p[0], got, sizeof(got) - 1), (ssize_t)strlen(want));
    assert_string_equal(got, want);
    fprintf(term_err(), "\rsmtptap: %d packets\n", 7); /* main_progress's */
    memset(got, 0, sizeof(got));
    assert_int_equal(read(p[0], got, sizeof(got) - 1), (ssize_t)strlen("\rsmtptap: 7 packets\n"));
    term_set_err(NULL);
    assert_ptr_equal(term_err(), stderr);
    assert_int_equal(fclose(f), 0);
    close(p[0]);
}

/* Standard output a pseudo-terminal's master (a program that feeds a
 * terminal's input): fdwait_own must not open /proc/self/fd/N, which for a
 * master is /dev/ptmx, a new pseudo-terminal no one reads: the report was
 * written there and lost, exit 0. What is written reaches the slave. */
static void
test_own_pty_master(void **state)
{
    (void)state;
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(m >= 0);
    assert_int_equal(grantpt(m), 0);
    assert_int_equal(unlockpt(m), 0);
    int s = open(ptsname(m), O_RDWR | O_NOCTTY | O_NONBLOCK);
    assert_true(s >= 0);
    int own = fdwait_own(m, O_WRONLY);
    assert_true(own >= 0);
    assert_int_equal(write(own, "x\n", 2), 2);
    struct pollfd p = {s, POLLIN, 0};
    assert_int_equal(__real_poll(&p, 1, 2000), 1);
    char got[8] = "";
    assert_true(read(s, got, sizeof(got) - 1) >= 1);
    assert_int_equal(got[0], 'x');
    close(own);
    close(s);
    close(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_capfile_fifo_drained, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdio_fifo_drained, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peek_gives_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_eagain_naps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_eagain_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_fifo_filled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_fifo_filled_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_eagain_naps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_eagain_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_stop_pending_stalled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_stop_pending_slow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stderr_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stderr_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_own_pty_master, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
