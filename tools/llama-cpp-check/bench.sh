#!/usr/bin/env bash
# llama.cpp and qwen4j on the same GGUF files, back to back: prefill tokens/s for P prompt tokens and decode
# tokens/s for N tokens, THREADS threads, R repetitions, ROUNDS alternations per file (one table row each).
#   tools/llama-cpp-check/bench.sh FILE.gguf...      (env: P=512 N=128 R=3 THREADS=2 ROUNDS=1 LLAMA_BENCH=path)
# llama.cpp is llama.cpp's own llama-bench when one is built (build-llama-bench.sh; LLAMA_BENCH or
# tools/llama-cpp-check/llama.cpp/build/bin/llama-bench), else node-llama-cpp's prebuilt binary via check.mjs,
# whose decode pays a JavaScript round trip per token (a lower bound for llama.cpp).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
p="${P:-512}"; n="${N:-128}"; r="${R:-3}"; threads="${THREADS:-2}"; rounds="${ROUNDS:-1}"
lb="${LLAMA_BENCH:-$here/llama.cpp/build/bin/llama-bench}"
if [ -x "$lb" ]; then engine="llama-bench"; else engine="node-llama-cpp"; fi
echo "llama.cpp via $engine; qwen4j bench -t $threads -r $r --no-probe; medians (runs, or mean ± sd)"
printf '| file | llama.cpp pp%s | qwen4j pp%s | llama.cpp tg%s | qwen4j tg%s | load avg before / after |\n' "$p" "$p" "$n" "$n"
printf '|---|---|---|---|---|---|\n'
# "median (run/run/run)" of a JSON array of tokens/s
summary() { node -e 'const x=JSON.parse(process.argv[1]), d=+process.argv[2], s=[...x].sort((a,b)=>a-b);
  console.log(s[Math.floor(s.length/2)].toFixed(1)+" ("+x.map(v=>v.toFixed(d)).join("/")+")")' "$1" "$2"; }
for f in "$@"; do
  for ((round = 1; round <= rounds; round++)); do
    load="$(cut -d' ' -f1 /proc/loadavg)"
    if [ "$engine" = llama-bench ]; then
      l="$("$lb" -m "$f" -t "$threads" -r "$r" -p "$p" -n "$n" -o json 2>/dev/null)"
      lpp="$(summary "$(node -e 'const t=JSON.parse(process.argv[1]).find(x=>x.n_gen===0); console.log(JSON.stringify(t.samples_ts))' "$l")" 0)"
      ltg="$(summary "$(node -e 'const t=JSON.parse(process.argv[1]).find(x=>x.n_prompt===0); console.log(JSON.stringify(t.samples_ts))' "$l")" 1)"
    else
      l="$(node "$here/check.mjs" -m "$f" --bench -p "$p" -n "$n" -r "$r" -t "$threads")"
      lpp="$(summary "$(node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).bench.pp_tps))' "$l")" 0)"
      ltg="$(summary "$(node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).bench.tg_tps))' "$l")" 1)"
    fi
    q="$("$root/qwen4j" bench -m "$f" -t "$threads" -r "$r" -p "$p" -n "$n" --no-probe 2>&1)"
    echo "$q" > "${f%.gguf}.qwen4j-bench.txt"; echo "$l" > "${f%.gguf}.llama-bench.json"
    # qwen4j bench prints "ppP  MEAN ± SD  MEDIAN  efficiency"
    qpp="$(echo "$q" | awk -v t="pp$p" '$1 == t {printf "%s (%s ± %s)", $5, $2, $4}')"
    qtg="$(echo "$q" | awk -v t="tg$n" '$1 == t {printf "%s (%s ± %s)", $5, $2, $4}')"
    printf '| %s | %s | %s | %s | %s | %s / %s |\n' "$(basename "$f")" "$lpp" "$qpp" "$ltg" "$qtg" "$load" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
