// Types of bin/build.mjs (plain JavaScript: it runs before anything can compile TypeScript).
export const PROJECT_ROOT: string;
export const DIST: string;
export function compiledName(sourcePath: string): string;
export function compiledUrl(buildDir: string, sourcePath: string): string;
export function freshBuild(): { dir: string; reason: null } | { dir: null; reason: string };
export function build(): Promise<string>;
