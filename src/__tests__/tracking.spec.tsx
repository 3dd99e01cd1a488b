import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { IPolicy, ISkillDetail, SkillsApiError } from '../api';
import { checked, disabled } from './dom';
import { SourceValue, TrackingToggle } from '../components/DetailHeader';
import { SkillDetailModel } from '../detailModel';
import { SHA, detail, fakeClient } from './fixtures';

const allow: IPolicy = {
  allowGithubSkillImport: true,
  skillsManagementPolicy: 'user-choice'
};

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function setup(
  initial: ISkillDetail,
  updateSkill: jest.Mock,
  policy = allow
) {
  const client = fakeClient({
    getSkill: jest.fn().mockResolvedValue(initial),
    updateSkill
  });
  const model = new SkillDetailModel({
    client,
    scope: 'user',
    name: 'csv-helper',
    policy: () => policy
  });
  await model.load();
  render(<TrackingToggle model={model} />);
  return model;
}

describe('Track upstream toggle', () => {
  it('updates optimistically and keeps the server answer', async () => {
    const pending = deferred<ISkillDetail>();
    const updateSkill = jest.fn().mockReturnValue(pending.promise);
    const model = await setup(
      detail({ tracksUpstream: true, trackingRef: SHA }),
      updateSkill
    );
    const changed = jest.fn();
    model.skillChanged.connect(changed);

    const toggle = screen.getByRole('switch', { name: 'Track upstream' });
    expect(checked(toggle)).toBe(true);
    fireEvent.click(toggle);

    // Optimistic: unchecked before the server answers.
    expect(
      checked(screen.getByRole('switch', { name: 'Track upstream' }))
    ).toBe(false);
    expect(updateSkill).toHaveBeenCalledWith('user', 'csv-helper', {
      tracksUpstream: false
    });

    await act(async () => {
      pending.resolve(detail({ tracksUpstream: false, trackingRef: null }));
      await pending.promise;
    });
    expect(
      checked(screen.getByRole('switch', { name: 'Track upstream' }))
    ).toBe(false);
    expect(model.detail?.tracksUpstream).toBe(false);
    expect(changed).toHaveBeenCalled();
  });

  it('rolls back and reports the error when the PUT fails', async () => {
    const pending = deferred<ISkillDetail>();
    const updateSkill = jest.fn().mockReturnValue(pending.promise);
    const model = await setup(detail({ tracksUpstream: false }), updateSkill);
    const failed = jest.fn();
    model.trackingFailed.connect((_, message) => failed(message));

    fireEvent.click(screen.getByRole('switch', { name: 'Track upstream' }));
    expect(
      checked(screen.getByRole('switch', { name: 'Track upstream' }))
    ).toBe(true);
    expect(
      disabled(screen.getByRole('switch', { name: 'Track upstream' }))
    ).toBe(true);

    await act(async () => {
      pending.reject(new SkillsApiError(403, 'GitHub import is disabled'));
      await pending.promise.catch(() => undefined);
    });
    expect(
      checked(screen.getByRole('switch', { name: 'Track upstream' }))
    ).toBe(false);
    expect(model.detail?.tracksUpstream).toBe(false);
    expect(failed).toHaveBeenCalledWith(
      'Could not turn on tracking for csv-helper: GitHub import is disabled'
    );
  });

  it('is hidden for managed and source-less skills', async () => {
    await setup(detail({ managed: true }), jest.fn());
    expect(screen.queryByRole('switch', { name: 'Track upstream' })).toBeNull();
  });

  it('is hidden without a source', async () => {
    await setup(detail({ source: null }), jest.fn());
    expect(screen.queryByRole('switch', { name: 'Track upstream' })).toBeNull();
  });

  it('is disabled with an explanation when the policy is off', async () => {
    await setup(detail({ tracksUpstream: true }), jest.fn(), {
      allowGithubSkillImport: false,
      skillsManagementPolicy: 'user-choice'
    });
    expect(
      disabled(screen.getByRole('switch', { name: 'Track upstream' }))
    ).toBe(true);
    expect(screen.getByText(/disabled by your administrator/)).toBeTruthy();
  });
});

describe('source link', () => {
  it('links only https URLs; javascript: and others are plain text', () => {
    const { container, rerender } = render(
      <SourceValue source="https://github.com/acme/skills/tree/main/x" />
    );
    expect(container.querySelector('a')?.getAttribute('href')).toBe(
      'https://github.com/acme/skills/tree/main/x'
    );
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<b>x</b>',
      'http://github.com/acme/skills',
      'not a url'
    ]) {
      rerender(<SourceValue source={bad} />);
      expect(container.querySelector('a')).toBeNull();
      expect(container.textContent).toBe(bad);
    }
  });
});
