#!/usr/bin/env bash
# llama.cpp (node-llama-cpp's prebuilt CPU build) and qwen4j on the same GGUF files, back to back:
# prefill tokens/s for P prompt tokens and decode tokens/s for N tokens, THREADS threads, R repetitions.
#   tools/llama-cpp-check/bench.sh FILE.gguf...      (env: P=512 N=128 R=3 THREADS=2)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
p="${P:-512}"; n="${N:-128}"; r="${R:-3}"; threads="${THREADS:-2}"
printf '| file | llama.cpp pp%s | qwen4j pp%s | llama.cpp tg%s | qwen4j tg%s | load avg before / after |\n' "$p" "$p" "$n" "$n"
printf '|---|---|---|---|---|---|\n'
for f in "$@"; do
  load="$(cut -d' ' -f1 /proc/loadavg)"
  l="$(node "$here/check.mjs" -m "$f" --bench -p "$p" -n "$n" -r "$r" -t "$threads")"
  q="$("$root/qwen4j" bench -m "$f" -t "$threads" -r "$r" -p "$p" -n "$n" --no-probe 2>&1)"
  echo "$q" > "${f%.gguf}.qwen4j-bench.txt"; echo "$l" > "${f%.gguf}.llama-bench.json"
  lpp="$(node -e 'const b=JSON.parse(process.argv[1]).bench; console.log(b.pp_median.toFixed(1)+" ("+b.pp_tps.map(x=>x.toFixed(0)).join("/")+")")' "$l")"
  ltg="$(node -e 'const b=JSON.parse(process.argv[1]).bench; console.log(b.tg_median.toFixed(1)+" ("+b.tg_tps.map(x=>x.toFixed(1)).join("/")+")")' "$l")"
  # qwen4j bench prints "ppP  MEAN ± SD  MEDIAN  efficiency"
  qpp="$(echo "$q" | awk -v t="pp$p" '$1 == t {printf "%s (%s ± %s)", $5, $2, $4}')"
  qtg="$(echo "$q" | awk -v t="tg$n" '$1 == t {printf "%s (%s ± %s)", $5, $2, $4}')"
  printf '| %s | %s | %s | %s | %s | %s / %s |\n' "$(basename "$f")" "$lpp" "$qpp" "$ltg" "$qtg" "$load" "$(cut -d' ' -f1 /proc/loadavg)"
done
