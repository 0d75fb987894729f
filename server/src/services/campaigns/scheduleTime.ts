import { Temporal } from 'temporal-polyfill';
import { AppError } from '../../errors.js';

/**
 * A scheduled send time is picked as a wall-clock time in an IANA zone
 * ("09:00 in Europe/Berlin") and stored as the instant it names plus the
 * zone. Daylight-saving transitions make the wall clock skip or repeat:
 *
 * - a time in a spring-forward gap does not exist that day: refused, with the
 *   first time that does exist after the gap;
 * - a time repeated at fall-back names two instants: the first (earlier)
 *   occurrence is taken, and the view shows its UTC offset so it is clear which.
 */
export type SendInstant = { at: Date; timeZone: string };
/** How a stored instant reads in its zone: `2026-10-25T02:30` and `+02:00`. */
export type LocalTime = { dateTime: string; offset: string };

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number) => String(n).padStart(2, '0');
/** `02:30`, or `02:30:15` when the seconds matter. */
const clock = (t: Temporal.PlainDateTime) => `${two(t.hour)}:${two(t.minute)}${t.second ? `:${two(t.second)}` : ''}`;
/** `Sun 29 Mar 2026`, the same in every locale the server may run in. */
const day = (t: Temporal.PlainDateTime) => `${DAYS[t.dayOfWeek - 1]} ${t.day} ${MONTHS[t.month - 1]} ${t.year}`;

const badTimeZone = (message: string) => new AppError('BAD_REQUEST', message, { fieldErrors: { timeZone: message } });
const badSendAt = (message: string) => new AppError('BAD_REQUEST', message, { fieldErrors: { sendAt: message } });

/** The zone's canonical spelling (`europe/berlin` → `Europe/Berlin`); BAD_REQUEST naming `timeZone` otherwise. */
export function canonicalTimeZone(timeZone: string): string {
  // Temporal also takes bare offsets; a schedule must follow its zone's daylight-saving rules.
  if (/^[+-]/.test(timeZone.trim())) throw badTimeZone(`“${timeZone}” is an offset, not a time zone: pick a named zone such as Europe/Berlin.`);
  try {
    return Temporal.Now.zonedDateTimeISO(timeZone.trim()).timeZoneId;
  } catch {
    throw badTimeZone(`“${timeZone}” is not a known time zone: use an IANA name such as Europe/Berlin or America/New_York.`);
  }
}

function plainDateTime(sendAt: string): Temporal.PlainDateTime {
  try {
    return Temporal.PlainDateTime.from(sendAt, { overflow: 'reject' });
  } catch {
    throw badSendAt(`“${sendAt}” is not a date and time: use YYYY-MM-DDTHH:mm, e.g. 2026-12-09T09:00.`);
  }
}

/**
 * The instant a local `sendAt` (`YYYY-MM-DDTHH:mm[:ss]`, format checked by
 * the caller) names in `timeZone`, at least `minLeadMs` after `now`.
 */
export function resolveSendAt(sendAt: string, timeZone: string, now: Date, minLeadMs: number): SendInstant {
  const zone = canonicalTimeZone(timeZone);
  const local = plainDateTime(sendAt);
  // 'earlier' picks the first of a repeated time; in a gap it lands before the gap, which the check below catches.
  const zoned = local.toZonedDateTime(zone, { disambiguation: 'earlier' });
  if (!zoned.toPlainDateTime().equals(local)) throw badSendAt(gapMessage(local, zoned, zone));
  const at = new Date(zoned.epochMilliseconds);
  if (at.getTime() <= now.getTime()) throw badSendAt(`${clock(local)} on ${day(local)} in ${zone} is in the past. Pick a time in the future.`);
  if (at.getTime() < now.getTime() + minLeadMs) {
    throw badSendAt(`${clock(local)} on ${day(local)} in ${zone} is too soon: schedule at least ${Math.ceil(minLeadMs / 1000)} seconds ahead, or send now.`);
  }
  return { at, timeZone: zone };
}

/** "02:30 does not exist on Sun 29 Mar 2026 in Europe/Berlin: clocks go forward from 02:00 to 03:00. Pick 03:00 or later." */
function gapMessage(local: Temporal.PlainDateTime, beforeGap: Temporal.ZonedDateTime, zone: string): string {
  const transition = beforeGap.getTimeZoneTransition('next');
  if (!transition) return `${clock(local)} does not exist on ${day(local)} in ${zone}. Pick another time.`;
  const firstValid = transition.toPlainDateTime();
  // The wall clock reads this at the transition by the old offset: where the gap starts.
  const gapStart = firstValid.subtract({ nanoseconds: transition.offsetNanoseconds - beforeGap.offsetNanoseconds });
  return `${clock(local)} does not exist on ${day(local)} in ${zone}: clocks go forward from ${clock(gapStart)} to ${clock(firstValid)}. Pick ${clock(firstValid)} or later.`;
}

/** How `at` reads on the clocks of `timeZone` (a stored, hence valid, zone). */
export function localTimeOf(at: Date, timeZone: string): LocalTime {
  const zoned = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone);
  const t = zoned.toPlainDateTime();
  return { dateTime: `${t.year}-${two(t.month)}-${two(t.day)}T${clock(t)}`, offset: zoned.offset };
}
