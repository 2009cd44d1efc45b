#!/usr/bin/env bash
# Draws the charts of a bench/run.sh run from the results.json it keeps in
# its output dir (BENCH_CHARTS_DIR, docs/performance by default), into the
# same dir, so the charts can be redrawn from a committed run:
#
#   bash bench/plot.sh [DIR]
#
#   api-rps.png         files.getInfo req/s by connections (dropspace on
#                       SQLite and PostgreSQL, nginx serving the XML static)
#   api-p99.png         their p99 latency, with the targets
#   slow-rss.png        peak RSS by concurrent slow uploads
#   small-uploads.png   4 KiB uploads/s by clients
#   targets.png         each ratio target: measured ratio and the goal
# Needs python3 and gnuplot (with pngcairo, else its png terminal).
set -euo pipefail
DIR="${1:-docs/performance}"
JSON="$DIR/results.json"
[ -f "$JSON" ] || { echo "no $JSON (run bench/run.sh first)" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "gnuplot is missing (apt-get install gnuplot-nox)" >&2; exit 1; }

DATA="$(mktemp -d)"
trap 'rm -rf "$DATA"' EXIT

# One whitespace-separated table per chart; gnuplot reads "NaN" as no point.
python3 - "$JSON" "$DATA" <<'EOF'
import json, os, re, sys
j = json.load(open(sys.argv[1]))
r, t, meta, out = j["results"], j["targets"], j["meta"], sys.argv[2]
def v(k):
    return r.get(k, float("nan"))
def table(name, rows):
    with open(os.path.join(out, name), "w") as f:
        for row in rows:
            f.write(" ".join(str(x) for x in row) + "\n")
conns = [int(c) for c in meta["api_conns"].split()]
table("api.dat", [[c] + [v(f"scale_api_{c}_{w}_{m}") for m in ("rps", "p99") for w in ("ds", "pg", "ng")] for c in conns])
slow = [int(n) for n in meta["slow_points"].split()]
table("slow.dat", [[n] + [v(f"scale_slow_{n}_{w}_rss_mib") for w in ("ds", "ng", "rp")] + [v(f"scale_slow_{n}_ds_base_mib")] for n in slow])
clients = [int(c) for c in meta["small_clients"].split()]
table("small.dat", [[c] + [v(f"scale_small_{c}_{w}_per_sec") for w in ("ds", "pg", "rp")] for c in clients])
rows = []
for name, c in t.items():
    if c.get("kind") != "ratio":
        continue
    # "files.getInfo (PostgreSQL) >= 0.3 x nginx static" -> two short lines
    label = re.sub(r" >= [\d.]+ x ", "\\\\n/ ", name).replace(" (PostgreSQL)", "\\n(PostgreSQL)")
    rows.append([len(rows), f'"{label}"', c["x"], c["goal"], int(c["met"])])
table("targets.dat", rows)
secs = int(meta["seconds"])
size = int(meta["size_mib"])
size = f"{size // 1024} GiB" if size % 1024 == 0 else f"{size} MiB"
with open(os.path.join(out, "subtitle"), "w") as f:
    f.write(f"run of {meta['started'][:16].replace('T', ' ')} UTC, {meta['commit']}, {size}, "
            f"{meta['api_secs']} s per wrk point, {secs // 60} min in all")
EOF

TERM_PNG="pngcairo enhanced font 'DejaVu Sans,11'"
gnuplot -e "set terminal pngcairo" 2>/dev/null || TERM_PNG="png enhanced"

gnuplot <<EOF
set terminal $TERM_PNG size 1000,650
sub = "$(cat "$DATA/subtitle")"
set grid
# Below the plot: a legend inside would sit on some run's curves.
set key at screen 0.5, screen 0.015 center bottom box Left reverse maxrows 3 horizontal
set bmargin 8
set pointsize 1.3
set style line 1 lc rgb '#1f77b4' lw 2 pt 7
set style line 2 lc rgb '#9467bd' lw 2 pt 5
set style line 3 lc rgb '#2ca02c' lw 2 pt 9
set style line 4 lc rgb '#ff7f0e' lw 2 pt 11

