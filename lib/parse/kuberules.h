/* kube-proxy's packet-filter rules as `iptables-save` or `nft list
 * ruleset` print them: rules per KUBE-* chain (iptables mode, and
 * iptables-nft seen through nft) and per chain of the kube-proxy table
 * (nftables mode).  The per-service chains (KUBE-SVC-..., KUBE-SEP-...,
 * service-..., endpoint-...) are one row per kind. */
#ifndef SREBOX_KUBERULES_H
#define SREBOX_KUBERULES_H

#include "util.h"

enum kube_rules_fmt { KR_NONE, KR_IPTABLES, KR_NFT };

struct kube_chain {
	char table[48];		/* "nat", "ip kube-proxy" */
	char name[64];		/* "KUBE-SERVICES", "KUBE-SVC-*" */
	unsigned chains;	/* chains folded into the row */
	uint64_t rules;
};

struct kube_rules {
	enum kube_rules_fmt fmt;
	struct kube_chain *v;
	size_t n, alloc;
	uint64_t rules;		/* every rule of the rows */
	uint64_t all_rules;	/* every rule of the ruleset, kube or not */
	bool has_services;	/* KUBE-SERVICES, or the kube-proxy table's services chain */
	unsigned services;	/* KUBE-SVC-* / service-* chains */
};

/* Parse either format (told apart by its lines).  0, or -1 with err when
 * the text is neither (an error message, say: it is quoted). */
int kube_rules_parse(const char *s, size_t n, struct kube_rules *out, struct sbx_err *err);
void kube_rules_free(struct kube_rules *r);

#endif
