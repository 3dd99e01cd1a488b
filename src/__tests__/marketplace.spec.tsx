import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  ICandidate,
  IPlugin,
  IPreview,
  ISkillDetail,
  SkillsApiError
} from '../api';
import { DetailHeader } from '../components/DetailHeader';
import { ImportForm } from '../components/ImportForm';
import { SkillDetailModel } from '../detailModel';
import { MarketplaceLine } from '../components/MarketplaceLine';
import { ImportFormModel } from '../importModel';
import { mergePlugin, pluginGroups } from '../pluginGroups';
import { urlHelp } from '../validate';
import { checked, disabled } from './dom';
import { SHA, candidate, detail, fakeClient } from './fixtures';

const URL = 'https://github.com/acme/plugin-market';

function plugin(partial: Partial<IPlugin> & { name: string }): IPlugin {
  return {
    description: '',
    source: {
      kind: 'local',
      owner: null,
      repo: null,
      path: `plugins/${partial.name}`,
      ref: null,
      sha: null
    },
    skills: [],
    error: null,
    ...partial
  };
}

function skillOf(pluginName: string | null, name: string): ICandidate {
  const path = `skills/${name}`;
  return candidate({
    id: pluginName ? `${pluginName}:${path}` : path,
    path,
    name,
    description: `The ${name} skill`,
    plugin: pluginName
  });
}

const csv = skillOf('data-tools', 'csv-profile');
const plot = skillOf('data-tools', 'plot-house');
const loose = skillOf(null, 'template-skill');
/** The commit the external plugin 'reports' is pinned to (not the marketplace's). */
const REPORTS_SHA = '2b'.repeat(20);
const weekly = skillOf('reports', 'weekly-report');
const monthly = skillOf('reports', 'monthly-report');

function market(): IPreview {
  return {
    source: {
      kind: 'marketplace',
      owner: 'acme',
      repo: 'plugin-market',
      ref: 'main',
      sha: SHA
    },
    skills: [csv, plot, loose],
    plugins: [
      plugin({
        name: 'data-tools',
        description: 'CSV and plotting helpers',
        skills: [csv.id, plot.id]
      }),
      plugin({
        name: 'reports',
        description: 'Status reports',
        source: {
          kind: 'url',
          owner: 'partner',
          repo: 'report-skills',
          path: null,
          ref: null,
          sha: REPORTS_SHA
        },
        skills: null
      })
    ],
    errors: [
      { plugin: 'npm-thing', path: null, message: 'npm is not supported' },
      { plugin: null, path: 'broken', message: 'SKILL.md cannot be parsed' }
    ]
  };
}

