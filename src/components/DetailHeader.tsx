import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ISkillDetail, JSONValue } from '../api';
import { SkillDetailModel } from '../detailModel';
import { safeHttpsUrl, shortSha } from '../validate';
import { MarketplaceLine } from './MarketplaceLine';
import { Badges, POLICY_OFF_REASON, MANAGED_REASON } from './SkillRow';

const SUMMARY_KEYS = new Set([
  'name',
  'description',
  'license',
  'source',
  'tracks_upstream',
  'tracking_ref',
  'managed_source',
  'managed_ref'
]);

export interface IDetailActions {
  openFile(skill: ISkillDetail, path: string): void;
  sync(skill: ISkillDetail): void;
  rename(skill: ISkillDetail): void;
  remove(skill: ISkillDetail): void;
}

function show(value: JSONValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Only https URLs become links; anything else (javascript:, data:, …) is text. */
export function SourceValue(props: { source: string }): JSX.Element {
  const href = safeHttpsUrl(props.source);
  return href ? (
    <a
      className="jp-skills-source-link"
      href={href}
      target="_blank"
      rel="noopener noreferrer"
    >
      {props.source}
    </a>
  ) : (
    <span className="jp-skills-source-text">{props.source}</span>
  );
}

/** The Track upstream switch; re-renders on its own model's changes. */
export function TrackingToggle(props: {
  model: SkillDetailModel;
}): JSX.Element {
  return (
    <UseSignal signal={props.model.stateChanged}>
      {() => <TrackingSwitch model={props.model} />}
    </UseSignal>
  );
}

function TrackingSwitch(props: {
  model: SkillDetailModel;
}): JSX.Element | null {
  const { model } = props;
  const d = model.detail;
  if (!d || !model.trackingToggleVisible) {
    return null;
  }
  const policyOff = !model.policy.allowGithubSkillImport;
  return (
    <div className="jp-skills-tracking">
      <label
        className="jp-skills-check jp-skills-tracking-toggle"
        title={policyOff ? POLICY_OFF_REASON : undefined}
      >
        <input
          type="checkbox"
          role="switch"
          aria-checked={d.tracksUpstream}
          checked={d.tracksUpstream}
          disabled={model.trackingToggleDisabled}
          onChange={e => void model.setTracking(e.target.checked)}
        />
        Track upstream
      </label>
      <span className="jp-skills-hint jp-skills-tracking-state">
        {policyOff
          ? `${POLICY_OFF_REASON}.`
          : d.tracksUpstream
            ? d.trackingRef
              ? `Tracking upstream · last synced ${shortSha(d.trackingRef)}`
              : 'Tracking upstream'
            : 'Not tracking upstream'}
      </span>
    </div>
  );
}

export function DetailHeader(props: {
  model: SkillDetailModel;
  actions: IDetailActions;
}): JSX.Element {
  const { model, actions } = props;
  const d = model.detail;
  if (!d) {
    return (
      <div className="jp-skills-detail-header">
        {model.error ? (
          <div className="jp-skills-error" role="alert">
            {model.error}
          </div>
        ) : (
          <div role="status">Loading…</div>
        )}
      </div>
    );
  }
  const license = d.frontmatter['license'];
  const others = Object.entries(d.frontmatter).filter(
    ([k]) => !SUMMARY_KEYS.has(k)
  );
  const syncDisabled = !model.policy.allowGithubSkillImport;
  return (
    <div className="jp-skills-detail-header">
      <div className="jp-skills-detail-title">
        <h2>{d.name}</h2>
        <span className="jp-skills-scope-tag">{d.scope}</span>
        <Badges skill={d} />
      </div>
      <p className="jp-skills-detail-description">{d.description}</p>
      <div
        className="jp-skills-detail-actions"
        role="toolbar"
        aria-label={`Actions for ${d.name}`}
      >
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-skills-button jp-skills-edit"
          onClick={() => actions.openFile(d, 'SKILL.md')}
        >
          {model.readOnly ? 'View SKILL.md' : 'Edit SKILL.md'}
        </button>
        {d.tracksUpstream && (
          <button
            type="button"
            className="jp-mod-styled jp-skills-button jp-skills-detail-sync"
            disabled={syncDisabled}
            title={
              syncDisabled ? POLICY_OFF_REASON : `Sync ${d.name} with upstream`
            }
            onClick={() => actions.sync(d)}
          >
            Sync
          </button>
        )}
        <button
          type="button"
          className="jp-mod-styled jp-skills-button jp-skills-detail-rename"
          disabled={d.managed}
          title={d.managed ? MANAGED_REASON : undefined}
          onClick={() => actions.rename(d)}
        >
          Rename…
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-mod-warn jp-skills-button jp-skills-detail-delete"
          disabled={d.managed}
          title={d.managed ? MANAGED_REASON : undefined}
          onClick={() => actions.remove(d)}
        >
          Delete…
        </button>
      </div>
      <dl className="jp-skills-frontmatter">
        {license !== undefined && (
          <>
            <dt>License</dt>
            <dd>{show(license)}</dd>
          </>
        )}
        {d.source && (
          <>
            <dt>Source</dt>
            <dd>
              <SourceValue source={d.source} />
            </dd>
          </>
        )}
        {d.managed && (
          <>
            <dt>Managed</dt>
            <dd>
              {d.managedSource ?? 'yes'}
              {d.managedRef ? ` @ ${shortSha(d.managedRef)}` : ''} — read-only
            </dd>
          </>
        )}
        {others.map(([k, v]) => (
          <React.Fragment key={k}>
            <dt>{k}</dt>
            <dd>{show(v)}</dd>
          </React.Fragment>
        ))}
      </dl>
      {d.marketplace && <MarketplaceLine marketplace={d.marketplace} />}
      <TrackingToggle model={model} />
      {d.problems.map(p => (
        <div key={p} className="jp-skills-warning">
          {p}
        </div>
      ))}
      <h3 className="jp-skills-detail-files-title">Files</h3>
      <ul className="jp-skills-detail-files" aria-label="Files">
        {d.files.map(f => (
          <li key={f}>
            <button
              type="button"
              className="jp-skills-file-link"
              title={`Open ${f} in the editor`}
              onClick={() => actions.openFile(d, f)}
            >
              {f}
            </button>
          </li>
        ))}
      </ul>
      {model.readOnly && (
        <span className="jp-skills-hint">Managed skills are read-only.</span>
      )}
    </div>
  );
}
