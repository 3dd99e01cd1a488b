import { ReactWidget } from '@jupyterlab/apputils';
import { addIcon, downloadIcon, refreshIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { ISkill, Scope } from '../api';
import { skillsIcon, syncIcon } from '../icons';
import { SkillsModel } from '../model';
import { ISkillRowActions, SkillRow } from './SkillRow';
import { useModelState } from './useModelState';

export interface IPanelActions extends ISkillRowActions {
  importSkill(): void;
  syncAll(): void;
  refresh(): void;
  create(scope: Scope): void;
}

const SCOPE_LABELS: Record<Scope, string> = {
  user: 'User',
  project: 'Project'
};

function Section(props: {
  model: SkillsModel;
  scope: Scope;
  actions: IPanelActions;
}): JSX.Element {
  const { model, scope, actions } = props;
  const skills = model.inScope(scope);
  const headingId = `jp-skills-section-${scope}`;
  const dir = model.scopes[scope];
  return (
    <section
      className={`jp-skills-section jp-skills-section-${scope}`}
      aria-labelledby={headingId}
    >
      <h3 className="jp-skills-section-title" id={headingId} title={dir}>
        {SCOPE_LABELS[scope]}{' '}
        <span
          className="jp-skills-count"
          aria-label={`${skills.length} skills`}
        >
          {skills.length}
        </span>
      </h3>
      {skills.length === 0 ? (
        <div className="jp-skills-empty">
          No {scope} skills yet
          {dir ? (
            <>
              {' in '}
              <code>{dir}</code>
            </>
          ) : null}
          .
        </div>
      ) : (
        <ul
          className="jp-skills-list"
          aria-label={`${SCOPE_LABELS[scope]} skills`}
        >
          {skills.map((s: ISkill) => (
            <SkillRow
              key={s.name}
              skill={s}
              busy={model.isBusy(s)}
              importAllowed={model.importAllowed}
              actions={actions}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function ToolbarButton(props: {
  label: string;
  className: string;
  icon: typeof addIcon;
  text?: string;
  title?: string;
  disabled?: boolean;
  busy?: boolean;
  onClick: () => void;
}): JSX.Element {
  return (
    <button
      type="button"
      className={`jp-skills-toolbar-button ${props.className}${
        props.busy ? ' jp-mod-spinning' : ''
      }`}
      aria-label={props.label}
      title={props.title ?? props.label}
      disabled={props.disabled}
      aria-busy={props.busy ? true : undefined}
      onClick={props.onClick}
    >
      <props.icon.react tag="span" className="jp-skills-icon" />
      {props.text && (
        <span className="jp-skills-toolbar-text">{props.text}</span>
      )}
    </button>
  );
}

export function SkillsView(props: {
  model: SkillsModel;
  actions: IPanelActions;
}): JSX.Element {
  const { model, actions } = props;
  useModelState(model.changed);
  const tracking = model.trackingSkills.length;
  return (
    <div className="jp-skills-view">
      <div
        className="jp-skills-toolbar"
        role="toolbar"
        aria-label="Skills actions"
      >
        {model.importAllowed && (
          <ToolbarButton
            label="Import from GitHub"
            className="jp-skills-import-button"
            icon={downloadIcon}
            text="Import"
            onClick={actions.importSkill}
          />
        )}
        {tracking > 0 && (
          <ToolbarButton
            label="Sync tracking skills"
            className="jp-skills-sync-all"
            icon={syncIcon}
            text="Sync"
            title={
              model.importAllowed
                ? `Sync ${tracking} tracking skill${tracking === 1 ? '' : 's'}`
                : 'GitHub import is disabled by your administrator'
            }
            disabled={!model.importAllowed || model.syncingAll}
            busy={model.syncingAll}
            onClick={actions.syncAll}
          />
        )}
        <span className="jp-skills-toolbar-spacer" />
        <ToolbarButton
          label="New skill"
          className="jp-skills-new"
          icon={addIcon}
          onClick={() => actions.create('user')}
        />
        <ToolbarButton
          label="Refresh"
          className="jp-skills-refresh"
          icon={refreshIcon}
          onClick={actions.refresh}
        />
      </div>
      {model.error && (
        <div
          className={`jp-skills-error jp-skills-banner${
            model.extensionMissing ? ' jp-skills-extension-missing' : ''
          }`}
          role="alert"
        >
          {model.extensionMissing ? (
            <>
              The notebook-skills server extension is not enabled. Run{' '}
              <code>jupyter server extension enable notebook_skills</code> and
              restart JupyterLab.
            </>
          ) : (
            model.error
          )}
        </div>
      )}
      {!model.loaded ? (
        <div className="jp-skills-empty" role="status">
          Loading skills…
        </div>
      ) : model.extensionMissing ? null : (
        <div className="jp-skills-sections">
          <Section model={model} scope="user" actions={actions} />
          <Section model={model} scope="project" actions={actions} />
        </div>
      )}
    </div>
  );
}

/** The left sidebar panel. */
export class SkillsPanel extends ReactWidget {
  constructor(
    readonly model: SkillsModel,
    private readonly _actions: IPanelActions
  ) {
    super();
    this.id = 'notebook-skills-panel';
    this.addClass('jp-skills-panel');
    this.title.icon = skillsIcon;
    this.title.caption = 'Skills';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Skills');
  }

  protected render(): JSX.Element {
    return <SkillsView model={this.model} actions={this._actions} />;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setVisible(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setVisible(false);
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.setVisible(this.isVisible);
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.setVisible(false);
    super.onBeforeDetach(msg);
  }
}
