import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { ICreateRequest, Scope } from '../api';
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
  onChange: () => void;
}): JSX.Element {
  const { state, onChange } = props;
  const nameError = state.name ? validateSkillName(state.name) : null;
  const set = (patch: Partial<INewSkillState>) => {
    Object.assign(state, patch);
    onChange();
  };
  return (
    <div className="jp-skills-new-form">
      <label className="jp-skills-field">
        <span className="jp-skills-label">Name</span>
        <input
          className="jp-mod-styled jp-skills-new-name"
          type="text"
          aria-label="Skill name"
          placeholder="lowercase-with-hyphens"
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
        <span className="jp-skills-label">Install for</span>
        <select
          className="jp-mod-styled jp-skills-new-scope"
          aria-label="Scope"
          value={state.scope}
          onChange={e => set({ scope: e.target.value as Scope })}
        >
          <option value="user">User (~/.claude/skills)</option>
          <option value="project">Project (.claude/skills)</option>
        </select>
      </label>
      <label className="jp-skills-field">
        <span className="jp-skills-label">Description</span>
        <textarea
          className="jp-mod-styled jp-skills-new-description"
          aria-label="Description"
          rows={3}
          maxLength={1024}
          placeholder="What the skill does and when an agent should use it."
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
  /** `state` outlives the dialog: a retry after an error shows what was typed. */
  constructor(state: INewSkillState) {
    super();
    this.addClass('jp-skills-new-dialog-body');
    this._state = state;
  }

  /** null while the form cannot be sent (the dialog then stays useful). */
  getValue(): ICreateRequest | null {
    const s = this._state;
    if (validateSkillName(s.name) || !s.description.trim()) {
      return null;
    }
    return { scope: s.scope, name: s.name, description: s.description.trim() };
  }

  protected render(): JSX.Element {
    return <NewSkillForm state={this._state} onChange={() => this.update()} />;
  }

  private _state: INewSkillState;
}
