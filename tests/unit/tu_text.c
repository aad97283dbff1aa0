/* \summary: test helpers: what a report says, looked for in its text
 * (tu_text.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tu_text.h"

void
tu_has(const char *text, const char *want)
{
    if (strstr(text, want) == NULL)
        fail_msg("not there: \"%s\"\n%s", want, text);
}

void
tu_lacks(const char *text, const char *unwanted)
{
    if (strstr(text, unwanted) != NULL)
        fail_msg("there: \"%s\"\n%s", unwanted, text);
}
