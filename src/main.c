/* \summary: entry point (placeholder while the engine lands). */
int
main(void)
{
    return 0;
}
