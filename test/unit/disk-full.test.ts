/** The one rule for "the disk took no more": SQLite's codes and Node's, from real failures where the machine allows. */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { diskFullCode, isDiskFull } from '../../src/store/disk.ts';

const withCode = (code: unknown) => Object.assign(new Error('x'), { code });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('isDiskFull', () => {
  it('knows SQLite\'s full database and failed write, and Node\'s no space, quota and file size limit', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'ENOSPC', 'EDQUOT', 'EFBIG']) {
      expect(diskFullCode(withCode(code))).toBe(code);
      expect(isDiskFull(withCode(code))).toBe(true);
    }
  });

  it('leaves other failures alone', () => {
    for (const err of [withCode('SQLITE_BUSY'), withCode('SQLITE_IOERR_READ'), withCode('SQLITE_CONSTRAINT_UNIQUE'), withCode('EACCES'), withCode('ENOENT'), withCode(28), new Error('ENOSPC'), null, undefined, 'SQLITE_FULL']) {
      expect(isDiskFull(err)).toBe(false);
    }
  });

  it('sees a database at its page cap', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x TEXT)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const err = thrown(() => {
      for (let i = 0; i < 1000; i++) db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(1000));
    });
    db.close();
    expect(diskFullCode(err)).toBe('SQLITE_FULL');
  });

  it('sees a file write on a full device (/dev/full, Linux)', () => {
    expect(diskFullCode(thrown(() => writeFileSync('/dev/full', 'x')))).toBe('ENOSPC');
  });
});
