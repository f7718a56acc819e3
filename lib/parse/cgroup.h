/* Pure parsers for the cgroup CPU files and Kubernetes' cgroup names: text
 * in, struct out, no I/O.  The units differ between the two hierarchies
 * (Documentation/scheduler/sched-bwc.rst, admin-guide/cgroup-v2.rst):
 *   v1  cpu.stat  nr_periods nr_throttled throttled_time (ns)
 *       cpu.cfs_quota_us (-1 = no limit), cpu.cfs_period_us (µs)
 *   v2  cpu.stat  usage_usec ... nr_periods nr_throttled throttled_usec (µs)
 *       cpu.max   "$MAX $PERIOD" ($MAX "max" = no limit, µs) */
#ifndef SREBOX_CGROUP_H
#define SREBOX_CGROUP_H

#include "util.h"

/* cpu.stat of either version, times in seconds.  The bandwidth counters
 * exist only where CFS bandwidth control is built in (and, on v2, where
 * the cpu controller is enabled for the cgroup). */
struct cg_cpu_stat {
	bool has_periods;	/* nr_periods and nr_throttled */
	uint64_t nr_periods, nr_throttled;
	bool has_throttled_time;
	double throttled_s;
	bool has_usage;		/* v2 usage_usec */
	double usage_s;
};
/* version: 1 or 2, for the unit of the throttled time. */
int parse_cg_cpu_stat(const char *text, size_t len, const char *fname, unsigned version,
		      struct cg_cpu_stat *out, struct sbx_err *err);

/* A CPU limit: quota per period, both in µs; quota < 0 means none. */
struct cg_cpu_limit {
	int64_t quota_us;
	uint64_t period_us;
};
/* v2 cpu.max: "max 100000", "50000 100000", or "50000" (period default). */
int parse_cpu_max(const char *text, size_t len, const char *fname, struct cg_cpu_limit *out,
		  struct sbx_err *err);
/* v1 cpu.cfs_quota_us ("-1" or a number) and cpu.cfs_period_us. */
int parse_cfs_quota(const char *quota, size_t qlen, const char *period, size_t plen,
		    const char *fname, struct cg_cpu_limit *out, struct sbx_err *err);

/* Where a cgroup sits in the kubelet's tree (pkg/kubelet/cm/
 * cgroup_manager_linux.go and the container runtimes' scope names):
 *   cgroupfs  /kubepods[/burstable|/besteffort]/pod<uid>/<container-id>
 *   systemd   /kubepods.slice[/kubepods-burstable.slice]
 *             /kubepods[-burstable]-pod<uid_with_underscores>.slice
 *             /cri-containerd-<id>.scope | crio-<id>.scope | docker-<id>.scope
 * Guaranteed pods sit directly under kubepods. */
enum k8s_level { K8S_NONE, K8S_NODE, K8S_QOS, K8S_POD, K8S_CONTAINER };
enum k8s_qos { QOS_NONE, QOS_GUARANTEED, QOS_BURSTABLE, QOS_BESTEFFORT };
enum k8s_driver { DRIVER_NONE, DRIVER_CGROUPFS, DRIVER_SYSTEMD };

struct k8s_cgroup {
	enum k8s_level level;
	enum k8s_qos qos;
	enum k8s_driver driver;
	char pod_uid[72];	/* with dashes, as the API shows it */
	char container_id[80];	/* without the runtime prefix */
	char runtime[24];	/* "cri-containerd", "crio", "docker"; "" for cgroupfs */
};
/* path: a cgroup path, "/kubepods/burstable/pod.../abc".  False (and
 * level K8S_NONE) when it is not a kubelet cgroup. */
bool k8s_cgroup_parse(const char *path, struct k8s_cgroup *out);
const char *k8s_qos_name(enum k8s_qos q);	/* "Guaranteed", ... */

/* /proc/PID/cgroup (Documentation/admin-guide/cgroup-v2.rst, cgroups(7)):
 * "hierarchy-ID:controllers:path" lines.  The process's cgroup is the v2
 * line ("0::/system.slice/x.service"); on a v1 or hybrid host, where the
 * v2 line is "/" or absent, the cpu controller's path, else systemd's
 * ("name=systemd").  path gets it ("/" for the root cgroup).  -1 with err
 * on a malformed line or when no line names a cgroup. */
int parse_proc_cgroup(const char *text, size_t len, const char *fname, char *path, size_t n,
		      struct sbx_err *err);

/* A directory name of /var/log/pods, "NAMESPACE_NAME_UID" (the kubelet's
 * pkg/kubelet/kuberuntime BuildPodLogsDirectory): the namespace and name
 * (DNS labels, never holding '_') as "NAMESPACE/NAME", and the UID.  False
 * when the name has another shape. */
bool parse_pod_log_dir(const char *name, char *pod, size_t podn, char *uid, size_t uidn);

#endif
