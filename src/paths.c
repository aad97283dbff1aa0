/* \summary: the same file named twice among the run's inputs and outputs
 * (see paths.h). A file is known by stat(2)'s st_dev and st_ino, so that
 * "p.pcap", "./p.pcap" and a symbolic link to it are one file; an output
 * that does not exist yet is known by its directory's and its own name. */
#include "paths.h"

#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strcopy.h"
#include "termtext.h"

/* What a path names: an existing file (dev, ino), or a name to be created
 * in the directory (dev, ino) (base); ok false when neither can be told. */
struct paths_id {
    bool ok, exists, regular, fifo;
    dev_t dev;
    ino_t ino;
    char base[256];
};

static struct paths_id
paths_of_stat(const struct stat *sb)
{
    struct paths_id id;
    memset(&id, 0, sizeof(id));
    id.ok = id.exists = true;
    id.regular = S_ISREG(sb->st_mode);
    id.fifo = S_ISFIFO(sb->st_mode);
    id.dev = sb->st_dev;
    id.ino = sb->st_ino;
    return id;
}

/* "-r -": standard input, known by what it is when it is a file or a FIFO
 * (-r - < p.pcap, or < fifo); else nothing to compare (a terminal). */
static struct paths_id
paths_stdin(void)
{
    struct paths_id id;
    memset(&id, 0, sizeof(id));
    struct stat sb;
    if (fstat(STDIN_FILENO, &sb) == 0 && (S_ISREG(sb.st_mode) || S_ISFIFO(sb.st_mode)))
        id = paths_of_stat(&sb);
    return id;
}

static struct paths_id
paths_id(const char *path)
{
    if (strcmp(path, "-") == 0)
        return paths_stdin();
    struct paths_id id;
    memset(&id, 0, sizeof(id));
    struct stat sb;
    if (stat(path, &sb) == 0)
        return paths_of_stat(&sb);
    char d[4096], b[4096];
    if (str_copy(d, sizeof(d), path) != strlen(path))
        return id;
    str_copy(b, sizeof(b), path);
    const char *dir = dirname(d), *base = basename(b);
    if (stat(dir, &sb) != 0 || strlen(base) >= sizeof(id.base))
        return id;
    id.ok = true;
    id.dev = sb.st_dev;
    id.ino = sb.st_ino;
    str_copy(id.base, sizeof(id.base), base);
    return id;
}

static bool
paths_same(const struct paths_id *a, const struct paths_id *b)
{
    return a->ok && b->ok && a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
           strcmp(a->base, b->base) == 0;
}

/* An output worth comparing: a regular file, one to be created, or a FIFO
 * (one an input reads too would have smtptap read back what it writes). */
static bool
paths_output(const char *path, struct paths_id *id)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return false;
    *id = paths_id(path);
    return id->ok && (!id->exists || id->regular || id->fifo);
}

/* Checks the input files of one option against one output. */
static int
paths_check_list(const char *opt, const char *const *list, unsigned n, const char *out_opt,
                 const struct paths_id *out, char *err, size_t errlen)
{
    for (unsigned i = 0; i < n; i++) {
        if (strcmp(list[i], "-") == 0 && strcmp(opt, "-r") != 0)
            continue;
        struct paths_id in = paths_id(list[i]); /* "-r -": standard input, a file or FIFO */
        if (in.exists && paths_same(&in, out)) {
            snprintf(err, errlen, "%s %s%s: is also the %s file (%s)", opt, list[i],
                     strcmp(list[i], "-") == 0 ? " (standard input)" : "", out_opt,
                     out->fifo                    ? "a FIFO: smtptap would read back what it writes"
                     : strcmp(out_opt, "-w") == 0 ? "it would be emptied before it is read"
                     : strcmp(out_opt, "--tlsrpt") == 0
                         ? "the report would be written over it"
                         : "it would be overwritten before it is read");
            return -1;
        }
    }
    return 0;
}

