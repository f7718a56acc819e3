/* The node list as `kubectl get nodes` reads it, for clusters of any size:
 * chunked (limit, continue), as a server-side Table with each row's object
 * when the server can, else a plain NodeList whose cells are computed here
 * as the API server computes them.  Each page is decoded as it arrives
 * (json_proj capture, no tree: of 500 Nodes, 5-25 MB, only a few values
 * are read), summarized (k8s_node_sum) and joined with the kubelets'
 * Leases; the caller gets one page of rows at a time, so memory does not
 * grow with the cluster.
 *
 *   struct k8s_nodes nl;
 *   k8s_nodes_init(&nl, k, query, 500, true);
 *   while ((rc = k8s_nodes_next(&nl, &err)) > 0)
 *           for (size_t i = 0; i < nl.nrows; i++) ... nl.rows[i]
 *   k8s_nodes_free(&nl);
 */
#ifndef SREBOX_K8S_NODES_H
#define SREBOX_K8S_NODES_H

#include "k8s.h"
#include "k8s_node.h"

/* kubectl's cells, in the order of its node printer (-o wide from IIP). */
enum k8s_node_cell {
	K8S_NC_NAME, K8S_NC_STATUS, K8S_NC_ROLES, K8S_NC_AGE, K8S_NC_VERSION,
	K8S_NC_IIP, K8S_NC_EIP, K8S_NC_OS, K8S_NC_KERNEL, K8S_NC_RUNTIME,
	K8S_NC_N
};

struct k8s_node_row {
	char *cell[K8S_NC_N];		/* NULL: unknown, and cell_why says why */
	const char *cell_why[K8S_NC_N];
	char *created;			/* metadata.creationTimestamp, "" without */
	struct k8s_node_sum sum;	/* the node's health, its Lease's when found */
	char *lease_why;		/* without a Lease (!sum.has_lease): why */
};

struct k8s_nodes_rd;

struct k8s_nodes {
	struct k8s_list list;
	/* the page just read; valid until the next call */
	struct k8s_node_row *rows;
	size_t nrows, arows;
	bool leases_joined;		/* false for the rows of a page that failed */
	/* set by init, may be changed before the first page */
	bool leases;			/* join the Leases of kube-node-lease */
	const char *no_lease_why;	/* lease_why when !leases */
	double now;			/* ages are computed against this without a client */
	/* private */
	struct k8s_nodes_rd *rd;
	struct k8s_lease_join lj;
	bool joined;
};

/* `query` as for k8s_list_init (labelSelector, fieldSelector) or NULL;
 * `limit` nodes per page (0: all in one answer).  `k` may be NULL for
 * k8s_nodes_take (no Leases then). */
void k8s_nodes_init(struct k8s_nodes *nl, struct k8s *k, const char *query, unsigned limit,
		    bool leases);
/* 1 with the next page in nl->rows, 0 when the list is complete, -1 with
 * err; then nl->rows holds the rows read before the failure, without
 * their Leases (leases_joined false). */
int k8s_nodes_next(struct k8s_nodes *nl, struct sbx_err *err);
/* The same for a page's text in hand (a recorded answer; tests). */
int k8s_nodes_take(struct k8s_nodes *nl, const char *body, size_t n, struct sbx_err *err);
void k8s_nodes_free(struct k8s_nodes *nl);

#endif
