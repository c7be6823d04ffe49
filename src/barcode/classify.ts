/** What a scanned code is. Replaced by the full classifier (dossier codes, S10, CCCD). */
export interface Classified {
  kind: string;
  parsed: Record<string, unknown> | null;
  personal: boolean;
  /** Subject for forwarding (the code), when the scan is forwardable. */
  subject?: string;
}

export function classify(_text: string): Classified {
  return { kind: 'text', parsed: null, personal: false };
}
