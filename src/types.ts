/**
 * App-side shapes of the notebook-skills API (camelCase). The server's
 * snake_case wire shapes and the mapping between the two are in wire.ts.
 */

export type Scope = 'user' | 'project';
export const SCOPES: readonly Scope[] = ['user', 'project'];

export interface ISkill {
  name: string;
  scope: Scope;
  description: string;
  source: string | null;
  tracksUpstream: boolean;
  trackingRef: string | null;
  managed: boolean;
  managedSource: string | null;
  managedRef: string | null;
  /** null: unknown (the install record is missing or unreadable). */
  locallyModified: boolean | null;
  orphaned: boolean;
  updateAvailable: boolean | null;
  pendingRef: string | null;
  /** The commit a revert would go back to; null = nothing to revert to. */
  revertRef: string | null;
  problems: string[];
}

export type JSONPrimitive = string | number | boolean | null;
export type JSONValue =
  JSONPrimitive | JSONValue[] | { [key: string]: JSONValue };
export type JSONObject = { [key: string]: JSONValue };

/** The marketplace and plugin whose pin a skill follows (its record's `via`). */
export interface IMarketplaceRef {
  /** The marketplace's marketplace.json URL. */
  url: string;
  plugin: string;
}

export interface ISkillDetail extends ISkill {
  body: string;
  frontmatter: JSONObject;
  files: string[];
  /** Set when the skill follows a marketplace plugin's pin; else null. */
  marketplace?: IMarketplaceRef | null;
}

export interface ISource {
  kind: 'skill' | 'repo' | 'marketplace';
  owner: string;
  repo: string;
  ref: string;
  sha: string;
}

export interface ICandidate {
  /** Unique within one preview; what `paths` of a multi-import names. */
  id: string;
  path: string;
  url: string | null;
  name: string;
  description: string;
  files: string[];
  exists: { user: boolean; project: boolean };
  plugin: string | null;
  problems: string[];
}

export interface IPreviewError {
  plugin: string | null;
  path: string | null;
  message: string;
}

/** Where a marketplace plugin's skills are read from (CONTRACT §4 `Plugin`). */
export interface IPluginSource {
  kind: 'local' | 'github' | 'url' | 'git-subdir';
  owner: string | null;
  repo: string | null;
  path: string | null;
  ref: string | null;
  sha: string | null;
}

export interface IPlugin {
  name: string;
  description: string;
  source: IPluginSource;
  /** Candidate ids; null = not resolved yet (preview again with `plugin`). */
  skills: string[] | null;
  error: string | null;
}

export interface IPreview {
  source: ISource;
  skills: ICandidate[];
  /** Marketplaces only; empty for a plain repository or folder. */
  plugins: IPlugin[];
  errors: IPreviewError[];
}

export interface IPolicy {
  allowGithubSkillImport: boolean;
  skillsManagementPolicy: 'user-choice' | 'force-off';
}

export interface ISkillList {
  skills: ISkill[];
  policy: IPolicy;
  scopes: { user: string; project: string };
  /** Web base of the configured GitHub (github_url), when the server says. */
  githubUrl: string | null;
}

export interface ISyncResult {
  updated: boolean;
  ref: string;
}

export type SyncAllItem =
  | {
      scope: Scope;
      name: string;
      updated: boolean;
      ref: string;
      /** The commit the skill was on before this sync, when known. */
      previousRef?: string | null;
    }
  | { scope: Scope; name: string; error: string; reason?: string | null };

/** A bundle file with the version stamp the server answers. */
export interface IFileModel {
  path: string;
  content: string;
  hash: string;
  lastModified: string;
}

/** What a write answers: the new stamp and the skill after the write. */
export interface IFileWriteResult {
  path: string;
  hash: string;
  lastModified: string;
  skill: ISkillDetail;
}

/** Answer of a multi-skill import (`paths`). */
export interface IImportManyResult {
  skills: ISkillDetail[];
  errors: Array<{ path: string; message: string }>;
}

export interface ICreateRequest {
  scope: Scope;
  name: string;
  description: string;
  body?: string;
}

export interface IUpdateRequest {
  description?: string;
  body?: string;
  tracksUpstream?: boolean | null;
}

export interface IImportRequest {
  url: string;
  scope: Scope;
  name?: string;
  /** Omitted/null with overwrite: keep the replaced skill's tracking state. */
  tracksUpstream?: boolean | null;
  overwrite?: boolean;
  paths?: string[];
  /** The commit the preview resolved (`source.sha`): install exactly that. */
  sha?: string;
  /** With `paths`: each resolved external plugin's commit (`source.sha`). */
  pluginShas?: Record<string, string>;
}
