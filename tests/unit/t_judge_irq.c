/* judge_irq over two parsed snapshots: exact numbers, states and texts. */
#include "unit.h"
#include "report.h"
#include "check.h"
#include "irq.h"
#include "judge_irq.h"
#include "procfs.h"

#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void snap(struct irq_snap *s, const char *hard, const char *soft, const char *stat,
		 double when, double uptime)
{
	struct sbx_err err;

	memset(s, 0, sizeof(*s));
	s->ok = true;
	s->when = when;
	s->uptime = uptime;
	if (parse_interrupts(hard, strlen(hard), "interrupts", &s->hard, &err) < 0)
		fail_msg("%s", err.msg);
	if (soft) {
		if (parse_interrupts(soft, strlen(soft), "softirqs", &s->soft, &err) < 0)
			fail_msg("%s", err.msg);
		s->have_soft = true;
	} else {
		sbx_err_set(&s->soft_err, 2, "/x/proc/softirqs: missing");
	}
	if (stat) {
		/* the kernel prints ctxt after the CPU lines since 2.6 */
		char *full = xasprintf("%sintr 1\nctxt 1\nbtime 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n", stat);

		if (parse_stat(full, strlen(full), "stat", &s->stat, &err) < 0)
			fail_msg("%s", err.msg);
		free(full);
		s->have_stat = true;
	} else {
		sbx_err_set(&s->stat_err, 2, "/x/proc/stat: missing");
	}
}

static void want(const struct sbx_report *r, const char *check, enum sbx_state st,
		 const char *text_has)
{
	const struct sbx_finding *f = find_check(r, check);

	if (f->state != st)
		fail_msg("%s: state %s, want %s: %s", check, state_name(f->state), state_name(st),
			 f->text);
	if (text_has && !strstr(f->text, text_has))
		fail_msg("%s: '%s' lacks '%s'", check, f->text, text_has);
}

