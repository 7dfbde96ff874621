// The LLM catalog the daemon works from: the bundled curated models, the ones a user added by
// repo and filename (`add-model`), and GGUF files a user copied into the models folder
// `<data>/models/llm/` (`refresh`). Kept in `<data>/llm_catalog.json` in the normalised format,
// with the active model and projector; bundled models missing from the file are added on load,
// so a newer daemon's catalog reaches an existing installation.
//
// Every model's files live flat in the models folder (all shards of a split model side by
// side, where llama.cpp looks for them); a model is on disk when all of its files are.
import fs from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile.ts';
import { DEFAULT_LLM_CATALOG } from './defaultLlmCatalog.ts';
import { isMmprojName, quantOf, shardFilesOf, type LlmCatalogFile, type LlmFamily, type LlmModelFile } from './llmCatalogFormat.ts';

export const LLM_CATALOG_FILE = 'llm_catalog.json';
export const LOCAL_FAMILY = 'local';

const LOCAL_FAMILY_ENTRY: LlmFamily = {
  name: 'Local files',
  description: 'GGUF files copied into the models folder',
  repo: '',
  tags: ['local'],
  params_b: 0,
  max_context_length: 0,
};

export const llmModelsDir = (dataDir: string) => path.join(dataDir, 'models', 'llm');

export interface AddModel {
  repo: string;
  filename: string;
  sizeGb?: number;
  mmproj?: boolean;
}

export class LlmCatalog {
  readonly file: string;
  readonly modelsDir: string;
  #catalog: LlmCatalogFile;

  constructor(
    dataDir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.file = path.join(dataDir, LLM_CATALOG_FILE);
    this.modelsDir = llmModelsDir(dataDir);
    this.#catalog = this.#load();
  }

  get activeModel(): string | null {
    return this.#catalog.active_model;
  }

  get activeMmproj(): string | null {
    return this.#catalog.active_mmproj;
  }

  families(): Readonly<Record<string, LlmFamily>> {
    return this.#catalog.families;
  }

  models(): readonly LlmModelFile[] {
    return this.#catalog.models;
  }

  /** The model a file name belongs to (its own name or one of its shards). */
  find(filename: string): LlmModelFile | undefined {
    return this.#catalog.models.find((m) => m.filename === filename || m.shard_files?.includes(filename));
  }

  family(model: LlmModelFile): LlmFamily | undefined {
    return this.#catalog.families[model.family];
  }

  repoOf(model: LlmModelFile): string {
    return model.repo ?? this.family(model)?.repo ?? '';
  }

  isMmproj(model: LlmModelFile): boolean {
    return this.family(model)?.is_mmproj === true || isMmprojName(model.filename);
  }

  /** Every file of a model, the first being the one llama.cpp is given. */
  shardsOf(model: LlmModelFile): string[] {
    return model.shard_files?.length ? model.shard_files : [model.filename];
  }

  pathOf(filename: string): string {
    return path.join(this.modelsDir, filename);
  }

  /** The path llama.cpp loads, when every file of the model is on disk; else null. */
  localPathOf(model: LlmModelFile): string | null {
    return this.shardsOf(model).every((f) => fs.existsSync(this.pathOf(f))) ? this.pathOf(model.filename) : null;
  }

