/* \summary: opening a text file named on the command line (--keylog,
 * --tlsa) for reading: fopen, refusing a directory (glibc opens one for
 * reading, and its reads then fail) with errno EISDIR. */
#ifndef SMTPTAP_READFILE_H
#define SMTPTAP_READFILE_H

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

static inline FILE *
readfile_open(const char *path)
{
    FILE *f = fopen(path, "r");
    struct stat sb;
    if (f != NULL && fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    return f;
}

#endif /* SMTPTAP_READFILE_H */
