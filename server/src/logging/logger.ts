import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths never written to logs. Fastify's request serializer logs headers only
 * when asked to, but anything that logs a request, an input or an error object
 * passes through these.
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.secretAccessKey',
  '*.accessKeyId',
  '*.token',
  '*.sessionToken',
  '*.key',
  'password',
  'secretAccessKey',
  'token',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' } }, destination);
}

export type { Logger };
