// Mirrors the server's checks and wording; the server stays the authority.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkContactEmail(email: string): string | undefined {
	if (!email.trim()) return 'Enter an email address.';
	if (email.trim().length > 254) return 'An email address has at most 254 characters.';
	if (!EMAIL_SHAPE.test(email.trim())) return 'Enter a valid email address, like name@example.com.';
	return undefined;
}
