import type { HandleClientError } from '@sveltejs/kit';

// An unknown address is an everyday event shown by +error.svelte, not a bug worth a console error.
export const handleError: HandleClientError = ({ error, status, message }) => {
	if (status !== 404) console.error(error);
	return { message };
};
