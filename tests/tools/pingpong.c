/* pingpong: two threads hand one byte back and forth over a pair of pipes,
 * both pinned to one CPU, so that every hand-off is a context switch: the
 * condition `srebox cswitch` must find (tests/cli/cswitch.bats).
 *
 *   pingpong [-d SECONDS] [-f COUNTFILE] [-w FIFO] [-s]
 *
 * With -w both threads exist first and wait, off every CPU, until a writer
 * opens FIFO: a pair that was idle at one reading and storms by the next.
 *
 * With -s, once the SECONDS are over both threads stay, idle, until the
 * process is killed: a storm that ends inside a watcher's window, with
 * its whole count in COUNTFILE.
 *
 * Runs for SECONDS (default 5).  Every 1024 round trips the main thread
 * writes "ROUND_TRIPS MONOTONIC_SECONDS" to COUNTFILE (rewritten in place,
 * no switch of its own), so a test can take the rate over exactly the
 * window it watched.  At the end it prints its own figures:
 *
 *   pid=N cpu=C round_trips=R seconds=S switches_per_second=X
 *
 * A round trip is two switches (the main thread to the echo thread and
 * back), voluntary or, when the woken thread preempts the writer,
 * involuntary: the sum is two either way. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int ping[2], pong[2];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "pingpong: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		die("sched_setaffinity");
}

static int first_allowed_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		die("sched_getaffinity");
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			return c;
	return 0;
}

static int cpu;

static void *echo(void *arg)
{
	char b;

	(void)arg;
	pin(cpu);
	/* Until the main thread closes its end. */
	while (read(ping[0], &b, 1) == 1)
		if (write(pong[1], &b, 1) != 1)
			break;
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = 5, start, end, t;
	const char *countfile = NULL, *fifo = NULL;
	unsigned long long trips = 0;
	pthread_t th;
	int opt, fd = -1;
	char b = 'x';
	int stay = 0;

	while ((opt = getopt(argc, argv, "d:f:w:s")) != -1) {
		if (opt == 's')
			stay = 1;
		else if (opt == 'd')
			seconds = atof(optarg);
		else if (opt == 'f')
			countfile = optarg;
		else if (opt == 'w')
			fifo = optarg;
		else {
			fprintf(stderr, "usage: pingpong [-d SECONDS] [-f COUNTFILE] [-w FIFO] [-s]\n");
			return 2;
		}
	}
	if (countfile && (fd = open(countfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		die(countfile);
	if (pipe(ping) != 0 || pipe(pong) != 0)
		die("pipe");
	cpu = first_allowed_cpu();
	pin(cpu);
	if ((errno = pthread_create(&th, NULL, echo, NULL)) != 0)
		die("pthread_create");
	/* blocked in open(2) until the test opens the other end */
	if (fifo && open(fifo, O_RDONLY | O_CLOEXEC) < 0)
		die(fifo);
	start = now();
	end = start + seconds;
	for (t = start; t < end;) {
		if (write(ping[1], &b, 1) != 1 || read(pong[0], &b, 1) != 1)
			die("pipe i/o");
		if ((++trips & 1023) == 0) {
			t = now();
			if (fd >= 0) {
				char line[64];
				int n = snprintf(line, sizeof(line), "%20llu %20.6f\n", trips, t);

				if (pwrite(fd, line, (size_t)n, 0) != n)
					die(countfile);
			}
		}
	}
	t = now();
	if (fd >= 0) {
		char line[64];
		int n = snprintf(line, sizeof(line), "%20llu %20.6f\n", trips, t);

		if (pwrite(fd, line, (size_t)n, 0) != n)
			die(countfile);
	}
	if (stay) {
		printf("pid=%d cpu=%d round_trips=%llu seconds=%.3f\n", (int)getpid(), cpu, trips,
		       t - start);
		fflush(stdout);
		for (;;)
			pause();	/* the echo thread waits in read */
	}
	close(ping[1]);
	pthread_join(th, NULL);
	printf("pid=%d cpu=%d round_trips=%llu seconds=%.3f switches_per_second=%.0f\n", (int)getpid(),
	       cpu, trips, t - start, 2.0 * (double)trips / (t - start));
	return 0;
}