set output "$DIR/api-rps.png"
set title "files.getInfo throughput by concurrent connections (wrk, loopback)\n{/*0.8 " . sub . "}"
set logscale xy
set xlabel "concurrent connections (log scale)"
set ylabel "requests per second (log scale)"
set xrange [0.7:1500]
set xtics (1, 4, 16, 64, 256, 1024)
set format y "%.0s%c"
plot "$DATA/api.dat" using 1:4 with linespoints ls 3 title "nginx, the same XML as a static file", \
     "" using 1:2 with linespoints ls 1 title "dropspace, SQLite", \
     "" using 1:3 with linespoints ls 2 title "dropspace, PostgreSQL"

set output "$DIR/api-p99.png"
set title "files.getInfo 99th-percentile latency by concurrent connections\n{/*0.8 " . sub . "}"
set ylabel "p99 latency, ms (log scale)"
set format y "%g"
plot "$DATA/api.dat" using 1:7 with linespoints ls 3 title "nginx, static", \
     "" using 1:5 with linespoints ls 1 title "dropspace, SQLite", \
     "" using 1:6 with linespoints ls 2 title "dropspace, PostgreSQL", \
     5 with lines lc rgb '#1f77b4' dt 2 lw 1.5 title "target at 64 connections, SQLite: 5 ms", \
     10 with lines lc rgb '#9467bd' dt 2 lw 1.5 title "target at 64 connections, PostgreSQL: 10 ms"

set output "$DIR/slow-rss.png"
set title "Peak server RSS by concurrent slow uploads (1 MiB each at 64 KB/s)\n{/*0.8 " . sub . "}"
set xlabel "uploads in flight at once (log scale)"
set ylabel "peak RSS, MiB (log scale)"
set xrange [7:1500]
set xtics (10, 30, 100, 300, 1000)
plot "$DATA/slow.dat" using 1:2 with linespoints ls 1 title "dropspace (SQLite)", \
     "" using 1:3 with linespoints ls 3 title "nginx (master + workers)", \
     "" using 1:4 with linespoints ls 4 title "rustypaste", \
     "" using 1:5 with linespoints ls 1 dt 3 pt 6 title "dropspace, resting RSS just before", \
     256 with lines lc rgb '#d62728' dt 2 lw 1.5 title "dropspace target at 1,000: 256 MiB"

set output "$DIR/small-uploads.png"
set title "4 KiB uploads per second by concurrent clients\n{/*0.8 " . sub . "}"
unset logscale
set logscale x 2
set xlabel "concurrent clients (log scale)"
set ylabel "completed uploads per second"
set xrange [0.8:80]
set xtics (1, 2, 4, 8, 16, 32, 64)
set yrange [0:*]
plot "$DATA/small.dat" using 1:2 with linespoints ls 1 title "dropspace, SQLite (upload.getInfo + form)", \
     "" using 1:3 with linespoints ls 2 title "dropspace, PostgreSQL (the same)", \
     "" using 1:4 with linespoints ls 4 title "rustypaste (one multipart POST)"

n = $(wc -l <"$DATA/targets.dat")
set output "$DIR/targets.png"
set terminal $TERM_PNG size 1200,650
set title "Headline ratios against their targets (bar: measured, black line: target)\n{/*0.8 " . sub . "}"
unset logscale
set logscale y
set yrange [0.01:20]
set xrange [-0.6:n - 0.4]
set bmargin 5
set xlabel ""
set ylabel "ratio (log scale)"
set xtics () font ",9" nomirror
set grid noxtics ytics
set key inside top right box opaque noreverse Right maxrows 3
ymin = 0.01
plot "$DATA/targets.dat" using 1:(sqrt(ymin*\$3)):(\$1-0.35):(\$1+0.35):(ymin):3:(\$5 > 0 ? 0x2ca02c : 0xd62728):xtic(2) \
        with boxxyerror fs solid 0.7 lc rgb variable notitle, \
     "" using (\$1-0.42):4:(0.84):(0) with vectors nohead lw 3 lc rgb 'black' title "target", \
     "" using 1:3:(sprintf("%.2f", \$3)) with labels offset 0,0.8 font ",9" notitle, \
     NaN with boxes fs solid 0.7 lc rgb '#2ca02c' title "met", \
     NaN with boxes fs solid 0.7 lc rgb '#d62728' title "missed"
EOF
echo "charts: $DIR/api-rps.png api-p99.png slow-rss.png small-uploads.png targets.png" >&2
