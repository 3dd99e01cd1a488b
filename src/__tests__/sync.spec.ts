import {
  Notification,
  showDialog as realShowDialog
} from '@jupyterlab/apputils';

import { waitFor } from '@testing-library/react';

import { SkillsApiError } from '../api';
import { SkillsModel } from '../model';
import { syncAll, syncLines, syncOne, syncSummary } from '../syncActions';
import { SHA, fakeClient, skill } from './fixtures';

jest.mock('@jupyterlab/apputils', () => {
  const actual = jest.requireActual('@jupyterlab/apputils');
  return { ...actual, showDialog: jest.fn() };
});
const showDialog = realShowDialog as unknown as jest.Mock;

const OLD = 'a'.repeat(40);

async function model(
  syncSkill: jest.Mock,
  locallyModified: boolean | null = true
) {
  const m = new SkillsModel({
    client: fakeClient({
      syncSkill,
      listSkills: jest.fn().mockResolvedValue({
        skills: [
          skill({ tracksUpstream: true, trackingRef: OLD, locallyModified })
        ],
        policy: {
          allowGithubSkillImport: true,
          skillsManagementPolicy: 'user-choice'
        },
        scopes: { user: '', project: '' },
        githubUrl: null
      })
    }),
    autoPoll: false
  });
  await m.refresh();
  return m;
}

const CSV = { scope: 'user' as const, name: 'csv-helper' };

