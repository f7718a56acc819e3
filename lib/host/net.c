#include "net.h"
#include "node.h"
#include "procfs.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/time.h>

typedef int (*stats_parser)(const char *, size_t, const char *, struct net_stats *,
			    struct sbx_err *);

static bool read_stats(const char *path, stats_parser parse, struct net_stats *out,
		       struct sbx_err *err)
{
	struct buf b = { 0 };
	bool ok = root_read(path, &b, err) == 0 && parse(b.s, b.len, rooted(path), out, err) == 0;

	buf_free(&b);
	return ok;
}

/* One attribute of /sys/class/net/IF, relative to the interface's
 * directory: 600 interfaces are 2400 reads, and a one-component lookup
 * is a fraction of a full path's. */
static int attr_read(int dfd, const char *ifname, const char *attr, char *out, size_t n,
		     struct sbx_err *err)
{
	int fd;
	ssize_t got;

	out[0] = '\0';
	if (dfd < 0) {
		/* held (root_holding): read again in place each sample */
		char path[512];

		snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
		return root_read_attr(path, out, n, err);
	}
	fd = openat(dfd, attr, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		do
			got = read(fd, out, n - 1);
		while (got < 0 && errno == EINTR);
		if (got >= 0) {
			close(fd);
			if (root_recording()) {
				char path[512];

				snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
				root_record_file(path, out, (size_t)got);
			}
			out[got] = '\0';
			out[strcspn(out, "\n")] = '\0';
			return 0;
		}
		close(fd);
	}
	sbx_err_set(err, errno, "%s: %s", rootedf("/sys/class/net/%s/%s", ifname, attr),
		    sbx_errno_word(errno));
	return -1;
}

static void read_link(const char *ifname, struct net_link *l)
{
	char line[64];
	struct sbx_err e;
	int64_t v;
	uint64_t u;
	int dfd;

	memset(l, 0, sizeof(*l));
	l->speed = -1;
	/* top on the live node holds each attribute's file open instead */
	dfd = root_holding() ? -1 : open(rootedf("/sys/class/net/%s", ifname), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 && !root_holding()) {
		snprintf(l->speed_why, sizeof(l->speed_why), "no /sys/class/net/%.100s: %s", ifname,
			 sbx_errno_word(errno));
		return;
	}
	if (attr_read(dfd, ifname, "operstate", l->operstate, sizeof(l->operstate), &e) < 0)
		l->operstate[0] = '\0';
	if (attr_read(dfd, ifname, "carrier_changes", line, sizeof(line), &e) == 0 &&
	    parse_u64(str_trim(line), &u)) {
		l->have_carrier = true;
		l->carrier_changes = u;
	}
	if (!strcmp(l->operstate, "down") || !strcmp(l->operstate, "lowerlayerdown")) {
		/* the kernel has no speed for a link that is down (EINVAL) */
		snprintf(l->speed_why, sizeof(l->speed_why), "no link speed: the link is %s",
			 l->operstate);
	} else if (attr_read(dfd, ifname, "speed", line, sizeof(line), &e) < 0) {
		snprintf(l->speed_why, sizeof(l->speed_why), "%s",
			 e.errnum == EINVAL ? "no link speed (a virtual link, or the link is down)"
					    : e.msg + (strlen(e.msg) > 150 ? strlen(e.msg) - 150 : 0));
	} else if (!parse_i64(str_trim(line), &v)) {
		snprintf(l->speed_why, sizeof(l->speed_why), "speed is not a number: '%.20s'", line);
	} else if (v <= 0 || v == UINT32_MAX) {
		snprintf(l->speed_why, sizeof(l->speed_why), "the driver gives no speed (%s)",
			 str_trim(line));
	} else {
		l->speed = v;
		if (attr_read(dfd, ifname, "duplex", l->duplex, sizeof(l->duplex), &e) < 0)
			l->duplex[0] = '\0';
	}
	if (dfd >= 0)
		close(dfd);
}

