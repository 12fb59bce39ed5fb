/*
 * gen: the benchmark's workload generator.
 *
 * Written in C so that the generator is never the bottleneck: the point of the
 * "burst" workload is to produce events faster than a consumer can drain them.
 *
 *   gen setup-renames DIR            precreate d0..d7 with 5,000 f* files (before consumers start)
 *   gen setup-tree    DIR [-n N]     precreate N directories (default 10,000) (before consumers start)
 *   gen burst         DIR [-n N]     N files f*, 4 KiB each, in DIR itself (default 20,000)
 *   gen tree          DIR [-n N]     N new directories, depth 4, a file f* in each right after its mkdir
 *   gen renames       DIR            rename every f* made by setup-renames to r*, half across directories
 *   gen latency       DIR [-n N] [-i US] -s SENDFILE
 *                                    N files l*, one every US microseconds (default 1,000 x 2,000 us)
 *   gen stop          DIR            only the sentinel
 *
 * Every workload except the setup-* ones ends with DIR/__STOP__, created after the
 * last operation, so a consumer that has seen __STOP__ has been offered every event.
 * -e FILE writes what was done (the expected counts) as one JSON object.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RENAME_DIRS 8
#define RENAME_FILES 5000
#define TREE_DEPTH 4

static const char *root;
static char payload[4096];

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, ": %s\n", strerror(errno));
    va_end(ap);
    exit(2);
}

static int64_t now_ns(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die("mkdir %s", path);
}

/* Create, optionally fill, close: the sequence a real writer (cp, tar, a compiler) performs. */
static void make_file(const char *path, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        die("create %s", path);
    if (size && write(fd, payload, size) != (ssize_t)size)
        die("write %s", path);
    close(fd);
}

static void make_stop(void)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/__STOP__", root);
    make_file(p, 0);
}

static long burst(long n)
{
    char p[4096];
    for (long i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s/f%07ld", root, i);
        make_file(p, sizeof payload);
    }
    return n;
}

/*
 * n/4 chains d<i>/d1/d2/d3, depth-first, each directory getting a file f0 the moment
 * after its mkdir.  This is what `tar x` or `git clone` does, and it is the race every
 * recursive watcher must win: the child directory and the file exist before anyone
 * could have put a watch on their parent.
 */
static long tree(long n, long *files)
{
    char p[4096], f[4200];
    long chains = n / TREE_DEPTH, dirs = 0;
    *files = 0;
    for (long c = 0; c < chains; c++) {
        int len = snprintf(p, sizeof p, "%s/d%05ld", root, c);
        for (int level = 0; level < TREE_DEPTH; level++) {
            if (level > 0)
                len += snprintf(p + len, sizeof p - len, "/d%d", level);
            make_dir(p);
            dirs++;
            snprintf(f, sizeof f, "%s/f0", p);
            make_file(f, 0);
            (*files)++;
        }
    }
    return dirs;
}

static void setup_renames(void)
{
    char p[4096];
    for (int d = 0; d < RENAME_DIRS; d++) {
        snprintf(p, sizeof p, "%s/d%d", root, d);
        make_dir(p);
    }
    for (int i = 0; i < RENAME_FILES; i++) {
        snprintf(p, sizeof p, "%s/d%d/f%05d", root, i % RENAME_DIRS, i);
        make_file(p, 0);
    }
}

/*
 * Within every directory, alternate files stay or move to the next directory; the phase
 * flips between neighbouring directories so that exactly half of the 5,000 move across.
 */
static long renames(long *across)
{
    char from[4096], to[4096];
    *across = 0;
    for (int i = 0; i < RENAME_FILES; i++) {
        int d = i % RENAME_DIRS, nd = ((i / RENAME_DIRS + d) & 1) ? (d + 1) % RENAME_DIRS : d;
        snprintf(from, sizeof from, "%s/d%d/f%05d", root, d, i);
        snprintf(to, sizeof to, "%s/d%d/r%05d", root, nd, i);
        if (rename(from, to) != 0)
            die("rename %s", from);
        if (nd != d)
            (*across)++;
    }
    return RENAME_FILES;
}

