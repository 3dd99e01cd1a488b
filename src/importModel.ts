/**
 * State of the Import from GitHub dialog, independent of any widget.
 *
 * One source is previewed; any number of its candidates can be checked and
 * imported together (`paths`). Replacing an existing skill keeps that skill's
 * tracking state unless the user changes the Track upstream box. A
 * marketplace preview is shown per plugin; an external plugin's skills are
 * asked for when its group is first expanded.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  ICandidate,
  IPreview,
  ISkillsClient,
  Scope,
  errorMessage
} from './api';
import {
  IImportOutcome,
  IImportPlan,
  failuresText,
  importSelected
} from './importOutcome';
import { PluginBrowser } from './pluginBrowser';
import { IPluginGroup, clashNote } from './pluginGroups';
import { TranslationBundle, bundle } from './trans';
import {
  candidateTreeUrl,
  parseSkillUrl,
  validateImportUrl,
  validateSkillName
} from './validate';

export type { IImportOutcome } from './importOutcome';

/** A plugin group's checkbox: every skill checked, some, or none. */
export type CheckState = 'all' | 'some' | 'none';

export class ImportFormModel {
  constructor(
    client: ISkillsClient,
    scope: Scope = 'user',
    githubUrl = 'https://github.com',
    trans: TranslationBundle = bundle()
  ) {
    this._client = client;
    this._scope = scope;
    this.githubUrl = githubUrl;
    this.trans = trans;
    this.plugins = new PluginBrowser({
      preview: () => this._preview,
      // read the marketplace the first preview showed, not whatever it is now
      ask: plugin =>
        this._client.previewImport(
          this._previewUrl,
          plugin,
          this._preview?.source.sha
        ),
      merged: preview => (this._preview = preview),
      changed: () => this._emit(),
      clashNote: clashNote(trans)
    });
  }

  readonly githubUrl: string;
  readonly trans: TranslationBundle;

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
    this._urlError = validateImportUrl(value, this.githubUrl, this.trans);
    if (this._preview && value.trim() !== this._previewUrl) {
      this._setPreview(null);
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
      ? validateSkillName(this._name, this.trans)
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

  /** Filter, open groups and plugin resolution of a marketplace preview. */
  readonly plugins: PluginBrowser;

  /** A marketplace preview: shown as plugin groups, imported by ids. */
  get isMarketplace(): boolean {
    return this.plugins.isMarketplace;
  }

  pluginState(group: IPluginGroup): CheckState {
    const n = group.candidates.filter(c => this._checked.has(c.id)).length;
    return n === 0 ? 'none' : n === group.candidates.length ? 'all' : 'some';
  }

  /** Check or uncheck every skill of a group. */
  setPluginChecked(group: IPluginGroup, value: boolean): void {
    this._setMany(group.candidates, value);
  }

  // ---- checked skills

  isChecked(c: ICandidate): boolean {
    return this._checked.has(c.id);
  }

  setChecked(c: ICandidate, value: boolean): void {
    this._setMany([c], value);
  }

  /** What Select all acts on: every candidate, or those the filter shows. */
  get selectable(): ICandidate[] {
    return this.isMarketplace
      ? ([] as ICandidate[]).concat(...this.plugins.groups.map(g => g.visible))
      : this.candidates;
  }

  get allChecked(): boolean {
    const all = this.selectable;
    return all.length > 0 && all.every(c => this._checked.has(c.id));
  }

  setAllChecked(value: boolean): void {
    this._setMany(this.selectable, value);
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

  /** The URL that imports exactly one candidate of a plain source on its own. */
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
    this._setPreview(null);
    this._emit();
    try {
      const preview = await this._client.previewImport(url);
      this._setPreview(preview);
      this._previewUrl = url;
      this._overwrite = false;
      // One candidate of a plain source: checked. Otherwise the user picks.
      if (preview.skills.length === 1 && !this.isMarketplace) {
        this._checked.add(preview.skills[0].id);
      }
      if (!preview.skills.length && !preview.plugins.length) {
        this._error =
          preview.errors.map(e => e.message).join('\n') ||
          this.trans.__('No skill (SKILL.md) was found at this URL.');
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
    const replacing = new Set(this.existing.map(c => this.installName(c)));
    const plan: IImportPlan = {
      preview: this._preview,
      previewUrl: this._previewUrl,
      isMarketplace: this.isMarketplace,
      selected: this.selected,
      candidateUrl: c => this.candidateUrl(c),
      scope: this._scope,
      // the server takes a name override for one skill only
      name: this.nameAllowed ? this._name : '',
      // Untouched box + overwrite: omit it, so a replaced skill keeps its state.
      tracksUpstream:
        this._trackTouched || replacing.size === 0 ? this._track : null,
      overwrite: replacing.size ? this._overwrite : undefined,
      replacing
    };
    this._busy = 'import';
    this._error = null;
    this._emit();
    try {
      const outcome = await importSelected(this._client, plan);
      this._error = failuresText(outcome);
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

  private _setMany(candidates: ICandidate[], value: boolean): void {
    for (const c of candidates) {
      if (value) {
        this._checked.add(c.id);
      } else {
        this._checked.delete(c.id);
      }
    }
    this._emit();
  }

  /** A new (or no) preview: forget everything tied to the old one. */
  private _setPreview(preview: IPreview | null): void {
    this._preview = preview;
    this._checked = new Set();
    this.plugins.reset(); // answers for the old preview's plugins are dropped
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
