import { toast } from 'svelte-sonner';
import { checkContactEmail } from '$lib/components/contacts/validate';
import { FormState } from '$lib/formState.svelte';
import { trpc } from '$lib/trpc';
import { templateField, type Campaign } from './types';

const STARTER_HTML = `<h1>Hello {{ first_name | default: "there" }},</h1>
<p>Write your message here.</p>
<p>Best wishes,<br>The team</p>`;

/**
 * What the campaign editor edits: the draft's fields, whether they differ from what was last
 * saved, and saving them (a new draft is created, a saved one updated). Create it while the
 * editor initialises.
 */
export class CampaignDraft {
	/** The saved draft; null until a new one is first saved. */
	campaign = $state<Campaign | null>(null);
	name = $state('');
	subject = $state('');
	fromEmail = $state('');
	fromName = $state('');
	replyTo = $state('');
	/** `list:<id>` or `segment:<id>` (AudienceField). */
	audience = $state('');
	html = $state('');
	textMode = $state<'auto' | 'custom'>('auto');
	text = $state('');
	/** Goes up after each save, so the preview reloads. */
	version = $state(0);

	readonly form = new FormState([
		['name', 'campaign-name'],
		['subject', 'campaign-subject'],
		['fromEmail', 'campaign-from-email'],
		['fromName', 'campaign-from-name'],
		['replyTo', 'campaign-reply-to'],
		['listId', 'campaign-list'],
		['segmentId', 'campaign-list'],
		['html', 'campaign-html'],
		['text', 'campaign-text']
	]);

	/** What was last saved; for a new draft, the untouched form (leaving it asks nothing). */
	#saved = $state('');
	readonly dirty = $derived(JSON.stringify(this.payload()) !== this.#saved);

	/** `defaults`: for a new draft, the sender's name and the list to start from. */
	constructor(start: Campaign | null, defaults: { fromName: string; listId: string }) {
		this.campaign = start;
		this.name = start?.name ?? '';
		this.subject = start?.subject ?? '';
		this.fromEmail = start?.fromEmail ?? '';
		this.fromName = start?.fromName ?? defaults.fromName;
		this.replyTo = start?.replyTo ?? '';
		this.audience = start?.segmentId ? `segment:${start.segmentId}` : start?.listId ? `list:${start.listId}` : defaults.listId ? `list:${defaults.listId}` : '';
		this.html = start?.html ?? STARTER_HTML;
		this.textMode = start?.text ? 'custom' : 'auto';
		this.text = start?.text ?? '';
		this.markSaved();
	}

	payload() {
		return {
			name: this.name.trim(),
			subject: this.subject.trim(),
			fromEmail: this.fromEmail.trim(),
			fromName: this.fromName.trim() || null,
			replyTo: this.replyTo.trim() || null,
			...this.#audienceFields(),
			html: this.html,
			text: this.textMode === 'auto' ? null : this.text
		};
	}

	/** The audience as the server takes it: a list or a segment (setting one clears the other). */
	#audienceFields(): { listId: string } | { segmentId: string } | Record<string, never> {
		const [kind, id] = this.audience.split(':');
		if (!id) return {};
		return kind === 'segment' ? { segmentId: id } : { listId: id };
	}

	/** What is on screen counts as saved (leaving asks nothing). */
	markSaved(): void {
		this.#saved = JSON.stringify(this.payload());
	}

	/** A new draft sends as the channel's sender unless someone typed another; an untouched one stays untouched. */
	suggestSender(email: string): void {
		if (this.campaign || this.fromEmail) return;
		const untouched = !this.dirty;
		this.fromEmail = email;
		if (untouched) this.markSaved();
	}

	check(): Record<string, string | undefined> {
		const subject = this.subject.trim();
		return {
			name: this.name.trim() ? undefined : 'Enter a campaign name.',
			subject: !subject ? 'Enter a subject.' : /[\r\n]/.test(this.subject) ? 'A subject must be a single line.' : undefined,
			fromEmail: checkContactEmail(this.fromEmail),
			replyTo: this.replyTo.trim() ? checkContactEmail(this.replyTo) : undefined,
			listId: this.audience ? undefined : 'Choose the list or segment to send to.',
			html: this.html.trim() ? undefined : 'Enter the HTML body.',
			text:
				this.textMode === 'custom' && !this.text.trim()
					? 'Write the plain-text version, or choose “Generate from HTML”.'
					: undefined
		};
	}

	/**
	 * Saves the draft; true when it is saved (or had nothing to save). `quiet`: no toast for an
	 * update, when saving is only the first step of something else (a test, sending).
	 */
	save(quiet: boolean, onCreated?: (id: string) => void): Promise<boolean> {
		return this.form.submit(() => this.#send(quiet, onCreated), {
			check: () => this.check(),
			onProblem: (problem) => {
				// A template that doesn't parse: the message goes under the field it is about.
				const field = templateField(problem.details);
				if (!field) return undefined;
				if (field === 'text') this.textMode = 'custom';
				return { [field]: problem.message };
			}
		});
	}

	async #send(quiet: boolean, onCreated?: (id: string) => void): Promise<void> {
		const data = this.payload();
		if (this.campaign) {
			if (!this.dirty) return;
			this.campaign = await trpc.campaigns.update.mutate({ id: this.campaign.id, ...data });
			this.#saved = JSON.stringify(data);
			this.version++;
			if (!quiet) toast.success('Draft saved. The preview shows what you saved.');
		} else {
			const { id } = await trpc.campaigns.create.mutate({ ...data, channel: 'email' });
			this.#saved = JSON.stringify(data);
			toast.success('Draft saved. The preview shows it as one of your contacts would get it.');
			onCreated?.(id);
		}
	}
}
