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
  /** Called once: true when the request left in time, false when it did not leave. */
  departed: (left: boolean) => void;
};

/** The request did not leave: its moment had passed. Nothing reached SES. */
export class MissedDeparture extends Error {
  constructor() {
    super('The send slot passed before the request could leave; it was not sent.');
    this.name = 'MissedDeparture';
  }
}

/** Adds the check as the innermost step, so nothing of the SDK's runs between it and the HTTP write. */
export function checkDeparture(command: SendRawEmailCommand, departure: Departure): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      if (performance.now() > departure.by) {
        departure.departed(false);
        throw new MissedDeparture();
      }
      departure.departed(true);
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'heraldDepartureCheck' },
  );
}
