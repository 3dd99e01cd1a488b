import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { ICreateRequest, Scope } from '../api';
import { ScopeDirs, scopeWithFolder } from '../scopeLabels';
import { TranslationBundle, bundle } from '../trans';
import { validateSkillName } from '../validate';

/** What the New skill dialog holds between attempts (kept after an error). */
export interface INewSkillState {
  scope: Scope;
  name: string;
  description: string;
  problem: string | null;
}

function NewSkillForm(props: {
  state: INewSkillState;
  scopes: ScopeDirs | null;
  trans: TranslationBundle;
  onChange: () => void;
}): JSX.Element {
  const { state, scopes, trans: t, onChange } = props;
  const nameError = state.name ? validateSkillName(state.name, t) : null;
  const set = (patch: Partial<INewSkillState>) => {
    Object.assign(state, patch);
    onChange();
  };
  return (
    <div className="jp-skills-new-form">
      <label className="jp-skills-field">
        <span className="jp-skills-label">{t.__('Name')}</span>
        <input
          className="jp-mod-styled jp-skills-new-name"
          type="text"
          aria-label={t.__('Skill name')}
          placeholder={t.__('lowercase-with-hyphens')}
          value={state.name}
          aria-invalid={nameError ? true : undefined}
          onChange={e => set({ name: e.target.value.trim() })}
        />
      </label>
      {nameError && (
        <div className="jp-skills-hint jp-skills-hint-error" role="alert">
          {nameError}
        </div>
      )}
      <label className="jp-skills-field">
        <span className="jp-skills-label">{t.__('Install for')}</span>
        <select
          className="jp-mod-styled jp-skills-new-scope"
          aria-label={t.__('Scope')}
          value={state.scope}
          onChange={e => set({ scope: e.target.value as Scope })}
        >
          <option value="user">{scopeWithFolder('user', scopes, t)}</option>
          <option value="project">
            {scopeWithFolder('project', scopes, t)}
          </option>
        </select>
      </label>
      <label className="jp-skills-field">
        <span className="jp-skills-label">{t.__('Description')}</span>
        <textarea
          className="jp-mod-styled jp-skills-new-description"
          aria-label={t.__('Description')}
          rows={3}
          maxLength={1024}
          placeholder={t.__(
            'What the skill does and when an agent should use it.'
          )}
          value={state.description}
          onChange={e => set({ description: e.target.value })}
        />
      </label>
      {state.problem && (
        <div className="jp-skills-error" role="alert">
          {state.problem}
        </div>
      )}
    </div>
  );
}

/** Body of the New skill dialog; its value is the create request. */
export class NewSkillBody
  extends ReactWidget
  implements Dialog.IBodyWidget<ICreateRequest | null>
{
  /**
   * `state` outlives the dialog: a retry after an error shows what was typed.
   * `scopes` are the configured folders (the list answer), shown per scope.
   */
  constructor(
    state: INewSkillState,
    options: { scopes?: ScopeDirs | null; trans?: TranslationBundle } = {}
  ) {
    super();
    this.addClass('jp-skills-new-dialog-body');
    this._state = state;
    this._scopes = options.scopes ?? null;
    this._trans = bundle(options.trans);
  }

  /** null while the form cannot be sent (the dialog then stays useful). */
  getValue(): ICreateRequest | null {
    const s = this._state;
    if (validateSkillName(s.name, this._trans) || !s.description.trim()) {
      return null;
    }
    return { scope: s.scope, name: s.name, description: s.description.trim() };
  }

  protected render(): JSX.Element {
    return (
      <NewSkillForm
        state={this._state}
        scopes={this._scopes}
        trans={this._trans}
        onChange={() => this.update()}
      />
    );
  }

  private _state: INewSkillState;
  private _scopes: ScopeDirs | null;
  private _trans: TranslationBundle;
}
