import type { FlowDef } from '../src/core/flow.js';
import { menteeAssessment, menteeFinalAssessment, mentorAssessment, mentorFinalAssessment } from './assessment.js';
import afterMeeting from './after-meeting.js';
import closure from './closure.js';
import groundRules from './ground-rules.js';
import supervision from './supervision.js';
import feedback from './feedback.js';
import sessionOffer from './session-offer.js';
import sessions from './sessions.js';
import { menteeSurvey, mentorSurvey } from './survey.js';
import consultation from './consultation.js';
import needs from './needs.js';
import registerMentee from './register-mentee.js';
import registerMentor from './register-mentor.js';
import report from './report.js';
import faq from './faq.js';
import handover from './handover.js';
import infoDays from './info-days.js';
import help from './help.js';
import language from './language.js';
import menu from './menu.js';
import onboarding from './onboarding.js';
import privacy from './privacy.js';

/** Every flow the bot runs. */
export const flows: readonly FlowDef[] = [
  onboarding,
  menu,
  language,
  help,
  handover,
  privacy,
  faq,
  registerMentee,
  registerMentor,
  needs,
  menteeAssessment,
  mentorAssessment,
  report,
  infoDays,
  consultation,
  sessions,
  sessionOffer,
  feedback,
  menteeSurvey,
  mentorSurvey,
  closure,
  afterMeeting,
  groundRules,
  supervision,
  menteeFinalAssessment,
  mentorFinalAssessment,
];
