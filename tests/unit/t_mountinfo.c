/* parse_mountinfo and the decisions made on the table, over real
 * snapshots and every bad shape; the kernel-log matcher; pod log names. */
#include "unit.h"
#include "kmsg.h"
#include "mountinfo.h"
#include "walk.h"

static struct mnt *at(struct mnt_table *t, const char *point)
{
	for (size_t i = t->n; i-- > 0;)
		if (!strcmp(t->m[i].point, point))
			return &t->m[i];
	fail_msg("no mount at %s", point);
	return NULL;
}

static void parse_ok(const char *text, struct mnt_table *t)
{
	struct sbx_err err;

	if (parse_mountinfo(text, strlen(text), "t", t, &err) != 0)
		fail_msg("parse failed: %s", err.msg);
	mnt_classify(t);
}

/* node_exporter's host snapshot: escapes, FUSE, autofs, k8s volume paths */
static void node_exporter_host(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/1/mountinfo", &len);
	struct mnt_table t;
	struct sbx_err err;
	struct mnt *m;

	(void)state;
	assert_int_equal(parse_mountinfo(s, len, "mountinfo", &t, &err), 0);
	mnt_classify(&t);
	assert_int_equal(t.n, 32);
	m = at(&t, "/");
	assert_int_equal(m->major, 259);
	assert_int_equal(m->minor, 2);
	assert_string_equal(m->fstype, "ext4");
	assert_string_equal(m->source, "/dev/dm-2");
	assert_int_equal(m->hide, MNT_SHOWN);
	assert_false(m->suspect);
	/* "\040" is a space, "\011" a tab */
	m = &t.m[29];
	assert_string_equal(m->point, "/var/lib/kubelet/plugins/kubernetes.io/vsphere-volume/mounts/"
				      "[vsanDatastore] bafb9e5a-8856-7e6c-699c-801844e77a4a/"
				      "kubernetes-dynamic-pvc-3eba5bba-48a3-11e8-89ab-005056b92113.vmdk");
	assert_non_null(strchr(t.m[30].point, '\t'));
	/* the same device 260:0 twice: one reported, the other a bind of it */
	assert_true((t.m[29].hide == MNT_HIDE_BIND) != (t.m[30].hide == MNT_HIDE_BIND));
	/* FUSE: may hang; cgroup, proc, autofs: pseudo */
	m = at(&t, "/run/user/1000/gvfs");
	assert_int_equal(m->kind, MNT_REMOTE);
	assert_true(m->suspect);
	assert_false(at(&t, "/run/user/1000")->suspect);
	assert_int_equal(at(&t, "/sys/fs/cgroup/cpuset")->hide, MNT_HIDE_PSEUDO);
	assert_int_equal(at(&t, "/proc")->hide, MNT_HIDE_PSEUDO);
	assert_true(at(&t, "/sys/fs/cgroup")->ro);
	/* two mounts on /proc/sys/fs/binfmt_misc (the fixture's first has type
	 * "systemd-1", unknown, so not pseudo): the later one is on top */
	assert_int_equal(t.m[19].hide, MNT_HIDE_OVER);
	assert_int_equal(t.m[19].same_as, 26);
	assert_int_equal(t.m[26].hide, MNT_HIDE_PSEUDO);
	/* a bind of a subdirectory: the whole filesystem is reported instead */
	m = at(&t, "/var/lib/containers/storage/overlay");
	assert_string_equal(m->root, "/var/lib/containers/storage/overlay");
	assert_int_equal(m->hide, MNT_SHOWN); /* 253:0 appears nowhere else */
	assert_int_equal(mnt_find_path(&t, "/var/lib/kubelet"), 5);
	assert_int_equal(mnt_find_path(&t, "/run/user/1000/gvfs/x"), 28);
	assert_int_equal(mnt_find_path(&t, "/runx"), 5);
	assert_int_equal(mnt_find_dev(&t, 259, 2), 5);
	assert_int_equal(mnt_find_dev(&t, 1, 1), -1);
	mnt_table_free(&t);
	free(s);
}

