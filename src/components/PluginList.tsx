import * as React from 'react';

import { IPreview } from '../api';
import { CheckState, ImportFormModel } from '../importModel';
import { IPluginGroup, pluginOrigin, unattachedErrors } from '../pluginGroups';
import { CandidateItem } from './CandidateItem';

/** A checkbox whose third state ("some skills checked") is `indeterminate`. */
function TriStateCheck(props: {
  state: CheckState;
  label: string;
  title?: string;
  disabled: boolean;
  onChange: (value: boolean) => void;
}): JSX.Element {
  const ref = React.useRef<HTMLInputElement>(null);
  React.useEffect(() => {
    if (ref.current) {
      ref.current.indeterminate = props.state === 'some';
    }
  });
  return (
    <input
      ref={ref}
      type="checkbox"
      className="jp-skills-plugin-check"
      aria-label={props.label}
      title={props.title}
      checked={props.state === 'all'}
      disabled={props.disabled}
      // "some" → all: a click on a partly checked plugin completes it
      onChange={() => props.onChange(props.state !== 'all')}
    />
  );
}

function PluginGroup(props: {
  model: ImportFormModel;
  group: IPluginGroup;
  index: number;
}): JSX.Element {
  const { model, group, index } = props;
  const trans = model.trans;
  const p = group.plugin;
  const name = group.key || trans.__('Skills not in a plugin');
  const browser = model.plugins;
  const open = !group.refused && browser.isExpanded(group);
  const resolving = !!p && browser.isResolving(p.name);
  const failed = p ? browser.resolveError(p.name) : null;
  const bodyId = `jp-skills-plugin-body-${index}`;
  const count = group.refused
    ? trans.__('not importable')
    : group.resolved
      ? trans._n('%1 skill', '%1 skills', group.candidates.length)
      : trans.__('skills not loaded yet');
  return (
    <li
      className={
        group.refused ? 'jp-skills-plugin jp-mod-refused' : 'jp-skills-plugin'
      }
      data-plugin={group.key}
      aria-busy={resolving || undefined}
    >
      <div className="jp-skills-plugin-head">
        <TriStateCheck
          state={model.pluginState(group)}
          label={trans.__('Import every skill of %1', name)}
          title={
            group.resolved
              ? undefined
              : trans.__('Open the plugin to load its skills')
          }
          disabled={!group.candidates.length}
          onChange={value => model.setPluginChecked(group, value)}
        />
        {group.refused ? (
          <span className="jp-skills-plugin-name">{name}</span>
        ) : (
          <button
            type="button"
            className="jp-skills-plugin-toggle"
            aria-expanded={open}
            aria-controls={bodyId}
            onClick={() => browser.setExpanded(group, !open)}
          >
            <span className="jp-skills-plugin-caret" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
            <span className="jp-skills-plugin-name">{name}</span>
          </button>
        )}
        {p && (
          <span className="jp-skills-plugin-kind" title={pluginOrigin(p)}>
            {p.source.kind}
          </span>
        )}
        <span className="jp-skills-plugin-count">{count}</span>
      </div>
      {p?.description && (
        <div className="jp-skills-plugin-description">{p.description}</div>
      )}
      {p && p.source.kind !== 'local' && (
        <div className="jp-skills-plugin-origin">{pluginOrigin(p)}</div>
      )}
      {/* Errors stay in view, open or not: nothing is dropped silently. */}
      {group.errors.map(e => (
        <div key={e} className="jp-skills-warning jp-skills-plugin-error">
          {e}
        </div>
      ))}
      {open && (
        <div id={bodyId} className="jp-skills-plugin-body">
          {resolving && (
            <div className="jp-skills-plugin-loading" role="status">
              <span className="jp-skills-spinner" aria-hidden="true" />
              {trans.__('Loading the skills of %1…', name)}
            </div>
          )}
          {failed && (
            <div
              className="jp-skills-error jp-skills-plugin-error"
              role="alert"
            >
              {failed}
            </div>
          )}
          <ul
            className="jp-skills-plugin-skills"
            aria-label={trans.__('Skills of %1', name)}
          >
            {group.visible.map(c => (
              <CandidateItem key={c.id} model={model} candidate={c} multi />
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

/** A marketplace preview: a filter, one group per plugin, then loose errors. */
export function PluginList(props: {
  model: ImportFormModel;
  preview: IPreview;
}): JSX.Element {
  const { model, preview } = props;
  const trans = model.trans;
  const browser = model.plugins;
  const groups = browser.groups;
  const unattached = unattachedErrors(preview);
  return (
    // A div, not a fieldset: a fieldset's inner box ignores the flex height,
    // so its list would not scroll on its own and the options would scroll away.
    <div
      role="group"
      aria-labelledby="jp-skills-import-legend"
      className="jp-skills-import-candidates jp-skills-import-market"
    >
      <div id="jp-skills-import-legend" className="jp-skills-import-legend">
        {trans._n(
          'Marketplace %2/%3: %1 plugin',
          'Marketplace %2/%3: %1 plugins',
          preview.plugins.length,
          preview.source.owner,
          preview.source.repo
        )}
      </div>
      <div className="jp-skills-import-market-tools">
        <input
          type="search"
          className="jp-mod-styled jp-skills-import-filter"
          aria-label={trans.__('Filter plugins and skills')}
          placeholder={trans.__('Filter plugins and skills')}
          value={browser.filter}
          onChange={e => (browser.filter = e.target.value)}
        />
        <label className="jp-skills-check jp-skills-import-all">
          <input
            type="checkbox"
            className="jp-skills-import-select-all"
            checked={model.allChecked}
            disabled={!model.selectable.length}
            onChange={e => model.setAllChecked(e.target.checked)}
          />
          {trans.__('Select all shown (%1 selected)', model.selected.length)}
        </label>
      </div>
      <ul
        className="jp-skills-import-list jp-skills-plugin-list"
        aria-label={trans.__('Plugins')}
      >
        {groups.map((g, i) => (
          <PluginGroup key={g.key} model={model} group={g} index={i} />
        ))}
        {!groups.length && (
          <li className="jp-skills-hint">
            {trans.__('No plugin or skill matches “%1”.', browser.filter)}
          </li>
        )}
        {unattached.length > 0 && (
          <li className="jp-skills-plugin jp-skills-plugin-unattached">
            {unattached.map((e, i) => (
              <div key={i} className="jp-skills-warning">
                {e.path ? `${e.path}: ` : ''}
                {e.message}
              </div>
            ))}
          </li>
        )}
      </ul>
    </div>
  );
}
