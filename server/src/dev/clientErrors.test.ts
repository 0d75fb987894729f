import { connect } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SesSimulator, startSesSimulator } from './sesSimulator.js';

const lines: { msg: string; code?: string; answer?: string }[] = [];
let sim: SesSimulator;

beforeAll(async () => {
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  sim = await startSesSimulator({ logger });
});
afterAll(() => sim.stop());

/** Writes raw bytes to the simulator and reads until it closes the connection. */
function rawExchange(bytes: string): Promise<string> {
  const { hostname, port } = new URL(sim.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

it('answers a request it cannot read with a bare 400, as Node does, and logs why', async () => {
  const answer = await rawExchange('NOT AN HTTP REQUEST\r\n\r\n');
  expect(answer).toBe('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  expect(lines).toContainEqual(expect.objectContaining({ msg: 'SES simulator: a request could not be read', code: 'HPE_INVALID_METHOD', answer: '400 Bad Request' }));
});

it('answers an oversized header with 431', async () => {
  const answer = await rawExchange(`POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  expect(answer.startsWith('HTTP/1.1 431 Request Header Fields Too Large\r\n')).toBe(true);
});
