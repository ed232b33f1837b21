// Upload benchmark (issue 4), run against a running server:
//   node --import tsx bench/uploads.ts <base-url> <bearer-token> <server-pid>
// 1. uploads a 10 MB PDF several times in a row while sampling the server's RSS (/proc/<pid>/status)
//    every 10 ms: the growth during one upload must stay under 30 MB (streaming, not buffering);
// 2. fires 100 uploads at once (1 MB each) and counts the answers (target: all 201).
// Prints a Markdown section (bench/run.sh puts it into bench/RESULTS.md) and deletes what it uploaded.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [base, token, pidText] = process.argv.slice(2);
if (!base || !token || !pidText) {
  console.error('usage: node --import tsx bench/uploads.ts <base-url> <bearer-token> <server-pid>');
  process.exit(2);
}
const pid = Number(pidText);
const MB = 1024 * 1024;
const SEQUENTIAL_RUNS = 5;
const PARALLEL = 100;
const headers = { authorization: `Bearer ${token}` };

/** VmRSS and VmHWM (peak RSS) of the server in MB. */
function memory(): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Resets VmHWM so it reports the peak of what follows (needs the same user or root; best effort). */
function resetPeak(): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples the RSS every 10 ms until stopped; returns the highest sample. */
function sampleRss(): () => number {
  let peak = memory().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, memory().rss);
  }, 10);
  return () => {
    clearInterval(timer);
    return Math.max(peak, memory().rss);
  };
}

/** A PDF of `size` bytes: a valid header, then random bytes (so every file has its own checksum). */
function pdfOf(size: number): Buffer {
  const head = Buffer.from('%PDF-1.4\n%bench\n');
  return Buffer.concat([head, randomBytes(size - head.length)]);
}

const created: string[] = [];

async function upload(file: Buffer, name: string): Promise<number> {
  const form = new FormData();
  form.append('allow_duplicate', 'true');
  form.append('file', new Blob([new Uint8Array(file)], { type: 'application/pdf' }), name);
  const res = await fetch(`${base}/api/documents`, { method: 'POST', headers, body: form });
  const body = (await res.json()) as { id?: string };
  if (res.status === 201 && body.id) created.push(body.id);
  return res.status;
}

const fmt = (mb: number) => mb.toFixed(1);
const count = (statuses: number[]) =>
  Object.entries(
    statuses.reduce<Record<number, number>>((acc, s) => {
      acc[s] = (acc[s] ?? 0) + 1;
      return acc;
    }, {}),
  )
    .map(([status, n]) => `${n} × ${status}`)
    .join(', ');

async function main() {
  const health = (await (await fetch(`${base}/health/ready`)).json()) as {
    storage?: { backend?: string };
    database?: { kind?: string };
  };
  // Warm-up: the first upload loads the multipart parser, type detection and the storage code.
  await upload(pdfOf(MB), 'warm-up.pdf');
  await new Promise((r) => setTimeout(r, 500));

  const file = pdfOf(10 * MB);
  const before = memory();
  const peakReset = resetPeak();
  const sequential: number[] = [];
  const durations: number[] = [];
  const growths: number[] = [];
  const stopAll = sampleRss();
  for (let i = 0; i < SEQUENTIAL_RUNS; i++) {
    const rssBefore = memory().rss;
    const stop = sampleRss();
    const started = performance.now();
    sequential.push(await upload(file, `bench-10mb-${i}.pdf`));
    durations.push(performance.now() - started);
    growths.push(stop() - rssBefore);
  }
  const sampledPeak = stopAll();
  const after = memory();
  const peak = peakReset ? Math.max(sampledPeak, after.hwm) : sampledPeak;
  const worst = Math.max(...growths);

  const files = Array.from({ length: PARALLEL }, () => pdfOf(MB));
  const parallelBefore = memory().rss;
  const stopParallel = sampleRss();
  const started = performance.now();
  const parallel = await Promise.all(files.map((f, i) => upload(f, `bench-parallel-${i}.pdf`)));
  const parallelSeconds = (performance.now() - started) / 1000;
  const parallelPeak = stopParallel();

  for (const id of created) {
    await fetch(`${base}/api/documents/${id}`, { method: 'DELETE', headers });
  }

  const okSequential = sequential.every((s) => s === 201);
  const okParallel = parallel.every((s) => s === 201);
  const lines = [
    '## Uploads (`bench/uploads.ts`)',
    '',
    `- Date: ${new Date().toISOString().slice(0, 16)}Z; server ${base} (database ${health.database?.kind ?? '?'}, storage ${health.storage?.backend ?? '?'}); RSS sampled every 10 ms from /proc/${pid}/status${peakReset ? ', VmHWM reset before the run' : ''}`,
    `- 10 MB PDF uploaded ${SEQUENTIAL_RUNS}× in a row (after a 1 MB warm-up): ${count(sequential)}; ${durations.map((d) => `${Math.round(d)}`).join(' / ')} ms each`,
    `- Server RSS growth while one 10 MB upload runs (peak during it − RSS before it): ${growths.map(fmt).join(' / ')} MB → max ${fmt(worst)} MB (target < 30 MB: ${worst < 30 ? 'met' : 'missed'})`,
    `- Across all ${SEQUENTIAL_RUNS} (${SEQUENTIAL_RUNS * 10} MB streamed): ${fmt(before.rss)} MB before, peak ${fmt(peak)} MB, ${fmt(after.rss)} MB after (+${fmt(peak - before.rss)} MB)`,
    `- ${PARALLEL} parallel uploads of 1 MB PDFs: ${count(parallel)} in ${parallelSeconds.toFixed(1)} s (target: all succeed: ${okParallel ? 'met' : 'missed'}); RSS ${fmt(parallelBefore)} MB before, peak ${fmt(parallelPeak)} MB`,
    '',
  ];
  console.log(lines.join('\n'));
  if (!okSequential || !okParallel) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