beforeEach(() => {
  showDialog.mockReset();
  jest.spyOn(Notification, 'info').mockReturnValue('');
  jest.spyOn(Notification, 'success').mockReturnValue('');
  jest.spyOn(Notification, 'error').mockReturnValue('');
  jest.spyOn(Notification, 'warning').mockReturnValue('');
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('Sync by 409 reason', () => {
  it('asks in plain words, focus on Cancel, only for locally_modified; Overwrite forces', async () => {
    const syncSkill = jest
      .fn()
      .mockRejectedValueOnce(
        new SkillsApiError(409, 'local changes', 'locally_modified')
      )
      .mockResolvedValueOnce({ updated: true, ref: SHA });
    showDialog.mockResolvedValue({ button: { accept: true } });
    await syncOne(await model(syncSkill), CSV);
    const options = showDialog.mock.calls[0][0];
    expect(options.body).toBe(
      'Overwrite your local changes to csv-helper with the upstream version?'
    );
    expect(options.defaultButton).toBe(0);
    expect(options.buttons[0].label).toBe('Cancel');
    expect(syncSkill.mock.calls[1][2]).toEqual({ force: true });
    expect(Notification.success).toHaveBeenCalledWith(
      'csv-helper updated to 1a2b3c4',
      expect.anything()
    );
  });

  it.each(['busy', 'pending', 'exists'])(
    'a 409 %s never offers to overwrite; the reason is in Details',
    async reason => {
      const syncSkill = jest
        .fn()
        .mockRejectedValue(
          new SkillsApiError(409, `the ${reason} message`, reason)
        );
      await syncOne(await model(syncSkill), CSV);
      expect(showDialog).not.toHaveBeenCalled();
      expect(syncSkill).toHaveBeenCalledTimes(1);
      const [text, opts] = (Notification.error as jest.Mock).mock.calls[0];
      expect(text).toBe('Could not sync csv-helper');
      opts.actions[0].callback();
      expect(showDialog.mock.calls[0][0].title).toBe('Sync csv-helper');
      // the server's own words: only it knows who holds the skill
      expect(JSON.stringify(showDialog.mock.calls[0][0].body)).toContain(
        `the ${reason} message`
      );
    }
  );

  it.each([
    ['no reason', null],
    ['not_writable', 'not_writable'],
    ['changed_on_disk', 'changed_on_disk']
  ])(
    'a 409 with %s on a Modified skill shows its message, never the overwrite prompt',
    async (_, reason) => {
      const message = `The skills folder /home/u/.claude/skills is read-only (${reason})`;
      const syncSkill = jest
        .fn()
        .mockRejectedValue(new SkillsApiError(409, message, reason));
      // the list shows the skill as Modified: that alone never means "local edits"
      await syncOne(await model(syncSkill, true), CSV);
      expect(syncSkill).toHaveBeenCalledTimes(1);
      expect(showDialog).not.toHaveBeenCalled();
      const [text, opts] = (Notification.error as jest.Mock).mock.calls[0];
      expect(text).toBe('Could not sync csv-helper');
      expect(opts.actions.map((a: { label: string }) => a.label)).toEqual([
        'Details'
      ]);
      opts.actions[0].callback();
      const dialog = showDialog.mock.calls[0][0];
      expect(dialog.title).toBe('Sync csv-helper');
      expect(dialog.title).not.toMatch(/Overwrite/);
      expect(JSON.stringify(dialog.body)).toContain(message);
    }
  );

  it('keeps a long failure reason whole behind Details', async () => {
    const long = 'GitHub failed: ' + 'x'.repeat(400);
    const syncSkill = jest
      .fn()
      .mockRejectedValue(new SkillsApiError(502, long));
    await syncOne(await model(syncSkill, false), CSV);
    const opts = (Notification.error as jest.Mock).mock.calls[0][1];
    expect(opts.actions[0].label).toBe('Details');
    opts.actions[0].callback();
    const body = showDialog.mock.calls[0][0].body;
    expect(JSON.stringify(body)).toContain('x'.repeat(400));
  });

  it('says the edits are kept when nothing changed upstream', async () => {
    const syncSkill = jest.fn().mockResolvedValue({ updated: false, ref: OLD });
    await syncOne(await model(syncSkill, true), CSV);
    expect(showDialog).not.toHaveBeenCalled();
    expect(Notification.info).toHaveBeenCalledWith(
      'No upstream change for csv-helper; your local edits are kept.',
      expect.anything()
    );
  });
});

describe('Sync tracking skills summary', () => {
  it('counts and lists every skill on its own line with old → new', () => {
    const results = [
      { scope: 'user' as const, name: 'a', updated: true, ref: SHA },
      { scope: 'user' as const, name: 'b', updated: false, ref: SHA },
      {
        scope: 'project' as const,
        name: 'c',
        error: 'upstream gone: the folder was deleted'
      },
      {
        scope: 'user' as const,
        name: 'd',
        error: "'d' has local changes and upstream changed too; …",
        reason: 'locally_modified'
      }
    ];
    expect(syncSummary(results)).toBe(
      'Synced 4 tracking skills: 1 updated, 1 unchanged, 2 failed'
    );
    expect(syncSummary(results.slice(0, 1))).toBe(
      'Synced 1 tracking skill: 1 updated, 0 unchanged, 0 failed'
    );
    expect(syncLines(results, new Map([['user/a', OLD]]))).toEqual([
      'a (user): updated aaaaaaa → 1a2b3c4',
      'b (user): unchanged',
      'c (project): failed — upstream gone: the folder was deleted',
      // plain words, never the server's API wording
      'd (user): not updated — it has local edits, which were kept; use “Overwrite local changes…” to replace them'
    ]);
  });
});

describe('Sync tracking skills: Overwrite local changes…', () => {
  const tracking = (name: string) =>
    skill({
      name,
      tracksUpstream: true,
      trackingRef: OLD,
      locallyModified: true
    });

  async function batch(results: unknown[], syncSkill: jest.Mock) {
    const m = new SkillsModel({
      client: fakeClient({
        syncSkill,
        syncAllTracking: jest.fn().mockResolvedValue(results),
        listSkills: jest.fn().mockResolvedValue({
          skills: [
            tracking('csv-helper'),
            tracking('plot-style'),
            tracking('sql-review')
          ],
          policy: {
            allowGithubSkillImport: true,
            skillsManagementPolicy: 'user-choice'
          },
          scopes: { user: '', project: '' },
          githubUrl: null
        })
      }),
      autoPoll: false
    });
    await m.refresh();
    const emit = jest.spyOn(Notification, 'emit').mockReturnValue('id');
    jest.spyOn(Notification, 'dismiss').mockImplementation(() => undefined);
    await syncAll(m);
    // the last emit is the summary (the first is the progress toast)
    const [message, type, opts] = emit.mock.calls[emit.mock.calls.length - 1];
    return {
      message,
      type,
      actions: (opts as { actions: Notification.IAction[] }).actions
    };
  }

  const modified = (name: string) => ({
    scope: 'user' as const,
    name,
    error: `'${name}' has local changes and upstream changed too; …`,
    reason: 'locally_modified'
  });

  it('offers the action for locally_modified results; confirming forces each of them', async () => {
    const syncSkill = jest.fn().mockResolvedValue({ updated: true, ref: SHA });
    const busy = {
      scope: 'user' as const,
      name: 'sql-review',
      error: 'another sync is running',
      reason: 'busy'
    };
    const { message, type, actions } = await batch(
      [modified('csv-helper'), modified('plot-style'), busy],
      syncSkill
    );
    expect(message).toBe(
      'Synced 3 tracking skills: 0 updated, 0 unchanged, 3 failed'
    );
    expect(type).toBe('warning');
    expect(actions.map(a => a.label)).toEqual([
      'Details',
      'Overwrite local changes…'
    ]);
    expect(syncSkill).not.toHaveBeenCalled();
    showDialog.mockResolvedValue({ button: { accept: true } });
    actions[1].callback(new MouseEvent('click'));
    await waitFor(() => expect(syncSkill).toHaveBeenCalledTimes(2));
    const prompt = showDialog.mock.calls[0][0];
    expect(prompt.title).toBe('Overwrite local changes?');
    expect(prompt.body).toBe(
      'Overwrite your local changes to 2 skills (csv-helper, plot-style) with the upstream version?'
    );
    expect(prompt.defaultButton).toBe(0);
    expect(syncSkill.mock.calls).toEqual([
      ['user', 'csv-helper', { force: true }],
      ['user', 'plot-style', { force: true }]
    ]);
  });

  it('Cancel forces nothing', async () => {
    const syncSkill = jest.fn();
    const { actions } = await batch([modified('csv-helper')], syncSkill);
    showDialog.mockResolvedValue({ button: { accept: false } });
    actions[1].callback(new MouseEvent('click'));
    await waitFor(() => expect(showDialog).toHaveBeenCalled());
    await Promise.resolve();
    expect(syncSkill).not.toHaveBeenCalled();
  });

  it('offers no overwrite for busy or reason-less failures of Modified skills', async () => {
    const syncSkill = jest.fn();
    const { actions } = await batch(
      [
        {
          scope: 'user' as const,
          name: 'csv-helper',
          error: 'another sync is running',
          reason: 'busy'
        },
        { scope: 'user' as const, name: 'plot-style', error: 'conflict' }
      ],
      syncSkill
    );
    expect(actions.map(a => a.label)).toEqual(['Details']);
    actions[0].callback(new MouseEvent('click'));
    const details = JSON.stringify(showDialog.mock.calls[0][0].body);
    expect(details).toContain(
      'csv-helper (user): failed — another sync is running'
    );
    expect(details).toContain('plot-style (user): failed — conflict');
  });
});
