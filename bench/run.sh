#!/usr/bin/env bash
# Whole-run benchmark: generate the OT traffic mix (once), then time quietwire analyze pinned to
# one core, with two workers, and tshark and Suricata on the same file when installed.
# Prints packets/s, Mbit/s, peak RSS and the ratios.
#
#   bench/run.sh [SIZE_MB]        (default 450; the mix is cached in bench/out/)
#   ROUNDS=3 bench/run.sh         (fewer interleaved rounds: quicker, noisier)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-450}
out=bench/out
mkdir -p "$out"
pcap=$out/ot_mix_${size}.pcap
gen=../shared/tools/gen_ot_pcap.py
if [ ! -f "$pcap" ]; then
  [ -f "$gen" ] || { echo "bench: $gen not found (needs ../shared beside the checkout)"; exit 2; }
  python3 "$gen" -o "$pcap" --size-mb "$size" --stats "$out/ot_mix_${size}.json"
fi
go build -o "$out/quietwire" ./cmd/quietwire
# count_packets FILE: records in a little-endian classic pcap (what the generators write)
count_packets() {
  python3 - "$1" <<'PY'
import struct,sys
f=open(sys.argv[1],'rb'); f.read(24); n=0
while True:
    h=f.read(16)
    if len(h)<16: break
    f.seek(struct.unpack('<IIII',h)[2],1); n+=1
print(n)
PY
}
pkts=$(count_packets "$pcap")
bytes=$(stat -c %s "$pcap")
echo "capture: $pcap, $pkts packets, $bytes bytes"
# Each configuration runs ROUNDS times (default 5) in interleaved rounds (every configuration once
# per round), so that a slow spell of a shared machine hits all of them alike; the best run of
# each is reported (wall seconds, and the peak RSS of that run).
rounds=${ROUNDS:-5}
names=(); cmds=()
add() { names+=("$1"); shift; cmds+=("$(printf '%q ' "$@")"); }
add "quietwire 1 core, core only" taskset -c 0 "$out/quietwire" analyze "$pcap" --logs "$out/logs" --dissectors none --no-detect -q
add "quietwire 1 core, no detection" taskset -c 0 "$out/quietwire" analyze "$pcap" --logs "$out/logs" --no-detect -q
add "quietwire 1 core, full" taskset -c 0 "$out/quietwire" analyze "$pcap" --logs "$out/logs" -q
add "quietwire 2 workers, core only" "$out/quietwire" analyze "$pcap" --logs "$out/logs" --dissectors none --no-detect --workers 2 -q
add "quietwire 2 workers, full" "$out/quietwire" analyze "$pcap" --logs "$out/logs" --workers 2 -q
add "bare read (quietwire --read-only)" taskset -c 0 "$out/quietwire" analyze "$pcap" --read-only
if command -v tshark >/dev/null; then
  add "tshark -r, 1 core" taskset -c 0 tshark -n -r "$pcap"
