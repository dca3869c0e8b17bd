/**
 * The local OpenAI-compatible server of test/support, in a process of its own for benchmarks: a model
 * server never shares the COO's event loop, so its parsing and writing must not count as our overhead.
 * Prints its base URL; answers every chat with the JSON given in argv[2]; on stdin, "last" prints the
 * last request's body as one line, and end of input stops it.
 */
import { createInterface } from 'node:readline';
import { startFakeOpenAi } from '../test/support/openai-server.ts';

const answer = JSON.parse(process.argv[2] ?? '{}') as { content: string; usage?: { in: number; out: number } };
const srv = await startFakeOpenAi();
srv.respond(() => answer);
console.log(JSON.stringify({ baseURL: srv.baseURL }));
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim() === 'last') {
    console.log(JSON.stringify(srv.requests.at(-1)?.body ?? null));
    srv.requests.length = 0;
  }
});
rl.on('close', () => void srv.close().then(() => process.exit(0)));
