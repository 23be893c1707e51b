// ONNX Runtime side of the ONNX benchmark (not a test): single-row latency on
// one thread and batch throughput on THREADS threads, through onnxruntime-node.
//   node bench_ort.mjs DIR ROWS THREADS SAMPLES
// Prints one JSON line; writes DIR/ort_p1.f32 (P(class 1) of every row) so the
// outputs can be compared. Single-row times include the Node binding's cost
// per call (tensor creation, N-API): they bound ONNX Runtime's own time from above.
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';

const [dir, rowsArg, threadsArg, samplesArg] = process.argv.slice(2);
const N = Number(rowsArg), T = Number(threadsArg), S = Number(samplesArg), F = 20;
const X = new Float32Array(fs.readFileSync(path.join(dir, 'X.f32')).buffer.slice(0));
const model = path.join(dir, 'model.onnx');

const one = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const times = [];
for (let i = 0; i < S + 200; i++) {
  const r = i % N;
  const t = new ort.Tensor('float32', X.subarray(r * F, r * F + F), [1, F]);
  const t0 = process.hrtime.bigint();
  await one.run({ X: t }, ['probabilities']);
  const t1 = process.hrtime.bigint();
  if (i >= 200) times.push(Number(t1 - t0) / 1e3);
}
times.sort((a, b) => a - b);

const many = await ort.InferenceSession.create(model, { intraOpNumThreads: T, interOpNumThreads: 1 });
const B = 10000;
const p1 = new Float32Array(N);
let best = Infinity;
for (let rep = 0; rep < 3; rep++) {
  const t0 = process.hrtime.bigint();
  for (let r0 = 0; r0 < N; r0 += B) {
    const nr = Math.min(B, N - r0);
    const out = await many.run({ X: new ort.Tensor('float32', X.subarray(r0 * F, (r0 + nr) * F), [nr, F]) }, ['probabilities']);
    if (rep === 0) for (let i = 0; i < nr; i++) p1[r0 + i] = out.probabilities.data[2 * i + 1];
  }
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
}
fs.writeFileSync(path.join(dir, 'ort_p1.f32'), Buffer.from(p1.buffer));
console.log(JSON.stringify({ runtime: 'onnxruntime-node', single_row_p50_us: times[Math.floor(times.length / 2)],
  single_row_p99_us: times[Math.floor(times.length * 0.99)], batch_rows_per_s: N / best, threads: T }));
