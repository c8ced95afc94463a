/**
 * The interactions API's reader of the sync bench, in a process of its own as a person's browser would be: the
 * bench's own process also serves the sandbox Google (a page of 500 events is serialised there), which would
 * delay the reads it timed. Reads `argv[2]` (a URL of the API) with the bearer key of BENCH_PROBE_KEY over and
 * over, one read at a time with `argv[3]` ms between two reads; prints `ready` after its first read, and on a
 * `stop` line on stdin the latencies of the reads since (ms, JSON), then exits.
 */
const [url, pauseArg] = process.argv.slice(2);
const pauseMs = Number(pauseArg ?? '20');
const headers = { Authorization: `Bearer ${process.env.BENCH_PROBE_KEY ?? ''}` };

async function read(): Promise<number> {
  const started = performance.now();
  const response = await fetch(url!, { headers });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`the interactions API answered ${response.status}`);
  return performance.now() - started;
}

let running = true;
const latencies: number[] = [];
process.stdin.setEncoding('utf8');
process.stdin.on('data', (line: string) => {
  if (line.includes('stop')) running = false;
});

void (async () => {
  await read();
  process.stdout.write('ready\n');
  while (running) {
    latencies.push(await read());
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  process.stdout.write(`${JSON.stringify(latencies)}\n`, () => process.exit(0));
})().catch((error: unknown) => {
  process.stderr.write(`probe failed: ${String(error)}\n`);
  process.exit(1);
});
