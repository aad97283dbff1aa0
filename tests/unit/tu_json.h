/* \summary: test helpers: what a JSON writer wrote, read back. */
#ifndef SMTPTAP_TU_JSON_H
#define SMTPTAP_TU_JSON_H

#include "json.h"

/* Runs fn(j, arg) on a writer bound to a memory stream and returns what it
 * wrote (malloc'd; free() it). Fails the test when the stream cannot be made
 * or the writer reports an error. */
char *tu_json_capture(void (*fn)(struct json *j, void *arg), void *arg);

#endif
