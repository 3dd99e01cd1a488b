/**
 * The main-area detail view of one skill: summary, tracking toggle and a
 * CodeMirror editor (JupyterLab's own) for SKILL.md and bundle files.
 */
import {
  Dialog,
  MainAreaWidget,
  Notification,
  ReactWidget,
  showDialog
} from '@jupyterlab/apputils';
import {
  CodeEditor,
  CodeEditorWrapper,
  IEditorServices
} from '@jupyterlab/codeeditor';
import { Message } from '@lumino/messaging';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { errorMessage } from './api';
import { DetailHeader } from './components/DetailHeader';
import { SkillDetailModel } from './detailModel';
import { skillsIcon } from './icons';

export const DETAIL_CLASS = 'jp-skills-detail';

class HeaderWidget extends ReactWidget {
  constructor(private readonly _owner: SkillDetailWidget) {
    super();
    this.addClass('jp-skills-detail-header-widget');
  }

  protected render(): JSX.Element {
    const owner = this._owner;
    return (
      <DetailHeader
        model={owner.model}
        currentPath={owner.currentPath}
        dirty={owner.dirty}
        onSelectFile={path => void owner.selectFile(path)}
        onSave={() => void owner.save()}
      />
    );
  }
}

export class SkillDetailWidget extends Panel {
  constructor(options: SkillDetailWidget.IOptions) {
    super();
    this.model = options.model;
    this.addClass(DETAIL_CLASS);
    this._editorServices = options.editorServices;

    this._header = new HeaderWidget(this);

    this._editorModel = new CodeEditor.Model({ mimeType: 'text/markdown' });
    this._editor = new CodeEditorWrapper({
      model: this._editorModel,
      factory: options.editorServices.factoryService.newDocumentEditor,
      editorOptions: { config: { lineNumbers: true, lineWrap: true } }
    });
    this._editor.addClass('jp-skills-editor');
    this._editorModel.sharedModel.changed.connect(this._onEdit, this);

    this.addWidget(this._header);
    this.addWidget(this._editor);

    this.model.stateChanged.connect(this._onModelChanged, this);
    this.model.skillChanged.connect(this._onSkillChanged, this);
    this.model.trackingFailed.connect((_, message) => {
      Notification.error(message, { autoClose: 8000 });
    });
  }

  readonly model: SkillDetailModel;

  /** Dirty state changes: the main-area wrapper marks its tab. */
  onDirtyChange: (dirty: boolean) => void = () => undefined;

  get dirty(): boolean {
    return this._dirty;
  }

  get currentPath(): string {
    return this._path;
  }

  async load(): Promise<void> {
    await this.model.load();
    if (this.model.detail) {
      await this._openFile(this._path);
    }
  }

  async selectFile(path: string): Promise<void> {
    if (path === this._path) {
      return;
    }
    if (this._dirty) {
      const result = await showDialog({
        title: 'Discard unsaved changes?',
        body: `${this._path} has unsaved changes.`,
        buttons: [
          Dialog.cancelButton(),
          Dialog.warnButton({ label: 'Discard' })
        ]
      });
      if (!result.button.accept) {
        this._renderHeader();
        return;
      }
    }
    await this._openFile(path);
  }

  async save(): Promise<void> {
    if (this.model.readOnly || !this._dirty || !this.model.detail) {
      return;
    }
    const content = this._editorModel.sharedModel.getSource();
    try {
      await this.model.client.writeFile(
        this.model.scope,
        this.model.name,
        this._path,
        content
      );
      this._saved = content;
      this._setDirty(false);
      Notification.success(`Saved ${this.model.name}/${this._path}`, {
        autoClose: 3000
      });
      await this.model.load();
      this.model.notifyChanged();
    } catch (error) {
      Notification.error(
        `Could not save ${this._path}: ${errorMessage(error)}`,
        { autoClose: 8000 }
      );
    }
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this._editor.editor.focus();
  }

  private async _openFile(path: string): Promise<void> {
    let content = '';
    try {
      content = await this.model.client.readFile(
        this.model.scope,
        this.model.name,
        path
      );
    } catch (error) {
      Notification.error(`Could not open ${path}: ${errorMessage(error)}`, {
        autoClose: 8000
      });
      return;
    }
    this._path = path;
    this._loading = true;
    this._editorModel.mimeType =
      this._editorServices.mimeTypeService.getMimeTypeByFilePath(path);
    this._editorModel.sharedModel.setSource(content);
    this._loading = false;
    this._saved = content;
    this._editor.editor.setOption('readOnly', this.model.readOnly);
    this._setDirty(false);
    this._renderHeader();
  }

  private _onEdit(): void {
    if (this._loading) {
      return;
    }
    this._setDirty(this._editorModel.sharedModel.getSource() !== this._saved);
  }

  private _setDirty(dirty: boolean): void {
    if (dirty !== this._dirty) {
      this._dirty = dirty;
      this.onDirtyChange(dirty);
      this._renderHeader();
    }
  }

  /**
   * The server rewrote the skill (e.g. the tracking toggle edits SKILL.md's
   * frontmatter): reload the open file unless the user has unsaved edits,
   * so a later save cannot write stale tracking keys back.
   */
  private _onSkillChanged(): void {
    if (this._dirty) {
      Notification.warning(
        `${this.model.name}/${this._path} changed on the server while you have unsaved edits.`,
        { autoClose: 8000 }
      );
      return;
    }
    void this._openFile(this._path);
  }

  private _onModelChanged(): void {
    this._editor.editor.setOption('readOnly', this.model.readOnly);
    this._renderHeader();
  }

  private _renderHeader(): void {
    this._header.update();
  }

  private _header: HeaderWidget;
  private _editor: CodeEditorWrapper;
  private _editorModel: CodeEditor.Model;
  private _editorServices: IEditorServices;
  private _path = 'SKILL.md';
  private _saved = '';
  private _dirty = false;
  private _loading = false;
}

export namespace SkillDetailWidget {
  export interface IOptions {
    model: SkillDetailModel;
    editorServices: IEditorServices;
  }
}

/** Wrap a detail widget for the main area; the tab shows the dirty marker. */
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
  content.onDirtyChange = dirty => {
    const classes = widget.title.className
      .split(' ')
      .filter(c => c && c !== 'jp-mod-dirty');
    if (dirty) {
      classes.push('jp-mod-dirty');
    }
    widget.title.className = classes.join(' ');
  };
  return widget;
}

export function detailWidgetId(scope: string, name: string): string {
  return `notebook-skills-detail-${scope}-${name}`;
}
