import { z } from 'zod';
import { choice, defineFlow, text } from '../src/core/flow.js';
import { needAreas } from '../src/core/registration.js';
import { basicSteps } from './parts/basics.js';
import { personOrMenu } from './parts/offer.js';

/**
 * Mentor registration: the basics, what the mentor knows about, how many mentees, where they
 * come from (organisation; their own migration background only with the special consent),
 * induction training, and the code of ethics, which a mentor must accept.
 */
export default defineFlow({
  id: 'register_mentor',
  version: 1,
  start: 'intro',
  steps: {
    intro: { prompt: 'register:intro_mentor', next: 'age' },
    ...basicSteps({ next: 'expertise', adultsOnly: true }),
    expertise: { prompt: 'register:expertise', expect: choice([...needAreas, 'done'], 'needs:area_choices'), collect: 'expertise', next: 'capacity' },
    capacity: { prompt: 'register:capacity', expect: choice(['1', '2', '3'], 'register:capacity_choices'), saveAs: 'capacity', next: 'organisation' },
    organisation: {
      prompt: 'register:organisation',
      expect: text(z.string().trim().max(120)),
      optional: true,
      saveAs: 'organisation',
      next: 'special_consent',
    },
    special_consent: {
      prompt: 'register:special_consent',
      expect: choice(['yes', 'no'], 'register:yes_no'),
      saveAs: 'specialConsent',
      branches: { yes: 'background', no: 'training' },
    },
    background: {
      prompt: 'register:background',
      expect: choice(['yes', 'no', 'prefer_not'], 'register:background_choices'),
      saveAs: 'migrationBackground',
      next: 'training',
    },
    training: { prompt: 'register:training', expect: choice(['done', 'wanted', 'not_yet'], 'register:training_choices'), saveAs: 'training', next: 'ethics' },
    ethics: {
      prompt: 'register:ethics',
      expect: choice(['accept', 'decline'], 'register:ethics_choices'),
      branches: { accept: 'saved', decline: 'ethics_declined' },
    },
    ethics_declined: personOrMenu('register:ethics_declined'),
    saved: { prompt: 'register:mentor_saved', effects: ['saveMentorRegistration'], next: 'flow:assessment_mentor' },
  },
});
