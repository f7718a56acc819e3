/* YAML documents (kubeconfig) as jansson trees, the way sigs.k8s.io/yaml
 * hands YAML to Go's JSON decoder: libyaml parses, this builds the tree. */
#ifndef SREBOX_YAML_JSON_H
#define SREBOX_YAML_JSON_H

#include "util.h"

#include <jansson.h>

/* The first document of `text`.  Plain scalars true/false/yes/no/on/off
 * become booleans and null/~/empty become null; every other scalar,
 * numbers included, is a string (a kubeconfig has no numeric field, and a
 * token of digits must stay a string).  Aliases share their anchor's node.
 * `name` (the file) prefixes errors, which carry libyaml's line and column.
 * An empty document is an empty object.  Returns NULL with err set. */
json_t *yaml_to_json(const char *text, size_t len, const char *name, struct sbx_err *err);

#endif