static void put(const char *rel, const char *text)
{
	char path[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/t_judge_irq.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	root_set(root);
	check_reset();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* An idle 2-vCPU virtio VM since boot: each single vector on one CPU, the
 * CPUs idle.  Nothing to say but OK. */
static void idle_virtio_vm(void **state)
{
	struct irq_snap s;
	struct sbx_report *r = report_new("t");
	const struct sbx_finding *f;

	(void)state;
	snap(&s,
	     "           CPU0       CPU1\n"
	     " 24:          0          0 PCI-MSIX-0000:00:01.0 0-edge virtio0-config\n"
	     " 25:       5000          0 PCI-MSIX-0000:00:01.0 1-edge virtio0-input.0\n"
	     " 26:       3000          0 PCI-MSIX-0000:00:01.0 2-edge virtio0-output.0\n"
	     " 27:     200000          0 PCI-MSIX-0000:00:02.0 1-edge virtio1-req.0\n"
	     "LOC:     100000     100000   Local timer interrupts\n",
	     "                    CPU0       CPU1\n"
	     "      NET_TX:         10         20\n"
	     "      NET_RX:       5000          0\n",
	     "cpu  6000 0 3000 194000 0 10 400 0 0 0\n"
	     "cpu0 3000 0 1790 95000 0 10 200 0 0 0\n"
	     "cpu1 3000 0 1210 99000 0 0 200 0 0 0\n",
	     1, 1000);
	judge_irq(r, &s, NULL, IRQ_MIN_RATE);
	assert_int_equal(r->nfind, 3);
	want(r, "irq", ST_OK, "CPU0 spends 0.2% in hardirq+softirq");
	f = find_check(r, "irq");
	assert_true(f->has_value && f->value > 0.209 && f->value < 0.211);	/* 210 of 100000 ticks */
	want(r, "irq_queues", ST_OK, "no device with 2+ busy queues at 100/s or more");
	want(r, "irq_net", ST_OK, "NET_RX 5/s (100% on CPU0)");
	assert_int_equal(report_state(r), ST_OK);
	report_free(r);
	irq_snap_free(&s);
}

static const char nic_prev[] =
	"           CPU0       CPU1\n"
	" 40:          0          0 PCI-MSI 1-edge eth0-TxRx-0\n"
	" 41:          0          0 PCI-MSI 2-edge eth0-TxRx-1\n"
	" 42:          0          0 PCI-MSI 3-edge eth0-TxRx-2\n"
	" 43:          0          0 PCI-MSI 4-edge eth0-TxRx-3\n"
	" 44:         10         10 PCI-MSI 5-edge ahci[0000:00:1f.2]\n";
static const char nic_cur[] =
	"           CPU0       CPU1\n"
	" 40:      10000          0 PCI-MSI 1-edge eth0-TxRx-0\n"
	" 41:      12000          0 PCI-MSI 2-edge eth0-TxRx-1\n"
	" 42:       9000          0 PCI-MSI 3-edge eth0-TxRx-2\n"
	" 43:       9000          0 PCI-MSI 4-edge eth0-TxRx-3\n"
	" 44:        210         10 PCI-MSI 5-edge ahci[0000:00:1f.2]\n";
static const char soft_prev[] = " CPU0 CPU1\n NET_TX: 0 0\n NET_RX: 0 0\n";
static const char soft_cur[] = " CPU0 CPU1\n NET_TX: 100 0\n NET_RX: 50000 10\n";
static const char stat_prev[] = "cpu 0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\n";
/* 2 s at USER_HZ 100: CPU0 5% hardirq + 60% softirq, CPU1 95% idle */
static const char stat_cur[] = "cpu 46 0 24 200 0 10 120 0 0 0\n"
			       "cpu0 40 0 20 10 0 10 120 0 0 0\n"
			       "cpu1 6 0 4 190 0 0 0 0 0 0\n";

/* A NIC whose four queues collapsed onto CPU0, which spends 65% of its
 * time in interrupts while CPU1 idles: all three checks flag it, naming
 * the device and the CPU. */
static void nic_collapsed(void **state)
{
	struct irq_snap a, b;
	struct sbx_report *r = report_new("t");
	const struct sbx_finding *f;

	(void)state;
	for (int irq = 40; irq <= 43; irq++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "proc/irq/%d/smp_affinity_list", irq);
		put(rel, "0-1\n");
		snprintf(rel, sizeof(rel), "proc/irq/%d/effective_affinity_list", irq);
		put(rel, "0\n");
	}
	snap(&a, nic_prev, soft_prev, stat_prev, 10, 100);
	snap(&b, nic_cur, soft_cur, stat_cur, 12, 102);
	judge_irq(r, &b, &a, IRQ_MIN_RATE);
	want(r, "irq", ST_WARNING,
	     "interrupt time: CPU0 spends 65.0% in hardirq+softirq (hardirq 5.0%, softirq 60.0%) "
	     "while CPU1 is 95% idle; on CPU0: eth0 (4 vectors) 20000/s, ahci[0000:00:1f.2] 100/s; "
	     "NET_TX 50/s, NET_RX 25000/s");
	f = find_check(r, "irq");
	assert_true(f->value > 64.99 && f->value < 65.01);
	assert_string_equal(f->label, "irq");
	want(r, "irq_queues", ST_WARNING,
	     "IRQ queues: eth0's 4 queues put 100% of 20000/s on CPU0 (smp_affinity_list 0-1, "
	     "effective 0); irqbalance is not running");
	assert_true(find_check(r, "irq_queues")->value == 1);
	want(r, "irq_net", ST_CRITICAL,
	     "network softirqs: NET_RX puts 100% of 25005/s on CPU0, which spends 60.0% in softirq "
	     "while CPU1 is 95% idle; on CPU0: eth0 (4 vectors)");
	assert_int_equal(report_state(r), ST_CRITICAL);
	report_free(r);

	/* -w/-c move the verdicts, the readings stay */
	assert_true(check_set(CHK_IRQ, false, "70"));
	assert_true(check_set(CHK_IRQ_NET, true, "61"));
	r = report_new("t");
	judge_irq(r, &b, &a, IRQ_MIN_RATE);
	want(r, "irq", ST_OK, "CPU0 spends 65.0%");
	want(r, "irq_net", ST_WARNING, NULL);
	report_free(r);
	check_reset();

	/* above --min-rate 30000 the NIC and NET_RX are too quiet to judge */
	r = report_new("t");
	judge_irq(r, &b, &a, 30000);
	want(r, "irq_queues", ST_OK, "no device with 2+ busy queues at 30000/s or more");
	want(r, "irq_net", ST_OK, "none at 30000/s or more");
	want(r, "irq", ST_WARNING, NULL);
	report_free(r);
	irq_snap_free(&a);
	irq_snap_free(&b);
}

/* Queues pinned to CPU0 by smp_affinity_list are the admin's choice: said,
 * not flagged.  The same queues with CPU1 busy too: the node is busy, not
 * unbalanced. */
static void pinned_and_busy(void **state)
{
	static const char busy[] = "cpu 190 0 60 9 0 10 126 0 0 0\n"
				   "cpu0 40 0 20 5 0 10 120 0 0 0\n"
				   "cpu1 150 0 40 4 0 0 6 0 0 0\n";
	struct irq_snap a, b;
	struct sbx_report *r = report_new("t");

	(void)state;
	for (int irq = 40; irq <= 43; irq++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "proc/irq/%d/smp_affinity_list", irq);
		put(rel, "0\n");
	}
	snap(&a, nic_prev, soft_prev, stat_prev, 10, 100);
	snap(&b, nic_cur, soft_cur, busy, 12, 102);
	judge_irq(r, &b, &a, IRQ_MIN_RATE);
	want(r, "irq_queues", ST_OK, "eth0's 4 queues are on CPU0 as configured (smp_affinity_list 0");
	want(r, "irq", ST_OK, "but no CPU is idle (the most idle, CPU1, is 2% idle)");
	assert_true(find_check(r, "irq")->has_value);
	want(r, "irq_net", ST_OK, "but no other CPU is idle");
	report_free(r);
	irq_snap_free(&a);
	irq_snap_free(&b);
}

