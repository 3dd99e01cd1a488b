import { showDialog as realShowDialog } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { render } from '@testing-library/react';

import { importedMessage, showImportFailures } from '../importNotices';

jest.mock('@jupyterlab/apputils', () => {
  const actual = jest.requireActual('@jupyterlab/apputils');
  return { ...actual, showDialog: jest.fn() };
});
const showDialog = realShowDialog as unknown as jest.Mock;
const trans = nullTranslator.load('notebook-skills');

describe('after Import from GitHub', () => {
  it('lists every skill that could not be imported on its own line', () => {
    showImportFailures(trans, [
      { path: 'skills/a', message: 'no SKILL.md there' },
      { path: 'skills/b', message: "'b' already exists in user skills" }
    ]);
    const options = showDialog.mock.calls[0][0];
    expect(options.title).toBe('Import from GitHub');
    // a list, not one '\n'-joined string that a <span> runs together
    const { container } = render(options.body);
    const items = Array.from(container.querySelectorAll('ul > li')).map(
      li => li.textContent
    );
    expect(items).toEqual([
      'skills/a: no SKILL.md there',
      "skills/b: 'b' already exists in user skills"
    ]);
    expect(options.buttons.map((b: { label: string }) => b.label)).toEqual([
      'Close'
    ]);
  });

  it('says Imported or Replaced in whole sentences', () => {
    const s = { name: 'csv-helper', scope: 'user' as const };
    expect(importedMessage(trans, { ...s, tracksUpstream: true }, false)).toBe(
      'Imported csv-helper in user skills (tracking upstream)'
    );
    expect(
      importedMessage(
        trans,
        { ...s, scope: 'project', tracksUpstream: false },
        true
      )
    ).toBe('Replaced csv-helper in project skills');
  });
});
