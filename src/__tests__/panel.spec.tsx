import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { syncSummary } from '../actions';
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
    scopes: { user: '/home/u/.claude/skills', project: '/p/.claude/skills' }
  };
}

function actions(): IPanelActions {
  return {
    importSkill: jest.fn(),
    syncAll: jest.fn(),
    refresh: jest.fn(),
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
  render(<SkillsView model={model} actions={a} />);
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

describe('Skills panel', () => {
  it('shows sections with counts, badges and row actions', async () => {
    const { actions: a } = await setup(list([tracked, managed, orphan]));
    expect(screen.getByRole('heading', { name: /User/ }).textContent).toContain(
      '2'
    );
    expect(
      screen.getByRole('heading', { name: /Project/ }).textContent
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

    fireEvent.click(
      screen.getByRole('button', { name: 'Sync tracking skills' })
    );
    expect(a.syncAll).toHaveBeenCalled();
    expect(
      screen.getByRole('button', { name: 'Import from GitHub' })
    ).toBeTruthy();
  });

  it('shows empty states and hides Sync tracking skills without tracking skills', async () => {
    await setup(list([]));
    expect(screen.getByText(/No user skills yet/)).toBeTruthy();
    expect(screen.getByText(/No project skills yet/)).toBeTruthy();
    expect(
      screen.queryByRole('button', { name: 'Sync tracking skills' })
    ).toBeNull();
  });

  it('hides Import and disables Sync when the policy is off', async () => {
    await setup(list([tracked], false));
    expect(
      screen.queryByRole('button', { name: 'Import from GitHub' })
    ).toBeNull();
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
  });
});

describe('sync summary', () => {
  it('counts updated / unchanged / failed and lists failures', () => {
    expect(
      syncSummary([
        { scope: 'user', name: 'a', updated: true, ref: SHA },
        { scope: 'user', name: 'b', updated: false, ref: SHA },
        { scope: 'project', name: 'c', error: 'upstream gone' }
      ])
    ).toBe(
      'Synced 3 tracking skills: 1 updated, 1 unchanged, 1 failed\nc: upstream gone'
    );
  });
});
