/**
 * Paths and models of the skills contents drive (see drive.ts):
 * `skills:<scope>/<name>/<rel>` and the Contents models it answers with.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';

import { Scope, SkillsApiError } from './api';
import { TranslationBundle, bundle } from './trans';
import { SCOPES } from './types';

export const DRIVE_NAME = 'skills';

/** The only file whose saved text the server may change (its product keys). */
export const SKILL_MD = 'SKILL.md';

/**
 * sha256 hex of the text's UTF-8 bytes, as the server hashes it; null where
 * the browser offers no WebCrypto (a page served over plain http).
 */
export async function sha256Hex(text: string): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    return null;
  }
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), b =>
    b.toString(16).padStart(2, '0')
  ).join('');
}

/** `skills:<scope>/<name>/<rel>`: the document manager path of a bundle file. */
export function skillFilePath(scope: Scope, name: string, rel: string): string {
  return `${DRIVE_NAME}:${scope}/${name}/${rel}`;
}

/** The parts of a drive-local path; `rel` is '' for the skill folder itself. */
export interface ISkillPath {
  scope: Scope | null;
  name: string | null;
  rel: string;
}

export function parseSkillPath(
  localPath: string,
  trans?: TranslationBundle
): ISkillPath {
  const parts = localPath.split('/').filter(p => p);
  const scope = parts[0] as Scope | undefined;
  if (scope !== undefined && !SCOPES.includes(scope)) {
    throw new SkillsApiError(
      404,
      bundle(trans).__("No skills scope '%1'", scope)
    );
  }
  return {
    scope: scope ?? null,
    name: parts[1] ?? null,
    rel: parts.slice(2).join('/')
  };
}

const EPOCH = new Date(0).toISOString();

export function directory(
  path: string,
  content: Contents.IModel[] | null,
  writable = false
): Contents.IModel {
  return {
    name: PathExt.basename(path),
    path,
    type: 'directory',
    writable,
    created: EPOCH,
    last_modified: EPOCH,
    mimetype: '',
    content,
    format: content ? 'json' : null
  };
}

export function fileEntry(path: string, writable: boolean): Contents.IModel {
  return {
    name: PathExt.basename(path),
    path,
    type: 'file',
    writable,
    created: EPOCH,
    last_modified: EPOCH,
    mimetype: 'text/plain',
    content: null,
    format: null
  };
}
