import type { ActionContext, ActionHandler } from './actionContext.js';
import {
  AwsQueryError,
  configurationSetAlreadyExists,
  configurationSetDoesNotExist,
  eventDestinationAlreadyExists,
  eventDestinationDoesNotExist,
  invalidParameterValue,
  invalidSnsDestination,
  missingParameter,
} from './awsErrors.js';
import { type ConfigurationSet, type EventDestination, SES_EVENT_TYPES, type SesEventType } from './configSets.js';
import { pageOf } from './paging.js';
import { el, memberList, type Xml } from './queryXml.js';

/** SES's rule for configuration set and event destination names. */
const NAME = /^[\w-]{1,64}$/;
const ATTRIBUTE_NAMES = ['eventDestinations', 'trackingOptions', 'deliveryOptions', 'reputationOptions'];

function existingSet({ state, account, region, params }: ActionContext): ConfigurationSet {
  const name = params.get('ConfigurationSetName');
  if (name === undefined) throw missingParameter('ConfigurationSetName');
  const set = state.configSets.find(account.accountId, region, name);
  if (!set) throw configurationSetDoesNotExist(name);
  return set;
}

export const createConfigurationSet: ActionHandler = ({ state, account, region, params }) => {
  const name = params.get('ConfigurationSet.Name');
  if (name === undefined) throw missingParameter('ConfigurationSet.Name');
  if (!NAME.test(name)) {
    throw new AwsQueryError('InvalidConfigurationSet', `Configuration set name <${name}> is invalid: letters, digits, '_' and '-' only, at most 64.`, 400);
  }
  if (!state.configSets.create(account.accountId, region, name)) throw configurationSetAlreadyExists(name);
  return [];
};

/** Only the event destinations are simulated; the other attribute names are accepted and answer nothing. */
export const describeConfigurationSet: ActionHandler = (ctx) => {
  const set = existingSet(ctx);
  const wanted = ctx.params.members('ConfigurationSetAttributeNames');
  const unknown = wanted.find((name) => !ATTRIBUTE_NAMES.includes(name));
  if (unknown !== undefined) throw invalidParameterValue(`Invalid configuration set attribute name <${unknown}>.`);
  const result: Xml[] = [el('ConfigurationSet', el('Name', set.name))];
  if (wanted.includes('eventDestinations')) result.push(el('EventDestinations', ...set.eventDestinations.map(destinationXml)));
  return result;
};

function destinationXml(d: EventDestination): Xml {
  return el(
    'member',
    el('Name', d.name),
    el('Enabled', String(d.enabled)),
    memberList('MatchingEventTypes', d.matchingEventTypes),
    el('SNSDestination', el('TopicARN', d.topicArn)),
  );
}

export const listConfigurationSets: ActionHandler = ({ state, account, region, params }) => {
  const maxItems = params.get('MaxItems') === undefined ? 1_000 : Number(params.get('MaxItems'));
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1_000) throw invalidParameterValue('MaxItems must be between 1 and 1000.');
  const sets = state.configSets.list(account.accountId, region);
  const { page, nextToken } = pageOf(sets, params.get('NextToken'), maxItems, () => invalidParameterValue('Invalid NextToken.'));
  const result: Xml[] = [el('ConfigurationSets', ...page.map((s) => el('member', el('Name', s.name))))];
  if (nextToken !== undefined) result.push(el('NextToken', nextToken));
  return result;
};

export const deleteConfigurationSet: ActionHandler = (ctx) => {
  const set = existingSet(ctx);
  ctx.state.configSets.delete(ctx.account.accountId, ctx.region, set.name);
  return [];
};

/** `EventDestination.*` of Create/UpdateConfigurationSetEventDestination, checked as SES checks it. */
function parseDestination({ state, account, region, params }: ActionContext): EventDestination {
  const name = params.get('EventDestination.Name');
  if (name === undefined) throw missingParameter('EventDestination.Name');
  if (!NAME.test(name)) throw invalidParameterValue(`Event destination name <${name}> is invalid: letters, digits, '_' and '-' only, at most 64.`);
  const types = params.members('EventDestination.MatchingEventTypes');
  if (types.length === 0) throw missingParameter('EventDestination.MatchingEventTypes');
  const bad = types.find((t) => !(SES_EVENT_TYPES as readonly string[]).includes(t));
  if (bad !== undefined) throw invalidParameterValue(`Invalid event type <${bad}>: expected one of ${SES_EVENT_TYPES.join(', ')}.`);
  const topicArn = params.get('EventDestination.SNSDestination.TopicARN');
  if (topicArn === undefined) {
    throw invalidParameterValue('The simulator publishes events to SNS destinations only (CloudWatch and Kinesis Firehose are not simulated).');
  }
  if (!state.topics.find(region, account.accountId, topicArn)) throw invalidSnsDestination(topicArn);
  return {
    name,
    // SES v1: a destination is disabled unless Enabled says otherwise.
    enabled: params.get('EventDestination.Enabled') === 'true',
    matchingEventTypes: [...new Set(types as SesEventType[])],
    topicArn,
  };
}

export const createConfigurationSetEventDestination: ActionHandler = (ctx) => {
  const set = existingSet(ctx);
  const destination = parseDestination(ctx);
  if (set.eventDestinations.some((d) => d.name === destination.name)) throw eventDestinationAlreadyExists(destination.name, set.name);
  set.eventDestinations.push(destination);
  return [];
};

export const updateConfigurationSetEventDestination: ActionHandler = (ctx) => {
  const set = existingSet(ctx);
  const destination = parseDestination(ctx);
  const index = set.eventDestinations.findIndex((d) => d.name === destination.name);
  if (index < 0) throw eventDestinationDoesNotExist(destination.name, set.name);
  set.eventDestinations[index] = destination;
  return [];
};

export const deleteConfigurationSetEventDestination: ActionHandler = (ctx) => {
  const set = existingSet(ctx);
  const name = ctx.params.get('EventDestinationName');
  if (name === undefined) throw missingParameter('EventDestinationName');
  if (!set.eventDestinations.some((d) => d.name === name)) throw eventDestinationDoesNotExist(name, set.name);
  set.eventDestinations = set.eventDestinations.filter((d) => d.name !== name);
  return [];
};
