/**
 * Wire shapes of the notebook-skills REST API (CONTRACT §4, snake_case) and
 * their mapping to the app-side shapes of types.ts (camelCase).
 *
 * snake_case ↔ camelCase mapping happens here, in the `*FromWire` /
 * `*ToWire` functions, and nowhere else; api.ts does the transport.
 */
import {
  ICandidate,
  IFileModel,
  IFileWriteResult,
  IImportManyResult,
  IImportRequest,
  IPlugin,
  IPluginSource,
  IPolicy,
  IPreview,
  ISkill,
  ISkillDetail,
  ISkillList,
  ISource,
  IUpdateRequest,
  JSONObject,
  Scope,
  SyncAllItem
} from './types';

// ---------------------------------------------------------------- wire shapes

export interface IWireSkill {
  name: string;
  scope: Scope;
  description: string;
  source: string | null;
  tracks_upstream: boolean;
  tracking_ref: string | null;
  managed: boolean;
  managed_source: string | null;
  managed_ref: string | null;
  locally_modified: boolean | null;
  orphaned: boolean;
  update_available?: boolean | null;
  pending_ref?: string | null;
  revert_ref?: string | null;
  problems: string[];
}

export interface IWireSkillDetail extends IWireSkill {
  body: string;
  frontmatter: JSONObject;
  files: string[];
  marketplace?: { url: string; plugin: string } | null;
}

/** Every field the OpenAPI description requires is required here too. */
export interface IWireCandidate {
  id: string;
  path: string;
  url: string | null;
  name: string;
  description: string;
  files: string[];
  exists: { user: boolean; project: boolean };
  plugin?: string | null;
  problems: string[];
}

export interface IWireSkillList {
  skills: IWireSkill[];
  policy: IWirePolicy;
  scopes: { user: string; project: string };
  github_url?: string | null;
}

export type IWireFileWrite = IWireFile & { skill: IWireSkillDetail };

export interface IWirePlugin {
  name: string;
  description?: string | null;
  source: {
    kind: IPluginSource['kind'];
    owner?: string | null;
    repo?: string | null;
    path?: string | null;
    ref?: string | null;
    sha?: string | null;
  };
  skills?: string[] | null;
  error?: string | null;
}

export interface IWirePreview {
  source: ISource;
  skills: IWireCandidate[];
  plugins?: IWirePlugin[];
  errors?: Array<{
    plugin?: string | null;
    path?: string | null;
    message: string;
  }>;
}

export interface IWireImportMany {
  skills: IWireSkillDetail[];
  errors?: Array<{ path: string; message: string }>;
}

export interface IWirePolicy {
  allow_github_skill_import: boolean;
  skills_management_policy: 'user-choice' | 'force-off';
}

export interface IWireUpdateRequest {
  description?: string;
  body?: string;
  tracks_upstream?: boolean | null;
}

export interface IWireImportRequest {
  url: string;
  scope: Scope;
  name?: string;
  tracks_upstream?: boolean | null;
  overwrite?: boolean;
  paths?: string[];
  sha?: string;
  plugin_shas?: Record<string, string>;
}

export interface IWireFile {
  path: string;
  content?: string;
  hash: string;
  last_modified: string;
}

export type IWireSyncAllItem =
  | {
      scope: Scope;
      name: string;
      updated: boolean;
      ref: string;
      previous_ref?: string | null;
      old_ref?: string | null;
    }
  | { scope: Scope; name: string; error: string; reason?: string | null };

// ---------------------------------------------------------------- mapping

export function skillFromWire(w: IWireSkill): ISkill {
  return {
    name: w.name,
    scope: w.scope,
    description: w.description ?? '',
    source: w.source ?? null,
    tracksUpstream: !!w.tracks_upstream,
    trackingRef: w.tracking_ref ?? null,
    managed: !!w.managed,
    managedSource: w.managed_source ?? null,
    managedRef: w.managed_ref ?? null,
    // null (unknown) is kept: the UI must not claim "not modified" then.
    locallyModified:
      w.locally_modified === null || w.locally_modified === undefined
        ? null
        : !!w.locally_modified,
    orphaned: !!w.orphaned,
    updateAvailable: w.update_available ?? null,
    pendingRef: w.pending_ref ?? null,
    revertRef: w.revert_ref ?? null,
    problems: w.problems ?? []
  };
}

export function skillToWire(s: ISkill): IWireSkill {
  return {
    name: s.name,
    scope: s.scope,
    description: s.description,
    source: s.source,
    tracks_upstream: s.tracksUpstream,
    tracking_ref: s.trackingRef,
    managed: s.managed,
    managed_source: s.managedSource,
    managed_ref: s.managedRef,
    locally_modified: s.locallyModified,
    orphaned: s.orphaned,
    update_available: s.updateAvailable,
    pending_ref: s.pendingRef,
    revert_ref: s.revertRef,
    problems: s.problems
  };
}

export function detailFromWire(w: IWireSkillDetail): ISkillDetail {
  return {
    ...skillFromWire(w),
    body: w.body ?? '',
    frontmatter: w.frontmatter ?? {},
    files: w.files ?? [],
    marketplace: w.marketplace
      ? { url: w.marketplace.url, plugin: w.marketplace.plugin }
      : null
  };
}