static bool read_tcp_mem(uint64_t v[3], struct sbx_err *err)
{
	char line[128], *p, *end;

	if (root_read_line("/proc/sys/net/ipv4/tcp_mem", line, sizeof(line), err) < 0)
		return false;
	p = line;
	for (int i = 0; i < 3; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (end == p || errno) {
			sbx_err_set(err, 0, "%s: not three numbers", rooted("/proc/sys/net/ipv4/tcp_mem"));
			return false;
		}
		p = end;
	}
	return true;
}

int net_snap_read(struct net_snap *s, unsigned flags, struct sbx_err *err)
{
	struct buf b = { 0 };
	struct sbx_err e;

	memset(s, 0, sizeof(*s));
	s->uptime = -1;
	s->when = root_clock();	/* a capture: its own clock */
	if (root_read("/proc/net/dev", &b, &s->err) < 0 ||
	    parse_netdev(b.s, b.len, rooted("/proc/net/dev"), &s->dev, &s->err) < 0) {
		*err = s->err;
		buf_free(&b);
		return -1;
	}
	s->ok = true;
	if (node_uptime(&s->uptime, &e) < 0)
		s->uptime = -1;
	s->have_snmp = read_stats("/proc/net/snmp", parse_netsnmp, &s->snmp, &s->snmp_err);
	s->have_netstat = read_stats("/proc/net/netstat", parse_netsnmp, &s->netstat, &s->netstat_err);
	s->have_sockstat = read_stats("/proc/net/sockstat", parse_sockstat, &s->sockstat,
				      &s->sockstat_err);
	s->have_softnet = root_read("/proc/net/softnet_stat", &b, &s->softnet_err) == 0 &&
			  parse_softnet(b.s, b.len, rooted("/proc/net/softnet_stat"), &s->softnet,
					&s->softnet_err) == 0;
	s->have_nfct = root_read("/proc/net/stat/nf_conntrack", &b, &s->nfct_err) == 0 &&
		       parse_nfct_stat(b.s, b.len, rooted("/proc/net/stat/nf_conntrack"), &s->nfct,
				       &s->nfct_err) == 0;
	s->have_ct = node_conntrack(&s->ct_count, &s->ct_max, &s->ct_err) == 0;
	s->have_tcp_mem = read_tcp_mem(s->tcp_mem, &s->tcp_mem_err);
	if (flags & NET_SYSFS) {
		s->link = xcalloc(s->dev.n + 1, sizeof(*s->link));
		for (size_t i = 0; i < s->dev.n; i++)
			read_link(s->dev.ifs[i].name, &s->link[i]);
	}
	buf_free(&b);
	return 0;
}

void net_snap_free(struct net_snap *s)
{
	netdev_table_free(&s->dev);
	free(s->link);
	s->link = NULL;
	if (s->have_snmp)
		net_stats_free(&s->snmp);
	if (s->have_netstat)
		net_stats_free(&s->netstat);
	if (s->have_sockstat)
		net_stats_free(&s->sockstat);
	if (s->have_softnet)
		softnet_table_free(&s->softnet);
	if (s->have_nfct)
		nfct_stat_free(&s->nfct);
	s->have_snmp = s->have_netstat = s->have_sockstat = s->have_softnet = s->have_nfct = false;
}

static const struct netdev_if *find_if(const struct netdev_table *t, const char *name, size_t hint)
{
	if (hint < t->n && !strcmp(t->ifs[hint].name, name))
		return &t->ifs[hint];
	return netdev_find(t, name);
}

static bool dir_delta(const struct netdev_dir *c, const struct netdev_dir *p, struct netdev_dir *d)
{
	const uint64_t *cv = &c->bytes, *pv = &p->bytes;
	uint64_t *dv = &d->bytes;
	size_t n = sizeof(*c) / sizeof(uint64_t);

	for (size_t k = 0; k < n; k++) {
		if (cv[k] < pv[k])
			return false;
		dv[k] = cv[k] - pv[k];
	}
	return true;
}

bool net_if_delta(const struct net_snap *cur, size_t i, const struct net_snap *prev,
		  struct netdev_if *d, const char **why)
{
	const struct netdev_if *c = &cur->dev.ifs[i], *p;

