import { sesRegions, type SesRegion } from '@herald/server/ses-regions';
import type { StatusTone } from '$lib/components/ui/StatusBadge.svelte';
import type { ProblemDetails } from '$lib/errors';
import type { FieldErrors } from '$lib/forms';
import type { IdentityStatus } from './types';

export { sesRegions, type SesRegion };

export const DEFAULT_REGION: SesRegion = 'us-east-1';

export function isSesRegion(id: string | null | undefined): id is SesRegion {
	return sesRegions.some((r) => r.id === id);
}

/** "eu-west-1" → "Europe (Ireland)"; unknown ids come back as they are. */
export function regionName(id: string): string {
	return sesRegions.find((r) => r.id === id)?.name ?? id;
}

export const identityStatus: Record<IdentityStatus, { label: string; tone: StatusTone }> = {
	Success: { label: 'Verified', tone: 'success' },
	Pending: { label: 'Pending', tone: 'warning' },
	TemporaryFailure: { label: 'Temporary failure', tone: 'warning' },
	Failed: { label: 'Failed', tone: 'error' },
	NotStarted: { label: 'Not started', tone: 'neutral' }
};

/** AWS documentation a marketer may need on this page. */
export const awsDocs = {
	accessKeys: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
	verifyIdentity: 'https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html',
	productionAccess: 'https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html',
	snsSubscribe: 'https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html',
	configurationSets: 'https://docs.aws.amazon.com/ses/latest/dg/event-publishing-add-event-destination-sns.html'
} as const;

/** The least an IAM user needs for Herald; shown on the page with a copy button. */
export const iamPolicy = JSON.stringify(
	{
		Version: '2012-10-17',
		Statement: [
			{
				Effect: 'Allow',
				Action: [
					'ses:GetSendQuota',
					'ses:ListIdentities',
					'ses:GetIdentityVerificationAttributes',
					'ses:SendRawEmail'
				],
				Resource: '*'
			}
		]
	},
	null,
	2
);

// Mirrors the server's input rules and wording, so obvious slips are caught before a round trip.
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CONFIGURATION_SET = /^[A-Za-z0-9_-]{1,64}$/;

export function checkAccessKeyId(value: string): string | undefined {
	const v = value.trim();
	if (!v) return 'Enter the AWS Access Key ID.';
	if (!ACCESS_KEY_ID.test(v))
		return 'An AWS Access Key ID is 16 to 128 capital letters and digits, like AKIA…';
	return undefined;
}

export function checkSecret(value: string): string | undefined {
	const v = value.trim();
	if (!v) return 'Enter the Secret Access Key.';
	if (v.length < 16) return 'That is too short for an AWS Secret Access Key.';
	if (v.length > 128) return 'That is too long for an AWS Secret Access Key.';
	return undefined;
}

export function checkSender(value: string): string | undefined {
	const v = value.trim();
	if (!v) return 'Choose or type the address Herald sends from.';
	if (!EMAIL_SHAPE.test(v)) return 'Enter an email address, like news@yourcompany.com.';
	return undefined;
}

export function checkConfigurationSet(value: string): string | undefined {
	const v = value.trim();
	if (v && !CONFIGURATION_SET.test(v))
		return 'A configuration set name has 1 to 64 letters, digits, _ or -.';
	return undefined;
}

/** Short words beside the field AWS complained about; the whole story goes in the status above. */
export function awsFieldErrors(problem: ProblemDetails): FieldErrors {
	const code = problem.details?.awsErrorCode;
	if (code === 'InvalidClientTokenId' || code === 'UnrecognizedClientException')
		return { accessKeyId: 'AWS does not recognise this Access Key ID.' };
	if (code === 'SignatureDoesNotMatch')
		return { secretAccessKey: 'This secret does not belong to that Access Key ID.' };
	if (Array.isArray(problem.details?.verifiedIdentities))
		return { senderEmail: 'This address is not verified in your SES account in that region.' };
	return {};
}
