/**
 * State of the Import from GitHub dialog, independent of any widget.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  ICandidate,
  IPreview,
  ISkillDetail,
  ISkillsClient,
  Scope,
  errorMessage
} from './api';
import { candidateTreeUrl, parseSkillUrl, validateSkillName } from './validate';

export const URL_HELP =
  'Accepted: https://github.com/owner/repo, …/tree/<ref>/<path>, ' +
  '…/blob/<ref>/<path>/SKILL.md, or owner/repo[/path].';

export function validateImportUrl(url: string): string | null {
  if (!url.trim()) {
    return null;
  }
  return parseSkillUrl(url) ? null : `Not a GitHub skill URL. ${URL_HELP}`;
}

export class ImportFormModel {
  constructor(client: ISkillsClient, scope: Scope = 'user') {
    this._client = client;
    this._scope = scope;
  }

  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  get url(): string {
    return this._url;
  }
  set url(value: string) {
    if (value === this._url) {
      return;
    }
    this._url = value;
    this._urlError = validateImportUrl(value);
    if (this._preview && value.trim() !== this._previewUrl) {
      this._preview = null;
      this._selected = 0;
    }
    this._error = null;
    this._emit();
  }

  get urlError(): string | null {
    return this._urlError;
  }

  get scope(): Scope {
    return this._scope;
  }
  set scope(value: Scope) {
    this._scope = value;
    this._error = null;
    this._emit();
  }

  get name(): string {
    return this._name;
  }
  set name(value: string) {
    this._name = value.trim();
    this._emit();
  }

  get nameError(): string | null {
    return this._name ? validateSkillName(this._name) : null;
  }

  get tracksUpstream(): boolean {
    return this._track;
  }
  set tracksUpstream(value: boolean) {
    this._track = value;
    this._emit();
  }

  get overwrite(): boolean {
    return this._overwrite;
  }
  set overwrite(value: boolean) {
    this._overwrite = value;
    this._emit();
  }

  get preview(): IPreview | null {
    return this._preview;
  }

  get selected(): number {
    return this._selected;
  }
  set selected(index: number) {
    this._selected = index;
    this._overwrite = false;
    this._emit();
  }

  get candidate(): ICandidate | null {
    return this._preview?.skills[this._selected] ?? null;
  }

  /** The skill already exists in the chosen scope under the name it would get. */
  get exists(): boolean {
    const c = this.candidate;
    if (!c) {
      return false;
    }
    if (this._name && this._name !== c.name) {
      return false;
    }
    return c.exists[this._scope];
  }

  get busy(): 'preview' | 'import' | null {
    return this._busy;
  }

  /** The last server error, shown inside the dialog. */
  get error(): string | null {
    return this._error;
  }

  get canPreview(): boolean {
    return !this._busy && !!this._url.trim() && !this._urlError;
  }

  get canImport(): boolean {
    return (
      !this._busy &&
      !!this.candidate &&
      !this.nameError &&
      (!this.exists || this._overwrite)
    );
  }

  /** The URL sent to the import route. */
  importUrl(): string {
    const preview = this._preview;
    const candidate = this.candidate;
    if (!preview || !candidate) {
      return this._url.trim();
    }
    if (preview.skills.length === 1) {
      return this._previewUrl;
    }
    const parsed = parseSkillUrl(this._previewUrl);
    if (!parsed) {
      return this._previewUrl;
    }
    return candidateTreeUrl(parsed, preview.source, candidate);
  }

  async runPreview(): Promise<IPreview | null> {
    if (!this.canPreview) {
      return null;
    }
    const url = this._url.trim();
    this._busy = 'preview';
    this._error = null;
    this._preview = null;
    this._emit();
    try {
      const preview = await this._client.previewImport(url);
      this._preview = preview;
      this._previewUrl = url;
      this._selected = 0;
      this._overwrite = false;
      if (!preview.skills.length) {
        this._error =
          preview.errors.map(e => e.message).join('\n') ||
          'No skill (SKILL.md) was found at this URL.';
      }
      return preview;
    } catch (error) {
      this._error = errorMessage(error);
      return null;
    } finally {
      this._busy = null;
      this._emit();
    }
  }

  async runImport(): Promise<ISkillDetail | null> {
    if (!this.canImport) {
      return null;
    }
    this._busy = 'import';
    this._error = null;
    this._emit();
    try {
      return await this._client.importSkill({
        url: this.importUrl(),
        scope: this._scope,
        name: this._name || undefined,
        tracksUpstream: this._track,
        overwrite: this.exists ? this._overwrite : undefined
      });
    } catch (error) {
      this._error = errorMessage(error);
      return null;
    } finally {
      this._busy = null;
      this._emit();
    }
  }

  /** Enter / the Import button: preview first, then import. */
  async submit(): Promise<ISkillDetail | null> {
    if (this._preview && this.canImport) {
      return this.runImport();
    }
    if (!this._preview && this.canPreview) {
      await this.runPreview();
    }
    return null;
  }

  private _emit(): void {
    this._stateChanged.emit();
  }

  private _client: ISkillsClient;
  private _stateChanged = new Signal<this, void>(this);
  private _url = '';
  private _urlError: string | null = null;
  private _scope: Scope;
  private _name = '';
  private _track = false;
  private _overwrite = false;
  private _preview: IPreview | null = null;
  private _previewUrl = '';
  private _selected = 0;
  private _busy: 'preview' | 'import' | null = null;
  private _error: string | null = null;
}
