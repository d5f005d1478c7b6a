import { z } from 'zod';

/** The areas a mentee may need help with, and a mentor may know about (from the M4M guide). */
export const needAreas = [
  'housing',
  'work',
  'education',
  'health',
  'documents',
  'language',
  'children',
  'social',
  'business',
  'citizenship',
  'digital',
] as const;

export const ageRanges = ['under_18', '18_25', '26_35', '36_50', '51_65', 'over_65'] as const;
export const genders = ['woman', 'man', 'other', 'prefer_not'] as const;
export const contactTimes = ['mornings', 'afternoons', 'evenings', 'weekends'] as const;
/** Languages offered as buttons at registration (ISO 639-1); names come from Intl in the person's language. */
export const spokenLanguages = ['pt', 'en', 'ar', 'fr', 'es', 'uk', 'ru', 'fa', 'ps', 'ur', 'hi', 'bn', 'zh', 'ti'] as const;

const basics = {
  name: z.string().trim().min(1).max(60),
  ageRange: z.enum(ageRanges),
  /** Under 18: a parent or guardian agreed, and whether it is a supervised (school) programme. */
  guardianConsent: z.boolean().optional(),
  supervisedProgramme: z.boolean().optional(),
  languages: z.array(z.string().max(16)).min(1),
  area: z.string().trim().min(1).max(80),
  gender: z.enum(genders),
  contactTimes: z.array(z.enum(contactTimes)).min(1),
  /** Only when it differs from the organisation's (or the programme's) time zone. */
  timeZone: z.string().optional(),
  completedAt: z.string(),
};

/** What a mentee's registration keeps: what matching needs, nothing more. */
export const MenteeRegistration = z.object({
  role: z.literal('mentee'),
  ...basics,
  prefGender: z.enum(['woman', 'man', 'any']),
  prefSameLanguage: z.boolean(),
  heardFrom: z.enum(['friend', 'organisation', 'info_day', 'social', 'other']),
});

/** What a mentor's registration keeps. `migrationBackground` only with the special-category consent. */
export const MentorRegistration = z.object({
  role: z.literal('mentor'),
  ...basics,
  expertise: z.array(z.enum(needAreas)).min(1),
  capacity: z.number().int().min(1).max(5),
  organisation: z.string().trim().max(120).optional(),
  migrationBackground: z.enum(['yes', 'no', 'prefer_not']).optional(),
  training: z.enum(['done', 'wanted', 'not_yet']),
  ethicsAcknowledgedAt: z.string(),
});

export const Registration = z.discriminatedUnion('role', [MenteeRegistration, MentorRegistration]);
export type Registration = z.infer<typeof Registration>;

export const Needs = z.object({
  areas: z.array(z.enum(needAreas)).min(1),
  urgency: z.enum(['this_week', 'this_month', 'no_rush']),
  goal: z.string().trim().min(1).max(500),
  at: z.string(),
});
export type Needs = z.infer<typeof Needs>;

/** The time zones a person can pick when their clock differs from the programme's. */
export const zoneChoices: Record<string, string | undefined> = { wet: 'Europe/Lisbon', cet: 'Europe/Paris', eet: 'Europe/Athens', other: undefined };

/** The time zone a person's times are shown in: their own, else their organisation's, else the programme's. */
export function personTimeZone(person: { registration: unknown; organisation: { timezone: string } | null }, programmeTimezone: string): string {
  return Registration.safeParse(person.registration).data?.timeZone ?? person.organisation?.timezone ?? programmeTimezone;
}
