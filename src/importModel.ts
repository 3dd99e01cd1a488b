/**
 * State of the Import from GitHub dialog, independent of any widget.
 *
 * One source is previewed; any number of its candidates can be checked and
 * imported together (`paths`). Replacing an existing skill keeps that skill's
 * tracking state unless the user changes the Track upstream box.
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
import {
  candidateTreeUrl,
  isPlainHttp,
  parseSkillUrl,
  validateSkillName
} from './validate';

/** The accepted URL forms, spelled with the configured host. */
export function urlHelp(githubUrl = 'https://github.com'): string {
  const base = githubUrl.replace(/\/+$/, '');
  return (
    `Accepted: ${base}/owner/repo, …/tree/<ref>/<path>, ` +
    '…/blob/<ref>/<path>/SKILL.md, or owner/repo[/path].'
  );
}

export function urlPlaceholder(githubUrl = 'https://github.com'): string {
  return `${githubUrl.replace(/\/+$/, '')}/owner/repo/tree/main/skills/csv-helper`;
}

export const HTTPS_ONLY =
  'https only: the URL starts with http://; use https:// instead.';

export function validateImportUrl(
  url: string,
  githubUrl = 'https://github.com'
): string | null {
  if (!url.trim()) {
    return null;
  }
  if (isPlainHttp(url)) {
    return HTTPS_ONLY;
  }
  return parseSkillUrl(url)
    ? null
    : `Not a GitHub skill URL. ${urlHelp(githubUrl)}`;
}

/** One imported (or replaced) skill, or a failure, after Import. */
export interface IImportOutcome {
  imported: ISkillDetail[];
  /** Names of the imported skills that replaced an existing one. */
  replaced: string[];
  errors: Array<{ path: string; message: string }>;
}

export class ImportFormModel {
  constructor(
    client: ISkillsClient,
    scope: Scope = 'user',
    githubUrl = 'https://github.com'
  ) {
    this._client = client;
    this._scope = scope;
    this.githubUrl = githubUrl;
  }

  readonly githubUrl: string;

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
    this._urlError = validateImportUrl(value, this.githubUrl);
    if (this._preview && value.trim() !== this._previewUrl) {
      this._preview = null;
      this._checked = new Set();
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

  /** A name override applies only when exactly one skill is checked. */
  get nameAllowed(): boolean {
    return this.selected.length === 1;
  }

  get nameError(): string | null {
    return this._name && this.nameAllowed
      ? validateSkillName(this._name)
      : null;
  }

  /**
   * The Track upstream box. Until the user touches it, replacing an existing
   * skill keeps that skill's own tracking state (the request omits it).
   */
  get tracksUpstream(): boolean {
    return this._track;
  }
  set tracksUpstream(value: boolean) {
    this._track = value;
    this._trackTouched = true;
    this._emit();
  }

  get trackTouched(): boolean {
    return this._trackTouched;
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

  get candidates(): ICandidate[] {
    return this._preview?.skills ?? [];
  }

  isChecked(c: ICandidate): boolean {
    return this._checked.has(c.id);
  }

  setChecked(c: ICandidate, value: boolean): void {
    if (value) {
      this._checked.add(c.id);
    } else {
      this._checked.delete(c.id);
    }
    this._emit();
  }

  get allChecked(): boolean {
    const all = this.candidates;
    return all.length > 0 && all.every(c => this._checked.has(c.id));
  }

  setAllChecked(value: boolean): void {
    this._checked = new Set(value ? this.candidates.map(c => c.id) : []);
    this._emit();
  }

  /** The checked candidates, in preview order. */
  get selected(): ICandidate[] {
    return this.candidates.filter(c => this._checked.has(c.id));
  }

  /** The installed name a candidate gets (the override applies to one only). */
  installName(c: ICandidate): string {
    return this.nameAllowed && this._name ? this._name : c.name;
  }

  /** Checked candidates that already exist in the chosen scope. */
  get existing(): ICandidate[] {
    return this.selected.filter(c => {
      if (this.nameAllowed && this._name && this._name !== c.name) {
        return false;
      }
      return c.exists[this._scope];
    });
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
      this.selected.length > 0 &&
      !this.nameError &&
      (this.existing.length === 0 || this._overwrite)
    );
  }

  /** The URL that imports exactly one candidate on its own. */
  candidateUrl(c: ICandidate): string {
    const preview = this._preview;
    if (!preview || preview.skills.length === 1) {
      return this._previewUrl || this._url.trim();
    }
    if (c.url) {
      return c.url;
    }
    const parsed = parseSkillUrl(this._previewUrl);
    return parsed
      ? candidateTreeUrl(parsed, preview.source, c)
      : this._previewUrl;
  }

  async runPreview(): Promise<IPreview | null> {
    if (!this.canPreview) {
      return null;
    }
    const url = this._url.trim();
    this._busy = 'preview';
    this._error = null;
    this._preview = null;
    this._checked = new Set();
    this._emit();
    try {
      const preview = await this._client.previewImport(url);
      this._preview = preview;
      this._previewUrl = url;
      this._overwrite = false;
      // One candidate: checked. Several: the user picks.
      if (preview.skills.length === 1) {
        this._checked.add(preview.skills[0].id);
      }
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

  async runImport(): Promise<IImportOutcome | null> {
    if (!this.canImport) {
      return null;
    }
    const selected = this.selected;
    const replacing = new Set(this.existing.map(c => this.installName(c)));
    // Untouched box + overwrite: omit it, so a replaced skill keeps its state.
    const tracksUpstream =
      this._trackTouched || replacing.size === 0 ? this._track : null;
    this._busy = 'import';
    this._error = null;
    this._emit();
    try {
      let outcome: IImportOutcome;
      if (selected.length === 1) {
        const c = selected[0];
        const skill = await this._client.importSkill({
          url: this.candidateUrl(c),
          scope: this._scope,
          name: this._name || undefined,
          tracksUpstream,
          overwrite: replacing.size ? this._overwrite : undefined
        });
        outcome = { imported: [skill], replaced: [], errors: [] };
      } else {
        const result = await this._client.importSkills({
          url: this._previewUrl,
          scope: this._scope,
          tracksUpstream,
          overwrite: replacing.size ? this._overwrite : undefined,
          paths: selected.map(c => c.id)
        });
        outcome = {
          imported: result.skills,
          replaced: [],
          errors: result.errors
        };
      }
      outcome.replaced = outcome.imported
        .map(s => s.name)
        .filter(n => replacing.has(n));
      if (outcome.errors.length) {
        this._error = outcome.errors
          .map(e => `${e.path}: ${e.message}`)
          .join('\n');
      }
      return outcome;
    } catch (error) {
      this._error = errorMessage(error);
      return null;
    } finally {
      this._busy = null;
      this._emit();
    }
  }

  /** Enter / the Import button: preview first, then import. */
  async submit(): Promise<IImportOutcome | null> {
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
  private _trackTouched = false;
  private _overwrite = false;
  private _preview: IPreview | null = null;
  private _previewUrl = '';
  private _checked = new Set<string>();
  private _busy: 'preview' | 'import' | null = null;
  private _error: string | null = null;
}
