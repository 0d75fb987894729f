import type { SimAccount } from './accounts.js';
import type { QueryParams } from './queryParams.js';
import type { Xml } from './queryXml.js';
import type { SimMessage, SimulatorState } from './simulatorState.js';
import type { SnsSubscription, SnsTopic } from './snsTopics.js';

/** What an action handler gets for one authenticated request. */
export interface ActionContext {
  state: SimulatorState;
  account: SimAccount;
  /** The region of the request's SigV4 credential scope. */
  region: string;
  params: QueryParams;
  /**
   * The simulator's clock when the request arrived, before its body was read and checked: what a
   * send counts at against the rate. A send stamped after the parse would count late by however long
   * a busy simulator took, and crowd the sends after it into one second that Herald had spaced apart.
   */
  arrivedAt: number;
  /**
   * The earliest the request may have arrived: `arrivedAt` less however long the simulator's event loop had
   * been stalled (loopWatch.ts). A send is counted as early as this allows, as SES, which the stall did not
   * delay, would have counted it.
   */
  arrivedAfter: number;
  /** Hands an accepted message to the simulator's hook; never throws and never delays the answer. */
  announce(message: SimMessage): void;
  /** Posts a SubscriptionConfirmation to the subscription's endpoint, after the answer has gone out. */
  askToConfirm(topic: SnsTopic, subscription: SnsSubscription): void;
}

/** Returns the children of `<ActionResult>`, or throws an AwsQueryError. */
export type ActionHandler = (ctx: ActionContext) => Xml[] | Promise<Xml[]>;
