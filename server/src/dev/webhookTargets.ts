/**
 * The implicit route's webhook as SNS sees it: one HTTP(S) subscription. Several URLs stand for API
 * processes behind a load balancer, so they share that one subscription (one confirmation, one ARN)
 * and each post goes to the next URL in turn.
 */

/** The subscription's endpoint: the URL itself, or the balanced URLs joined by spaces (no URL holds one). */
export function webhookEndpoint(webhook: string | readonly string[]): string {
  return typeof webhook === 'string' ? webhook : webhook.join(' ');
}

/** A load balancer's round robin over an endpoint's URLs: each call picks the next one. */
export function roundRobin(): (endpoint: string) => string {
  let turn = 0;
  return (endpoint) => {
    const urls = endpoint.split(' ');
    const url = urls[turn % urls.length]!;
    turn += 1;
    return url;
  };
}
