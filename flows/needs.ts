import { z } from 'zod';
import { choice, defineFlow, text } from '../src/core/flow.js';
import { needAreas } from '../src/core/registration.js';

/**
 * The needs intake: what the mentee needs help with, how urgent it is, their goal in their own
 * words, and whether anyone is in danger now (emergency guidance and an urgent item at once).
 */
export default defineFlow({
  id: 'needs',
  version: 1,
  start: 'areas',
  steps: {
    areas: { prompt: 'needs:areas', expect: choice([...needAreas, 'done'], 'needs:area_choices'), collect: 'needAreas', next: 'urgency' },
    urgency: { prompt: 'needs:urgency', expect: choice(['this_week', 'this_month', 'no_rush'], 'needs:urgency_choices'), saveAs: 'urgency', next: 'goal' },
    goal: { prompt: 'needs:goal', expect: text(z.string().trim().min(2).max(500), 'needs:goal_invalid'), saveAs: 'goal', next: 'danger' },
    danger: { prompt: 'needs:danger', expect: choice(['yes', 'no'], 'register:yes_no'), branches: { yes: 'emergency', no: 'saved' } },
    emergency: { prompt: 'common:crisis', effects: ['openCrisis'], next: 'saved' },
    saved: { prompt: 'needs:saved', effects: ['saveNeeds'], next: 'flow:assessment_mentee' },
  },
});
