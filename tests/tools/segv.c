/* segv: a user process that dies of a real page fault (a read of address 16), so
 * that the kernel logs "segv[PID]: segfault at 0 ip ..." as it does for any
 * crashing program when debug.exception-trace is 1.  (kill -SEGV would not:
 * the kernel logs faults, not signals sent; nor does it log a fault that a
 * handler catches, so the default action is restored by the raw system call,
 * past a sanitizer's interceptors.)  Its core is not dumped. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rlimit no = { 0, 0 };
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} dfl;
	/* an unmapped address that is not NULL: UBSan would stop a NULL load first */
	volatile int *p = (volatile int *)(uintptr_t)(16 * argc);

	(void)argv;
	memset(&dfl, 0, sizeof(dfl));	/* SIG_DFL, no flags, nothing blocked */
	syscall(SYS_rt_sigaction, SIGSEGV, &dfl, NULL, sizeof(dfl.mask));
	setrlimit(RLIMIT_CORE, &no);
	printf("%d\n", *p);
	return 0;
}
