/**
 * Client-side checks of what the user types: skill names and import URLs.
 * The server re-validates everything; these only give early, inline feedback.
 */
import { ICandidate, ISource } from './api';
import { TranslationBundle, bundle } from './trans';

/** Valid skill names (Agent Skills spec). */
export const SKILL_NAME_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function validateSkillName(
  name: string,
  trans: TranslationBundle = bundle()
): string | null {
  if (!name) {
    return trans.__('A name is required.');
  }
  if (name.length > 64) {
    return trans.__('Names are at most %1 characters.', 64);
  }
  if (!SKILL_NAME_RE.test(name)) {
    return trans.__(
      'Use lowercase letters, digits and single hyphens (e.g. csv-helper).'
    );
  }
  return null;
}

export interface IParsedSkillUrl {
  /** Web base, e.g. https://github.com (GitHub Enterprise: https://HOST). */
  webBase: string;
  owner: string;
  repo: string;
  ref: string | null;
  path: string;
  /** Typed as owner/repo[/path]: resolved by the server against its github_url. */
  shorthand: boolean;
}

/** `.claude-plugin/marketplace.json`: a blob URL of it names its marketplace folder. */
const MARKETPLACE_FILE = ['.claude-plugin', 'marketplace.json'];

/**
 * Parse the accepted import URL forms, or return null:
 * `https://HOST/o/r`, `https://HOST/o/r/tree/ref/path`,
 * `https://HOST/o/r/blob/ref/path/SKILL.md`,
 * `https://HOST/o/r/blob/ref/[dir/].claude-plugin/marketplace.json` (path:
 * the marketplace folder, as the server reads it), `owner/repo[/path]`.
 * Any https host is accepted here; the server enforces its allowlist.
 */
export function parseSkillUrl(input: string): IParsedSkillUrl | null {
  const text = input.trim();
  if (!text) {
    return null;
  }
  const seg = /^[A-Za-z0-9_.-]+$/;
  if (/^https?:\/\//i.test(text)) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      return null;
    }
    if (u.protocol !== 'https:' || !u.hostname) {
      return null;
    }
    const parts = u.pathname
      .replace(/\.git$/, '')
      .split('/')
      .filter(p => p);
    if (parts.length < 2 || !seg.test(parts[0]) || !seg.test(parts[1])) {
      return null;
    }
    const webBase = `${u.protocol}//${u.host}`;
    const [owner, repo] = parts;
    if (parts.length === 2) {
      return { webBase, owner, repo, ref: null, path: '', shorthand: false };
    }
    const kind = parts[2];
    if ((kind !== 'tree' && kind !== 'blob') || parts.length < 4) {
      return null;
    }
    let rest = parts.slice(4);
    if (kind === 'blob') {
      const n = rest.length;
      if (n >= 1 && rest[n - 1] === 'SKILL.md') {
        rest = rest.slice(0, -1);
      } else if (
        n >= 2 &&
        rest[n - 2] === MARKETPLACE_FILE[0] &&
        rest[n - 1] === MARKETPLACE_FILE[1]
      ) {
        rest = rest.slice(0, -2);
      } else {
        return null;
      }
    }
    return {
      webBase,
      owner,
      repo,
      ref: parts[3],
      path: rest.join('/'),
      shorthand: false
    };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) {
    return null;
  }
  const parts = text.split('/').filter(p => p);
  if (parts.length < 2 || !parts.every(p => seg.test(p) && p !== '..')) {
    return null;
  }
  return {
    webBase: 'https://github.com',
    owner: parts[0],
    repo: parts[1],
    ref: null,
    path: parts.slice(2).join('/'),
    shorthand: true
  };
}

/**
 * The URL that imports one candidate of a previewed source. Shorthand stays
 * shorthand (the server knows its GitHub Enterprise host; we do not).
 */
export function candidateTreeUrl(
  parsed: IParsedSkillUrl,
  source: ISource,
  candidate: ICandidate
): string {
  const path = candidate.path.replace(/^\/+|\/+$/g, '');
  if (parsed.shorthand) {
    return [source.owner, source.repo, path].filter(p => p).join('/');
  }
  const webBase = parsed.webBase;
  const base = `${webBase.replace(/\/+$/, '')}/${source.owner}/${source.repo}/tree/${source.ref}`;
  return path ? `${base}/${path}` : base;
}

/** "https only": a plain http:// URL gets its own answer, not a generic one. */
export function isPlainHttp(input: string): boolean {
  return /^http:\/\//i.test(input.trim());
}

/** The accepted URL forms, spelled with the configured host. */
export function urlHelp(
  githubUrl = 'https://github.com',
  trans: TranslationBundle = bundle()
): string {
  const base = githubUrl.replace(/\/+$/, '');
  return trans.__(
    'Accepted: %1/owner/repo, …/tree/<ref>/<path>, …/blob/<ref>/<path>/SKILL.md, a marketplace’s …/blob/<ref>/.claude-plugin/marketplace.json, or owner/repo[/path].',
    base
  );
}

export function urlPlaceholder(githubUrl = 'https://github.com'): string {
  return `${githubUrl.replace(/\/+$/, '')}/owner/repo/tree/main/skills/csv-helper`;
}

/** Inline feedback on an import URL, or null when it looks acceptable. */
export function validateImportUrl(
  url: string,
  githubUrl = 'https://github.com',
  trans: TranslationBundle = bundle()
): string | null {
  if (!url.trim()) {
    return null;
  }
  if (isPlainHttp(url)) {
    return trans.__(
      'https only: the URL starts with http://; use https:// instead.'
    );
  }
  return parseSkillUrl(url)
    ? null
    : trans.__('Not a GitHub skill URL. %1', urlHelp(githubUrl, trans));
}

/** A URL is shown as a link only when it is https (never javascript:, data:, …). */
export function safeHttpsUrl(url: string | null | undefined): string | null {
  if (!url) {
    return null;
  }
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.hostname ? u.href : null;
  } catch {
    return null;
  }
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 7) : '';
}
