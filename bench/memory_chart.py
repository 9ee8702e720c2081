"""The memory chart of BENCHMARKS.md: objects against vmdns's settled and peak resident memory,
beside CoreDNS's published sizing, as a standalone SVG (no plotting library: the standard
library only, like the rest of bench/).

    import memory_chart
    memory_chart.write_svg("bench/results/memory.svg", rows, "vmdns abc1234, 2026-12-07")

`rows` are bench/million's: dicts with "objects", "vmis", "services", "settled" and
"sync_peak" and "relist_peak" (MiB). CoreDNS's published sizing (coredns/deployment's
kubernetes/Scaling_CoreDNS.md, https://github.com/coredns/deployment/blob/master/kubernetes/
Scaling_CoreDNS.md, and https://coredns.io/2018/11/15/scaling-coredns-in-kubernetes-clusters/):
"MB required (default settings) = (Number of Pods + Services) / 1000 + 54", read here as MiB
(Kubernetes memory limits are written in Mi); each VMI runs in a virt-launcher pod, so pods +
services is VMIs + Services here.
"""

import math

WIDTH, HEIGHT = 720, 440
LEFT, RIGHT, TOP, BOTTOM = 80, 200, 40, 60


def coredns_mib(row):
    return (row["vmis"] + row["services"]) / 1000 + 54


def _ticks(low, high):
    """Powers of ten and their 2x and 5x between low and high."""
    out = []
    exponent = math.floor(math.log10(low))
    while 10 ** exponent <= high:
        for m in (1, 2, 5):
            v = m * 10 ** exponent
            if low <= v <= high:
                out.append(v)
        exponent += 1
    return out


def _label(v):
    if v >= 1e6:
        return "%gM" % (v / 1e6)
    if v >= 1e3:
        return "%gk" % (v / 1e3)
    return "%g" % v


def write_svg(path, rows, subtitle):
    rows = sorted(rows, key=lambda r: r["objects"])
    series = [
        ("vmdns peak (first sync or relist)", "#d62728", "6 3",
         [max(r["sync_peak"], r.get("relist_peak", 0)) for r in rows]),
        ("vmdns settled", "#1f77b4", "", [r["settled"] for r in rows]),
        ("CoreDNS published sizing", "#2ca02c", "2 3", [coredns_mib(r) for r in rows]),
    ]
    xs = [r["objects"] for r in rows]
    all_y = [y for s in series for y in s[3]]
    # A size just above a power of ten (1,000,800 objects) stays within that decade.
    x_low = 10 ** math.floor(math.log10(min(xs)) + 0.01)
    x_high = 10 ** math.ceil(math.log10(max(xs)) - 0.01)
    y_low = 10 ** math.floor(math.log10(min(all_y)))
    y_high = 10 ** math.ceil(math.log10(max(all_y)))
    x_high, y_high = max(x_high, x_low * 10), max(y_high, y_low * 10)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x):
        return LEFT + plot_w * (math.log10(x) - math.log10(x_low)) / (
            math.log10(x_high) - math.log10(x_low))

    def py(y):
        return TOP + plot_h * (1 - (math.log10(y) - math.log10(y_low)) / (
            math.log10(y_high) - math.log10(y_low)))

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (WIDTH, HEIGHT),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="20" font-size="14">Resident memory against Kubernetes objects '
           '(log-log)</text>' % LEFT,
           '<text x="%d" y="34" fill="#666">%s</text>' % (LEFT, subtitle)]
    for x in _ticks(x_low, x_high):
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (
            px(x), TOP, px(x), TOP + plot_h))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (
            px(x), TOP + plot_h + 16, _label(x)))
    for y in _ticks(y_low, y_high):
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (
            LEFT, py(y), LEFT + plot_w, py(y)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (
            LEFT - 6, py(y) + 4, _label(y)))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">objects (VMIs + Services + '
               'Namespaces)</text>' % (LEFT + plot_w / 2, HEIGHT - 16))
    out.append('<text x="18" y="%.1f" text-anchor="middle" transform="rotate(-90 18 %.1f)">'
               'MiB</text>' % (TOP + plot_h / 2, TOP + plot_h / 2))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>' % (
        LEFT, TOP, plot_w, plot_h))
    for index, (name, color, dash, ys) in enumerate(series):
        points = " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in zip(xs, ys))
        out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>' % (
            points, color, ' stroke-dasharray="%s"' % dash if dash else ""))
        for x, y in zip(xs, ys):
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (px(x), py(y), color))
            out.append('<text x="%.1f" y="%.1f" fill="%s" font-size="10">%.0f</text>' % (
                px(x) + 5, py(y) - 5, color, y))
        legend_y = TOP + 14 + index * 18
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>' % (
            LEFT + plot_w + 12, legend_y - 4, LEFT + plot_w + 32, legend_y - 4, color,
            ' stroke-dasharray="%s"' % dash if dash else ""))
        out.append('<text x="%d" y="%d">%s</text>' % (LEFT + plot_w + 36, legend_y, name))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