/* Counters that go backwards, rows that appear, CPUs that come online:
 * unknown with the reason, never 0 or huge. */
static void backwards_and_hotplug(void **state)
{
	static const char hard_back[] =
		"           CPU0       CPU1\n"
		" 40:       5000          0 PCI-MSI 1-edge eth0-TxRx-0\n"
		" 41:      12000          0 PCI-MSI 2-edge eth0-TxRx-1\n";
	static const char hard_prev2[] =
		"           CPU0       CPU1\n"
		" 40:       9000          0 PCI-MSI 1-edge eth0-TxRx-0\n"
		" 41:          0          0 PCI-MSI 2-edge eth0-TxRx-1\n";
	static const char stat_back[] = "cpu 0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n"
					"cpu1 0 0 0 0 0 0 0 0 0 0\n";
	static const char stat_prev_hi[] = "cpu 0 0 0 0 0 0 0 0 0 0\ncpu0 9 0 0 0 0 0 0 0 0 0\n"
					   "cpu1 0 0 0 0 0 0 0 0 0 0\n";
	struct irq_snap a, b;
	struct sbx_report *r = report_new("t");

	(void)state;
	snap(&a, hard_prev2, " CPU0 CPU1\n NET_RX: 900 0\n", stat_prev_hi, 10, 100);
	snap(&b, hard_back, " CPU0 CPU1\n NET_RX: 100 0\n", stat_back, 11, 101);
	judge_irq(r, &b, &a, IRQ_MIN_RATE);
	want(r, "irq_queues", ST_UNKNOWN, "eth0: IRQ 40 (eth0-TxRx-0): counter went backwards");
	want(r, "irq_net", ST_UNKNOWN, "NET_RX: counter went backwards");
	want(r, "irq", ST_UNKNOWN, "its user counter went backwards");
	report_free(r);
	irq_snap_free(&a);
	irq_snap_free(&b);

	/* CPU1 came online: its share is unknown, CPU0's stands */
	r = report_new("t");
	snap(&a, " CPU0\n 40: 0 PCI-MSI 1-edge x\n", NULL, "cpu 0 0 0 0\ncpu0 0 0 0 0 0 0 0\n", 10,
	     100);
	snap(&b, " CPU0 CPU1\n 40: 5 5 PCI-MSI 1-edge x\n", NULL,
	     "cpu 0 0 0 0\ncpu0 10 0 0 90 0 0 0\ncpu1 1 0 0 9 0 0 0\n", 11, 101);
	judge_irq(r, &b, &a, IRQ_MIN_RATE);
	want(r, "irq", ST_UNKNOWN, "1 unknown (CPU1: came online during the interval)");
	want(r, "irq_net", ST_UNKNOWN, "/x/proc/softirqs: missing");
	report_free(r);
	irq_snap_free(&a);
	irq_snap_free(&b);
}

