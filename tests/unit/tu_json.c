/* \summary: test helpers: what a JSON writer wrote (see tu_json.h). */
#include "tu_json.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

char *
tu_json_capture(void (*fn)(struct json *j, void *arg), void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct json j;
    json_init(&j, f);
    fn(&j, arg);
    assert_int_equal(json_flush(&j), 0);
    json_free(&j);
    fclose(f);
    return buf;
}