int
paths_check_outputs(const struct config *cfg, char *err, size_t errlen)
{
    struct paths_id outs[3];
    const char *names[3] = {cfg->json_path, cfg->write_path, cfg->tlsrpt_path};
    const char *opts[3] = {"--json", "-w", "--tlsrpt"};
    bool used[3];
    for (unsigned o = 0; o < 3; o++) {
        used[o] = paths_output(names[o], &outs[o]);
        if (!used[o])
            continue;
        if (paths_check_list("-r", cfg->inputs, cfg->n_inputs, opts[o], &outs[o], err, errlen) ||
            paths_check_list("--keylog", cfg->keylogs, cfg->n_keylogs, opts[o], &outs[o], err,
                             errlen) ||
            paths_check_list("--ca-file", cfg->ca_files, cfg->n_ca_files, opts[o], &outs[o], err,
                             errlen) ||
            paths_check_list("--tlsa", cfg->tlsa_files, cfg->n_tlsa_files, opts[o], &outs[o], err,
                             errlen))
            return -1;
    }
    /* two outputs on one FIFO (/dev/stdout in a pipeline too) stay the
     * user's choice: only files are overwritten */
    for (unsigned a = 0; a < 3; a++)
        for (unsigned b = a + 1; b < 3; b++)
            if (used[a] && used[b] && !outs[a].fifo && paths_same(&outs[a], &outs[b])) {
                snprintf(err, errlen,
                         "%s %s and %s %s are the same file (each would overwrite the other)",
                         opts[a], names[a], opts[b], names[b]);
                return -1;
            }
    return 0;
}

int
paths_dedup_inputs(struct config *cfg, char *err, size_t errlen)
{
    struct paths_id ids[CONFIG_MAX_INPUTS];
    unsigned kept = 0, stdin_at = CONFIG_MAX_INPUTS;
    for (unsigned i = 0; i < cfg->n_inputs; i++) {
        const char *path = cfg->inputs[i];
        if (strcmp(path, "-") == 0) { /* standard input can be read once */
            if (stdin_at < CONFIG_MAX_INPUTS) {
                snprintf(err, errlen,
                         "-r - given twice: standard input can be read once (save the capture "
                         "to a file to read it again)");
                return -1;
            }
            stdin_at = kept;
        }
        struct paths_id id = paths_id(path);
        unsigned k = 0;
        while (k < kept && !(id.exists && paths_same(&ids[k], &id)))
            k++;
        if (k < kept && id.fifo) { /* its packets go to the first reader only */
            snprintf(err, errlen, "-r %s: the same FIFO as -r %s: a FIFO can be read once", path,
                     cfg->inputs[k]);
            return -1;
        }
        if (k < kept) {
            term_msg(stderr,
                     "smtptap: warning: -r %s: the same file as -r %s: read once (its sessions "
                     "would be counted twice)\n",
                     path, cfg->inputs[k]);
            continue;
        }
        ids[kept] = id;
        cfg->inputs[kept++] = path;
    }
    cfg->n_inputs = kept;
    return 0;
}

/* Why path cannot be written as an output, in the words its open(2) would
 * give, or NULL: an existing file must be writable and no directory; a new
 * one's directory must exist and let files be created in it. */
static const char *
paths_unwritable(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return strerror(EISDIR);
        return access(path, W_OK) != 0 ? strerror(errno) : NULL;
    }
    if (errno != ENOENT)
        return strerror(errno);
    char dir[4096];
    str_copy(dir, sizeof(dir), path);
    const char *d = dirname(dir);
    if (stat(d, &sb) != 0)
        return strerror(errno);
    if (!S_ISDIR(sb.st_mode))
        return strerror(ENOTDIR);
    return access(d, W_OK | X_OK) != 0 ? strerror(errno) : NULL;
}

int
paths_check_writable(const struct config *cfg, char *err, size_t errlen)
{
    const char *names[3] = {cfg->json_path, cfg->write_path, cfg->tlsrpt_path};
    const char *opts[3] = {"--json", "-w", "--tlsrpt"};
    for (unsigned o = 0; o < 3; o++) {
        const char *why =
            names[o] != NULL && strcmp(names[o], "-") != 0 ? paths_unwritable(names[o]) : NULL;
        if (why != NULL) {
            snprintf(err, errlen, "%s %s: %s", opts[o], names[o], why);
            return -1;
        }
    }
    struct stat sb; /* as report.c says it, where it is checked again */
    if (cfg->certs_dir != NULL &&
        (stat(cfg->certs_dir, &sb) != 0 || access(cfg->certs_dir, W_OK) != 0)) {
        snprintf(err, errlen, "--certs %s: %s", cfg->certs_dir, strerror(errno));
        return -1;
    }
    if (cfg->certs_dir != NULL && !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "--certs %s: not a directory", cfg->certs_dir);
        return -1;
    }
    return 0;
}
