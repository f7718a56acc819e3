/* segv: a user process that dies of a real page fault (a NULL read), so
 * that the kernel logs "segv[PID]: segfault at 0 ip ..." as it does for any
 * crashing program when debug.exception-trace is 1.  (kill -SEGV would not:
 * the kernel logs faults, not signals sent.)  Its core is not dumped. */
#include <stdio.h>
#include <sys/resource.h>

int main(void)
{
	struct rlimit no = { 0, 0 };
	volatile int *p = NULL;

	setrlimit(RLIMIT_CORE, &no);
	printf("%d\n", *p);
	return 0;
}