/* procfs's: NFS mounted twice on one point, and once more on top */
static void procfs_nfs(void **state)
{
	size_t len;
	char *s = fixture("procfs/proc/26231/mountinfo", &len);
	struct mnt_table t;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_mountinfo(s, len, "mountinfo", &t, &err), 0);
	mnt_classify(&t);
	assert_int_equal(t.n, 8);
	/* "1 1 0:5 /  /root": runs of spaces separate fields */
	assert_string_equal(t.m[0].point, "/root");
	assert_string_equal(t.m[0].opts, "rw,nosuid");
	assert_int_equal(t.m[4].hide, MNT_HIDE_OVER);
	assert_int_equal(t.m[5].hide, MNT_HIDE_OVER);
	assert_int_equal(t.m[6].hide, MNT_SHOWN);
	assert_string_equal(t.m[6].fstype, "nfs");
	assert_string_equal(t.m[6].source, "192.168.1.1:/srv/test");
	assert_true(t.m[6].suspect);
	assert_false(t.m[6].ro);
	assert_int_equal(mnt_find_path(&t, "/mnt/nfs/test/a"), 6);
	mnt_table_free(&t);
	free(s);
}

/* An overlay is local, but its statfs asks its upper layer and its
 * lookups go through every layer: one with a layer on FUSE or NFS may hang
 * (ovl_statfs -> fuse_statfs, seen on these machines). */
static void overlay_on_fuse(void **state)
{
	struct mnt_table t;

	(void)state;
	parse_ok("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
		 "2 1 0:40 / /mnt/fuse rw - fuse.sshfs host:/x rw\n"
		 "3 1 0:41 / /o1 rw - overlay overlay rw,lowerdir=/mnt/fuse/low,upperdir=/up,workdir=/wk\n"
		 "4 1 0:42 / /o2 rw - overlay overlay rw,lowerdir=/l1:/mnt/fuse/l2,upperdir=/up,workdir=/wk\n"
		 "5 1 0:43 / /o3 rw - overlay overlay rw,lowerdir=/l\\:x:/l2,upperdir=/up,workdir=/wk\n"
		 "6 1 0:44 / /o4 rw - overlay overlay rw\n"
		 "7 1 0:45 / /o5 rw - overlay overlay rw,lowerdir+=/mnt/fuse/a,datadir+=/d\n"
		 "8 1 0:46 / /o6 rw - overlay overlay rw,lowerdir=/o1/x,upperdir=/u2,workdir=/w2\n"
		 "9 1 0:47 / /a1 rw - aufs none rw,si=1\n",
		 &t);
	assert_true(t.m[1].suspect);
	assert_true(t.m[2].suspect);	/* lower on FUSE */
	assert_true(t.m[3].suspect);	/* the second lower on FUSE */
	assert_false(t.m[4].suspect);	/* "/l\:x" is one path, on the root */
	assert_true(t.m[5].suspect);	/* no layers to read, and a FUSE mount exists */
	assert_true(t.m[6].suspect);	/* 6.5's lowerdir+= */
	assert_true(t.m[7].suspect);	/* an overlay on that overlay */
	assert_true(t.m[8].suspect);	/* aufs: its branches are not read */
	mnt_table_free(&t);
	/* with no FUSE or network mount anywhere, no overlay waits on one */
	parse_ok("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
		 "2 1 0:44 / /o4 rw - overlay overlay rw\n", &t);
	assert_false(t.m[1].suspect);
	mnt_table_free(&t);
}

static void overlay_and_binds(void **state)
{
	struct mnt_table t;

	(void)state;
	parse_ok("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
		 "2 1 8:1 /var/lib/kubelet/pods/x/volumes /mnt/bind rw - ext4 /dev/sda1 rw\n"
		 "3 1 8:1 /data /data rw - ext4 /dev/sda1 rw\n"
		 "4 1 0:50 / /run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs rw - "
		 "overlay overlay rw,lowerdir=/a:/b,upperdir=/c,workdir=/d\n"
		 "5 1 0:51 / /mnt/nfs rw - nfs4 srv:/x rw\n"
		 "6 5 8:2 / /mnt/nfs/local rw - xfs /dev/sda2 rw\n"
		 "7 1 8:3 / /broken rw - ext4 /dev/sda3 ro,errors=remount-ro\n"
		 "8 1 0:52 / /weird rw - mysteryfs none rw\n",
		 &t);
	assert_int_equal(t.m[0].hide, MNT_SHOWN);
	assert_int_equal(t.m[1].hide, MNT_HIDE_BIND);
	assert_int_equal(t.m[1].same_as, 0);
	assert_int_equal(t.m[2].hide, MNT_HIDE_BIND);
	assert_int_equal(t.m[3].hide, MNT_HIDE_OVERLAY);
	assert_true(t.m[4].suspect);
	/* a local filesystem below a network one: its path goes through it */
	assert_int_equal(t.m[5].kind, MNT_LOCAL);
	assert_true(t.m[5].suspect);
	/* an error remount shows in the super options only */
	assert_false(t.m[6].ro);
	assert_true(t.m[6].super_ro);
	/* a type srebox does not know may hang */
	assert_true(t.m[7].suspect);
	/* the overlay's layers /a /b /c /d are on the local root */
	assert_false(t.m[3].suspect);
	assert_int_equal(mnt_find_dev(&t, 8, 1), 0);
	assert_true(mnt_is_point(&t, "/mnt/nfs/local"));
	assert_false(mnt_is_point(&t, "/mnt"));
	mnt_table_free(&t);
}

