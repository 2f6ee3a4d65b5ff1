#!/usr/bin/python3
# small-report.py CSV PNG: summary of bench/fwd/small.sh (lossless rate, CPU
# per frame (median over the steps), ratios to Open vSwitch in the same run) and the
# chart: loss against offered rate, one line per path, one panel per
# direction.
import csv, collections, math, os, sys

rows = list(csv.DictReader(open(sys.argv[1])))
by = collections.OrderedDict()
for r in rows:
    by.setdefault((r["path"], r["direction"]), []).append(r)

def lossless(rs):
    best = 0
    for r in rs:
        if float(r["loss_pct"]) < 0.1:
            best = max(best, int(float(r["received_pps"])))
    return best

def us_at(rs):
    # median over the steps; a step whose CPU reads 0 while frames went
    # through is a measuring fault, not a free forwarder: left out (CSVs
    # written before small.sh printed the CPU time with %.0f have them:
    # mawk's %d stopped at 2^31 ns)
    v = sorted(float(r["fwd_us_per_frame"]) for r in rs if float(r["fwd_cores"]) > 0)
    return v[len(v) // 2] if v else float("nan")

def waited(rs):
    # median share of a step the forwarder waited runnable for a CPU
    # (CSVs before that column: "-")
    v = sorted(float(r["fwd_wait_share"]) for r in rs if r.get("fwd_wait_share"))
    return "%.0f %%" % (100 * v[len(v) // 2]) if v else "-"

ovs = {d: lossless(rs) for (p, d), rs in by.items() if p == "ovs"}
ovs_us = {d: us_at(rs) for (p, d), rs in by.items() if p == "ovs"}
print("%-14s %-10s %10s %8s %13s %9s %7s" % ("path", "direction", "lossless", "x OVS", "us/frame(med)", "x OVS", "waited"))
for (p, d), rs in by.items():
    l, u = lossless(rs), us_at(rs)
    o, ou = ovs.get(d, 0), ovs_us.get(d, float("nan"))
    print("%-14s %-10s %10d %8s %13.2f %9s %7s" % (p, d, l, "%.1f" % (l / o) if o else "-", u,
          "%.2f" % (u / ou) if ou == ou and ou else "-", waited(rs)))
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("(no chart: python3-matplotlib is not installed)")
    sys.exit(0)
dirs = list(dict.fromkeys(d for _, d in by))
fig, axes = plt.subplots(1, len(dirs), figsize=(6.5 * len(dirs), 4.5), squeeze=False)
for ax, d in zip(axes[0], dirs):
    for (p, dd), rs in by.items():
        if dd != d and p != "veth":
            continue
        pts = sorted((float(r["sent_pps"]) / 1000, max(float(r["loss_pct"]), 0.01)) for r in rs)
        x, y = [a for a, _ in pts], [b for _, b in pts]
        ax.plot(x, y, marker="o", label=p, linewidth=2.5 if p in ("veth", "ovs") else 1.5,
                linestyle="--" if p in ("veth", "ovs") else "-")
    ax.axhline(0.1, color="grey", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_ylim(0.008, 110)
    ax.set_xlabel("offered 64-byte frames (kpps, as sent)")
    ax.set_ylabel("loss % (0.01 = none; line: 0.1 %)")
    ax.set_title("bondgend modes vs raw veth and OVS: " + d)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=90)
print("chart: %s" % os.path.basename(sys.argv[2]))
