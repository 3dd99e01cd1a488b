import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ICandidate, Scope } from '../api';
import { ImportFormModel, urlHelp, urlPlaceholder } from '../importModel';

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

function Candidate(props: {
  model: ImportFormModel;
  candidate: ICandidate;
  multi: boolean;
}): JSX.Element {
  const { model, candidate: c, multi } = props;
  const checked = model.isChecked(c);
  const exists = c.exists[model.scope];
  return (
    <li
      className={
        checked ? 'jp-skills-candidate jp-mod-selected' : 'jp-skills-candidate'
      }
      data-skill={c.name}
    >
      <label className="jp-skills-candidate-head">
        {multi && (
          <input
            type="checkbox"
            className="jp-skills-candidate-check"
            aria-label={`Import ${c.name}`}
            checked={checked}
            onChange={e => model.setChecked(c, e.target.checked)}
          />
        )}
        <span className="jp-skills-candidate-name">{c.name}</span>
        {c.path && <span className="jp-skills-candidate-path">{c.path}</span>}
        {exists && (
          <span className="jp-skills-badge jp-skills-badge-exists">
            Installed
          </span>
        )}
      </label>
      <div className="jp-skills-candidate-description">
        {c.description || <em>No description</em>}
      </div>
      {(checked || !multi) && (
        <ul
          className="jp-skills-candidate-files"
          aria-label={`Files of ${c.name}`}
        >
          {c.files.map(f => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {c.problems.map(p => (
        <div key={p} className="jp-skills-warning">
          {p}
        </div>
      ))}
    </li>
  );
}

function ImportFormBody(props: IImportFormProps): JSX.Element {
  const { model } = props;
  const preview = model.preview;
  const multi = !!preview && preview.skills.length > 1;
  const selected = model.selected;
  const existing = model.existing;
  const replacing = existing.length > 0;

  return (
    <div className="jp-skills-import">
      <div className="jp-skills-import-options">
        <label className="jp-skills-label" htmlFor="jp-skills-import-url">
          GitHub URL
        </label>
        <div className="jp-skills-import-url-row">
          <input
            id="jp-skills-import-url"
            className="jp-mod-styled jp-skills-import-url"
            type="text"
            aria-label="GitHub URL"
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
            {model.busy === 'preview' ? 'Loading…' : 'Preview'}
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
          {model.urlError ?? urlHelp(model.githubUrl)}
        </div>

        <div className="jp-skills-import-row">
          <label className="jp-skills-field">
            <span className="jp-skills-label">Install for</span>
            <select
              className="jp-mod-styled jp-skills-import-scope"
              aria-label="Scope"
              value={model.scope}
              onChange={e => (model.scope = e.target.value as Scope)}
            >
              <option value="user">User (~/.claude/skills)</option>
              <option value="project">Project (.claude/skills)</option>
            </select>
          </label>
          <label className="jp-skills-field">
            <span className="jp-skills-label">Name (optional)</span>
            <input
              className="jp-mod-styled jp-skills-import-name"
              type="text"
              aria-label="Name override"
              placeholder={
                model.nameAllowed
                  ? selected[0].name
                  : 'each skill keeps its name'
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
          Track upstream
        </label>
        <div className="jp-skills-hint">
          {replacing && !model.trackTouched
            ? 'Replacing keeps each existing skill’s own Track upstream setting unless you change this box.'
            : 'Tracked skills show a Tracking badge and can be synced with the upstream repository.'}
        </div>
        {replacing && (
          <div
            className="jp-skills-warning jp-skills-import-exists"
            role="alert"
          >
            {existing.length === 1
              ? `A ${model.scope} skill named “${model.installName(existing[0])}” already exists.`
              : `${existing.length} ${model.scope} skills already exist: ${existing
                  .map(c => c.name)
                  .join(', ')}.`}
            <label className="jp-skills-check">
              <input
                type="checkbox"
                className="jp-skills-import-overwrite"
                checked={model.overwrite}
                onChange={e => (model.overwrite = e.target.checked)}
              />
              Replace {existing.length === 1 ? 'it' : 'them'}
            </label>
          </div>
        )}
        {model.error && (
          <div className="jp-skills-error jp-skills-import-error" role="alert">
            {model.error}
          </div>
        )}
      </div>

      {preview && preview.skills.length > 0 && (
        <fieldset className="jp-skills-import-candidates">
          <legend>
            {multi
              ? `${preview.skills.length} skills found in ${preview.source.owner}/${preview.source.repo}`
              : `Skill in ${preview.source.owner}/${preview.source.repo}`}
          </legend>
          {multi && (
            <label className="jp-skills-check jp-skills-import-all">
              <input
                type="checkbox"
                className="jp-skills-import-select-all"
                checked={model.allChecked}
                onChange={e => model.setAllChecked(e.target.checked)}
              />
              Select all ({selected.length} of {preview.skills.length} selected)
            </label>
          )}
          <ul className="jp-skills-import-list" aria-label="Skills found">
            {preview.skills.map(c => (
              <Candidate key={c.id} model={model} candidate={c} multi={multi} />
            ))}
          </ul>
          {preview.errors.map((e, i) => (
            <div key={i} className="jp-skills-warning">
              {e.path ? `${e.path}: ` : ''}
              {e.message}
            </div>
          ))}
        </fieldset>
      )}
      {model.busy === 'import' && (
        <div className="jp-skills-hint" role="status">
          Importing…
        </div>
      )}
    </div>
  );
}
