/*
 * spawn: run a consumer and report its resource usage.
 *
 *   spawn RUSAGE_OUT CMD [ARGS...]
 *
 * Why the runner does not simply wait4() the consumer itself: Linux keeps a process's
 * peak RSS (ru_maxrss) across execve(), so a consumer forked from the Python runner
 * would inherit the runner's ~18 MiB as its "peak" and every consumer would look alike.
 * Forked from this small program instead, the figure is the consumer's own.
 *
 * wait4() also folds in every descendant the consumer waited for (inotifywait.sh's
 * inotifywait and filter), with microsecond user/sys times.  Written to RUSAGE_OUT as
 * "utime_us stime_us maxrss_kib exit_code".  Exits with the consumer's exit code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: spawn RUSAGE_OUT CMD [ARGS...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("spawn: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "spawn: exec %s: ", argv[2]);
        perror("");
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) {
            perror("spawn: wait4");
            return 2;
        }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = fopen(argv[1], "w");
    if (f) {
        fprintf(f, "%lld %lld %ld %d\n", (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
                (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec, ru.ru_maxrss, code);
        fclose(f);
    }
    return code;
}
