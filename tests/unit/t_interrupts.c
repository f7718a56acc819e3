/* parse_interrupts over real snapshots and over every bad shape we know. */
#include "unit.h"
#include "irq.h"
#include "procfs.h"

static struct irq_row *row(struct irq_table *t, const char *name)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].name, name))
			return &t->rows[i];
	fail_msg("no row %s", name);
	return NULL;
}

static void parse_ok(const char *text, struct irq_table *t)
{
	struct sbx_err err;

	if (parse_interrupts(text, strlen(text), "t", t, &err) != 0)
		fail_msg("parse failed: %s", err.msg);
}

static void parse_bad(const char *text, size_t len, const char *want)
{
	struct irq_table t;
	struct sbx_err err;

	assert_int_equal(parse_interrupts(text, len, "/proc/interrupts", &t, &err), -1);
	assert_non_null(strstr(err.msg, "/proc/interrupts"));
	if (want && !strstr(err.msg, want))
		fail_msg("error '%s' lacks '%s'", err.msg, want);
}

/* node_exporter's x86 snapshot, old "chip-trigger" layout */
static void node_exporter_x86(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/interrupts", &len);
	struct irq_table t;
	struct sbx_err err;
	struct irq_row *r;

	(void)state;
	assert_int_equal(parse_interrupts(s, len, "interrupts", &t, &err), 0);
	assert_int_equal(t.ncpu, 4);
	r = row(&t, "16");
	assert_true(r->numeric);
	assert_string_equal(r->chip, "IR-IO-APIC");
	assert_string_equal(r->trigger, "fasteoi");
	assert_string_equal(r->devices, "ehci_hcd:usb1, mmc0");
	assert_int_equal(r->counts[3], 351412);
	r = row(&t, "NMI");
	assert_false(r->numeric);
	assert_int_equal(r->counts[1], 5031);
	assert_int_equal(r->counts[3], 4968);
	assert_string_equal(r->devices, "Non-maskable interrupts");
	r = row(&t, "ERR");
	assert_null(r->counts);
	assert_int_equal(r->ncounts, 1);
	assert_int_equal(r->total, 0);
	irq_table_free(&t);
	free(s);
}

/* procfs's snapshot: current "chip hwirq-trigger" layout, a blank line */
static void procfs_x86(void **state)
{
	size_t len;
	char *s = fixture("procfs/proc/interrupts", &len);
	struct irq_table t;
	struct sbx_err err;
	struct irq_row *r;

	(void)state;
	assert_int_equal(parse_interrupts(s, len, "interrupts", &t, &err), 0);
	r = row(&t, "0");
	assert_string_equal(r->chip, "IO-APIC");
	assert_string_equal(r->hwirq, "2");
	assert_string_equal(r->trigger, "edge");
	assert_string_equal(r->devices, "timer");
	assert_non_null(row(&t, "PIW"));
	irq_table_free(&t);
	free(s);
}

/* aarch64: "IPI0:2768808080 ..." has no space after the colon */
static void aarch64(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/interrupts_aarch64", &len);
	struct irq_table t;
	struct sbx_err err;
	struct irq_row *r;

	(void)state;
	assert_int_equal(parse_interrupts(s, len, "interrupts", &t, &err), 0);
	assert_int_equal(t.ncpu, 8);
	r = row(&t, "IPI0");
	assert_int_equal(r->counts[0], 2768808080ULL);
	assert_string_equal(r->devices, "Rescheduling interrupts");
	r = row(&t, "10");
	assert_string_equal(r->chip, "GICv3");
	assert_string_equal(r->hwirq, "27");
	assert_string_equal(r->trigger, "Level");
	assert_string_equal(r->devices, "arch_timer");
	irq_table_free(&t);
	free(s);
}

