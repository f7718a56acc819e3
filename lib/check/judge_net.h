/* The network judgment, made once for `srebox net` and `srebox health`:
 * the same two readings give the same findings in both.
 *
 *   net_errors, net_drops  the worst interface's errors (drops) as a share
 *                          of its packets, with a minimum count so that a
 *                          few frames on an idle link are not a share;
 *   retrans                TCP RetransSegs / OutSegs, with a minimum sent;
 *   listen_drops, softnet_drops, conntrack_drops, udp_rcvbuf
 *                          counters that must not rise, per second over
 *                          the interval (since boot: reported only);
 *   tcp_mem                TCP socket memory against tcp_mem's pressure.
 * Culprits: the interfaces, the CPUs, the full listening sockets and
 * their processes (the /proc/PID/fd scan is made only for a finding
 * that is not OK). */
#ifndef SREBOX_JUDGE_NET_H
#define SREBOX_JUDGE_NET_H

#include "net.h"
#include "report.h"

#define NET_MIN_ERRORS 10	/* errors in the interval before a share is judged */
#define NET_MIN_DROPS 100	/* drops likewise */
#define NET_MIN_SEGS 500	/* TCP segments sent before a retransmit ratio is judged */

/* Judges cur against prev (NULL: since boot).  cur->ok false: every
 * check UNKNOWN with cur->err. */
void judge_net(struct sbx_report *rep, const struct net_snap *cur, const struct net_snap *prev);
/* Only conntrack_drops (srebox cni), judged as judge_net judges it. */
void judge_net_conntrack(struct sbx_report *rep, const struct net_snap *cur, const struct net_snap *prev);

#endif
