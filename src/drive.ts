/**
 * A JupyterLab contents drive over the skills files API, so bundle files open
 * in JupyterLab's own file editor: `skills:user/csv-helper/SKILL.md`.
 *
 * Paths inside the drive: `''` (the scopes), `<scope>` (its skills),
 * `<scope>/<name>[/<folder>]` (a bundle folder), `<scope>/<name>/<file>`.
 * The editor's dirty marker, close prompt, "file changed on disk" check (by
 * hash), Save/Revert, undo and layout restore all come from the document
 * manager; this module only answers its questions.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents, ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { ISkillsClient, Scope, SkillsApiError } from './api';
import { SCOPES } from './types';

export const DRIVE_NAME = 'skills';

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

export function parseSkillPath(localPath: string): ISkillPath {
  const parts = localPath.split('/').filter(p => p);
  const scope = parts[0] as Scope | undefined;
  if (scope !== undefined && !SCOPES.includes(scope)) {
    throw new SkillsApiError(404, `No skills scope '${scope}'`);
  }
  return {
    scope: scope ?? null,
    name: parts[1] ?? null,
    rel: parts.slice(2).join('/')
  };
}

const EPOCH = new Date(0).toISOString();

function directory(
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

function fileEntry(path: string, writable: boolean): Contents.IModel {
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

export class SkillsDrive implements Contents.IDrive {
  constructor(options: SkillsDrive.IOptions) {
    this._client = options.client;
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
  }

  readonly name = DRIVE_NAME;
  readonly serverSettings: ServerConnection.ISettings;

  get fileChanged(): ISignal<this, Contents.IChangedArgs> {
    return this._fileChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._checkpoints.clear();
    Signal.clearData(this);
  }

  async get(
    localPath: string,
    options?: Contents.IFetchOptions
  ): Promise<Contents.IModel> {
    const path = localPath.replace(/^\/+|\/+$/g, '');
    const { scope, name, rel } = parseSkillPath(path);
    if (!scope) {
      return directory(
        '',
        SCOPES.map(s => directory(s, null))
      );
    }
    if (!name) {
      const list = await this._client.listSkills();
      const skills = list.skills.filter(s => s.scope === scope);
      return directory(
        scope,
        skills.map(s => directory(`${scope}/${s.name}`, null, !s.managed)),
        true
      );
    }
    if (rel && options?.type !== 'directory') {
      // The editor asks for files by type; anything else is checked below.
      const isFile =
        options?.type === 'file' ||
        (await this._client.getSkill(scope, name)).files.includes(rel);
      if (isFile) {
        return this._getFile(scope, name, rel, options?.content !== false);
      }
    }
    const detail = await this._client.getSkill(scope, name);
    const prefix = rel ? `${rel}/` : '';
    const children = new Map<string, Contents.IModel>();
    for (const file of detail.files) {
      if (!file.startsWith(prefix)) {
        continue;
      }
      const [head, ...tail] = file.slice(prefix.length).split('/');
      const childPath = `${scope}/${name}/${prefix}${head}`;
      if (!children.has(head)) {
        children.set(
          head,
          tail.length
            ? directory(childPath, null, !detail.managed)
            : fileEntry(childPath, !detail.managed)
        );
      }
    }
    if (rel && children.size === 0) {
      throw new SkillsApiError(
        404,
        `No file or folder '${rel}' in ${scope} skill '${name}'`
      );
    }
    return directory(path, [...children.values()], !detail.managed);
  }

  async getDownloadUrl(localPath: string): Promise<string> {
    throw new Error(
      `Skill files cannot be downloaded from the skills drive (${localPath}); open the file instead.`
    );
  }

  async newUntitled(
    options: Contents.ICreateOptions = {}
  ): Promise<Contents.IModel> {
    const { scope, name, rel } = parseSkillPath(options.path ?? '');
    if (!scope || !name || options.type === 'directory') {
      throw new Error('New files can only be created inside a skill folder.');
    }
    const detail = await this._client.getSkill(scope, name);
    const ext = options.ext ?? '.md';
    const dir = rel ? `${rel}/` : '';
    let candidate = `${dir}untitled${ext}`;
    for (let i = 1; detail.files.includes(candidate); i++) {
      candidate = `${dir}untitled${i}${ext}`;
    }
    await this._client.writeFile(scope, name, candidate, '');
    const model = await this._getFile(scope, name, candidate, false);
    this._fileChanged.emit({ type: 'new', oldValue: null, newValue: model });
    return model;
  }

  async delete(localPath: string): Promise<void> {
    const { scope, name, rel } = parseSkillPath(localPath);
    if (!scope || !name || !rel) {
      throw new Error(
        'Delete a whole skill from the Skills panel, not from the drive.'
      );
    }
    await this._client.deleteFile(scope, name, rel);
    this._fileChanged.emit({
      type: 'delete',
      oldValue: { path: localPath },
      newValue: null
    });
  }

  async rename(
    oldLocalPath: string,
    newLocalPath: string
  ): Promise<Contents.IModel> {
    const from = parseSkillPath(oldLocalPath);
    const to = parseSkillPath(newLocalPath);
    if (
      !from.scope ||
      !from.name ||
      !from.rel ||
      from.scope !== to.scope ||
      from.name !== to.name ||
      !to.rel
    ) {
      throw new Error(
        'Files can only be renamed inside the same skill; rename the skill from the Skills panel.'
      );
    }
    const file = await this._client.readFile(from.scope, from.name, from.rel);
    await this._client.writeFile(from.scope, from.name, to.rel, file.content);
    await this._client.deleteFile(from.scope, from.name, from.rel);
    const model = await this._getFile(to.scope!, to.name!, to.rel, false);
    this._fileChanged.emit({
      type: 'rename',
      oldValue: { path: oldLocalPath },
      newValue: model
    });
    return model;
  }

  async save(
    localPath: string,
    options: Partial<Contents.IModel> = {}
  ): Promise<Contents.IModel> {
    const { scope, name, rel } = parseSkillPath(localPath);
    if (!scope || !name || !rel) {
      throw new Error(`Only files inside a skill can be saved (${localPath}).`);
    }
    if (options.type === 'directory') {
      throw new Error('Folders are created by saving a file inside them.');
    }
    const content = typeof options.content === 'string' ? options.content : '';
    // The precondition is the hash this drive last handed out for the file:
    // the document context re-reads it right before saving, so a mismatch
    // here means the file changed on disk in between (409 changed_on_disk).
    const result = await this._client.writeFile(scope, name, rel, content, {
      hash: this._hashes.get(localPath) ?? null
    });
    this._hashes.set(localPath, result.hash);
    const model: Contents.IModel = {
      ...fileEntry(localPath, !result.skill.managed),
      last_modified: result.lastModified,
      created: result.lastModified,
      hash: result.hash,
      hash_algorithm: 'sha256'
    };
    this._fileChanged.emit({ type: 'save', oldValue: null, newValue: model });
    return model;
  }

  async copy(localPath: string, toLocalDir: string): Promise<Contents.IModel> {
    const from = parseSkillPath(localPath);
    const to = parseSkillPath(toLocalDir);
    if (!from.scope || !from.name || !from.rel || !to.scope || !to.name) {
      throw new Error('Files can only be copied into a skill folder.');
    }
    const file = await this._client.readFile(from.scope, from.name, from.rel);
    const detail = await this._client.getSkill(to.scope, to.name);
    const dir = to.rel ? `${to.rel}/` : '';
    const ext = PathExt.extname(from.rel);
    const stem = PathExt.basename(from.rel, ext);
    let target = `${dir}${stem}-copy${ext}`;
    for (let i = 1; detail.files.includes(target); i++) {
      target = `${dir}${stem}-copy${i}${ext}`;
    }
    await this._client.writeFile(to.scope, to.name, target, file.content);
    const model = await this._getFile(to.scope, to.name, target, false);
    this._fileChanged.emit({ type: 'new', oldValue: null, newValue: model });
    return model;
  }

  /**
   * Checkpoints live in this browser session: the text as it was when the
   * file was first opened (what "Revert to Checkpoint" goes back to).
   */
  async createCheckpoint(
    localPath: string
  ): Promise<Contents.ICheckpointModel> {
    const { scope, name, rel } = parseSkillPath(localPath);
    if (!scope || !name || !rel) {
      throw new Error(`No file at ${localPath}`);
    }
    const file = await this._client.readFile(scope, name, rel);
    const checkpoint = {
      id: String(++this._checkpointId),
      last_modified: new Date().toISOString(),
      content: file.content
    };
    this._checkpoints.set(localPath, checkpoint);
    return { id: checkpoint.id, last_modified: checkpoint.last_modified };
  }

  async listCheckpoints(
    localPath: string
  ): Promise<Contents.ICheckpointModel[]> {
    const c = this._checkpoints.get(localPath);
    return c ? [{ id: c.id, last_modified: c.last_modified }] : [];
  }

  async restoreCheckpoint(
    localPath: string,
    checkpointID: string
  ): Promise<void> {
    const c = this._checkpoints.get(localPath);
    if (!c || c.id !== checkpointID) {
      throw new Error(`No checkpoint ${checkpointID} for ${localPath}`);
    }
    const { scope, name, rel } = parseSkillPath(localPath);
    const result = await this._client.writeFile(scope!, name!, rel, c.content);
    this._hashes.set(localPath, result.hash);
  }

  async deleteCheckpoint(
    localPath: string,
    checkpointID: string
  ): Promise<void> {
    if (this._checkpoints.get(localPath)?.id === checkpointID) {
      this._checkpoints.delete(localPath);
    }
  }

  private async _getFile(
    scope: Scope,
    name: string,
    rel: string,
    withContent: boolean
  ): Promise<Contents.IModel> {
    const [file, detail] = await Promise.all([
      this._client.readFile(scope, name, rel),
      this._client.getSkill(scope, name)
    ]);
    const path = `${scope}/${name}/${rel}`;
    this._hashes.set(path, file.hash);
    return {
      ...fileEntry(path, !detail.managed),
      created: file.lastModified,
      last_modified: file.lastModified,
      content: withContent ? file.content : null,
      format: withContent ? 'text' : null,
      size: file.content.length,
      hash: file.hash,
      hash_algorithm: 'sha256'
    };
  }

  private _client: ISkillsClient;
  private _fileChanged = new Signal<this, Contents.IChangedArgs>(this);
  private _hashes = new Map<string, string>();
  private _checkpoints = new Map<
    string,
    { id: string; last_modified: string; content: string }
  >();
  private _checkpointId = 0;
  private _isDisposed = false;
}

export namespace SkillsDrive {
  export interface IOptions {
    client: ISkillsClient;
    serverSettings?: ServerConnection.ISettings;
  }
}
