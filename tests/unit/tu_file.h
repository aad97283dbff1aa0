/* \summary: test helpers: read a fixture file into memory. */
#ifndef SMTPTAP_TU_FILE_H
#define SMTPTAP_TU_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads SRCDIR-relative `path`; returns a malloc'd buffer (fails the test when
 * unreadable) and its length in *len. */
uint8_t *tu_read_file(const char *path, size_t *len);

#endif
