/**
 * Typed client for the notebook-skills REST API (CONTRACT §4).
 *
 * The only module that talks to the server, through its transport in
 * request.ts. The wire shapes and the snake_case ↔ camelCase mapping live
 * in wire.ts.
 */
import { URLExt } from '@jupyterlab/coreutils';

import {
  ServerExtensionMissingError,
  Settings,
  SkillsApiError,
  defaultSettings,
  json,
  request
} from './request';
import { TranslationBundle } from './trans';
import {
  ICreateRequest,
  IFileModel,
  IFileWriteResult,
  IImportManyResult,
  IImportRequest,
  IPreview,
  ISkillDetail,
  ISkillList,
  ISyncResult,
  IUpdateRequest,
  Scope,
  SyncAllItem
} from './types';
import {
  IWireFile,
  IWireFileWrite,
  IWireImportMany,
  IWirePreview,
  IWireSkillDetail,
  IWireSkillList,
  IWireSyncAllItem,
  detailFromWire,
  fileFromWire,
  fileWriteFromWire,
  importManyFromWire,
  importToWire,
  previewFromWire,
  skillListFromWire,
  syncAllItemFromWire,
  updateToWire
} from './wire';

// The app-side shapes (camelCase) live in types.ts, the wire shapes in
// wire.ts and the errors in request.ts; re-exported so callers keep
// importing everything from here.
export * from './types';
export * from './wire';
export type { ConflictReason } from './request';
export {
  ENABLE_COMMAND,
  EXTENSION_MISSING_MESSAGE,
  NAMESPACE,
  ServerExtensionMissingError,
  SkillsApiError,
  errorMessage
} from './request';

// ---------------------------------------------------------------- routes

function skillPath(scope: Scope, name: string, ...rest: string[]): string {
  return URLExt.join(
    'skills',
    encodeURIComponent(scope),
    encodeURIComponent(name),
    ...rest
  );
}

export async function listSkills(
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<ISkillList> {
  let data: IWireSkillList;
  try {
    data = await request({ settings, trans }, 'skills', { method: 'GET' });
  } catch (error) {
    if (error instanceof SkillsApiError && error.status === 404) {
      throw new ServerExtensionMissingError(trans);
    }
    throw error;
  }
  return skillListFromWire(data);
}

export async function getSkill(
  scope: Scope,
  name: string,
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<ISkillDetail> {
  const data = await request<{ skill: IWireSkillDetail }>(
    { settings, trans },
    skillPath(scope, name),
    { method: 'GET' }
  );
  return detailFromWire(data.skill);
}

export async function createSkill(
  req: ICreateRequest,
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<ISkillDetail> {
  const data = await request<{ skill: IWireSkillDetail }>(
    { settings, trans },
    'skills',
    json('POST', req)
  );
  return detailFromWire(data.skill);
}

export async function updateSkill(
  scope: Scope,
  name: string,
  update: IUpdateRequest,
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<ISkillDetail> {
  const data = await request<{ skill: IWireSkillDetail }>(
    { settings, trans },
    skillPath(scope, name),
    json('PUT', updateToWire(update))
  );
  return detailFromWire(data.skill);
}

export async function deleteSkill(
  scope: Scope,
  name: string,
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<void> {
  await request<void>({ settings, trans }, skillPath(scope, name), {
    method: 'DELETE'
  });
}

export async function renameSkill(
  scope: Scope,
  name: string,
  newName: string,
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<ISkillDetail> {
  const data = await request<{ skill: IWireSkillDetail }>(
    { settings, trans },
    skillPath(scope, name, 'rename'),
    json('POST', { new_name: newName })
  );
  return detailFromWire(data.skill);
}

export async function readFile(
  scope: Scope,
  name: string,
  path: string,
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<IFileModel> {
  const data = await request<IWireFile>(
    { settings, trans },
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
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<IFileWriteResult> {
  const body: { content: string; hash?: string } = { content };
  if (options.hash) {
    body.hash = options.hash;
  }
  const data = await request<IWireFileWrite>(
    { settings, trans },
    skillPath(scope, name, 'files'),
    json('PUT', body),
    { path }
  );
  return fileWriteFromWire(data, path);
}

export async function deleteFile(
  scope: Scope,
  name: string,
  path: string,
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<void> {
  await request<unknown>(
    { settings, trans },
    skillPath(scope, name, 'files'),
    { method: 'DELETE' },
    { path }
  );
}

/**
 * Preview a source; with `plugin` (marketplaces), resolve that one plugin,
 * reading the marketplace at `sha` (the first preview's `source.sha`).
 */
export async function previewImport(
  url: string,
  plugin?: string | null,
  sha?: string | null,
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<IPreview> {
  const body: { url: string; plugin?: string; sha?: string } = { url };
  if (plugin) {
    body.plugin = plugin;
  }
  if (sha) {
    body.sha = sha;
  }
  const data = await request<IWirePreview>(
    { settings, trans },
    'skills/import/preview',
    json('POST', body)
  );
  return previewFromWire(data);
}

export async function importSkill(
  req: IImportRequest,
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<ISkillDetail> {
  const data = await request<{ skill: IWireSkillDetail }>(
    { settings, trans },
    'skills/import',
    json('POST', importToWire(req))
  );
  return detailFromWire(data.skill);
}

/** Import several candidates of one previewed source (`paths`: candidate ids). */
export async function importSkills(
  req: IImportRequest & { paths: string[] },
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<IImportManyResult> {
  const data = await request<IWireImportMany>(
    { settings, trans },
    'skills/import',
    json('POST', importToWire(req))
  );
  return importManyFromWire(data);
}

export async function syncSkill(
  scope: Scope,
  name: string,
  options: { force?: boolean } = {},
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<ISyncResult> {
  const data = await request<ISyncResult>(
    { settings, trans },
    skillPath(scope, name, 'sync'),
    json('POST', options.force ? { force: true } : {})
  );
  return { updated: !!data.updated, ref: data.ref };
}

export async function syncAllTracking(
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): Promise<SyncAllItem[]> {
  const data = await request<{ results: IWireSyncAllItem[] }>(
    { settings, trans },
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
  previewImport(
    url: string,
    plugin?: string | null,
    sha?: string | null
  ): Promise<IPreview>;
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

/**
 * A client bound to one set of server settings; `trans` translates the
 * messages the client writes itself (the server's own messages are kept).
 */
export function createClient(
  settings: Settings = defaultSettings(),
  trans?: TranslationBundle
): ISkillsClient {
  return {
    listSkills: () => listSkills(settings, trans),
    getSkill: (scope, name) => getSkill(scope, name, settings, trans),
    createSkill: req => createSkill(req, settings, trans),
    updateSkill: (scope, name, update) =>
      updateSkill(scope, name, update, settings, trans),
    deleteSkill: (scope, name) => deleteSkill(scope, name, settings, trans),
    renameSkill: (scope, name, newName) =>
      renameSkill(scope, name, newName, settings, trans),
    readFile: (scope, name, path) =>
      readFile(scope, name, path, settings, trans),
    writeFile: (scope, name, path, content, options) =>
      writeFile(scope, name, path, content, options, settings, trans),
    deleteFile: (scope, name, path) =>
      deleteFile(scope, name, path, settings, trans),
    previewImport: (url, plugin, sha) =>
      previewImport(url, plugin, sha, settings, trans),
    importSkill: req => importSkill(req, settings, trans),
    importSkills: req => importSkills(req, settings, trans),
    syncSkill: (scope, name, options) =>
      syncSkill(scope, name, options, settings, trans),
    syncAllTracking: () => syncAllTracking(settings, trans)
  };
}
