// Tables whose rows become small cards below the sm breakpoint: the first cells stack in the
// card's left column, one cell (a badge, a button) sits on its right.

export const cardRow = 'max-sm:grid max-sm:grid-cols-[1fr_auto] max-sm:gap-x-4 max-sm:gap-y-1 max-sm:px-5 max-sm:py-3';
export const cardCell = 'px-5 py-3 max-sm:p-0 max-sm:col-start-1';
/** The card's top right corner, e.g. a status badge. */
export const cardCorner = 'px-5 py-3 max-sm:col-start-2 max-sm:row-start-1 max-sm:p-0';
/** The card's right side, all the way down, e.g. its buttons. */
export const cardSide = 'px-5 py-3 text-right max-sm:col-start-2 max-sm:row-span-3 max-sm:row-start-1 max-sm:self-center max-sm:p-0';

/** The link that opens a row's record. */
export const rowLink = 'font-medium text-zinc-900 hover:text-brand-700 hover:underline';
