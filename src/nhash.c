/* \summary: the tables' random seed (nhash.h). */
#include "nhash.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint32_t
nhash_random_seed(void)
{
    uint32_t s = 0;
    if (getentropy(&s, sizeof(s)) != 0 || s == 0)
        s = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ 0x5bd1e995u;
    return s ? s : 1;
}
