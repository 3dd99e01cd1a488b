import {
  act,
  fireEvent,
  render,
  screen,
  waitFor
} from '@testing-library/react';
import * as React from 'react';

import { SkillsApiError } from '../api';
import { checked, disabled, value } from './dom';
import { ImportForm } from '../components/ImportForm';
import { ImportDialog, importButtonLabel } from '../importDialog';
import { ImportFormModel } from '../importModel';
import { SHA, candidate, detail, fakeClient, preview } from './fixtures';

function setup(overrides: Parameters<typeof fakeClient>[0] = {}) {
  const client = fakeClient(overrides);
  const model = new ImportFormModel(client);
  render(<ImportForm model={model} />);
  return { client, model };
}

async function flush(): Promise<void> {
  await act(async () => {
    await Promise.resolve();
  });
}

function typeUrl(url: string): void {
  fireEvent.change(screen.getByLabelText('GitHub URL'), {
    target: { value: url }
  });
}

describe('Import from GitHub dialog', () => {
  it('validates the URL inline and gates Preview', () => {
    setup();
    const previewButton = screen.getByRole('button', { name: 'Preview' });
    expect(disabled(previewButton)).toBe(true);

    typeUrl('not a url');
    expect(screen.getByRole('alert').textContent).toMatch(
      /Not a GitHub skill URL/
    );
    expect(
      screen.getByLabelText('GitHub URL').getAttribute('aria-invalid')
    ).toBe('true');
    expect(disabled(previewButton)).toBe(true);

    typeUrl('https://github.com/acme/skills/tree/main/skills/csv-helper');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(disabled(previewButton)).toBe(false);

    typeUrl('https://ghe.corp.example/acme/skills');
    expect(disabled(previewButton)).toBe(false);
  });

  it('shows the preview: name, description, files; Track upstream off by default', async () => {
    const { client } = setup({
      previewImport: jest.fn().mockResolvedValue(preview([candidate()]))
    });
    typeUrl('acme/skills/skills/csv-helper');
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await flush();
    expect(client.previewImport).toHaveBeenCalledWith(
      'acme/skills/skills/csv-helper'
    );
    expect(screen.getByText('csv-helper')).toBeTruthy();
    expect(screen.getByText('Work with CSV files')).toBeTruthy();
    expect(screen.getByText('scripts/clean.py')).toBeTruthy();
    const track = screen.getByRole('checkbox', { name: 'Track upstream' });
    expect(checked(track)).toBe(false);
    expect(screen.queryByRole('checkbox', { name: 'Replace it' })).toBeNull();
  });

  it('warns when the skill exists and requires Overwrite', async () => {
    const { model } = setup({
      previewImport: jest
        .fn()
        .mockResolvedValue(
          preview([candidate({ exists: { user: true, project: false } })])
        )
    });
    typeUrl('acme/skills');
    await act(() => model.runPreview());
    expect(screen.getByText(/already exists/)).toBeTruthy();
    const overwrite = screen.getByRole('checkbox', { name: 'Replace it' });
    expect(model.canImport).toBe(false);
    fireEvent.click(overwrite);
    expect(model.canImport).toBe(true);

    // The other scope has no such skill: no warning there.
    fireEvent.change(screen.getByLabelText('Scope'), {
      target: { value: 'project' }
    });
    expect(screen.queryByRole('checkbox', { name: 'Replace it' })).toBeNull();
    expect(model.canImport).toBe(true);
  });

  it('keeps a server error visible in the dialog', async () => {
    const { model } = setup({
      previewImport: jest
        .fn()
        .mockRejectedValue(
          new SkillsApiError(
            502,
            'GitHub rate limit exceeded; resets at 12:34 UTC'
          )
        )
    });
    typeUrl('acme/skills');
    await act(() => model.runPreview());
    expect(screen.getByRole('alert').textContent).toBe(
      'GitHub rate limit exceeded; resets at 12:34 UTC'
    );
    expect(value(screen.getByLabelText('GitHub URL'))).toBe('acme/skills');
  });

  it('shows an import error (host not allowed) and stays usable', async () => {
    const importSkill = jest
      .fn()
      .mockRejectedValueOnce(
        new SkillsApiError(400, 'Host not allowed: evil.example')
      )
      .mockResolvedValueOnce(detail());
    const { model } = setup({
      previewImport: jest.fn().mockResolvedValue(preview([candidate()])),
      importSkill
    });
    typeUrl('https://evil.example/acme/skills');
    await act(() => model.runPreview());
    let result = await act(() => model.submit());
    expect(result).toBeNull();
    expect(screen.getByRole('alert').textContent).toBe(
      'Host not allowed: evil.example'
    );
    result = await act(() => model.submit());
    expect(result?.imported.map(d => d.name)).toEqual(['csv-helper']);
    expect(result?.replaced).toEqual([]);
  });

  it('sends Track upstream, name override and scope', async () => {
    const importSkill = jest.fn().mockResolvedValue(detail());
    const { model } = setup({
      previewImport: jest.fn().mockResolvedValue(preview([candidate()])),
      importSkill
    });
    typeUrl('https://github.com/acme/skills/tree/main/skills/csv-helper');
    await act(() => model.runPreview());
    fireEvent.click(screen.getByRole('checkbox', { name: 'Track upstream' }));
    fireEvent.change(screen.getByLabelText('Name override'), {
      target: { value: 'csv' }
    });
    fireEvent.change(screen.getByLabelText('Scope'), {
      target: { value: 'project' }
    });
    await act(() => model.submit());
    expect(importSkill).toHaveBeenCalledWith({
      url: 'https://github.com/acme/skills/tree/main/skills/csv-helper',
      scope: 'project',
      name: 'csv',
      tracksUpstream: true,
      overwrite: undefined,
      // the commit the preview showed: installed however late the click
      sha: SHA
    });
  });

  it('validates the name override', async () => {
    const { model } = setup({
      previewImport: jest.fn().mockResolvedValue(preview([candidate()]))
    });
    typeUrl('acme/skills');
    await act(() => model.runPreview());
    fireEvent.change(screen.getByLabelText('Name override'), {
      target: { value: 'Bad Name' }
    });
    expect(screen.getByRole('alert').textContent).toMatch(/lowercase/);
    expect(model.canImport).toBe(false);
  });

  it('lets the user pick one of several candidates and imports its tree URL', async () => {
    const importSkill = jest
      .fn()
      .mockResolvedValue(detail({ name: 'pdf-tools' }));
    const { model } = setup({
      previewImport: jest.fn().mockResolvedValue(
        preview([
          candidate(),
          candidate({
            name: 'pdf-tools',
            path: 'skills/pdf-tools',
            files: ['SKILL.md']
          })
        ])
      ),
      importSkill
    });
    typeUrl('https://ghe.corp.example/acme/skills');
    await act(() => model.runPreview());
    fireEvent.click(screen.getByRole('checkbox', { name: 'Import pdf-tools' }));
    await act(() => model.submit());
    expect(importSkill.mock.calls[0][0].url).toBe(
      'https://ghe.corp.example/acme/skills/tree/main/skills/pdf-tools'
    );
    expect(importSkill.mock.calls[0][0].tracksUpstream).toBe(false);
  });

  it('previews first when submitted without a preview', async () => {
    const previewImport = jest.fn().mockResolvedValue(preview([candidate()]));
    const { model, client } = setup({ previewImport });
    typeUrl('acme/skills');
    await act(() => model.submit());
    expect(previewImport).toHaveBeenCalled();
    expect(client.importSkill).not.toHaveBeenCalled();
    // Editing the URL invalidates the preview.
    typeUrl('acme/other');
    expect(model.preview).toBeNull();
  });

  it('answers http:// with "https only"', () => {
    setup();
    typeUrl('http://github.com/acme/skills');
    expect(screen.getByRole('alert').textContent).toMatch(/^https only/);
    expect(disabled(screen.getByRole('button', { name: 'Preview' }))).toBe(
      true
    );
  });

  it('builds its hints from the configured host', () => {
    const model = new ImportFormModel(
      fakeClient(),
      'user',
      'https://ghe.corp.example'
    );
    render(<ImportForm model={model} />);
    expect(
      screen.getByLabelText('GitHub URL').getAttribute('placeholder')
    ).toBe('https://ghe.corp.example/owner/repo/tree/main/skills/csv-helper');
    expect(
      screen.getByText(/Accepted: https:\/\/ghe\.corp\.example\/owner\/repo/)
    ).toBeTruthy();
    expect(document.body.textContent).not.toContain('github.com');
  });

  it('imports several skills of one source at once, with select all', async () => {
    const importSkills = jest.fn().mockResolvedValue({
      skills: [detail(), detail({ name: 'pdf-tools' })],
      errors: []
    });
    const { model, client } = setup({
      previewImport: jest
        .fn()
        .mockResolvedValue(
          preview([
            candidate(),
            candidate({ name: 'pdf-tools', path: 'skills/pdf-tools' }),
            candidate({ name: 'plot-style', path: 'skills/plot-style' })
          ])
        ),
      importSkills
    });
    typeUrl('acme/skills');
    await act(() => model.runPreview());
    expect(model.canImport).toBe(false); // nothing checked yet
    fireEvent.click(screen.getByRole('checkbox', { name: /Select all/ }));
    expect(model.selected).toHaveLength(3);
    fireEvent.click(
      screen.getByRole('checkbox', { name: 'Import plot-style' })
    );
    expect(
      screen.getByRole('checkbox', { name: /Select all/ }).textContent
    ).toBe('');
    expect(disabled(screen.getByLabelText('Name override'))).toBe(true);
    const result = await act(() => model.submit());
    expect(client.importSkill).not.toHaveBeenCalled();
    expect(importSkills).toHaveBeenCalledWith({
      url: 'acme/skills',
      scope: 'user',
      tracksUpstream: false,
      overwrite: undefined,
      paths: ['skills/csv-helper', 'skills/pdf-tools'],
      sha: SHA
    });
    expect(result?.imported).toHaveLength(2);
  });

  it('replacing keeps the existing tracking state unless the box is touched, and says Replaced', async () => {
    const importSkill = jest.fn().mockResolvedValue(detail());
    const { model } = setup({
      previewImport: jest
        .fn()
        .mockResolvedValue(
          preview([candidate({ exists: { user: true, project: false } })])
        ),
      importSkill
    });
    typeUrl('acme/skills');
    await act(() => model.runPreview());
    expect(screen.getByText(/keeps each existing skill/)).toBeTruthy();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Replace it' }));
    const result = await act(() => model.submit());
    expect(importSkill.mock.calls[0][0].tracksUpstream).toBeNull();
    expect(importSkill.mock.calls[0][0].overwrite).toBe(true);
    expect(result?.replaced).toEqual(['csv-helper']);

    fireEvent.click(screen.getByRole('checkbox', { name: 'Track upstream' }));
    await act(() => model.submit());
    expect(importSkill.mock.calls[1][0].tracksUpstream).toBe(true);
  });

  it('the Import button counts the checked skills and the replacements truthfully', async () => {
    const { model } = setup({
      previewImport: jest
        .fn()
        .mockResolvedValue(
          preview([
            candidate({ exists: { user: true, project: false } }),
            candidate({ name: 'plot-style', path: 'skills/plot-style' })
          ])
        )
    });
    const label = () => importButtonLabel(model);
    expect(label()).toBe('Import'); // before a preview it previews
    typeUrl('acme/data-skills');
    await act(() => model.runPreview());
    expect(label()).toBe('Import');
    fireEvent.click(screen.getByRole('checkbox', { name: /Select all/ }));
    // csv-helper exists: the button waits for Replace it
    expect(
      screen.getByText('A user skill named “csv-helper” already exists.')
    ).toBeTruthy();
    expect(label()).toBe('Import 2 skills');
    expect(model.canImport).toBe(false);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Replace it' }));
    expect(model.canImport).toBe(true);
    expect(label()).toBe('Import 2 skills (replaces 1)');
    fireEvent.click(
      screen.getByRole('checkbox', { name: 'Import plot-style' })
    );
    expect(label()).toBe('Replace'); // the one checked skill replaces
    fireEvent.click(
      screen.getByRole('checkbox', { name: 'Import plot-style' })
    );
    fireEvent.click(
      screen.getByRole('checkbox', { name: 'Import csv-helper' })
    );
    expect(label()).toBe('Import'); // plot-style alone is new
  });

  it('says Replace N skills when every checked skill replaces one', async () => {
    const exists = { user: true, project: false };
    const { model } = setup({
      previewImport: jest
        .fn()
        .mockResolvedValue(
          preview([
            candidate({ exists }),
            candidate({ name: 'plot-style', path: 'skills/plot-style', exists })
          ])
        )
    });
    typeUrl('acme/data-skills');
    await act(() => model.runPreview());
    fireEvent.click(screen.getByRole('checkbox', { name: /Select all/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Replace them' }));
    expect(importButtonLabel(model)).toBe('Replace 2 skills');
  });

  it('the dialog keeps Import disabled after a checkbox’s input event', async () => {
    const client = fakeClient({
      previewImport: jest
        .fn()
        .mockResolvedValue(
          preview([
            candidate({ exists: { user: true, project: false } }),
            candidate({ name: 'plot-style', path: 'skills/plot-style' })
          ])
        )
    });
    const form = new ImportFormModel(client);
    form.url = 'acme/data-skills';
    await form.runPreview();
    const dialog = new ImportDialog(form);
    void dialog.launch();
    await waitFor(() => expect(dialog.isAttached).toBe(true));
    const button = dialog.node.querySelector(
      '.jp-Dialog-button.jp-mod-accept'
    ) as HTMLButtonElement;
    // what a click on Select all does: React's handler, then an input event
    form.setAllChecked(true);
    fireEvent.input(dialog.node);
    expect(button.textContent).toBe('Import 2 skills');
    expect(button.disabled).toBe(true); // csv-helper exists: Replace it first
    form.overwrite = true;
    fireEvent.input(dialog.node);
    expect(button.textContent).toBe('Import 2 skills (replaces 1)');
    expect(button.disabled).toBe(false);
    form.setAllChecked(false);
    fireEvent.input(dialog.node);
    expect(button.disabled).toBe(true); // nothing checked
    dialog.reject();
    dialog.dispose();
  });
});
