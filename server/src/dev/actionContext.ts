import type { SimAccount } from './accounts.js';
import type { QueryParams } from './queryParams.js';
import type { Xml } from './queryXml.js';
import type { SimMessage, SimulatorState } from './simulatorState.js';

/** What an action handler gets for one authenticated request. */
export interface ActionContext {
  state: SimulatorState;
  account: SimAccount;
  /** The region of the request's SigV4 credential scope. */
  region: string;
  params: QueryParams;
  /** Hands an accepted message to the simulator's hook; never throws and never delays the answer. */
  announce(message: SimMessage): void;
}

/** Returns the children of `<ActionResult>`, or throws an AwsQueryError. */
export type ActionHandler = (ctx: ActionContext) => Xml[] | Promise<Xml[]>;
