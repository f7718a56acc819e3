/* manythreads: a process with N sleeping threads, the condition that
 * `srebox cswitch` must count (tests/cli/cswitch.bats).
 *
 *   manythreads [-n THREADS] [-d SECONDS]
 *
 * Starts THREADS threads besides the main one (default 300), each blocked
 * reading a pipe, prints "ready pid=P threads=T" (T counts the main
 * thread) once they all exist, and exits after SECONDS (default 30) or
 * when killed: a test that dies leaves nothing running for long. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int gate[2];

static void *wait_gate(void *arg)
{
	char b;

	(void)arg;
	while (read(gate[0], &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	int n = 300, opt;
	unsigned seconds = 30;
	pthread_attr_t attr;
	pthread_t *th;

	while ((opt = getopt(argc, argv, "n:d:")) != -1) {
		if (opt == 'n')
			n = atoi(optarg);
		else if (opt == 'd')
			seconds = (unsigned)atoi(optarg);
		else {
			fprintf(stderr, "usage: manythreads [-n THREADS] [-d SECONDS]\n");
			return 2;
		}
	}
	if (n < 0 || pipe(gate) != 0)
		return 2;
	th = calloc((size_t)n + 1, sizeof(*th));
	pthread_attr_init(&attr);
	/* small stacks: 300 threads need not reserve 2.4 GB */
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (int i = 0; i < n; i++) {
		int e = pthread_create(&th[i], &attr, wait_gate, NULL);

		if (e) {
			fprintf(stderr, "manythreads: thread %d: %s\n", i, strerror(e));
			return 2;
		}
	}
	printf("ready pid=%d threads=%d\n", (int)getpid(), n + 1);
	fflush(stdout);
	sleep(seconds);
	close(gate[1]);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	free(th);
	return 0;
}
