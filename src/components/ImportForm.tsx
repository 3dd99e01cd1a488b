import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { Scope } from '../api';
import { ImportFormModel } from '../importModel';
import { urlHelp, urlPlaceholder } from '../validate';
import { CandidateItem } from './CandidateItem';
import { PluginList } from './PluginList';

export interface IImportFormProps {
  model: ImportFormModel;
}

/** Body of the Import from GitHub dialog: options on top, the list scrolls. */
export function ImportForm(props: IImportFormProps): JSX.Element {
  return (
    <UseSignal signal={props.model.stateChanged}>
      {() => <ImportFormBody model={props.model} />}
    </UseSignal>
  );
}

function ImportFormBody(props: IImportFormProps): JSX.Element {
  const { model } = props;
  const trans = model.trans;
  const preview = model.preview;
  const multi = !!preview && preview.skills.length > 1;
  const selected = model.selected;
  const existing = model.existing;
  const replacing = existing.length > 0;

  return (
    <div className="jp-skills-import">
      <div className="jp-skills-import-options">
        <label className="jp-skills-label" htmlFor="jp-skills-import-url">
          {trans.__('GitHub URL')}
        </label>
        <div className="jp-skills-import-url-row">
          <input
            id="jp-skills-import-url"
            className="jp-mod-styled jp-skills-import-url"
            type="text"
            aria-label={trans.__('GitHub URL')}
            aria-invalid={model.urlError ? true : undefined}
            aria-describedby="jp-skills-import-url-help"
            placeholder={urlPlaceholder(model.githubUrl)}
            value={model.url}
            onChange={e => (model.url = e.target.value)}
            autoFocus
          />
          <button
            type="button"
            className="jp-mod-styled jp-skills-button jp-skills-import-preview"
            disabled={!model.canPreview}
            onClick={() => void model.runPreview()}
          >
            {model.busy === 'preview'
              ? trans.__('Loading…')
              : trans.__('Preview')}
          </button>
        </div>
        <div
          id="jp-skills-import-url-help"
          className={
            model.urlError
              ? 'jp-skills-hint jp-skills-hint-error'
              : 'jp-skills-hint'
          }
          role={model.urlError ? 'alert' : undefined}
        >
          {model.urlError ?? urlHelp(model.githubUrl, trans)}
        </div>

        <div className="jp-skills-import-row">
          <label className="jp-skills-field">
            <span className="jp-skills-label">{trans.__('Install for')}</span>
            <select
              className="jp-mod-styled jp-skills-import-scope"
              aria-label={trans.__('Scope')}
              value={model.scope}
              onChange={e => (model.scope = e.target.value as Scope)}
            >
              <option value="user">
                {trans.__('User (~/.claude/skills)')}
              </option>
              <option value="project">
                {trans.__('Project (.claude/skills)')}
              </option>
            </select>
          </label>
          <label className="jp-skills-field">
            <span className="jp-skills-label">
              {trans.__('Name (optional)')}
            </span>
            <input
              className="jp-mod-styled jp-skills-import-name"
              type="text"
              aria-label={trans.__('Name override')}
              placeholder={
                model.nameAllowed
                  ? selected[0].name
                  : trans.__('each skill keeps its name')
              }
              disabled={!model.nameAllowed}
              value={model.nameAllowed ? model.name : ''}
              onChange={e => (model.name = e.target.value)}
            />
          </label>
        </div>
        {model.nameError && (
          <div
            className="jp-skills-hint jp-skills-hint-error jp-skills-import-name-error"
            role="alert"
          >
            {model.nameError}
          </div>
        )}
        <label className="jp-skills-check">
          <input
            type="checkbox"
            className="jp-skills-import-track"
            checked={model.tracksUpstream}
            onChange={e => (model.tracksUpstream = e.target.checked)}
          />
          {trans.__('Track upstream')}
        </label>
        <div className="jp-skills-hint">
          {replacing && !model.trackTouched
            ? trans.__(
                'Replacing keeps each existing skill’s own Track upstream setting unless you change this box.'
              )
            : trans.__(
                'Tracked skills show a Tracking badge and can be synced with the upstream repository.'
              )}
        </div>
        {replacing && (
          <div
            className="jp-skills-warning jp-skills-import-exists"
            role="alert"
          >
            {existing.length === 1
              ? model.scope === 'user'
                ? trans.__(
                    'A user skill named “%1” already exists.',
                    model.installName(existing[0])
                  )
                : trans.__(
                    'A project skill named “%1” already exists.',
                    model.installName(existing[0])
                  )
              : model.scope === 'user'
                ? trans.__(
                    '%1 user skills already exist: %2.',
                    existing.length,
                    existing.map(c => c.name).join(', ')
                  )
                : trans.__(
                    '%1 project skills already exist: %2.',
                    existing.length,
                    existing.map(c => c.name).join(', ')
                  )}
            <label className="jp-skills-check">
              <input
                type="checkbox"
                className="jp-skills-import-overwrite"
                checked={model.overwrite}
                onChange={e => (model.overwrite = e.target.checked)}
              />
              {existing.length === 1
                ? trans.__('Replace it')
                : trans.__('Replace them')}
            </label>
          </div>
        )}
        {model.error && (
          <div className="jp-skills-error jp-skills-import-error" role="alert">
            {model.error}
          </div>
        )}
      </div>

      {preview && model.isMarketplace && (
        <PluginList model={model} preview={preview} />
      )}
      {preview && !model.isMarketplace && preview.skills.length > 0 && (
        // A div, not a fieldset: see PluginList (only the list scrolls).
        <div
          role="group"
          aria-labelledby="jp-skills-import-legend"
          className="jp-skills-import-candidates"
        >
          <div id="jp-skills-import-legend" className="jp-skills-import-legend">
            {multi
              ? trans.__(
                  '%1 skills found in %2/%3',
                  preview.skills.length,
                  preview.source.owner,
                  preview.source.repo
                )
              : trans.__(
                  'Skill in %1/%2',
                  preview.source.owner,
                  preview.source.repo
                )}
          </div>
          {multi && (
            <label className="jp-skills-check jp-skills-import-all">
              <input
                type="checkbox"
                className="jp-skills-import-select-all"
                checked={model.allChecked}
                onChange={e => model.setAllChecked(e.target.checked)}
              />
              {trans.__(
                'Select all (%1 of %2 selected)',
                selected.length,
                preview.skills.length
              )}
            </label>
          )}
          <ul
            className="jp-skills-import-list"
            aria-label={trans.__('Skills found')}
          >
            {preview.skills.map(c => (
              <CandidateItem
                key={c.id}
                model={model}
                candidate={c}
                multi={multi}
              />
            ))}
          </ul>
          {preview.errors.map((e, i) => (
            <div key={i} className="jp-skills-warning">
              {e.path ? `${e.path}: ` : ''}
              {e.message}
            </div>
          ))}
        </div>
      )}
      {model.busy === 'import' && (
        <div className="jp-skills-hint" role="status">
          {trans.__('Importing…')}
        </div>
      )}
    </div>
  );
}
