/**
 * App-side shapes of the notebook-skills API (camelCase). The server's
 * snake_case wire shapes and the mapping between the two are in api.ts.
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
  locallyModified: boolean;
  orphaned: boolean;
  updateAvailable: boolean | null;
  pendingRef: string | null;
  problems: string[];
}

export type JSONPrimitive = string | number | boolean | null;
export type JSONValue =
  JSONPrimitive | JSONValue[] | { [key: string]: JSONValue };
export type JSONObject = { [key: string]: JSONValue };

export interface ISkillDetail extends ISkill {
  body: string;
  frontmatter: JSONObject;
  files: string[];
}

export interface ISource {
  kind: 'skill' | 'repo' | 'marketplace';
  owner: string;
  repo: string;
  ref: string;
  sha: string;
}

export interface ICandidate {
  path: string;
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

export interface IPreview {
  source: ISource;
  skills: ICandidate[];
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
}

export interface ISyncResult {
  updated: boolean;
  ref: string;
}

export type SyncAllItem =
  | { scope: Scope; name: string; updated: boolean; ref: string }
  | { scope: Scope; name: string; error: string };

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
  tracksUpstream?: boolean;
  overwrite?: boolean;
  paths?: string[];
}
