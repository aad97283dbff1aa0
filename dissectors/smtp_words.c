/* \summary: words of SMTP lines: case-insensitive comparison, the
 * space-separated lists of capabilities, and reading words of a line
 * through the bounded cursor (RFC 5321 §4.1.1: verbs and keywords are
 * case-insensitive). */
#include "smtp_words.h"

#include <string.h>

/* ---- small helpers over our own buffers ---- */

uint8_t
smtp_upper(uint8_t c)
{
    return c >= 'a' && c <= 'z' ? (uint8_t)(c - 'a' + 'A') : c;
}

/* Case-insensitive comparison of w[0..n) with the C string s. */
bool
smtp_ieq(const uint8_t *w, size_t n, const char *s)
{
    size_t l = strlen(s);
    if (n != l)
        return false;
    for (size_t i = 0; i < n; i++)
        if (smtp_upper(w[i]) != (uint8_t)s[i])
            return false;
    return true;
}

/* Appends word w[0..n) to a space-separated list unless already there
 * (case-insensitive); a list that would pass max is marked cut. */
void
smtp_list_add(uint8_t *list, uint32_t *len, bool *cut, uint64_t *seen, uint32_t max,
              const uint8_t *w, size_t n)
{
    if (n == 0)
        return;
    /* seen: a bit per (length, first and last letter) of the words in the
     * list, so that a word whose bit is clear is new without a scan (a
     * list was scanned for every word added: 2 % of a dense run). */
    uint64_t bit = 1ull << ((n * 7 + smtp_upper(w[0]) * 3 + smtp_upper(w[n - 1])) & 63);
    uint32_t i = *seen & bit ? 0 : *len;
    while (i < *len) {
        const uint8_t *sp = memchr(list + i, ' ', *len - i);
        uint32_t j = sp != NULL ? (uint32_t)(sp - list) : *len;
        if (j - i == n) {
            size_t k = 0;
            while (k < n && smtp_upper(list[i + k]) == smtp_upper(w[k]))
                k++;
            if (k == n)
                return;
        }
        i = j + 1;
    }
    size_t need = n + (*len ? 1 : 0);
    if (need > max - *len) {
        *cut = true;
        return;
    }
    if (*len)
        list[(*len)++] = ' ';
    memcpy(list + *len, w, n);
    *len += (uint32_t)n;
    *seen |= bit;
}

/* ---- reading line contents (wire bytes: through the cursor only) ---- */

void
smtp_skip_sp(struct rd *lr)
{
    while (rd_peek(lr, 0) == ' ' || rd_peek(lr, 0) == '\t')
        rd_skip(lr, 1, "smtp.space");
}

/* Skips blanks, then copies the next word (up to a blank) into out, keeping
 * at most max bytes; returns the word's full length. */
size_t
smtp_word(struct rd *lr, uint8_t *out, size_t max)
{
    smtp_skip_sp(lr);
    size_t n = 0; /* the word's length, peeked; then its bytes in one read */
    for (int c; (c = rd_peek(lr, n)) >= 0 && c != ' ' && c != '\t';)
        n++;
    const uint8_t *p = rd_bytes(lr, n, "smtp.word");
    if (p != NULL)
        memcpy(out, p, n < max ? n : max);
    return n;
}
