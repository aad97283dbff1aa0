/* \summary: test helpers: the aggregation's terminal report, read back
 * (tu_agg.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "tu_agg.h"

char *
tu_agg_text(const struct run_stats *st, size_t *len)
{
    struct run_stats zero;
    memset(&zero, 0, sizeof(zero));
    char *text = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&text, &n);
    assert_non_null(out);
    agg_write_text(out, st != NULL ? st : &zero, false);
    assert_int_equal(fclose(out), 0);
    if (len != NULL)
        *len = n;
    return text;
}
