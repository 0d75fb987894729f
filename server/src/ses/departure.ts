import type { SendRawEmailCommand } from '@aws-sdk/client-ses';

/**
 * The last check of a rate slot, where the request leaves for SES: after the SDK has built and signed
 * it, just before the HTTP handler writes it. A slot checked only before the SDK call can still be
 * missed on the way: the process's event loop held up for a few tens of milliseconds (a garbage
 * collection, another lane's first build) between the check and the write (seen: 29–45 ms, the send
 * then reaching SES next to the following one, and the one a second later refused for the rate).
 */
export type Departure = {
  /** performance.now() past which the request must not leave. */
  by: number;
};

/** The request did not leave: its moment had passed. Nothing reached SES. */
export class MissedDeparture extends Error {
  constructor() {
    super('The send slot passed before the request could leave; it was not sent.');
    this.name = 'MissedDeparture';
  }
}

/**
 * How long the SDK takes to build and sign a request carrying `bytes` of email before it can leave:
 * base64, form encoding and a SHA-256 of the body (measured on a 2-vCPU machine: 2–3 ms up to 50 KB,
 * 8 ms at 250 KB, 25 ms at 1 MB, 83 ms at 4 MB). The check allows twice that on top of the slot's
 * tolerance (a busy machine is slower): the check before the call let it through as well, and without
 * it an email of a few megabytes would miss every slot it was given.
 */
export const preparationAllowanceMs = (bytes: number) => (bytes / 1_000_000) * 50;

/** Adds the check as the innermost step, so nothing of the SDK's runs between it and the HTTP write. */
export function checkDeparture(command: SendRawEmailCommand, departure: Departure, bytes: number): void {
  const by = departure.by + preparationAllowanceMs(bytes);
  command.middlewareStack.add(
    (next) => async (args) => {
      if (performance.now() > by) throw new MissedDeparture();
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'heraldDepartureCheck' },
  );
}
