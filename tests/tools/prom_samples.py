#!/usr/bin/env python3
"""Print the samples of one metric family from a Prometheus text file as
'k=v,k=v<TAB>value' lines (labels sorted), for comparing srebox's numbers
with another implementation's (node_exporter's expected output)."""
import re
import sys

path, family = sys.argv[1], sys.argv[2]
line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
for line in open(path, encoding='utf-8'):
    if line.startswith('#'):
        continue
    m = line_re.match(line)
    if not m or m.group(1) != family:
        continue
    labels = sorted(label_re.findall(m.group(3) or ''))
    value = float(m.group(4))
    if value == int(value):
        value = int(value)
    print(','.join(f'{k}={v}' for k, v in labels) + '\t' + str(value))
