import * as React from 'react';

import { Scope } from '../api';
import { ImportFormModel, URL_HELP } from '../importModel';
import { useModelState } from './useModelState';

export interface IImportFormProps {
  model: ImportFormModel;
  projectAvailable?: boolean;
}

/** Body of the Import from GitHub dialog. */
export function ImportForm(props: IImportFormProps): JSX.Element {
  const { model } = props;
  useModelState(model.stateChanged);
  const preview = model.preview;
  const candidate = model.candidate;
  const multi = !!preview && preview.skills.length > 1;

  return (
    <div className="jp-skills-import">
      <label className="jp-skills-field">
        <span className="jp-skills-label">GitHub URL</span>
        <input
          className="jp-mod-styled jp-skills-import-url"
          type="text"
          aria-label="GitHub URL"
          aria-invalid={model.urlError ? true : undefined}
          aria-describedby="jp-skills-import-url-help"
          placeholder="https://github.com/owner/repo/tree/main/skills/csv-helper"
          value={model.url}
          onChange={e => (model.url = e.target.value)}
          autoFocus
        />
      </label>
      <div
        id="jp-skills-import-url-help"
        className={
          model.urlError
            ? 'jp-skills-hint jp-skills-hint-error'
            : 'jp-skills-hint'
        }
        role={model.urlError ? 'alert' : undefined}
      >
        {model.urlError ?? URL_HELP}
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
        <button
          type="button"
          className="jp-mod-styled jp-skills-button jp-skills-import-preview"
          disabled={!model.canPreview}
          onClick={() => void model.runPreview()}
        >
          {model.busy === 'preview' ? 'Loading preview…' : 'Preview'}
        </button>
      </div>

      {model.error && (
        <div className="jp-skills-error jp-skills-import-error" role="alert">
          {model.error}
        </div>
      )}

      {preview && preview.skills.length > 0 && (
        <fieldset className="jp-skills-import-candidates">
          <legend>
            {multi
              ? `${preview.skills.length} skills found in ${preview.source.owner}/${preview.source.repo} — pick one`
              : `Skill in ${preview.source.owner}/${preview.source.repo}`}
          </legend>
          {preview.skills.map((c, i) => (
            <div
              key={c.path || c.name}
              className={
                i === model.selected
                  ? 'jp-skills-candidate jp-mod-selected'
                  : 'jp-skills-candidate'
              }
              data-skill={c.name}
            >
              <label className="jp-skills-candidate-head">
                {multi && (
                  <input
                    type="radio"
                    name="jp-skills-candidate"
                    aria-label={`Select ${c.name}`}
                    checked={i === model.selected}
                    onChange={() => (model.selected = i)}
                  />
                )}
                <span className="jp-skills-candidate-name">{c.name}</span>
                {c.path && (
                  <span className="jp-skills-candidate-path">{c.path}</span>
                )}
              </label>
              <div className="jp-skills-candidate-description">
                {c.description || <em>No description</em>}
              </div>
              {(i === model.selected || !multi) && (
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
            </div>
          ))}
          {preview.errors.map((e, i) => (
            <div key={i} className="jp-skills-warning">
              {e.path ? `${e.path}: ` : ''}
              {e.message}
            </div>
          ))}
        </fieldset>
      )}

      {candidate && (
        <>
          {model.exists && (
            <div
              className="jp-skills-warning jp-skills-import-exists"
              role="alert"
            >
              A {model.scope} skill named “{model.name || candidate.name}”
              already exists.
              <label className="jp-skills-check">
                <input
                  type="checkbox"
                  className="jp-skills-import-overwrite"
                  checked={model.overwrite}
                  onChange={e => (model.overwrite = e.target.checked)}
                />
                Overwrite
              </label>
            </div>
          )}
          <label className="jp-skills-field">
            <span className="jp-skills-label">Name (optional)</span>
            <input
              className="jp-mod-styled jp-skills-import-name"
              type="text"
              aria-label="Name override"
              placeholder={candidate.name}
              value={model.name}
              onChange={e => (model.name = e.target.value)}
            />
          </label>
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
            Tracked skills show a Tracking badge and can be synced with the
            upstream repository.
          </div>
        </>
      )}
      {model.busy === 'import' && (
        <div className="jp-skills-hint" role="status">
          Importing…
        </div>
      )}
    </div>
  );
}
