/* /proc/net/stat/nf_conntrack and the LISTEN rows of /proc/net/tcp{,6}:
 * pure parsers like those of netdev.h (a cut last line is refused). */
#ifndef SREBOX_NETCONN_H
#define SREBOX_NETCONN_H

#include "netdev.h"

/* /proc/net/stat/nf_conntrack: a header naming the columns ("entries
 * searched found new ... insert_failed drop early_drop ..."; kernels add
 * and remove columns, so they are found by name), then one row of hex
 * counters per possible CPU.  "entries" is the global count repeated on
 * every row, not a per-CPU counter. */
#define NFCT_MAXCOLS 64

struct nfct_stat {
	size_t ncols, nrows;
	char *names[NFCT_MAXCOLS];	/* into arena */
	uint64_t *v;			/* nrows * ncols */
	char *arena;
};

int parse_nfct_stat(const char *text, size_t len, const char *fname, struct nfct_stat *out,
		    struct sbx_err *err);
void nfct_stat_free(struct nfct_stat *t);
/* The sum of a column over the CPUs; false when the kernel has no such column. */
bool nfct_stat_sum(const struct nfct_stat *t, const char *name, uint64_t *out);

/* Sockets of /proc/net/tcp, tcp6, udp or udp6.  For a TCP listener the
 * kernel prints the accept queue's length as rx_queue and its limit (the
 * listen() backlog, capped by net.core.somaxconn) as tx_queue; it is full
 * when the length exceeds the limit.  UDP rows end with the datagrams
 * the socket dropped (a full receive buffer), since boot. */
struct net_sock {
	char addr[64];		/* local: "127.0.0.1:8080", "[::1]:443" */
	uint64_t queue, backlog;	/* rx_queue, tx_queue */
	uint64_t inode;
	uint32_t uid;
	bool has_drops;
	uint64_t drops;
};

struct net_socks {
	struct net_sock *v;
	size_t n;
};

#define NET_TCP_LISTEN 0x0A
#define NET_ANY_STATE (-1)

/* Appends the rows in `state` (NET_ANY_STATE: all) of one file to out
 * (which may hold tcp's rows when tcp6 is parsed); ipv6 says which
 * format the addresses are in.  Addresses are in the byte order of the
 * machine that wrote the file. */
int parse_net_sockets(const char *text, size_t len, const char *fname, bool ipv6, int state,
		      struct net_socks *out, struct sbx_err *err);
void net_socks_free(struct net_socks *t);

/* Hex digits to a number (1 to 16 digits, nothing else). */
bool net_hex_u64(const char *s, size_t n, uint64_t *out);

#endif
