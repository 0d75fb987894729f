export function checkListName(name: string): string | undefined {
	if (!name.trim()) return 'Enter a list name.';
	if (name.trim().length > 100) return 'A list name has at most 100 characters.';
	return undefined;
}