/* CPU0 deep in interrupts: with CPU1's share unknown nobody can say
 * whether it could take them; with one CPU online there is none. */
static void no_other_cpu(void **state)
{
	static const char hard[] = " CPU0 CPU1\n 40: 5 5 PCI-MSI 1-edge x\n";
	struct irq_snap a, b;
	struct sbx_report *r = report_new("t");

	(void)state;
	snap(&a, hard, soft_prev, "cpu 0 0 0 0\ncpu0 0 0 0 0 0 0 0\ncpu1 50 0 0 0 0 0 0\n", 10,
	     100);
	snap(&b, hard, soft_prev, "cpu 0 0 0 0\ncpu0 5 0 5 0 0 10 80\ncpu1 10 0 0 90 0 0 0\n", 11,
	     101);
	judge_irq(r, &b, &a, IRQ_MIN_RATE);
	want(r, "irq", ST_UNKNOWN,
	     "CPU0 spends 90.0% in hardirq+softirq (hardirq 10.0%, softirq 80.0%); whether another "
	     "CPU is idle is unknown (CPU1: its user counter went backwards (50 to 10))");
	report_free(r);
	irq_snap_free(&a);
	irq_snap_free(&b);
	r = report_new("t");
	snap(&a, " CPU0\n 40: 5 PCI-MSI 1-edge x\n", " CPU0\n NET_RX: 0\n",
	     "cpu 0 0 0 0\ncpu0 0 0 0 0 0 0 0\n", 10, 100);
	snap(&b, " CPU0\n 40: 5 PCI-MSI 1-edge x\n", " CPU0\n NET_RX: 5000\n",
	     "cpu 0 0 0 0\ncpu0 5 0 5 0 0 10 80\n", 11, 101);
	judge_irq(r, &b, &a, IRQ_MIN_RATE);
	want(r, "irq", ST_OK, "the only CPU online: there is no other to move them to");
	assert_true(find_check(r, "irq")->has_value && find_check(r, "irq")->value == 90);
	want(r, "irq_queues", ST_OK, "one CPU online: nothing to spread");
	want(r, "irq_net", ST_OK, "NET_RX 5000/s (100% on CPU0); none at 100/s or more");
	report_free(r);
	irq_snap_free(&a);
	irq_snap_free(&b);
}

/* No /proc/stat, no uptime, no /proc/interrupts: each check UNKNOWN. */
static void unreadable(void **state)
{
	struct irq_snap s;
	struct sbx_report *r = report_new("t");

	(void)state;
	snap(&s, " CPU0 CPU1\n 40: 5 5 PCI-MSI 1-edge x\n", " CPU0 CPU1\n NET_RX: 1 1\n", NULL, 1,
	     -1);
	judge_irq(r, &s, NULL, IRQ_MIN_RATE);
	want(r, "irq", ST_UNKNOWN, "interrupt time: /x/proc/stat: missing");
	want(r, "irq_queues", ST_UNKNOWN, "no rates since boot");
	want(r, "irq_net", ST_UNKNOWN, "no rates since boot");
	report_free(r);
	irq_snap_free(&s);
	memset(&s, 0, sizeof(s));
	sbx_err_set(&s.err, 2, "/x/proc/interrupts: missing");
	r = report_new("t");
	judge_irq(r, &s, NULL, IRQ_MIN_RATE);
	assert_int_equal(r->nfind, 3);
	want(r, "irq", ST_UNKNOWN, "/x/proc/interrupts: missing");
	want(r, "irq_queues", ST_UNKNOWN, "/x/proc/interrupts: missing");
	report_free(r);
}

