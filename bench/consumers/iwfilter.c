/*
 * iwfilter: turns inotifywait's text stream into the benchmark's JSON line.
 *
 *   inotifywait -m -r --format '%e<TAB>%w<TAB>%f' ... DIR 2>&1 | iwfilter DIR OUT
 *
 * It is C rather than awk because the latency workload needs a nanosecond receive time
 * per line, which neither mawk nor a shell can give, and because a heavier filter would
 * bill its own cost to inotifywait.  It does what a script consuming inotifywait does:
 * read lines, look at the event names and the file name.
 *
 * With BENCH_HOLD=1 (the decode workload) it stops reading right after READY until a line
 * arrives on fd 3 (inotifywait.sh passes the runner's stdin there).  inotifywait then fills
 * the pipe (64 KiB, about a thousand lines) and blocks in write(); the rest stays in the kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long files_created, dirs_created, renamed_to, renamed_from, events_total, overflow_count;
static int stop_seen, ready, hold;
static volatile sig_atomic_t timed_out;
static char root[4096];
static size_t root_len;

static int latency_on;
static struct recv_rec { char name[16]; int64_t ns; } *recv_recs;
static size_t recv_n, recv_cap;

static int64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Is `flag` one of the comma-separated names in `list`? */
static int has_flag(const char *list, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *p = list; (p = strstr(p, flag)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

static void line(char *s)
{
    if (!ready) {
        /* inotifywait says this on stderr (merged into our stdin) once every watch is set. */
        if (!strcmp(s, "Watches established.")) {
            ready = 1;
            printf("READY\n");
            fflush(stdout);
            if (hold) {
                char c;
                while (read(3, &c, 1) == 1 && c != '\n')
                    ;
            }
        }
        return;
    }
    char *w = strchr(s, '\t');
    if (!w)
        return; /* a warning from inotifywait, not an event */
    *w++ = '\0';
    char *name = strchr(w, '\t');
    if (!name)
        return;
    *name++ = '\0';
    const char *ev = s;
    events_total++;

    if (has_flag(ev, "Q_OVERFLOW")) {
        overflow_count++;
        return;
    }
    if (has_flag(ev, "CREATE")) {
        if (has_flag(ev, "ISDIR")) {
            if (name[0] == 'd')
                dirs_created++;
        } else if (name[0] == 'f' || name[0] == 'l') {
            files_created++;
            if (name[0] == 'l' && latency_on) {
                if (recv_n == recv_cap) {
                    recv_cap = recv_cap ? recv_cap * 2 : 4096;
                    recv_recs = realloc(recv_recs, recv_cap * sizeof *recv_recs);
                }
                recv_recs[recv_n].ns = realtime_ns();
                snprintf(recv_recs[recv_n].name, sizeof recv_recs[recv_n].name, "%s", name);
                recv_n++;
            }
        } else if (!strcmp(name, "__STOP__") && strlen(w) == root_len + 1 && !strncmp(w, root, root_len))
            stop_seen = 1;
    } else if (has_flag(ev, "MOVED_TO")) {
        if (name[0] == 'r')
            renamed_to++;
    } else if (has_flag(ev, "MOVED_FROM")) {
        if (name[0] == 'f')
            renamed_from++;
    }
}

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: iwfilter DIR OUT\n");
        return 2;
    }
    snprintf(root, sizeof root, "%s", argv[1]);
    root_len = strlen(root);
    while (root_len > 1 && root[root_len - 1] == '/')
        root[--root_len] = '\0';
    const char *out = argv[2];
    const char *t = getenv("BENCH_TIMEOUT"), *l = getenv("BENCH_LATENCY"), *h = getenv("BENCH_HOLD");
    latency_on = l && !strcmp(l, "1");
    hold = h && !strcmp(h, "1");

    struct sigaction sa = {0};
    sa.sa_handler = on_alarm; /* no SA_RESTART: interrupt the blocking read */
    sigaction(SIGALRM, &sa, NULL);
    alarm(t && *t ? (unsigned)atoi(t) : 120);

    static char buf[64 * 1024];
    size_t have = 0;
    while (!stop_seen && !timed_out) {
        ssize_t n = read(0, buf + have, sizeof buf - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* inotifywait died */
        have += n;
        char *start = buf, *nl;
        while (!stop_seen && (nl = memchr(start, '\n', buf + have - start))) {
            *nl = '\0';
            line(start);
            start = nl + 1;
        }
        have -= start - buf;
        memmove(buf, start, have);
        if (have == sizeof buf)
            have = 0; /* a line longer than 64 KiB is not an event line */
    }

    FILE *f = fopen(out, "w");
    if (!f) {
        perror(out);
        return 1;
    }
    fprintf(f,
            "{\"consumer\":\"inotifywait\",\"files_created\":%ld,\"dirs_created\":%ld,\"renamed_to\":%ld,"
            "\"renamed_from\":%ld,\"events_total\":%ld,\"overflow\":%s,\"overflow_count\":%ld,"
            "\"stop_seen\":%s,\"held\":%s}\n",
            files_created, dirs_created, renamed_to, renamed_from, events_total,
            overflow_count ? "true" : "false", overflow_count, stop_seen ? "true" : "false", hold ? "true" : "false");
    fclose(f);
    if (latency_on) {
        char path[4200];
        snprintf(path, sizeof path, "%s.recv", out);
        FILE *r = fopen(path, "w");
        if (!r) {
            perror(path);
            return 1;
        }
        for (size_t i = 0; i < recv_n; i++)
            fprintf(r, "%s\t%lld\n", recv_recs[i].name, (long long)recv_recs[i].ns);
        fclose(r);
    }
    return 0;
}
