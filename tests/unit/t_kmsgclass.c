/* The kernel-log classifier (lib/parse/kmsgclass.c): real lines of each
 * class as kernels of several ages print them, near misses that must not
 * match, every truncation, garbage and a huge line; then the accumulator. */
#include "unit.h"
#include "kmsgclass.h"

#include <stdlib.h>

static enum kmsg_class cls(const char *s, struct kmsg_hit *h)
{
	return kmsg_classify(s, strlen(s), h);
}

static void lockups(void **state)
{
	struct kmsg_hit h;

	(void)state;
	/* 4.15+ with pr_fmt "watchdog: " */
	assert_int_equal(cls("watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [stress-ng-cpu:8121]", &h),
			 KC_SOFT_LOCKUP);
	assert_int_equal(h.cpu, 3);
	assert_string_equal(h.name, "stress-ng-cpu");
	assert_int_equal(h.pid, 8121);
	assert_string_equal(h.detail, "stuck for 22s");
	/* 3.x, and a comm holding ':' */
	assert_int_equal(cls("BUG: soft lockup - CPU#0 stuck for 67s! [kworker/0:1:34]", &h), KC_SOFT_LOCKUP);
	assert_int_equal(h.cpu, 0);
	assert_string_equal(h.name, "kworker/0:1");
	assert_int_equal(h.pid, 34);
	assert_int_equal(cls("NMI watchdog: Watchdog detected hard LOCKUP on cpu 5", &h), KC_HARD_LOCKUP);
	assert_int_equal(h.cpu, 5);
	assert_int_equal(cls("CPU1: Watchdog detected hard LOCKUP on cpu 2", &h), KC_HARD_LOCKUP);
	assert_int_equal(h.cpu, 2);
	assert_int_equal(cls("Kernel panic - not syncing: Hard LOCKUP", &h), KC_HARD_LOCKUP);
	assert_int_equal(h.cpu, -1);
	assert_int_equal(cls("rcu: INFO: rcu_sched self-detected stall on CPU", &h), KC_RCU_STALL);
	assert_int_equal(h.cpu, -1);
	assert_int_equal(cls("rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:", &h), KC_RCU_STALL);
	assert_int_equal(cls("INFO: rcu_sched self-detected stall on CPU { 3}  (t=60000 jiffies g=1 c=2 q=3)", &h),
			 KC_RCU_STALL);
	assert_int_equal(h.cpu, 3);
	assert_int_equal(cls("INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 7-... } 21006 jiffies s: 1",
			     &h), KC_RCU_STALL);
	assert_int_equal(h.cpu, 7);
	assert_int_equal(cls("rcu: rcu_sched kthread starved for 10008 jiffies! g1 f0x0 RCU_GP_WAIT_FQS(5)", &h),
			 KC_RCU_STALL);
	/* near misses: the watchdog and RCU saying hello at boot */
	assert_int_equal(cls("NMI watchdog: Enabled. Permanently consumes one hw-PMU counter.", &h), KC_NONE);
	assert_int_equal(cls("watchdog: soft lockup detector disabled", &h), KC_NONE);
	assert_int_equal(cls("rcu: Hierarchical RCU implementation.", &h), KC_NONE);
	assert_int_equal(cls("rcu: \tRCU dyntick-idle grace-period acceleration is enabled.", &h), KC_NONE);
	assert_int_equal(cls("INFO: rcu_sched is not a stall", &h), KC_NONE);
}

