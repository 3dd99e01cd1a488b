import { UseSignal } from '@jupyterlab/ui-components';
import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { ISkill, ISkillList, ServerExtensionMissingError } from '../api';
import { IPanelActions, SkillsView } from '../components/SkillsPanel';
import { SkillsModel } from '../model';
import { SHA, fakeClient, skill } from './fixtures';
import { disabled } from './dom';

function list(skills: ISkill[], allow = true): ISkillList {
  return {
    skills,
    policy: {
      allowGithubSkillImport: allow,
      skillsManagementPolicy: 'user-choice'
    },
    scopes: { user: '/home/u/.claude/skills', project: '/p/.claude/skills' },
    githubUrl: 'https://ghe.example.com'
  };
}

function actions(): IPanelActions {
  return {
    importSkill: jest.fn(),
    create: jest.fn(),
    open: jest.fn(),
    sync: jest.fn(),
    rename: jest.fn(),
    remove: jest.fn()
  };
}

async function setup(result: ISkillList | Error) {
  const listSkills =
    result instanceof Error
      ? jest.fn().mockRejectedValue(result)
      : jest.fn().mockResolvedValue(result);
  const model = new SkillsModel({
    client: fakeClient({ listSkills }),
    autoPoll: false
  });
  const a = actions();
  render(
    <UseSignal signal={model.changed}>
      {() => <SkillsView model={model} actions={a} />}
    </UseSignal>
  );
  await act(() => model.refresh());
  return { model, actions: a, listSkills };
}

const tracked = skill({
  name: 'csv-helper',
  tracksUpstream: true,
  trackingRef: SHA,
  locallyModified: true
});
const managed = skill({
  name: 'house-style',
  scope: 'project',
  managed: true,
  source: null
});
const orphan = skill({ name: 'old-one', orphaned: true });
const broken = skill({
  name: 'My Skill',
  problems: ["folder name 'My Skill' is not a valid skill name"]
});

function listbox(): HTMLElement {
  return screen.getByRole('listbox', { name: 'Skills' });
}

function key(k: string) {
  fireEvent.keyDown(listbox(), { key: k });
}

