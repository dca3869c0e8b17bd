import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Slack's Socket Mode side of the local Slack server: a minimal RFC 6455 WebSocket endpoint (text frames,
 * ping/pong, close) that says "hello", pushes envelopes (events_api, slash_commands, interactive) and
 * records the client's acks. Attach it to the local Web API server's HTTP `upgrade` event.
 */
export class SlackSocketServer extends EventEmitter {
  private socket: Duplex | null = null;
  readonly acks: Array<{ envelope_id: string; payload?: unknown }> = [];
  private buffer = Buffer.alloc(0);

  handleUpgrade(req: IncomingMessage, socket: Duplex): void {
    const key = req.headers['sec-websocket-key'];
    if (!key) return void socket.destroy();
    const accept = createHash('sha1').update(`${key}${GUID}`).digest('base64');
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'));
    this.socket = socket;
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      this.emit('closed');
    });
    this.sendText(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'local' }, connection_info: { app_id: 'A0COO' } }));
    this.emit('connected');
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  /** Pushes an envelope as Slack does and resolves with the client's ack for it. */
  async push(type: 'events_api' | 'slash_commands' | 'interactive', payload: unknown): Promise<{ envelope_id: string; payload?: unknown }> {
    const envelopeId = randomBytes(8).toString('hex');
    const acked = new Promise<{ envelope_id: string; payload?: unknown }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no ack within 5 s')), 5_000);
      const on = (a: { envelope_id: string }) => {
        if (a.envelope_id === envelopeId) {
          clearTimeout(t);
          this.off('ack', on);
          resolve(a);
        }
      };
      this.on('ack', on);
    });
    this.sendText(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
    return acked;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private sendText(text: string): void {
    this.sendFrame(0x1, Buffer.from(text));
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (!this.socket) throw new Error('no Socket Mode client connected');
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLen(len)]);
    this.socket.write(Buffer.concat([head, payload]));
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0] & 0x0f;
      const masked = (this.buffer[1] & 0x80) !== 0;
      let len = this.buffer[1] & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buffer.length < 4) return;
        len = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) return;
        len = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskLen = masked ? 4 : 0;
      if (this.buffer.length < offset + maskLen + len) return;
      const mask = masked ? this.buffer.subarray(offset, offset + 4) : null;
      const data = Buffer.from(this.buffer.subarray(offset + maskLen, offset + maskLen + len));
      if (mask) for (let i = 0; i < data.length; i++) data[i] ^= mask[i % 4];
      this.buffer = this.buffer.subarray(offset + maskLen + len);
      if (opcode === 0x1) {
        const msg = JSON.parse(data.toString('utf8')) as { envelope_id: string; payload?: unknown };
        this.acks.push(msg);
        this.emit('ack', msg);
      } else if (opcode === 0x9) {
        this.sendFrame(0xa, data); // pong
      } else if (opcode === 0x8) {
        try {
          this.sendFrame(0x8, data);
        } catch {
          /* already gone */
        }
        this.socket?.end();
      }
    }
  }
}

function bigLen(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
