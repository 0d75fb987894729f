import type { SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { ClientRequest, Agent } from 'node:http';
import type { Socket } from 'node:net';
import { sleepUntil } from './sleepUntil.js';

/**
 * The last checks of a rate slot, where the request leaves for SES: after the SDK has built and signed
 * it, just before the HTTP handler builds its request, and again at the socket, just before the first
 * byte is written. A slot checked only before the SDK call can still be missed on the way: the process's
 * event loop held up for a few tens of milliseconds (a garbage collection, another lane's first build)
 * between the check and the write (seen: 22–45 ms, the send then reaching SES next to the following one,
 * and the one a second later refused for the rate). Node writes a request only when its socket is handed
 * over, on a later tick, after every promise continuation queued meanwhile (another lane building fifty
 * emails): the socket check sees that wait too.
 */
export type Departure = {
  /** performance.now() past which the request must not leave. */
  by: number;
  /**
   * performance.now() before which it must not leave. A call may set out earlier (SET_OUT_LEAD_MS): a
   * request ready before this waits for it at the door, so the SDK's work does not come between the slot
   * and the write.
   */
  notBefore?: number;
  /** Told once, at the last check: true when the request leaves, false when it does not (it takes a new slot). */
  departed?: (left: boolean) => void;
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

/**
 * Allowance per other request of the same client (one per process and tenant's credentials) that shared
 * the way to the door with this one. Sends due together (a fast rate: fifty slots within a few
 * milliseconds) go through the SDK's steps interleaved, so each reaches the door only after most of the
 * others' work: twenty together took ~0.65 ms each warm and ~1.25 ms cold in departure.test.ts, and the
 * allowance is about twice that. Without it the later ones of such a group missed their slots and took new
 * ones, which fell due together again (bench/send.ts ceiling stalled). Only the tenant's own requests count:
 * they share the delay, so the gaps between them at SES stay as their slots made them. Another tenant's
 * requests in the way are a hold-up like any other, and a send alone gets no extra time.
 */
export const PER_REQUEST_AHEAD_MS = 2;

/**
 * How long before its slot a send sets out, so that the SDK has built and signed the request by then and
 * only the write is left when the slot comes (Departure.notBefore). Without it, the time the SDK took
 * under load was where most slots were missed: in a scale-out run (bench/scale-out.ts, 3 tenants, SNS
 * events off, machine 75 % busy), 65 % of the 14/s tenant's missed slots had woken on time and missed at
 * the door.
 */
export const SET_OUT_LEAD_MS = 10;

/** Requests of one client between their slot check and the door, and how many ever set out. */
type Way = { onTheWay: number; setOut: number };
const ways = new WeakMap<object, Way>();

/**
 * Adds the check as the innermost step, so nothing of the SDK's runs between it and the HTTP handler,
 * and hands the same check to the socket (departureGate). Returns the function that takes the request
 * off the way when the call ends without reaching the check (a failure inside the SDK); calling it again
 * after the check is harmless.
 */
export function checkDeparture(client: object, command: SendRawEmailCommand, departure: Departure, bytes: number): () => void {
  const shared = ways.get(client) ?? { onTheWay: 0, setOut: 0 };
  ways.set(client, shared);
  const aheadAtStart = shared.onTheWay;
  shared.onTheWay += 1;
  const ordinal = ++shared.setOut;
  let arrived = false;
  const arrive = () => {
    if (arrived) return;
    arrived = true;
    shared.onTheWay -= 1;
  };
  let told = false;
  const tell = (left: boolean) => {
    if (told) return;
    told = true;
    departure.departed?.(left);
  };
  command.middlewareStack.add(
    (next) => async (args) => {
      const arrivedAt = performance.now();
      arrive();
      // Ready before its moment: neither its preparation nor the others on the way delayed it, so it
      // gets the slot's own tolerance only, and waits at the door for its moment.
      const { notBefore } = departure;
      const early = notBefore !== undefined && arrivedAt < notBefore;
      // Those on the way when this one set out, and those that set out after it.
      const crowd = aheadAtStart + (shared.setOut - ordinal);
      const leaveBy = early ? departure.by : departure.by + preparationAllowanceMs(bytes) + crowd * PER_REQUEST_AHEAD_MS;
      if (early) await sleepUntil(notBefore);
      const inTime = () => performance.now() <= leaveBy;
      if (!inTime()) {
        tell(false);
        throw new MissedDeparture();
      }
      boarding = { inTime, tell };
      try {
        return next(args);
      } finally {
        // Still here: the handler built no request in this turn (its first call reads its configuration
        // first), so no socket check follows, and this check's answer stands.
        if (boarding?.tell === tell) {
          boarding = null;
          tell(true);
        }
      }
    },
    { step: 'deserialize', priority: 'low', name: 'heraldDepartureCheck' },
  );
  return arrive;
}

/** The check of the request the HTTP handler is building now, in this same turn of the event loop. */
type Boarding = { inTime: () => boolean; tell: (left: boolean) => void };
let boarding: Boarding | null = null;

/** Agent.addRequest: how each request reaches its agent, synchronously inside http.request (not in @types/node). */
type AgentWithRequests = Agent & { addRequest(request: ClientRequest, options: object): void };

/**
 * Makes an HTTP(S) agent check each request that a departure check let through once more when its
 * socket is handed over, right before Node writes it: a request whose moment has passed is destroyed
 * unwritten and its call rejects with MissedDeparture. The agent takes the check in the same turn as
 * the middleware above gives it (http.request hands the request to its agent synchronously), so no
 * other request can take it. A new connection is not waited for: the request is written once it is up,
 * which takes the network's time, not this process's (a TLS handshake with SES takes longer than any
 * slot's tolerance, and a check there would refuse every first send of a connection).
 */
export function departureGate<A extends Agent>(agent: A): A {
  const gated = agent as A & AgentWithRequests;
  const addRequest = gated.addRequest.bind(agent);
  gated.addRequest = (request, options) => {
    const check = boarding;
    boarding = null;
    if (check) checkAtHandover(request, check);
    addRequest(request, options);
  };
  return agent;
}

/**
 * The check runs on the tick Node queues to hand the socket over and write, just before it (both are
 * process.nextTick callbacks queued by onSocket, one after the other, so nothing runs between them).
 * A late request is destroyed there, before it has touched the socket. Node then gives the socket back
 * to the agent, which keeps a connection only for the request it last served (`_httpMessage`), so the
 * request is named as that one: without it the agent closed a good connection for every late request
 * (4 % of sends on a saturated machine, nearly every new connection the scale-out made; against SES each
 * one a TLS handshake, and the next request on it leaving late by that much).
 */
function checkAtHandover(request: ClientRequest, check: Boarding): void {
  // onSocket is how the agent hands a socket over (or, with an error, none); it queues the tick that writes.
  const handOver = request.onSocket as (this: ClientRequest, socket: Socket | undefined, err?: Error) => void;
  request.onSocket = function onSocket(socket: Socket | undefined, err?: Error) {
    if (socket && !err) {
      process.nextTick(() => {
        const left = check.inTime();
        check.tell(left);
        if (left) return;
        (socket as Socket & { _httpMessage?: ClientRequest | null })._httpMessage = request;
        request.destroy(new MissedDeparture());
      });
    }
    handOver.call(this, socket, err);
  };
}