static void bind_prefers_whole_fs(void **state)
{
	struct mnt_table t;

	(void)state;
	/* the bind comes first and has the shorter path; the whole fs wins */
	parse_ok("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
		 "2 1 8:2 /sub /a rw - ext4 /dev/sda2 rw\n"
		 "3 1 8:2 / /data/disk2 rw - ext4 /dev/sda2 rw\n"
		 "4 1 8:2 / /zz/longer/path rw - ext4 /dev/sda2 rw\n",
		 &t);
	assert_int_equal(t.m[1].hide, MNT_HIDE_BIND);
	assert_int_equal(t.m[2].hide, MNT_SHOWN);
	assert_int_equal(t.m[3].hide, MNT_HIDE_BIND);
	assert_int_equal(t.m[1].same_as, 2);
	assert_int_equal(t.m[3].same_as, 2);
	mnt_table_free(&t);
}

/* A copy (what a live loop keeps between samples) is the table, field by
 * field, and outlives it: nothing points into the original. */
static void copy_is_independent(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/1/mountinfo", &len);
	struct mnt_table t, c, again;
	struct sbx_err err;

	(void)state;
	assert_int_equal(parse_mountinfo(s, len, "mountinfo", &t, &err), 0);
	mnt_classify(&t);
	assert_int_equal(parse_mountinfo(s, len, "mountinfo", &again, &err), 0);
	mnt_classify(&again);
	mnt_table_copy(&c, &t);
	memset(t.arena, 'x', t.arena_len);	/* the original's text, gone */
	mnt_table_free(&t);
	assert_int_equal(c.n, again.n);
	for (size_t i = 0; i < c.n; i++) {
		const struct mnt *a = &c.m[i], *b = &again.m[i];

		assert_string_equal(a->root, b->root);
		assert_string_equal(a->point, b->point);
		assert_string_equal(a->opts, b->opts);
		assert_string_equal(a->fstype, b->fstype);
		assert_string_equal(a->source, b->source);
		assert_string_equal(a->super, b->super);
		assert_int_equal(a->id, b->id);
		assert_int_equal(a->kind, b->kind);
		assert_int_equal(a->hide, b->hide);
		assert_int_equal(a->same_as, b->same_as);
		assert_int_equal(a->suspect, b->suspect);
	}
	mnt_table_free(&c);
	mnt_table_free(&again);
	free(s);
}

static void escapes(void **state)
{
	char s1[] = "a\\040b\\011c\\012d\\134e", s2[] = "x\\000y\\04", s3[] = "\\999\\";

	(void)state;
	mnt_unescape(s1);
	assert_string_equal(s1, "a b\tc\nd\\e");
	mnt_unescape(s2);
	assert_string_equal(s2, "x\\000y\\04");
	mnt_unescape(s3);
	assert_string_equal(s3, "\\999\\");
}

static void empty_source(void **state)
{
	struct mnt_table t;

	(void)state;
	parse_ok("1 0 0:20 / /run rw shared:1 master:2 - tmpfs  rw,size=10k\n", &t);
	assert_string_equal(t.m[0].source, "");
	assert_string_equal(t.m[0].super, "rw,size=10k");
	mnt_table_free(&t);
}

static void bad(void **state)
{
	static const char *const cases[] = {
		"", "\n\n", "garbage\n", "1 0 8:1 / / rw ext4 /dev/sda1 rw\n",
		"1 0 81 / / rw - ext4 /dev/sda1 rw\n", "x 0 8:1 / / rw - ext4 /dev/sda1 rw\n",
		"1 0 8:1 / / rw -\n", "1 0 8:1 / / rw - ext4\n", "1 0 8:1\n",
		"99999999999 0 8:1 / / rw - ext4 a b\n",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mnt_table t;
		struct sbx_err err;

		if (parse_mountinfo(cases[i], strlen(cases[i]), "/proc/self/mountinfo", &t, &err) == 0)
			fail_msg("case %zu parsed", i);
		assert_non_null(strstr(err.msg, "/proc/self/mountinfo"));
	}
	{
		struct mnt_table t;
		struct sbx_err err;
		static const char bin[] = "1 0 8:1 / / rw - ext4 \0/dev/sda1 rw\n";

		assert_int_equal(parse_mountinfo(bin, sizeof(bin) - 1, "m", &t, &err), -1);
		assert_non_null(strstr(err.msg, "NUL"));
	}
}

