/* Kernel messages into classes.  Every pattern is the kernel's own format
 * string (the file that prints it is named at each), in the forms of old and
 * new kernels; node-problem-detector's config/kernel-monitor.json matches a
 * few of the same ("CE memory read error", "task ... blocked").  Matching is
 * by fixed substrings, never regular expressions: cheap on a log storm and
 * total on any bytes. */
#include "kmsgclass.h"

#include <stdio.h>
#include <string.h>

static const char *find(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	if (m == 0 || m > n)
		return NULL;
	for (const char *p = s, *end = s + n - m + 1; p < end; p++) {
		p = memchr(p, needle[0], (size_t)(end - p));
		if (!p)
			return NULL;
		if (!memcmp(p, needle, m))
			return p;
	}
	return NULL;
}

/* Copy [p, q) into out (cut to fit), NUL-terminated. */
static void copy(char *out, size_t n, const char *p, const char *q)
{
	size_t l = q > p ? (size_t)(q - p) : 0;

	if (l >= n)
		l = n - 1;
	memcpy(out, p, l);
	out[l] = '\0';
}

/* A decimal at p (before end); -1 when none or too big. */
static int64_t num_at(const char *p, const char *end)
{
	uint64_t v;

	if (p >= end || !is_digit(*p) || !scan_u64(&p, end, &v) || v > INT32_MAX)
		return -1;
	return (int64_t)v;
}

/* The token that ends just before p (spaces before p skipped, a ':' at its
 * end dropped): "eth0" in "ixgbe 0000:01:00.0 eth0: NIC Link is Down". */
static void token_before(const char *start, const char *p, char *out, size_t n)
{
	const char *e = p, *b;

	while (e > start && e[-1] == ' ')
		e--;
	if (e > start && e[-1] == ':')
		e--;
	b = e;
	while (b > start && b[-1] != ' ')
		b--;
	copy(out, n, b, e);
}

/* The token at p, up to a space or one of stop. */
static const char *token_at(const char *p, const char *end, const char *stop, char *out, size_t n)
{
	const char *q = p;

	while (q < end && *q != ' ' && !strchr(stop, *q))
		q++;
	copy(out, n, p, q);
	return q;
}

