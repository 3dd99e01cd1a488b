/**
 * The skills list model: the panel renders from it, commands act through it.
 */
import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import {
  IPolicy,
  ISkill,
  ISkillsClient,
  Scope,
  ServerExtensionMissingError,
  errorMessage
} from './api';
import { ISkillsModel } from './tokens';
import { validateSkillName } from './validate';

export function skillKey(skill: { scope: Scope; name: string }): string {
  return `${skill.scope}/${skill.name}`;
}

/** A folder listed only to show its problem (its name is not a skill name). */
export function isInvalidFolder(skill: { name: string }): boolean {
  return validateSkillName(skill.name) !== null;
}

const DEFAULT_GITHUB_URL = 'https://github.com';

export class SkillsModel implements ISkillsModel, IDisposable {
  constructor(options: SkillsModel.IOptions) {
    this.client = options.client;
    this._interval = (options.refreshInterval ?? 3) * 1000;
    this._poll = new Poll({
      auto: options.autoPoll ?? true,
      factory: () => this._load(),
      frequency: this._frequency(),
      name: 'notebook-skills:list',
      standby: () => (this._visible ? 'when-hidden' : true)
    });
  }

  readonly client: ISkillsClient;

  /** Emitted when anything the panel renders changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get skills(): readonly ISkill[] {
    return this._skills;
  }

  get policy(): IPolicy {
    return this._policy;
  }

  get scopes(): { user: string; project: string } {
    return this._scopes;
  }

  get githubUrl(): string {
    return this._githubUrl;
  }

  /** `scope/name` of the skill whose view or file is active in the main area. */
  get current(): string | null {
    return this._current;
  }
  set current(key: string | null) {
    if (key !== this._current) {
      this._current = key;
      this._changed.emit();
    }
  }

  /** Text typed in the panel's filter box. */
  get filter(): string {
    return this._filter;
  }
  set filter(value: string) {
    if (value !== this._filter) {
      this._filter = value;
      this._changed.emit();
    }
  }

  isCollapsed(scope: Scope): boolean {
    return this._collapsed.has(scope);
  }

  toggleCollapsed(scope: Scope): void {
    if (!this._collapsed.delete(scope)) {
      this._collapsed.add(scope);
    }
    this._changed.emit();
  }

  /** The rows the panel shows for a scope: filtered, sorted by name. */
  visibleInScope(scope: Scope): ISkill[] {
    const q = this._filter.trim().toLowerCase();
    const all = this.inScope(scope);
    if (!q) {
      return all;
    }
    return all.filter(
      s =>
        s.name.toLowerCase().includes(q) ||
        s.description.toLowerCase().includes(q)
    );
  }

  /** The last load error, or null. */
  get error(): string | null {
    return this._error;
  }

  get extensionMissing(): boolean {
    return this._extensionMissing;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  get importAllowed(): boolean {
    return this._policy.allowGithubSkillImport;
  }

  get trackingSkills(): ISkill[] {
    return this._skills.filter(s => s.tracksUpstream);
  }

  get syncingAll(): boolean {
    return this._syncingAll;
  }

  set syncingAll(value: boolean) {
    if (value !== this._syncingAll) {
      this._syncingAll = value;
      this._changed.emit();
    }
  }

  find(scope: Scope, name: string): ISkill | undefined {
    return this._skills.find(s => s.scope === scope && s.name === name);
  }

  inScope(scope: Scope): ISkill[] {
    return this._skills
      .filter(s => s.scope === scope)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  isBusy(skill: { scope: Scope; name: string }): boolean {
    return this._busy.has(skillKey(skill));
  }

  setBusy(skill: { scope: Scope; name: string }, busy: boolean): void {
    const key = skillKey(skill);
    if (busy === this._busy.has(key)) {
      return;
    }
    if (busy) {
      this._busy.add(key);
    } else {
      this._busy.delete(key);
    }
    this._changed.emit();
  }

  /** Seconds between polls while the panel is visible. */
  set refreshInterval(seconds: number) {
    const ms = Math.max(1, seconds) * 1000;
    if (ms !== this._interval) {
      this._interval = ms;
      this._poll.frequency = this._frequency();
    }
  }

  /** Polling runs only while the panel is visible. */
  setVisible(visible: boolean): void {
    const was = this._visible;
    this._visible = visible;
    if (visible && !was) {
      void this._poll.refresh();
    }
  }

  /** Reload now; re-renders only when something changed. */
  async refresh(): Promise<void> {
    try {
      await this._load();
    } catch {
      // recorded in `error`
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _load(): Promise<void> {
    try {
      const list = await this.client.listSkills();
      const snapshot = JSON.stringify(list);
      const changed =
        snapshot !== this._snapshot || this._error !== null || !this._loaded;
      this._snapshot = snapshot;
      this._skills = list.skills;
      this._policy = list.policy;
      this._scopes = list.scopes;
      this._githubUrl = (list.githubUrl || DEFAULT_GITHUB_URL).replace(
        /\/+$/,
        ''
      );
      this._error = null;
      this._extensionMissing = false;
      this._loaded = true;
      if (changed) {
        this._changed.emit();
      }
    } catch (error) {
      const message = errorMessage(error);
      const missing = error instanceof ServerExtensionMissingError;
      const changed =
        message !== this._error ||
        missing !== this._extensionMissing ||
        !this._loaded;
      this._error = message;
      this._extensionMissing = missing;
      this._loaded = true;
      if (changed) {
        this._changed.emit();
      }
      throw error;
    }
  }

  private _frequency(): IPoll.Frequency {
    return {
      interval: this._interval,
      backoff: true,
      max: Math.max(60_000, this._interval)
    };
  }

  private _changed = new Signal<this, void>(this);
  private _skills: ISkill[] = [];
  private _policy: IPolicy = {
    allowGithubSkillImport: true,
    skillsManagementPolicy: 'user-choice'
  };
  private _scopes = { user: '', project: '' };
  private _githubUrl = DEFAULT_GITHUB_URL;
  private _current: string | null = null;
  private _filter = '';
  private _collapsed = new Set<Scope>();
  private _error: string | null = null;
  private _extensionMissing = false;
  private _loaded = false;
  private _snapshot = '';
  private _busy = new Set<string>();
  private _syncingAll = false;
  private _visible = false;
  private _interval: number;
  private _poll: Poll;
  private _isDisposed = false;
}

export namespace SkillsModel {
  export interface IOptions {
    client: ISkillsClient;
    /** Seconds between list polls while visible (default 3). */
    refreshInterval?: number;
    /** Start polling at once (default true; tests turn it off). */
    autoPoll?: boolean;
  }
}
