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
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    int r = __real_poll(fds, n, timeout);
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
    unlink(fifo);
    rmdir(dir);
    free(file);
    fdwait_set_signals(NULL);
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
        cmocka_unit_test_setup_teardown(test_write_fifo_filled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_fifo_filled_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stderr_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_own_pty_master, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
