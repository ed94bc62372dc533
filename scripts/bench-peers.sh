#!/usr/bin/env bash
# Measures nn's training throughput beside the PyTorch and JAX reference
# implementations of the same workloads, interleaved so that bursts of host
# noise hit every implementation alike, and prints the ratios.
#
# Usage: scripts/bench-peers.sh [--workload W1|W2|W3] [--batch N] [--threads N]
#                               [--rounds N] [--ours-only]
#
# Without --workload and --batch it runs every workload at the peers' batch
# sizes: W1 at 1 and 32, W2 at 1, 64 and 256, W3 at 64. The peer scripts are
# read from $PEERS_DIR (default: ../shared/bench/peers next to the repository)
# and run with $PEERS_PYTHON, a Python that has torch, jax and optax installed;
# --ours-only needs neither. Raw result lines go to $LOG (default: a new file
# under /tmp), and the summary to standard output.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS_DIR:-$root/../shared/bench/peers}
workload=""
batch=""
threads=2
rounds=1
ours_only=0

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --workload) workload=${2:?missing value after --workload}; shift 2 ;;
        --batch) batch=${2:?missing value after --batch}; shift 2 ;;
        --threads) threads=${2:?missing value after --threads}; shift 2 ;;
        --rounds) rounds=${2:?missing value after --rounds}; shift 2 ;;
        --ours-only) ours_only=1; shift ;;
        -h|--help) usage 0 ;;
        *) echo "error: unknown option '$1'" >&2; usage ;;
    esac
done

case "$workload" in
    ""|W1|W2|W3) ;;
    *) echo "error: invalid workload '$workload'; use W1, W2 or W3" >&2; exit 2 ;;
esac

if [ "$ours_only" -eq 0 ]; then
    if [ -z "${PEERS_PYTHON:-}" ]; then
        echo "error: PEERS_PYTHON is not set; point it at a Python with torch, jax and optax" \
             "(see $peers/README.md), or pass --ours-only" >&2
        exit 2
    fi
    if [ ! -f "$peers/torch_reference.py" ]; then
        echo "error: peer scripts not found in $peers; set PEERS_DIR" >&2
        exit 2
    fi
fi

log=${LOG:-$(mktemp /tmp/bench-peers.XXXXXX)}
echo "raw results: $log" >&2

# Build once, so that compiling is not part of the first measurement.
(cd "$root" && cargo bench --bench workloads --no-run --quiet)

plan=()
for w in W1 W2 W3; do
    [ -n "$workload" ] && [ "$w" != "$workload" ] && continue
    if [ -n "$batch" ]; then
        plan+=("$w:$batch")
        continue
    fi
    case "$w" in
        W1) plan+=("W1:1" "W1:32") ;;
        W2) plan+=("W2:1" "W2:64" "W2:256") ;;
        W3) plan+=("W3:64") ;;
    esac
done

for round in $(seq 1 "$rounds"); do
    echo "round $round of $rounds" >&2
    for item in "${plan[@]}"; do
        w=${item%%:*}
        b=${item##*:}
        (cd "$root" && cargo bench --quiet --bench workloads -- \
            --workload "$w" --batch "$b" --threads "$threads") | tee -a "$log" >&2
        [ "$ours_only" -eq 1 ] && continue
        (cd "$peers" && "$PEERS_PYTHON" torch_reference.py --workloads "$w" --batches "$b" \
            --threads "$threads" --no-check) 2>/dev/null | grep '^workload=' | tee -a "$log" >&2
        if [ "$w" = W2 ]; then
            (cd "$peers" && "$PEERS_PYTHON" jax_reference.py --batches "$b" \
                --threads "$threads" --no-check) 2>/dev/null | grep '^workload=' | tee -a "$log" >&2
        fi
    done
done

# Median over rounds per (workload, batch, impl); then nn against the best
# PyTorch and the best JAX implementation of the same (workload, batch).
awk -v threads="$threads" '
    /^workload=/ {
        delete f
        for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        if (f["threads"] != threads) next
        key = f["workload"] SUBSEP f["batch"] SUBSEP f["impl"]
        n[key]++
        v[key, n[key]] = f["samples_per_s"] + 0
        cases[f["workload"] SUBSEP f["batch"]] = 1
        impls[key] = f["impl"]
    }
    function median(key,    i, j, t, m) {
        m = n[key]
        for (i = 1; i <= m; i++) s[i] = v[key, i]
        for (i = 2; i <= m; i++) for (j = i; j > 1 && s[j - 1] > s[j]; j--) { t = s[j]; s[j] = s[j - 1]; s[j - 1] = t }
        return (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
    }
    END {
        # Each line carries "table, workload, batch" keys for sort; cut drops them.
        printf "1\t\t0\t%-4s %6s %-28s %14s\n", "work", "batch", "impl", "samples/s"
        for (key in n) {
            split(key, part, SUBSEP)
            rate[key] = median(key)
            printf "1\t%s\t%s\t%-4s %6s %-28s %14.1f\n", part[1], part[2], part[1], part[2], part[3], rate[key]
        }
        printf "2\t\t0\t\n"
        printf "2\t\t0\t%-4s %6s %12s %16s %9s %16s %9s\n", "work", "batch", "nn", "best torch", "ratio", "best jax", "ratio"
        for (c in cases) {
            split(c, part, SUBSEP)
            ours = rate[c SUBSEP "nn"]; torch = 0; jax = 0
            for (key in rate) {
                split(key, k, SUBSEP)
                if (k[1] != part[1] || k[2] != part[2]) continue
                if (k[3] ~ /^torch/ && rate[key] > torch) torch = rate[key]
                if (k[3] ~ /^jax/ && rate[key] > jax) jax = rate[key]
            }
            printf "2\t%s\t%s\t%-4s %6s %12.1f %16.1f %9s %16.1f %9s\n", part[1], part[2], part[1], part[2],
                ours, torch, (torch > 0 ? sprintf("%.2fx", ours / torch) : "-"), jax,
                (jax > 0 ? sprintf("%.2fx", ours / jax) : "-")
        }
    }
' "$log" | sort -t "$(printf '\t')" -k1,1n -k2,2 -k3,3n | cut -f4-
