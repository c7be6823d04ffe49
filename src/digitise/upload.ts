/**
 * Hands finished PDFs to the central side, then deletes the local copy. Protocol: tus 1.0
 * (https://tus.io/protocols/resumable-upload) with the creation and checksum extensions:
 *   POST <url>            Upload-Length, Upload-Metadata (filename, sha256 of the whole file, …) → 201 Location
 *   HEAD <location>       → Upload-Offset (where to resume after a broken connection or a restart)
 *   PATCH <location>      Upload-Offset, Upload-Checksum: sha256 <base64 of the chunk> → 204 Upload-Offset
 * The central side verifies each chunk, and the whole file against the metadata sha256 when the
 * last byte arrives (460 Checksum Mismatch otherwise): a 204 on the last PATCH means "verified".
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Events } from '../events.ts';
import type { DigitiseConfig } from './config.ts';
import type { DocumentRow, ScanStore } from './store.ts';

export const TUS = {
  version: '1.0.0',
  contentType: 'application/offset+octet-stream',
  /** tus checksum extension: the chunk's checksum did not match. */
  checksumMismatch: 460,
} as const;

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

export interface UploadFile {
  /** Plaintext bytes of the file from `offset` on, in chunks of at most the client's chunk size. */
  read: (offset: number, chunkBytes: number) => AsyncIterable<Buffer>;
  size: number;
  sha256: string;
  metadata: Record<string, string>;
}

