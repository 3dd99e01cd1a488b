/**
 * Typed client for the notebook-skills REST API (CONTRACT §4).
 *
 * The only module that talks to the server. snake_case ↔ camelCase mapping
 * happens here, in the `*FromWire` / `*ToWire` functions, and nowhere else.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export const NAMESPACE = 'notebook-skills';

// The app-side shapes (camelCase) live in types.ts; re-exported so callers
// keep importing everything from here.
export * from './types';
import {
  ICandidate,
  ICreateRequest,
  IFileModel,
  IFileWriteResult,
  IImportManyResult,
  IImportRequest,
  IPolicy,
  IPreview,
  ISkill,
  ISkillDetail,
  ISkillList,
  ISource,
  ISyncResult,
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
}

export interface IWireCandidate {
  id?: string;
  path: string;
  url?: string | null;
  name: string;
  description: string;
  files: string[];
  exists: { user: boolean; project: boolean };
  plugin?: string | null;
  problems: string[];
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
    files: w.files ?? []
  };
}

export function detailToWire(d: ISkillDetail): IWireSkillDetail {
  return {
    ...skillToWire(d),
    body: d.body,
    frontmatter: d.frontmatter,
    files: d.files
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
    id: w.id ?? w.path ?? '',
    path: w.path ?? '',
    url: w.url ?? null,
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

// ---------------------------------------------------------------- errors

/** Machine causes of a 409 (contract §4). */
export type ConflictReason =
  'locally_modified' | 'busy' | 'exists' | 'pending' | 'changed_on_disk';

/** An error answered by the server: HTTP status, `message` and `reason`. */
export class SkillsApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string | null = null
  ) {
    super(message);
    this.name = 'SkillsApiError';
  }

  /** True for a 409 with this machine reason. */
  isConflict(reason: ConflictReason): boolean {
    return this.status === 409 && this.reason === reason;
  }
}

export const EXTENSION_MISSING_MESSAGE =
  'The notebook-skills server extension is not enabled. ' +
  'Enable it with `jupyter server extension enable notebook_skills` and restart JupyterLab.';

/** The list route answered 404: the server extension is not loaded. */
export class ServerExtensionMissingError extends SkillsApiError {
  constructor() {
    super(404, EXTENSION_MISSING_MESSAGE);
    this.name = 'ServerExtensionMissingError';
  }
}

// ---------------------------------------------------------------- transport

type Settings = ServerConnection.ISettings;

function defaultSettings(): Settings {
  return ServerConnection.makeSettings();
}

async function request<T>(
  settings: Settings,
  path: string,
  init: RequestInit = {},
  query?: Record<string, string>
): Promise<T> {
  let url = URLExt.join(settings.baseUrl, NAMESPACE, path);
  if (query) {
    url += URLExt.objectToQueryString(query);
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new SkillsApiError(
      0,
      `Could not reach the Jupyter server: ${(error as Error).message ?? String(error)}`
    );
  }
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const message =
      data &&
      typeof data === 'object' &&
      typeof (data as { message?: unknown }).message === 'string'
        ? (data as { message: string }).message
        : response.statusText ||
          `Request failed with status ${response.status}`;
    const reason =
      data &&
      typeof data === 'object' &&
      typeof (data as { reason?: unknown }).reason === 'string'
        ? (data as { reason: string }).reason
        : null;
    throw new SkillsApiError(response.status, message, reason);
  }
  return data as T;
}

function json(method: string, body?: unknown): RequestInit {
  return body === undefined
    ? { method }
    : { method, body: JSON.stringify(body) };
}

function skillPath(scope: Scope, name: string, ...rest: string[]): string {
  return URLExt.join(
    'skills',
    encodeURIComponent(scope),
    encodeURIComponent(name),
    ...rest
  );
}

// ---------------------------------------------------------------- routes