static void every_truncation(void **state)
{
	size_t len;
	char *s = fixture("node_exporter/proc/1/mountinfo", &len);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		struct mnt_table t;
		struct sbx_err err;

		if (parse_mountinfo(s, n, "m", &t, &err) == 0) {
			mnt_classify(&t);
			mnt_table_free(&t);
		}
	}
	free(s);
}

/* A node with 20000 mounts (CSI volumes, pods): linear enough, all found. */
static void very_long_list(void **state)
{
	struct buf b = { 0 };
	struct mnt_table t;
	struct sbx_err err;

	(void)state;
	buf_adds(&b, "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n");
	for (int i = 0; i < 20000; i++)
		buf_addf(&b,
			 "%d 1 0:%d / /var/lib/kubelet/pods/%08d/volumes/kubernetes.io~nfs/pv rw "
			 "shared:%d - nfs4 srv:/export/%d rw,vers=4.1\n",
			 i + 2, 100 + i, i, i, i);
	assert_int_equal(parse_mountinfo(b.s, b.len, "m", &t, &err), 0);
	mnt_classify(&t);
	assert_int_equal(t.n, 20001);
	assert_true(t.m[20000].suspect);
	assert_int_equal(t.m[20000].hide, MNT_SHOWN);
	assert_int_equal(mnt_find_path(&t, "/var/lib/kubelet/pods/00019999/volumes/kubernetes.io~nfs/pv/f"),
			 20000);
	mnt_table_free(&t);
	buf_free(&b);
}

/* A parent cycle (corrupt input) must not loop forever. */
static void parent_cycle(void **state)
{
	struct mnt_table t;

	(void)state;
	parse_ok("1 2 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 8:2 / /a rw - ext4 /dev/sda2 rw\n", &t);
	assert_false(t.m[0].suspect);
	mnt_table_free(&t);
}

static void kmsg_records(void **state)
{
	struct kmsg_rec k;
	const char *r1 = "3,1234,5140900,-;EXT4-fs error (device loop0): ext4_lookup:1855: inode #2: "
			 "comm ls: deleted inode referenced: 12\n SUBSYSTEM=block\n";
	char dev[64];

	(void)state;
	assert_int_equal(0, parse_kmsg_record(r1, strlen(r1), &k));
	assert_int_equal(k.prio, 3);
	assert_int_equal(k.seq, 1234);
	assert_int_equal(k.usec, 5140900);
	assert_int_equal(kmsg_fs_match(k.text, k.tlen, dev, sizeof(dev)), KFS_ERROR);
	assert_string_equal(dev, "loop0");
	assert_int_equal(0, parse_kmsg_record("6,1,2,c,extra;x", 15, &k));
	assert_int_equal(-1, parse_kmsg_record("", 0, &k));
	assert_int_equal(-1, parse_kmsg_record("6,1;x", 5, &k));
	assert_int_equal(-1, parse_kmsg_record("a,b,c,-;x", 9, &k));
	assert_int_equal(-1, parse_kmsg_record("6,1,2", 5, &k));
	assert_int_equal(-1, parse_kmsg_record("6,1,2;x", 7, &k));
	assert_int_equal(-1, parse_kmsg_record("99999,1,2,-;x", 13, &k));
}

