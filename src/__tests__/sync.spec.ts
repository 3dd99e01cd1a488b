import {
  Notification,
  showDialog as realShowDialog
} from '@jupyterlab/apputils';

import { SkillsApiError } from '../api';
import { SkillsModel } from '../model';
import { syncLines, syncOne, syncSummary } from '../syncActions';
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
      }
    ];
    expect(syncSummary(results)).toBe(
      'Synced 3 tracking skills: 1 updated, 1 unchanged, 1 failed'
    );
    expect(syncLines(results, new Map([['user/a', OLD]]))).toEqual([
      'a (user): updated aaaaaaa → 1a2b3c4',
      'b (user): unchanged',
      'c (project): failed — upstream gone: the folder was deleted'
    ]);
  });
});
