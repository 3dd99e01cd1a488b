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

export const DETAIL_CLASS = 'jp-skills-detail';

export class SkillDetailWidget extends ReactWidget {
  constructor(options: SkillDetailWidget.IOptions) {
    super();
    this.model = options.model;
    this._actions = options.actions;
    this.addClass(DETAIL_CLASS);
    this.model.trackingFailed.connect((_, message) => {
      Notification.error(message, { autoClose: 8000 });
    });
  }

  readonly model: SkillDetailModel;

  async load(): Promise<void> {
    await this.model.load();
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.stateChanged}>
        {() => <DetailHeader model={this.model} actions={this._actions} />}
      </UseSignal>
    );
  }

  private _actions: IDetailActions;
}

export namespace SkillDetailWidget {
  export interface IOptions {
    model: SkillDetailModel;
    actions: IDetailActions;
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
  widget.title.caption = `Skill ${name} (${scope})`;
  widget.title.icon = skillsIcon;
  widget.title.closable = true;
  return widget;
}

export function detailWidgetId(scope: string, name: string): string {
  return `notebook-skills-detail-${scope}-${name}`;
}
