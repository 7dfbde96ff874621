// Which text model embeds labels (and the search graph's query and the command palette): the
// built-in lexical model, or a sentence-embedding export the user copied into
// `<data>/models/text/<name>/` (sentenceModel.ts). The choice is the setting
// `text_embedding_model` (the reference's key), restored at start-up; a model that no longer
// loads falls back to the built-in one with a warning rather than leaving labels unsearchable.
//
// Names are looked up in the folder listing, never joined into a path as given, so a name
// cannot reach outside the models folder.
import fs from 'node:fs';
import path from 'node:path';
import type { DaemonLog } from '../log.ts';
import type { SettingsStore } from '../settings/settingsStore.ts';
import { modelFolderFiles, SentenceModel } from './sentenceModel.ts';
import { BuiltinTextModel, textModel, useTextModel, type TextEmbeddingModel } from './textEncoder.ts';
import { TEXT_MODEL } from './textEncoderModel.ts';

export const TEXT_MODEL_SETTING = 'text_embedding_model';
export const BUILTIN_TEXT_MODEL = TEXT_MODEL.name;

export class UnknownTextModel extends Error {}

export interface TextModelEntry {
  name: string;
  builtin: boolean;
  /** False when the folder lacks a file a model needs (`missing` says which). */
  usable: boolean;
  missing?: string;
}

export interface TextModelsDeps {
  dataDir: string;
  settings: SettingsStore;
  log: DaemonLog;
}

export class TextModels {
  readonly dir: string;

  constructor(private readonly deps: TextModelsDeps) {
    this.dir = path.join(deps.dataDir, 'models', 'text');
  }

  #restored: Promise<void> = Promise.resolve();

  /** The built-in model first, then every folder of the models folder, by name. */
  list(): TextModelEntry[] {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    } catch {
      // No models folder yet: only the built-in model.
    }
    return [
      { name: BUILTIN_TEXT_MODEL, builtin: true, usable: true },
      ...names.map((name) => {
        const files = modelFolderFiles(path.join(this.dir, name));
        return 'missing' in files ? { name, builtin: false, usable: false, missing: files.missing } : { name, builtin: false, usable: true };
      }),
    ];
  }

  /** The model in use now (once the stored choice has been restored). */
  async current(): Promise<{ model: string; dim: number; lexical: boolean }> {
    await this.#restored;
    const m = await textModel();
    return { model: m.name, dim: m.dim, lexical: m.lexical };
  }

  /** Loads `name` and makes it the text model (persisted). Throws UnknownTextModel or SentenceModelError. */
  async select(name: string): Promise<{ model: string; dim: number; lexical: boolean }> {
    const model = await this.#load(name);
    useTextModel(model);
    this.deps.settings.update({ [TEXT_MODEL_SETTING]: name });
    this.deps.log.info('embeddings', `text model is now ${model.name} (${model.dim} dims${model.lexical ? ', lexical' : ''})`);
    return { model: model.name, dim: model.dim, lexical: model.lexical };
  }

  /** At start-up: the stored choice, or the built-in model if it is gone or broken. */
  restore(): Promise<void> {
    this.#restored = this.#restore();
    return this.#restored;
  }

  async #restore(): Promise<void> {
    const wanted = this.deps.settings.get()[TEXT_MODEL_SETTING];
    if (typeof wanted !== 'string' || wanted === BUILTIN_TEXT_MODEL || wanted === '') return;
    try {
      useTextModel(await this.#load(wanted));
      this.deps.log.info('embeddings', `text model ${wanted} loaded`);
    } catch (err) {
      this.deps.log.warn('embeddings', `text model ${wanted} could not be loaded (${(err as Error).message}); using ${BUILTIN_TEXT_MODEL}`);
    }
  }

  async #load(name: string): Promise<TextEmbeddingModel> {
    if (name === BUILTIN_TEXT_MODEL) return BuiltinTextModel.load();
    const entry = this.list().find((e) => e.name === name && !e.builtin);
    if (!entry) throw new UnknownTextModel(`no text model "${name}": copy its ONNX export folder into ${this.dir} (GET /v1/models/text-embedding lists them)`);
    return SentenceModel.load(path.join(this.dir, entry.name), entry.name);
  }
}
