import { z } from 'zod';
import { choice, defineFlow, text } from '../src/core/flow.js';

/**
 * The informal consultation (M4M step 5): a coordinator proposed a match, and each side is told
 * about the other without a name or contact details, then asked: yes, no, or a question for the
 * coordinator first. The inbox starts it (a `consult` event) with the pair in `data.consult`;
 * afterwards the person goes back to whatever they were doing.
 */
export default defineFlow({
  id: 'consultation',
  version: 1,
  start: 'ask',
  steps: {
    ask: {
      prompt: 'consultation:ask',
      vars: ['proposedMatch'],
      expect: choice(['yes', 'no', 'question'], 'consultation:ask_choices'),
      branches: { yes: 'agreed', no: 'said_no', question: 'question' },
    },
    agreed: { prompt: 'consultation:agreed', effects: ['consultYes'], next: 'resume' },
    // The no counts at once; why is optional and may never come.
    said_no: { effects: ['consultNo'], next: 'why_not' },
    why_not: {
      prompt: 'consultation:why_not',
      expect: text(z.string().trim().min(1).max(500), 'consultation:why_not_invalid'),
      optional: true,
      saveAs: 'consultReason',
      next: 'declined',
    },
    declined: { prompt: 'consultation:declined', effects: ['consultReason'], next: 'resume' },
    question: {
      prompt: 'consultation:question',
      expect: text(z.string().trim().min(1).max(1000), 'consultation:question_invalid'),
      saveAs: 'consultQuestion',
      next: 'question_sent',
    },
    question_sent: { prompt: 'consultation:question_sent', effects: ['consultQuestion'], next: 'resume' },
  },
});
