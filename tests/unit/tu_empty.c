/* Keeps the test helper library non-empty. */
int tu_empty_placeholder(void);
int
tu_empty_placeholder(void)
{
    return 0;
}
