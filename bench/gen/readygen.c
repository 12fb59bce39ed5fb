/*
 * readygen: the "ready" workload. Files arrive in a drop folder the ways real writers deliver them, and each
 * file's completion time is logged, so a consumer's "this file is complete" reports can be checked: a report
 * before the completion is premature, and its delay after the completion is what a user waits.
 *
 *   readygen DIR -s SENDFILE -e EXPECT [-q]
 *
 * Four kinds of writers run at the same time (-q: fewer files and chunks):
 *   slow     4 files s*, 3 chunks of 256 KiB each; after each chunk the writer pauses 2.5 s with the file open,
 *            then closes it and at once opens it again to append the next (a stalling download, an SFTP client)
 *   cp       100 files c*, 64 KiB each, created, written and closed as cp does, one second in
 *   rename   20 files r*: written as r*.part in 4 pieces 10 ms apart, closed, renamed to r* (browsers, rsync, curl)
 *   two      10 files t*: two writers open the file; the first writes half and closes, 300 ms later the second
 *            writes the other half and closes (a header and a body, two programs)
 * SENDFILE gets "name<TAB>completion_ns" per file (CLOCK_REALTIME, right after the last close or the rename).
 * DIR/__STOP__ is created 0.5 s after the last completion. EXPECT gets {"files": N}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *root;
static int sendfd = -1;
static char chunk[256 * 1024];

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "readygen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, ": %s\n", strerror(errno));
    va_end(ap);
    exit(2);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", root, name);
}

static int open_append(const char *name, int create)
{
    char p[4096];
    path_of(p, sizeof p, name);
    int fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0644);
    if (fd < 0)
        die("open %s", p);
    return fd;
}

static void put(int fd, size_t size)
{
    if (write(fd, chunk, size) != (ssize_t)size)
        die("write");
}

/* One line per completed file; O_APPEND and one write() per line keep the children's lines whole. */
static void completed(const char *name)
{
    char line[512];
    int n = snprintf(line, sizeof line, "%s\t%lld\n", name, (long long)now_ns());
    if (write(sendfd, line, n) != n)
        die("write send file");
}

static void slow(int files, int chunks)
{
    int fds[16];
    char names[16][32];
    for (int f = 0; f < files; f++)
        snprintf(names[f], sizeof names[f], "s%02d.bin", f);
    for (int c = 0; c < chunks; c++) {
        for (int f = 0; f < files; f++) {
            fds[f] = open_append(names[f], c == 0);
            put(fds[f], sizeof chunk);
        }
        sleep_ms(2500);
        for (int f = 0; f < files; f++) {
            close(fds[f]);
            if (c + 1 == chunks)
                completed(names[f]);
        }
    }
}

static void cp_files(int files)
{
    for (int f = 0; f < files; f++) {
        char name[32];
        snprintf(name, sizeof name, "c%03d.dat", f);
        int fd = open_append(name, 1);
        put(fd, 64 * 1024);
        close(fd);
        completed(name);
    }
}

static void renamed(int files)
{
    for (int f = 0; f < files; f++) {
        char name[32], part[40], from[4096], to[4096];
        snprintf(name, sizeof name, "r%02d.zip", f);
        snprintf(part, sizeof part, "%s.part", name);
        int fd = open_append(part, 1);
        for (int i = 0; i < 4; i++) {
            put(fd, 16 * 1024);
            sleep_ms(10);
        }
        close(fd);
        path_of(from, sizeof from, part);
        path_of(to, sizeof to, name);
        if (rename(from, to) != 0)
            die("rename %s", from);
        completed(name);
    }
}

static void two_writers(int files)
{
    for (int f = 0; f < files; f++) {
        char name[32];
        snprintf(name, sizeof name, "t%02d.csv", f);
        int first = open_append(name, 1);
        int second = open_append(name, 0);
        put(first, 32 * 1024);
        close(first);
        sleep_ms(300);
        put(second, 32 * 1024);
        close(second);
        completed(name);
    }
}

int main(int argc, char **argv)
{
    const char *send = NULL, *expect = NULL;
    int quick = 0;
    if (argc < 2)
        die("usage: readygen DIR -s SENDFILE -e EXPECT [-q]");
    root = argv[1];
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "-s") && i + 1 < argc)
            send = argv[++i];
        else if (!strcmp(argv[i], "-e") && i + 1 < argc)
            expect = argv[++i];
        else if (!strcmp(argv[i], "-q"))
            quick = 1;
    }
    if (!send)
        die("-s SENDFILE is required");
    sendfd = open(send, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (sendfd < 0)
        die("open %s", send);
    memset(chunk, 'x', sizeof chunk);

    int n_slow = quick ? 2 : 4, chunks = quick ? 2 : 3, n_cp = quick ? 20 : 100, n_ren = quick ? 5 : 20, n_two = quick ? 3 : 10;
    pid_t kids[3];
    for (int k = 0; k < 3; k++) {
        kids[k] = fork();
        if (kids[k] < 0)
            die("fork");
        if (kids[k] == 0) {
            if (k == 0)
                slow(n_slow, chunks);
            else if (k == 1)
                two_writers(n_two);
            else
                renamed(n_ren);
            _exit(0);
        }
    }
    /* The copies land a second in, among the other writers: what a consumer does in its first milliseconds (the
     * runtime's start, the JIT) is the idle workload's figure, not this one's. */
    sleep_ms(1000);
    cp_files(n_cp);
    for (int k = 0; k < 3; k++) {
        int status;
        if (waitpid(kids[k], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die("writer %d failed", k);
    }

    sleep_ms(500);
    int fd = open_append("__STOP__", 1);
    close(fd);
    if (expect) {
        FILE *e = fopen(expect, "w");
        if (!e)
            die("open %s", expect);
        fprintf(e, "{\"files\": %d}\n", n_slow + n_cp + n_ren + n_two);
        fclose(e);
    }
    return 0;
}
