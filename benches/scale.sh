#!/usr/bin/env bash
# Scale run: generates each scale once, runs `affil check` on it under /usr/bin/time -v, and
# prints wall time, CPU time, peak memory and the per-stage wall times of the run summary.
#
#   benches/scale.sh [--national] [--seed N] [--threads N]
#
# Data goes to target/scale/<scale>-<seed>/ and is reused on later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
seed=7
threads=""
scales=(municipal regional regional2x)
while [ $# -gt 0 ]; do
  case "$1" in
    --national) scales+=(national) ;;
    --seed) seed="$2"; shift ;;
    --threads) threads="--threads $2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet
bin=target/release/affil
printf '| scale | wall, s | CPU, s | peak RSS, MB | stages (wall) |\n|---|---|---|---|---|\n'
for scale in "${scales[@]}"; do
  dir="target/scale/$scale-$seed"
  if [ ! -f "$dir/commissions.csv" ]; then
    case "$scale" in
      regional2x) $bin generate --out "$dir" --scale regional --chunks 200 --seed "$seed" 2>/dev/null ;;
      *) $bin generate --out "$dir" --scale "$scale" --seed "$seed" 2>/dev/null ;;
    esac
  fi
  log="$dir/time.log"
  # shellcheck disable=SC2086
  /usr/bin/time -v $bin $threads check "$dir" --out "$dir/out" 2> "$log" >/dev/null
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.1f", u+s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$log")
  stages=$(sed -n 's/^time: [0-9.]*s (\(.*\))$/\1/p' "$log")
  printf '| %s | %s | %s | %s | %s |\n' "$scale" "$wall" "$cpu" "$rss" "$stages"
done
