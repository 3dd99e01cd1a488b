/**
 * Browsing a marketplace preview in the import dialog: the filter, which
 * plugin groups are open, and external plugins resolved on first open (one
 * `previewImport(url, plugin)` each, never all at once: CONTRACT §7).
 *
 * Owned by ImportFormModel, which keeps the preview and the checked skills;
 * everything here is forgotten when the preview changes (`reset`).
 */
import { IPreview, errorMessage } from './api';
import {
  ClashNote,
  IPluginGroup,
  mergePlugin,
  pluginGroups
} from './pluginGroups';

export interface IPluginBrowserHost {
  /** The preview being shown, or null. */
  preview(): IPreview | null;
  /** Resolve one plugin of the previewed source. */
  ask(plugin: string): Promise<IPreview>;
  /** Store the preview with a resolved plugin merged in. */
  merged(preview: IPreview): void;
  changed(): void;
  /** The (translated) note on skills of two plugins that share a name. */
  clashNote?: ClashNote;
}

export class PluginBrowser {
  constructor(host: IPluginBrowserHost) {
    this._host = host;
  }

  /** A marketplace preview: shown as plugin groups, imported by ids. */
  get isMarketplace(): boolean {
    const p = this._host.preview();
    return !!p && (p.source.kind === 'marketplace' || p.plugins.length > 0);
  }

  /** Narrows the groups by plugin and skill names, descriptions and paths. */
  get filter(): string {
    return this._filter;
  }
  set filter(value: string) {
    this._filter = value;
    this._host.changed();
  }

  get groups(): IPluginGroup[] {
    const p = this._host.preview();
    return p && this.isMarketplace ? pluginGroups(p, this._filter) : [];
  }

  /** Open as the user left it; else open while the filter shows its skills. */
  isExpanded(group: IPluginGroup): boolean {
    return (
      this._expanded.get(group.key) ??
      (!!this._filter.trim() && group.visible.length > 0)
    );
  }

  /** Open or close a group; opening an unresolved plugin asks for its skills. */
  setExpanded(group: IPluginGroup, value: boolean): void {
    this._expanded.set(group.key, value);
    this._host.changed();
    if (value && group.plugin && !group.resolved) {
      void this.resolve(group.plugin.name);
    }
  }

  isResolving(name: string): boolean {
    return this._resolving.has(name);
  }

  /** Why asking for a plugin's skills failed (open it again to retry). */
  resolveError(name: string): string | null {
    return this._errors.get(name) ?? null;
  }

  /** Ask the server for one external plugin's skills. */
  async resolve(name: string): Promise<void> {
    const generation = this._generation;
    if (!this._host.preview() || this._resolving.has(name)) {
      return;
    }
    this._resolving.add(name);
    this._errors.delete(name);
    this._host.changed();
    try {
      const answer = await this._host.ask(name);
      const current = this._host.preview();
      if (generation === this._generation && current) {
        this._host.merged(
          mergePlugin(current, name, answer, this._host.clashNote)
        );
      }
    } catch (error) {
      if (generation === this._generation) {
        this._errors.set(name, errorMessage(error));
      }
    } finally {
      // an answer for an older preview changes nothing
      if (generation === this._generation) {
        this._resolving.delete(name);
        this._host.changed();
      }
    }
  }

  /** A new (or no) preview: forget groups, filter and pending answers. */
  reset(): void {
    this._generation++;
    this._filter = '';
    this._expanded = new Map();
    this._resolving = new Set();
    this._errors = new Map();
  }

  private _host: IPluginBrowserHost;
  private _filter = '';
  private _expanded = new Map<string, boolean>();
  private _resolving = new Set<string>();
  private _errors = new Map<string, string>();
  private _generation = 0;
}