static void hardware(void **state)
{
	struct kmsg_hit h;

	(void)state;
	assert_int_equal(cls("mce: [Hardware Error]: Machine check events logged", &h), KC_MCE);
	assert_int_equal(cls("mce: [Hardware Error]: CPU 2: Machine Check: 0 Bank 7: cc00008000010090", &h), KC_MCE);
	assert_int_equal(h.cpu, 2);
	assert_int_equal(cls("{1}[Hardware Error]: event severity: corrected", &h), KC_MCE);
	assert_int_equal(cls("{2}[Hardware Error]: event severity: fatal", &h), KC_MCE_FATAL);
	assert_int_equal(cls("{2}[Hardware Error]: event severity: recoverable", &h), KC_MCE_FATAL);
	assert_int_equal(cls("mce: Uncorrected hardware memory error in user-access at 12f0a4c000", &h),
			 KC_MCE_FATAL);
	assert_int_equal(cls("mce: [Hardware Error]: Machine check: Processor context corrupt", &h), KC_MCE_FATAL);
	assert_int_equal(cls("Memory failure: 0x12f0a4c: recovery action for dirty LRU page: Recovered", &h),
			 KC_MCE_FATAL);
	assert_int_equal(cls("EDAC MC0: 1 CE memory read error on CPU_SrcID#0_MC#0_Chan#1_DIMM#0 "
			     "(channel:1 slot:0 page:0x1ad7c7 offset:0x0 grain:32 syndrome:0x0 - err_code:0x0000:0x009f)",
			     &h), KC_EDAC_CE);
	assert_string_equal(h.name, "MC0");
	assert_string_equal(h.detail, "CPU_SrcID#0_MC#0_Chan#1_DIMM#0");
	assert_int_equal(h.count, 1);
	assert_int_equal(cls("EDAC MC1: 3 CE memory scrubbing error on DIMM_B2 (channel:0 slot:1)", &h), KC_EDAC_CE);
	assert_int_equal(h.count, 3);
	assert_string_equal(h.name, "MC1");
	assert_int_equal(cls("EDAC MC0: 1 UE memory read error on DIMM_A1 (channel:0 slot:0 page:0x0)", &h),
			 KC_EDAC_UE);
	/* 3.x forms */
	assert_int_equal(cls("EDAC MC0: CE page 0x2d0a5, offset 0x8c0, grain 8, syndrome 0x5ac7, row 3, channel 1, "
			     "label \"\": i5000 CE", &h), KC_EDAC_CE);
	assert_int_equal(cls("EDAC MC0: UE - no information available: INTERNAL ERROR", &h), KC_EDAC_UE);
	/* near misses */
	assert_int_equal(cls("EDAC MC: Ver: 3.0.0", &h), KC_NONE);
	assert_int_equal(cls("EDAC MC0: Giving out device to module skx_edac controller Skylake", &h), KC_NONE);
	assert_int_equal(cls("EDAC MC0: CEO of memory", &h), KC_NONE);
	assert_int_equal(cls("mce: CPU0: Thermal monitoring enabled (TM1)", &h), KC_NONE);
	assert_int_equal(cls("mce: Using 10 MCE banks", &h), KC_NONE);
	assert_int_equal(cls("{1}[Hardware Error]: event severity: info", &h), KC_NONE);
}

