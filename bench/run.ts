import 'reflect-metadata';

import * as engagement from './engagement';
import * as enrol from './enrol';
import * as latency from './latency';
import * as match from './match';
import * as outbound from './outbound';
import * as sync from './sync';
import * as webhook from './webhook';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  engagement: engagement.run,
  enrol: enrol.run,
  latency: latency.run,
  match: match.run,
  outbound: outbound.run,
  sync: sync.run,
  webhook: webhook.run,
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}> ...\n`);
    process.exit(2);
  }
  for (const name of names) await BENCHMARKS[name]!();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
