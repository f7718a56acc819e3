/* spinthreads: a process whose threads burn CPU, the condition `srebox cpu`
 * and `srebox health` must name (tests/cli/cpu.bats).
 *
 *   spinthreads [-n THREADS] [-d SECONDS] [-f CHILDREN]
 *
 * Starts THREADS threads (default 2) that spin in user mode, prints
 * "ready pid=P threads=T" (T counts the main thread, which sleeps), and
 * exits after SECONDS (default 30) or when killed.  With -f, instead forks
 * CHILDREN processes that sleep (no threads spin), prints "ready pid=P
 * children=C" once all exist; they die with it (PR_SET_PDEATHSIG), killed
 * or not: a node with thousands of processes, for the memory benchmark. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>


static void *spin(void *arg)
{
	volatile unsigned long *n = arg;

	for (;;)
		(*n)++;
	return NULL;
}

int main(int argc, char **argv)
{
	int n = 2, opt, children = 0;
	unsigned seconds = 30;
	static volatile unsigned long counts[256];

	while ((opt = getopt(argc, argv, "n:d:f:")) != -1) {
		if (opt == 'n')
			n = atoi(optarg);
		else if (opt == 'd')
			seconds = (unsigned)atoi(optarg);
		else if (opt == 'f')
			children = atoi(optarg);
		else
			return 2;
	}
	if (n < 0 || n > 256 || children < 0)
		return 2;
	if (children) {
		pid_t *kids = calloc((size_t)children, sizeof(pid_t));

		if (!kids)
			return 1;
		for (int i = 0; i < children; i++) {
			kids[i] = fork();
			if (kids[i] == 0) {
				/* die with the parent, however it ends */
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				if (getppid() == 1)
					_exit(0);
				alarm(seconds + 5);
				pause();
				_exit(0);
			}
			if (kids[i] < 0) {
				perror("fork");
				children = i;
				break;
			}
		}
		printf("ready pid=%d children=%d\n", (int)getpid(), children);
		fflush(stdout);
		sleep(seconds);
		for (int i = 0; i < children; i++)
			kill(kids[i], SIGKILL);
		while (wait(NULL) > 0)
			;
		return 0;
	}
	for (int i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, spin, (void *)&counts[i]) != 0) {
			perror("pthread_create");
			return 1;
		}
	}
	printf("ready pid=%d threads=%d\n", (int)getpid(), n + 1);
	fflush(stdout);
	sleep(seconds);
	return 0;
}