describe('Skills panel', () => {
  it('shows sections with counts, badges and row actions', async () => {
    const { actions: a } = await setup(list([tracked, managed, orphan]));
    expect(screen.getByRole('group', { name: 'User' }).textContent).toContain(
      '2'
    );
    expect(
      screen.getByRole('group', { name: 'Project' }).textContent
    ).toContain('1');
    const badge = screen.getByText('Tracking');
    expect(badge.getAttribute('title')).toBe(
      'Tracking upstream · last synced 1a2b3c4'
    );
    expect(screen.getByText('Managed')).toBeTruthy();
    expect(screen.getByText('Modified')).toBeTruthy();
    expect(screen.getByText('Upstream gone')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Sync csv-helper' }));
    expect(a.sync).toHaveBeenCalledWith(tracked);
    expect(screen.queryByRole('button', { name: 'Sync old-one' })).toBeNull();
    expect(
      disabled(screen.getByRole('button', { name: 'Delete house-style' }))
    ).toBe(true);
  });

  it('names each row by its name and badges, described by its description', async () => {
    const problem = skill({
      name: 'pdf-tools',
      description: 'Fill PDF forms',
      problems: ['missing license', 'name differs from folder']
    });
    await setup(list([tracked, orphan, problem]));
    // the badges are part of what a screen reader announces for the option
    const csv = screen.getByRole('option', {
      name: 'csv-helper Tracking Modified'
    });
    expect(csv.dataset.name).toBe('csv-helper');
    expect(
      screen.getByRole('option', {
        name: 'csv-helper Tracking Modified',
        description: 'Work with CSV files'
      })
    ).toBe(csv);
    expect(
      screen.getByRole('option', { name: 'old-one Upstream gone' }).dataset.name
    ).toBe('old-one');
    expect(
      screen.getByRole('option', {
        name: 'pdf-tools ⚠ 2 problems',
        description: 'Fill PDF forms'
      }).dataset.name
    ).toBe('pdf-tools');
    // ids of a row's parts never collide with another row's id
    const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is one Tab stop with the file browser keys', async () => {
    const { actions: a } = await setup(list([tracked, orphan, managed]));
    const box = listbox();
    expect(box.tabIndex).toBe(0);
    // every button inside the list is out of the Tab order
    for (const b of Array.from(box.querySelectorAll('button'))) {
      expect(b.tabIndex).toBe(-1);
    }
    fireEvent.focus(box);
    const active = () =>
      document.getElementById(box.getAttribute('aria-activedescendant')!)!
        .dataset.name;
    expect(active()).toBe('csv-helper');
    key('ArrowDown');
    expect(active()).toBe('old-one');
    key('ArrowDown');
    expect(active()).toBe('house-style'); // across sections
    key('ArrowDown');
    expect(active()).toBe('house-style');
    key('Delete'); // managed: nothing
    expect(a.remove).not.toHaveBeenCalled();
    key('Home');
    key('Enter');
    expect(a.open).toHaveBeenCalledWith(tracked);
    key('F2');
    expect(a.rename).toHaveBeenCalledWith(tracked);
    key('End');
    key('ArrowUp');
    key('Delete');
    expect(a.remove).toHaveBeenCalledWith(orphan);
    key('ArrowLeft'); // collapse User
    expect(screen.queryByText('old-one')).toBeNull();
    expect(
      screen.getByRole('button', { name: 'User' }).getAttribute('aria-expanded')
    ).toBe('false');
  });

  it('highlights the open skill and filters the list', async () => {
    const { model } = await setup(list([tracked, orphan]));
    act(() => {
      model.current = 'user/old-one';
    });
    const row = document.querySelector('[data-name="old-one"]')!;
    expect(row.classList.contains('jp-mod-current')).toBe(true);
    expect(row.getAttribute('aria-current')).toBe('true');
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter skills' }), {
      target: { value: 'helper' }
    });
    expect(screen.queryByText('old-one')).toBeNull();
    expect(screen.getByText('csv-helper')).toBeTruthy();
  });

  it('lists a folder with an invalid name with its problem, without actions', async () => {
    const { actions: a } = await setup(list([broken]));
    const badge = screen.getByRole('button', { name: /1 problem/ });
    expect(badge.getAttribute('title')).toContain('not a valid skill name');
    expect(
      screen.queryByRole('button', { name: 'Delete My Skill' })
    ).toBeNull();
    fireEvent.focus(listbox());
    key('Enter');
    expect(a.open).not.toHaveBeenCalled();
  });

  it('has an empty state with Import from GitHub and New skill', async () => {
    const { actions: a } = await setup(list([]));
    expect(screen.getByText('No skills yet')).toBeTruthy();
    expect(screen.getByText('/home/u/.claude/skills')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Import from GitHub' }));
    expect(a.importSkill).toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'New skill' }));
    expect(a.create).toHaveBeenCalledWith('user');
  });

  it('hides Import and disables Sync when the policy is off', async () => {
    await setup(list([tracked], false));
    const sync = screen.getByRole('button', { name: 'Sync csv-helper' });
    expect(disabled(sync)).toBe(true);
    expect(sync.getAttribute('title')).toMatch(
      /disabled by your administrator/
    );
  });

  it('explains how to enable a missing server extension', async () => {
    await setup(new ServerExtensionMissingError());
    expect(screen.getByRole('alert').textContent).toContain(
      'jupyter server extension enable notebook_skills'
    );
  });

  it('re-renders only when the list changed', async () => {
    const { model, listSkills } = await setup(list([tracked]));
    const changed = jest.fn();
    model.changed.connect(changed);
    await model.refresh();
    expect(changed).not.toHaveBeenCalled();
    listSkills.mockResolvedValue(list([tracked, orphan]));
    await act(() => model.refresh());
    expect(changed).toHaveBeenCalledTimes(1);
    expect(screen.getByText('old-one')).toBeTruthy();
    expect(model.githubUrl).toBe('https://ghe.example.com');
  });
});
