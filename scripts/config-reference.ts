/**
 * Prints the configuration reference (Markdown) from the one schema and the driver schemas.
 * `node --import tsx scripts/config-reference.ts --write` refreshes it in README.md between markers;
 * a unit test fails when README.md is out of step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigSchema } from '../src/config/schema.ts';
import { driverRegistry } from '../drivers/registry.ts';

const BEGIN = '<!-- config-reference:begin -->';
const END = '<!-- config-reference:end -->';

function typeOf(s: any): string {
  if (s.anyOf) return s.anyOf.map((x: any) => (x.const !== undefined ? JSON.stringify(x.const) : typeOf(x))).join(' \\| ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  return s.type ?? 'any';
}

function rows(schema: any, path: string, out: string[]): void {
  for (const [k, sub] of Object.entries<any>(schema.properties ?? {})) {
    const p = path ? `${path}.${k}` : k;
    const isSection = sub.type === 'object' && sub.properties;
    if (!isSection) {
      const def = sub.default === undefined ? '' : `\`${JSON.stringify(sub.default)}\``;
      out.push(`| \`${p}\` | ${typeOf(sub)} | ${def} | **${sub.title ?? ''}.** ${(sub.description ?? '').replace(/\|/g, '\\|')} |`);
    }
    if (isSection) rows(sub, p, out);
    if (sub.type === 'array' && sub.items?.properties) rows(sub.items, `${p}[]`, out);
  }
}

export function configReference(): string {
  const out: string[] = ['| key | type | default | meaning |', '|---|---|---|---|'];
  rows(ConfigSchema, '', out);
  out.push('', '### Device drivers', '');
  for (const fam of Object.values(driverRegistry)) {
    for (const d of Object.values(fam)) {
      out.push(`#### \`type: ${d.type}\`, \`driver: ${d.name}\``, '', d.summary, '', '| key | type | default | meaning |', '|---|---|---|---|');
      const own = { ...d.schema, properties: Object.fromEntries(Object.entries<any>((d.schema as any).properties).filter(([k]) => !['id', 'type', 'driver'].includes(k))) };
      rows(own, '', out);
      out.push('');
    }
  }
  return out.join('\n');
}

export function readmeWithReference(readme: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < 0) throw new Error('README.md lacks the config-reference markers');
  return `${readme.slice(0, a + BEGIN.length)}\n${configReference()}\n${readme.slice(b)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = fileURLToPath(new URL('../README.md', import.meta.url));
  if (process.argv.includes('--write')) writeFileSync(file, readmeWithReference(readFileSync(file, 'utf8')));
  else process.stdout.write(`${configReference()}\n`);
}
