import { z } from 'zod';
import { choice, choiceFrom, defineFlow, text } from '../src/core/flow.js';

/** "9", "9:30", "09h30", "21.15": a time of day as people type it. */
export const TimeOfDay = z
  .string()
  .trim()
  .regex(/^([01]?\d|2[0-3])(?:[:.hH]([0-5]\d))?$/);

/**
 * Mentoring sessions (M4M step 7), from either side of an active pair: propose one (day, time,
 * length, in person or online, where), see the next ones, move or cancel one. The other side is
 * asked to confirm (flows/session-offer.ts).
 */
export default defineFlow({
  id: 'sessions',
  version: 1,
  needs: ['pair'],
  start: 'main',
  steps: {
    main: {
      prompt: 'sessions:main',
      vars: ['upcomingSessions'],
      expect: choice(['propose', { id: 'manage', when: 'hasUpcomingSessions' }, 'menu'], 'sessions:main_choices'),
      branches: { propose: 'day', manage: 'pick', menu: 'flow:menu' },
    },
    day: { prompt: 'sessions:day', expect: choiceFrom('sessionDays'), saveAs: 'sessionDay', branches: { menu: 'flow:menu', otherwise: 'time' } },
    time: { prompt: 'sessions:time', expect: text(TimeOfDay, 'sessions:time_invalid'), saveAs: 'sessionTime', next: 'length' },
    length: { prompt: 'sessions:length', expect: choice(['60', '75', '90'], 'sessions:length_choices'), saveAs: 'sessionMinutes', next: 'mode' },
    mode: {
      prompt: 'sessions:mode',
      expect: choice(['in_person', 'online'], 'sessions:mode_choices'),
      saveAs: 'sessionMode',
      branches: { in_person: 'place', online: 'check' },
    },
    place: { prompt: 'sessions:place', expect: text(z.string().trim().min(2).max(200), 'sessions:place_invalid'), saveAs: 'sessionPlace', next: 'check' },
    check: {
      prompt: 'sessions:check',
      vars: ['draftSession'],
      expect: choice(['send', 'change', 'menu'], 'sessions:check_choices'),
      branches: { send: 'sent', change: 'day', menu: 'flow:menu' },
    },
    sent: { prompt: 'sessions:sent', effects: ['proposeSession'], next: 'flow:menu' },
    pick: { prompt: 'sessions:pick', expect: choiceFrom('upcomingSessions'), saveAs: 'sessionId', branches: { menu: 'flow:menu', otherwise: 'manage' } },
    manage: {
      prompt: 'sessions:manage',
      vars: ['chosenSession'],
      expect: choice(['move', 'cancel', 'menu'], 'sessions:manage_choices'),
      branches: { move: 'move', cancel: 'cancel', menu: 'flow:menu' },
    },
    // Moving is a new proposal that replaces the old session once sent.
    move: { effects: ['replaceSession'], next: 'day' },
    cancel: {
      prompt: 'sessions:cancel',
      vars: ['chosenSession'],
      expect: choice(['yes', 'no'], 'sessions:yes_no'),
      branches: { yes: 'cancelled', no: 'main' },
    },
    cancelled: { prompt: 'sessions:cancelled', vars: ['pairOther'], effects: ['cancelSession'], next: 'flow:menu' },
  },
});
