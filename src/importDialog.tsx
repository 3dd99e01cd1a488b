import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { ISkillsClient, Scope } from './api';
import { ImportForm } from './components/ImportForm';
import { IImportOutcome, ImportFormModel } from './importModel';
import { NULL_TRANS } from './validate';

const IMPORT_BUTTON = 1;

/**
 * A Dialog whose Import button (and Enter) previews first, then imports;
 * it closes only after an import, so server errors stay visible.
 */
class ImportDialog extends Dialog<IImportOutcome | null> {
  constructor(readonly form: ImportFormModel) {
    const trans = form.trans;
    super({
      title: trans.__('Import from GitHub'),
      body: ReactWidget.create(<ImportForm model={form} />),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({
          label: trans.__('Import'),
          ariaLabel: trans.__('Import')
        })
      ],
      defaultButton: IMPORT_BUTTON,
      focusNodeSelector: '.jp-skills-import-url'
    });
    this.addClass('jp-skills-import-dialog');
    form.stateChanged.connect(this._update, this);
  }

  resolve(index?: number): void {
    const i = index ?? IMPORT_BUTTON;
    if (i !== IMPORT_BUTTON) {
      super.resolve(i);
      return;
    }
    void this.form.submit().then(outcome => {
      if (outcome && outcome.imported.length) {
        this.outcome = outcome;
        super.resolve(IMPORT_BUTTON);
      }
    });
  }

  outcome: IImportOutcome | null = null;

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._update();
  }

  private _update(): void {
    const button = this.node.querySelector<HTMLButtonElement>(
      '.jp-Dialog-button.jp-mod-accept'
    );
    if (!button) {
      return;
    }
    const f = this.form;
    const trans = f.trans;
    // Before a preview, the Import button runs the preview.
    button.disabled = f.preview ? !f.canImport : !f.canPreview;
    button.title = f.preview ? '' : trans.__('Preview the source first');
    const n = f.selected.length;
    const label = !f.preview
      ? trans.__('Import')
      : f.existing.length && f.overwrite
        ? n > 1
          ? trans.__('Replace %1 skills', n)
          : trans.__('Replace')
        : n > 1
          ? trans.__('Import %1 skills', n)
          : trans.__('Import');
    const text = button.querySelector('.jp-Dialog-buttonLabel');
    if (text && text.textContent !== label) {
      text.textContent = label;
    }
    button.setAttribute('aria-label', label);
  }
}

/** Open the dialog; resolves with what was imported, or null if cancelled. */
export async function showImportDialog(
  client: ISkillsClient,
  options: {
    scope?: Scope;
    url?: string;
    githubUrl?: string;
    trans?: TranslationBundle;
  } = {}
): Promise<IImportOutcome | null> {
  const form = new ImportFormModel(
    client,
    options.scope ?? 'user',
    options.githubUrl,
    options.trans ?? NULL_TRANS
  );
  if (options.url) {
    form.url = options.url;
  }
  const dialog = new ImportDialog(form);
  await dialog.launch();
  const outcome = dialog.outcome;
  dialog.dispose();
  return outcome;
}
