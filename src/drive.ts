/**
 * A JupyterLab contents drive over the skills files API, so bundle files open
 * in JupyterLab's own file editor: `skills:user/csv-helper/SKILL.md`.
 *
 * Paths inside the drive: `''` (the scopes), `<scope>` (its skills),
 * `<scope>/<name>[/<folder>]` (a bundle folder), `<scope>/<name>/<file>`.
 * The editor's dirty marker, close prompt, "file changed on disk" check (by
 * hash), Save/Revert, undo and layout restore all come from the document
 * manager; this module only answers its questions.
 *
 * One thing the document manager cannot know: saving SKILL.md, the server
 * puts the product's frontmatter keys back as the install record has them, so
 * what is stored can differ from what the editor sent. The drive notices
 * (the PUT answers the stored text's hash) and says so with `rewritten`; the
 * plugin then reverts the clean editor to the file on disk.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents, ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { ISkillsClient, Scope, SkillsApiError } from './api';
import {
  DRIVE_NAME,
  SKILL_MD,
  directory,
  fileEntry,
  parseSkillPath,
  sha256Hex
} from './drivePaths';
import { TranslationBundle, bundle } from './trans';
import { SCOPES } from './types';

export {
  DRIVE_NAME,
  parseSkillPath,
  sha256Hex,
  skillFilePath
} from './drivePaths';

export class SkillsDrive implements Contents.IDrive {
  constructor(options: SkillsDrive.IOptions) {
    this._client = options.client;
    this._trans = bundle(options.trans);
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
  }

  readonly name = DRIVE_NAME;
  readonly serverSettings: ServerConnection.ISettings;

  get fileChanged(): ISignal<this, Contents.IChangedArgs> {
    return this._fileChanged;
  }

  /**
   * Emitted with the drive-local path after a save whose stored text differs
   * from the content sent (SKILL.md with its product keys re-applied), before
   * the save resolves: an editor holding that file no longer shows the disk.
   */
  get rewritten(): ISignal<this, string> {
    return this._rewritten;
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
    const { scope, name, rel } = parseSkillPath(path, this._trans);
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
        this._trans.__("No file or folder '%1' in skill '%2'", rel, name)
      );
    }
    return directory(path, [...children.values()], !detail.managed);
  }

  async getDownloadUrl(localPath: string): Promise<string> {
    throw new Error(
      this._trans.__(
        'Skill files cannot be downloaded from the skills drive (%1); open the file instead.',
        localPath
      )
    );
  }

  async newUntitled(
    options: Contents.ICreateOptions = {}
  ): Promise<Contents.IModel> {
    const { scope, name, rel } = parseSkillPath(
      options.path ?? '',
      this._trans
    );
    if (!scope || !name || options.type === 'directory') {
      throw new Error(
        this._trans.__('New files can only be created inside a skill folder.')
      );
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
    const { scope, name, rel } = parseSkillPath(localPath, this._trans);
    if (!scope || !name || !rel) {
      throw new Error(
        this._trans.__(
          'Delete a whole skill from the Skills panel, not from the drive.'
        )
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
    const from = parseSkillPath(oldLocalPath, this._trans);
    const to = parseSkillPath(newLocalPath, this._trans);
    if (
      !from.scope ||
      !from.name ||
      !from.rel ||
      from.scope !== to.scope ||
      from.name !== to.name ||
      !to.rel
    ) {
      throw new Error(
        this._trans.__(
          'Files can only be renamed inside the same skill; rename the skill from the Skills panel.'
        )
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
    const { scope, name, rel } = parseSkillPath(localPath, this._trans);
    if (!scope || !name || !rel) {
      throw new Error(
        this._trans.__(
          'Only files inside a skill can be saved (%1).',
          localPath
        )
      );
    }
    if (options.type === 'directory') {
      throw new Error(
        this._trans.__('Folders are created by saving a file inside them.')
      );
    }
    const content = typeof options.content === 'string' ? options.content : '';
    // The precondition is the hash of the file as this drive last read it.
    // That is not necessarily the version the editor loaded: JupyterLab's
    // document context stats the file (a read, with its hash) right before
    // every save and itself compares that hash with the loaded version,
    // showing its "File Changed" dialog on a mismatch. So the server's check
    // closes the window between that stat and the write (409
    // changed_on_disk), and "Overwrite" in the dialog, which saves right after
    // the same stat, still goes through as the user asked.
    const result = await this._client.writeFile(scope, name, rel, content, {
      hash: this._hashes.get(localPath) ?? null
    });
    this._hashes.set(localPath, result.hash);
    if (
      rel === SKILL_MD &&
      (await this._storedDiffers(scope, name, content, result.hash))
    ) {
      this._rewritten.emit(localPath);
    }
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
    const from = parseSkillPath(localPath, this._trans);
    const to = parseSkillPath(toLocalDir, this._trans);
    if (!from.scope || !from.name || !from.rel || !to.scope || !to.name) {
      throw new Error(
        this._trans.__('Files can only be copied into a skill folder.')
      );
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
    const { scope, name, rel } = parseSkillPath(localPath, this._trans);
    if (!scope || !name || !rel) {
      throw new Error(this._trans.__('No file at %1', localPath));
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
      throw new Error(
        this._trans.__('No checkpoint %1 for %2', checkpointID, localPath)
      );
    }
    const { scope, name, rel } = parseSkillPath(localPath, this._trans);
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

  /** Did the server store other text than `content` (whose stored hash is `hash`)? */
  private async _storedDiffers(
    scope: Scope,
    name: string,
    content: string,
    hash: string
  ): Promise<boolean> {
    const sent = await sha256Hex(content);
    if (sent !== null) {
      return sent !== hash;
    }
    // No WebCrypto: compare with the file itself.
    const stored = await this._client.readFile(scope, name, SKILL_MD);
    return stored.content !== content;
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
  private _rewritten = new Signal<this, string>(this);
  private _trans: TranslationBundle;
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
    trans?: TranslationBundle;
  }
}
