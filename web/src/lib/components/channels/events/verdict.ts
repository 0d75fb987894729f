import type { StatusTone } from '$lib/components/ui/StatusBadge.svelte';
import type { EmailHealth } from '../types';

/** The badge beside the health verdict: a word for each state, colour only repeating it. */
export const verdictBadge: Record<EmailHealth['verdict']['state'], { label: string; tone: StatusTone }> = {
	working: { label: 'Working', tone: 'success' },
	ready: { label: 'Ready', tone: 'success' },
	waiting: { label: 'Waiting for confirmation', tone: 'busy' },
	silent: { label: 'No events', tone: 'warning' },
	stopped: { label: 'Stopped', tone: 'error' },
	'not-set-up': { label: 'Not set up', tone: 'warning' },
	'not-connected': { label: 'Not connected', tone: 'neutral' }
};

/** `arn:aws:sns:us-east-1:123456789012:herald-events` → `herald-events (us-east-1)`. */
export function topicLabel(arn: string): string {
	const [, , , region, , name] = arn.split(':');
	return name && region ? `${name} (${region})` : arn;
}

/** SES's event type names as a marketer reads them. */
const EVENT_NAMES: Record<string, string> = {
	Send: 'Send',
	Delivery: 'Delivery',
	Bounce: 'Bounce',
	Complaint: 'Complaint',
	Reject: 'Reject',
	Open: 'Open',
	Click: 'Click',
	'Rendering Failure': 'Rendering failure',
	RenderingFailure: 'Rendering failure',
	DeliveryDelay: 'Delivery delay',
	Subscription: 'Subscription'
};

export const eventName = (type: string): string => EVENT_NAMES[type] ?? type;

/** The setup steps in the order Herald runs them, with what each makes. */
export const SETUP_STEPS = {
	configurationSet: 'SES configuration set',
	topic: 'SNS topic',
	eventDestination: 'SES event destination',
	subscription: 'Webhook subscription'
} as const;
