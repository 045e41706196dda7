#!/usr/bin/env bash
# Import scale run: writes N ЕИС protocols (ZIPs of 10,000) and an ЕГРЮЛ file of M companies
# (benches/import_data.py), imports each under /usr/bin/time -v, and prints wall time, CPU
# time, peak memory and MB of XML a second. Run it at two sizes to see memory stay flat.
#
#   benches/import_scale.sh [PROTOCOLS] [COMPANIES]      (default 100000 and 200000)
#
# Data goes to target/import-scale/<protocols>-<companies>/ and is reused on later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
protocols=${1:-100000}
companies=${2:-200000}
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet
bin=target/release/affil
dir=target/import-scale/$protocols-$companies
if [ ! -f "$dir/egrul.xml" ]; then
  python3 benches/import_data.py "$dir" "$protocols" "$companies"
fi
echo "| import | input | wall s | CPU s | peak MiB | XML MB/s |"
echo "|---|---|---|---|---|---|"
for kind in eis egrul; do
  src=$dir/$kind; [ "$kind" = egrul ] && src=$dir/egrul.xml
  out=$dir/out-$kind
  rm -rf "$out"
  log=$dir/$kind.time.log
  /usr/bin/time -v "$bin" import "$kind" "$src" --out "$out" 2> "$log" >/dev/null
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$log" |
    awk -F: '{ if (NF==3) printf "%.1f", $1*3600+$2*60+$3; else printf "%.1f", $1*60+$2 }')
  cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.1f", u+s}' "$log")
  rss=$(awk -F': ' '/Maximum resident/{printf "%d", $2/1024}' "$log")
  mb=$(sed -n 's/.*document(s), \([0-9.]*\) MB of XML.*/\1/p' "$log")
  what=$([ "$kind" = eis ] && echo "$protocols protocols" || echo "$companies companies")
  echo "| $kind | $what, $mb MB | $wall | $cpu | $rss | $(awk -v m="$mb" -v w="$wall" 'BEGIN{printf "%.0f", m/w}') |"
done
