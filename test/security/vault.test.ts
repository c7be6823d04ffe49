import { describe, it, expect } from 'vitest';
import { statSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { Vault, VaultError } from '../../src/security/vault.ts';
import { tempDir } from '../helpers/agent.ts';

describe('personal data vault (AES-256-GCM)', () => {
  const make = () => {
    const dir = tempDir();
    const v = new Vault(join(dir, 'keys', 'data.key'));
    v.start();
    return { v, dir };
  };

  it('creates a 32-byte owner-only key at first start and reuses it', () => {
    const { v, dir } = make();
    const st = statSync(join(dir, 'keys', 'data.key'));
    expect(st.mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(st.size).toBe(32);
    const sealed = v.sealString('Nguyễn Văn An');
    const again = new Vault(v.keyFile);
    again.start();
    expect(again.openString(sealed)).toBe('Nguyễn Văn An');
  });

  it('seals strings so the plaintext is not in the column and tampering is detected', () => {
    const { v } = make();
    const sealed = v.sealString('001099012345', 'dossier:X')!;
    expect(sealed).not.toContain('001099012345');
    expect(v.sealString('001099012345', 'dossier:X')).not.toBe(sealed); // fresh IV each time
    expect(v.openString(sealed, 'dossier:X')).toBe('001099012345');
    expect(() => v.openString(sealed, 'dossier:Y')).toThrow(VaultError);
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => v.openString(`v1:${raw.toString('base64')}`, 'dossier:X')).toThrow(/does not authenticate/);
    expect(v.sealString(null)).toBeNull();
  });

  it('refuses a key file of the wrong size', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'k'), 'short');
    expect(() => new Vault(join(dir, 'k')).start()).toThrow(/32 bytes/);
  });

  it('streams files encrypted to disk and back', async () => {
    const { v, dir } = make();
    const path = join(dir, 'scan.pdf.enc');
    const { stream, done } = v.createEncryptedFile(path);
    const chunks = Array.from({ length: 50 }, (_, i) => `%PDF page ${i} Trần Thị Bình\n`.repeat(100));
    for (const c of chunks) stream.write(c);
    stream.end();
    await done;
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path).includes(Buffer.from('Trần Thị Bình'))).toBe(false);
    expect(await text(v.openEncryptedFile(path))).toBe(chunks.join(''));
    // A flipped byte makes reading fail instead of returning altered data.
    const buf = readFileSync(path);
    buf[100] ^= 0xff;
    writeFileSync(path, buf);
    await expect(text(v.openEncryptedFile(path))).rejects.toThrow();
  });

  it('handles an empty file', async () => {
    const { v, dir } = make();
    const path = join(dir, 'empty.enc');
    const { stream, done } = v.createEncryptedFile(path);
    stream.end();
    await done;
    expect(await text(v.openEncryptedFile(path))).toBe('');
  });
});
