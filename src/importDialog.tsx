import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { ISkillsClient, Scope } from './api';
import { ImportForm } from './components/ImportForm';
import { IImportOutcome, ImportFormModel } from './importModel';

const IMPORT_BUTTON = 1;

/**
 * What the Import button says: the count of checked skills and, once
 * *Replace it* is ticked, how many of them replace an existing skill —
 * "Replace" only when every one does.
 */
export function importButtonLabel(f: ImportFormModel): string {
  const t = f.trans;
  const n = f.selected.length;
  if (!f.preview || n === 0) {
    return t.__('Import');
  }
  const replaced = f.overwrite ? f.existing.length : 0;
  if (replaced === 0) {
    return n > 1
      ? t._n('Import %1 skill', 'Import %1 skills', n)
      : t.__('Import');
  }
  if (replaced === n) {
    return n > 1
      ? t._n('Replace %1 skill', 'Replace %1 skills', n)
      : t.__('Replace');
  }
  return t._n(
    'Import %1 skill (replaces %2)',
    'Import %1 skills (replaces %2)',
    n,
    replaced
  );
}

/**
 * A Dialog whose Import button (and Enter) previews first, then imports;
 * it closes only after an import, so server errors stay visible.
 */
export class ImportDialog extends Dialog<IImportOutcome | null> {
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

  /**
   * Dialog re-enables its accept button on every `input` event (its own
   * :invalid check), and a checkbox fires `input` after React's click
   * handler ran: apply the form's state again after it.
   */
  handleEvent(event: Event): void {
    super.handleEvent(event);
    if (event.type === 'input') {
      this._update();
    }
  }

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
    // Before a preview, the Import button runs the preview. Dialog's own
    // check (an :invalid input) still counts.
    button.disabled =
      (f.preview ? !f.canImport : !f.canPreview) ||
      !!this.node.querySelector(':invalid, .jp-mod-error');
    button.title = f.preview ? '' : trans.__('Preview the source first');
    const label = importButtonLabel(f);
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
    options.trans
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
