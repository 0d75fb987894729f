import { describe, expect, it } from 'vitest';
import { unreachableWebhookReason } from './publicWebhook.js';

describe('unreachableWebhookReason', () => {
  it.each([
    'http://localhost:3000/webhooks/email',
    'http://app.localhost/webhooks/email',
    'http://127.0.0.1:3000/webhooks/email',
    'http://10.1.2.3/webhooks/email',
    'http://172.20.0.5/webhooks/email',
    'http://192.168.1.10/webhooks/email',
    'http://169.254.169.254/webhooks/email',
    'http://100.64.0.1/webhooks/email',
    'http://[::1]:3000/webhooks/email',
    'http://[fd00::1]/webhooks/email',
    'http://[::ffff:192.168.0.1]/webhooks/email',
    'http://herald/webhooks/email',
    'https://herald.internal/webhooks/email',
    'https://mail.local/webhooks/email',
  ])('refuses %s, saying why and what to do', (url) => {
    expect(unreachableWebhookReason(new URL(url))).toMatch(/SNS could never reach .*PUBLIC_URL/);
  });

  it.each(['https://herald.example.com/webhooks/email', 'https://8.8.8.8/webhooks/email', 'http://172.32.0.1/webhooks/email', 'https://[2001:db8::1]/webhooks/email'])(
    'accepts the public address %s',
    (url) => {
      expect(unreachableWebhookReason(new URL(url))).toBeNull();
    },
  );
});