/* offline CPUs: columns are CPU ids from the header, not positions */
static void offline_cpus(void **state)
{
	struct irq_table a, b;
	uint64_t d[3];
	const char *why;

	(void)state;
	parse_ok("     CPU0  CPU3  CPU7\n 5:  10  20  30  IO-APIC 5-edge eth0\n", &a);
	assert_int_equal(a.cpu[2], 7);
	assert_int_equal(irq_table_col(&a, 3), 1);
	assert_int_equal(irq_table_col(&a, 1), -1);
	/* CPU3 went offline and CPU1 came online between samples */
	parse_ok("     CPU0  CPU1  CPU7\n 5:  15  4  33  IO-APIC 5-edge eth0\n", &b);
	assert_true(irq_row_delta(&b, 0, &a, d, &why));
	assert_int_equal(d[0], 5);
	assert_int_equal(d[1], 4);
	assert_int_equal(d[2], 3);
	irq_table_free(&a);
	irq_table_free(&b);
}

static void named_rows(void **state)
{
	struct irq_table t;

	(void)state;
	parse_ok("   CPU0 CPU1\nFIQ:  usb_fiq\nERR:  3\nMIS: 0\n"
		 "99: 18446744073709551615 0 xen-dyn -event xenbus, a b\n",
		 &t);
	assert_int_equal(row(&t, "FIQ")->ncounts, 0);
	assert_string_equal(row(&t, "FIQ")->devices, "usb_fiq");
	assert_int_equal(row(&t, "ERR")->total, 3);
	assert_int_equal(row(&t, "99")->counts[0], UINT64_MAX);
	irq_table_free(&t);
}

static void bad_inputs(void **state)
{
	(void)state;
	parse_bad("", 0, "empty");
	parse_bad("\n\n", 2, "empty");
	parse_bad("garbage\n", 8, "header");
	parse_bad("CPU0 CPU1\nthis is not interrupts\n", 33, "expected");
	parse_bad("CPU0 CPU1\n 5: 1\n", 16, "1 counters for 2 CPUs");
	parse_bad("CPU0\n 5: 184467440737095516160 x\n", 32, "out of range");
	parse_bad("CPU0 CPU1\n 5: 1 2 x\0y\n", 22, "binary");
	/* cut mid-line, as a full disk or a killed writer leaves it */
	parse_bad("  CPU0 CPU1\n 5:  100  2", 23, "truncated");
	parse_bad("  CPU0 CPU1\n 5:  100", 20, "truncated");
}

/* Every prefix of a real file parses or fails cleanly (ASan watches). */
static void every_truncation(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/interrupts", &len);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		char *c = xstrndup(s, n);
		struct irq_table t;
		struct sbx_err err;

		if (parse_interrupts(c, n, "i", &t, &err) == 0)
			irq_table_free(&t);
		free(c);
	}
	free(s);
}

/* 4096 CPUs, the largest the header parser is asked to handle. */
static void many_cpus(void **state)
{
	struct buf b = { 0 };
	struct irq_table t;
	struct sbx_err err;

	(void)state;
	for (int c = 0; c < 4096; c++)
		buf_addf(&b, " CPU%d", c);
	buf_adds(&b, "\n 1:");
	for (int c = 0; c < 4096; c++)
		buf_addf(&b, " %d", c);
	buf_adds(&b, " PCI-MSI 1-edge big\n");
	assert_int_equal(parse_interrupts(b.s, b.len, "i", &t, &err), 0);
	assert_int_equal(t.ncpu, 4096);
	assert_int_equal(t.rows[0].counts[4095], 4095);
	assert_int_equal(t.rows[0].total, 4095 * 4096 / 2);
	irq_table_free(&t);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_exporter_x86), cmocka_unit_test(procfs_x86),
		cmocka_unit_test(aarch64),	     cmocka_unit_test(offline_cpus),
		cmocka_unit_test(named_rows),	     cmocka_unit_test(bad_inputs),
		cmocka_unit_test(every_truncation),  cmocka_unit_test(many_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
