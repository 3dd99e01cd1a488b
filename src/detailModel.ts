/**
 * State of one skill's detail view: the loaded detail, the tracking toggle
 * (optimistic, rolled back on failure) and the file being edited.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  IPolicy,
  ISkillDetail,
  ISkillsClient,
  Scope,
  errorMessage
} from './api';
import { TranslationBundle, bundle } from './trans';

export class SkillDetailModel {
  constructor(options: SkillDetailModel.IOptions) {
    this.client = options.client;
    this.scope = options.scope;
    this.name = options.name;
    this._policy = options.policy;
    this._trans = bundle(options.trans);
  }

  readonly client: ISkillsClient;
  readonly scope: Scope;
  readonly name: string;

  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /** Emitted with an error message when the tracking toggle rolled back. */
  get trackingFailed(): ISignal<this, string> {
    return this._trackingFailed;
  }

  /** Emitted after the skill changed on the server (list should refresh). */
  get skillChanged(): ISignal<this, void> {
    return this._skillChanged;
  }

  get detail(): ISkillDetail | null {
    return this._detail;
  }

  get error(): string | null {
    return this._error;
  }

  get policy(): IPolicy {
    return this._policy();
  }

  get readOnly(): boolean {
    return !!this._detail?.managed;
  }

  /** The toggle is shown only for non-managed skills with a source. */
  get trackingToggleVisible(): boolean {
    const d = this._detail;
    return !!d && !d.managed && !!d.source;
  }

  get trackingToggleDisabled(): boolean {
    return !this.policy.allowGithubSkillImport || this._trackingBusy;
  }

  get trackingBusy(): boolean {
    return this._trackingBusy;
  }

  /** Tell listeners (the skills list) that the skill changed on disk. */
  notifyChanged(): void {
    this._skillChanged.emit();
  }

  async load(): Promise<void> {
    try {
      this._detail = await this.client.getSkill(this.scope, this.name);
      this._error = null;
    } catch (error) {
      this._error = errorMessage(error);
    }
    this._stateChanged.emit();
  }

  /**
   * Turn tracking on/off. The UI shows the new state at once; if the PUT
   * fails, the old state comes back and `trackingFailed` fires.
   */
  async setTracking(value: boolean): Promise<boolean> {
    const before = this._detail;
    if (!before || this._trackingBusy) {
      return false;
    }
    this._detail = { ...before, tracksUpstream: value };
    this._trackingBusy = true;
    this._stateChanged.emit();
    try {
      const updated = await this.client.updateSkill(this.scope, this.name, {
        tracksUpstream: value
      });
      this._detail = updated;
      this._skillChanged.emit();
      return true;
    } catch (error) {
      this._detail = before;
      const t = this._trans;
      this._trackingFailed.emit(
        value
          ? t.__(
              'Could not turn on tracking for %1: %2',
              this.name,
              errorMessage(error)
            )
          : t.__(
              'Could not turn off tracking for %1: %2',
              this.name,
              errorMessage(error)
            )
      );
      return false;
    } finally {
      this._trackingBusy = false;
      this._stateChanged.emit();
    }
  }

  private _stateChanged = new Signal<this, void>(this);
  private _trackingFailed = new Signal<this, string>(this);
  private _skillChanged = new Signal<this, void>(this);
  private _detail: ISkillDetail | null = null;
  private _error: string | null = null;
  private _trackingBusy = false;
  private _policy: () => IPolicy;
  private _trans: TranslationBundle;
}

export namespace SkillDetailModel {
  export interface IOptions {
    client: ISkillsClient;
    scope: Scope;
    name: string;
    policy: () => IPolicy;
    /** Messages of the model (e.g. a failed tracking toggle) in this bundle. */
    trans?: TranslationBundle;
  }
}
