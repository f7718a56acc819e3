/* The kernel log's messages an on-call engineer looks for beyond OOM kills
 * and hung tasks, each in a class with the subject it names: soft and hard
 * lockups and RCU stalls (the CPU, the task on it), machine checks and
 * EDAC memory errors (corrected or not), NIC transmit timeouts and links
 * going down (the interface), "nf_conntrack: table full", SYN flooding
 * (the port), user processes killed by segfaults (comm and pid) and block
 * I/O errors (the device).  Pure: text in, class out (kmsgclass.c cites
 * the kernel source of every format), and an accumulator of records into
 * counts, the newest occurrences' times and subjects, for health and the
 * io judge. */
#ifndef SREBOX_KMSGCLASS_H
#define SREBOX_KMSGCLASS_H

#include "procfs.h"

enum kmsg_class {
	KC_NONE,
	KC_SOFT_LOCKUP,		/* "watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [comm:pid]" */
	KC_HARD_LOCKUP,		/* "Watchdog detected hard LOCKUP on cpu 3" */
	KC_RCU_STALL,		/* "rcu: INFO: rcu_sched self-detected stall on CPU" */
	KC_MCE,			/* a corrected machine check / APEI corrected error */
	KC_MCE_FATAL,		/* an uncorrected one: "Uncorrected hardware memory error", memory failure */
	KC_EDAC_CE,		/* "EDAC MC0: 1 CE memory read error on ..." */
	KC_EDAC_UE,		/* "EDAC MC0: 1 UE ..." */
	KC_TX_TIMEOUT,		/* "NETDEV WATCHDOG: eth0 (virtio_net): transmit queue 0 timed out" */
	KC_LINK_DOWN,		/* "eth0: Link is Down", "NIC Link is Down" */
	KC_CONNTRACK_FULL,	/* "nf_conntrack: table full, dropping packet" */
	KC_SYN_FLOOD,		/* "TCP: request_sock_TCP: Possible SYN flooding on port 8080. ..." */
	KC_SEGFAULT,		/* "cc1[812]: segfault at 0 ip ... in libc.so.6[...]" */
	KC_IO_ERROR,		/* "I/O error, dev sda, sector 2048 op 0x0:(READ) ..." */
	KC_N
};

/* What one message says. */
struct kmsg_hit {
	int32_t cls;		/* enum kmsg_class */
	int32_t cpu;		/* -1: none named */
	int64_t pid;		/* 0: none named */
	uint32_t count;		/* errors this message reports (EDAC "3 CE"), else 1 */
	char name[64];		/* comm, interface, block device, "MC0", port */
	char detail[64];	/* "stuck for 22s", "libc.so.6", "queue 0", "virtio_net" */
};

/* The class of a kernel message's text (not NUL-terminated), and in *out
 * its subject.  KC_NONE for anything else; never reads past len. */
enum kmsg_class kmsg_classify(const char *text, size_t len, struct kmsg_hit *out);
/* "soft_lockup", "edac_ce", ...: json's and the table's name of a class. */
const char *kmsg_class_name(enum kmsg_class c);
/* One line a person reads: "soft lockup on CPU#3 (stuck for 22s) in stress (pid 812)". */
void kmsg_hit_describe(const struct kmsg_hit *h, char *out, size_t n);

/* Counts of a class (or of one block device's I/O errors) over the log. */
#define KMSG_TIMES 32
struct kmsg_class_stat {
	uint64_t records;		/* messages in the log (since boot, or its last clear) */
	uint64_t events;		/* the errors they report (EDAC counts), >= records */
	/* the newest messages' times (usec since boot; UINT64_MAX: not timed)
	 * and counts, a ring of the last KMSG_TIMES */
	uint64_t usec[KMSG_TIMES];
	uint32_t n[KMSG_TIMES];
	uint32_t head;			/* where the next one goes */
	struct kmsg_hit last;		/* the newest one's subject */
	uint64_t last_usec;		/* UINT64_MAX: not timed */
};

#define KMSG_IODEVS 16
struct kmsg_iodev {
	char dev[64];			/* "sda", "nvme0n1", "dm-0" as the block layer names it */
	struct kmsg_class_stat s;
};

/* The newest kernel errors (level err or worse) and classified messages. */
#define KMSG_NEWEST 5
#define KMSG_LINE 200
struct kmsg_line {
	uint64_t usec;			/* UINT64_MAX: not timed */
	uint32_t level;			/* 0 emerg .. 7 debug */
	int32_t cls;			/* enum kmsg_class */
	char text[KMSG_LINE];		/* control bytes as '?'; cut at a UTF-8 boundary */
};

struct kmsg_classes {
	uint64_t records;		/* every record seen */
	uint64_t user_records;		/* written by user space (facility != 0): never classified */
	uint64_t errors;		/* kernel records at level err or worse */
	uint64_t oldest_usec;		/* the first timed record: how far back the log goes */
	struct kmsg_class_stat c[KC_N];
	struct kmsg_iodev io[KMSG_IODEVS];
	uint32_t nio;
	uint64_t io_untracked;		/* I/O errors of devices past the table */
	struct kmsg_line newest[KMSG_NEWEST];	/* a ring; kmsg_newest() walks it */
	uint32_t nnewest, newest_head;
};

void kmsg_classes_init(struct kmsg_classes *k);
/* One record of the log.  Only the kernel's own (facility 0) are
 * classified: anyone with write access to /dev/kmsg can log "soft lockup",
 * and the kernel gives those LOG_USER. */
void kmsg_classes_add(struct kmsg_classes *k, const struct kmsg_rec *r, bool timed);
/* Every field in range and every string terminated (a kept copy read back). */
bool kmsg_classes_valid(const struct kmsg_classes *k);

/* Of the newest KMSG_TIMES messages of s, the errors (EDAC counts) no older
 * than window seconds at this uptime, untimed ones counted (when unknown is
 * assumed recent).  *all: every message of the log is among those looked
 * at, so the figure is exact rather than a lower bound. */
uint64_t kmsg_stat_recent(const struct kmsg_class_stat *s, double uptime, double window, bool *all);
/* Age in seconds of the newest message of s; -1 when none or not timed. */
double kmsg_stat_age(const struct kmsg_class_stat *s, double uptime);

/* Block I/O errors of one device, for the io judge (issue 10): NULL when
 * the log names none for dev ("sda", the whole disk as the block layer
 * reports it). */
const struct kmsg_class_stat *kmsg_io_device(const struct kmsg_classes *k, const char *dev);

/* The i-th newest line (0: the newest), NULL past the end. */
const struct kmsg_line *kmsg_newest(const struct kmsg_classes *k, size_t i);

#endif
