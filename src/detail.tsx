/**
 * The main-area detail view of one skill: frontmatter summary, source link,
 * tracking toggle and actions (Sync, Rename, Delete). Files open in
 * JupyterLab's own file editor through the skills contents drive.
 */
import {
  MainAreaWidget,
  Notification,
  ReactWidget
} from '@jupyterlab/apputils';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { DetailHeader, IDetailActions } from './components/DetailHeader';
import { SkillDetailModel } from './detailModel';
import { skillsIcon } from './icons';
import { TranslationBundle, bundle } from './trans';

export const DETAIL_CLASS = 'jp-skills-detail';

export class SkillDetailWidget extends ReactWidget {
  constructor(options: SkillDetailWidget.IOptions) {
    super();
    this.model = options.model;
    this.trans = bundle(options.trans);
    this._actions = options.actions;
    this.addClass(DETAIL_CLASS);
    this.model.trackingFailed.connect((_, message) => {
      Notification.error(message, { autoClose: 8000 });
    });
  }

  readonly model: SkillDetailModel;
  readonly trans: TranslationBundle;

  async load(): Promise<void> {
    await this.model.load();
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.stateChanged}>
        {() => (
          <DetailHeader
            model={this.model}
            actions={this._actions}
            trans={this.trans}
          />
        )}
      </UseSignal>
    );
  }

  private _actions: IDetailActions;
}

export namespace SkillDetailWidget {
  export interface IOptions {
    model: SkillDetailModel;
    actions: IDetailActions;
    trans?: TranslationBundle;
  }
}

export function createDetailMainArea(
  content: SkillDetailWidget
): MainAreaWidget<SkillDetailWidget> {
  const widget = new MainAreaWidget({ content });
  const { scope, name } = content.model;
  widget.id = detailWidgetId(scope, name);
  widget.addClass('jp-skills-detail-panel');
  widget.title.label = name;
  const t = content.trans;
  widget.title.caption =
    scope === 'project'
      ? t.__('Skill %1 (project)', name)
      : t.__('Skill %1 (user)', name);
  widget.title.icon = skillsIcon;
  widget.title.closable = true;
  return widget;
}

export function detailWidgetId(scope: string, name: string): string {
  return `notebook-skills-detail-${scope}-${name}`;
}
