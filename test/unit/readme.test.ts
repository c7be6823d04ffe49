import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { readmeWithReference } from '../../scripts/config-reference.ts';

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('starts with the two commands: run the agent, pass the tests', () => {
    const block = /```sh\n([\s\S]*?)```/.exec(readme)![1].split('\n').filter(Boolean);
    expect(block[0]).toMatch(/^npm install && npm start\b/);
    expect(block[1]).toMatch(/^npm test\b/);
    expect(readme.indexOf('```sh')).toBeLessThan(readme.indexOf('\n## '));
  });

  it('has the configuration reference in step with the schema', () => {
    expect(readme, 'run: node --import tsx scripts/config-reference.ts --write').toBe(readmeWithReference(readme));
  });
});