static void network(void **state)
{
	struct kmsg_hit h;

	(void)state;
	/* before 6.7 */
	assert_int_equal(cls("NETDEV WATCHDOG: eth0 (virtio_net): transmit queue 0 timed out", &h), KC_TX_TIMEOUT);
	assert_string_equal(h.name, "eth0");
	assert_string_equal(h.detail, "virtio_net");
	assert_int_equal(cls("NETDEV WATCHDOG: ens5 (ena): transmit queue 3 timed out 5440 ms", &h), KC_TX_TIMEOUT);
	assert_string_equal(h.name, "ens5");
	/* 6.7+: netdev_crit names the device first */
	assert_int_equal(cls("virtio_net virtio0 eth0: NETDEV WATCHDOG: CPU: 1: transmit queue 2 timed out 5432 ms",
			     &h), KC_TX_TIMEOUT);
	assert_string_equal(h.name, "eth0");
	assert_string_equal(h.detail, "queue 2");
	assert_int_equal(cls("e1000e 0000:00:19.0 eno1: Detected Hardware Unit Hang:", &h), KC_NONE);
	assert_int_equal(cls("igb 0000:03:00.0 eth1: Detected Tx Unit Hang", &h), KC_TX_TIMEOUT);
	assert_string_equal(h.name, "eth1");
	assert_int_equal(cls("e1000e: eth0 NIC Link is Down", &h), KC_LINK_DOWN);
	assert_string_equal(h.name, "eth0");
	assert_int_equal(cls("ixgbe 0000:01:00.0 enp1s0f0: NIC Link is Down", &h), KC_LINK_DOWN);
	assert_string_equal(h.name, "enp1s0f0");
	assert_int_equal(cls("r8169 0000:02:00.0 enp2s0: Link is Down", &h), KC_LINK_DOWN);
	assert_string_equal(h.name, "enp2s0");
	assert_int_equal(cls("eth0: Link is Down", &h), KC_LINK_DOWN);
	assert_string_equal(h.name, "eth0");
	assert_int_equal(cls("mlx5_core 0000:5e:00.0 enp94s0f0: Link down", &h), KC_LINK_DOWN);
	assert_string_equal(h.name, "enp94s0f0");
	assert_int_equal(cls("bond0: (slave eth1): link status definitely down, disabling slave", &h), KC_LINK_DOWN);
	assert_string_equal(h.name, "eth1");
	assert_string_equal(h.detail, "bond0");
	/* near misses: the link coming up, a SATA link, a watchdog enabled */
	assert_int_equal(cls("e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx", &h), KC_NONE);
	assert_int_equal(cls("ata1: SATA link down (SStatus 0 SControl 300)", &h), KC_NONE);
	assert_int_equal(cls("mlx5_core 0000:5e:00.0 enp94s0f0: Link down, reason unknown", &h), KC_NONE);
	assert_int_equal(cls("NETDEV WATCHDOG: eth0 (virtio_net): transmit queue 0 is fine", &h), KC_NONE);

	assert_int_equal(cls("nf_conntrack: table full, dropping packet", &h), KC_CONNTRACK_FULL);
	assert_int_equal(cls("nf_conntrack: nf_conntrack: table full, dropping packet", &h), KC_CONNTRACK_FULL);
	assert_int_equal(cls("ip_conntrack: table full, dropping packet.", &h), KC_CONNTRACK_FULL);
	assert_int_equal(cls("nf_conntrack: default automatic helper assignment has been turned off", &h), KC_NONE);
	assert_int_equal(cls("TCP: request_sock_TCP: Possible SYN flooding on port 8080. Sending cookies.  "
			     "Check SNMP counters.", &h), KC_SYN_FLOOD);
	assert_string_equal(h.name, "8080");
	assert_string_equal(h.detail, "sending cookies");
	assert_int_equal(cls("TCP: request_sock_TCP: Possible SYN flooding on port [::]:20002. Sending cookies.", &h),
			 KC_SYN_FLOOD);
	assert_string_equal(h.name, "20002");
	assert_int_equal(cls("TCP: request_sock_TCPv6: Possible SYN flooding on port 34391. Dropping request.  "
			     "Check SNMP counters.", &h), KC_SYN_FLOOD);
	assert_string_equal(h.detail, "dropping requests");
	assert_int_equal(cls("possible SYN flooding on port 4671. Sending cookies.", &h), KC_SYN_FLOOD);
	assert_string_equal(h.name, "4671");
	assert_int_equal(cls("TCP: Possible SYN flooding on port 127.0.0.1:23456. Sending cookies.", &h), KC_SYN_FLOOD);
	assert_string_equal(h.name, "23456");
	/* cut before the port: a class, no subject */
	assert_int_equal(cls("TCP: Possible SYN flooding on port ", &h), KC_SYN_FLOOD);
	assert_string_equal(h.name, "");
}

