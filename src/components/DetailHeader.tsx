import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ISkillDetail, JSONValue } from '../api';
import { SkillDetailModel } from '../detailModel';
import { TranslationBundle, bundle } from '../trans';
import { safeHttpsUrl, shortSha } from '../validate';
import { MarketplaceLine } from './MarketplaceLine';
import { Badges, managedReason, policyOffReason } from './SkillRow';

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
  trans?: TranslationBundle;
}): JSX.Element {
  return (
    <UseSignal signal={props.model.stateChanged}>
      {() => <TrackingSwitch model={props.model} trans={bundle(props.trans)} />}
    </UseSignal>
  );
}

function TrackingSwitch(props: {
  model: SkillDetailModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, trans: t } = props;
  const d = model.detail;
  if (!d || !model.trackingToggleVisible) {
    return null;
  }
  const policyOff = !model.policy.allowGithubSkillImport;
  const policyReason = policyOffReason(t);
  return (
    <div className="jp-skills-tracking">
      <label
        className="jp-skills-check jp-skills-tracking-toggle"
        title={policyOff ? policyReason : undefined}
      >
        <input
          type="checkbox"
          role="switch"
          aria-checked={d.tracksUpstream}
          checked={d.tracksUpstream}
          disabled={model.trackingToggleDisabled}
          onChange={e => void model.setTracking(e.target.checked)}
        />
        {t.__('Track upstream')}
      </label>
      <span className="jp-skills-hint jp-skills-tracking-state">
        {policyOff
          ? t.__('%1.', policyReason)
          : d.tracksUpstream
            ? d.trackingRef
              ? t.__(
                  'Tracking upstream · last synced %1',
                  shortSha(d.trackingRef)
                )
              : t.__('Tracking upstream')
            : t.__('Not tracking upstream')}
      </span>
    </div>
  );
}

export function DetailHeader(props: {
  model: SkillDetailModel;
  actions: IDetailActions;
  trans?: TranslationBundle;
}): JSX.Element {
  const { model, actions } = props;
  const t = bundle(props.trans);
  const d = model.detail;
  if (!d) {
    return (
      <div className="jp-skills-detail-header">
        {model.error ? (
          <div className="jp-skills-error" role="alert">
            {model.error}
          </div>
        ) : (
          <div role="status">{t.__('Loading…')}</div>
        )}
      </div>
    );
  }
  const license = d.frontmatter['license'];
  const others = Object.entries(d.frontmatter).filter(
    ([k]) => !SUMMARY_KEYS.has(k)
  );
  const syncDisabled = !model.policy.allowGithubSkillImport;
  const managed = managedReason(t);
  return (
    <div className="jp-skills-detail-header">
      <div className="jp-skills-detail-title">
        <h2>{d.name}</h2>
        <span className="jp-skills-scope-tag">
          {d.scope === 'project' ? t.__('project') : t.__('user')}
        </span>
        <Badges skill={d} trans={t} />
      </div>
      <p className="jp-skills-detail-description">{d.description}</p>
      <div
        className="jp-skills-detail-actions"
        role="toolbar"
        aria-label={t.__('Actions for %1', d.name)}
      >
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-skills-button jp-skills-edit"
          onClick={() => actions.openFile(d, 'SKILL.md')}
        >
          {model.readOnly ? t.__('View SKILL.md') : t.__('Edit SKILL.md')}
        </button>
        {d.tracksUpstream && (
          <button
            type="button"
            className="jp-mod-styled jp-skills-button jp-skills-detail-sync"
            disabled={syncDisabled}
            title={
              syncDisabled
                ? policyOffReason(t)
                : t.__('Sync %1 with upstream', d.name)
            }
            onClick={() => actions.sync(d)}
          >
            {t.__('Sync')}
          </button>
        )}
        <button
          type="button"
          className="jp-mod-styled jp-skills-button jp-skills-detail-rename"
          disabled={d.managed}
          title={d.managed ? managed : undefined}
          onClick={() => actions.rename(d)}
        >
          {t.__('Rename…')}
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-mod-warn jp-skills-button jp-skills-detail-delete"
          disabled={d.managed}
          title={d.managed ? managed : undefined}
          onClick={() => actions.remove(d)}
        >
          {t.__('Delete…')}
        </button>
      </div>
      <dl className="jp-skills-frontmatter">
        {license !== undefined && (
          <>
            <dt>{t.__('License')}</dt>
            <dd>{show(license)}</dd>
          </>
        )}
        {d.source && (
          <>
            <dt>{t.__('Source')}</dt>
            <dd>
              <SourceValue source={d.source} />
            </dd>
          </>
        )}
        {d.managed && (
          <>
            <dt>{t.__('Managed')}</dt>
            <dd>
              {d.managedRef
                ? t.__(
                    '%1 @ %2 — read-only',
                    d.managedSource ?? t.__('yes'),
                    shortSha(d.managedRef)
                  )
                : t.__('%1 — read-only', d.managedSource ?? t.__('yes'))}
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
      {d.marketplace && (
        <MarketplaceLine marketplace={d.marketplace} trans={t} />
      )}
      <TrackingToggle model={model} trans={t} />
      {d.problems.map(p => (
        <div key={p} className="jp-skills-warning">
          {p}
        </div>
      ))}
      <h3 className="jp-skills-detail-files-title">{t.__('Files')}</h3>
      <ul className="jp-skills-detail-files" aria-label={t.__('Files')}>
        {d.files.map(f => (
          <li key={f}>
            <button
              type="button"
              className="jp-skills-file-link"
              title={t.__('Open %1 in the editor', f)}
              onClick={() => actions.openFile(d, f)}
            >
              {f}
            </button>
          </li>
        ))}
      </ul>
      {model.readOnly && (
        <span className="jp-skills-hint">
          {t.__('Managed skills are read-only.')}
        </span>
      )}
    </div>
  );
}
