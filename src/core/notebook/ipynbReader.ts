import { UserError } from '../userError';
import type { NotebookCell } from './notebookProgram';

/** An .ipynb file's cells (nbformat 4), with the notebook-wide ignores from its metadata (`"vit-doctor": {"ignore": [...]}`). */
export interface IpynbNotebook {
  cells: NotebookCell[];
  ignore: string[];
}

function sourceText(src: unknown): string {
  if (typeof src === 'string') return src;
  if (Array.isArray(src)) return src.filter((x): x is string => typeof x === 'string').join('');
  return '';
}

/** Reads the cells of an .ipynb text; outputs (images, megabytes of logs) are not looked at. */
export function parseIpynb(text: string, file: string): IpynbNotebook {
  let nb: { nbformat?: unknown; cells?: unknown; worksheets?: unknown; metadata?: Record<string, unknown> };
  try {
    nb = JSON.parse(text.replace(/^\uFEFF/, '')) as typeof nb;
  } catch (e) {
    throw new UserError('E_NOTEBOOK_INVALID', `${file}: is not a valid notebook (not JSON: ${(e as Error).message}).`, { file, hint: 'Open and save it again in Jupyter or VS Code.' });
  }
  if (!nb || typeof nb !== 'object') throw new UserError('E_NOTEBOOK_INVALID', `${file}: is not a notebook (expected a JSON object).`, { file });
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    const v = typeof nb.nbformat === 'number' ? `nbformat ${nb.nbformat}` : 'no nbformat';
    throw new UserError('E_NOTEBOOK_VERSION', `${file}: ${v} is not supported (nbformat 4 is).`, { file, hint: 'Convert it with "jupyter nbconvert --to notebook --nbformat 4", or open and save it in Jupyter.' });
  }
  const md = nb.metadata ?? {};
  const kernelLang = (md.kernelspec as { language?: unknown } | undefined)?.language ?? (md.language_info as { name?: unknown } | undefined)?.name;
  const language = typeof kernelLang === 'string' ? kernelLang : 'python';
  const cells: NotebookCell[] = (nb.cells as unknown[]).map((c) => {
    const cell = (c ?? {}) as { cell_type?: unknown; source?: unknown; metadata?: { vscode?: { languageId?: unknown } } };
    const lang = typeof cell.metadata?.vscode?.languageId === 'string' ? cell.metadata.vscode.languageId : language;
    return { kind: cell.cell_type === 'code' ? 'code' : 'markup', language: lang, text: sourceText(cell.source) };
  });
  const ignoreRaw = (md['vit-doctor'] as { ignore?: unknown } | undefined)?.ignore;
  const ignore = Array.isArray(ignoreRaw) ? ignoreRaw.filter((x): x is string => typeof x === 'string') : [];
  return { cells, ignore };
}
