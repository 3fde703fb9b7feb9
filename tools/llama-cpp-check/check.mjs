#!/usr/bin/env node
// Loads a GGUF file with llama.cpp (the prebuilt CPU binaries node-llama-cpp ships) and prints, as one JSON
// object: llama.cpp's token ids for a prompt, the last prompt position's top-k logits (the full logits as
// float32 little-endian with --logits-out, the layout `qwen4j logits --output` writes), N greedy tokens, and
// every warning or error llama.cpp logged while loading.
//
//   node check.mjs -m FILE.gguf --text "Hello world" [--top-k 10] [-n 16] [--logits-out F] [-t 2]
//   node check.mjs -m FILE.gguf --bench [-p 512] [-n 128] [-r 3] [-t 2]    prefill / decode tokens/s
import {getLlama, LlamaLogLevel} from "node-llama-cpp";
import fs from "node:fs";

function parseArgs(argv) {
    const a = {model: null, text: "Hello world", topK: 10, n: 16, logitsOut: null, threads: 2, bench: false,
        p: 512, r: 3, ctx: 0, special: true};
    for (let i = 0; i < argv.length; i++) {
        const k = argv[i], v = () => argv[++i];
        if (k === "-m" || k === "--model") a.model = v();
        else if (k === "--text") a.text = v();
        else if (k === "--top-k") a.topK = +v();
        else if (k === "-n") a.n = +v();
        else if (k === "-p") a.p = +v();
        else if (k === "-r") a.r = +v();
        else if (k === "-t" || k === "--threads") a.threads = +v();
        else if (k === "--ctx") a.ctx = +v();
        else if (k === "--logits-out") a.logitsOut = v();
        else if (k === "--no-special") a.special = false;
        else if (k === "--bench") a.bench = true;
        else if (k === "-h" || k === "--help") {
            console.log(fs.readFileSync(new URL(import.meta.url)).toString().split("\n").slice(1, 9).join("\n"));
            process.exit(0);
        } else throw new Error("unknown argument " + k);
    }
    if (!a.model) throw new Error("-m FILE.gguf is required");
    return a;
}

const args = parseArgs(process.argv.slice(2));
const log = [];
// CPU only, the prebuilt binary as installed: never build llama.cpp from source, never download another one
const llama = await getLlama({
    gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true, progressLogs: false,
    logLevel: process.env.LLAMA_LOG ? LlamaLogLevel.debug : LlamaLogLevel.warn,   // LLAMA_LOG=1: also echo to stderr
    logger: (level, message) => {
        if (process.env.LLAMA_LOG) process.stderr.write(`[${level}] ${message.trimEnd()}\n`);
        if (level === "warn" || level === "error" || level === "fatal") log.push({level, message: message.trimEnd()});
    }
});

const nlcVersion = JSON.parse(fs.readFileSync(new URL("./node_modules/node-llama-cpp/package.json", import.meta.url))).version;
const out = {file: args.model, node_llama_cpp: nlcVersion, llama_cpp: llama.llamaCppRelease, threads: args.threads};
let model;
try {
    model = await llama.loadModel({modelPath: args.model, gpuLayers: 0, useMmap: true, checkTensors: true});
} catch (e) {
    out.error = "load failed: " + (e?.message ?? e);
    out.log = log;
    console.log(JSON.stringify(out));
    process.exit(2);
}

if (args.bench) {
    // like llama-bench: pp = one prompt of p random tokens, tg = n tokens decoded one at a time; fresh context per rep
    const rnd = mulberry32(42);
    const vocab = 150000;
    const pp = [], tg = [];
    {   // warm-up, untimed (llama-bench does one too)
        const context = await model.createContext({contextSize: 64, batchSize: 64, threads: args.threads, sequences: 1, flashAttention: false});
        const seq = context.getSequence();
        await seq.evaluateWithoutGeneratingNewTokens(Array.from({length: 16}, () => Math.floor(rnd() * vocab)));
        await context.dispose();
    }
    for (let r = 0; r < args.r; r++) {
        const context = await model.createContext({contextSize: args.p + args.n + 16, batchSize: Math.max(args.p, 512),
            threads: args.threads, sequences: 1, flashAttention: false});
        let seq = context.getSequence();
        const prompt = Array.from({length: args.p}, () => Math.floor(rnd() * vocab));
        let t0 = performance.now();
        await seq.evaluateWithoutGeneratingNewTokens(prompt);
        pp.push(args.p / ((performance.now() - t0) / 1000));
        await seq.clearHistory();
        // decode: one token per step, fed back (greedy), timing only the n steps after a one-token start
        let tok = [Math.floor(rnd() * vocab)];
        let count = 0;
        t0 = performance.now();
        for await (const t of seq.evaluate(tok, {temperature: 0})) {
            if (++count >= args.n) break;
        }
        tg.push(args.n / ((performance.now() - t0) / 1000));
        await context.dispose();
    }
    out.bench = {p: args.p, n: args.n, reps: args.r, pp_tps: pp, tg_tps: tg, pp_median: median(pp), tg_median: median(tg)};
    out.log = log;
    console.log(JSON.stringify(out));
    await model.dispose();
    await llama.dispose();
    process.exit(0);
}

const tokens = model.tokenize(args.text, args.special);
out.tokens = tokens;
const context = await model.createContext({contextSize: args.ctx || Math.max(256, tokens.length + args.n + 16),
    threads: args.threads, sequences: 1, flashAttention: false});
const seq = context.getSequence();
const input = tokens.map((t, i) => i === tokens.length - 1
    ? [t, {generateNext: {token: true, logits: true, options: {temperature: 0}}}] : t);
const res = await seq.controlledEvaluate(input);
const last = res[tokens.length - 1]?.next;
if (!last?.logits) throw new Error("no logits for the last prompt position");
const entries = [...last.logits.entries()];
out.n_logits = entries.length;
const sorted = entries.slice().sort((x, y) => y[1] - x[1]);
out.top = sorted.slice(0, args.topK).map(([id, v]) => [id, v]);
if (args.logitsOut) {
    let max = 0;
    for (const [id] of entries) if (id > max) max = id;
    const buf = Buffer.alloc((max + 1) * 4);
    for (const [id, v] of entries) buf.writeFloatLE(v, id * 4);
    fs.writeFileSync(args.logitsOut, buf);
}
// greedy continuation, one token at a time, so each step's token is llama.cpp's argmax
const greedy = [];
let next = last.token;
for (let i = 0; i < args.n && next != null; i++) {
    greedy.push(next);
    if (i === args.n - 1) break;
    const r = await seq.controlledEvaluate([[next, {generateNext: {token: true, options: {temperature: 0}}}]]);
    next = r[0]?.next?.token;
}
out.greedy = greedy;
out.log = log;
console.log(JSON.stringify(out));
await context.dispose();
await model.dispose();
await llama.dispose();

function median(xs) {
    const s = xs.slice().sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
function mulberry32(a) {
    return () => {
        a |= 0; a = a + 0x6D2B79F5 | 0;
        let t = Math.imul(a ^ a >>> 15, 1 | a);
        t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
        return ((t ^ t >>> 14) >>> 0) / 4294967296;
    };
}
