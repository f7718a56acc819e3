/* /proc/net/dev, /proc/net/snmp, /proc/net/netstat, /proc/net/sockstat and
 * /proc/net/softnet_stat: pure parsers (text in, struct out, no I/O).  As
 * in procfs.h, a file whose last line has no newline was cut short and is
 * refused rather than guessed at. */
#ifndef SREBOX_NETDEV_H
#define SREBOX_NETDEV_H

#include "util.h"

/* One direction of an interface.  Receive has frame and multicast,
 * transmit has colls and carrier; the others are in both. */
struct netdev_dir {
	uint64_t bytes, packets, errs, drop, fifo, frame, compressed, multicast, colls, carrier;
};

struct netdev_if {
	char name[16];		/* IFNAMSIZ: at most 15 bytes */
	struct netdev_dir rx, tx;
};

struct netdev_table {
	struct netdev_if *ifs;
	size_t n;
};

/* /proc/net/dev.  The two header lines must be the kernel's (8 receive and 8 transmit
 * columns since 2.6): another layout is refused, not guessed. */
int parse_netdev(const char *text, size_t len, const char *fname, struct netdev_table *out,
		 struct sbx_err *err);
void netdev_table_free(struct netdev_table *t);
const struct netdev_if *netdev_find(const struct netdev_table *t, const char *name);

/* For the parsers of this family: a NUL-terminated copy of the text, or
 * NULL with err set when it is cut short or holds a NUL byte. */
char *net_text_copy(const char *text, size_t len, const char *fname, struct sbx_err *err);

#endif