export async function listSkills(
  settings: Settings = defaultSettings()
): Promise<ISkillList> {
  let data: {
    skills: IWireSkill[];
    policy: IWirePolicy;
    scopes: { user: string; project: string };
    github_url?: string | null;
  };
  try {
    data = await request(settings, 'skills', { method: 'GET' });
  } catch (error) {
    if (error instanceof SkillsApiError && error.status === 404) {
      throw new ServerExtensionMissingError();
    }
    throw error;
  }
  return {
    skills: (data.skills ?? []).map(skillFromWire),
    policy: policyFromWire(data.policy),
    scopes: data.scopes ?? { user: '', project: '' },
    githubUrl: data.github_url ?? null
  };
}

export async function getSkill(
  scope: Scope,
  name: string,
  settings: Settings = defaultSettings()
): Promise<ISkillDetail> {
  const data = await request<{ skill: IWireSkillDetail }>(
    settings,
    skillPath(scope, name),
    { method: 'GET' }
  );
  return detailFromWire(data.skill);
}

export async function createSkill(
  req: ICreateRequest,
  settings: Settings = defaultSettings()
): Promise<ISkillDetail> {
  const data = await request<{ skill: IWireSkillDetail }>(
    settings,
    'skills',
    json('POST', req)
  );
  return detailFromWire(data.skill);
}

export async function updateSkill(
  scope: Scope,
  name: string,
  update: IUpdateRequest,
  settings: Settings = defaultSettings()
): Promise<ISkillDetail> {
  const data = await request<{ skill: IWireSkillDetail }>(
    settings,
    skillPath(scope, name),
    json('PUT', updateToWire(update))
  );
  return detailFromWire(data.skill);
}

export async function deleteSkill(
  scope: Scope,
  name: string,
  settings: Settings = defaultSettings()
): Promise<void> {
  await request<void>(settings, skillPath(scope, name), { method: 'DELETE' });
}

export async function renameSkill(
  scope: Scope,
  name: string,
  newName: string,
  settings: Settings = defaultSettings()
): Promise<ISkillDetail> {
  const data = await request<{ skill: IWireSkillDetail }>(
    settings,
    skillPath(scope, name, 'rename'),
    json('POST', { new_name: newName })
  );
  return detailFromWire(data.skill);
}

export async function readFile(
  scope: Scope,
  name: string,
  path: string,
  settings: Settings = defaultSettings()
): Promise<IFileModel> {
  const data = await request<IWireFile>(
    settings,
    skillPath(scope, name, 'files'),
    { method: 'GET' },
    { path }
  );
  return fileFromWire({ ...data, path: data.path ?? path });
}

/**
 * Write a bundle file. `options.hash` is the hash last read: the server answers
 * 409 `changed_on_disk` (nothing written) when the file no longer has it.
 */
export async function writeFile(
  scope: Scope,
  name: string,
  path: string,
  content: string,
  options: { hash?: string | null } = {},
  settings: Settings = defaultSettings()
): Promise<IFileWriteResult> {
  const body: { content: string; hash?: string } = { content };
  if (options.hash) {
    body.hash = options.hash;
  }
  const data = await request<IWireFile & { skill: IWireSkillDetail }>(
    settings,
    skillPath(scope, name, 'files'),
    json('PUT', body),
    { path }
  );
  return {
    path: data.path ?? path,
    hash: data.hash,
    lastModified: data.last_modified,
    skill: detailFromWire(data.skill)
  };
}

export async function deleteFile(
  scope: Scope,
  name: string,
  path: string,
  settings: Settings = defaultSettings()
): Promise<void> {
  await request<unknown>(
    settings,
    skillPath(scope, name, 'files'),
    { method: 'DELETE' },
    { path }
  );
}

export async function previewImport(
  url: string,
  settings: Settings = defaultSettings()
): Promise<IPreview> {
  const data = await request<{
    source: ISource;
    skills: IWireCandidate[];
    errors?: Array<{ plugin?: string; path?: string; message: string }>;
  }>(settings, 'skills/import/preview', json('POST', { url }));
  return {
    source: sourceFromWire(data.source),
    skills: (data.skills ?? []).map(candidateFromWire),
    errors: (data.errors ?? []).map(e => ({
      plugin: e.plugin ?? null,
      path: e.path ?? null,
      message: e.message
    }))
  };
}

