/**
 * Names of the two scopes as people read them, with the folder the server is
 * configured to use (the list answer's `scopes`), never a hard-coded default.
 */
import { Scope } from './api';
import { TranslationBundle, bundle } from './trans';

export type ScopeDirs = { user: string; project: string };

/** "User" / "Project". */
export function scopeName(scope: Scope, trans?: TranslationBundle): string {
  const t = bundle(trans);
  return scope === 'project' ? t.__('Project') : t.__('User');
}

/** "User (/home/me/.claude/skills)", or just "User" before the list loaded. */
export function scopeWithFolder(
  scope: Scope,
  scopes: ScopeDirs | null | undefined,
  trans?: TranslationBundle
): string {
  const t = bundle(trans);
  const dir = scopes?.[scope];
  if (!dir) {
    return scopeName(scope, t);
  }
  return scope === 'project'
    ? t.__('Project (%1)', dir)
    : t.__('User (%1)', dir);
}
