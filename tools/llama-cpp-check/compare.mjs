#!/usr/bin/env node
// Compares llama.cpp's output (check.mjs JSON + --logits-out file) with qwen4j's (tokenize JSON, logits
// file, run --json) for one GGUF and prompt; prints one JSON object.
//   node compare.mjs LLAMA.json LLAMA_LOGITS.bin OUR_TOKENS.json OUR_LOGITS.bin OUR_RUN.json [OUR_F32_LOGITS.bin]
// The optional last file (qwen4j's logits for the same model written as f32) gives the scale of the
// quantization itself: KL(qwen4j f32 || qwen4j this type).
import fs from "node:fs";

const [llamaJson, llamaBin, ourTokJson, ourBin, ourRunJson, refBin] = process.argv.slice(2);
const l = JSON.parse(fs.readFileSync(llamaJson, "utf8"));
const ourTokens = JSON.parse(fs.readFileSync(ourTokJson, "utf8"));
const ourRun = JSON.parse(fs.readFileSync(ourRunJson, "utf8"));
const floats = f => { const b = fs.readFileSync(f); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); };
const a = floats(llamaBin), b = floats(ourBin);
if (a.length !== b.length) throw new Error(`logit counts differ: llama.cpp ${a.length}, qwen4j ${b.length}`);

const logSoftmax = x => {
    let m = -Infinity; for (const v of x) if (v > m) m = v;
    let s = 0; for (const v of x) s += Math.exp(v - m);
    const lse = m + Math.log(s);
    return Float64Array.from(x, v => v - lse);
};
const argmax = x => { let bi = 0; for (let i = 1; i < x.length; i++) if (x[i] > x[bi]) bi = i; return bi; };
const la = logSoftmax(a), lb = logSoftmax(b);
let kl = 0, maxAbs = 0;
for (let i = 0; i < la.length; i++) {
    kl += Math.exp(la[i]) * (la[i] - lb[i]);          // KL(llama.cpp || qwen4j)
    maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
}
let klRef = null;
if (refBin && fs.existsSync(refBin)) {
    const lr = logSoftmax(floats(refBin));
    klRef = 0;
    for (let i = 0; i < lr.length; i++) klRef += Math.exp(lr[i]) * (lr[i] - lb[i]);
}
const ga = l.greedy, gb = ourRun.token_ids;
let prefix = 0;
while (prefix < ga.length && prefix < gb.length && ga[prefix] === gb[prefix]) prefix++;
const top5 = x => Array.from(x.keys()).sort((i, j) => x[j] - x[i]).slice(0, 5);
const ta = top5(a), tb = top5(b);
console.log(JSON.stringify({
    tokens_equal: JSON.stringify(l.tokens) === JSON.stringify(ourTokens),
    n_tokens: l.tokens.length,
    top1_llama: argmax(a), top1_ours: argmax(b), top1_equal: argmax(a) === argmax(b),
    top5_overlap: ta.filter(t => tb.includes(t)).length,
    kl, max_abs_logit_diff: maxAbs, kl_ours_vs_our_f32: klRef,
    greedy_equal: JSON.stringify(ga) === JSON.stringify(gb), greedy_common_prefix: prefix, greedy_n: ga.length,
    llama_tokens: l.tokens, our_tokens: ourTokens, llama_greedy: ga, our_greedy: gb,
    llama_warnings: (l.log ?? []).filter(e => e.level !== "info" && e.level !== "debug").map(e => e.message),
}));
