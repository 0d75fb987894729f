import http from 'node:http';
import https from 'node:https';
import type { SnsEnvelope } from './snsMessages.js';

/**
 * What SNS makes of an answer (AWS: "Amazon SNS message delivery retries"): 2xx delivered; a 5xx,
 * a timeout or a network error is retried under the delivery policy; anything else (a 4xx) is not
 * retried — the endpoint refused it.
 */
export type PostOutcome = { result: 'delivered' | 'refused' | 'retry'; status: number | null; error?: string };

export interface SnsHttpClient {
  post(url: string, envelope: SnsEnvelope, subscriptionArn: string | null, signal: AbortSignal): Promise<PostOutcome>;
  /** Drops kept-alive connections (at stop). */
  close(): void;
}

/** SNS gives an HTTP/S endpoint about 15 s to answer before it counts the attempt as failed. */
const TIMEOUT_MS = 15_000;

/**
 * POSTs envelopes as SNS does: the JSON as `text/plain; charset=UTF-8`, with SNS's `x-amz-sns-*`
 * headers and user agent. Own agents, so `close()` can end every socket the simulator opened.
 */
export function snsHttpClient(): SnsHttpClient {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  const post: SnsHttpClient['post'] = (url, envelope, subscriptionArn, signal) => {
    const target = new URL(url);
    const body = Buffer.from(JSON.stringify(envelope), 'utf8');
    const headers: Record<string, string | number> = {
      'content-type': 'text/plain; charset=UTF-8',
      'content-length': body.length,
      'x-amz-sns-message-type': envelope.Type,
      'x-amz-sns-message-id': envelope.MessageId,
      'x-amz-sns-topic-arn': envelope.TopicArn,
      ...(subscriptionArn ? { 'x-amz-sns-subscription-arn': subscriptionArn } : {}),
      'user-agent': 'Amazon Simple Notification Service Agent',
    };
    const secure = target.protocol === 'https:';
    const request = secure ? https.request : http.request;
    return new Promise<PostOutcome>((resolve, reject) => {
      const req = request(target, { method: 'POST', headers, agent: secure ? agents.https : agents.http, signal, timeout: TIMEOUT_MS }, (res) => {
        res.resume(); // the answer's body means nothing to SNS
        res.on('end', () => resolve(classify(res.statusCode ?? 0)));
        res.on('error', (err) => (signal.aborted ? reject(err) : resolve({ result: 'retry', status: null, error: err.message })));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.on('error', (err) => (signal.aborted ? reject(err) : resolve({ result: 'retry', status: null, error: err.message })));
      req.end(body);
    });
  };

  return {
    post,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function classify(status: number): PostOutcome {
  if (status >= 200 && status < 300) return { result: 'delivered', status };
  if (status >= 500) return { result: 'retry', status };
  return { result: 'refused', status };
}
