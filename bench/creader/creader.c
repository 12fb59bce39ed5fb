/*
 * creader: the benchmark's floor.  The least a correct recursive inotify consumer can
 * do: one inotify fd, blocking read() into a 64 KiB buffer, counters, and for every new
 * directory "add the watch, then scan it" so that files created before the watch
 * existed are still reported.
 *
 *   creader DIR OUT
 *
 * Contract shared by every consumer of the benchmark (see bench/README.md):
 *   - watch DIR recursively, print READY on stdout once the watches are in place;
 *   - exit when DIR/__STOP__ is created, or after $BENCH_TIMEOUT seconds (default 120);
 *   - write one JSON line to OUT with the counters below;
 *   - with BENCH_LATENCY=1 also write OUT.recv: "name<TAB>receive_ns" per l* file,
 *     CLOCK_REALTIME when this code saw the event;
 *   - with BENCH_HOLD=1 (the decode workload) read nothing after READY until the runner
 *     says go: a line on stdin (the runner also creates OUT.go at that moment).  Blocking on
 *     stdin costs no CPU, so the figure is the cost of draining the pre-filled queue alone.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * The "something changed" set that every inotify-based consumer in the benchmark
 * subscribes to (inotifywait.sh uses the same list), so that the kernel queues the same
 * number of events for each and overflow thresholds are comparable.  OPEN, ACCESS and
 * CLOSE_NOWRITE are left out: they report reads, not changes.
 */
#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_FROM | \
                    IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

static int ifd, root_wd = -1;

/* wd -> path.  wds are small and increasing, so a plain array indexed by wd is enough. */
static char **wd_path;
/*
 * wd -> "this directory appeared while we were watching".  Only in such directories can
 * the scan and the kernel both report the same entry, so only there do we pay for the
 * de-duplication set; a flat burst in the root never touches it.
 */
static unsigned char *wd_fresh;
static int wd_cap;

static long files_created, dirs_created, renamed_to, renamed_from, events_total, overflow_count,
    watch_errors, duplicates_suppressed;
static int stop_seen;
static volatile sig_atomic_t timed_out;

static int latency_on;
static struct recv_rec { char name[16]; int64_t ns; } *recv_recs;
static size_t recv_n, recv_cap;

/* ---- a string set (open addressing, FNV-1a, tombstones) for de-duplication ---- */
static char **set_slots;
static size_t set_cap, set_used; /* used counts live entries and tombstones */
static char set_tomb;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

static void set_grow(void)
{
    size_t old_cap = set_cap;
    char **old = set_slots;
    set_cap = old_cap ? old_cap * 2 : 1024;
    set_slots = calloc(set_cap, sizeof *set_slots);
    set_used = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i] || old[i] == &set_tomb)
            continue;
        size_t j = hash_str(old[i]) & (set_cap - 1);
        while (set_slots[j])
            j = (j + 1) & (set_cap - 1);
        set_slots[j] = old[i];
        set_used++;
    }
    free(old);
}

/* Returns 1 if s was added, 0 if it was already there. */
static int set_add(const char *s)
{
    if ((set_used + 1) * 2 > set_cap)
        set_grow();
    size_t j = hash_str(s) & (set_cap - 1), tomb = SIZE_MAX;
    for (; set_slots[j]; j = (j + 1) & (set_cap - 1)) {
        if (set_slots[j] == &set_tomb) {
            if (tomb == SIZE_MAX)
                tomb = j;
        } else if (!strcmp(set_slots[j], s))
            return 0;
    }
    if (tomb != SIZE_MAX)
        j = tomb;
    else
        set_used++;
    set_slots[j] = strdup(s);
    return 1;
}

/* A deleted or moved-away name may be created again; that is a new creation. */
static void set_remove(const char *s)
{
    if (!set_cap)
        return;
    for (size_t j = hash_str(s) & (set_cap - 1); set_slots[j]; j = (j + 1) & (set_cap - 1)) {
        if (set_slots[j] != &set_tomb && !strcmp(set_slots[j], s)) {
            free(set_slots[j]);
            set_slots[j] = &set_tomb;
            return;
        }
    }
}

/* ---------------------------------------------------------------------------- */

static int64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void record_latency(const char *name)
{
    if (!latency_on)
        return;
    if (recv_n == recv_cap) {
        recv_cap = recv_cap ? recv_cap * 2 : 4096;
        recv_recs = realloc(recv_recs, recv_cap * sizeof *recv_recs);
    }
    recv_recs[recv_n].ns = realtime_ns();
    snprintf(recv_recs[recv_n].name, sizeof recv_recs[recv_n].name, "%s", name);
    recv_n++;
}

/* A creation (kernel event or found by a scan), counted by the contract's name prefixes. */
static void count_created(const char *name, int is_dir)
{
    if (is_dir) {
        if (name[0] == 'd')
            dirs_created++;
    } else if (name[0] == 'f' || name[0] == 'l') {
        files_created++;
        if (name[0] == 'l')
            record_latency(name);
    }
}

static void remember_wd(int wd, const char *path, int fresh)
{
    if (wd >= wd_cap) {
        int n = wd_cap ? wd_cap : 1024;
        while (n <= wd)
            n *= 2;
        wd_path = realloc(wd_path, n * sizeof *wd_path);
        wd_fresh = realloc(wd_fresh, n);
        memset(wd_path + wd_cap, 0, (n - wd_cap) * sizeof *wd_path);
        memset(wd_fresh + wd_cap, 0, n - wd_cap);
        wd_cap = n;
    }
    free(wd_path[wd]);
    wd_path[wd] = strdup(path);
    wd_fresh[wd] = (unsigned char)fresh;
}

