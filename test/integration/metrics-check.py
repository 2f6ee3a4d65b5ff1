#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check `bondgen metrics` output with the prometheus_client parsers.

Usage: metrics-check.py OPENMETRICS-FILE PROMETHEUS-FILE BOND:MODE:BACKEND:PORT,PORT...

The OpenMetrics file must be accepted by prometheus_client's OpenMetrics
parser (strict: TYPE before samples, counters as NAME_total, "# EOF"), the
other by its text-format 0.0.4 parser (what node_exporter's textfile
collector reads); both must carry the same samples (the same values, but
for traffic counters, which the host's own frames may move between the two
reads: those may only grow from the first file to the second); every bond named on
the command line must be there with its mode, backend and ports, each port
with its up/down gauge and its counters.
"""
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om
from prometheus_client.parser import text_string_to_metric_families as parse_prom


def samples(families):
    out = {}
    for fam in families:
        for s in fam.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in out:
                raise SystemExit(f"duplicate sample {key}")
            out[key] = s.value
    return out


def main():
    om_text = open(sys.argv[1]).read()
    prom_text = open(sys.argv[2]).read()
    om_fams = list(parse_om(om_text))
    om = samples(om_fams)
    prom = samples(parse_prom(prom_text))
    if om.keys() != prom.keys():
        raise SystemExit(f"the two formats differ in samples: {sorted(om.keys() ^ prom.keys())[:5]}")
    traffic = ("_packets_total", "_bytes_total", "_dropped_total", "lacpdu_received_total",
               "lacpdu_sent_total")
    diff = []
    for k, v in om.items():
        w = prom[k]
        if k[0].endswith(traffic) and k[0].startswith("bondgen_port_"):
            if w < v:
                diff.append((k, v, w))
        elif v != w:
            diff.append((k, v, w))
    if diff:
        raise SystemExit(f"the two formats differ: {diff[:5]}")
    types = {f.name: f.type for f in om_fams}
    assert types.get("bondgen_bond") == "info", types
    assert types.get("bondgen_port_link_failures") == "counter", types
    for spec in sys.argv[3:]:
        bond, mode, backend, ports = spec.split(":")
        key = ("bondgen_bond_info", (("backend", backend), ("bond", bond), ("mode", mode)))
        assert om.get(key) == 1, f"no bondgen_bond_info for {spec}"
        for p in ports.split(","):
            lab = (("bond", bond), ("port", p))
            for name in ("bondgen_port_up", "bondgen_port_link_failures_total",
                         "bondgen_port_receive_packets_total", "bondgen_port_transmit_packets_total"):
                assert (name, lab) in om, f"no {name} for {bond}/{p}"
            assert om[("bondgen_port_up", lab)] == 1, f"{bond}/{p} is not up"
        n = om[("bondgen_bond_ports", (("bond", bond),))]
        assert n == len(ports.split(",")), f"{bond}: {n} ports"
    print(f"{len(om)} samples in {len(om_fams)} families, identical in both formats")


main()
