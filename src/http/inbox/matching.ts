import type { Person } from '../../db/generated/sqlite/client.js';
import type { Scope } from '../../db/scope.js';
import { html, type Html } from './html.js';
import type { InboxDeps } from './index.js';
import type { PageContext } from './layout.js';

/** A person's pairs and, for a mentee without one, the ranked mentor candidates. */
export async function matchingSection(_ctx: PageContext, _deps: InboxDeps, _scope: Scope, _person: Person): Promise<Html> {
  return html``;
}
