import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/spawn.js';

describe('the image', () => {
  it('starts Node as `npm start` does, with the same memory flags', () => {
    const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
    expect(cmd, 'the Dockerfile has an exec-form CMD').toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(start);
  });
});