static void processes_and_disks(void **state)
{
	struct kmsg_hit h;
	char d[256];

	(void)state;
	assert_int_equal(cls("cc1[812]: segfault at 0 ip 00007f3a1c2b4e10 sp 00007ffd8b1c2a38 error 4 in "
			     "libc.so.6[7f3a1c200000+195000] likely on CPU 1 (core 1, socket 0)", &h), KC_SEGFAULT);
	assert_string_equal(h.name, "cc1");
	assert_int_equal(h.pid, 812);
	assert_string_equal(h.detail, "libc.so.6");
	kmsg_hit_describe(&h, d, sizeof(d));
	assert_string_equal(d, "cc1 (pid 812) segfault in libc.so.6");
	/* a comm with spaces and brackets */
	assert_int_equal(cls("Web Content[a][4471]: segfault at 8 ip 000055d0 sp 00007ffc error 6", &h), KC_SEGFAULT);
	assert_string_equal(h.name, "Web Content[a]");
	assert_int_equal(h.pid, 4471);
	assert_int_equal(cls("traps: node[1234] general protection fault ip:7f00 sp:7ffc error:0 in node[400000+2000]",
			     &h), KC_SEGFAULT);
	assert_string_equal(h.name, "node");
	assert_int_equal(h.pid, 1234);
	assert_string_equal(h.detail, "general protection fault in node");
	assert_int_equal(cls("traps: a.out[99] trap invalid opcode ip:401136 sp:7ffe error:0 in a.out[401000+1000]",
			     &h), KC_SEGFAULT);
	assert_string_equal(h.detail, "trap invalid opcode in a.out");
	/* near misses */
	assert_int_equal(cls("systemd[1]: Started segfault-handler.service", &h), KC_NONE);
	assert_int_equal(cls("cc1[x12]: segfault at 0 ip 0", &h), KC_NONE);
	assert_int_equal(cls("[]: segfault at 0", &h), KC_NONE);

	assert_int_equal(cls("I/O error, dev sda, sector 2048 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 2", &h),
			 KC_IO_ERROR);
	assert_string_equal(h.name, "sda");
	assert_string_equal(h.detail, "I/O error");
	assert_int_equal(cls("blk_update_request: I/O error, dev nvme0n1, sector 12345 op 0x1:(WRITE) flags 0x800", &h),
			 KC_IO_ERROR);
	assert_string_equal(h.name, "nvme0n1");
	assert_string_equal(h.detail, "I/O error");
	assert_int_equal(cls("end_request: I/O error, dev sdb, sector 0", &h), KC_IO_ERROR);
	assert_string_equal(h.name, "sdb");
	assert_int_equal(cls("critical medium error, dev sdc, sector 8 op 0x0:(READ) flags 0x0", &h), KC_IO_ERROR);
	assert_string_equal(h.detail, "critical medium error");
	kmsg_hit_describe(&h, d, sizeof(d));
	assert_string_equal(d, "critical medium error on sdc");
	assert_int_equal(cls("Buffer I/O error on dev sda1, logical block 0, async page read", &h), KC_NONE);
	assert_int_equal(cls("I/O error, dev sda", &h), KC_NONE);
}

/* Every prefix of every real line: never a read past the end (ASan), never
 * a class from a cut that the full line does not have, and garbage. */
