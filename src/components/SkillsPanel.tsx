/**
 * The Skills sidebar panel: JupyterLab's toolbar over the list, the filter
 * box, the empty state and the load error banner.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import {
  CommandToolbarButton,
  Toolbar,
  UseSignal
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { ENABLE_COMMAND } from '../api';
import { CommandIDs } from '../commandIds';
import { skillsIcon } from '../icons';
import { SkillsModel } from '../model';
import { TranslationBundle, bundle, translateWithNodes } from '../trans';
import { IPanelActions, SkillsList } from './SkillsList';

export type { IPanelActions } from './SkillsList';

function EmptyState(props: {
  model: SkillsModel;
  actions: IPanelActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, actions, trans: t } = props;
  return (
    <div className="jp-skills-empty-state">
      <p className="jp-skills-empty-title">{t.__('No skills yet')}</p>
      <p>
        {translateWithNodes(
          t,
          'Skills are folders with a SKILL.md. User skills live in %1, project skills in %2.',
          <code>{model.scopes.user}</code>,
          <code>{model.scopes.project}</code>
        )}
      </p>
      <div className="jp-skills-empty-actions">
        {model.importAllowed && (
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-skills-empty-import"
            onClick={actions.importSkill}
          >
            {t.__('Import from GitHub')}
          </button>
        )}
        <button
          type="button"
          className="jp-mod-styled jp-skills-empty-new"
          onClick={() => actions.create('user')}
        >
          {t.__('New skill')}
        </button>
      </div>
    </div>
  );
}

export function SkillsView(props: {
  model: SkillsModel;
  actions: IPanelActions;
  trans?: TranslationBundle;
}): JSX.Element {
  const { model, actions } = props;
  const t = bundle(props.trans);
  return (
    <div className="jp-skills-view">
      {model.error && (
        <div
          className={`jp-skills-error jp-skills-banner${
            model.extensionMissing ? ' jp-skills-extension-missing' : ''
          }`}
          role="alert"
        >
          {model.extensionMissing
            ? translateWithNodes(
                t,
                'The notebook-skills server extension is not enabled. Run %1 and restart JupyterLab.',
                <code>{ENABLE_COMMAND}</code>
              )
            : model.error}
        </div>
      )}
      {!model.loaded ? (
        <div className="jp-skills-empty" role="status">
          {t.__('Loading skills…')}
        </div>
      ) : model.extensionMissing ? null : model.skills.length === 0 ? (
        <EmptyState model={model} actions={actions} trans={t} />
      ) : (
        <>
          <div className="jp-skills-filter">
            <input
              type="search"
              className="jp-mod-styled jp-skills-filter-input"
              aria-label={t.__('Filter skills')}
              placeholder={t.__('Filter skills')}
              value={model.filter}
              onChange={e => (model.filter = e.target.value)}
            />
          </div>
          <SkillsList model={model} actions={actions} trans={t} />
        </>
      )}
    </div>
  );
}

class SkillsBody extends ReactWidget {
  constructor(
    private readonly _model: SkillsModel,
    private readonly _actions: IPanelActions,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-skills-body');
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this._model.changed}>
        {() => (
          <SkillsView
            model={this._model}
            actions={this._actions}
            trans={this._trans}
          />
        )}
      </UseSignal>
    );
  }
}

/** The left sidebar panel: JupyterLab's toolbar over the list. */
export class SkillsPanel extends Panel {
  constructor(
    readonly model: SkillsModel,
    actions: IPanelActions,
    commands: CommandRegistry,
    trans?: TranslationBundle
  ) {
    super();
    const t = bundle(trans);
    this.id = 'notebook-skills-panel';
    this.addClass('jp-skills-panel');
    this.title.icon = skillsIcon;
    this.title.caption = t.__('Skills');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', t.__('Skills'));

    const toolbar = new Toolbar();
    toolbar.addClass('jp-skills-toolbar');
    toolbar.node.setAttribute('aria-label', t.__('Skills actions'));
    // Icon buttons: the product's names are their accessible names and
    // tooltips (the command captions), e.g. "Import from GitHub".
    const items: Array<[string, string]> = [
      ['import', CommandIDs.importSkill],
      ['sync-all', CommandIDs.syncAll],
      ['new', CommandIDs.create],
      ['refresh', CommandIDs.refresh]
    ];
    for (const [name, id] of items) {
      if (name === 'new') {
        toolbar.addItem('spacer', Toolbar.createSpacerItem());
      }
      toolbar.addItem(
        name,
        new CommandToolbarButton({ commands, id, label: '' })
      );
    }
    this.addWidget(toolbar);
    this.addWidget(new SkillsBody(model, actions, t));
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
