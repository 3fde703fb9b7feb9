#!/usr/bin/env bash
# Cross-check: for each model and GGUF type, write the file with `./qwen4j quantize`, run llama.cpp
# (check.mjs) and qwen4j on it with the same prompt, and compare tokens, last-position logits and greedy tokens.
#   tools/llama-cpp-check/run.sh [WORK_DIR]      (env: MODELS, TYPES, PROMPT, N, THREADS;
#   REUSE=1 keeps the GGUF files and outputs a previous run left in WORK_DIR and only re-scores)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:-${TMPDIR:-/tmp}/qwen4j-llama-cpp-check}"
mkdir -p "$work"
[ -d "$here/node_modules/node-llama-cpp" ] || { echo "run 'npm ci' in $here first" >&2; exit 1; }
types="${TYPES:-f32 f16 bf16 q8_0 q6_k q5_k_m q5_0 q4_k_m q4_0 q3_k_m}"
models="${MODELS:-tiny-qwen3 tiny-qwen3-moe w256}"
prompt="${PROMPT:-The quick brown fox jumps over the lazy dog. 1234 + 5678 = 6912? Ünïcödé, 漢字, emoji 🦊 <|im_start|>user
Hi there!<|im_end|>}"
n="${N:-16}"
threads="${THREADS:-2}"
q4j="$root/qwen4j"

model_dir() {
  case "$1" in
    w256)
      if [ ! -f "$work/w256/model.safetensors" ]; then
        "$q4j" --version >/dev/null 2>&1 || true   # builds target/ when sources changed
        (cd "$root" && "${QWEN4J_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" --add-modules jdk.incubator.vector \
           --enable-native-access=ALL-UNNAMED -cp "target/classes:$(cat target/runtime-classpath.txt)" \
           "$here/W256.java" "$work/w256") >&2
      fi
      echo "$work/w256" ;;
    *) echo "$root/src/test/resources/golden/models/$1" ;;
  esac
}

results="$work/results.jsonl"
: > "$results"
printf '| model | type | llama.cpp load | tokens equal | top-1 equal | top-5 overlap | KL(llama.cpp‖qwen4j) | max abs Δlogit | KL(qwen4j f32‖qwen4j type) | greedy equal (common prefix) |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for m in $models; do
  dir="$(model_dir "$m")"
  for t in $types; do
    g="$work/$m-$t.gguf"; o="$work/$m-$t"
    if [ "${REUSE:-0}" = 1 ] && [ -s "$o.compare.json" ]; then
      :   # reuse everything but the scoring
    else
      "$q4j" quantize -m "$dir" --type "$t" -o "$g" > "$o.quantize.log" 2>&1
      if ! node "$here/check.mjs" -m "$g" --text "$prompt" -n "$n" -t "$threads" --logits-out "$o.llama.bin" > "$o.llama.json" 2> "$o.llama.err"; then
        printf '| %s | %s | FAILED: %s | | | | | | | |\n' "$m" "$t" "$(head -c 300 "$o.llama.json" "$o.llama.err" | tr '\n|' '  ')"
        echo "{\"model\":\"$m\",\"type\":\"$t\",\"load\":\"failed\"}" >> "$results"
        continue
    fi
    ids="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).tokens.join(","))' "$o.llama.json")"
    "$q4j" tokenize -m "$g" --text "$prompt" > "$o.our-tokens.json" 2> "$o.our.err"
    "$q4j" logits -m "$g" --tokens "$ids" --output "$o.our.bin" >> "$o.our.err" 2>&1
    "$q4j" run -m "$g" --tokens "$ids" --json --max-tokens "$n" --temperature 0 --ignore-eos > "$o.our-run.json" 2>> "$o.our.err"
    fi
    node "$here/compare.mjs" "$o.llama.json" "$o.llama.bin" "$o.our-tokens.json" "$o.our.bin" "$o.our-run.json" "$work/$m-f32.our.bin" > "$o.compare.json"
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1])); const [m, t] = process.argv.slice(2);
      const w = r.llama_warnings.filter(s => !/control-looking token: 128247 .<\/s>./.test(s));
      console.log(`| ${m} | ${t} | ${w.length ? "warnings: " + w.length : "ok"} | ${r.tokens_equal ? "yes" : "NO"} (${r.n_tokens}) | ${r.top1_equal ? "yes" : "NO"} | ${r.top5_overlap}/5 | ${r.kl.toExponential(2)} | ${r.max_abs_logit_diff.toPrecision(3)} | ${r.kl_ours_vs_our_f32 == null ? "" : r.kl_ours_vs_our_f32.toExponential(2)} | ${r.greedy_equal ? "yes" : "no"} (${r.greedy_common_prefix}/${r.greedy_n}) |`);
      require("fs").appendFileSync(process.argv[4], JSON.stringify({model: m, type: t, ...r}) + "\n");
    ' "$o.compare.json" "$m" "$t" "$results"
  done
done
echo "details: $results" >&2