/* 100 top-level directories each holding (n/100 - 1) children: n directories in total. */
static long setup_tree(long n)
{
    char p[4096];
    long tops = n >= 100 ? 100 : 1, per = n / tops - 1, made = 0;
    for (long t = 0; t < tops; t++) {
        snprintf(p, sizeof p, "%s/d%03ld", root, t);
        make_dir(p);
        made++;
        for (long c = 0; c < per; c++) {
            snprintf(p, sizeof p, "%s/d%03ld/d%04ld", root, t, c);
            make_dir(p);
            made++;
        }
    }
    return made;
}

/*
 * The send time is taken just before open(): the event cannot exist earlier, so the
 * measured latency is an upper bound on what the consumer adds.  Ticks are absolute
 * (TIMER_ABSTIME) so that a slow iteration does not shift every later one.
 */
static long latency(long n, long interval_us, const char *sendfile)
{
    char p[4096];
    int64_t *sent = calloc(n, sizeof *sent);
    struct timespec tick;
    if (!sent)
        die("calloc");
    clock_gettime(CLOCK_MONOTONIC, &tick);
    for (long i = 0; i < n; i++) {
        tick.tv_nsec += interval_us * 1000L;
        while (tick.tv_nsec >= 1000000000L) {
            tick.tv_nsec -= 1000000000L;
            tick.tv_sec++;
        }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL) == EINTR)
            ;
        snprintf(p, sizeof p, "%s/l%05ld", root, i);
        sent[i] = now_ns(CLOCK_REALTIME);
        make_file(p, 0);
    }
    /* Written after the loop so that file I/O does not disturb the timing. */
    FILE *f = fopen(sendfile, "w");
    if (!f)
        die("open %s", sendfile);
    for (long i = 0; i < n; i++)
        fprintf(f, "l%05ld\t%lld\n", i, (long long)sent[i]);
    fclose(f);
    free(sent);
    return n;
}

static void usage(void)
{
    fprintf(stderr, "usage: gen {burst|tree|renames|latency|setup-renames|setup-tree|stop} DIR "
                    "[-n N] [-i interval_us] [-s sendfile] [-e expect.json]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        usage();
    const char *cmd = argv[1], *expect = NULL, *sendfile = NULL;
    long n = -1, interval_us = 2000;
    root = argv[2];
    for (int i = 3; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (!strcmp(argv[i], "-n"))
            n = atol(argv[++i]);
        else if (!strcmp(argv[i], "-i"))
            interval_us = atol(argv[++i]);
        else if (!strcmp(argv[i], "-s"))
            sendfile = argv[++i];
        else if (!strcmp(argv[i], "-e"))
            expect = argv[++i];
        else
            usage();
    }
    memset(payload, 'x', sizeof payload);

    long files = 0, dirs = 0, moved = 0, across = 0;
    int64_t t0 = now_ns(CLOCK_MONOTONIC);
    int stop = 1;
    if (!strcmp(cmd, "burst"))
        files = burst(n < 0 ? 20000 : n);
    else if (!strcmp(cmd, "tree"))
        dirs = tree(n < 0 ? 2000 : n, &files);
    else if (!strcmp(cmd, "renames"))
        moved = renames(&across);
    else if (!strcmp(cmd, "latency")) {
        if (!sendfile)
            usage();
        files = latency(n < 0 ? 1000 : n, interval_us, sendfile);
    } else if (!strcmp(cmd, "setup-renames")) {
        setup_renames();
        stop = 0;
    } else if (!strcmp(cmd, "setup-tree")) {
        setup_tree(n < 0 ? 10000 : n);
        stop = 0;
    } else if (strcmp(cmd, "stop"))
        usage();
    int64_t t1 = now_ns(CLOCK_MONOTONIC);
    if (stop)
        make_stop();

    if (expect) {
        FILE *f = fopen(expect, "w");
        if (!f)
            die("open %s", expect);
        fprintf(f,
                "{\"workload\":\"%s\",\"files_created\":%ld,\"dirs_created\":%ld,"
                "\"renamed_to\":%ld,\"renamed_from\":%ld,\"renamed_across\":%ld,"
                "\"gen_ns\":%lld}\n",
                cmd, files, dirs, moved, moved, across, (long long)(t1 - t0));
        fclose(f);
    }
    return 0;
}
