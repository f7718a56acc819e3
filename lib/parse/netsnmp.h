/* /proc/net/snmp, netstat, sockstat and softnet_stat: pure parsers like
 * those of netdev.h, whose truncation rule they share. */
#ifndef SREBOX_NETSNMP_H
#define SREBOX_NETSNMP_H

#include "netdev.h"

/* /proc/net/snmp, /proc/net/netstat ("Proto: names" then "Proto: values")
 * and /proc/net/sockstat ("TCP: inuse 4 orphan 0 ..."): every value as
 * (proto, key, value), so fields newer than srebox are kept, not lost.
 * Signed: Tcp MaxConn is -1. */
struct net_stat {
	char *proto;		/* "Tcp", "TcpExt", "TCP", "sockets" */
	char *key;		/* "RetransSegs", "inuse" */
	int64_t value;
};

struct net_stats {
	struct net_stat *v;
	size_t n;
	char *arena;		/* all strings */
};

int parse_netsnmp(const char *text, size_t len, const char *fname, struct net_stats *out,
		  struct sbx_err *err);
int parse_sockstat(const char *text, size_t len, const char *fname, struct net_stats *out,
		   struct sbx_err *err);
void net_stats_free(struct net_stats *t);
/* false when proto has no key (an older kernel) */
bool net_stats_get(const struct net_stats *t, const char *proto, const char *key, int64_t *out);

/* /proc/net/softnet_stat: one row per online CPU of hex fields.  Kernels
 * differ in the count: 9 to 11 columns before 5.10, 13 since, the 13th
 * the CPU id (offline CPUs have no row, so the row number is not the CPU
 * there), 15 since 6.6 (the input and process queue lengths).  Columns
 * 4-8 have always been 0; columns past the 15th (a newer kernel) are
 * checked to be hex and not kept. */
enum { SOFTNET_PROCESSED, SOFTNET_DROPPED, SOFTNET_TIME_SQUEEZE, SOFTNET_CPU_COLLISION = 8,
       SOFTNET_RECEIVED_RPS, SOFTNET_FLOW_LIMIT, SOFTNET_BACKLOG_LEN, SOFTNET_CPU_INDEX,
       SOFTNET_INPUT_QLEN, SOFTNET_PROCESS_QLEN, SOFTNET_MAXCOLS };
#define SOFTNET_LIMIT 64	/* more columns than this is not this file */

struct softnet_row {
	unsigned cpu;		/* column 13, else the row number */
	unsigned ncols;		/* columns kept (at most SOFTNET_MAXCOLS): col[ncols..] are 0 and meaningless */
	uint64_t col[SOFTNET_MAXCOLS];
};

struct softnet_table {
	struct softnet_row *rows;
	size_t n;
};

int parse_softnet(const char *text, size_t len, const char *fname, struct softnet_table *out,
		  struct sbx_err *err);
void softnet_table_free(struct softnet_table *t);

#endif
