import { z } from 'zod';
import { choice, choiceFrom, text, type StepDef, type Target } from '../../src/core/flow.js';
import { ageRanges, contactTimes, genders } from '../../src/core/registration.js';
import { personOrMenu } from './offer.js';

/**
 * The questions mentees and mentors both answer: age (with the guardian path for minors), name,
 * languages, area, gender and contact times. `adultsOnly` turns minors away (mentors);
 * `next` is where the basics lead.
 */
export function basicSteps(options: { next: Target; adultsOnly: boolean }): Record<string, StepDef> {
  return {
    age: {
      prompt: 'register:age',
      expect: choice(ageRanges, 'register:age_choices'),
      saveAs: 'ageRange',
      branches: { under_18: options.adultsOnly ? 'adults_only' : 'guardian', otherwise: 'name' },
    },
    ...(options.adultsOnly
      ? {
          adults_only: personOrMenu('register:adults_only'),
        }
      : {
          guardian: {
            prompt: 'register:guardian',
            expect: choice(['yes', 'no'], 'register:yes_no'),
            saveAs: 'guardian',
            branches: { yes: 'supervised', no: 'minor_stop' },
          },
          supervised: {
            prompt: 'register:supervised',
            expect: choice(['yes', 'no'], 'register:yes_no'),
            saveAs: 'supervisedProgramme',
            next: 'name',
          },
          minor_stop: personOrMenu('register:minor_stop'),
        }),
    name: { prompt: 'register:name', expect: text(z.string().trim().min(1).max(60), 'register:name_invalid'), saveAs: 'name', next: 'languages' },
    languages: { prompt: 'register:languages', expect: choiceFrom('spokenLanguages'), collect: 'languages', next: 'area' },
    area: { prompt: 'register:area', expect: text(z.string().trim().min(2).max(80), 'register:area_invalid'), saveAs: 'area', next: 'gender' },
    gender: { prompt: 'register:gender', expect: choice(genders, 'register:gender_choices'), saveAs: 'gender', next: 'contact_times' },
    contact_times: {
      prompt: 'register:contact_times',
      expect: choice([...contactTimes, 'done'], 'register:time_choices'),
      collect: 'contactTimes',
      next: 'time_zone',
    },
    // Reminders must not wake anyone: check the clock rather than ask for a time zone's name.
    time_zone: {
      prompt: 'register:time_zone',
      vars: ['localTime'],
      expect: choice(['yes', 'no'], 'register:yes_no'),
      saveAs: 'timeZone',
      branches: { yes: options.next, no: 'time_zone_pick' },
    },
    time_zone_pick: {
      prompt: 'register:time_zone_pick',
      expect: choice(['wet', 'cet', 'eet', 'other'], 'register:zone_choices'),
      saveAs: 'timeZone',
      next: options.next,
    },
  };
}
