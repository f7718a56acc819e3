/* The network probe: /proc/net/{dev,snmp,netstat,sockstat,softnet_stat,
 * stat/nf_conntrack}, /proc/sys/net (conntrack fill, tcp_mem) and, for
 * the table, /sys/class/net/IF, all under the root.  Two readings become
 * honest deltas here: an interface that came or went between them, or a
 * counter that went backwards, has no delta, and says why.  Judged by
 * lib/check/judge_net.c for `net` and `health`.
 *
 * The files under /proc/net are those of the reader's network namespace
 * (`ip netns exec NS srebox net` sees the namespace's). */
#ifndef SREBOX_HOST_NET_H
#define SREBOX_HOST_NET_H

#include "netconn.h"
#include "netsnmp.h"

#define NET_SYSFS 0x1		/* also read /sys/class/net/IF for every interface */

/* /sys/class/net/IF: what sar -n DEV shows beside the counters. */
struct net_link {
	int64_t speed;		/* Mb/s; -1: unknown, speed_why says why */
	char speed_why[160];
	char duplex[12];	/* "full", "half", "unknown", "" when unreadable */
	char operstate[16];	/* "up", "down", "lowerlayerdown", ..., "" when unreadable */
	bool have_carrier;
	uint64_t carrier_changes;
};

struct net_snap {
	double when;		/* monotonic time of the read */
	double uptime;		/* seconds since boot; <0 if unknown */
	bool ok;		/* /proc/net/dev was read; else err says why */
	struct sbx_err err;
	struct netdev_table dev;
	struct net_link *link;	/* one per dev.ifs with NET_SYSFS, else NULL */
	bool have_snmp, have_netstat, have_sockstat, have_softnet, have_nfct, have_ct, have_tcp_mem;
	struct sbx_err snmp_err, netstat_err, sockstat_err, softnet_err, nfct_err, ct_err,
		tcp_mem_err;
	struct net_stats snmp, netstat, sockstat;
	struct softnet_table softnet;
	struct nfct_stat nfct;
	uint64_t ct_count, ct_max;	/* nf_conntrack_count, nf_conntrack_max */
	uint64_t tcp_mem[3];		/* net.ipv4.tcp_mem: low, pressure, high (pages) */
};

/* /proc/net/dev is required (its failure is the snapshot's, in err too);
 * every other source is optional, with its own reason. */
int net_snap_read(struct net_snap *s, unsigned flags, struct sbx_err *err);
void net_snap_free(struct net_snap *s);

/* Interface i of cur against prev (NULL: the counters since boot):
 * the increase of every counter into d.  False with why when there is no
 * honest answer: it appeared during the interval, or a counter went
 * backwards (the interface was re-created, or a 32-bit counter wrapped). */
bool net_if_delta(const struct net_snap *cur, size_t i, const struct net_snap *prev,
		  struct netdev_if *d, const char **why);

/* The increase of PROTO KEY of a /proc/net/snmp-style table (prev NULL:
 * the value since boot).  False with why (written into why, n bytes):
 * the kernel has no such counter, or it went backwards. */
bool net_stat_delta(const struct net_stats *cur, const struct net_stats *prev, const char *file,
		    const char *proto, const char *key, double *d, char *why, size_t n);

/* The family of a virtual interface that comes in numbers (one per pod
 * or container): "veth", "cali", "cilium", "flannel", "cni", "vxlan",
 * "tunl", "docker", "br-", "tap", "weave"; NULL for any other. */
const char *net_if_family(const char *name);

/* The listening TCP sockets of /proc/net/tcp and tcp6, and every UDP
 * socket of udp and udp6 (the v6 files may be absent: no IPv6). */
int net_listeners_read(struct net_socks *out, struct sbx_err *err);
int net_udp_read(struct net_socks *out, struct sbx_err *err);

/* The process holding each socket inode: pid[i] and comm[i] (16 bytes
 * each) for inodes[i], pid 0 when not found.  Scans /proc/PID/fd, so
 * only for a few sockets of a finding that is not OK; stops after
 * `budget` seconds.  Returns how many were found, -1 when /proc cannot
 * be listed; *complete is false when the scan stopped early or some
 * processes could not be read (not root). */
int net_socket_owners(const uint64_t *inodes, size_t n, long *pid, char (*comm)[16],
		      double budget, bool *complete, struct sbx_err *err);

/* TCP connections of this network namespace with the most retransmitted
 * segments over their lifetime (tcp_info's total_retrans, by sock_diag
 * netlink as `ss -ti` reads it): the culprits of a retrans finding.  The
 * live machine only: under --root there is no such file. */
struct net_retrans_conn {
	char local[64], remote[64];
	uint64_t inode;
	uint32_t retrans;
};

/* Fills up to n connections, most retransmits first, and returns how
 * many; -1 with err when netlink cannot be asked. */
int net_retrans_top(struct net_retrans_conn *top, size_t n, struct sbx_err *err);

#endif
