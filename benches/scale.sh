#!/usr/bin/env bash
# Scale run: generates each scale once, runs `affil check --timings` on it under /usr/bin/time -v,
# and prints wall time, CPU time and peak RSS per stage and in total, each with its ratio to the
# last published table (benches/scale-baseline.csv, the table of docs/performance.md), then the
# thread-scaling check (the regional run again with --threads 1: time, and whether every output
# byte is equal), then the growth from scale to scale (input size, time, memory).
#
# The new table is also written to target/scale/table.csv, in the baseline's format: copied over
# benches/scale-baseline.csv when its figures are published.
#
#   benches/scale.sh [--national] [--seed N] [--no-threads-check] [--memory-limit-mb N]
#
# A run whose resident memory passes the limit (default 22000 MB, under this machine's 24 GB) is
# stopped, and its row says so, instead of the whole machine running out of memory.
#
# Data goes to target/scale/<scale>-<seed>/ and is reused on later runs (regional2x is the
# regional generator with twice the chunks: twice the municipalities, the same mix).
set -euo pipefail
cd "$(dirname "$0")/.."
seed=7
threads_check=1
limit_mb=22000
scales=(municipal regional regional2x)
while [ $# -gt 0 ]; do
  case "$1" in
    --national) scales+=(national) ;;
    --seed) seed="$2"; shift ;;
    --no-threads-check) threads_check=0 ;;
    --memory-limit-mb) limit_mb="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet
bin=target/release/affil
baseline=benches/scale-baseline.csv
table=target/scale/table.csv
mkdir -p target/scale
echo "scale,stage,wall_s,cpu_s,peak_rss_mb" > "$table"
growth=()

# ratio SCALE STAGE COLUMN VALUE: the value over the baseline's, as x1.23 (- if none).
ratio() {
  awk -F, -v s="$1" -v st="$2" -v col="$3" -v v="$4" '
    $1 == s && $2 == st && $col > 0 { printf "x%.2f", v / $col; found = 1 }
    END { if (!found) printf "-" }' "$baseline"
}

# run SCALE DIR OUT [extra args]: one check under /usr/bin/time; prints the rows of the table.
run() {
  local scale="$1" dir="$2" out="$3"; shift 3
  local log="$out.time.log"
  mkdir -p "$out"
  rm -f "$out/timings.csv"
  /usr/bin/time -v "$bin" "$@" check "$dir" --out "$out" --timings 2> "$log" >/dev/null &
  local watched=$! start=$SECONDS pid="" rss_kb=0
  while kill -0 "$watched" 2>/dev/null; do
    pid=${pid:-$(pgrep -P "$watched" | head -1 || true)}
    rss_kb=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    if [ "${rss_kb:-0}" -gt $((limit_mb * 1024)) ]; then
      kill -9 "$pid"
      wait "$watched" 2>/dev/null || true
      printf '| %s | - | **stopped** | %s | - | over %s | - | - |\n' "$scale" $((SECONDS - start)) "$limit_mb"
      return
    fi
    sleep 1
  done
  wait "$watched" || true
  local wall cpu rss rows
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$log" |
    awk -F: '{ if (NF==3) printf "%.1f", $1*3600+$2*60+$3; else printf "%.1f", $1*60+$2 }')
  cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.1f", u+s}' "$log")
  # The run's peak is the largest stage peak the run sampled (see src/meter.rs): the kernel's
  # mark, which /usr/bin/time reports, misses memory the allocator gives back with madvise.
  rss=$(tail -n +2 "$out/timings.csv" | awk -F, '$4>m{m=$4} END{print m}')
  rows=$(sed -n 's/^ *[a-z_]*\.csv *\([0-9]*\) rows.*/\1/p' "$log" | awk '{s+=$1} END{print s}')
  local key=${scale/,/}
  # Per stage, from timings.csv: stage,wall_s,cpu_s,peak_rss_mb.
  while IFS=, read -r stage w c m; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$scale" "$rows" "$stage" "$w" "$c" "$m" \
      "$(ratio "$key" "$stage" 3 "$w")" "$(ratio "$key" "$stage" 5 "$m")"
    echo "$key,$stage,$w,$c,$m" >> "$table"
  done < <(tail -n +2 "$out/timings.csv")
  printf '| %s | %s | **total** | **%s** | **%s** | **%s** | %s | %s |\n' "$scale" "$rows" "$wall" "$cpu" "$rss" \
    "$(ratio "$key" total 3 "$wall")" "$(ratio "$key" total 5 "$rss")"
  echo "$key,total,$wall,$cpu,$rss" >> "$table"
  local bytes
  bytes=$(stat -c %s "$dir"/{officials,relatives,companies,company_roles,procurements,participants,commissions}.csv |
    awk '{s += $1} END {print s}')
  [[ "$scale" == *,* ]] || growth+=("$scale,$bytes,$wall,$rss")
}

printf '| scale | input rows | stage | wall, s | CPU, s | peak RSS, MB | wall vs last | peak vs last |\n|---|---|---|---|---|---|---|---|\n'
for scale in "${scales[@]}"; do
  dir="target/scale/$scale-$seed"
  if [ ! -f "$dir/commissions.csv" ]; then
    case "$scale" in
      regional2x) $bin generate --out "$dir" --scale regional --chunks 200 --seed "$seed" 2>/dev/null ;;
      *) $bin generate --out "$dir" --scale "$scale" --seed "$seed" 2>/dev/null ;;
    esac
  fi
  run "$scale" "$dir" "$dir/out"
done

if [ "$threads_check" = 1 ]; then
  dir="target/scale/regional-$seed"
  run "regional, --threads 1" "$dir" "$dir/out-1" --threads 1
  same=yes
  for f in cases.csv cases.json summary.md warnings.csv cases.xlsx report.html; do
    cmp -s "$dir/out/$f" "$dir/out-1/$f" || same="NO ($f differs)"
  done
  echo
  echo "regional outputs with --threads 1 and 2 byte-identical: $same"
fi

# Growth from scale to scale: each against the regional run.
echo
echo "| scale | input CSV, MB | wall, s | peak RSS, MB | input vs regional | wall vs regional | peak vs regional |"
echo "|---|---|---|---|---|---|---|"
base=""
for g in "${growth[@]}"; do
  case "$g" in regional,*) base="$g" ;; esac
done
for g in "${growth[@]}"; do
  IFS=, read -r scale bytes wall rss <<< "$g"
  IFS=, read -r _ bbytes bwall brss <<< "${base:-$g}"
  awk -v s="$scale" -v b="$bytes" -v w="$wall" -v r="$rss" -v bb="$bbytes" -v bw="$bwall" -v br="$brss" \
    'BEGIN { printf "| %s | %.0f | %s | %s | x%.2f | x%.2f | x%.2f |\n", s, b / 1e6, w, r, b / bb, (bw > 0 ? w / bw : 0), (br > 0 ? r / br : 0) }'
done
