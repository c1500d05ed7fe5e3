#!/usr/bin/env python3
"""The soak's figures and plot: reads soak.csv (soak_clients.py), prints a summary, writes an
SVG of RSS, file descriptors, database connections and latency over time, and exits 1 when
memory grew by more than 10 % after the warm-up (the first sixth: the lowest sample of the
second sixth against the lowest of the last) or any answer was wrong.

usage: soak_plot.py CSV SVG
"""
import csv
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
if len(rows) < 6:
    sys.exit("too few samples for a soak: %d" % len(rows))
column = lambda key: [float(r[key]) for r in rows]
t = column("seconds")
warm = len(rows) // 6
rss = column("rss_mb")
# The lowest sample of a sixth of the run each: a sample taken while a login runs holds Argon2's
# 64 MiB for a moment, which is no growth.
after_warm_up, at_end = min(rss[warm:2 * warm]), min(rss[-warm:])
growth = (at_end - after_warm_up) / after_warm_up * 100
requests, failures = sum(column("requests")), sum(column("failures"))
fds, connections = column("fds"), column("db_connections")
p50, p99 = column("p50_ms"), column("p99_ms")
plugins = column("plugins_rss_mb")

print(f"duration: {t[-1]:.0f} s, requests: {requests:.0f} ({requests / t[-1]:.0f}/s), "
      f"failures: {failures:.0f}")
print(f"server RSS: {rss[0]:.1f} MB at the first sample, {after_warm_up:.1f} MB after the "
      f"warm-up, {at_end:.1f} MB at the end ({growth:+.1f} %; lowest samples, without a login's "
      f"64 MiB in flight), highest {max(rss):.1f} MB")
print(f"plugin processes' RSS: {plugins[warm]:.1f} MB after the warm-up, {plugins[-1]:.1f} MB "
      f"at the end")
print(f"file descriptors: {min(fds[warm:]):.0f} to {max(fds[warm:]):.0f} after the warm-up; "
      f"database connections: {min(connections):.0f} to {max(connections):.0f}")
print(f"latency: p50 {statistics.median(p50):.1f} ms, p99 {statistics.median(p99):.1f} ms "
      f"(medians of the 10 s windows), worst p99 {max(p99):.1f} ms")


# The server's RSS without the moments a login holds Argon2's 64 MiB: the trend to look at.
baseline = [min(rss[max(0, i - 5):i + 1]) for i in range(len(rss))]


def panel(index, title, series, unit):
    """One chart, 640x150, at row index: series is [(values, colour, name)]."""
    left, top, width, height = 60, 30 + index * 190, 640, 150
    highest = max(max(values) for values, _, _ in series) * 1.1 or 1
    parts = [f'<text x="{left}" y="{top - 8}" font-size="13">{title}</text>',
             f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" '
             f'stroke="#999"/>']
    for fraction in (0, 0.5, 1):
        y = top + height - fraction * height
        parts.append(f'<text x="{left - 6}" y="{y + 4:.0f}" font-size="10" text-anchor="end">'
                     f'{highest * fraction:.0f} {unit}</text>')
    for minute in range(0, int(t[-1] / 60) + 1, 5):
        x = left + minute * 60 / t[-1] * width
        parts.append(f'<text x="{x:.0f}" y="{top + height + 12}" font-size="10" '
                     f'text-anchor="middle">{minute} min</text>')
    for n, (values, colour, name) in enumerate(series):
        points = " ".join(f"{left + s / t[-1] * width:.1f},{top + height - v / highest * height:.1f}"
                          for s, v in zip(t, values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     f'stroke-width="1.5"/>')
        parts.append(f'<text x="{left + width - 4}" y="{top + 14 + 13 * n}" font-size="11" '
                     f'text-anchor="end" fill="{colour}">{name}</text>')
    return "\n".join(parts)


svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="720" height="{4 * 190 + 20}" '
       f'font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>',
       panel(0, "Memory (RSS)", [(rss, "#aec7e8", "server"),
                                 (baseline, "#1f77b4", "server, lowest of the last minute"),
                                 (plugins, "#ff7f0e", "plugin processes")], "MB"),
       panel(1, "Open file descriptors (server)", [(fds, "#2ca02c", "fds")], ""),
       panel(2, "PostgreSQL connections", [(connections, "#9467bd", "connections")], ""),
       panel(3, "Latency per 10 s", [(p99, "#d62728", "p99"), (p50, "#1f77b4", "p50")], "ms"),
       "</svg>"]
open(sys.argv[2], "w").write("\n".join(svg) + "\n")
flat = growth <= 10
print(f"memory flat after the warm-up: {'yes' if flat else 'no'}; plot: {sys.argv[2]}")
sys.exit(0 if flat and failures == 0 else 1)