/** What the server answers for `{url, plugin: 'reports'}`. */
function reportsAnswer(): IPreview {
  return {
    ...market(),
    skills: [weekly, monthly],
    plugins: [
      plugin({
        name: 'reports',
        description: 'Status reports',
        source: market().plugins[1].source,
        skills: [weekly.id, monthly.id]
      })
    ],
    errors: [
      {
        plugin: 'reports',
        path: 'skills/yearly',
        message: "plugin 'reports': no SKILL.md at 'skills/yearly'"
      }
    ]
  };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function setup(overrides: Parameters<typeof fakeClient>[0] = {}) {
  const previewImport =
    (overrides.previewImport as jest.Mock | undefined) ??
    jest.fn((url: string, name?: string | null) =>
      Promise.resolve(name ? reportsAnswer() : market())
    );
  const client = fakeClient({ ...overrides, previewImport });
  const model = new ImportFormModel(client);
  render(<ImportForm model={model} />);
  fireEvent.change(screen.getByLabelText('GitHub URL'), {
    target: { value: URL }
  });
  await act(() => model.runPreview());
  return { client, model, previewImport };
}

function group(name: string): HTMLElement {
  const li = document.querySelector<HTMLElement>(
    `li.jp-skills-plugin[data-plugin="${name}"]`
  );
  if (!li) {
    throw new Error(`no group ${name}`);
  }
  return li;
}

function pluginBox(name: string): HTMLInputElement {
  return screen.getByRole('checkbox', {
    name: `Import every skill of ${name}`
  }) as HTMLInputElement;
}

async function expand(name: string): Promise<void> {
  await act(async () => {
    fireEvent.click(within(group(name)).getByRole('button', { name }));
  });
}

describe('marketplace preview', () => {
  it('shows plugins as groups: name, description, source kind, skill count', async () => {
    await setup();
    const data = group('data-tools');
    expect(data.textContent).toContain('CSV and plotting helpers');
    expect(data.querySelector('.jp-skills-plugin-kind')?.textContent).toBe(
      'local'
    );
    expect(data.querySelector('.jp-skills-plugin-count')?.textContent).toBe(
      '2 skills'
    );
    const reports = group('reports');
    expect(reports.querySelector('.jp-skills-plugin-kind')?.textContent).toBe(
      'url'
    );
    expect(reports.textContent).toContain('partner/report-skills @ 2b2b2b2');
    expect(reports.querySelector('.jp-skills-plugin-count')?.textContent).toBe(
      'skills not loaded yet'
    );
    // collapsed: no skill rows yet, and an unresolved plugin cannot be checked
    expect(screen.queryByRole('checkbox', { name: 'Import csv-profile' })).toBe(
      null
    );
    expect(disabled(pluginBox('reports'))).toBe(true);
    const toggle = within(data).getByRole('button', { name: 'data-tools' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await expand('data-tools');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(
      screen.getByRole('checkbox', { name: 'Import csv-profile' })
    ).toBeTruthy();
  });

  it('resolves an external plugin on expand, with a spinner, once', async () => {
    const pending = deferred<IPreview>();
    const previewImport = jest.fn((url: string, name?: string | null) =>
      name ? pending.promise : Promise.resolve(market())
    );
    const { model } = await setup({ previewImport });
    await expand('reports');
    // the marketplace as the first preview showed it (its commit), not as it is now
    expect(previewImport).toHaveBeenLastCalledWith(URL, 'reports', SHA);
    expect(model.plugins.isResolving('reports')).toBe(true);
    expect(group('reports').getAttribute('aria-busy')).toBe('true');
    expect(within(group('reports')).getByRole('status').textContent).toContain(
      'Loading the skills of reports'
    );

    await act(async () => pending.resolve(reportsAnswer()));
    expect(model.plugins.isResolving('reports')).toBe(false);
    expect(within(group('reports')).queryByRole('status')).toBeNull();
    expect(
      group('reports').querySelector('.jp-skills-plugin-count')?.textContent
    ).toBe('2 skills');
    expect(model.candidates.map(c => c.id)).toContain(weekly.id);
    expect(disabled(pluginBox('reports'))).toBe(false);

    // closing and opening again does not ask again
    await expand('reports');
    await expand('reports');
    expect(previewImport).toHaveBeenCalledTimes(2);
  });

  it('shows a failed resolution in its group and retries on the next open', async () => {
    const previewImport = jest
      .fn()
      .mockResolvedValueOnce(market())
      .mockRejectedValueOnce(new SkillsApiError(502, 'GitHub rate limit'))
      .mockResolvedValueOnce(reportsAnswer());
    const { model } = await setup({ previewImport });
    await expand('reports');
    expect(within(group('reports')).getByRole('alert').textContent).toBe(
      'GitHub rate limit'
    );
    expect(model.preview?.plugins[1].skills).toBeNull();
    await expand('reports'); // close
    await expand('reports'); // open: asks again
    expect(previewImport).toHaveBeenCalledTimes(3);
    expect(model.plugins.resolveError('reports')).toBeNull();
    expect(model.preview?.plugins[1].skills).toEqual([weekly.id, monthly.id]);
  });

  it('drops an answer for a preview that was replaced meanwhile', async () => {
    const pending = deferred<IPreview>();
    const previewImport = jest.fn((url: string, name?: string | null) =>
      name ? pending.promise : Promise.resolve(market())
    );
    const { model } = await setup({ previewImport });
    await expand('reports');
    await act(async () => {
      model.url = 'https://github.com/acme/other';
    });
    // a new preview is showing (same plugins) when the old answer arrives
    await act(() => model.runPreview());
    expect(model.preview).not.toBeNull();
    await act(async () => pending.resolve(reportsAnswer()));
    expect(model.candidates.map(c => c.id)).not.toContain(weekly.id);
    expect(model.preview?.plugins[1].skills).toBeNull();
    expect(model.plugins.isResolving('reports')).toBe(false);
  });

  it('has a tri-state checkbox per plugin', async () => {
    const { model } = await setup();
    await expand('data-tools');
    const box = pluginBox('data-tools');
    expect(checked(box)).toBe(false);
    expect(box.indeterminate).toBe(false);

    fireEvent.click(
      screen.getByRole('checkbox', { name: 'Import plot-house' })
    );
    expect(checked(box)).toBe(false);
    expect(box.indeterminate).toBe(true);
    expect(model.pluginState(model.plugins.groups[0])).toBe('some');

    fireEvent.click(box); // some → all
    expect(box.indeterminate).toBe(false);
    expect(checked(box)).toBe(true);
    expect(model.selected.map(c => c.id)).toEqual([csv.id, plot.id]);

    fireEvent.click(box); // all → none
    expect(checked(box)).toBe(false);
    expect(model.selected).toEqual([]);
  });

  it('filters plugins and skills', async () => {
    const { model } = await setup();
    await expand('reports');
    const filter = screen.getByRole('searchbox', {
      name: 'Filter plugins and skills'
    });
    fireEvent.change(filter, { target: { value: 'weekly' } });
    // only the matching skill of the matching group, opened to show it
    const shown = Array.from(
      document.querySelectorAll<HTMLElement>('li.jp-skills-plugin')
    ).map(li => li.dataset.plugin);
    expect(shown).toEqual(['reports']);
    expect(
      screen.getByRole('checkbox', { name: 'Import weekly-report' })
    ).toBeTruthy();
    expect(
      screen.queryByRole('checkbox', { name: 'Import monthly-report' })
    ).toBeNull();

    // Select all acts on what is shown
    fireEvent.click(screen.getByRole('checkbox', { name: /Select all shown/ }));
    expect(model.selected.map(c => c.id)).toEqual([weekly.id]);

    // a plugin's own name or description shows all of it
    fireEvent.change(filter, { target: { value: 'plotting' } });
    expect(model.plugins.groups.map(g => g.key)).toEqual(['data-tools']);
    expect(model.plugins.groups[0].visible).toHaveLength(2);

    fireEvent.change(filter, { target: { value: 'zzz' } });
    expect(screen.getByText('No plugin or skill matches “zzz”.')).toBeTruthy();
  });

  it('lists errors under their plugin, and the others below', async () => {
    const previewImport = jest.fn((url: string, name?: string | null) => {
      if (!name) {
        const p = market();
        p.plugins[0].error = "plugin 'data-tools': folder is gone";
        return Promise.resolve(p);
      }
      return Promise.resolve(reportsAnswer());
    });
    await setup({ previewImport });
    // Plugin.error, visible while the group is closed
    expect(group('data-tools').textContent).toContain(
      "plugin 'data-tools': folder is gone"
    );
    // a plugin the server refused: its own group, never importable
    const npm = group('npm-thing');
    expect(npm.textContent).toContain('npm is not supported');
    expect(npm.textContent).toContain('not importable');
    expect(disabled(pluginBox('npm-thing'))).toBe(true);
    // an error naming no plugin is still shown
    const others = document.querySelector('.jp-skills-plugin-unattached');
    expect(others?.textContent).toBe('broken: SKILL.md cannot be parsed');
    // errors answered when the plugin is resolved land in its group
    await expand('reports');
    expect(group('reports').textContent).toContain(
      "plugin 'reports': no SKILL.md at 'skills/yearly'"
    );
    expect(others?.textContent).not.toContain('yearly');
  });

  it('imports one checked skill by id, with a name override', async () => {
    const importSkills = jest.fn().mockResolvedValue({
      skills: [detail({ name: 'team-weekly' })],
      errors: []
    });
    const { model, client } = await setup({ importSkills });
    await expand('reports');
    fireEvent.click(
      screen.getByRole('checkbox', { name: 'Import weekly-report' })
    );
    fireEvent.click(screen.getByRole('checkbox', { name: 'Track upstream' }));
    fireEvent.change(screen.getByLabelText('Name override'), {
      target: { value: 'team-weekly' }
    });
    const outcome = await act(() => model.submit());
    expect(client.importSkill).not.toHaveBeenCalled();
    expect(importSkills).toHaveBeenCalledWith({
      url: URL,
      scope: 'user',
      name: 'team-weekly',
      tracksUpstream: true,
      overwrite: undefined,
      paths: [weekly.id],
      sha: SHA,
      pluginShas: { reports: REPORTS_SHA }
    });
    expect(outcome?.imported.map(d => d.name)).toEqual(['team-weekly']);
  });

  it('imports skills of two plugins in one call, each by id', async () => {
    const importSkills = jest.fn().mockResolvedValue({
      skills: [detail({ name: 'csv-profile' }), detail({ name: 'weekly' })],
      errors: []
    });
    const { model } = await setup({ importSkills });
    await expand('data-tools');
    await expand('reports');
    fireEvent.click(
      screen.getByRole('checkbox', { name: 'Import csv-profile' })
    );
    fireEvent.click(
      screen.getByRole('checkbox', { name: 'Import weekly-report' })
    );
    expect(disabled(screen.getByLabelText('Name override'))).toBe(true);
    await act(() => model.submit());
    expect(importSkills.mock.calls[0][0].paths).toEqual([csv.id, weekly.id]);
    expect(importSkills.mock.calls[0][0].name).toBeUndefined();
    // exactly the previewed commits: the marketplace's, and the external plugin's pin
    expect(importSkills.mock.calls[0][0].sha).toBe(SHA);
    expect(importSkills.mock.calls[0][0].pluginShas).toEqual({
      reports: REPORTS_SHA
    });
  });

  it('keeps a marketplace whose plugins are all external importable', async () => {
    const onlyExternal = market();
    onlyExternal.skills = [];
    onlyExternal.plugins = [onlyExternal.plugins[1]];
    onlyExternal.errors = [];
    const { model } = await setup({
      previewImport: jest.fn((url: string, name?: string | null) =>
        Promise.resolve(name ? reportsAnswer() : onlyExternal)
      )
    });
    expect(model.error).toBeNull();
    expect(group('reports')).toBeTruthy();
  });
});

describe('plugin groups', () => {
  it('puts skills no plugin lists in their own group', () => {
    const groups = pluginGroups(market());
    expect(groups.map(g => g.key)).toEqual([
      'data-tools',
      'reports',
      'npm-thing',
      ''
    ]);
    expect(groups[3].candidates).toEqual([loose]);
    expect(groups[1].resolved).toBe(false);
  });

  it('notes skills of two external plugins that install under one name', () => {
    const external = (name: string) =>
      plugin({
        name,
        source: {
          kind: 'github',
          owner: 'partner',
          repo: name,
          path: null,
          ref: 'main',
          sha: null
        },
        skills: null
      });
    const start: IPreview = {
      ...market(),
      skills: [csv],
      plugins: [external('alpha'), external('beta')],
      errors: []
    };
    const answer = (name: string, skill: ICandidate): IPreview => ({
      ...start,
      skills: [skill],
      plugins: [{ ...external(name), skills: [skill.id] }]
    });
    const a = skillOf('alpha', 'summarize');
    const b = skillOf('beta', 'summarize');
    const other = skillOf('beta', 'translate');
    let p = mergePlugin(start, 'alpha', answer('alpha', a));
    expect(p.skills.find(c => c.id === a.id)?.problems).toEqual([]);
    p = mergePlugin(p, 'beta', {
      ...answer('beta', b),
      skills: [b, other]
    });
    const note = (id: string) => p.skills.find(c => c.id === id)?.problems;
    // both sides of the clash say so, naming the other; the rest is untouched
    expect(note(b.id)).toEqual([
      "installs as 'summarize' like 'alpha:skills/summarize': import them one at a time and give one of them another name"
    ]);
    expect(note(a.id)).toEqual([
      "installs as 'summarize' like 'beta:skills/summarize': import them one at a time and give one of them another name"
    ]);
    expect(note(other.id)).toEqual([]);
    expect(note(csv.id)).toEqual([]);
  });
});

describe('URL help', () => {
  it('names the marketplace.json form', () => {
    expect(urlHelp('https://ghe.corp.example')).toContain(
      '…/blob/<ref>/.claude-plugin/marketplace.json'
    );
  });
});

describe('detail: marketplace line', () => {
  it('says which marketplace and plugin, linking only https', () => {
    const { container, rerender } = render(
      <MarketplaceLine
        marketplace={{
          url: 'https://github.com/acme/plugin-market/blob/main/.claude-plugin/marketplace.json',
          plugin: 'reports'
        }}
      />
    );
    expect(container.textContent).toBe(
      'from marketplace acme/plugin-market, plugin reports'
    );
    const link = screen.getByRole('link', { name: 'acme/plugin-market' });
    expect(link.getAttribute('href')).toBe(
      'https://github.com/acme/plugin-market/blob/main/.claude-plugin/marketplace.json'
    );
    rerender(
      <MarketplaceLine
        marketplace={{ url: 'javascript:alert(1)', plugin: 'reports' }}
      />
    );
    expect(screen.queryByRole('link')).toBeNull();
    expect(container.textContent).toBe(
      'from marketplace javascript:alert(1), plugin reports'
    );
  });
});

describe('detail header', () => {
  async function header(marketplace: ISkillDetail['marketplace']) {
    const model = new SkillDetailModel({
      client: fakeClient({
        getSkill: jest
          .fn()
          .mockResolvedValue(detail({ name: 'weekly-report', marketplace }))
      }),
      scope: 'user',
      name: 'weekly-report',
      policy: () => ({
        allowGithubSkillImport: true,
        skillsManagementPolicy: 'user-choice'
      })
    });
    await model.load();
    const actions = {
      openFile: jest.fn(),
      sync: jest.fn(),
      rename: jest.fn(),
      remove: jest.fn()
    };
    return render(<DetailHeader model={model} actions={actions} />);
  }

  it('shows the marketplace line when the skill follows a plugin pin', async () => {
    const { container } = await header({
      url: 'https://github.com/acme/plugin-market/blob/main/.claude-plugin/marketplace.json',
      plugin: 'reports'
    });
    expect(
      container.querySelector('.jp-skills-detail-marketplace')?.textContent
    ).toBe('from marketplace acme/plugin-market, plugin reports');
  });

  it('shows no marketplace line otherwise', async () => {
    const { container } = await header(null);
    expect(container.querySelector('.jp-skills-detail-marketplace')).toBeNull();
    expect(container.textContent).not.toContain('from marketplace');
  });
});

describe('translation', () => {
  /** A bundle that marks every string it translates. */
  function marking(): TranslationBundle {
    const fmt = (msg: string, args: unknown[]) =>
      msg.replace(/%(\d+)/g, (_, i) => String(args[Number(i) - 1]));
    const bundle = {
      __: (msg: string, ...args: unknown[]) => `«${fmt(msg, args)}»`,
      _n: (one: string, many: string, n: number, ...args: unknown[]) =>
        `«${fmt(n === 1 ? one : many, [n, ...args])}»`
    };
    return bundle as unknown as TranslationBundle;
  }

  it('passes every dialog string through the bundle', async () => {
    const client = fakeClient({
      previewImport: jest.fn((url: string, name?: string | null) =>
        Promise.resolve(name ? reportsAnswer() : market())
      )
    });
    const model = new ImportFormModel(
      client,
      'user',
      'https://github.com',
      marking()
    );
    render(<ImportForm model={model} />);
    const url = screen.getByLabelText('«GitHub URL»');
    fireEvent.change(url, { target: { value: 'http://github.com/a/b' } });
    expect(screen.getByRole('alert').textContent).toMatch(/^«https only/);
    fireEvent.change(url, { target: { value: URL } });
    await act(() => model.runPreview());
    expect(
      screen.getByRole('searchbox', { name: '«Filter plugins and skills»' })
    ).toBeTruthy();
    expect(
      group('data-tools').querySelector('.jp-skills-plugin-count')?.textContent
    ).toBe('«2 skills»');
    expect(
      screen.getByRole('checkbox', { name: '«Track upstream»' })
    ).toBeTruthy();
    fireEvent.change(screen.getByLabelText('«Name override»'), {
      target: { value: 'Bad Name' }
    });
    expect(model.nameError).toBeNull(); // nothing checked: no name applies
    await act(async () => {
      fireEvent.click(
        within(group('data-tools')).getByRole('button', {
          name: 'data-tools'
        })
      );
    });
    fireEvent.click(
      screen.getByRole('checkbox', { name: '«Import csv-profile»' })
    );
    expect(model.nameError).toMatch(/^«Use lowercase/);
  });
});