static void queue_names(void **state)
{
	static const struct {
		const char *in, *dev;
		int queue;	/* -1: not a queue vector */
	} cases[] = {
		{ "virtio0-input.3", "virtio0", 3 },
		{ "virtio0-output.3", "virtio0", 3 },
		{ "virtio1-req.0", "virtio1", 0 },
		{ "eth0-TxRx-7", "eth0", 7 },
		{ "i40e-eth0-TxRx-7", "i40e-eth0", 7 },
		{ "eth0-Tx-Rx-2", "eth0", 2 },
		{ "eth0-rx-1", "eth0", 1 },
		{ "eth0-q1-rx", "eth0", 1 },
		{ "nvme0q2", "nvme0", 2 },
		{ "mlx5_comp5@pci:0000:3b:00.0", "mlx5_comp@pci:0000:3b:00.0", 5 },
		{ "iwlwifi: queue 2", "iwlwifi", 2 },
		{ "hns3-0000:7d:00.0-TxRx-0", "hns3-0000:7d:00.0", 0 },
		{ "virtio0-config", NULL, -1 },
		{ "virtio3-rx", NULL, -1 },
		{ "rtc0", NULL, -1 },
		{ "i8042", NULL, -1 },
		{ "ehci_hcd:usb1", NULL, -1 },
		{ "ehci_hcd:usb1, mmc0", NULL, -1 },
		{ "ahci[0000:00:1f.2]", NULL, -1 },
		{ "", NULL, -1 },
	};
	char dev[128];
	unsigned q;

	(void)state;
	assert_false(irq_queue_of(NULL, dev, sizeof(dev), &q));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bool is = irq_queue_of(cases[i].in, dev, sizeof(dev), &q);

		if (is != (cases[i].queue >= 0))
			fail_msg("'%s': queue %s", cases[i].in, is ? dev : "none");
		if (is) {
			assert_string_equal(dev, cases[i].dev);
			assert_int_equal(q, cases[i].queue);
		}
	}
}

/* s390x: EXT, I/O and AIO are the sums of their detail rows. */
static void s390x_classes(void **state)
{
	size_t len;
	char *text = fixture("irq/s390x/proc/interrupts", &len);
	struct irq_table t;
	struct sbx_err err;
	uint64_t sum = 0, classes = 0;

	(void)state;
	assert_int_equal(parse_interrupts(text, len, "interrupts", &t, &err), 0);
	for (size_t i = 0; i < t.nrows; i++) {
		if (!t.rows[i].counts)
			continue;
		if (irq_row_counted(&t, i))
			sum += t.rows[i].total;
		if (!strcmp(t.rows[i].name, "EXT") || !strcmp(t.rows[i].name, "I/O") ||
		    !strcmp(t.rows[i].name, "AIO"))
			classes += t.rows[i].total;
		if (t.rows[i].devices && t.rows[i].devices[0] == '[' &&
		    strncmp(t.rows[i].devices, "[NMI]", 5) && strncmp(t.rows[i].devices, "[CPU]", 5))
			assert_false(irq_row_counted(&t, i));
	}
	/* the classes plus the standalone [NMI] and [CPU] rows */
	assert_true(classes > 0);
	assert_true(sum == classes + 7 + 2);
	irq_table_free(&t);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idle_virtio_vm), cmocka_unit_test(nic_collapsed),
		cmocka_unit_test(pinned_and_busy), cmocka_unit_test(backwards_and_hotplug),
		cmocka_unit_test(unreadable),	  cmocka_unit_test(queue_names),
		cmocka_unit_test(s390x_classes),  cmocka_unit_test(no_other_cpu),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