static void truncations_and_garbage(void **state)
{
	static const char *const lines[] = {
		"watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [stress-ng-cpu:8121]",
		"rcu: INFO: rcu_preempt self-detected stall on CPU",
		"INFO: rcu_sched detected stalls on CPUs/tasks: { 3} (detected by 1, t=5252 jiffies)",
		"EDAC MC12: 17 CE memory read error on DIMM_A1 (channel:0)",
		"virtio_net virtio0 eth0: NETDEV WATCHDOG: CPU: 1: transmit queue 2 timed out 5432 ms",
		"bond0: (slave eth1): link status definitely down, disabling slave",
		"TCP: request_sock_TCP: Possible SYN flooding on port [::]:20002. Sending cookies.",
		"cc1[812]: segfault at 0 ip 00007f3a1c2b4e10 sp 00007ffd8b1c2a38 error 4 in libc.so.6[7f+1]",
		"traps: a.out[99] trap invalid opcode ip:401136 sp:7ffe error:0 in a.out[401000+1000]",
		"I/O error, dev sda, sector 2048 op 0x0:(READ)",
		"{2}[Hardware Error]: event severity: recoverable",
		"Memory failure: 0x12f0a4c: recovery action for dirty LRU page: Recovered",
	};
	struct kmsg_hit h;
	char d[512];

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t n = strlen(lines[i]);
		enum kmsg_class full = cls(lines[i], &h);

		assert_int_not_equal(full, KC_NONE);
		for (size_t l = 0; l <= n; l++) {
			char *cut = malloc(l ? l : 1);	/* exactly l bytes: ASan sees any overread */
			enum kmsg_class c;

			memcpy(cut, lines[i], l);
			c = kmsg_classify(cut, l, &h);
			assert_true(c == KC_NONE || c == full);
			assert_non_null(memchr(h.name, '\0', sizeof(h.name)));
			assert_non_null(memchr(h.detail, '\0', sizeof(h.detail)));
			kmsg_hit_describe(&h, d, sizeof(d));
			free(cut);
		}
	}
	assert_int_equal(kmsg_classify(NULL, 0, &h), KC_NONE);
	assert_int_equal(kmsg_classify("", 0, &h), KC_NONE);
	{
		/* random bytes, and a huge line made of near-matches */
		size_t n = 1 << 20;
		char *g = malloc(n);
		unsigned x = 12345;

		for (size_t i = 0; i < n; i++)
			g[i] = (char)((x = x * 1103515245 + 12345) >> 16);
		(void)kmsg_classify(g, n, &h);
		for (size_t i = 0; i + 8 <= n; i += 8)
			memcpy(g + i, "EDAC MC[", 8);
		assert_int_equal(kmsg_classify(g, n, &h), KC_NONE);
		for (size_t i = 0; i + 4 <= n; i += 4)
			memcpy(g + i, "]: s", 4);
		assert_int_equal(kmsg_classify(g, n, &h), KC_NONE);
		/* a real message at the end of a megabyte */
		memset(g, 'x', n);
		memcpy(g + n - 40, "nf_conntrack: table full, dropping packet", 40);
		assert_int_equal(kmsg_classify(g, n, &h), KC_NONE);	/* cut: the last byte is missing */
		memcpy(g + n - 41, "nf_conntrack: table full, dropping packet", 41);
		assert_int_equal(kmsg_classify(g, n, &h), KC_CONNTRACK_FULL);
		free(g);
	}
	/* names longer than their field are cut, not overrun */
	{
		char big[400];

		memset(big, 'a', sizeof(big));
		memcpy(big + 300, "[77]: segfault at 0", 19);
		assert_int_equal(kmsg_classify(big, 319, &h), KC_SEGFAULT);
		assert_int_equal(strlen(h.name), sizeof(h.name) - 1);
		assert_int_equal(h.pid, 77);
	}
}

static struct kmsg_rec rec(unsigned prio, double secs, const char *text)
{
	struct kmsg_rec r = { .prio = prio, .usec = (uint64_t)(secs * 1e6), .text = text, .tlen = strlen(text) };

	return r;
}

