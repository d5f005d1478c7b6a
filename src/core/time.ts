import { DateTime } from 'luxon';

/** What time it is: the system's, or one a test controls to live months in milliseconds. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Quiet hours in local time: no reminder or survey is sent from `from` until `until` (21 → 8 by default). */
export interface QuietHours {
  from: number;
  until: number;
}

export const defaultQuietHours: QuietHours = { from: 21, until: 8 };

/** Whether `at` falls in the quiet hours of the time zone (the span may cross midnight). */
export function isQuiet(at: Date, timeZone: string, quiet: QuietHours): boolean {
  const hour = DateTime.fromJSDate(at, { zone: timeZone }).hour;
  return quiet.from > quiet.until ? hour >= quiet.from || hour < quiet.until : hour >= quiet.from && hour < quiet.until;
}

/**
 * The instant of a wall-clock time on a date in a time zone: 10:00 stays 10:00 local on both
 * sides of a daylight-saving change. A time that does not exist that day (skipped by the change)
 * moves forward by the gap, as clocks do.
 */
export function localToInstant(date: string, time: string, timeZone: string): Date {
  const local = DateTime.fromISO(`${date}T${time}`, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`not a local date and time: ${date} ${time} (${timeZone})`);
  return local.toJSDate();
}

/** The month (YYYY-MM) of an instant in a time zone: the occurrence of a monthly survey. */
export function localMonth(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyyy-MM');
}

/** `months` calendar months after `at`, in the time zone (the programme's length). */
export function addMonths(at: Date, months: number, timeZone: string): Date {
  return DateTime.fromJSDate(at, { zone: timeZone }).plus({ months }).toJSDate();
}
