// Mirrors the server's rules and wording so obvious mistakes are caught before a round trip;
// the server stays the authority and its field errors are shown the same way.

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(email: string): string | undefined {
	if (!email.trim()) return 'Enter your email address.';
	if (!EMAIL_SHAPE.test(email.trim())) return 'Enter a valid email address, like name@example.com.';
	return undefined;
}

export function checkNewPassword(password: string): string | undefined {
	if (!password) return 'Choose a password.';
	if (password.length < 10) return 'Use at least 10 characters for your password.';
	if (password.length > 200) return 'A password has at most 200 characters.';
	return undefined;
}

export function checkTenantName(name: string): string | undefined {
	if (!name.trim()) return 'Enter a company name.';
	if (name.trim().length > 100) return 'A company name has at most 100 characters.';
	return undefined;
}
