import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ViTDoctorApi } from '../../../src/extension';
import type { ReportPanelState, TrainPanelState } from '../../../src/protocol/panelProtocol';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error('timed out');
    await sleep(200);
  }
}

suite('ViT Doctor in the extension host', () => {
  let api: ViTDoctorApi;
  let doc: vscode.TextDocument;

  /** Runs the command from the active editor and waits for the report it produces (a new one, finished). */
  const runSanityBatch = async (): Promise<ReportPanelState> => {
    const before = (api.reportState() as ReportPanelState).report;
    await vscode.commands.executeCommand('vitDoctor.runSanityBatch');
    return until(() => {
      const s = api.reportState() as ReportPanelState;
      return s.report && s.report !== before && !s.running ? s : undefined;
    }, 120000);
  };

  suiteSetup(async () => {
    const ws = vscode.workspace.workspaceFolders![0]!.uri;
    doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(ws, 'train.py'));
    await vscode.window.showTextDocument(doc);
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'vit-doctor')!;
    api = (await ext.activate()) as ViTDoctorApi;
  });

  test('every command is registered', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['runSanityBatch', 'openShapeInspector', 'showInputStatistics', 'comparePresets', 'showPresetConfig', 'restartEngine', 'showLogs', 'installNativeBackend']) {
      assert.ok(all.includes(`vitDoctor.${c}`), c);
    }
  });

  test('diagnostics of train.py: rule codes with doc links, source, related locations', async () => {
    const diags = await until(() => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'ViT Doctor');
      return d.length >= 2 ? d : undefined;
    });
    const codes = diags.map((d) => `${d.range.start.line + 1}:${(d.code as { value: string }).value}`).sort();
    assert.deepStrictEqual(codes, ['13:VTD005', '9:VTD001']);
    const vtd001 = diags.find((d) => (d.code as { value: string }).value === 'VTD001')!;
    assert.match((vtd001.code as { target: vscode.Uri }).target.path, /docs\/rules\/VTD001-missing-preprocessing\.md$/);
    assert.ok((vtd001.relatedInformation ?? []).some((r) => r.location.range.start.line === 5));
  });

  test('quick fixes are offered for a finding', async () => {
    const diag = vscode.languages.getDiagnostics(doc.uri).find((d) => (d.code as { value: string }).value === 'VTD001')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.some((t) => /ImageConverter\.from_preset/.test(t)), titles.join(' | '));
    assert.ok(titles.some((t) => /Ignore VTD001 on this line/.test(t)));
  });

  test('notebook: the bug spread over cells is a diagnostic on the right cell, with related locations in other cells', async () => {
    const ws = vscode.workspace.workspaceFolders![0]!.uri;
    const nb = await vscode.workspace.openNotebookDocument(vscode.Uri.joinPath(ws, 'train.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    const cells = nb.getCells();
    const diags = await until(() => {
      const d = vscode.languages.getDiagnostics(cells[4]!.document.uri).filter((x) => x.source === 'ViT Doctor');
      return d.length ? d : undefined;
    });
    const vtd001 = diags.find((d) => (d.code as { value: string }).value === 'VTD001')!;
    assert.strictEqual(vtd001.range.start.line, 2, 'line 3 of the %%time cell');
    assert.ok((vtd001.relatedInformation ?? []).some((r) => r.location.uri.toString() === cells[2]!.document.uri.toString()), 'points at the from_preset cell');
    const compileCell = vscode.languages.getDiagnostics(cells[5]!.document.uri).map((d) => (d.code as { value: string }).value);
    assert.ok(compileCell.includes('VTD005'), compileCell.join(','));
    assert.deepStrictEqual(vscode.languages.getDiagnostics(cells[1]!.document.uri).filter((x) => x.source === 'ViT Doctor'), [], 'magics raise nothing');

    // hover on a preset name inside a cell
    const pos = new vscode.Position(1, cells[5]!.document.lineAt(1).text.indexOf('vit_base') + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cells[5]!.document.uri, pos);
    assert.match(hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n'), /196 \+ 1 CLS = 197/);

    // a quick fix in a cell edits that cell
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', cells[4]!.document.uri, vtd001.range, vscode.CodeActionKind.QuickFix.value);
    const ignore = actions.find((a) => a.title === 'Ignore VTD001 on this line')!;
    assert.ok(ignore, actions.map((a) => a.title).join(' | '));
    assert.ok(actions.some((a) => a.title === 'Ignore VTD001 in this notebook'));
    await vscode.workspace.applyEdit(ignore.edit!);
    assert.match(cells[4]!.document.lineAt(2).text, /# vit-doctor: ignore\[VTD001\]/);
    await until(() => (vscode.languages.getDiagnostics(cells[4]!.document.uri).some((d) => (d.code as { value: string }).value === 'VTD001') ? undefined : true));

    // moving a cell: the compile cell moved to the top keeps its diagnostic
    const edit = new vscode.WorkspaceEdit();
    edit.set(nb.uri, [vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(0, 1))]);
    await vscode.workspace.applyEdit(edit);
    await until(() => (vscode.languages.getDiagnostics(nb.getCells()[4]!.document.uri).some((d) => (d.code as { value: string }).value === 'VTD005') ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('notebook: Run Sanity Batch from a cell reads the preset and the preprocessing from the whole notebook', async () => {
    const ws = vscode.workspace.workspaceFolders![0]!.uri;
    const nb = await vscode.workspace.openNotebookDocument(vscode.Uri.joinPath(ws, 'train.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    // the cursor in the head cell, which has no from_preset: the preset comes from another cell
    const editor = await vscode.window.showTextDocument(nb.getCells()[4]!.document);
    editor.selection = new vscode.Selection(2, 5, 2, 5);
    const state = await runSanityBatch();
    assert.match(state.report!.preset.dir, /preset$/);
    assert.strictEqual(state.report!.userPreprocessing, 'none', 'the notebook feeds raw pixels');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('hover on a preset name explains tokens and the input contract', async () => {
    const line = doc.lineAt(14).text;
    const pos = new vscode.Position(14, line.indexOf('vit_base') + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /196 \+ 1 CLS = 197/);
    assert.match(text, /x \/ 127\.5 - 1/);
  });

  test('hover on a DINOv2 preset name: built size 518 (not 224), tokens, converter contract', async () => {
    const ws = vscode.workspace.workspaceFolders![0]!.uri;
    const dino = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(ws, 'dinov2', 'features.py'));
    const pos = new vscode.Position(13, dino.lineAt(13).text.indexOf('dinov2_base') + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', dino.uri, pos);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /1 CLS \+ 37×37 = 1369 patches = \*\*1370\*\* at 518×518/);
    assert.match(text, /ImageNet mean/);
    assert.match(text, /bicubic resize to 518x518/);
  });

  test('Run Sanity Batch runs the engine on the workspace preset and fills the report panel', async () => {
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(5, 10, 5, 10);
    const state = await runSanityBatch();
    assert.match(state.sourceFile ?? '', /train\.py$/);
    const tokens = state.report!.stages.find((s) => s.id === 'tokens')!;
    assert.deepStrictEqual(tokens.shape, [8, 37, 64]);
    assert.strictEqual(state.report!.userPreprocessing, 'none', 'the sanity batch reproduces the script, which feeds raw pixels');
    assert.ok(state.report!.findings.some((f) => f.code === 'SAN001'));
    assert.strictEqual(api.engineBackend(), 'onnx', 'forward passes run on ONNX Runtime in the packaged extension');
    assert.strictEqual(state.report!.backend.name, 'onnx');
    await until(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && /vitDoctor\.report/.test(t.input.viewType)));
  });

  test('Run Sanity Batch on a DINOv2 preset with registers fills the report panel and the shape inspector', async () => {
    const ws = vscode.workspace.workspaceFolders![0]!.uri;
    const cfg = vscode.workspace.getConfiguration('vitDoctor');
    const images = cfg.inspect<string[]>('images')?.workspaceValue;
    await cfg.update('images', ['dinov2/images'], vscode.ConfigurationTarget.Workspace);
    try {
      const dino = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(ws, 'dinov2', 'features.py'));
      const editor = await vscode.window.showTextDocument(dino);
      editor.selection = new vscode.Selection(5, 10, 5, 10);
      const state = await runSanityBatch();
      assert.match(state.sourceFile ?? '', /dinov2\/features\.py$/);
      assert.strictEqual(state.report!.preset.family, 'dinov2');
      assert.deepStrictEqual(state.report!.preset.tokenLayout, { grid: [2, 2], classToken: true, registers: 4, patchStart: 5 });
      assert.strictEqual(state.expected?.registers, 4, 'the shape inspector draws the registers');
      const tokens = state.report!.stages.find((s) => s.id === 'tokens')!;
      assert.deepStrictEqual(tokens.shape, [4, 9, 16], '4 images, 1 CLS + 4 registers + 2×2 patches, hidden 16');
      assert.strictEqual(state.report!.images.length, 4);
      assert.strictEqual(state.report!.userPreprocessing, 'none', 'the sanity batch reproduces the script, which feeds raw pixels');
      assert.ok(state.report!.findings.some((f) => f.code === 'SAN001'));
      assert.strictEqual(state.report!.backend.name, 'onnx');
      await until(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && /vitDoctor\.report/.test(t.input.viewType)));
    } finally {
      await cfg.update('images', images, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('Check Pipeline Can Learn fills the training panel: overfit passes, the A/B shows the preprocessing gap', async () => {
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(5, 10, 5, 10);
    await vscode.commands.executeCommand('vitDoctor.checkPipeline');
    const st = await until(() => {
      const s = api.trainingState() as TrainPanelState;
      return s.check ? s : undefined;
    }, 120000);
    assert.ok(st.check!.overfit.passed, st.check!.overfit.verdict);
    const acc = Object.fromEntries(st.check!.ab.map((a) => [a.preprocessing, a.valAccuracy]));
    assert.ok(acc.preset! > acc.none!, JSON.stringify(acc));
  });

  test('the engine recovers after Restart Engine', async () => {
    await vscode.commands.executeCommand('vitDoctor.restartEngine');
    assert.strictEqual(api.engineBackend(), 'onnx');
  });

  test('the engine killed mid-run: the command ends with an error, the next one works on a new engine', async () => {
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(5, 10, 5, 10);
    const running = vscode.commands.executeCommand('vitDoctor.checkPipeline');
    const { pid } = await until(() => {
      const p = api.engineProcess();
      return p.busy && p.pid ? p : undefined;
    });
    process.kill(pid!, 'SIGKILL');
    await running; // the command reports the failure to the user; it must not hang or throw into the host
    const failed = await until(() => (api.trainingState() as TrainPanelState).error ?? undefined);
    assert.match(failed, /engine/i);
    await vscode.commands.executeCommand('vitDoctor.runSanityBatch');
    const state = await until(() => {
      const s = api.reportState() as ReportPanelState;
      return s.report && !s.running ? s : undefined;
    }, 120000);
    assert.ok(state.report!.stages.length > 0);
    const now = api.engineProcess();
    assert.ok(now.pid && now.pid !== pid, `a new engine process (${now.pid} after ${pid})`);
  });
});
