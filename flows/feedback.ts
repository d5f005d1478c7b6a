import { z } from 'zod';
import { choice, defineFlow, text } from '../src/core/flow.js';

/**
 * After a session (M4M step 8): did it happen, how did it go (1–4), anything to add, and for the
 * mentor, progress on the mentee's goals. Pushed an hour after the session's end.
 */
export default defineFlow({
  id: 'feedback',
  version: 1,
  pushed: true,
  start: 'happened',
  steps: {
    happened: {
      prompt: 'feedback:happened',
      vars: ['feedbackSession'],
      expect: choice(['yes', 'no'], 'feedback:yes_no'),
      saveAs: 'happened',
      branches: { yes: 'rating', no: 'missed' },
    },
    missed: { prompt: 'feedback:missed', effects: ['saveFeedback'], next: 'resume' },
    rating: { prompt: 'feedback:rating', expect: choice(['1', '2', '3', '4'], 'feedback:scale'), saveAs: 'rating', next: 'worry' },
    // A poor session may hide a problem: the person can tell a coordinator, in confidence.
    worry: {
      onlyIf: 'lowRating',
      skipTo: 'comment',
      prompt: 'feedback:worry',
      expect: choice(['yes', 'no'], 'feedback:yes_no'),
      branches: { yes: 'worry_text', no: 'comment' },
    },
    worry_text: {
      prompt: 'feedback:worry_text',
      expect: text(z.string().trim().min(2).max(2000), 'feedback:comment_invalid'),
      saveAs: 'concern',
      next: 'worry_sent',
    },
    worry_sent: { prompt: 'feedback:worry_sent', effects: ['raiseConcern'], next: 'comment' },
    comment: {
      prompt: 'feedback:comment',
      expect: text(z.string().trim().min(1).max(1000), 'feedback:comment_invalid'),
      optional: true,
      saveAs: 'comment',
      next: 'progress',
    },
    progress: {
      onlyIf: 'isMentor',
      prompt: 'feedback:progress',
      expect: text(z.string().trim().min(1).max(1000), 'feedback:comment_invalid'),
      optional: true,
      saveAs: 'progress',
      next: 'thanks',
    },
    thanks: { prompt: 'feedback:thanks', effects: ['saveFeedback'], next: 'resume' },
  },
});
