import type { AwsQueryError } from './awsErrors.js';

export const SES_VERSION = '2010-12-01';
export const STS_VERSION = '2011-06-15';
export const SNS_VERSION = '2010-03-31';
export const SES_NAMESPACE = `http://ses.amazonaws.com/doc/${SES_VERSION}/`;
export const STS_NAMESPACE = `https://sts.amazonaws.com/doc/${STS_VERSION}/`;
export const SNS_NAMESPACE = `http://sns.amazonaws.com/doc/${SNS_VERSION}/`;

/** A fragment of XML that is already escaped. */
export interface Xml {
  readonly xml: string;
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/** `<name>…</name>`; strings and numbers are escaped, fragments are nested as they are. */
export function el(name: string, ...children: (Xml | string | number)[]): Xml {
  const inner = children.map((c) => (typeof c === 'object' ? c.xml : escapeXml(String(c)))).join('');
  return { xml: `<${name}>${inner}</${name}>` };
}

/** The Query protocol's list shape: `<Name><member>…</member>…</Name>`. */
export function memberList(name: string, items: string[]): Xml {
  return el(name, ...items.map((item) => el('member', item)));
}

/** AWS Query doubles (GetSendQuota) are written with a decimal point, e.g. `200.0`. */
export function double(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** `<ActionResponse xmlns><ActionResult>…</ActionResult><ResponseMetadata>…</ResponseMetadata></ActionResponse>` */
export function successResponse(namespace: string, action: string, result: Xml[], requestId: string): string {
  const body = [el(`${action}Result`, ...result), el('ResponseMetadata', el('RequestId', requestId))]
    .map((x) => x.xml)
    .join('');
  return `<${action}Response xmlns="${namespace}">${body}</${action}Response>\n`;
}

/** `<ErrorResponse xmlns><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` */
export function errorResponse(namespace: string, error: AwsQueryError, requestId: string): string {
  const body = [el('Error', el('Type', error.type), el('Code', error.code), el('Message', error.message)), el('RequestId', requestId)]
    .map((x) => x.xml)
    .join('');
  return `<ErrorResponse xmlns="${namespace}">${body}</ErrorResponse>\n`;
}
