import { describe, expect, it, vi } from 'vitest';
import { awsOptions, createSesClients } from './clients.js';

const keys = (secretAccessKey: string) => ({ accessKeyId: 'AKIDEXAMPLE0000000001', secretAccessKey });

describe('createSesClients', () => {
  it('gives every caller with the same keys, region, endpoint and timeout the same client', () => {
    const clients = createSesClients();
    const a = clients.get({ ...awsOptions('http://127.0.0.1:1', 'eu-west-1', keys('one')), requestTimeoutMs: 2000 });
    expect(clients.get({ ...awsOptions('http://127.0.0.1:1', 'eu-west-1', keys('one')), requestTimeoutMs: 2000 })).toBe(a);
    expect(clients.get({ ...awsOptions('http://127.0.0.1:1', 'eu-west-1', keys('two')), requestTimeoutMs: 2000 })).not.toBe(a);
    expect(clients.get({ ...awsOptions('http://127.0.0.1:1', 'us-east-1', keys('one')), requestTimeoutMs: 2000 })).not.toBe(a);
    expect(clients.get({ ...awsOptions(undefined, 'eu-west-1', keys('one')), requestTimeoutMs: 2000 })).not.toBe(a);
    expect(clients.get(awsOptions('http://127.0.0.1:1', 'eu-west-1', keys('one')))).not.toBe(a);
    clients.close();
  });

  it('destroys a client nobody asked for in ten minutes, and every client on close', () => {
    let now = 0;
    const clients = createSesClients(() => now);
    const old = clients.get(awsOptions(undefined, 'eu-west-1', keys('old')));
    const kept = clients.get(awsOptions(undefined, 'eu-west-1', keys('kept')));
    const oldDestroyed = vi.spyOn(old, 'destroy');
    const keptDestroyed = vi.spyOn(kept, 'destroy');

    now = 9 * 60_000;
    expect(clients.get(awsOptions(undefined, 'eu-west-1', keys('kept')))).toBe(kept);
    now = 10 * 60_000 + 1;
    const fresh = clients.get(awsOptions(undefined, 'eu-west-1', keys('kept')));
    expect(fresh).toBe(kept);
    expect(oldDestroyed).toHaveBeenCalledOnce();
    expect(clients.get(awsOptions(undefined, 'eu-west-1', keys('old')))).not.toBe(old);

    clients.close();
    expect(keptDestroyed).toHaveBeenCalledOnce();
  });
});
