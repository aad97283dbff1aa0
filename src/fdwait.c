/* \summary: waits on inputs that a stop signal ends (see fdwait.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
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
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
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
        fd = dup(STDIN_FILENO);
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
