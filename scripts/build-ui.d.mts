// Types of scripts/build-ui.mjs for the TypeScript code that imports it (src/http/ui.ts, tests, bench).
export declare const UI_SRC: string;
export declare const UI_DIST: string;
export declare const PAGES: Record<'kiosk' | 'counter' | 'board' | 'admin', string>;
export interface BuildOptions {
  outDir?: string;
  srcDir?: string;
  minify?: boolean;
}
export interface BuildResult {
  outDir: string;
  files: Record<string, number>;
  ms: number;
}
export declare function sourceHash(srcDir?: string): string;
export declare function isStale(outDir?: string, srcDir?: string): boolean;
export declare function buildUi(opts?: BuildOptions): Promise<BuildResult>;
export declare function ensureUiBuilt(opts?: BuildOptions): Promise<{ built: boolean } & Partial<BuildResult>>;
