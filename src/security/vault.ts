/**
 * Personal data at rest: AES-256-GCM with a key kept in a file outside the data dir (created at
 * first start, owner-only). Used for personal columns (strings) and scan files (streams).
 *
 * Formats:
 * - string: `v1:` + base64(iv 12 | tag 16 | ciphertext)
 * - file:   "HCCV1" | iv 12 | ciphertext | tag 16   (tag last so files can be written as a stream)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { PassThrough, Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const ALG = 'aes-256-gcm';
const MAGIC = Buffer.from('HCCV1');
const IV = 12;
const TAG = 16;

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}

export class Vault {
  private key: Buffer | null = null;
  /** True when start() had to create the key: anything sealed before then cannot be opened with it. */
  createdKey = false;

  constructor(readonly keyFile: string) {}

  /** Loads the key, creating it (mode 0600, folder 0700) on first start. */
  start(): void {
    try {
      const st = statSync(this.keyFile);
      if ((st.mode & 0o077) !== 0) chmodSync(this.keyFile, 0o600);
      const key = readFileSync(this.keyFile);
      if (key.length !== 32) throw new VaultError(`key file ${this.keyFile} must hold 32 bytes, has ${key.length}`);
      this.key = key;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err instanceof VaultError ? err : new VaultError(`cannot read key file ${this.keyFile}: ${(err as Error).message}`);
      mkdirSync(dirname(this.keyFile), { recursive: true, mode: 0o700 });
      const key = randomBytes(32);
      writeFileSync(this.keyFile, key, { mode: 0o600, flag: 'wx' });
      this.key = key;
      this.createdKey = true;
    }
  }

  private k(): Buffer {
    if (!this.key) throw new VaultError('vault not started');
    return this.key;
  }

  encrypt(plain: Buffer, aad?: string): Buffer {
    const iv = randomBytes(IV);
    const c = createCipheriv(ALG, this.k(), iv);
    if (aad) c.setAAD(Buffer.from(aad));
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }

  decrypt(blob: Buffer, aad?: string): Buffer {
    if (blob.length < IV + TAG) throw new VaultError('ciphertext too short');
    const d = createDecipheriv(ALG, this.k(), blob.subarray(0, IV));
    if (aad) d.setAAD(Buffer.from(aad));
    d.setAuthTag(blob.subarray(IV, IV + TAG));
    try {
      return Buffer.concat([d.update(blob.subarray(IV + TAG)), d.final()]);
    } catch {
      throw new VaultError('ciphertext does not authenticate (wrong key or tampered data)');
    }
  }

  /** For personal TEXT columns. null/undefined pass through. */
  sealString(plain: string | null | undefined, aad?: string): string | null {
    if (plain == null) return null;
    return `v1:${this.encrypt(Buffer.from(plain, 'utf8'), aad).toString('base64')}`;
  }

  openString(sealed: string | null | undefined, aad?: string): string | null {
    if (sealed == null) return null;
    if (!sealed.startsWith('v1:')) throw new VaultError('not a sealed value');
    return this.decrypt(Buffer.from(sealed.slice(3), 'base64'), aad).toString('utf8');
  }

  /** A writable that stores what is written to it encrypted at `path` (mode 0600). Await `done`. */
  createEncryptedFile(path: string): { stream: Writable; done: Promise<void> } {
    const iv = randomBytes(IV);
    const cipher = createCipheriv(ALG, this.k(), iv);
    const input = new PassThrough();
    const out = createWriteStream(path, { mode: 0o600 });
    out.write(Buffer.concat([MAGIC, iv]));
    const appendTag = new Transform({
      transform(chunk, _e, cb) {
        cb(null, chunk);
      },
      flush(cb) {
        cb(null, cipher.getAuthTag());
      },
    });
    const done = pipeline(input, cipher, appendTag, out);
    return { stream: input, done };
  }

  /** Reads an encrypted file as plaintext; the stream errors if the file does not authenticate. */
  openEncryptedFile(path: string): Readable {
    const size = statSync(path).size;
    if (size < MAGIC.length + IV + TAG) throw new VaultError(`${path} is not an encrypted file`);
    const fd = openSync(path, 'r');
    const head = Buffer.alloc(MAGIC.length + IV);
    const tag = Buffer.alloc(TAG);
    readSync(fd, head, 0, head.length, 0);
    readSync(fd, tag, 0, TAG, size - TAG);
    closeSync(fd);
    if (!head.subarray(0, MAGIC.length).equals(MAGIC)) throw new VaultError(`${path} is not an encrypted file`);
    const d = createDecipheriv(ALG, this.k(), head.subarray(MAGIC.length));
    d.setAuthTag(tag);
    if (size === head.length + TAG) {
      d.end();
      return d;
    }
    const src = createReadStream(path, { start: head.length, end: size - TAG - 1 });
    src.on('error', (e) => d.destroy(e));
    return src.pipe(d);
  }
}