/* An interface name as the kernel allows it (IFNAMSIZ, no '/' or spaces). */
static bool ifname_ok(const char *s)
{
	size_t l = strlen(s);

	return l > 0 && l < 16 && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* "comm:pid" inside the soft lockup's brackets: the pid after the last ':'
 * (a comm may hold ':' itself, "kworker/3:1"). */
static void comm_pid(const char *b, const char *e, struct kmsg_hit *h)
{
	const char *c = e;

	while (c > b && c[-1] != ':')
		c--;
	if (c == b)
		return;
	h->pid = num_at(c, e);
	if (h->pid < 0)
		h->pid = 0;
	copy(h->name, sizeof(h->name), b, c - 1);
}

/* kernel/watchdog.c (watchdog_timer_fn): pr_emerg("BUG: soft lockup -
 * CPU#%d stuck for %us! [%s:%d]\n") with pr_fmt "watchdog: " since 4.15
 * (older: "BUG: soft lockup - CPU#%d stuck for %us! [%s:%d]"). */
static bool soft_lockup(const char *t, const char *end, struct kmsg_hit *h)
{
	const char *p = find(t, (size_t)(end - t), "BUG: soft lockup - CPU#"), *s, *b, *e;

	if (!p)
		return false;
	p += strlen("BUG: soft lockup - CPU#");
	h->cpu = (int32_t)num_at(p, end);
	if ((s = find(p, (size_t)(end - p), " stuck for "))) {
		const char *q = s + strlen(" stuck for "), *r = q;

		while (r < end && is_digit(*r))
			r++;
		if (r > q && r < end && *r == 's')
			snprintf(h->detail, sizeof(h->detail), "stuck for %.*ss", (int)(r - q), q);
		/* the task running on that CPU: "[comm:pid]", the last bracket */
		b = memchr(s, '[', (size_t)(end - s));
		e = b ? memchr(b, ']', (size_t)(end - b)) : NULL;
		if (b && e)
			comm_pid(b + 1, e, h);
	}
	return true;
}

/* kernel/watchdog_perf.c / watchdog_hld.c: pr_emerg("Watchdog detected hard
 * LOCKUP on cpu %d\n") (6.7+ kernel/watchdog.c: "CPU%u: Watchdog detected
 * hard LOCKUP on cpu %u"); with hardlockup_panic: "Kernel panic - not
 * syncing: Hard LOCKUP". */
static bool hard_lockup(const char *t, const char *end, struct kmsg_hit *h)
{
	const char *p = find(t, (size_t)(end - t), "Watchdog detected hard LOCKUP on cpu ");

	if (p) {
		h->cpu = (int32_t)num_at(p + strlen("Watchdog detected hard LOCKUP on cpu "), end);
		return true;
	}
	return find(t, (size_t)(end - t), "not syncing: Hard LOCKUP") != NULL;
}

/* kernel/rcu/tree_stall.h: pr_err("INFO: %s self-detected stall on CPU"),
 * pr_err("INFO: %s detected stalls on CPUs/tasks:"), "INFO: %s detected
 * expedited stalls on CPUs/tasks: {" (tree_exp.h), and "%s kthread starved
 * for %ld jiffies!" -- with pr_fmt "rcu: " since 4.20; before that the CPUs
 * followed on the same line: "{ 3}  (t=60000 jiffies ...)". */
static bool rcu_stall(const char *t, const char *end, struct kmsg_hit *h)
{
	size_t n = (size_t)(end - t);
	const char *p = find(t, n, "INFO: rcu"), *b;

	if (!p) {
		p = find(t, n, "rcu_");
		if (p && (find(p, (size_t)(end - p), " kthread starved for ") ||
			  find(p, (size_t)(end - p), " kthread timer wakeup didn't happen")))
			return true;
		return false;
	}
	if (!find(p, (size_t)(end - p), " self-detected stall on CPU") &&
	    !find(p, (size_t)(end - p), " detected stalls on CPUs/tasks") &&
	    !find(p, (size_t)(end - p), " detected expedited stalls on CPUs/tasks"))
		return false;
	if ((b = memchr(p, '{', (size_t)(end - p)))) {
		b++;
		while (b < end && *b == ' ')
			b++;
		h->cpu = (int32_t)num_at(b, end);
	}
	return true;
}

/* arch/x86/kernel/cpu/mce/core.c (pr_fmt "mce: ", HW_ERR "[Hardware
 * Error]: "): "CPU %d: Machine Check%s: %Lx Bank %d: %016Lx" (one per
 * event), "Machine check events logged" (mce_notify_irq), the fatal
 * "Machine check: Processor context corrupt" / "Fatal machine check" /
 * "Fatal local machine check", and "Uncorrected hardware memory error in
 * user-access at %llx" (kill_me_maybe).  drivers/acpi/apei/ghes.c and
 * drivers/firmware/efi/cper.c: "{1}[Hardware Error]: event severity:
 * corrected|recoverable|fatal".  mm/memory-failure.c (pr_fmt "Memory
 * failure: "): "%#lx: recovery action for %s: %s" -- a poisoned page. */
static enum kmsg_class mce(const char *t, const char *end, struct kmsg_hit *h)
{
	size_t n = (size_t)(end - t);
	const char *p;

	if (find(t, n, "Uncorrected hardware memory error") ||
	    find(t, n, "Machine check: Processor context corrupt") ||
	    find(t, n, "Fatal machine check") || find(t, n, "Fatal local machine check")) {
		snprintf(h->detail, sizeof(h->detail), "uncorrected");
		return KC_MCE_FATAL;
	}
	if (n > 16 && !memcmp(t, "Memory failure: ", 16) && find(t, n, ": recovery action for ")) {
		snprintf(h->detail, sizeof(h->detail), "memory failure");
		return KC_MCE_FATAL;
	}
	if ((p = find(t, n, "[Hardware Error]: event severity: "))) {
		p += strlen("[Hardware Error]: event severity: ");
		if ((size_t)(end - p) >= 9 && !memcmp(p, "corrected", 9)) {
			snprintf(h->detail, sizeof(h->detail), "APEI corrected");
			return KC_MCE;
		}
		if (((size_t)(end - p) >= 11 && !memcmp(p, "recoverable", 11)) ||
		    ((size_t)(end - p) >= 5 && !memcmp(p, "fatal", 5))) {
			token_at(p, end, "", h->detail, sizeof(h->detail));
			return KC_MCE_FATAL;
		}
		return KC_NONE;
	}
	if (n < 5 || memcmp(t, "mce: ", 5))
		return KC_NONE;
	if (find(t, n, "[Hardware Error]: Machine check events logged"))
		return KC_MCE;
	if ((p = find(t, n, "[Hardware Error]: CPU ")) && find(p, (size_t)(end - p), ": Machine Check")) {
		h->cpu = (int32_t)num_at(p + strlen("[Hardware Error]: CPU "), end);
		return KC_MCE;
	}
	return KC_NONE;
}

/* drivers/edac/edac_mc.c: edac_mc_printk() prefixes "EDAC MC%d: ";
 * edac_ce_error/edac_ue_error print "%d CE %s%son %s (%s %s - %s)" and
 * "%d UE ..." (3.x: "CE page 0x%lx, offset ...", "UE row %d, ...", "CE -
 * no information available: %s").  node-problem-detector matches "CE
 * memory read error". */
static enum kmsg_class edac(const char *t, const char *end, struct kmsg_hit *h)
{
	const char *p = find(t, (size_t)(end - t), "EDAC "), *q, *o;
	int64_t mc, cnt = 1;

	if (!p)
		return KC_NONE;
	p = find(p, (size_t)(end - p), "MC");
	if (!p || (mc = num_at(p + 2, end)) < 0)
		return KC_NONE;
	q = p + 2;
	while (q < end && is_digit(*q))
		q++;
	if (end - q < 2 || q[0] != ':' || q[1] != ' ')
		return KC_NONE;
	q += 2;
	if (q < end && is_digit(*q)) {
		cnt = num_at(q, end);
		while (q < end && is_digit(*q))
			q++;
		if (q < end && *q == ' ')
			q++;
	}
	if (end - q < 3 || q[1] != 'E' || (q[2] != ' ' && q[2] != '-') || (q[0] != 'C' && q[0] != 'U'))
		return KC_NONE;
	snprintf(h->name, sizeof(h->name), "MC%lld", (long long)mc);
	h->count = cnt > 0 ? (uint32_t)cnt : 1;
	/* the DIMM: "... on DIMM_A1 (channel:..." */
	if ((o = find(q, (size_t)(end - q), " on "))) {
		o += 4;
		token_at(o, end, "(", h->detail, sizeof(h->detail));
	}
	return q[0] == 'C' ? KC_EDAC_CE : KC_EDAC_UE;
}

/* net/sched/sch_generic.c (dev_watchdog): WARN_ONCE(1, "NETDEV WATCHDOG:
 * %s (%s): transmit queue %u timed out\n", dev->name, driver) (6.5+: "...
 * timed out %u ms"); since 6.7 netdev_crit(dev, "NETDEV WATCHDOG: CPU: %d:
 * transmit queue %u timed out %u ms"), the device named first: "virtio_net
 * virtio0 eth0: NETDEV WATCHDOG: CPU: 1: ...".  Intel's e1000e, igb and
 * ixgbe say "Detected Tx Unit Hang" (netdev_err: "<drv> <pci> eth0: ..."). */
static bool tx_timeout(const char *t, const char *end, struct kmsg_hit *h)
{
	const char *p = find(t, (size_t)(end - t), "NETDEV WATCHDOG: "), *q;

	if (!p) {
		p = find(t, (size_t)(end - t), "Detected Tx Unit Hang");
		if (!p)
			return false;
		token_before(t, p, h->name, sizeof(h->name));
		if (!ifname_ok(h->name))
			h->name[0] = '\0';
		snprintf(h->detail, sizeof(h->detail), "Tx Unit Hang");
		return true;
	}
	if (!find(p, (size_t)(end - p), " timed out"))
		return false;
	q = p + strlen("NETDEV WATCHDOG: ");
	if ((size_t)(end - q) >= 4 && !memcmp(q, "CPU:", 4)) {
		token_before(t, p, h->name, sizeof(h->name));	/* the netdev_crit prefix */
	} else {
		q = token_at(q, end, ":", h->name, sizeof(h->name));
		if (end - q > 2 && q[0] == ' ' && q[1] == '(') {
			const char *c = memchr(q, ')', (size_t)(end - q));

			if (c)
				copy(h->detail, sizeof(h->detail), q + 2, c);
		}
	}
	if (!ifname_ok(h->name))
		h->name[0] = '\0';
	if ((q = find(p, (size_t)(end - p), "transmit queue "))) {
		int64_t qn = num_at(q + strlen("transmit queue "), end);

		if (qn >= 0 && !h->detail[0])
			snprintf(h->detail, sizeof(h->detail), "queue %lld", (long long)qn);
	}
	return true;
}

/* A link lost: the Intel and Broadcom drivers' netdev_info/_err "NIC Link
 * is Down" (e1000e/netdev.c, igb_main.c, ixgbe_main.c, i40e, ice, bnxt),
 * phylib's phy_print_status() netdev_info "Link is Down" (r8169, stmmac,
 * most SoC NICs), mlx5e's "Link down" (en_main.c, at the end), and
 * bonding's "(slave eth1): link status definitely down" (bond_main.c).
 * ATA's "SATA link down" is a disk's, not a NIC's (lower case: no match). */
static bool link_down(const char *t, const char *end, struct kmsg_hit *h)
{
	size_t n = (size_t)(end - t);
	const char *p;

	if ((p = find(t, n, "(slave ")) && find(p, (size_t)(end - p), "): link status definitely down")) {
		const char *b = p + strlen("(slave ");

		token_at(b, end, ")", h->name, sizeof(h->name));
		token_before(t, p, h->detail, sizeof(h->detail));	/* the bond */
	} else if ((p = find(t, n, "NIC Link is Down")) || (p = find(t, n, "Link is Down"))) {
		token_before(t, p, h->name, sizeof(h->name));
	} else if (n >= 11 && !memcmp(end - 11, ": Link down", 11)) {
		token_before(t, end - 9, h->name, sizeof(h->name));
	} else {
		return false;
	}
	if (!ifname_ok(h->name))
		h->name[0] = '\0';
	return true;
}

/* net/netfilter/nf_conntrack_core.c (__nf_conntrack_alloc):
 * net_warn_ratelimited("nf_conntrack: table full, dropping packet\n") --
 * with the file's pr_fmt the prefix comes twice on some kernels,
 * "nf_conntrack: nf_conntrack: table full, dropping packet"; 2.6's
 * ip_conntrack said "ip_conntrack: table full, dropping packet.". */
static bool conntrack_full(const char *t, const char *end)
{
	return find(t, (size_t)(end - t), "conntrack: table full, dropping packet") != NULL;
}

/* net/ipv4/tcp_input.c (tcp_syn_flood_action): net_info_ratelimited("%s:
 * Possible SYN flooding on port %d. %s.  Check SNMP counters.\n") (pr_fmt
 * "TCP: "); 5.x+ names the address, "on port [::]:8080. Sending cookies.",
 * "on port 0.0.0.0:7070."; 2.6 said "possible SYN flooding on port %d". */
static bool syn_flood(const char *t, const char *end, struct kmsg_hit *h)
{
	size_t n = (size_t)(end - t);
	const char *p = find(t, n, "ossible SYN flooding on port "), *q, *c;

	if (!p || p == t || (p[-1] != 'P' && p[-1] != 'p'))
		return false;
	p += strlen("ossible SYN flooding on port ");
	q = p;
	while (q < end && *q != ' ')
		q++;
	if (q > p && q[-1] == '.')
		q--;
	/* the port: after the last ':' of "[::]:8080", or the whole token */
	c = q;
	while (c > p && c[-1] != ':')
		c--;
	if (num_at(c, q) >= 0)
		copy(h->name, sizeof(h->name), c, q);
	if (find(q, (size_t)(end - q), "Sending cookies"))
		snprintf(h->detail, sizeof(h->detail), "sending cookies");
	else if (find(q, (size_t)(end - q), "Dropping request"))
		snprintf(h->detail, sizeof(h->detail), "dropping requests");
	return true;
}

/* A user process killed by a fault: arch/x86/mm/fault.c (show_signal_msg):
 * printk("%s%s[%d]: segfault at %lx ip %px sp %px error %lx") then " in
 * libc.so.6[7f..+1a000]" (print_vma_addr) and, since 6.1, " likely on CPU
 * %d (core %d, socket %d)"; arm64 and powerpc print "comm[pid]: segfault"
 * or "unhandled ..." variants, of which "]: segfault " is common.  x86
 * traps.c (pr_fmt "traps: "): "%s[%d] general protection fault ip:%lx
 * sp:%lx error:%lx in ..." and "%s[%d] trap %s ip:%lx ...". */
static bool segfault(const char *t, const char *end, struct kmsg_hit *h)
{
	size_t n = (size_t)(end - t);
	const char *p = find(t, n, "]: segfault "), *from = t, *b, *in;

	if (!p) {
		if (n < 7 || memcmp(t, "traps: ", 7))
			return false;
		from = t + 7;
		if (!(p = find(from, (size_t)(end - from), "] general protection fault ip:")) &&
		    !(p = find(from, (size_t)(end - from), "] trap ")))
			return false;
		if (p[2] == 'g') {
			snprintf(h->detail, sizeof(h->detail), "general protection fault");
		} else {
			const char *ip = find(p + 2, (size_t)(end - p - 2), " ip:");

			copy(h->detail, sizeof(h->detail), p + 2, ip ? ip : end);
		}
	}
	/* the pid: digits between the last '[' and p */
	b = p;
	while (b > from && b[-1] != '[')
		b--;
	if (b == from)
		return false;
	for (const char *d = b; d < p; d++)
		if (!is_digit(*d))
			return false;
	h->pid = num_at(b, p);
	if (h->pid <= 0)
		return false;
	copy(h->name, sizeof(h->name), from, b - 1);
	/* the object it died in: " in libc.so.6[" */
	if ((in = find(p, (size_t)(end - p), " in "))) {
		char obj[64];

		token_at(in + 4, end, "[", obj, sizeof(obj));
		if (obj[0] && !h->detail[0])
			snprintf(h->detail, sizeof(h->detail), "%s", obj);
		else if (obj[0])
			snprintf(h->detail + strlen(h->detail), sizeof(h->detail) - strlen(h->detail),
				 " in %s", obj);
	}
	return true;
}

/* block/blk-core.c (blk_print_req_error, 4.19+): "%s error, dev %s, sector
 * %llu op 0x%x:(%s) flags 0x%x phys_seg %u prio class %u", the first %s
 * "I/O", "critical medium", "timeout", ... (blk_errors[]); 4.x
 * "blk_update_request: I/O error, dev sda, sector 123"; 2.6/3.x
 * "end_request: I/O error, dev sda, sector 123".  fs/buffer.c's "Buffer
 * I/O error on dev sda1" follows from these and is not counted again. */
static bool io_error(const char *t, const char *end, struct kmsg_hit *h)
{
	const char *p = find(t, (size_t)(end - t), " error, dev "), *q;

	if (!p)
		return false;
	q = token_at(p + strlen(" error, dev "), end, ",", h->name, sizeof(h->name));
	if (!h->name[0] || (size_t)(end - q) < 9 || memcmp(q, ", sector ", 9)) {
		h->name[0] = '\0';
		return false;
	}
	/* "I/O error", "critical medium error": the words before ", dev",
	 * after the "blk_update_request: " of 4.x */
	q = p;
	while (q > t && !(q[-1] == ' ' && q - 1 > t && q[-2] == ':'))
		q--;
	copy(h->detail, sizeof(h->detail), q, p + strlen(" error"));
	return true;
}

enum kmsg_class kmsg_classify(const char *text, size_t len, struct kmsg_hit *h)
{
	const char *end = text + len;
	enum kmsg_class c = KC_NONE;

	memset(h, 0, sizeof(*h));
	h->cpu = -1;
	h->count = 1;
	if (!text || !len)
		return KC_NONE;
	if (soft_lockup(text, end, h))
		c = KC_SOFT_LOCKUP;
	else if (hard_lockup(text, end, h))
		c = KC_HARD_LOCKUP;
	else if (rcu_stall(text, end, h))
		c = KC_RCU_STALL;
	else if ((c = mce(text, end, h)) != KC_NONE)
		;
	else if ((c = edac(text, end, h)) != KC_NONE)
		;
	else if (tx_timeout(text, end, h))
		c = KC_TX_TIMEOUT;
	else if (link_down(text, end, h))
		c = KC_LINK_DOWN;
	else if (conntrack_full(text, end))
		c = KC_CONNTRACK_FULL;
	else if (syn_flood(text, end, h))
		c = KC_SYN_FLOOD;
	else if (segfault(text, end, h))
		c = KC_SEGFAULT;
	else if (io_error(text, end, h))
		c = KC_IO_ERROR;
	if (c == KC_NONE) {
		memset(h, 0, sizeof(*h));
		h->cpu = -1;
		h->count = 1;
	}
	h->cls = (int32_t)c;
	return c;
}

const char *kmsg_class_name(enum kmsg_class c)
{
	static const char *const names[KC_N] = {
		[KC_NONE] = "",
		[KC_SOFT_LOCKUP] = "soft_lockup",
		[KC_HARD_LOCKUP] = "hard_lockup",
		[KC_RCU_STALL] = "rcu_stall",
		[KC_MCE] = "mce_corrected",
		[KC_MCE_FATAL] = "mce_uncorrected",
		[KC_EDAC_CE] = "edac_ce",
		[KC_EDAC_UE] = "edac_ue",
		[KC_TX_TIMEOUT] = "tx_timeout",
		[KC_LINK_DOWN] = "link_down",
		[KC_CONNTRACK_FULL] = "conntrack_full",
		[KC_SYN_FLOOD] = "syn_flood",
		[KC_SEGFAULT] = "segfault",
		[KC_IO_ERROR] = "io_error",
	};

	return (unsigned)c < KC_N ? names[c] : "";
}

void kmsg_hit_describe(const struct kmsg_hit *h, char *out, size_t n)
{
	char cpu[24] = "", det[80] = "";

	if (h->cpu >= 0)
		snprintf(cpu, sizeof(cpu), " on CPU %d", (int)h->cpu);
	if (h->detail[0])
		snprintf(det, sizeof(det), " (%s)", h->detail);
	switch (h->cls) {
	case KC_SOFT_LOCKUP:
		if (h->name[0])
			snprintf(out, n, "soft lockup%s%s in %s (pid %lld)", cpu, det, h->name,
				 (long long)h->pid);
		else
			snprintf(out, n, "soft lockup%s%s", cpu, det);
		break;
	case KC_HARD_LOCKUP:
		snprintf(out, n, "hard lockup%s", cpu);
		break;
	case KC_RCU_STALL:
		snprintf(out, n, "RCU stall%s", cpu);
		break;
	case KC_MCE:
		snprintf(out, n, "corrected machine check%s%s", cpu, det);
		break;
	case KC_MCE_FATAL:
		snprintf(out, n, "uncorrected hardware error%s%s", cpu, det);
		break;
	case KC_EDAC_CE:
	case KC_EDAC_UE:
		snprintf(out, n, "%u %s memory error%s on %s%s%s", (unsigned)h->count,
			 h->cls == KC_EDAC_CE ? "corrected" : "uncorrected", h->count == 1 ? "" : "s",
			 h->name, h->detail[0] ? " " : "", h->detail);
		break;
	case KC_TX_TIMEOUT:
		snprintf(out, n, "%s transmit timeout%s", h->name[0] ? h->name : "NIC", det);
		break;
	case KC_LINK_DOWN:
		snprintf(out, n, "%s link down%s%s%s", h->name[0] ? h->name : "NIC",
			 h->detail[0] ? " (in " : "", h->detail, h->detail[0] ? ")" : "");
		break;
	case KC_CONNTRACK_FULL:
		snprintf(out, n, "conntrack table full, packets dropped");
		break;
	case KC_SYN_FLOOD:
		snprintf(out, n, "SYN flood on port %s%s", h->name[0] ? h->name : "?", det);
		break;
	case KC_SEGFAULT:
		snprintf(out, n, "%s (pid %lld) %s%s", h->name, (long long)h->pid,
			 h->detail[0] && strncmp(h->detail, "general", 7) && strncmp(h->detail, "trap", 4) ?
			 "segfault in " : h->detail[0] ? "" : "segfault", h->detail);
		break;
	case KC_IO_ERROR:
		snprintf(out, n, "%s on %s", h->detail[0] ? h->detail : "I/O error", h->name);
		break;
	default:
		snprintf(out, n, "%s", "");
	}
}

/* The accumulator */

static void stat_init(struct kmsg_class_stat *s)
{
	memset(s, 0, sizeof(*s));
	s->last.cpu = -1;
	s->last_usec = UINT64_MAX;
}

void kmsg_classes_init(struct kmsg_classes *k)
{
	memset(k, 0, sizeof(*k));
	k->oldest_usec = UINT64_MAX;
	for (size_t i = 0; i < KC_N; i++)
		stat_init(&k->c[i]);
}

static void stat_add(struct kmsg_class_stat *s, const struct kmsg_hit *h, uint64_t usec)
{
	s->records++;
	s->events += h->count;
	s->usec[s->head] = usec;
	s->n[s->head] = h->count;
	s->head = (s->head + 1) % KMSG_TIMES;
	s->last = *h;
	s->last_usec = usec;
}

static void line_copy(char *out, const char *t, size_t n)
{
	size_t l = n < KMSG_LINE - 1 ? n : utf8_boundary(t, KMSG_LINE - 1);

	for (size_t i = 0; i < l; i++)
		out[i] = (unsigned char)t[i] < 0x20 || t[i] == 0x7f ? '?' : t[i];
	out[l] = '\0';
}

void kmsg_classes_add(struct kmsg_classes *k, const struct kmsg_rec *r, bool timed)
{
	uint64_t usec = timed ? r->usec : UINT64_MAX;
	unsigned level = r->prio & 7;
	struct kmsg_hit h;
	enum kmsg_class c;

	k->records++;
	if (r->prio >> 3) {
		k->user_records++;
		return;
	}
	if (timed && k->oldest_usec == UINT64_MAX)
		k->oldest_usec = r->usec;
	if (level <= 3)
		k->errors++;
	c = kmsg_classify(r->text, r->tlen, &h);
	if (c != KC_NONE)
		stat_add(&k->c[c], &h, usec);
	if (c == KC_IO_ERROR) {
		size_t i;

		for (i = 0; i < k->nio && strcmp(k->io[i].dev, h.name); i++)
			;
		if (i == k->nio && k->nio < KMSG_IODEVS) {
			snprintf(k->io[i].dev, sizeof(k->io[i].dev), "%s", h.name);
			stat_init(&k->io[i].s);
			k->nio++;
		}
		if (i < k->nio)
			stat_add(&k->io[i].s, &h, usec);
		else
			k->io_untracked++;
	}
	if (level <= 3 || c != KC_NONE) {
		struct kmsg_line *l = &k->newest[k->newest_head];

		l->usec = usec;
		l->level = level;
		l->cls = (int32_t)c;
		line_copy(l->text, r->text, r->tlen);
		k->newest_head = (k->newest_head + 1) % KMSG_NEWEST;
		if (k->nnewest < KMSG_NEWEST)
			k->nnewest++;
	}
}

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static bool stat_valid(const struct kmsg_class_stat *s)
{
	return s->head < KMSG_TIMES && s->events >= s->records && TERMINATED(s->last.name) &&
	       TERMINATED(s->last.detail) && s->last.cls >= 0 && s->last.cls < KC_N;
}

bool kmsg_classes_valid(const struct kmsg_classes *k)
{
	if (k->nio > KMSG_IODEVS || k->nnewest > KMSG_NEWEST || k->newest_head >= KMSG_NEWEST ||
	    k->user_records > k->records)
		return false;
	for (size_t i = 0; i < KC_N; i++)
		if (!stat_valid(&k->c[i]))
			return false;
	for (size_t i = 0; i < k->nio; i++)
		if (!TERMINATED(k->io[i].dev) || !stat_valid(&k->io[i].s))
			return false;
	for (size_t i = 0; i < KMSG_NEWEST; i++)
		if (!TERMINATED(k->newest[i].text) || k->newest[i].level > 7 || k->newest[i].cls < 0 ||
		    k->newest[i].cls >= KC_N)
			return false;
	return true;
}

uint64_t kmsg_stat_recent(const struct kmsg_class_stat *s, double uptime, double window, bool *all)
{
	size_t stored = s->records < KMSG_TIMES ? (size_t)s->records : KMSG_TIMES;
	uint64_t v = 0;
	bool old = false;

	for (size_t i = 0; i < stored; i++) {
		uint64_t u = s->usec[i];

		if (u == UINT64_MAX || uptime - (double)u / 1e6 <= window)
			v += s->n[i];
		else
			old = true;
	}
	/* exact when the ring holds every message, or one older than the window */
	if (all)
		*all = s->records <= KMSG_TIMES || old;
	return v;
}

double kmsg_stat_age(const struct kmsg_class_stat *s, double uptime)
{
	double a;

	if (!s->records || s->last_usec == UINT64_MAX || uptime <= 0)
		return -1;
	a = uptime - (double)s->last_usec / 1e6;
	return a < 0 ? 0 : a;
}

const struct kmsg_class_stat *kmsg_io_device(const struct kmsg_classes *k, const char *dev)
{
	for (size_t i = 0; i < k->nio && i < KMSG_IODEVS; i++)
		if (!strcmp(k->io[i].dev, dev))
			return &k->io[i].s;
	return NULL;
}

const struct kmsg_line *kmsg_newest(const struct kmsg_classes *k, size_t i)
{
	if (i >= k->nnewest || k->nnewest > KMSG_NEWEST)
		return NULL;
	return &k->newest[(k->newest_head + KMSG_NEWEST - 1 - i) % KMSG_NEWEST];
}