/** One tus client for one endpoint. `resumeUrl` continues an upload begun earlier. */
export class TusClient {
  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly chunkBytes: number,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async upload(file: UploadFile, resumeUrl: string | null, onLocation: (url: string) => void): Promise<string> {
    let location = resumeUrl;
    let offset = 0;
    if (location) {
      const head = await this.request(location, { method: 'HEAD' });
      if (head.status === 404 || head.status === 410) location = null;
      else if (!head.ok) throw new UploadError(`HEAD answered ${head.status}`, head.status);
      else offset = Number(head.headers.get('upload-offset') ?? 0);
    }
    if (!location) {
      const meta = Object.entries({ ...file.metadata, sha256: file.sha256 })
        .map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`)
        .join(',');
      const res = await this.request(this.url, { method: 'POST', headers: { 'Upload-Length': String(file.size), 'Upload-Metadata': meta } });
      const loc = res.headers.get('location');
      if (res.status !== 201 || !loc) throw new UploadError(`creation answered ${res.status}`, res.status);
      location = new URL(loc, this.url).href;
      onLocation(location);
    }
    while (offset < file.size) {
      let restart = false;
      for await (const chunk of file.read(offset, this.chunkBytes)) {
        const res = await this.request(location, {
          method: 'PATCH',
          headers: {
            'Content-Type': TUS.contentType,
            'Upload-Offset': String(offset),
            'Upload-Checksum': `sha256 ${createHash('sha256').update(chunk).digest('base64')}`,
          },
          body: chunk,
        });
        if (res.status === 409) {
          // Offsets disagree (a chunk landed but its answer was lost): ask where the server is, read from there.
          const head = await this.request(location, { method: 'HEAD' });
          offset = Number(head.headers.get('upload-offset') ?? offset);
          restart = true;
          break;
        }
        if (res.status === TUS.checksumMismatch) throw new UploadError('central side reported a checksum mismatch', res.status);
        if (res.status !== 204 && res.status !== 200) throw new UploadError(`PATCH answered ${res.status}`, res.status);
        const next = Number(res.headers.get('upload-offset'));
        if (!Number.isFinite(next) || next !== offset + chunk.length) throw new UploadError(`PATCH did not advance the offset as sent (${res.headers.get('upload-offset')})`);
        offset = next;
      }
      if (!restart && offset < file.size) throw new UploadError(`the local file ended at ${offset} of ${file.size} bytes`);
    }
    return location;
  }

  private async request(url: string, init: { method: string; headers?: Record<string, string>; body?: Buffer }): Promise<Response> {
    const headers: Record<string, string> = { 'Tus-Resumable': TUS.version, ...(init.headers ?? {}) };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    try {
      const res = await this.fetchImpl(url, { method: init.method, body: init.body as unknown as BodyInit | undefined, headers, signal: AbortSignal.timeout(120_000) });
      // Drain bodies we do not read so the connection is reused.
      if (init.method !== 'HEAD') await res.arrayBuffer().catch(() => undefined);
      return res;
    } catch (err) {
      throw new UploadError(`cannot reach the upload endpoint: ${(err as Error).message}`);
    }
  }
}

/** Background loop: uploads pending documents, deletes each local file once the central side has it. */
export class ScanUploader {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = true;
  lastError: string | null = null;

  constructor(
    private readonly store: ScanStore,
    private readonly events: Events,
    private readonly cfg: DigitiseConfig['upload'],
    private readonly log: Logger,
    private readonly now: () => Date,
    /** Opens a stored file as plaintext (the vault decrypts scans at rest). */
    private readonly openFile: (path: string) => Readable,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get enabled(): boolean {
    return this.cfg.url.length > 0;
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs a pass now (or right after the current one). */
  kick(): void {
    if (!this.enabled || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.pass().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when no pass is running (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async pass(): Promise<void> {
    const client = new TusClient(this.cfg.url, this.cfg.token, this.cfg.chunkBytes, this.fetchImpl);
    for (const doc of this.store.pendingUploads()) {
      if (this.stopped) return;
      try {
        await this.uploadOne(client, doc);
        this.failures = 0;
        this.lastError = null;
      } catch (err) {
        this.failures++;
        this.lastError = (err as Error).message;
        const delay = Math.min(300_000, this.cfg.retryMs * 2 ** Math.min(10, this.failures - 1));
        // Names of files carry dossier codes, not personal data; the content never reaches the log.
        this.log.warn({ document: doc.id, err: (err as Error).message, retryInMs: delay }, 'scan upload failed; will retry');
        if (!this.stopped) {
          this.timer = setTimeout(() => this.kick(), delay);
          this.timer.unref();
        }
        return;
      }
    }
  }

  private async uploadOne(client: TusClient, doc: DocumentRow & { dossierCode: string }): Promise<void> {
    const location = await client.upload(
      { read: (offset, chunkBytes) => chunksFrom(this.openFile(doc.path), offset, chunkBytes), size: doc.size!, sha256: doc.sha256!, metadata: { filename: doc.name, filetype: 'application/pdf', dossierCode: doc.dossierCode, component: doc.component, documentId: doc.id, sessionId: doc.sessionId } },
      doc.uploadUrl,
      (url) => this.store.setUploadUrl(doc.id, url),
    );
    const at = this.now().toISOString();
    this.events.transaction((tx) => {
      this.store.setDocumentState(doc.id, 'uploaded', { uploadUrl: location, uploadedAt: at, deletedAt: at, deleteReason: 'uploaded' });
      tx.emit('hcc.scan.uploaded', doc.dossierCode, { sessionId: doc.sessionId, documentId: doc.id, name: doc.name, size: doc.size, sha256: doc.sha256, url: location });
    });
    await rm(doc.path, { force: true });
    // Once the central side has every document of the session, its page thumbnails go as well.
    if (!this.store.documents(doc.sessionId).some((d) => d.state === 'ready' || d.state === 'writing')) {
      await rm(join(dirname(doc.path), 'thumbs'), { recursive: true, force: true });
    }
  }
}

/** Re-chunks a plaintext stream: skips `offset` bytes, then yields chunks of `size` bytes (the last may be shorter). */
export async function* chunksFrom(stream: Readable, offset: number, size: number): AsyncIterable<Buffer> {
  let skip = offset;
  let parts: Buffer[] = [];
  let have = 0;
  try {
    for await (const raw of stream) {
      let c = raw as Buffer;
      if (skip > 0) {
        if (c.length <= skip) {
          skip -= c.length;
          continue;
        }
        c = c.subarray(skip);
        skip = 0;
      }
      while (c.length) {
        const take = Math.min(size - have, c.length);
        parts.push(c.subarray(0, take));
        have += take;
        c = c.subarray(take);
        if (have === size) {
          yield Buffer.concat(parts);
          parts = [];
          have = 0;
        }
      }
    }
    if (have) yield Buffer.concat(parts);
  } finally {
    stream.destroy();
  }
}