fi
if command -v suricata >/dev/null; then
  add "suricata, 1 core, no rules" taskset -c 0 suricata -r "$pcap" -l "$out/suri" -S /dev/null --runmode single -k none
  # The rules Debian's package ships (protocol and decoder events; no internet for suricata-update).
  cat /etc/suricata/rules/*.rules /usr/share/suricata/rules/*.rules > "$out/suri-packaged.rules" 2>/dev/null || true
  if [ -s "$out/suri-packaged.rules" ]; then
    add "suricata, 1 core, packaged rules" taskset -c 0 suricata -r "$pcap" -l "$out/suri" -S "$out/suri-packaged.rules" --runmode single -k none
  fi
fi
declare -A best rss failed
for ((r = 1; r <= rounds; r++)); do
  for i in "${!names[@]}"; do
    name=${names[$i]}
    [ -n "${failed[$name]:-}" ] && continue
    # Every run writes into an empty directory: truncating the last run's logs is not its work.
    # sync: the page cache writeback of the last run's 480 MB of logs is not this run's work
    # either (on this 2-core VM the kernel's flusher threads would otherwise run on the
    # second core during the next run, which the two-worker runs use).
    rm -rf "$out/logs" "$out/suri"; mkdir -p "$out/suri"; sync
    if ! eval "/usr/bin/time -f '%e %M' -o '$out/time.txt' ${cmds[$i]}" >/dev/null 2>"$out/$name.stderr"; then
      failed[$name]=1; echo "$name: failed (see $out/$name.stderr)"; continue
    fi
    read -r secs kib < "$out/time.txt"
    if [ -z "${best[$name]:-}" ] || awk "BEGIN{exit !($secs < ${best[$name]})}"; then best[$name]=$secs; rss[$name]=$kib; fi
  done
done
: > "$out/results.txt"
for name in "${names[@]}"; do
  [ -n "${best[$name]:-}" ] || continue
  awk -v n="$name" -v s="${best[$name]}" -v r="${rss[$name]}" -v p="$pkts" -v b="$bytes" \
    'BEGIN{printf "%-34s %7.2f s %10.0f pkt/s %8.0f Mbit/s  peak RSS %6.0f MiB\n", n, s, p/s, b*8/s/1e6, r/1024}'
  echo "$name ${best[$name]}" >> "$out/results.txt"
done
q=$(grep '^quietwire 1 core, full' "$out/results.txt" | awk '{print $NF}')
q2=$(grep '^quietwire 2 workers, full' "$out/results.txt" | awk '{print $NF}')
[ -n "$q" ] && [ -n "$q2" ] && awk -v a="$q" -v b="$q2" 'BEGIN{printf "2 workers vs 1 core: %.2fx\n", a/b}'
if grep -q '^tshark' "$out/results.txt"; then
  t=$(grep '^tshark' "$out/results.txt" | awk '{print $NF}'); awk -v a="$q" -v b="$t" 'BEGIN{printf "quietwire vs tshark (1 core): %.1fx faster\n", b/a}'
fi
grep '^suricata' "$out/results.txt" | while read -r line; do
  s=$(echo "$line" | awk '{print $NF}'); name=$(echo "$line" | sed 's/ [0-9.]*$//')
  awk -v a="$q" -v b="$s" -v n="$name" 'BEGIN{printf "quietwire full vs %s: %.2fx\n", n, b/a}'
done

# SIM=1: also the large simulated plant of issue #9 (12,000 field devices, 13,521 devices in all,
# three minutes, about 1.2 GB; generated once into bench/out/), quietwire only, best of ROUNDS.
if [ "${SIM:-0}" = 1 ]; then
  sim=$out/sim12k.pcap
  if [ ! -f "$sim" ]; then
    "$out/quietwire" simulate --out "$sim" --devices 12000 --duration 3m --profile mixed --seed 7 >/dev/null
  fi
  spkts=$(count_packets "$sim")
  sbytes=$(stat -c %s "$sim")
  echo "simulated plant: $sim, $spkts packets, $sbytes bytes"
  for name in "1 core" "2 workers"; do
    bestS=""; rssS=""
    for ((r = 1; r <= rounds; r++)); do
      rm -rf "$out/logs"; sync
      if [ "$name" = "1 core" ]; then
        /usr/bin/time -f "%e %M" -o "$out/time.txt" taskset -c 0 "$out/quietwire" analyze "$sim" --logs "$out/logs" --learning-period 90s -q
      else
        /usr/bin/time -f "%e %M" -o "$out/time.txt" "$out/quietwire" analyze "$sim" --logs "$out/logs" --learning-period 90s --workers 2 -q
      fi
      read -r secs kib < "$out/time.txt"
      if [ -z "$bestS" ] || awk "BEGIN{exit !($secs < $bestS)}"; then bestS=$secs; rssS=$kib; fi
    done
    awk -v n="quietwire full, simulated plant, $name" -v s="$bestS" -v r="$rssS" -v p="$spkts" -v b="$sbytes" \
      'BEGIN{printf "%-48s %7.2f s %10.0f pkt/s %8.0f Mbit/s  peak RSS %6.0f MiB\n", n, s, p/s, b*8/s/1e6, r/1024}'
  done
fi
