#!/usr/bin/env bash
# Builds llama.cpp's own llama-bench on this machine, from the llama.cpp source snapshot that node-llama-cpp ships
# (node_modules/node-llama-cpp/llama/gitRelease.bundle, the same commit as its prebuilt binaries), CPU only,
# -march=native, so qwen4j's speed can be compared with llama.cpp's own benchmark in the same minutes rather
# than through node-llama-cpp's per-token JavaScript round trip. Needs cmake and a C++ compiler; ~5 min on 2 cores.
#   tools/llama-cpp-check/build-llama-bench.sh [DIR]     (default DIR: tools/llama-cpp-check/llama.cpp, git-ignored)
# Prints the path of the llama-bench binary; bench.sh uses it when LLAMA_BENCH points at it or it sits in DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-$here/llama.cpp}"
bundle="$here/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$bundle" ] || { echo "no $bundle: run 'npm ci' (or 'npm install') in $here first" >&2; exit 1; }
for tool in cmake c++ git; do command -v "$tool" >/dev/null || { echo "needs $tool on PATH" >&2; exit 1; }; done
if [ ! -d "$dir/.git" ]; then
  git clone -q "$bundle" "$dir" 2>/dev/null
fi
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
cmake -S "$dir" -B "$dir/build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF >"$dir/cmake.log" 2>&1 || { tail -20 "$dir/cmake.log" >&2; exit 1; }
cmake --build "$dir/build" --target llama-bench -j "$(nproc)" >"$dir/build.log" 2>&1 || { tail -20 "$dir/build.log" >&2; exit 1; }
echo "$dir/build/bin/llama-bench"
