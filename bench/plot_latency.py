#!/usr/bin/env python3
"""Draws send->deliver latency by percentile (HDR style) from loadgen JSON results.

    bench/plot_latency.py OUT.png RESULT.json[@STEP] [RESULT.json[@STEP] ...]

Each RESULT is one series, labelled "<protocol> <step>"; STEP is a step name such as
"rate 2000" (default: the highest passing step, else the first one). Needs gnuplot
(Debian: gnuplot-nox).
"""
import json
import os
import subprocess
import sys
import tempfile


def pick_step(doc, wanted):
    steps = doc.get("steps", [])
    if not steps:
        raise SystemExit(f"no steps in {doc.get('scenario')} result")
    if wanted:
        for s in steps:
            if s["name"] == wanted:
                return s
        raise SystemExit(f"no step named {wanted!r}")
    passing = [s for s in steps if s.get("passed")]
    return max(passing, key=lambda s: s["targetRate"]) if passing else steps[0]


def percentile_curve(buckets):
    total = sum(c for _, c in buckets)
    seen = 0
    points = []
    for upper_us, count in buckets:
        seen += count
        fraction = seen / total
        if fraction >= 1.0:
            fraction = 1 - 1 / (total * 10)  # the maximum, drawn just past the last percentile
        points.append((1 / (1 - fraction), upper_us / 1000.0))
    return points


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    out = sys.argv[1]
    work = tempfile.mkdtemp()
    plots = []
    for i, arg in enumerate(sys.argv[2:]):
        path, _, step_name = arg.partition("@")
        with open(path) as f:
            doc = json.load(f)
        step = pick_step(doc, step_name)
        data = os.path.join(work, f"s{i}.dat")
        with open(data, "w") as f:
            for x, y in percentile_curve(step["latencyBucketsUs"]):
                f.write(f"{x} {y}\n")
        label = f"{doc['protocol']} {step['name']} msg/s (p99 {step['latency']['p99_ms']:.1f} ms)"
        plots.append(f"'{data}' using 1:2 with steps lw 2 title \"{label}\"")
        scenario = doc["scenario"]
    script = f"""
set terminal pngcairo size 1000,600 noenhanced
set output '{out}'
set title 'send -> deliver latency by percentile, scenario {scenario}'
set logscale x
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000)
set xlabel 'percentile'
set ylabel 'latency (ms)'
set key below
set grid
plot {", ".join(plots)}
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    print(out)


if __name__ == "__main__":
    main()
