/* srebox uncordon NODE...: make nodes schedulable again, kubectl's PATCH
 * {"spec":{"unschedulable":null}}; the run is cordon's (cmd/cordon.c). */
#include "cordon.h"

static int run(struct sbx_ctx *ctx)
{
	return cordon_run(ctx, false);
}

const struct sbx_applet applet_uncordon = {
	.name = "uncordon",
	.summary = "mark Kubernetes nodes schedulable again, as kubectl uncordon",
	.usage = "[OPTIONS] NODE...",
	.description =
		"Mark each NODE schedulable again with the patch kubectl uncordon sends\n"
		"(spec.unschedulable removed); a node already schedulable gets no request.\n"
		"Exit 0 when every node is schedulable, 3 when one could not be read or\n"
		"changed.",
	.flags = AP_K8S | AP_OUTPUT,
	.opts = cordon_opts,
	.args_complete = "cmd:nodes -o name --request-timeout 2s",
	.run = run,
};
