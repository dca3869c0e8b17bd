import { createServer, type Server } from 'node:http';

/**
 * A stand-in for an outside system (a payment provider, a mail API) that counts every write it
 * receives per idempotency key, so a test can prove no write happened twice.
 */
export interface OutsideSystem {
  url: string;
  received: Map<string, number>;
  close(): Promise<void>;
}

export async function startOutsideSystem(): Promise<OutsideSystem> {
  const received = new Map<string, number>();
  const ids = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/writes') {
      const key = String(req.headers['idempotency-key'] ?? '');
      req.resume();
      req.on('end', () => {
        received.set(key, (received.get(key) ?? 0) + 1);
        if (!ids.has(key)) ids.set(key, `ext-${ids.size + 1}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ externalId: ids.get(key) }));
      });
      return;
    }
    const m = /^\/writes\/(.+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && m) {
      const id = ids.get(decodeURIComponent(m[1]));
      res.writeHead(id ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(id ? { externalId: id } : { error: 'not found' }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