export function detailToWire(d: ISkillDetail): IWireSkillDetail {
  return {
    ...skillToWire(d),
    body: d.body,
    frontmatter: d.frontmatter,
    files: d.files,
    marketplace: d.marketplace
      ? { url: d.marketplace.url, plugin: d.marketplace.plugin }
      : null
  };
}

export function sourceFromWire(w: ISource): ISource {
  return {
    kind: w.kind,
    owner: w.owner,
    repo: w.repo,
    ref: w.ref,
    sha: w.sha
  };
}

export function candidateFromWire(w: IWireCandidate): ICandidate {
  return {
    id: w.id,
    path: w.path,
    url: w.url,
    name: w.name,
    description: w.description ?? '',
    files: w.files ?? [],
    exists: {
      user: !!w.exists?.user,
      project: !!w.exists?.project
    },
    plugin: w.plugin ?? null,
    problems: w.problems ?? []
  };
}

export function candidateToWire(c: ICandidate): IWireCandidate {
  return {
    id: c.id,
    path: c.path,
    url: c.url,
    name: c.name,
    description: c.description,
    files: c.files,
    exists: { user: c.exists.user, project: c.exists.project },
    plugin: c.plugin,
    problems: c.problems
  };
}

export function skillListFromWire(w: IWireSkillList): ISkillList {
  return {
    skills: (w.skills ?? []).map(skillFromWire),
    policy: policyFromWire(w.policy),
    scopes: w.scopes ?? { user: '', project: '' },
    githubUrl: w.github_url ?? null
  };
}

/** `path`: the one written, when the answer does not repeat it. */
export function fileWriteFromWire(
  w: IWireFileWrite,
  path: string
): IFileWriteResult {
  return {
    path: w.path ?? path,
    hash: w.hash,
    lastModified: w.last_modified,
    skill: detailFromWire(w.skill)
  };
}

export function pluginFromWire(w: IWirePlugin): IPlugin {
  const s = w.source ?? { kind: 'local' };
  return {
    name: w.name,
    description: w.description ?? '',
    source: {
      kind: s.kind,
      owner: s.owner ?? null,
      repo: s.repo ?? null,
      path: s.path ?? null,
      ref: s.ref ?? null,
      sha: s.sha ?? null
    },
    // null stays null: "not resolved yet", not "no skills"
    skills: Array.isArray(w.skills) ? [...w.skills] : null,
    error: w.error ?? null
  };
}

export function previewFromWire(w: IWirePreview): IPreview {
  return {
    source: sourceFromWire(w.source),
    skills: (w.skills ?? []).map(candidateFromWire),
    plugins: (w.plugins ?? []).map(pluginFromWire),
    errors: (w.errors ?? []).map(e => ({
      plugin: e.plugin ?? null,
      path: e.path ?? null,
      message: e.message
    }))
  };
}

export function importManyFromWire(w: IWireImportMany): IImportManyResult {
  return {
    skills: (w.skills ?? []).map(detailFromWire),
    errors: w.errors ?? []
  };
}

export function policyFromWire(w: IWirePolicy | undefined): IPolicy {
  return {
    allowGithubSkillImport: w?.allow_github_skill_import ?? true,
    skillsManagementPolicy: w?.skills_management_policy ?? 'user-choice'
  };
}

export function policyToWire(p: IPolicy): IWirePolicy {
  return {
    allow_github_skill_import: p.allowGithubSkillImport,
    skills_management_policy: p.skillsManagementPolicy
  };
}

export function updateToWire(u: IUpdateRequest): IWireUpdateRequest {
  const w: IWireUpdateRequest = {};
  if (u.description !== undefined) {
    w.description = u.description;
  }
  if (u.body !== undefined) {
    w.body = u.body;
  }
  if (u.tracksUpstream !== undefined) {
    w.tracks_upstream = u.tracksUpstream;
  }
  return w;
}

export function importToWire(r: IImportRequest): IWireImportRequest {
  const w: IWireImportRequest = { url: r.url, scope: r.scope };
  if (r.name) {
    w.name = r.name;
  }
  // null/undefined: omitted, so an overwrite keeps the replaced skill's tracking.
  if (r.tracksUpstream !== undefined && r.tracksUpstream !== null) {
    w.tracks_upstream = r.tracksUpstream;
  }
  if (r.overwrite !== undefined) {
    w.overwrite = r.overwrite;
  }
  if (r.paths !== undefined) {
    w.paths = r.paths;
  }
  if (r.sha) {
    w.sha = r.sha;
  }
  if (r.pluginShas && Object.keys(r.pluginShas).length) {
    w.plugin_shas = r.pluginShas;
  }
  return w;
}

export function fileFromWire(w: IWireFile): IFileModel {
  return {
    path: w.path,
    content: w.content ?? '',
    hash: w.hash,
    lastModified: w.last_modified
  };
}

export function syncAllItemFromWire(w: IWireSyncAllItem): SyncAllItem {
  if ('error' in w) {
    return {
      scope: w.scope,
      name: w.name,
      error: w.error,
      reason: w.reason ?? null
    };
  }
  return {
    scope: w.scope,
    name: w.name,
    updated: !!w.updated,
    ref: w.ref,
    previousRef: w.previous_ref ?? w.old_ref ?? null
  };
}