export async function importSkill(
  req: IImportRequest,
  settings: Settings = defaultSettings()
): Promise<ISkillDetail> {
  const data = await request<{ skill: IWireSkillDetail }>(
    settings,
    'skills/import',
    json('POST', importToWire(req))
  );
  return detailFromWire(data.skill);
}

/** Import several candidates of one previewed source (`paths`: candidate ids). */
export async function importSkills(
  req: IImportRequest & { paths: string[] },
  settings: Settings = defaultSettings()
): Promise<IImportManyResult> {
  const data = await request<{
    skills: IWireSkillDetail[];
    errors?: Array<{ path: string; message: string }>;
  }>(settings, 'skills/import', json('POST', importToWire(req)));
  return {
    skills: (data.skills ?? []).map(detailFromWire),
    errors: data.errors ?? []
  };
}

export async function syncSkill(
  scope: Scope,
  name: string,
  options: { force?: boolean } = {},
  settings: Settings = defaultSettings()
): Promise<ISyncResult> {
  const data = await request<ISyncResult>(
    settings,
    skillPath(scope, name, 'sync'),
    json('POST', options.force ? { force: true } : {})
  );
  return { updated: !!data.updated, ref: data.ref };
}

export async function syncAllTracking(
  settings: Settings = defaultSettings()
): Promise<SyncAllItem[]> {
  const data = await request<{ results: IWireSyncAllItem[] }>(
    settings,
    'skills/sync-all-tracking',
    json('POST')
  );
  return (data.results ?? []).map(syncAllItemFromWire);
}

// ---------------------------------------------------------------- client

/** Everything the UI needs from the server; widgets receive one of these. */
export interface ISkillsClient {
  listSkills(): Promise<ISkillList>;
  getSkill(scope: Scope, name: string): Promise<ISkillDetail>;
  createSkill(req: ICreateRequest): Promise<ISkillDetail>;
  updateSkill(
    scope: Scope,
    name: string,
    update: IUpdateRequest
  ): Promise<ISkillDetail>;
  deleteSkill(scope: Scope, name: string): Promise<void>;
  renameSkill(
    scope: Scope,
    name: string,
    newName: string
  ): Promise<ISkillDetail>;
  readFile(scope: Scope, name: string, path: string): Promise<IFileModel>;
  writeFile(
    scope: Scope,
    name: string,
    path: string,
    content: string,
    options?: { hash?: string | null }
  ): Promise<IFileWriteResult>;
  deleteFile(scope: Scope, name: string, path: string): Promise<void>;
  previewImport(url: string): Promise<IPreview>;
  importSkill(req: IImportRequest): Promise<ISkillDetail>;
  importSkills(
    req: IImportRequest & { paths: string[] }
  ): Promise<IImportManyResult>;
  syncSkill(
    scope: Scope,
    name: string,
    options?: { force?: boolean }
  ): Promise<ISyncResult>;
  syncAllTracking(): Promise<SyncAllItem[]>;
}

/** A client bound to one set of server settings. */
export function createClient(
  settings: Settings = defaultSettings()
): ISkillsClient {
  return {
    listSkills: () => listSkills(settings),
    getSkill: (scope, name) => getSkill(scope, name, settings),
    createSkill: req => createSkill(req, settings),
    updateSkill: (scope, name, update) =>
      updateSkill(scope, name, update, settings),
    deleteSkill: (scope, name) => deleteSkill(scope, name, settings),
    renameSkill: (scope, name, newName) =>
      renameSkill(scope, name, newName, settings),
    readFile: (scope, name, path) => readFile(scope, name, path, settings),
    writeFile: (scope, name, path, content, options) =>
      writeFile(scope, name, path, content, options, settings),
    deleteFile: (scope, name, path) => deleteFile(scope, name, path, settings),
    previewImport: url => previewImport(url, settings),
    importSkill: req => importSkill(req, settings),
    importSkills: req => importSkills(req, settings),
    syncSkill: (scope, name, options) =>
      syncSkill(scope, name, options, settings),
    syncAllTracking: () => syncAllTracking(settings)
  };
}

/** A human readable message for anything thrown by the client. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
