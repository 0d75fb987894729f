import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/** What Node's HTTP server writes by itself for a request it could not read (lib/_http_server.js). */
const BARE_ANSWERS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * Answers a request the server could not read as Node does (a bare 4xx, no body, connection closed),
 * and says so in the log. The AWS SDK reports such an answer as an error named `Unknown`, with nothing
 * about its cause; without this line the simulator's side of it was lost.
 */
export function logClientErrors(server: Server, logger: Logger): void {
  server.on('clientError', (err: Error & { code?: string; bytesParsed?: number }, socket: Socket) => {
    if (socket.writable && socket.bytesWritten === 0 && err.code !== 'ECONNRESET') {
      const answer = BARE_ANSWERS[err.code ?? ''] ?? '400 Bad Request';
      logger.warn({ code: err.code, reason: err.message, bytesParsed: err.bytesParsed, answer }, 'SES simulator: a request could not be read');
      socket.write(`HTTP/1.1 ${answer}\r\nConnection: close\r\n\r\n`);
    }
    socket.destroy(err);
  });
}
