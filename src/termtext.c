/* \summary: outside text made safe for a terminal (termtext.h has the rule). */
#include "termtext.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool
term_shown(unsigned char c)
{
    return c >= 0x20 && c < 0x7f;
}

void
term_text(FILE *f, const char *s)
{
    if (s == NULL)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (term_shown(*p))
            fputc(*p, f);
        else
            fprintf(f, "\\x%02x", *p);
    }
}

static FILE *term_err_f; /* term_set_err() */

void
term_set_err(FILE *f)
{
    term_err_f = f;
}

FILE *
term_err(void)
{
    return term_err_f != NULL ? term_err_f : stderr;
}

void
term_msg(FILE *f, const char *fmt, ...)
{
    if (f == stderr)
        f = term_err();
    char small[1024];
    char *buf = small;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (len < 0)
        return;
    if ((size_t)len >= sizeof(small)) {
        char *big = malloc((size_t)len + 1);
        if (big != NULL) {
            va_start(ap, fmt);
            (void)vsnprintf(big, (size_t)len + 1, fmt, ap);
            va_end(ap);
            buf = big;
        } else {
            len = (int)sizeof(small) - 1; /* cut, but written */
        }
    }
    bool nl = len > 0 && buf[len - 1] == '\n';
    if (nl)
        buf[len - 1] = '\0';
    term_text(f, buf);
    if (nl)
        fputc('\n', f);
    if (buf != small)
        free(buf);
}
