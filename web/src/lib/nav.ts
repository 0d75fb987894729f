import type { Component } from 'svelte';
import type { LucideProps } from '@lucide/svelte';
import type { Pathname } from '$app/types';
import LayoutDashboard from '@lucide/svelte/icons/layout-dashboard';
import Send from '@lucide/svelte/icons/send';
import Mail from '@lucide/svelte/icons/mail';
import LayoutTemplate from '@lucide/svelte/icons/layout-template';
import Users from '@lucide/svelte/icons/users';
import ListChecks from '@lucide/svelte/icons/list-checks';
import Filter from '@lucide/svelte/icons/filter';
import Ban from '@lucide/svelte/icons/ban';
import Settings from '@lucide/svelte/icons/settings';

export interface NavItem {
	href: Pathname;
	label: string;
	icon: Component<LucideProps>;
}

export const mainNav: NavItem[] = [
	{ href: '/', label: 'Dashboard', icon: LayoutDashboard },
	{ href: '/campaigns', label: 'Campaigns', icon: Send },
	{ href: '/emails', label: 'Emails', icon: Mail },
	{ href: '/templates', label: 'Templates', icon: LayoutTemplate },
	{ href: '/contacts', label: 'Contacts', icon: Users },
	{ href: '/lists', label: 'Lists', icon: ListChecks },
	{ href: '/segments', label: 'Segments', icon: Filter },
	{ href: '/suppressions', label: 'Suppressions', icon: Ban },
	{ href: '/settings', label: 'Settings', icon: Settings }
];

export const settingsNav: Array<Omit<NavItem, 'icon'>> = [
	{ href: '/settings/channels', label: 'Channels' },
	{ href: '/settings/profile', label: 'Sender profile' },
	{ href: '/settings/api-keys', label: 'API keys' }
];

/** Dashboard matches only "/"; every other section also owns its sub-pages. */
export function isActive(href: Pathname, pathname: string): boolean {
	if (href === '/') return pathname === '/';
	return pathname === href || pathname.startsWith(`${href}/`);
}
