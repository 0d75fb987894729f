import { randomBytes } from 'node:crypto';
import { generate } from 'selfsigned';

/** The simulator's stand-in for SNS's signing key: a private key and the certificate Herald fetches. */
export interface SnsKeyPair {
  keyPem: string;
  certPem: string;
}

export interface SnsSigningIdentity {
  /** `SimpleNotificationService-<32 hex>.pem`, the name SNS gives its certificates (and Herald expects). */
  readonly certFileName: string;
  /** The key pair, generated on first use and then kept. */
  get(): Promise<SnsKeyPair>;
}

/**
 * An RSA-2048 key with a self-signed certificate, made lazily: generating one takes a few hundred
 * milliseconds, and most simulators (every test file starts one) never post an event.
 * The file name is fixed up front so the certificate URL is known before the key exists.
 */
export function createSnsSigningIdentity(): SnsSigningIdentity {
  let pending: Promise<SnsKeyPair> | null = null;
  const make = async (): Promise<SnsKeyPair> => {
    const pems = await generate([{ name: 'commonName', value: 'sns.simulator.herald.invalid' }], {
      keyType: 'rsa',
      keySize: 2048,
      algorithm: 'sha256',
    });
    return { keyPem: pems.private, certPem: pems.cert };
  };
  return {
    certFileName: `SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`,
    get: () => {
      pending ??= make().catch((err: unknown) => {
        pending = null; // let the next caller try again rather than fail forever
        throw err;
      });
      return pending;
    },
  };
}