static void syslog_lines(void **state)
{
	struct kmsg_rec k;
	static const char *const bad[] = { "", "<", "<3", "<3x", "3>x", "<3>[",
					    "<3>[1.123456 x", "<99999>x", "<3>[99999999999999999.000000] x" };
	const char *l = "<3>[ 5140.900001] EXT4-fs error (device sda1): x";

	(void)state;
	assert_int_equal(parse_syslog_record(l, strlen(l), &k), 0);
	assert_int_equal(k.prio, 3);
	assert_int_equal(k.usec, 5140900001ull);
	assert_int_equal(k.tlen, strlen("EXT4-fs error (device sda1): x"));
	assert_int_equal(parse_syslog_record("<12>no time", 11, &k), 1);
	assert_int_equal(k.prio, 12);
	assert_int_equal(k.usec, 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (parse_syslog_record(bad[i], strlen(bad[i]), &k) >= 0)
			fail_msg("parsed '%s'", bad[i]);
	for (size_t n = 0; n <= strlen(l); n++)
		parse_syslog_record(l, n, &k);
}

static void kmsg_fs_messages(void **state)
{
	static const struct {
		const char *text;
		enum kmsg_fs want;
		const char *dev;
	} cases[] = {
		{ "EXT4-fs (loop3): Remounting filesystem read-only", KFS_REMOUNT_RO, "loop3" },
		{ "EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading "
		  "directory lblock 0",
		  KFS_ERROR, "sda1" },
		{ "EXT4-fs (dm-0): error count since last fsck: 5", KFS_ERROR, "dm-0" },
		{ "EXT4-fs (sda1): mounted filesystem with ordered data mode", KFS_NONE, "" },
		{ "XFS (dm-2): Corruption detected. Unmount and run xfs_repair", KFS_ERROR, "dm-2" },
		{ "XFS (sdb1): Filesystem has been shut down due to log error (0x2).",
		  KFS_REMOUNT_RO, "sdb1" },
		{ "BTRFS error (device nvme0n1p2): bdev /dev/nvme0n1p2 errs: wr 1, rd 0",
		  KFS_ERROR, "nvme0n1p2" },
		{ "BTRFS info (device sda2): forced readonly", KFS_REMOUNT_RO, "sda2" },
		{ "Buffer I/O error on dev sdb1, logical block 0, async page read", KFS_IO_ERROR,
		  "sdb1" },
		{ "blk_update_request: I/O error, dev sdc, sector 2048 op 0x0:(READ)", KFS_IO_ERROR,
		  "sdc" },
		{ "Aborting journal on device loop0-8.", KFS_ERROR, "loop0" },
		{ "Aborting journal on device dm-3-8.", KFS_ERROR, "dm-3" },
		{ "EXT4-fs", KFS_NONE, "" },
		{ "EXT4-fs (", KFS_NONE, "" },
		{ "XFS", KFS_NONE, "" },
		{ "usb 1-1: new high-speed USB device", KFS_NONE, "" },
		{ "", KFS_NONE, "" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char dev[64];
		enum kmsg_fs got = kmsg_fs_match(cases[i].text, strlen(cases[i].text), dev,
						 sizeof(dev));

		if (got != cases[i].want || strcmp(dev, cases[i].dev))
			fail_msg("'%s': got %d '%s', want %d '%s'", cases[i].text, got, dev,
				 cases[i].want, cases[i].dev);
	}
	/* every truncation of a long message stays in bounds */
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		for (size_t n = 0; n <= strlen(cases[i].text); n++) {
			char *c = xstrndup(cases[i].text, n), dev[8];

			kmsg_fs_match(c, n, dev, sizeof(dev));
			free(c);
		}
}

static void pod_names(void **state)
{
	char ns[64], pod[64];

	(void)state;
	assert_true(pod_dir_parse("kube-system_coredns-5d78c9869d-x2x7q_"
				  "0b0e3b5a-3f0c-4a62-8a57-1f3f5d2e4b11",
				  ns, sizeof(ns), pod, sizeof(pod)));
	assert_string_equal(ns, "kube-system");
	assert_string_equal(pod, "coredns-5d78c9869d-x2x7q");
	assert_false(pod_dir_parse("kube-system_coredns", ns, sizeof(ns), pod, sizeof(pod)));
	assert_false(pod_dir_parse("_a_0b0e3b5a-3f0c-4a62-8a57-1f3f5d2e4b11", ns, sizeof(ns), pod,
				   sizeof(pod)));
	assert_false(pod_dir_parse("a__0b0e3b5a-3f0c-4a62-8a57-1f3f5d2e4b11", ns, sizeof(ns), pod,
				   sizeof(pod)));
	assert_false(pod_dir_parse("a_b_c_0b0e3b5a-3f0c-4a62-8a57-1f3f5d2e4b11", ns, sizeof(ns), pod,
				   sizeof(pod)));
	assert_false(pod_dir_parse("", ns, sizeof(ns), pod, sizeof(pod)));
	assert_false(pod_dir_parse("verylongnamespacename_p_0b0e3b5a-3f0c-4a62-8a57-1f3f5d2e4b11",
				   ns, 8, pod, sizeof(pod)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_exporter_host), cmocka_unit_test(procfs_nfs),
		cmocka_unit_test(overlay_and_binds),
		cmocka_unit_test(overlay_on_fuse),  cmocka_unit_test(bind_prefers_whole_fs),
		cmocka_unit_test(copy_is_independent), cmocka_unit_test(escapes),	      cmocka_unit_test(empty_source),
		cmocka_unit_test(bad),		      cmocka_unit_test(every_truncation),
		cmocka_unit_test(very_long_list),     cmocka_unit_test(parent_cycle),
		cmocka_unit_test(kmsg_records), cmocka_unit_test(syslog_lines),	      cmocka_unit_test(kmsg_fs_messages),
		cmocka_unit_test(pod_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