	*d = *c;
	if (!prev)
		return true;
	p = find_if(&prev->dev, c->name, i);
	if (!p) {
		*why = "appeared during the interval";
		return false;
	}
	if (!dir_delta(&c->rx, &p->rx, &d->rx) || !dir_delta(&c->tx, &p->tx, &d->tx)) {
		*why = "a counter went backwards (the interface was re-created, or a 32-bit counter wrapped)";
		return false;
	}
	return true;
}

bool net_stat_delta(const struct net_stats *cur, const struct net_stats *prev, const char *file,
		    const char *proto, const char *key, double *d, char *why, size_t n)
{
	int64_t c, p;

	if (!net_stats_get(cur, proto, key, &c) || (prev && !net_stats_get(prev, proto, key, &p))) {
		snprintf(why, n, "no %s %s in %s (an older kernel)", proto, key, rooted(file));
		return false;
	}
	if (!prev) {
		*d = (double)c;
		return true;
	}
	if (c < p) {
		snprintf(why, n, "%s %s went backwards (%lld to %lld)", proto, key, (long long)p,
			 (long long)c);
		return false;
	}
	*d = (double)(c - p);
	return true;
}

const char *net_if_family(const char *name)
{
	static const struct {
		const char *prefix, *family;
	} fam[] = {
		{ "veth", "veth" }, { "cali", "cali" }, { "cilium_", "cilium" }, { "lxc", "cilium" },
		{ "flannel", "flannel" }, { "cni", "cni" }, { "vxlan", "vxlan" }, { "tunl", "tunl" },
		{ "docker", "docker" }, { "br-", "br-" }, { "tap", "tap" }, { "weave", "weave" },
		{ "vethwe", "weave" }, { "kube-", "kube" }, { "genev", "geneve" }, { "nodelocaldns", "kube" },
	};
	const char *best = NULL;
	size_t bestlen = 0;

	/* the longest prefix: "vethwe-bridge" is weave's, not a pod veth */
	for (size_t k = 0; k < ARRAY_SIZE(fam); k++) {
		size_t l = strlen(fam[k].prefix);

		if (l > bestlen && !strncmp(name, fam[k].prefix, l)) {
			best = fam[k].family;
			bestlen = l;
		}
	}
	return best;
}

