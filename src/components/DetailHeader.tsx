import * as React from 'react';

import { JSONValue } from '../api';
import { shortSha } from '../validate';
import { SkillDetailModel } from '../detailModel';
import { Badges, POLICY_OFF_REASON } from './SkillRow';
import { useModelState } from './useModelState';

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

function show(value: JSONValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function TrackingToggle(props: {
  model: SkillDetailModel;
}): JSX.Element | null {
  const { model } = props;
  useModelState(model.stateChanged);
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
  currentPath: string;
  dirty: boolean;
  onSelectFile: (path: string) => void;
  onSave: () => void;
}): JSX.Element {
  const { model } = props;
  useModelState(model.stateChanged);
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
  return (
    <div className="jp-skills-detail-header">
      <div className="jp-skills-detail-title">
        <h2>{d.name}</h2>
        <span className="jp-skills-scope-tag">{d.scope}</span>
        <Badges skill={d} />
      </div>
      <p className="jp-skills-detail-description">{d.description}</p>
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
              <a
                className="jp-skills-source-link"
                href={d.source}
                target="_blank"
                rel="noopener noreferrer"
              >
                {d.source}
              </a>
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
      <TrackingToggle model={model} />
      {d.problems.map(p => (
        <div key={p} className="jp-skills-warning">
          {p}
        </div>
      ))}
      <div className="jp-skills-detail-files">
        <label className="jp-skills-field">
          <span className="jp-skills-label">File</span>
          <select
            className="jp-mod-styled jp-skills-file-select"
            aria-label="File"
            value={props.currentPath}
            onChange={e => props.onSelectFile(e.target.value)}
          >
            {d.files.map(f => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        {!model.readOnly && (
          <button
            type="button"
            className="jp-mod-styled jp-skills-button jp-skills-save"
            aria-label="Save"
            title="Save (Ctrl+S)"
            disabled={!props.dirty}
            onClick={props.onSave}
          >
            Save{props.dirty ? ' •' : ''}
          </button>
        )}
        {model.readOnly && (
          <span className="jp-skills-hint">Managed skills are read-only.</span>
        )}
      </div>
    </div>
  );
}
