/** Opaque keyset cursors: the last row of the previous page (an email address, or a list's own key). */
export const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
export const decodeCursor = (cursor: string | undefined) => (cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : '');

/** A LIKE pattern for "starts with", with the text's own wildcards escaped (a search for "a_b" means that text). */
export const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