static void accumulate(void **state)
{
	struct kmsg_classes *k = malloc(sizeof(*k));
	struct kmsg_rec r;
	const struct kmsg_class_stat *s;
	bool all;

	(void)state;
	kmsg_classes_init(k);
	r = rec(6, 10, "Linux version 6.1.0");
	kmsg_classes_add(k, &r, true);
	r = rec(6, 100, "cc1[812]: segfault at 0 ip 0 sp 0 error 4 in cc1[400000+1000]");
	kmsg_classes_add(k, &r, true);
	r = rec(6, 4950, "make[900]: segfault at 0 ip 0 sp 0 error 4 in libc.so.6[7f+1]");
	kmsg_classes_add(k, &r, true);
	/* user space writing the same to /dev/kmsg: facility LOG_USER */
	r = rec(8 + 0, 4990, "watchdog: BUG: soft lockup - CPU#0 stuck for 99s! [fake:1]");
	kmsg_classes_add(k, &r, true);
	r = rec(3, 4960, "EDAC MC0: 4 CE memory read error on DIMM_A1 (channel:0)");
	kmsg_classes_add(k, &r, true);
	r = rec(3, 4970, "I/O error, dev sda, sector 2048 op 0x0:(READ)");
	kmsg_classes_add(k, &r, true);
	r = rec(3, 4980, "I/O error, dev sda, sector 4096 op 0x0:(READ)");
	kmsg_classes_add(k, &r, false);	/* no timestamp: when unknown */
	r = rec(3, 4985, "ACPI Error: AE_NOT_FOUND, While resolving a named reference");
	kmsg_classes_add(k, &r, true);

	assert_true(kmsg_classes_valid(k));
	assert_int_equal(k->records, 8);
	assert_int_equal(k->user_records, 1);
	assert_int_equal(k->c[KC_SOFT_LOCKUP].records, 0);
	assert_int_equal(k->errors, 4);
	assert_int_equal(k->oldest_usec, 10000000);
	s = &k->c[KC_SEGFAULT];
	assert_int_equal(s->records, 2);
	assert_string_equal(s->last.name, "make");
	assert_int_equal(kmsg_stat_recent(s, 5000, 900, &all), 1);
	assert_true(all);
	assert_true(kmsg_stat_age(s, 5000) > 49.9 && kmsg_stat_age(s, 5000) < 50.1);
	assert_int_equal(kmsg_stat_recent(&k->c[KC_EDAC_CE], 5000, 900, NULL), 4);
	assert_int_equal(k->c[KC_EDAC_CE].events, 4);
	/* the io judge's view */
	s = kmsg_io_device(k, "sda");
	assert_non_null(s);
	assert_int_equal(s->records, 2);
	assert_int_equal(kmsg_stat_recent(s, 99999, 900, NULL), 1);	/* the untimed one */
	assert_true(kmsg_stat_age(s, 5000) < 0);			/* the newest is untimed */
	assert_null(kmsg_io_device(k, "sdb"));
	/* the newest errors and classified lines, newest first */
	assert_string_equal(kmsg_newest(k, 0)->text, "ACPI Error: AE_NOT_FOUND, While resolving a named reference");
	assert_int_equal(kmsg_newest(k, 0)->cls, KC_NONE);
	assert_int_equal(kmsg_newest(k, 1)->cls, KC_IO_ERROR);
	assert_int_equal(kmsg_newest(k, 1)->usec, UINT64_MAX);
	assert_int_equal(kmsg_newest(k, 4)->cls, KC_SEGFAULT);
	assert_string_equal(kmsg_newest(k, 4)->text, "make[900]: segfault at 0 ip 0 sp 0 error 4 in libc.so.6[7f+1]");
	assert_null(kmsg_newest(k, 5));

	/* more than the ring holds: a lower bound, said so */
	for (int i = 0; i < 100; i++) {
		r = rec(6, 4000 + i, "a[1]: segfault at 0 ip 0 sp 0 error 4");
		kmsg_classes_add(k, &r, true);
	}
	assert_int_equal(kmsg_stat_recent(&k->c[KC_SEGFAULT], 4200, 900, &all), KMSG_TIMES);
	assert_false(all);
	/* the ring holds 4068..4099: at 4990, those of 4090 s or later */
	assert_int_equal(kmsg_stat_recent(&k->c[KC_SEGFAULT], 4990, 900, &all), 10);
	assert_true(all);	/* an older one was seen: the count is exact */
	assert_int_equal(kmsg_stat_recent(&k->c[KC_SEGFAULT], 5000, 909.5, &all), 9);
	/* many devices: the table keeps the first, the rest are counted */
	for (int i = 0; i < 40; i++) {
		char t[80];

		snprintf(t, sizeof(t), "I/O error, dev sd%c%c, sector 1", 'a' + i / 26, 'a' + i % 26);
		r = rec(3, 10, t);
		kmsg_classes_add(k, &r, true);
	}
	assert_int_equal(k->nio, KMSG_IODEVS);
	assert_int_equal(k->io_untracked, 40 - (KMSG_IODEVS - 1));
	assert_true(kmsg_classes_valid(k));
	/* a damaged copy is refused */
	k->nio = 99;
	assert_false(kmsg_classes_valid(k));
	k->nio = KMSG_IODEVS;
	memset(k->newest[2].text, 'x', sizeof(k->newest[2].text));
	assert_false(kmsg_classes_valid(k));
	free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lockups),     cmocka_unit_test(hardware),
		cmocka_unit_test(network),     cmocka_unit_test(processes_and_disks),
		cmocka_unit_test(truncations_and_garbage), cmocka_unit_test(accumulate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
