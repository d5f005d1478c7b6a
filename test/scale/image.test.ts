import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, startCommand } from '../helpers/spawn.js';

describe('the image', () => {
  it('starts Node as `npm start` does, with the same memory flags', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
    expect(cmd, 'the Dockerfile has an exec-form CMD').toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(startCommand);
  });
});