/*
 * Watch a directory and everything below it.  The watch is added before the directory
 * is read: whatever is created after the add produces an event, whatever was created
 * before is seen by readdir, and the overlap is removed by the set.  When `fresh` is set
 * the directory is new and its contents are reported as created.
 */
static void watch_tree(const char *path, int fresh)
{
    int wd = inotify_add_watch(ifd, path, WATCH_MASK);
    if (wd < 0) {
        if (errno != ENOENT && errno != ENOTDIR) { /* gone already is a normal race */
            watch_errors++;
            fprintf(stderr, "creader: watch %s: %s\n", path, strerror(errno));
        }
        return;
    }
    remember_wd(wd, path, fresh);
    if (root_wd < 0)
        root_wd = wd;

    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *de;
    char child[PATH_MAX];
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
            continue;
        snprintf(child, sizeof child, "%s/%s", path, de->d_name);
        int is_dir = de->d_type == DT_DIR;
        if (de->d_type == DT_UNKNOWN) {
            struct stat st;
            is_dir = lstat(child, &st) == 0 && S_ISDIR(st.st_mode);
        }
        if (fresh) {
            if (!set_add(child)) {
                duplicates_suppressed++;
                continue; /* its event came first and handled it, subtree included */
            }
            count_created(de->d_name, is_dir);
        }
        if (is_dir)
            watch_tree(child, fresh);
    }
    closedir(d);
}

static void handle(const struct inotify_event *ev)
{
    events_total++;
    if (ev->mask & IN_Q_OVERFLOW) {
        overflow_count++;
        return;
    }
    if (ev->wd < 0 || ev->wd >= wd_cap || !wd_path[ev->wd])
        return;
    if (ev->mask & IN_IGNORED) {
        free(wd_path[ev->wd]);
        wd_path[ev->wd] = NULL;
        return;
    }
    if (!ev->len)
        return; /* *_SELF events: nothing to count */

    const char *name = ev->name;
    int is_dir = (ev->mask & IN_ISDIR) != 0, fresh = wd_fresh[ev->wd];
    char child[PATH_MAX];
    if (fresh || is_dir)
        snprintf(child, sizeof child, "%s/%s", wd_path[ev->wd], name);

    if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
        if (fresh && !set_add(child)) {
            duplicates_suppressed++;
            return; /* the scan of this new directory already reported it */
        }
        if (ev->mask & IN_CREATE) {
            count_created(name, is_dir);
            if (ev->wd == root_wd && !strcmp(name, "__STOP__"))
                stop_seen = 1;
        } else if (name[0] == 'r')
            renamed_to++;
        /* A directory that moved in existed before: watch it, but its contents are not new. */
        if (is_dir)
            watch_tree(child, (ev->mask & IN_CREATE) != 0);
    } else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
        if (fresh)
            set_remove(child);
        if ((ev->mask & IN_MOVED_FROM) && name[0] == 'f')
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
        fprintf(stderr, "usage: creader DIR OUT\n");
        return 2;
    }
    const char *dir = argv[1], *out = argv[2];
    const char *t = getenv("BENCH_TIMEOUT"), *l = getenv("BENCH_LATENCY"), *h = getenv("BENCH_HOLD");
    unsigned timeout = t && *t ? (unsigned)atoi(t) : 120;
    latency_on = l && !strcmp(l, "1");
    int hold = h && !strcmp(h, "1");

    /* Blocking on purpose (the floor needs no poll loop); CLOEXEC as every inotify user should. */
    ifd = inotify_init1(IN_CLOEXEC);
    if (ifd < 0) {
        perror("creader: inotify_init1");
        return 1;
    }
    watch_tree(dir, 0);
    if (root_wd < 0)
        return 1;

    /* No SA_RESTART: the alarm must interrupt the blocking read(). */
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(timeout);

    printf("READY\n");
    fflush(stdout);

    if (hold) {
        /* Until the go line (or EOF, or the timeout's EINTR) nothing is read: the kernel queues. */
        char c;
        while (read(0, &c, 1) == 1 && c != '\n')
            ;
    }

    static char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (!stop_seen && !timed_out) {
        ssize_t n = read(ifd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("creader: read");
            break;
        }
        /* Finish the whole buffer even after __STOP__: those events were already queued. */
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            handle(ev);
            p += sizeof *ev + ev->len;
        }
    }

    FILE *f = fopen(out, "w");
    if (!f) {
        perror(out);
        return 1;
    }
    fprintf(f,
            "{\"consumer\":\"creader\",\"files_created\":%ld,\"dirs_created\":%ld,\"renamed_to\":%ld,"
            "\"renamed_from\":%ld,\"events_total\":%ld,\"overflow\":%s,\"overflow_count\":%ld,"
            "\"stop_seen\":%s,\"watch_errors\":%ld,\"duplicates_suppressed\":%ld,\"held\":%s}\n",
            files_created, dirs_created, renamed_to, renamed_from, events_total,
            overflow_count ? "true" : "false", overflow_count, stop_seen ? "true" : "false", watch_errors,
            duplicates_suppressed, hold ? "true" : "false");
    fclose(f);

    if (latency_on) {
        char path[PATH_MAX];
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