  setActiveModel(filename: string | null): void {
    this.#catalog.active_model = filename;
    // A projector belongs to its model's family: one that no longer matches is cleared.
    const mmproj = this.#catalog.active_mmproj ? this.find(this.#catalog.active_mmproj) : undefined;
    const model = filename ? this.find(filename) : undefined;
    if (mmproj && (!model || !this.#matchesProjector(model, mmproj))) this.#catalog.active_mmproj = null;
    this.#save();
  }

  setActiveMmproj(filename: string | null): void {
    this.#catalog.active_mmproj = filename;
    this.#save();
  }

  /** Adds a model by repo and file name (idempotent per file name); a split model gets its shards. */
  addModel(req: AddModel): { model: LlmModelFile; added: boolean } {
    const existing = this.find(req.filename);
    if (existing) return { model: existing, added: false };
    const familyId = this.#familyForRepo(req.repo, req.mmproj ?? isMmprojName(req.filename));
    const shards = shardFilesOf(req.filename);
    const model: LlmModelFile = {
      family: familyId,
      filename: shards ? shards[0]! : req.filename,
      quant: quantOf(req.filename),
      size_gb: req.sizeGb ?? 0,
      description: `Added from ${req.repo}`,
      repo: req.repo,
      ...(shards && shards.length > 1 ? { shard_files: shards } : {}),
    };
    this.#catalog.models.push(model);
    this.#save();
    return { model, added: true };
  }

  /**
   * Scans the models folder: GGUF files no model claims become models of the `local` family
   * (a split model once, by its first shard); local models whose files are gone are dropped.
   */
  refresh(): { added: string[]; removed: string[] } {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.modelsDir).filter((n) => n.toLowerCase().endsWith('.gguf'));
    } catch {
      // No models folder yet: nothing copied in.
    }
    const added: string[] = [];
    for (const name of names.sort()) {
      if (this.find(name)) continue;
      const shards = shardFilesOf(name);
      const first = shards ? shards[0]! : name;
      const files = shards ?? [name];
      const bytes = files.reduce((n, f) => n + (fs.statSync(this.pathOf(f), { throwIfNoEntry: false })?.size ?? 0), 0);
      this.#catalog.families[LOCAL_FAMILY] ??= { ...LOCAL_FAMILY_ENTRY };
      this.#catalog.models.push({
        family: LOCAL_FAMILY,
        filename: first,
        quant: quantOf(first),
        size_gb: Math.round(bytes / 1e7) / 100,
        description: isMmprojName(first) ? 'Vision projector found in the models folder' : 'Found in the models folder',
        ...(shards && shards.length > 1 ? { shard_files: shards } : {}),
      });
      added.push(first);
    }
    const removed = this.#catalog.models.filter((m) => m.family === LOCAL_FAMILY && !this.shardsOf(m).some((f) => names.includes(f))).map((m) => m.filename);
    if (removed.length) this.#catalog.models = this.#catalog.models.filter((m) => !removed.includes(m.filename));
    if (added.length || removed.length) this.#save();
    return { added, removed };
  }

  #matchesProjector(model: LlmModelFile, mmproj: LlmModelFile): boolean {
    const repo = this.repoOf(mmproj);
    return repo !== '' && repo === this.repoOf(model);
  }

  #familyForRepo(repo: string, mmproj: boolean): string {
    const id = mmproj ? `${repo.toLowerCase()}#mmproj` : repo.toLowerCase();
    this.#catalog.families[id] ??= {
      name: (repo.split('/').at(-1) ?? repo) + (mmproj ? ' (vision projector)' : ''),
      description: `Models added from ${repo}`,
      repo,
      tags: mmproj ? ['added', 'mmproj'] : ['added'],
      ...(mmproj ? { is_mmproj: true } : {}),
      params_b: 0,
      max_context_length: 0,
    };
    return id;
  }

  #load(): LlmCatalogFile {
    let stored: Partial<LlmCatalogFile> = {};
    try {
      stored = readJsonFile<Partial<LlmCatalogFile>>(this.file, {});
    } catch (err) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      fs.renameSync(this.file, aside);
      this.warn(`unreadable LLM catalog moved to ${aside}: ${(err as Error).message}`);
    }
    const catalog: LlmCatalogFile = {
      active_model: typeof stored.active_model === 'string' ? stored.active_model : null,
      active_mmproj: typeof stored.active_mmproj === 'string' ? stored.active_mmproj : null,
      families: { ...DEFAULT_LLM_CATALOG.families, ...(stored.families ?? {}) },
      models: Array.isArray(stored.models) ? stored.models.filter((m) => m && typeof m.filename === 'string' && typeof m.family === 'string') : [],
    };
    const known = new Set(catalog.models.map((m) => m.filename));
    for (const m of DEFAULT_LLM_CATALOG.models) if (!known.has(m.filename)) catalog.models.push({ ...m });
    return catalog;
  }

  #save(): void {
    writeJsonAtomic(this.file, this.#catalog, { mode: 0o600, dirMode: 0o700 });
  }
}
