import { choice, choiceFrom, defineFlow } from '../src/core/flow.js';

/** Info days: the upcoming ones, signing up and cancelling; a reminder comes the day before. */
export default defineFlow({
  id: 'infodays',
  version: 1,
  needs: ['infoDays'],
  start: 'list',
  steps: {
    list: {
      prompt: 'infodays:list',
      vars: ['infoDayList'],
      expect: choiceFrom('infoDays'),
      saveAs: 'infoDay',
      branches: { menu: 'flow:menu', otherwise: 'detail' },
    },
    detail: {
      prompt: 'infodays:detail',
      vars: ['infoDayDetail'],
      expect: choice([{ id: 'signup', when: 'infoDayOpen' }, { id: 'cancel', when: 'infoDaySignedUp' }, 'back'], 'infodays:detail_choices'),
      branches: { signup: 'signed_up', cancel: 'cancelled', back: 'list' },
    },
    signed_up: { prompt: 'infodays:signed_up', effects: ['signUpInfoDay'], next: 'flow:menu' },
    cancelled: { prompt: 'infodays:cancelled', effects: ['cancelInfoDay'], next: 'flow:menu' },
  },
});