static int read_socks(const char *v4, const char *v6, int state, struct net_socks *out,
		      struct sbx_err *err)
{
	struct buf b = { 0 };
	struct sbx_err e6;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (root_read(v4, &b, err) < 0 ||
	    parse_net_sockets(b.s, b.len, rooted(v4), false, state, out, err) < 0)
		goto out;
	if (root_read(v6, &b, &e6) < 0) {
		if (e6.errnum != ENOENT) {
			*err = e6;
			goto out;
		}
	} else if (parse_net_sockets(b.s, b.len, rooted(v6), true, state, out, err) < 0) {
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		net_socks_free(out);
	buf_free(&b);
	return rc;
}

int net_listeners_read(struct net_socks *out, struct sbx_err *err)
{
	return read_socks("/proc/net/tcp", "/proc/net/tcp6", NET_TCP_LISTEN, out, err);
}

int net_udp_read(struct net_socks *out, struct sbx_err *err)
{
	return read_socks("/proc/net/udp", "/proc/net/udp6", NET_ANY_STATE, out, err);
}

int net_socket_owners(const uint64_t *inodes, size_t n, long *pid, char (*comm)[16],
		      double budget, bool *complete, struct sbx_err *err)
{
	DIR *d = root_opendir("/proc", err);
	struct dirent *de;
	double deadline = now_monotonic() + budget;
	size_t found = 0;

	*complete = true;
	for (size_t i = 0; i < n; i++) {
		pid[i] = 0;
		comm[i][0] = '\0';
	}
	if (!d)
		return -1;
	while (found < n && (de = readdir(d))) {
		char path[300];
		struct sbx_err e;
		struct dirent *fe;
		uint64_t p;
		DIR *fd;

		if (!parse_u64(de->d_name, &p))
			continue;
		if (now_monotonic() > deadline) {
			*complete = false;
			break;
		}
		snprintf(path, sizeof(path), "/proc/%s/fd", de->d_name);
		if (!(fd = root_opendir(path, &e))) {
			if (e.errnum != ENOENT)
				*complete = false;
			continue;
		}
		while ((fe = readdir(fd))) {
			char link[64];
			ssize_t l;
			uint64_t ino;

			if (fe->d_name[0] == '.')
				continue;
			l = readlink(rootedf("/proc/%s/fd/%s", de->d_name, fe->d_name), link,
				     sizeof(link) - 1);
			if (l < 9 || strncmp(link, "socket:[", 8))
				continue;
			link[l - 1] = '\0';
			if (!parse_u64(link + 8, &ino))
				continue;
			for (size_t i = 0; i < n; i++) {
				if (inodes[i] != ino || pid[i])
					continue;
				pid[i] = (long)p;
				snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
				if (root_read_line(path, comm[i], 16, &e) < 0)
					snprintf(comm[i], 16, "?");
				found++;
			}
		}
		closedir(fd);
	}
	closedir(d);
	return (int)found;
}

static void addr_port(int family, const __be32 *a, __be16 port, char *out, size_t n)
{
	char host[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, a, host, sizeof(host));
	snprintf(out, n, family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, ntohs(port));
}

static void top_insert(struct net_retrans_conn *top, size_t n, size_t *have,
		       const struct net_retrans_conn *c)
{
	size_t k;

	if (*have == n && top[n - 1].retrans >= c->retrans)
		return;
	k = *have < n ? (*have)++ : n - 1;
	top[k] = *c;
	for (; k > 0 && top[k].retrans > top[k - 1].retrans; k--) {
		struct net_retrans_conn t = top[k];

		top[k] = top[k - 1];
		top[k - 1] = t;
	}
}

/* One sock_diag dump of one family's TCP sockets (all states but LISTEN). */
static int diag_dump(int fd, int family, struct net_retrans_conn *top, size_t n, size_t *have,
		     struct sbx_err *err)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = (unsigned)family;
	req.r.sdiag_family = (unsigned char)family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = ~(1u << 10);	/* every state but TCP_LISTEN */
	req.r.idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		sbx_err_set(err, errno, "sock_diag netlink: %s", sbx_errno_word(errno));
		return -1;
	}
	for (;;) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;
		size_t left;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			sbx_err_set(err, errno, "sock_diag netlink: %s", sbx_errno_word(errno));
			return -1;
		}
		left = (size_t)got;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			struct inet_diag_msg *m;
			struct rtattr *a;
			size_t alen;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				int en = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? -e->error : EPROTO;

				sbx_err_set(err, en, "sock_diag netlink: %s", sbx_errno_word(en));
				return -1;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			m = NLMSG_DATA(h);
			alen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
			for (a = (struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				const struct tcp_info *ti = RTA_DATA(a);
				struct net_retrans_conn c;

				if (a->rta_type != INET_DIAG_INFO ||
				    RTA_PAYLOAD(a) < offsetof(struct tcp_info, tcpi_total_retrans) + 4 ||
				    !ti->tcpi_total_retrans)
					continue;
				memset(&c, 0, sizeof(c));
				addr_port(family, m->id.idiag_src, m->id.idiag_sport, c.local, sizeof(c.local));
				addr_port(family, m->id.idiag_dst, m->id.idiag_dport, c.remote, sizeof(c.remote));
				c.inode = m->idiag_inode;
				c.retrans = ti->tcpi_total_retrans;
				top_insert(top, n, have, &c);
			}
		}
	}
}

int net_retrans_top(struct net_retrans_conn *top, size_t n, struct sbx_err *err)
{
	struct timeval tv = { .tv_sec = 1 };
	size_t have = 0;
	int fd;

	if (!root_is_live()) {
		sbx_err_set(err, 0, "per-connection counters come from netlink, not from a --root tree");
		return -1;
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		sbx_err_set(err, errno, "sock_diag netlink: %s", sbx_errno_word(errno));
		return -1;
	}
	/* a dump never blocks for long, but nothing here may hang */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (diag_dump(fd, AF_INET, top, n, &have, err) < 0 ||
	    diag_dump(fd, AF_INET6, top, n, &have, err) < 0) {
		close(fd);
		return have ? (int)have : -1;
	}
	close(fd);
	return (int)have;
}
